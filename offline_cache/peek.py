"""A read-only look into the store for `tongban status`: counts and bookkeeping, without the key.

`open_store` migrates, loads the database key and proves it (cryptography) and builds every repository (the
domain models): more than a status that counts a few rows needs, and most of that command's time (issue 13).
`peek_store` opens a current store query-only and reads no encrypted field; a file it cannot simply read (none yet,
an older schema to migrate, a newer one to refuse, a damaged one) goes through `open_store` as before (with
`recover_corrupt=False`, `integrity_check=False`: a running terminal may hold it), so status reports exactly
what it did then.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from offline_cache.connection import BUSY_TIMEOUT_MS
from offline_cache.errors import from_sqlite
from offline_cache.schema import MIGRATION_NAMES, MIGRATION_SET, MIGRATIONS_TABLE, SCHEMA_VERSION
from offline_cache.session import parse_iso


@dataclass(frozen=True, slots=True)
class Peek:
    """What status reads: a connection (query-only on the fast path) and the facts `Store` would give."""

    conn: sqlite3.Connection
    schema_version: int
    recovered_from: Path | None = None

    def case_count(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM cases").fetchone()[0])

    def queue_depth(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM outbox WHERE state = 'pending'").fetchone()[0])

    def oldest_pending_age(self, now: dt.datetime) -> dt.timedelta | None:
        first = self.conn.execute("SELECT min(created_at) FROM outbox WHERE state = 'pending'").fetchone()[0]
        return None if first is None else now - parse_iso(first)

    def dead_letter_count(self, limit: int = 1000) -> int:
        """Dead letters, counted up to `limit` (as many as `Outbox.dead_letters` lists)."""
        sql = "SELECT count(*) FROM (SELECT 1 FROM outbox WHERE state = 'dead' LIMIT ?)"
        return int(self.conn.execute(sql, (limit,)).fetchone()[0])


def _current(conn: sqlite3.Connection) -> bool:
    """Whether every migration of this program, and no other, is applied (nothing for `open_store` to do)."""
    table = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (MIGRATIONS_TABLE,)
    ).fetchone()
    if table is None:
        return False
    rows = conn.execute(f"SELECT name FROM {MIGRATIONS_TABLE} WHERE migration_set = ?", (MIGRATION_SET,)).fetchall()
    return sorted(str(name) for (name,) in rows) == sorted(MIGRATION_NAMES)


def _quick(path: Path) -> sqlite3.Connection | None:
    if not path.is_file():
        return None
    try:
        conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error:
        return None
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA query_only = ON")
        if _current(conn):
            return conn
    except sqlite3.Error:
        pass  # not a database, damaged, locked for longer than the timeout: open_store says which
    conn.close()
    return None


@contextmanager
def peek_store(path: Path) -> Iterator[Peek]:
    """A read-only `Peek` at the store at `path`; raises StoreError as `open_store` would (and `from_sqlite`'s for
    trouble while reading)."""
    conn = _quick(path)
    if conn is not None:
        try:
            yield Peek(conn, SCHEMA_VERSION)
        except sqlite3.Error as exc:
            raise from_sqlite(exc) from exc
        finally:
            conn.close()
        return
    from offline_cache.store import open_store

    with open_store(path, recover_corrupt=False, integrity_check=False) as store:
        try:
            yield Peek(store.conn, store.schema_version, store.recovered_from)
        except sqlite3.Error as exc:
            raise from_sqlite(exc) from exc
