"""After enrolment the terminal numbers its cases with the identity the platform assigned (unique city-wide)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from app.config import config_from_dict
from app.sync.credentials import Credentials, CredentialStore, apply_enrolled_identity

DOC_RECORD = Path(__file__).resolve().parents[2] / "docs" / "intake.md"


def _enrolled(data_dir: Path) -> None:
    CredentialStore(data_dir).save(
        Credentials(
            device_id="d-1",
            key_id="k-1",
            secret="ab" * 32,
            terminal="007",
            division="210804",
            hall="02",
            window="05",
            platform_url="http://127.0.0.1:9",
        )
    )


def test_enrolled_identity_wins_over_configured(tmp_path: Path) -> None:
    _enrolled(tmp_path)
    config = apply_enrolled_identity(config_from_dict({"terminal_code": "001"}), tmp_path)
    assert (config.division, config.hall_code, config.terminal_code, config.window) == ("210804", "02", "007", "05")
    assert config.platform_url == "http://127.0.0.1:9"


def test_not_enrolled_keeps_the_configuration(tmp_path: Path) -> None:
    config = config_from_dict({"terminal_code": "004"})
    assert apply_enrolled_identity(config, tmp_path) is config


def test_cases_taken_in_after_enrolment_carry_the_enrolled_code(tmp_path: Path) -> None:
    data = tmp_path / "t"
    data.mkdir()
    _enrolled(data)
    exe = str(Path(sys.executable).parent / "tongban")
    env = dict(os.environ)
    staff = subprocess.run(
        [exe, "--data-dir", str(data), "staff", "add", "S0042", "王晓"],
        input="246810\n246810\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert staff.returncode == 0, staff.stderr
    text = DOC_RECORD.read_text(encoding="utf-8")
    record = json.loads(text.split("```json\n", 1)[1].split("\n```", 1)[0])
    record["materials"] = [dict(m, attachments=[]) for m in record["materials"]]
    case_file = tmp_path / "case.json"
    case_file.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    result = subprocess.run(
        [exe, "--data-dir", str(data), "intake", "--json", str(case_file), "--result-json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    case_no = json.loads(result.stdout)["records"][0]["case_no"]
    assert case_no.startswith("21080402007")
