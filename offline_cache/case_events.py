"""Changes the counter makes to a case after intake, each a synced `event` record (the case body on the wire is
never rewritten): e.g. the originals' mail tracking number entered once the envelope has gone (邮寄跑腿).

Each change updates the local case, queues the event (depending on the case record) and writes the audit entry
in one transaction.
"""

from __future__ import annotations

import uuid

from app.protocol import RecordKind
from offline_cache.audit import append_audit
from offline_cache.outbox import Outbox
from offline_cache.session import Session

TRACKING_EVENT = "originals_tracking_no"


class CaseEvents:
    def __init__(self, session: Session, outbox: Outbox) -> None:
        self._s = session
        self._outbox = outbox

    def record_tracking_number(self, case_no: str, tracking_no: str, *, actor: str) -> str | None:
        """Set the case's tracking number and queue an event; returns the event's record id (None: no such case)."""
        record_id = str(uuid.uuid4())
        now = self._s.now()
        with self._s.write() as conn:
            row = conn.execute(
                "UPDATE cases SET tracking_no = ?, updated_at = ? WHERE case_no = ? RETURNING record_id",
                (tracking_no, now, case_no),
            ).fetchone()
            if row is None:
                return None
            case_record = str(row[0])
            self._outbox.add(
                conn,
                record_id=record_id,
                kind=RecordKind.EVENT,
                body={"type": TRACKING_EVENT, "case_no": case_no, "tracking_no": tracking_no},
                depends_on=case_record,
            )
            append_audit(conn, now, actor, "tracking_no_recorded", record_id=case_record, detail=TRACKING_EVENT)
        return record_id
