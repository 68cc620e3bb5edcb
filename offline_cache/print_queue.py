"""Failed print jobs, kept across restarts until the clerk retries, redirects or dismisses them (issue 11 item 4).

A row names the case, the output and the clerk; the documents are rebuilt from the stored case on retry, so the
table holds no personal data. Written on the GUI thread's connection, one short transaction per change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app.domain.models import ReceiptOutput
from offline_cache.session import Session, iso, parse_iso


@dataclass(frozen=True, slots=True)
class QueuedPrint:
    job_id: str
    case_no: str
    output: ReceiptOutput
    staff_no: str
    created_at: dt.datetime
    attempts: int
    error: str


class PrintQueueRepository:
    """The `print_queue` table."""

    def __init__(self, session: Session) -> None:
        self._s = session

    def keep_failed(self, job: QueuedPrint) -> None:
        """Record (or update) a failed job."""
        with self._s.write() as conn:
            conn.execute(
                "INSERT INTO print_queue (job_id, case_no, output, staff_no, created_at, attempts, error)"
                " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (job_id) DO UPDATE SET"
                " output = excluded.output, attempts = excluded.attempts, error = excluded.error",
                (
                    job.job_id,
                    job.case_no,
                    job.output.value,
                    job.staff_no,
                    iso(job.created_at),
                    job.attempts,
                    job.error,
                ),
            )

    def forget(self, job_id: str) -> None:
        """The job printed, or the clerk dismissed it."""
        with self._s.write() as conn:
            conn.execute("DELETE FROM print_queue WHERE job_id = ?", (job_id,))

    def failed(self) -> list[QueuedPrint]:
        """Oldest first."""
        rows = self._s.conn.execute(
            "SELECT job_id, case_no, output, staff_no, created_at, attempts, error FROM print_queue"
            " ORDER BY created_at, job_id"
        )
        return [QueuedPrint(r[0], r[1], ReceiptOutput(r[2]), r[3], parse_iso(r[4]), int(r[5]), r[6]) for r in rows]
