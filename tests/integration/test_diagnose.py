"""`tongban diagnose --out FILE`: a support archive with versions, config, counts, integrity and log tail — and no
personal data, even when the store holds personal values and a log line carries some (planted here)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from app import __version__
from app.cli import main
from app.logs import LOG_FILE_NAME
from offline_cache import open_store, samples
from tests import pii_samples

SAMPLE_PERSONAL = (
    samples.NAME,
    samples.ID_NUMBER,
    samples.PHONE,
    samples.ADDRESS,
    samples.AGENT_NAME,
    samples.AGENT_ID_NUMBER,
    samples.AGENT_PHONE,
    samples.DELIVERY_ADDRESS,
    samples.DELIVERY_PHONE,
)


def _read_archive(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as archive:
        return {Path(name).name: archive.read(name).decode("utf-8") for name in archive.namelist()}


def test_archive_has_what_support_needs_and_no_personal_value(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    logs = tmp_path / "logs"
    monkeypatch.setenv("TONGBAN_LOG_DIR", str(logs))
    config = tmp_path / "config.toml"
    config.write_text('platform_url = "https://tb-user:s3cret-pw@platform.example.cn/api"\n', encoding="utf-8")
    with open_store(data / "terminal.sqlite3") as store:
        for _ in range(2):
            store.save_case(samples.sample_case(), actor="S0042")
    logs.mkdir()
    planted = [
        "2026-12-01 09:00:00,000 INFO tongban.cli [MainThread] starting terminal 0.1.0 in counter mode",
        # A leak that should never happen (the code logs no personal data): diagnose must not carry it on.
        f"2026-12-01 09:00:01,000 ERROR tongban.ui [MainThread] field check failed for {pii_samples.NAME} "
        f"{pii_samples.ID_NUMBER} {pii_samples.PHONE} {pii_samples.ADDRESS} {pii_samples.CREDIT_CODE}",
        f"2026-12-01 09:00:02,000 ERROR tongban.ui [MainThread] agent {pii_samples.NAME_2} {pii_samples.PHONE_2} "
        f"{pii_samples.ID_NUMBER_2}",
        f"2026-12-01 09:00:03,000 WARNING tongban.sync [sync] {samples.NAME} at {samples.DELIVERY_ADDRESS}",
        "2026-12-01 09:00:04,000 WARNING tongban.sync [sync] platform unreachable (connect timeout), retry in 30 s",
    ]
    (logs / LOG_FILE_NAME).write_text("\n".join(planted) + "\n", encoding="utf-8")
    out = tmp_path / "support" / "diag.zip"

    assert main(["--data-dir", str(data), "--config", str(config), "diagnose", "--out", str(out)]) == 0

    parts = _read_archive(out)
    assert set(parts) == {"versions.json", "config.json", "store.json", "integrity.txt", "log-tail.txt"}
    versions = json.loads(parts["versions.json"])
    assert versions["tongban"] == __version__
    assert versions["qt"].startswith("6.")
    assert versions["libraries"]["PySide6"].startswith("6.")
    store = json.loads(parts["store.json"])
    assert store["case_count"] == 2
    assert store["queue_depth"] == 2
    assert store["dead_letters"] == 0
    assert store["outbox"] == {"pending/case": 2}
    assert parts["integrity.txt"].strip() == "ok"
    effective = json.loads(parts["config.json"])["config"]
    assert effective["platform_url"] == "https://<removed>@platform.example.cn/api"
    assert effective["hall_name"] == "营口市政务服务中心"  # not personal: the hall's own name stays readable
    tail = parts["log-tail.txt"]
    assert "starting terminal 0.1.0 in counter mode" in tail
    assert "platform unreachable (connect timeout), retry in 30 s" in tail
    assert "field check failed for" in tail

    everything = "\n".join(parts.values())
    for value in (*pii_samples.ALL, *SAMPLE_PERSONAL, "s3cret-pw", "tb-user"):
        assert value not in everything, f"personal or secret value in the archive: {value!r}"
    # The zip holds nothing else (no stray copy of the database or the log).
    with zipfile.ZipFile(out) as archive:
        assert sum(info.file_size for info in archive.infolist()) == sum(len(p.encode()) for p in parts.values())


def test_a_damaged_database_is_reported_and_left_in_place(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with open_store(data / "terminal.sqlite3") as store:
        for _ in range(40):
            store.save_case(samples.sample_case(), actor="S0042")
    db = data / "terminal.sqlite3"
    raw = bytearray(db.read_bytes())
    page = 4096
    raw[page * 2 : page * 2 + 2048] = bytes(range(256)) * 8  # scribble over a b-tree page
    db.write_bytes(bytes(raw))
    out = tmp_path / "diag.zip"

    assert main(["--data-dir", str(data), "--config", str(tmp_path / "none.toml"), "diagnose", "--out", str(out)]) == 0

    parts = _read_archive(out)
    assert parts["integrity.txt"].strip() != "ok"
    assert "error" in json.loads(parts["store.json"])
    assert db.read_bytes() == bytes(raw)  # diagnose never moves or repairs the file
    assert not list(data.glob("*.corrupt-*"))
