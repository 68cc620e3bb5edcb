"""Reconciliation: what the platform holds for one terminal (SYNC_PROTOCOL.md guarantee 5)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, func, select

from central import schema
from central.auth import Device
from central.db import read


def summary(engine: Engine, device: Device) -> dict[str, Any]:
    r = schema.records.c
    with read(engine) as conn:
        rows = conn.execute(
            select(r.kind, func.count(), func.max(r.terminal_seq))
            .where(r.terminal_key == device.terminal_key)
            .group_by(r.kind)
        ).all()
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
    }


def missing(engine: Engine, record_ids: list[str]) -> list[str]:
    """The ids of `record_ids` the platform does not hold, in request order."""
    held: set[str] = set()
    r = schema.records.c
    with read(engine) as conn:
        for start in range(0, len(record_ids), 500):
            chunk = record_ids[start : start + 500]
            held.update(conn.execute(select(r.record_id).where(r.record_id.in_(chunk))).scalars())
    return [rid for rid in record_ids if rid not in held]
