"""Print jobs and the queue of failed ones (no Qt): a failed print is kept until it is retried, redirected to PDF
or dismissed, so a printer problem never costs the citizen their receipt."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from dataclasses import dataclass
from enum import StrEnum

from app.domain.models import Case, ReceiptOutput
from app.printing.document import ReceiptDocument


class JobState(StrEnum):
    QUEUED = "queued"  # waiting for or being handled by the print worker
    DONE = "done"
    FAILED = "failed"  # kept for retry or redirect


@dataclass(frozen=True, slots=True)
class PrintJob:
    job_id: str
    case_no: str
    documents: tuple[ReceiptDocument, ...]
    output: ReceiptOutput
    staff_no: str
    created_at: dt.datetime
    case: Case  # kept so a job whose documents could not be built can be built again on retry
    state: JobState = JobState.QUEUED
    attempts: int = 0
    error: str = ""  # the last failure, in plain Chinese for the clerk
    destination: str = ""  # where it went: printer name or PDF path

    @property
    def reprint(self) -> bool:
        return any(doc.reprint_at is not None for doc in self.documents)


class PrintQueue:
    """Jobs by id, thread-safe. Only failed jobs stay after they finish."""

    def __init__(self) -> None:
        self._jobs: dict[str, PrintJob] = {}
        self._lock = threading.Lock()

    def put(self, job: PrintJob) -> None:
        with self._lock:
            self._jobs[job.job_id] = job

    def get(self, job_id: str) -> PrintJob | None:
        with self._lock:
            return self._jobs.get(job_id)

    def update(self, job_id: str, **changes: object) -> PrintJob:
        with self._lock:
            job = dataclasses.replace(self._jobs[job_id], **changes)  # type: ignore[arg-type]
            if job.state is JobState.DONE:
                del self._jobs[job_id]
            else:
                self._jobs[job_id] = job
            return job

    def remove(self, job_id: str) -> PrintJob | None:
        with self._lock:
            return self._jobs.pop(job_id, None)

    def failed(self) -> list[PrintJob]:
        """Failed jobs, oldest first."""
        with self._lock:
            jobs = [job for job in self._jobs.values() if job.state is JobState.FAILED]
        return sorted(jobs, key=lambda job: job.created_at)

    def active(self) -> int:
        with self._lock:
            return sum(job.state is JobState.QUEUED for job in self._jobs.values())
