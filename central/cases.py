"""Case status: single-case query, `case set-status` for pilots, and the hall's updates feed."""

from __future__ import annotations

import datetime as dt
import hmac
import json
import logging
from typing import Any

from sqlalchemy import Engine, and_, delete, func, select, update

from central import schema
from central.changelog import append_change
from central.db import iso, lock_change_log, now_utc, read, write

log = logging.getLogger("tongban.central.cases")

#: States set on the platform side (DOMAIN.md): the department's decisions after forwarding.
PLATFORM_STATES = ("forwarded", "accepted", "rejected", "supplement", "completed", "delivered")
MAX_UPDATES_LIMIT = 500
_PRUNED_KEY = "changes_pruned_through"


class CursorGoneError(Exception):
    """The cursor is older than the retained change log (or from the future after a restore): resync fully."""


class UnknownCaseError(LookupError):
    pass


def _holder_tail(body_json: str) -> str:
    """The last 4 characters of the applicant's ID number or credit code in a case body ("" when none)."""
    try:
        body = json.loads(body_json)
    except ValueError:
        return ""
    holder = body.get("applicant_id_number") or body.get("applicant_credit_code") or ""
    return str(holder)[-4:].upper() if isinstance(holder, str) and len(holder) >= 4 else ""


def case_status(engine: Engine, case_no: str, *, id_last4: str | None = None) -> dict[str, Any] | None:
    """The case's status and history; None when unknown. With `id_last4` (the kiosk's check) also None when the
    applicant's ID number (or credit code) does not end so: a wrong check is answered exactly like an unknown case."""
    c, h = schema.cases.c, schema.case_history.c
    with read(engine) as conn:
        row = conn.execute(select(schema.cases).where(c.case_no == case_no)).first()
        if row is None:
            return None
        if id_last4 is not None:
            body = conn.execute(
                select(schema.records.c.body).where(schema.records.c.record_id == row.record_id)
            ).scalar()
            tail = _holder_tail(body) if isinstance(body, str) else ""
            if not tail or not hmac.compare_digest(tail, id_last4.upper()):
                return None
        history = conn.execute(select(h.status, h.at, h.note).where(h.case_no == case_no).order_by(h.id)).all()
    return {
        "case_no": row.case_no,
        "status": row.status,
        "item_code": row.item_code,
        "item_name": row.item_name,
        "updated_at": row.updated_at,
        "history": [{"status": s.status, "at": s.at, "note": s.note} for s in history],
    }


#: A 一件事's own status for a client that reads only `status`: where its members stand as a whole.
_OPEN_ORDER = ("received", "forwarded", "accepted")
_DONE = frozenset({"completed", "delivered"})


def _bundle_state(statuses: list[str]) -> str:
    """All members alike → their status; any `supplement` → `supplement` (the applicant must act); else the least
    advanced open member's; with none open (completed, delivered, rejected, refused) → `completed`."""
    if not statuses:
        return "received"
    if len(set(statuses)) == 1:
        return statuses[0]
    if "supplement" in statuses:
        return "supplement"
    open_ = [s for s in statuses if s in _OPEN_ORDER]
    if open_:
        return min(open_, key=_OPEN_ORDER.index)
    return "delivered" if all(s == "delivered" for s in statuses) else "completed"


def mask_case_no(case_no: str) -> str:
    """First 6 and last 4 digits (the receipt QR's pages and the kiosk show members so)."""
    return f"{case_no[:6]}****{case_no[-4:]}"


def bundle_status(engine: Engine, parent_case_no: str, *, id_last4: str | None = None) -> dict[str, Any] | None:
    """The 一件事 whose own (parent) number is `parent_case_no`: `case_status`'s fields (item = the bundle, status
    = `_bundle_state` of its members, history = when it was received) plus `bundle`: its name, each member's
    masked number, item, department, status, promised date and history, and how many are done. None when the
    number is no parent here. With `id_last4` (the kiosk's check) also None unless the applicant's ID number (or
    credit code) ends so: the members share one applicant, and every member's must match."""
    p, b, c, h = schema.bundles.c, schema.bundle_members.c, schema.cases.c, schema.case_history.c
    with read(engine) as conn:
        parent = conn.execute(select(schema.bundles).where(p.parent_case_no == parent_case_no)).first()
        if parent is None:
            return None
        rows = conn.execute(
            select(c.case_no, c.item_code, c.item_name, c.status, c.updated_at, c.record_id)
            .select_from(schema.bundle_members.join(schema.cases, c.case_no == b.case_no))
            .where(b.bundle_id == parent.bundle_id)
            .order_by(c.case_no)
        ).all()
        if not rows:
            return None
        bodies = {
            r.record_id: r.body
            for r in conn.execute(
                select(schema.records.c.record_id, schema.records.c.body).where(
                    schema.records.c.record_id.in_([r.record_id for r in rows])
                )
            )
        }
        if id_last4 is not None:
            tails = [_holder_tail(bodies.get(r.record_id) or "") for r in rows]
            if not all(t and hmac.compare_digest(t, id_last4.upper()) for t in tails):
                return None
        histories: dict[str, list[dict[str, Any]]] = {r.case_no: [] for r in rows}
        for entry in conn.execute(
            select(h.case_no, h.status, h.at, h.note).where(h.case_no.in_(list(histories))).order_by(h.id)
        ):
            histories[entry.case_no].append({"status": entry.status, "at": entry.at, "note": entry.note})
    members = [
        {
            "case_no_masked": mask_case_no(r.case_no),
            "item_code": r.item_code,
            "item_name": r.item_name,
            "department": _body_text(bodies.get(r.record_id), "department"),
            "status": r.status,
            "expected_date": _body_text(bodies.get(r.record_id), "expected_date"),
            "updated_at": r.updated_at,
            "history": histories[r.case_no],
        }
        for r in rows
    ]
    return {
        "case_no": parent.parent_case_no,
        "status": _bundle_state([str(r.status) for r in rows]),
        "item_code": str(parent.bundle_id).rsplit("-", 1)[0],
        "item_name": parent.bundle_name,
        "updated_at": max(str(r.updated_at) for r in rows),
        "history": [{"status": "received", "at": parent.created_at, "note": ""}],
        "bundle": {
            "name": parent.bundle_name,
            "members": members,
            "done": sum(1 for r in rows if r.status in _DONE),
        },
    }


def bundle_members(engine: Engine, case_no: str) -> list[dict[str, Any]]:
    """Every case taken in with `case_no` as one 一件事 (itself included, in number order), with its status;
    empty when the case is not part of a bundle. `case_no` may be the bundle's own (parent) number."""
    b, c = schema.bundle_members.c, schema.cases.c
    with read(engine) as conn:
        bundle_id = conn.execute(select(b.bundle_id).where(b.case_no == case_no)).scalar()
        if bundle_id is None:
            bundle_id = conn.execute(
                select(schema.bundles.c.bundle_id).where(schema.bundles.c.parent_case_no == case_no)
            ).scalar()
        if bundle_id is None:
            return []
        rows = conn.execute(
            select(c.case_no, c.item_code, c.item_name, c.status, c.record_id)
            .select_from(schema.bundle_members.join(schema.cases, c.case_no == b.case_no))
            .where(b.bundle_id == bundle_id)
            .order_by(c.case_no)
        ).all()
        bodies = {
            r.record_id: r.body
            for r in conn.execute(
                select(schema.records.c.record_id, schema.records.c.body).where(
                    schema.records.c.record_id.in_([r.record_id for r in rows])
                )
            )
        }
    return [
        {
            "case_no": r.case_no,
            "item_code": r.item_code,
            "item_name": r.item_name,
            "status": r.status,
            "department": _body_text(bodies.get(r.record_id), "department"),
            "expected_date": _body_text(bodies.get(r.record_id), "expected_date"),
        }
        for r in rows
    ]


def _body_text(body_json: str | None, key: str) -> str:
    """One non-personal text field of a case body ("" when absent): department, expected date."""
    try:
        body = json.loads(body_json) if body_json else {}
    except ValueError:
        return ""
    value = body.get(key) if isinstance(body, dict) else None
    return value if isinstance(value, str) else ""


def bundle_parent(engine: Engine, case_no: str) -> dict[str, Any] | None:
    """The 一件事 whose own (parent) number is `case_no`, or the one the member `case_no` belongs to:
    `{parent_case_no, bundle_id, bundle_name, hall_key, created_at}`; None for a single case, an unknown number or
    a bundle taken in before parents had numbers."""
    p = schema.bundles.c
    with read(engine) as conn:
        row = conn.execute(select(schema.bundles).where(p.parent_case_no == case_no)).first()
        if row is None:
            bundle_id = conn.execute(
                select(schema.bundle_members.c.bundle_id).where(schema.bundle_members.c.case_no == case_no)
            ).scalar()
            if bundle_id is not None:
                row = conn.execute(select(schema.bundles).where(p.bundle_id == bundle_id)).first()
    if row is None:
        return None
    return {
        "parent_case_no": row.parent_case_no,
        "bundle_id": row.bundle_id,
        "bundle_name": row.bundle_name,
        "hall_key": row.hall_key,
        "created_at": row.created_at,
    }


def set_status(engine: Engine, case_no: str, status: str, note: str = "") -> int:
    """Record a department decision; returns the change-log sequence number the terminals will see."""
    if status not in PLATFORM_STATES:
        raise ValueError(f"status must be one of {', '.join(PLATFORM_STATES)}")
    now = iso(now_utc())
    with write(engine) as conn:
        lock_change_log(conn)  # before the row lock, as ingest does
        hall_key = conn.execute(select(schema.cases.c.hall_key).where(schema.cases.c.case_no == case_no)).scalar()
        if hall_key is None:
            raise UnknownCaseError(case_no)
        conn.execute(
            update(schema.cases).where(schema.cases.c.case_no == case_no).values(status=status, updated_at=now)
        )
        conn.execute(
            schema.case_history.insert().values(case_no=case_no, status=status, at=now, note=note, source="admin")
        )
        seq = append_change(conn, hall_key, case_no, "case_status", {"status": status, "at": now, "note": note})
    log.info("case %s set to %s (change %d)", case_no, status, seq)
    return seq


def parse_cursor(raw: str | None) -> int:
    if raw is None or raw == "":
        return 0
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        raise ValueError("cursor must be a value returned as next_cursor")
    return int(raw)


def updates(engine: Engine, hall_key: str, cursor: int, limit: int, *, own: str | None = None) -> dict[str, Any]:
    """Changes for one hall after `cursor`, in sequence order. `next_cursor` is opaque text.

    With `own` (the asking terminal's key), the acceptance changes of that terminal's own uploads are left out: it
    set them itself when the batch was answered (SYNC_PROTOCOL.md "Revisions"). Later changes to those cases
    (a department's decision, a phone rating) still come. The cursor moves past what was left out.
    """
    ch = schema.changes.c
    with read(engine) as conn:
        pruned = conn.execute(select(schema.meta.c.value).where(schema.meta.c.key == _PRUNED_KEY)).scalar()
        latest = conn.execute(select(func.max(ch.seq))).scalar() or 0
        if (pruned is not None and 0 < cursor < int(pruned)) or cursor > latest:
            raise CursorGoneError(str(cursor))
        rows = conn.execute(
            select(ch.seq, ch.case_no, ch.type, ch.payload, ch.created_at)
            .where(and_(ch.hall_key == hall_key, ch.seq > cursor))
            .order_by(ch.seq)
            .limit(limit + 1)
        ).all()
    has_more = len(rows) > limit
    rows = rows[:limit]
    changes = []
    for r in rows:
        payload = json.loads(r.payload)
        origin = payload.pop("origin", None)
        if own is not None and origin == own:
            continue
        changes.append({"seq": r.seq, "type": r.type, "case_no": r.case_no, "created_at": r.created_at, **payload})
    # With nothing new for this hall, the cursor may still move to the log's end so the next poll is cheap.
    next_cursor = rows[-1].seq if rows else max(cursor, latest if not has_more else cursor)
    return {"changes": changes, "next_cursor": str(next_cursor), "has_more": has_more}


def prune_changes_older_than(engine: Engine, days: int) -> int:
    """Drop change-log entries older than `days`; terminals whose cursor is older get 410 and resync."""
    cutoff = iso(now_utc() - dt.timedelta(days=days))
    ch = schema.changes.c
    with read(engine) as conn:
        last_old = conn.execute(select(func.max(ch.seq)).where(ch.created_at < cutoff)).scalar()
    return 0 if last_old is None else prune_changes(engine, keep_after_seq=int(last_old))


def prune_changes(engine: Engine, *, keep_after_seq: int) -> int:
    """Drop change-log entries up to `keep_after_seq`; a cursor older than that then gets 410 Gone."""
    with write(engine) as conn:
        result = conn.execute(delete(schema.changes).where(schema.changes.c.seq <= keep_after_seq))
        conn.execute(delete(schema.meta).where(schema.meta.c.key == _PRUNED_KEY))
        conn.execute(schema.meta.insert().values(key=_PRUNED_KEY, value=str(keep_after_seq)))
    return int(result.rowcount)
