"""The installed `tongban` program as a subprocess: exit codes, one-line errors, `--json` output."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app import __version__


def _tongban() -> list[str]:
    exe = shutil.which("tongban", path=str(Path(sys.executable).parent))
    assert exe, "the tongban console script is not installed in this environment"
    return [exe]


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*_tongban(), *args], capture_output=True, text=True, timeout=60, env=env or dict(os.environ), check=False
    )


def test_version() -> None:
    result = run("--version")
    assert result.returncode == 0
    assert __version__ in result.stdout


def test_status_json_on_a_fresh_data_dir(tmp_path: Path) -> None:
    result = run("--data-dir", str(tmp_path / "t1"), "status", "--json")
    assert result.returncode == 0, result.stderr
    status = json.loads(result.stdout)
    assert status["data_dir"] == str(tmp_path / "t1")
    assert status["case_count"] == 0
    assert status["queue_depth"] == 0
    assert status["dead_letters"] == 0
    assert status["schema_version"] >= 1
    assert status["online_configured"] is False
    # Never enrolled, no terminal code configured: no identity of its own (issue 11), so no case number either.
    assert status["terminal"] is None and status["registered"] is False


def test_two_terminals_side_by_side_keep_separate_state(tmp_path: Path) -> None:
    for name in ("a", "b"):
        assert run("--data-dir", str(tmp_path / name), "status").returncode == 0
    assert (tmp_path / "a" / "terminal.sqlite3").exists()
    assert (tmp_path / "b" / "terminal.sqlite3").exists()


def test_invalid_config_stops_with_the_key_named(tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text('window = "7"\ncolour = "red"\n', encoding="utf-8")
    result = run("--config", str(config), "status")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "window" in lines[0]
    assert "colour" in lines[0]


def test_unreadable_data_dir_is_one_line_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("x", encoding="utf-8")
    result = run("--data-dir", str(blocker / "data"), "status")
    assert result.returncode != 0
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("args", [("no-such-command",), ("status", "--bogus")])
def test_usage_errors_exit_2(args: tuple[str, ...]) -> None:
    assert run(*args).returncode == 2


def test_config_json_shows_effective_values(tmp_path: Path) -> None:
    env = dict(os.environ, TONGBAN_WINDOW="09")
    result = run("config", "--json", env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["config"]["window"] == "09"


def test_config_shows_the_hall_address_and_phone_printed_on_receipts(tmp_path: Path) -> None:
    config = tmp_path / "hall.toml"
    config.write_text('hall_address = "营口市站前区渤海大街西82号"\nhall_phone = "0417-2823456"\n', encoding="utf-8")
    result = run("--config", str(config), "config")
    assert result.returncode == 0, result.stderr
    assert "hall_address" in result.stdout and "营口市站前区渤海大街西82号" in result.stdout
    assert "hall_phone" in result.stdout and "0417-2823456" in result.stdout


def test_report_csv_on_an_empty_day(tmp_path: Path) -> None:
    out = tmp_path / "day.csv"
    result = run("--data-dir", str(tmp_path / "t"), "report", "--date", "2026-11-24", "--out", str(out))
    assert result.returncode == 0, result.stderr
    text = out.read_text(encoding="utf-8-sig")
    assert "收件合计,0" in text


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (("receipt", "123", "--out", "x.pdf"), "26位"),
        (("receipt", "2108000100120261124000017" + "6", "--out", "x.pdf"), ""),
        (("report", "--date", "2026-13-01", "--out", "x.csv"), "日期"),
    ],
)
def test_command_failures_are_one_chinese_line(tmp_path: Path, args: tuple[str, ...], reason: str) -> None:
    result = run("--data-dir", str(tmp_path / "t"), *args)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert reason in lines[0]


def test_scripted_intake_refuses_a_missing_file(tmp_path: Path) -> None:
    result = run("--data-dir", str(tmp_path / "t"), "intake", "--json", str(tmp_path / "absent.json"))
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1


def _gui_env() -> dict[str, str]:
    return dict(os.environ, QT_QPA_PLATFORM="offscreen")


def test_terminal_window_starts_and_goes_idle(tmp_path: Path) -> None:
    result = run("--data-dir", str(tmp_path / "t"), "--exit-when-idle", env=_gui_env())
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("IDLE ")
    assert (tmp_path / "t" / "terminal.sqlite3").exists()


def test_kiosk_window_starts_goes_idle_and_exits_by_itself(tmp_path: Path) -> None:
    """`--exit-when-idle` ends the locked kiosk the counter's way (the idle probe ends the event loop): the process
    leaves on its own with 0, and nothing asked the kiosk window to close (its lock would have refused)."""
    result = run("--data-dir", str(tmp_path / "k"), "--mode", "kiosk", "--exit-when-idle", env=_gui_env())
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("IDLE ")
    log_text = (Path(os.environ["TONGBAN_LOG_DIR"]) / "tongban.log").read_text(encoding="utf-8")
    assert "GUI starting: mode=kiosk" in log_text
    assert "kiosk close request ignored" not in log_text


@pytest.mark.parametrize("mode", ["counter", "kiosk"])
def test_a_database_from_a_newer_version_is_refused_at_start_and_left_untouched(tmp_path: Path, mode: str) -> None:
    """The kiosk opens its store after the home page's first paint (issue 12); a store it cannot open still ends
    the start with 1 and a precise log line, as at the counter, and the database is not touched."""
    import sqlite_utils

    data = tmp_path / "t"
    assert run("--data-dir", str(data), "status").returncode == 0  # an ordinary database
    database = data / "terminal.sqlite3"
    db = sqlite_utils.Database(database)
    db["_sqlite_migrations"].insert(
        {"migration_set": "tongban", "name": "9999_from_the_future", "applied_at": "2030-01-01"}
    )
    db.close()  # the last connection: its WAL is checkpointed into the file
    before = database.read_bytes()

    result = run("--data-dir", str(data), "--mode", mode, "--exit-when-idle", env=_gui_env())

    assert result.returncode == 1, (result.stdout, result.stderr)
    log_text = (Path(os.environ["TONGBAN_LOG_DIR"]) / "tongban.log").read_text(encoding="utf-8")
    assert "cannot open the local database: newer_schema" in log_text
    assert database.read_bytes() == before


def test_damaged_database_is_moved_aside_and_the_terminal_still_starts(tmp_path: Path) -> None:
    data = tmp_path / "t"
    data.mkdir()
    (data / "terminal.sqlite3").write_bytes(b"this is not a database, it was scribbled over" * 100)
    result = run("--data-dir", str(data), "--exit-when-idle", env=_gui_env())
    assert result.returncode == 0, result.stderr
    kept = list(data.glob("terminal.sqlite3.corrupt-*"))
    assert len(kept) == 1, "the damaged file must be kept, never deleted"
    assert kept[0].read_bytes().startswith(b"this is not a database")
    log_text = (Path(os.environ["TONGBAN_LOG_DIR"]) / "tongban.log").read_text(encoding="utf-8")
    assert "moved aside" in log_text


def test_guide_asks_the_next_question_then_lists_the_materials(tmp_path: Path) -> None:
    """`tongban guide`: the next unanswered question first; with every answer, the exact list and the terms."""
    code = "210800200310000"  # 住房公积金提取（偿还住房贷款）
    env = {**os.environ, "TONGBAN_DATA_DIR": str(tmp_path / "data"), "TONGBAN_CONFIG": str(tmp_path / "c.toml")}

    first = run("guide", code, "--answer", "marital=已婚", env=env)
    assert first.returncode == 0, first.stderr
    assert "请回答：贷款类型？" in first.stdout
    assert "loan_type=商业银行贷款" in first.stdout

    done = run(
        "guide",
        code,
        "--answer",
        "marital=已婚",
        "--answer",
        "loan_type=商业银行贷款",
        "--answer",
        "spouse_withdraws=否",
        "--json",
        env=env,
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["complete"] is True and data["next_question"] is None
    assert [m["name"] for m in data["materials"]] == [
        "申请人居民身份证",
        "本人银行卡",
        "商业银行借款合同及还款明细",
        "结婚证",
    ]
    assert (data["legal_days"], data["promised_days"], data["fee_fen"]) == (3, 1, 0)

    bad = run("guide", code, "--answer", "marital=离婚", env=env)
    assert bad.returncode == 1
    assert bad.stderr.startswith("tongban guide: “申请人婚姻状况？”的回答应为以下之一")
    unknown = run("guide", "999999999999999", env=env)
    assert unknown.returncode == 1 and "没有编码为 999999999999999 的事项" in unknown.stderr
