"""Reconciliation: what the platform holds for one terminal (SYNC_PROTOCOL.md guarantee 5)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite

from central import schema
from central.auth import Device
from central.db import read, write

#: `meta` key of the platform instance id: shared by every process on one database, replaced by
#: `tongban-central mark-restored` after a restore from backup, so terminals reconcile at once (issue 20).
INSTANCE_KEY = "instance_id"
_INSERT_META = {
    name: module.insert(schema.meta).on_conflict_do_nothing()
    for name, module in (("sqlite", sqlite), ("postgresql", postgresql))
}


def instance_id(engine: Engine) -> str:
    """The database's platform instance id (created on first use; two processes racing store one)."""
    m = schema.meta.c
    with read(engine) as conn:
        value = conn.execute(select(m.value).where(m.key == INSTANCE_KEY)).scalar()
    if value is not None:
        return str(value)
    with write(engine) as conn:
        conn.execute(_INSERT_META[conn.dialect.name], {"key": INSTANCE_KEY, "value": str(uuid.uuid4())})
        return str(conn.execute(select(m.value).where(m.key == INSTANCE_KEY)).scalar_one())


def new_instance_id(engine: Engine) -> str:
    """Replace the instance id (after a restore): every terminal sees the change and reconciles."""
    value = str(uuid.uuid4())
    with write(engine) as conn:
        conn.execute(delete(schema.meta).where(schema.meta.c.key == INSTANCE_KEY))
        conn.execute(schema.meta.insert().values(key=INSTANCE_KEY, value=value))
    return value


def summary(engine: Engine, device: Device) -> dict[str, Any]:
    r = schema.records.c
    with read(engine) as conn:
        rows = conn.execute(
            select(r.kind, func.count(), func.max(r.terminal_seq))
            .where(r.terminal_key == device.terminal_key)
            .group_by(r.kind)
        ).all()
        case_seqs = _case_seqs(conn, device.terminal_key)
    by_kind = {row[0]: int(row[1]) for row in rows}
    max_seq = max((int(row[2]) for row in rows), default=None)
    return {
        "device_id": device.device_id,
        "terminal": device.terminal,
        "division": device.division,
        "hall": device.hall,
        "records": sum(by_kind.values()),
        "by_kind": by_kind,
        "max_terminal_seq": max_seq,
        "case_seqs": case_seqs,
        "instance_id": instance_id(engine),
    }


#: How far back `case_seqs` reaches: a replacement terminal numbers today's cases (a clock a day or two off too).
CASE_SEQ_DAYS = 31


def _case_seqs(conn: Any, terminal_key: str) -> dict[str, int]:
    """The highest case sequence this terminal's numbers hold on the platform, per day (yyyymmdd), recent days only:
    a replacement PC enrolled as the same terminal continues after them (issue 22)."""
    c = schema.cases.c
    day = func.substr(c.case_no, 12, 8)
    cutoff = (dt.datetime.now(dt.UTC) - dt.timedelta(days=CASE_SEQ_DAYS)).strftime("%Y%m%d")
    rows = conn.execute(
        select(day, func.max(func.substr(c.case_no, 20, 5)))
        .where(c.case_no.like(f"{terminal_key}%"), day >= cutoff)
        .group_by(day)
    ).all()
    return {str(d): int(seq) for d, seq in rows if str(seq).isdigit()}


def missing(engine: Engine, record_ids: list[str]) -> list[str]:
    """The ids of `record_ids` the platform does not hold, in request order."""
    held: set[str] = set()
    r = schema.records.c
    with read(engine) as conn:
        for start in range(0, len(record_ids), 500):
            chunk = record_ids[start : start + 500]
            held.update(conn.execute(select(r.record_id).where(r.record_id.in_(chunk))).scalars())
    return [rid for rid in record_ids if rid not in held]
