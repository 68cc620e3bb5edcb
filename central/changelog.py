"""The hall change log behind `GET /api/v1/updates`: a server-assigned sequence, appended in commit order."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection

from central import schema
from central.db import iso, lock_change_log, now_utc

_INSERT_CHANGE = schema.changes.insert().returning(schema.changes.c.seq)


def append_change(conn: Connection, hall_key: str, case_no: str, change_type: str, payload: dict[str, Any]) -> int:
    """Append inside the caller's transaction; returns the change's `seq`."""
    lock_change_log(conn)
    row = conn.execute(
        _INSERT_CHANGE,
        {
            "hall_key": hall_key,
            "case_no": case_no,
            "type": change_type,
            "payload": json.dumps(payload, ensure_ascii=False, sort_keys=True),
            "created_at": iso(now_utc()),
        },
    ).first()
    assert row is not None
    return int(row.seq)
