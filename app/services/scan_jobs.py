"""Scans saved off the GUI thread (issue 13): reading, checking, encrypting and fsyncing a 20 MB scan held the
counter's event loop for a long moment.

A job reads and checks the scan and writes its encrypted file durably (`Blobs.stage`) on a worker thread that
touches no SQLite connection; `IntakeService` then commits the file's index row and adds the scan to the draft on
the GUI thread, on its own connection, when the worker reports back. The draft is only ever changed on the GUI
thread.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from app.domain.models import Attachment
from app.services.attachments import AttachmentError, display_filename
from app.services.intake_form import IntakeDraft
from offline_cache import StoreError
from offline_cache.blobs import Blobs, StagedBlob

log = logging.getLogger("tongban.intake")

#: What the clerk reads when something unforeseen went wrong on the worker (the log has the exception's type).
FAILED_ZH = "保存扫描件时出错，本次未保存，请重试。"


@dataclass(frozen=True, slots=True)
class AttachOutcome:
    """A scan attach that finished: `attachment` when it is on the draft, else `message` (Chinese) and `code`."""

    draft_id: str
    material_code: str
    attachment: Attachment | None = None
    message: str = ""
    code: str = ""


@dataclass(eq=False)
class AttachJob:
    """One scan being saved. `load()` (on the worker) returns the bytes and their media type, or raises
    AttachmentError; the worker fills `staged` or `error` and then sets `done`."""

    draft: IntakeDraft
    material_code: str
    name: str
    load: Callable[[], tuple[bytes, str]]
    staged: StagedBlob | None = None
    filename: str = ""
    error: tuple[str, str] | None = None  # (code, Chinese message)
    refused: bool = False  # the scan itself was refused (type, size, unreadable), not the disk or the program
    worker_ident: int = 0  # the thread that read, encrypted and fsynced the scan (tests check it is not the GUI's)
    done: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None


def run_job(job: AttachJob, blobs: Blobs, report: Callable[[], None]) -> None:
    """The worker's part: read, check, encrypt, write and fsync; then `report()` (queued to the GUI thread)."""
    job.worker_ident = threading.get_ident()
    try:
        data, media_type = job.load()
        job.filename = display_filename(job.name, media_type)
        job.staged = blobs.stage(data, media_type=media_type)
    except AttachmentError as exc:
        job.error, job.refused = (exc.code, exc.message), True
    except StoreError as exc:
        job.error = (exc.code, exc.message)
    except Exception as exc:  # never leave the clerk waiting on a row that says 正在保存
        log.error("scan attach failed on the worker: %s", type(exc).__name__)  # no traceback: paths name people
        job.error = ("failed", FAILED_ZH)
    finally:
        job.done.set()
        with contextlib.suppress(RuntimeError):  # "Internal C++ object already deleted": closed meanwhile
            report()
