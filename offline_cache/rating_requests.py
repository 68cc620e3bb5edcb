"""Rating requests with their context (item, clerk), and the supervisor `event` a 差评 raises.

`Ratings.request` (ratings.py) remembers that a rating was asked for; this module also keeps what a pending
request needs to be resumed after a crash or restart — the item code and the clerk — in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from app.domain.models import RatingChannel
from app.protocol import RecordKind
from offline_cache.audit import append_audit
from offline_cache.session import iso, parse_iso
from offline_cache.store import SavedRecord, Store


@dataclass(frozen=True, slots=True)
class PendingRequest:
    """A rating asked for and not answered yet, with everything needed to ask again."""

    service_act_id: str
    case_no: str | None
    item_code: str | None
    staff_no: str
    channel: RatingChannel
    requested_at: dt.datetime


def record_request(
    store: Store,
    *,
    service_act_id: str,
    case_no: str | None,
    item_code: str | None,
    staff_no: str,
    channel: RatingChannel,
    requested_at: dt.datetime,
) -> None:
    """Remember a pending request and its context in one transaction (idempotent per service act)."""
    with store.transaction() as conn:
        store.ratings.request(service_act_id, case_no=case_no, channel=channel, requested_at=requested_at)
        conn.execute(
            "UPDATE rating_requests SET item_code = ?, staff_no = ? WHERE service_act_id = ? AND state = 'pending'",
            (item_code, staff_no, service_act_id),
        )


def pending_requests(store: Store) -> list[PendingRequest]:
    """Pending requests, oldest first."""
    rows = store.conn.execute(
        "SELECT service_act_id, case_no, item_code, staff_no, channel, requested_at FROM rating_requests"
        " WHERE state = 'pending' ORDER BY requested_at"
    )
    return [PendingRequest(r[0], r[1], r[2], r[3], RatingChannel(r[4]), parse_iso(r[5])) for r in rows]


def request_state(store: Store, service_act_id: str) -> str | None:
    """`pending`, `done`, `expired`, or None when never asked."""
    row = store.conn.execute("SELECT state FROM rating_requests WHERE service_act_id = ?", (service_act_id,)).fetchone()
    return None if row is None else str(row[0])


def pending_for_case(store: Store, case_no: str) -> str | None:
    """The service act id of a pending request for this case, if any."""
    row = store.conn.execute(
        "SELECT service_act_id FROM rating_requests WHERE state = 'pending' AND case_no = ?", (case_no,)
    ).fetchone()
    return None if row is None else str(row[0])


def save_event(
    store: Store,
    *,
    record_id: str,
    body: dict[str, Any],
    depends_on: str | None,
    actor: str,
    action: str,
    at: dt.datetime,
) -> SavedRecord:
    """Queue an `event` record (e.g. a 差评 notice for the hall supervisor) with its audit entry."""
    with store.transaction() as conn:
        tseq = store.outbox.add(conn, record_id=record_id, kind=RecordKind.EVENT, body=body, depends_on=depends_on)
        append_audit(conn, iso(at), actor, action, record_id=record_id)
    return SavedRecord(record_id, tseq)
