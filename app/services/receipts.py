"""Receipts: build a case's 收件回执 / 一次性告知书, print them off the GUI thread, log every print, keep failures.

The case is already committed when printing starts (IntakeService saves first), so nothing here can lose or roll
back a case: a failed print leaves a job in the queue that the clerk retries, redirects to PDF or dismisses, and
the case can always be reprinted later (补打). Every attempt — success or failure, print or reprint — is written
through the store as a `ReceiptRecord` (print log + outbox + audit in one transaction) on the GUI thread.

The renderers (`printing.pdf`, `printing.thermal`, `printing.slip_view`: python-escpos, Pillow, qrcode) are imported
where a document is rendered, not here: this module is imported at start and the counter window must not wait for
them (python-escpos alone parses ~170 ms of printer-profile YAML at import).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal, Slot
from PySide6.QtGui import QImage

from app.config import Config, PrinterConfig, PrinterKind
from app.domain.models import Case, ReceiptKind, ReceiptOutput, ReceiptRecord, ServiceItem
from app.domain.workdays import HolidayCalendar, load_holiday_calendar
from app.paths import AppPaths
from app.printing.backends import ESCPOS_KINDS, PrintError, print_a4, send_escpos
from app.printing.build import documents_for
from app.printing.document import ReceiptDocument
from app.printing.fonts import ensure_receipt_fonts
from app.printing.jobs import JobState, PrintJob, PrintQueue
from app.services.errors import UserFacingError
from app.services.receipt_cli import bundle_receipt, hall_context, printed_kinds
from app.services.staff import display_name_of as clerk_name  # the clerk's name on record
from offline_cache import Store, StoreError
from offline_cache.print_queue import QueuedPrint

if TYPE_CHECKING:
    from app.services.catalogue import CatalogueService

log = logging.getLogger("tongban.printing")

ItemLookup = Callable[[str], ServiceItem | None]
Clock = Callable[[], dt.datetime]

NO_PRINTER_MESSAGE = "未配置打印机，请联系管理员设置打印机，或先输出为PDF。"


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def output_for(cfg: PrinterConfig) -> ReceiptOutput | None:
    """Which output the configured printer is; None when no printer is configured."""
    if cfg.kind is PrinterKind.NONE:
        return None
    if cfg.kind is PrinterKind.PDF:
        return ReceiptOutput.PDF
    if cfg.kind is PrinterKind.SYSTEM:
        return ReceiptOutput.PRINTER
    return ReceiptOutput.THERMAL


def pdf_dir_for(config: Config, paths: AppPaths) -> Path:
    return Path(config.printer.pdf_dir) if config.printer.pdf_dir else paths.data_dir / "receipts"


def purge_receipt_files(directory: Path, *, now: dt.datetime, retention_days: int) -> int:
    """Delete receipt PDFs older than the retention period (they carry the applicant's name); returns the count."""
    cutoff = (now - dt.timedelta(days=retention_days)).timestamp()
    removed = 0
    try:
        candidates = list(directory.glob("*.pdf"))
    except OSError:
        return 0
    for path in candidates:
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except OSError:  # in use or already gone: the next run tries again
            continue
    return removed


def build_documents(
    case: Case,
    *,
    config: Config,
    item: ServiceItem | None,
    calendar: HolidayCalendar | None,
    now: dt.datetime,
    reprinted: set[ReceiptKind] | frozenset[ReceiptKind] = frozenset(),
    clerk: str = "",
) -> list[ReceiptDocument]:
    """The case's documents (see `printing.build.documents_for`); kinds in `reprinted` say 补打."""
    return documents_for(
        case,
        hall=hall_context(config),
        item=item,
        calendar=calendar,
        now=now,
        reprinted=reprinted,
        clerk_name=clerk,
    )


def pdf_name(job: PrintJob) -> str:
    """File name of a PDF receipt: case number, kind and time, never personal data."""
    kinds = "+".join(doc.kind.value for doc in job.documents)
    return f"{job.case_no}-{kinds}-{job.created_at:%Y%m%dT%H%M%S}-{job.job_id[:8]}.pdf"


def printed_where(destination: str) -> str:
    """A finished job's destination as the clerk reads it: a PDF's file name (not its folder), else the printer."""
    return Path(destination).name if destination.lower().endswith(".pdf") else destination


@dataclass(frozen=True, slots=True)
class _Outcome:
    ok: bool
    destination: str = ""
    message: str = ""  # plain Chinese, for the clerk
    detail: str = ""  # English, for the log (no personal data)


def execute_job(job: PrintJob, printer: PrinterConfig, pdf_dir: Path) -> _Outcome:
    """Render and deliver one job (blocking; runs on the print worker)."""
    from app.printing.pdf import write_pdf  # renderers: imported on first use (see module doc)
    from app.printing.thermal import render_escpos, thermal_profile

    try:
        if job.output is ReceiptOutput.PDF:
            path = write_pdf(job.documents, pdf_dir / pdf_name(job))
            return _Outcome(True, destination=str(path))
        if job.output is ReceiptOutput.PRINTER:
            if printer.kind is not PrinterKind.SYSTEM:
                raise PrintError(NO_PRINTER_MESSAGE, "no system printer configured")
            return _Outcome(True, destination=print_a4(job.documents, printer))
        if printer.kind not in ESCPOS_KINDS:
            raise PrintError(NO_PRINTER_MESSAGE, "no thermal printer configured")
        data = render_escpos(job.documents, thermal_profile(printer.profile, printer.paper_width_mm))
        send_escpos(data, printer)
        return _Outcome(True, destination=printer.kind.value)
    except PrintError as exc:
        return _Outcome(False, message=exc.message_zh, detail=str(exc))
    except OSError as exc:
        return _Outcome(
            False, message="无法写入打印文件，请检查磁盘空间和权限。", detail=f"{type(exc).__name__}: {exc}"
        )
    except Exception as exc:  # a bug: logged with its traceback, the job still goes to the queue
        log.exception("printing job %s failed unexpectedly", job.job_id)
        return _Outcome(False, message="打印出错，请重试或改为输出PDF。", detail=f"{type(exc).__name__}")


class _Worker(QRunnable):
    def __init__(self, service: ReceiptService, job: PrintJob, printer: PrinterConfig, pdf_dir: Path) -> None:
        super().__init__()
        self._service = service
        self._job = job
        self._printer = printer
        self._pdf_dir = pdf_dir

    def run(self) -> None:
        outcome = execute_job(self._job, self._printer, self._pdf_dir)
        # A signal of a QObject living on the GUI thread: delivered there, queued.
        self._service._job_finished.emit(self._job.job_id, outcome)


class ReceiptService(QObject):
    """Prints receipts for cases. Construct and call on the GUI thread.

    Signals:
        printed(str, str, str): a job was delivered — job id, case number, destination (printer or PDF path).
        failed(str, str, str): a job failed and waits in the queue — job id, case number, message for the clerk.
        queue_changed(int): the number of failed jobs waiting for retry, redirect or dismissal changed.
    """

    printed = Signal(str, str, str)
    failed = Signal(str, str, str)
    queue_changed = Signal(int)
    _job_finished = Signal(str, object)

    def __init__(
        self,
        *,
        config: Config,
        store: Store,
        pdf_dir: Path,
        item_lookup: ItemLookup | None = None,
        calendar: HolidayCalendar | None = None,
        clock: Clock = _utc_now,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        ensure_receipt_fonts()
        self._config = config
        self._store = store
        self._pdf_dir = pdf_dir
        self._item_lookup = item_lookup
        self._calendar = calendar if calendar is not None else load_holiday_calendar()
        self._clock = clock
        self._queue = PrintQueue()
        # One print worker: jobs print in the order they were asked for.
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        # Queued even from the GUI thread itself: print_case returns its job id before any outcome is signalled.
        self._job_finished.connect(self._on_job_finished, Qt.ConnectionType.QueuedConnection)
        self._persisted: set[str] = set()  # failed jobs kept in the store's print queue
        self._restore_failed()

    def _restore_failed(self) -> None:
        """Failed jobs of an earlier run, back in the queue (their documents are rebuilt on retry)."""
        try:
            kept = self._store.print_queue.failed()
        except StoreError as exc:
            log.warning("print queue unreadable (%s): failed prints of earlier runs are not listed", exc.code)
            return
        for row in kept:
            stored = self._store.cases.get_by_no(row.case_no)
            if stored is None:  # purged or never stored: nothing left to print
                self._forget(row.job_id)
                continue
            self._queue.put(
                PrintJob(
                    job_id=row.job_id,
                    case_no=row.case_no,
                    documents=(),
                    output=row.output,
                    staff_no=row.staff_no,
                    created_at=row.created_at,
                    case=stored.case,
                    state=JobState.FAILED,
                    attempts=row.attempts,
                    error=row.error,
                )
            )
            self._persisted.add(row.job_id)
        if kept:
            log.info("%d failed print job(s) of an earlier run are waiting", len(self._queue.failed()))

    def _forget(self, job_id: str) -> None:
        self._persisted.discard(job_id)
        try:
            self._store.print_queue.forget(job_id)
        except StoreError as exc:
            log.warning("print queue entry %s not removed: %s", job_id, exc.code)

    # --- use cases -----------------------------------------------------------------------------------------

    def use_config(self, config: Config) -> None:
        """Use a new configuration from now on (e.g. the identity assigned at enrolment)."""
        self._config = config

    def print_case(self, *, case: Case, staff_no: str, output: ReceiptOutput | None = None) -> str:
        """Print the case's documents on the configured printer (or `output`); returns the job id.

        A document printed successfully before is marked 补打 with the current time. Never raises: called right
        after the case was committed, so any trouble becomes a failed job in the queue, signalled by `failed`.
        """
        chosen = output or output_for(self._config.printer)
        job = PrintJob(
            job_id=str(uuid.uuid4()),
            case_no=case.case_no,
            documents=(),
            output=chosen or ReceiptOutput.PRINTER,
            staff_no=staff_no,
            created_at=self._clock(),
            case=case,
        )
        self._queue.put(job)
        if chosen is None:
            self._job_finished.emit(job.job_id, _Outcome(False, message=NO_PRINTER_MESSAGE, detail="no printer"))
        else:
            self._build_and_start(job)
        return job.job_id

    def _build_and_start(self, job: PrintJob) -> None:
        if not job.documents:
            try:
                docs = self._documents(job.case, now=self._clock())
            except Exception:  # a bug: the case is saved; the job waits in the queue for a retry
                log.exception("building the receipt of case %s failed", job.case_no)
                outcome = _Outcome(
                    False, message="生成回执时出错，办件已保存；请重试或联系管理员。", detail="build failed"
                )
                self._job_finished.emit(job.job_id, outcome)
                return
            job = self._queue.update(job.job_id, documents=docs)
        self._start(job)

    def _documents(self, case: Case, *, now: dt.datetime) -> tuple[ReceiptDocument, ...]:
        item = self._item_lookup(case.item_code) if self._item_lookup else None
        try:
            reprinted = printed_kinds(self._store, case.case_no)
        except StoreError as exc:
            log.warning("print log of case %s unreadable (%s): printing without 补打 marks", case.case_no, exc.code)
            reprinted = set()
        docs = build_documents(
            case,
            config=self._config,
            item=item,
            calendar=self._calendar,
            now=now,
            reprinted=reprinted,
            clerk=clerk_name(self._store, case.routing.staff_no),
        )
        return tuple(docs)

    def reprint(self, *, case_no: str, staff_no: str, output: ReceiptOutput | None = None) -> str:
        """补打 a stored case by its number; raises LookupError when there is no such case."""
        stored = self._store.cases.get_by_no(case_no)
        if stored is None:
            raise LookupError(f"no case {case_no}")
        return self.print_case(case=stored.case, staff_no=staff_no, output=output)

    def retry(self, *, job_id: str) -> None:
        """Send a failed job again to the same output."""
        job = self._queue.get(job_id)
        if job is None or job.state is not JobState.FAILED:
            raise LookupError(f"no failed print job {job_id}")
        # Rebuilt: the print time is now's, and a paper print of the case since then makes this one a 补打.
        self._build_and_start(self._queue.update(job_id, state=JobState.QUEUED, documents=()))
        self.queue_changed.emit(len(self._queue.failed()))

    def redirect_to_pdf(self, *, job_id: str) -> None:
        """Send a failed job to a PDF file instead (the clerk can print it elsewhere or hand it over)."""
        job = self._queue.get(job_id)
        if job is None or job.state is not JobState.FAILED:
            raise LookupError(f"no failed print job {job_id}")
        self._build_and_start(self._queue.update(job_id, state=JobState.QUEUED, output=ReceiptOutput.PDF, documents=()))
        self.queue_changed.emit(len(self._queue.failed()))

    def dismiss(self, *, job_id: str) -> None:
        """Drop a failed job (the case stays; it can be reprinted at any time)."""
        if self._queue.remove(job_id) is not None:
            self._forget(job_id)
            self.queue_changed.emit(len(self._queue.failed()))

    def preview(self, *, case: Case, output: ReceiptOutput | None = None) -> list[QImage]:
        """The case's documents as the chosen output would print them: A4 pages, or one image of the thermal
        slip. Renders on the calling thread (about 50 ms a page); nothing is printed or logged."""
        from app.printing.pdf import render_images  # renderers: imported on first use (see module doc)
        from app.printing.slip_view import render_slip
        from app.printing.thermal import render_escpos, thermal_profile

        docs = self._documents(case, now=self._clock())
        chosen = output or output_for(self._config.printer) or ReceiptOutput.PRINTER
        if chosen is ReceiptOutput.THERMAL:
            profile = thermal_profile(self._config.printer.profile, self._config.printer.paper_width_mm)
            slip = render_slip(render_escpos(docs, profile), dots=profile.dots).image
            return [QImage(slip.tobytes(), slip.width, slip.height, slip.width, QImage.Format.Format_Grayscale8).copy()]
        return [page for doc in docs for page in render_images(doc)]

    def failed_jobs(self) -> list[PrintJob]:
        return self._queue.failed()

    def job(self, job_id: str) -> PrintJob | None:
        return self._queue.get(job_id)

    def wait_for_idle(self, timeout_ms: int = 30_000) -> bool:
        """Block until the print worker is idle (shutdown and tests)."""
        return self._pool.waitForDone(timeout_ms)

    # --- internals -----------------------------------------------------------------------------------------

    def _start(self, job: PrintJob) -> None:
        log.info("print job %s for case %s: %s", job.job_id, job.case_no, job.output.value)
        self._pool.start(_Worker(self, job, self._config.printer, self._pdf_dir))

    @Slot(str, object)
    def _on_job_finished(self, job_id: str, outcome: object) -> None:
        assert isinstance(outcome, _Outcome)
        self._finish(job_id, outcome)

    def _finish(self, job_id: str, outcome: _Outcome) -> None:
        job = self._queue.get(job_id)
        if job is None:
            return
        job = self._queue.update(
            job_id,
            state=JobState.DONE if outcome.ok else JobState.FAILED,
            attempts=job.attempts + 1,
            error=outcome.message,
            destination=outcome.destination,
        )
        self._log_print(job, outcome)
        self._keep(job, outcome)
        if outcome.ok:
            log.info("print job %s for case %s done", job_id, job.case_no)
            self.printed.emit(job_id, job.case_no, outcome.destination)
        else:
            log.warning("print job %s for case %s failed: %s", job_id, job.case_no, outcome.detail)
            self.failed.emit(job_id, job.case_no, outcome.message)
            self.queue_changed.emit(len(self._queue.failed()))

    def _keep(self, job: PrintJob, outcome: _Outcome) -> None:
        """A failed job is kept in the store so a restart still lists it; a delivered one is dropped from it."""
        if outcome.ok:
            if job.job_id in self._persisted:
                self._forget(job.job_id)
            return
        row = QueuedPrint(job.job_id, job.case_no, job.output, job.staff_no, job.created_at, job.attempts, job.error)
        try:
            self._store.print_queue.keep_failed(row)
        except StoreError as exc:
            log.error("failed print job %s not kept in the store: %s", job.job_id, exc.code)
            return
        self._persisted.add(job.job_id)

    def _log_print(self, job: PrintJob, outcome: _Outcome) -> None:
        printed_at = self._clock()
        # A job whose documents could not be built is logged as a failed 收件回执.
        kinds = [(doc.kind, doc.reprint_at is not None) for doc in job.documents] or [
            (ReceiptKind.INTAKE_RECEIPT, False)
        ]
        for kind, reprint in kinds:
            record = ReceiptRecord(
                record_id=str(uuid.uuid4()),
                case_no=job.case_no,
                kind=kind,
                output=job.output,
                staff_no=job.staff_no,
                printed_at=printed_at,
                reprint=reprint,
                success=outcome.ok,
                error="" if outcome.ok else outcome.message,
            )
            try:
                self._store.save_receipt(record, actor=job.staff_no)
            except StoreError as exc:
                # The print itself stands; only its log entry is missing. Say so in the log, keep going.
                log.error("print log for case %s not saved: %s", job.case_no, exc)


# --- CLI: `tongban receipt CASE_NO --format pdf|escpos --out FILE` --------------------------------------------


def qt_app() -> object:
    """A QGuiApplication for rendering (offscreen when none exists: the CLI has no window)."""
    from app.printing.fonts import rendering_app

    return rendering_app()


def receipt_command(*, config: Config, paths: AppPaths, case_no: str, fmt: str, out: Path) -> int:
    """`receipt_cli.receipt_command` (what `tongban receipt` runs), its refusals as UserFacingError."""
    from app.services.receipt_cli import ReceiptCommandError
    from app.services.receipt_cli import receipt_command as render_to_file

    try:
        return render_to_file(config=config, paths=paths, case_no=case_no, fmt=fmt, out=out)
    except ReceiptCommandError as exc:
        raise UserFacingError(exc.message, detail=exc.detail) from exc


def _bundle_receipt(
    members: Sequence[Case], *, catalogue: CatalogueService, config: Config, store: Store, now: dt.datetime
) -> ReceiptDocument:
    return bundle_receipt(members, catalogue=catalogue, config=config, store=store, now=now)


def print_bundle_receipt(
    case_no: str, *, config: Config, store: Store, catalogue: CatalogueService, pdf_dir: Path
) -> str:
    """Print the 一件事收件回执 of the bundle `case_no` belongs to on the configured printer (or as PDF); logged as
    a receipt of every member. Returns where it went; raises UserFacingError with a Chinese reason."""
    from app.services.guide import print_guide_document

    stored = store.cases.get_by_no(case_no)
    if stored is None or not stored.case.bundle_id:
        raise UserFacingError("未找到该一件事的办件")
    members = [s.case for s in store.cases.list_bundle(stored.case.bundle_id)]
    now = _utc_now()
    ensure_receipt_fonts()
    doc = _bundle_receipt(members, catalogue=catalogue, config=config, store=store, now=now)
    where = print_guide_document(
        doc, item_code=stored.case.bundle_id, printer=config.printer, pdf_dir=pdf_dir, prefix="bundle"
    )
    output = output_for(config.printer) or ReceiptOutput.PDF
    for member in members:
        store.save_receipt(
            ReceiptRecord(
                record_id=str(uuid.uuid4()),
                case_no=member.case_no,
                kind=doc.kind,
                output=output,
                staff_no=member.routing.staff_no,
                printed_at=now,
                reprint=doc.reprint_at is not None,
            ),
            actor=member.routing.staff_no,
        )
    return where


__all__ = [
    "ReceiptService",
    "build_documents",
    "execute_job",
    "hall_context",
    "output_for",
    "pdf_dir_for",
    "printed_kinds",
    "receipt_command",
]
