"""Schema migrations, the newer-schema refusal and the append-only audit log."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

from offline_cache import StoreError, open_store, schema
from offline_cache.errors import NewerSchemaError


def test_registered_migrations_match_the_declared_version_list() -> None:
    db = sqlite_utils.Database(memory=True, execute_plugins=False)
    assert [m.name for m in schema.migrations.pending(db)] == list(schema.MIGRATION_NAMES)
    assert len(schema.MIGRATION_NAMES) == schema.SCHEMA_VERSION


def test_a_new_database_has_every_table_at_the_current_version(tmp_path: Path) -> None:
    with open_store(tmp_path / "tb.db") as store:
        tables = set(store.db.table_names())
        assert store.schema_version == schema.SCHEMA_VERSION
        assert store.recovered_from is None
    assert {
        "cases",
        "case_materials",
        "case_attachments",
        "attachments",
        "receipts",
        "ratings",
        "rating_requests",
        "outbox",
        "drafts",
        "audit_log",
        "case_sequences",
        "terminal_seq",
        "meta",
        "staff",
        "_sqlite_migrations",
    } <= tables


def test_pragmas_are_set_on_the_store_connection(tmp_path: Path) -> None:
    with open_store(tmp_path / "tb.db") as store:
        conn = store.db.conn
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 5000
        assert conn.isolation_level is None


def test_reopening_applies_nothing_twice(tmp_path: Path) -> None:
    open_store(tmp_path / "tb.db").close()
    with open_store(tmp_path / "tb.db") as store:
        applied = [m.name for m in schema.migrations.applied(store.db)]
    assert applied == list(schema.MIGRATION_NAMES)


def test_a_database_from_a_newer_program_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "tb.db"
    future = schema.SCHEMA_VERSION + 1
    with open_store(path) as store:
        store.db.conn.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('tongban', ?, 'x')",
            (f"{future:04d}_future",),
        )
    before = path.read_bytes()
    with pytest.raises(NewerSchemaError) as info:
        open_store(path)
    assert (info.value.db_version, info.value.app_version) == (future, schema.SCHEMA_VERSION)
    assert str(future) in info.value.message and str(schema.SCHEMA_VERSION) in info.value.message
    assert path.read_bytes() == before
    assert not list(tmp_path.glob("*.corrupt-*"))


def test_audit_log_refuses_update_and_delete(tmp_path: Path) -> None:
    with open_store(tmp_path / "tb.db") as store:
        entry_id = store.audit.append("S0042", "login")
        conn = store.db.conn
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("UPDATE audit_log SET actor = 'someone' WHERE id = ?", (entry_id,))
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("DELETE FROM audit_log")
        [entry] = store.audit.list()
        assert (entry.actor, entry.action) == ("S0042", "login")


@pytest.mark.expected_log
def test_audit_tampering_inside_a_store_transaction_is_a_store_error(tmp_path: Path) -> None:
    with open_store(tmp_path / "tb.db") as store:
        store.audit.append("S0042", "login")
        with pytest.raises(StoreError), store.transaction() as conn:
            store.audit.append("S0042", "logout")
            conn.execute("DELETE FROM audit_log")
        assert [e.action for e in store.audit.list()] == ["login"]  # the whole transaction rolled back


def test_audit_detail_must_be_a_short_code(tmp_path: Path) -> None:
    with open_store(tmp_path / "tb.db") as store:
        with pytest.raises(ValueError):
            store.audit.append("S0042", "note", detail="x" * 500)
        with pytest.raises(ValueError):
            store.audit.append("", "note")
        store.audit.append("S0042", "case_viewed", "rid-1", "ok")
        store.audit.append("S0042", "case_viewed", "rid-2", "ok")
        assert [e.record_id for e in store.audit.list(record_id="rid-1")] == ["rid-1"]
