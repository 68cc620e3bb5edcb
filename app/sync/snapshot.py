"""The sync status read from the store's tables: what the engine reports, and what `tongban status` shows.

Plain SQL over one connection, no store object, no key, no engine: the engine builds its `SyncStatus` here (adding
what only a running engine knows: online, server time, backoff wait, clock offset), and `tongban status --json`
reads the same fields through `offline_cache.peek` without importing the engine or opening the store (issue 13).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from typing import Any

from app.sync import state as meta
from app.sync.status import SyncState, SyncStatus
from offline_cache.licence_checks import failed_checks
from offline_cache.session import parse_iso

#: A pending record "created" further than this in the future was saved while the clock was fast.
CLOCK_TOLERANCE = dt.timedelta(minutes=5)


def read_sync_status(
    conn: sqlite3.Connection,
    *,
    now: dt.datetime,
    unsynced_warning: dt.timedelta,
    state: SyncState,
    online: bool | None = None,
    server_time: float | None = None,
    next_attempt_in: float | None = None,
    clock_offset: float = 0.0,
) -> SyncStatus:
    """The status of the queue and of the last exchanges with the platform, as of `now`."""
    depth = int(conn.execute("SELECT count(*) FROM outbox WHERE state = 'pending'").fetchone()[0])
    dead = int(conn.execute("SELECT count(*) FROM outbox WHERE state = 'dead'").fetchone()[0])
    first = conn.execute("SELECT min(created_at) FROM outbox WHERE state = 'pending'").fetchone()[0]
    oldest = None if first is None else now - parse_iso(first)
    # A record "created" more than 5 minutes in the future was saved while the clock was fast (8 h: Beijing
    # time read as UTC): its age is unknown, so it must not hide the warning behind a clamped 0 (issue 22).
    future = oldest is not None and oldest < -CLOCK_TOLERANCE
    return SyncStatus(
        state=state,
        online=online,
        queue_depth=depth,
        oldest_pending_seconds=None if oldest is None else max(0, int(oldest.total_seconds())),
        dead_letters=dead,
        last_success_at=meta.get_from(conn, meta.LAST_SUCCESS_AT),
        last_error=meta.get_from(conn, meta.LAST_ERROR) or "",
        last_error_at=meta.get_from(conn, meta.LAST_ERROR_AT),
        server_time=server_time,
        unsynced_warning=oldest is not None and (oldest > unsynced_warning or future),
        next_attempt_in=next_attempt_in,
        clock_offset_seconds=clock_offset,
        case_no_taken=case_no_taken_notice(conn),
        last_reconcile_at=meta.get_from(conn, meta.LAST_RECONCILE_AT),
        last_reconcile=json_dict(meta.get_from(conn, meta.LAST_RECONCILE)),
        licence_follow_ups=tuple(c.follow_up_zh for c in failed_checks(conn)),
    )


def case_no_taken_notice(conn: sqlite3.Connection) -> str:
    """While the case the platform refused for its number is still a dead letter: what happened, in Chinese."""
    raw = meta.get_from(conn, meta.CASE_NO_TAKEN)
    if not raw:
        return ""
    record_id, case_no, next_seq = [*raw.split("|"), "", "", ""][:3]
    row = conn.execute("SELECT state FROM outbox WHERE record_id = ?", (record_id,)).fetchone()
    if row is None or row[0] != "dead":
        return ""
    # Short enough for one line of the status bar; the case itself is in the rejected records.
    day = f"{int(case_no[15:17])}月{int(case_no[17:19])}日" if case_no[11:19].isdigit() else ""
    return f"办件编号 {day}{case_no[19:24]}号 与他件重复被拒收，已改从 {next_seq} 起编号，请管理员核对"


def json_dict(raw: str | None) -> dict[str, Any] | None:
    """A JSON object stored as text, or None (absent, unreadable, or not an object)."""
    try:
        value = json.loads(raw) if raw else None
    except ValueError:
        return None
    return value if isinstance(value, dict) else None
