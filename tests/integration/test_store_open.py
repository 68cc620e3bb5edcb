"""Opening real files: damaged databases are moved aside (never deleted), keys must fit, old schemas upgrade."""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
from pathlib import Path

import pytest

from app.domain import hall_time
from app.protocol import body_sha256
from offline_cache import StoreError, WrongKeyError, open_store, samples, schema
from offline_cache.keys import key_file_path

DB_VERSIONS = Path(__file__).resolve().parents[1] / "data" / "db_versions"


def _store_with_a_case(path: Path) -> str:
    with open_store(path) as store:
        for _ in range(30):
            saved = store.save_case(samples.sample_case(), actor="S0042")
        return saved.case.case_no


def _assert_recovered(path: Path, damaged: bytes, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="tongban.store"), open_store(path) as store:
        assert store.recovered_from is not None
        assert store.recovered_from.name.startswith("tb.db.corrupt-")
        assert store.recovered_from.read_bytes() == damaged  # kept, byte for byte
        salvaged = store.cases.count()  # what could still be read from the damaged file (salvage.py)
        saved = store.save_case(samples.sample_case(), actor="S0042")  # a working fresh database
        assert store.cases.get(saved.case.record_id) is not None
    assert any("moved aside" in r.getMessage() for r in caplog.records)
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert samples.NAME not in logged and samples.ID_NUMBER not in logged
    with open_store(path) as again:  # next start: no further recovery
        assert again.recovered_from is None
        assert again.cases.count() == salvaged + 1


def test_a_file_that_is_not_a_database_is_moved_aside(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "tb.db"
    garbage = os.urandom(8192)
    path.write_bytes(garbage)
    _assert_recovered(path, garbage, caplog)


def test_a_truncated_database_is_moved_aside(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "tb.db"
    _store_with_a_case(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    _assert_recovered(path, data[: len(data) // 2], caplog)


def test_a_database_with_a_damaged_page_is_moved_aside(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "tb.db"
    _store_with_a_case(path)
    data = bytearray(path.read_bytes())
    page = 4096
    data[page * 2 : page * 2 + 2048] = os.urandom(2048)  # scribble over a b-tree page
    path.write_bytes(bytes(data))
    _assert_recovered(path, bytes(data), caplog)


def test_the_wal_of_a_damaged_database_moves_with_it(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "tb.db"
    path.write_bytes(b"not a database at all" * 100)
    Path(f"{path}-wal").write_bytes(b"stale wal")
    with caplog.at_level(logging.ERROR, logger="tongban.store"), open_store(path) as store:
        assert store.recovered_from is not None
        assert Path(f"{store.recovered_from}-wal").read_bytes() == b"stale wal"


def test_tools_beside_a_running_terminal_report_damage_without_moving_the_file(tmp_path: Path) -> None:
    path = tmp_path / "tb.db"
    path.write_bytes(b"\0garbage" * 1000)
    with pytest.raises(StoreError) as info:
        open_store(path, recover_corrupt=False)
    assert info.value.code == "corrupt"
    assert path.read_bytes() == b"\0garbage" * 1000
    assert not list(tmp_path.glob("*.corrupt-*"))


def test_a_different_key_is_a_clear_error_and_leaves_the_file_alone(tmp_path: Path) -> None:
    path = tmp_path / "tb.db"
    _store_with_a_case(path)
    key_file_path(path).write_text(os.urandom(32).hex() + "\n")
    before = path.read_bytes()
    with pytest.raises(WrongKeyError) as info:
        open_store(path)
    assert "密钥" in info.value.message
    assert path.read_bytes() == before
    assert not list(tmp_path.glob("*.corrupt-*"))


def test_a_lost_key_file_is_not_silently_replaced(tmp_path: Path) -> None:
    path = tmp_path / "tb.db"
    _store_with_a_case(path)
    key_file_path(path).unlink()
    with pytest.raises(WrongKeyError):
        open_store(path)
    assert not key_file_path(path).exists()


def test_the_v1_database_upgrades_with_its_data_intact(tmp_path: Path) -> None:
    for name in ("v1.sqlite", "v1.sqlite.key"):
        shutil.copy(DB_VERSIONS / name, tmp_path / name)
    with open_store(tmp_path / "v1.sqlite") as store:
        assert store.schema_version == schema.SCHEMA_VERSION
        assert {"staff", "rating_requests"} <= set(store.db.table_names())
        assert {"item_code", "staff_no"} <= set(store.db["rating_requests"].columns_dict)  # 0003
        assert "role" in store.db["staff"].columns_dict  # 0004
        [stored] = store.cases.list_recent()
        assert stored.case.case_no == "21080001003202611240000127"
        assert stored.case.applicant.name == samples.NAME
        assert store.drafts.get("intake:07") == {"applicant_name": samples.NAME}
        pending = store.outbox.pending()
        assert [e.kind.value for e in pending] == ["case", "receipt", "rating"]
        assert all(body_sha256(e.body) == e.body_sha256 for e in pending)
        # The upgraded database keeps working: numbering continues after the old day's sequence.
        saved = store.save_case(
            samples.sample_case(created_at=stored.case.created_at), actor="S0042", day=stored.case.created_at.date()
        )
        assert saved.case_seq == 2
        assert saved.terminal_seq == 4


def test_numbering_continues_after_a_damaged_database_is_moved_aside(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Case numbers already printed on receipts, and terminal_seq values the platform holds, are never reused."""
    path = tmp_path / "tb.db"
    last_no = _store_with_a_case(path)
    with open_store(path) as store:
        root = store.db.conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'audit_log'").fetchone()[0]
        old_tseq = store.outbox.get(store.cases.record_id_of(last_no) or "")
    assert old_tseq is not None
    data = bytearray(path.read_bytes())
    start = (root - 1) * 4096
    data[start : start + 2048] = os.urandom(2048)  # the audit log is damaged; cases and counters still read
    path.write_bytes(bytes(data))
    with caplog.at_level(logging.ERROR, logger="tongban.store"), open_store(path) as store:
        assert store.recovered_from is not None
        saved = store.save_case(samples.sample_case(), actor="S0042")
    assert saved.case.case_no[:19] == last_no[:19]  # same terminal, same day
    assert int(saved.case.case_no[19:24]) == int(last_no[19:24]) + 1
    assert saved.terminal_seq == old_tseq.terminal_seq + 1


def test_when_nothing_of_the_damaged_file_reads_today_continues_from_a_safe_floor(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Numbers issued earlier today are unknown: today's continue from 50001 (no terminal takes in 50,000 cases a
    day), so none can repeat; the next day starts at 1 again. terminal_seq jumps past any value used before."""
    path = tmp_path / "tb.db"
    path.write_bytes(os.urandom(8192))
    with caplog.at_level(logging.ERROR, logger="tongban.store"), open_store(path) as store:
        assert store.recovered_from is not None
        case = samples.sample_case()
        today = store.save_case(case, actor="S0042")
        tomorrow = store.save_case(
            samples.sample_case(), actor="S0042", day=hall_time.today(case.created_at) + dt.timedelta(days=1)
        )
    assert today.case_seq == 50_001
    assert tomorrow.case_seq == 1
    assert today.terminal_seq > 1_700_000_000_000  # after the clock in ms: above any count the platform holds
    assert any("partly readable" in r.getMessage() for r in caplog.records)
