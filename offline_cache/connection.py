"""Opening the SQLite file: pragmas, integrity check, and moving a damaged file aside (never deleting it)."""

from __future__ import annotations

import datetime as dt
import logging
import os
import sqlite3
from pathlib import Path

from offline_cache.errors import StoreError, from_sqlite, is_corruption

log = logging.getLogger("tongban.store")

BUSY_TIMEOUT_MS = 5000
_SIDE_FILES = ("", "-wal", "-shm", "-journal")


class CorruptDatabaseError(Exception):
    """Internal: the file is not a database, or fails `PRAGMA integrity_check`."""


def connect(path: Path) -> sqlite3.Connection:
    """Autocommit connection (we issue BEGIN IMMEDIATE ourselves) with the project's pragmas."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise StoreError("无法以 WAL 模式打开本地数据库。", code="no_wal")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        # Freed content is zeroed, freed pages included: with FAST, the overflow pages of a large case body went
        # to the free list unwiped and the key beside the database still opened the purged values (issue 22).
        conn.execute("PRAGMA secure_delete = ON")
    except BaseException:
        conn.close()
        raise
    return conn


def _probe(path: Path) -> None:
    """`integrity_check` on a read-only connection, which never checkpoints or deletes a -wal file.

    A damaged file is thus moved aside exactly as found, WAL included.
    """
    try:
        probe = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    except sqlite3.DatabaseError as exc:
        raise from_sqlite(exc) from exc
    try:
        rows = probe.execute("PRAGMA integrity_check").fetchall()
    except sqlite3.DatabaseError as exc:
        if is_corruption(exc):
            raise CorruptDatabaseError(str(exc)) from exc
        raise from_sqlite(exc) from exc
    finally:
        probe.close()
    if [tuple(r) for r in rows] != [("ok",)]:
        raise CorruptDatabaseError("integrity_check failed")


def open_checked(path: Path, *, integrity_check: bool = True) -> sqlite3.Connection:
    """Check (when the file exists), then connect; CorruptDatabaseError for a damaged file, StoreError otherwise."""
    if integrity_check and path.exists():
        _probe(path)
    try:
        return connect(path)
    except sqlite3.DatabaseError as exc:
        if is_corruption(exc):
            raise CorruptDatabaseError(str(exc)) from exc
        raise from_sqlite(exc) from exc


def move_aside(path: Path, now: dt.datetime) -> Path:
    """Rename the database and its -wal/-shm to `<name>.corrupt-<timestamp>…`; returns the new database path."""
    stamp = now.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    base = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while any(Path(f"{base}{suffix}").exists() for suffix in _SIDE_FILES):
        n += 1
        base = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    for suffix in _SIDE_FILES:
        source = Path(f"{path}{suffix}")
        if source.exists():
            os.replace(source, Path(f"{base}{suffix}"))
    log.error("local database failed its check at start; moved aside to %s and a new one started", base.name)
    return base
