"""The append-only audit log: who did what, when, to which record. Never personal data.

Triggers in the schema make UPDATE and DELETE on `audit_log` fail, so entries cannot be rewritten.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass

from offline_cache.session import Session, parse_iso

_MAX_DETAIL = 200


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: dt.datetime
    actor: str  # staff number or a subsystem name such as "sync"
    action: str  # e.g. "case_saved"
    record_id: str | None
    detail: str


def append_audit(
    conn: sqlite3.Connection, at: str, actor: str, action: str, *, record_id: str | None, detail: str = ""
) -> int:
    """Append inside the caller's transaction. `detail` is a short code or state name, never personal data."""
    if not actor or not action:
        raise ValueError("audit entries need an actor and an action")
    if len(detail) > _MAX_DETAIL:
        raise ValueError("audit detail is a short code, not free text")
    cur = conn.execute(
        "INSERT INTO audit_log (at, actor, action, record_id, detail) VALUES (?, ?, ?, ?, ?)",
        (at, actor, action, record_id, detail),
    )
    return int(cur.lastrowid or 0)


class AuditLog:
    def __init__(self, session: Session) -> None:
        self._s = session

    def append(self, actor: str, action: str, record_id: str | None = None, detail: str = "") -> int:
        with self._s.write() as conn:
            return append_audit(conn, self._s.now(), actor, action, record_id=record_id, detail=detail)

    def list(self, *, limit: int = 200, record_id: str | None = None, action: str | None = None) -> list[AuditEntry]:
        """Newest first."""
        sql = "SELECT id, at, actor, action, record_id, detail FROM audit_log"
        where, params = [], []
        if record_id is not None:
            where.append("record_id = ?")
            params.append(record_id)
        if action is not None:
            where.append("action = ?")
            params.append(action)
        if where:
            sql += " WHERE " + " AND ".join(where)
        rows = self._s.conn.execute(sql + " ORDER BY id DESC LIMIT ?", (*params, limit)).fetchall()
        return [AuditEntry(r[0], parse_iso(r[1]), r[2], r[3], r[4], r[5]) for r in rows]
