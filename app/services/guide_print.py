"""Printing a materials list (办事材料一次性告知单) at the kiosk, on whatever printer the terminal has.

The list is the issue-17 guide document (`app.printing.guide_list`): for an item and the citizen's answers to its
情形 questions (the exact materials for that situation), for a 一件事 likewise, or — given only an item — the item's
full materials with conditional ones marked. No case, no personal data, nothing stored. It prints on one worker
thread with the printer's time-out; the result comes back by signal.

Signals:
    printed(str): the item code whose list came out.
    failed(str, str): the item code and the printer's message (Chinese); asking again prints again.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal, Slot

from app.config import Config, PrinterKind
from app.domain.models import ReceiptOutput, ServiceItem
from app.services.errors import UserFacingError

if TYPE_CHECKING:
    from app.printing.build import HallContext
    from app.printing.document import ReceiptDocument
    from app.services.guide import BundleGuide, Guide

log = logging.getLogger("tongban.kiosk")

Clock = Callable[[], dt.datetime]


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class _Job(QRunnable):
    def __init__(
        self,
        service: GuidePrintService,
        subject: ServiceItem | Guide | BundleGuide,
        config: Config,
        pdf_dir: Path,
        now: dt.datetime,
    ):
        super().__init__()
        self._service = service
        self._subject = subject
        self._code = subject.code
        self._config = config
        self._pdf_dir = pdf_dir
        self._now = now

    def run(self) -> None:
        message = ""
        try:
            deliver_guide(self._subject, self._config, self._pdf_dir, self._now)
        except UserFacingError as exc:
            message = exc.message
        except OSError as exc:
            log.warning("guide list for %s not printed: %s", self._code, type(exc).__name__)
            message = "无法写入打印文件，请检查磁盘空间和权限。"
        except Exception:  # a bug: logged with its traceback; the kiosk says it did not print
            log.exception("guide list for %s failed unexpectedly", self._code)
            message = "打印出错，请稍后再试。"
        self._service._done.emit(self._code, message)


def _document(subject: ServiceItem | Guide | BundleGuide, hall: HallContext, now: dt.datetime) -> ReceiptDocument:
    from app.printing.guide_list import build_guide_list
    from app.services.guide import BundleGuide, guide_document

    if isinstance(subject, ServiceItem):  # the item's full list, conditional materials marked
        return build_guide_list(subject, situation=(), materials=subject.materials, answers={}, hall=hall, now=now)
    if isinstance(subject, BundleGuide):
        return subject.document(hall=hall, now=now)
    return guide_document(subject, hall=hall, now=now)


def deliver_guide(subject: ServiceItem | Guide | BundleGuide, config: Config, pdf_dir: Path, now: dt.datetime) -> str:
    """Render and send the list (blocking: a worker thread); returns where it went. Raises UserFacingError."""
    from app.printing.backends import PrintError, print_a4, send_escpos
    from app.printing.pdf import write_pdf
    from app.printing.thermal import render_escpos, thermal_profile
    from app.services.receipts import hall_context, output_for

    doc = _document(subject, hall_context(config), now)
    printer = config.printer
    output = output_for(printer)
    try:
        if output is ReceiptOutput.PDF:
            path = pdf_dir / f"办事指南-{subject.code}-{now.strftime('%Y%m%d%H%M%S%f')}.pdf"
            return str(write_pdf([doc], path))
        if output is ReceiptOutput.PRINTER:
            return print_a4([doc], printer)
        if output is ReceiptOutput.THERMAL:
            send_escpos(render_escpos([doc], thermal_profile(printer.profile, printer.paper_width_mm)), printer)
            return printer.kind.value
    except PrintError as exc:
        raise UserFacingError(exc.message_zh, detail=str(exc)) from exc
    raise UserFacingError("本机未连接打印机", detail="no printer configured")


class GuidePrintService(QObject):
    printed = Signal(str)
    failed = Signal(str, str)
    _done = Signal(str, str)

    def __init__(self, *, config: Config, pdf_dir: Path, clock: Clock = _utc_now, parent: QObject | None = None):
        super().__init__(parent)
        self._config = config
        self._pdf_dir = pdf_dir
        self._clock = clock
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._done.connect(self._finished, Qt.ConnectionType.QueuedConnection)

    def use_config(self, config: Config) -> None:
        self._config = config

    def print_list(self, *, item: ServiceItem | None = None, guide: Guide | BundleGuide | None = None) -> None:
        """Start printing the materials list of a complete `guide` (the citizen's situation), or `item`'s full list;
        raises UserFacingError when there is no printer."""
        subject = guide if guide is not None else item
        if subject is None:
            return
        if self._config.printer.kind is PrinterKind.NONE:
            raise UserFacingError("本机未连接打印机，无法打印。")
        self._pool.start(_Job(self, subject, self._config, self._pdf_dir, self._clock()))

    def wait_for_idle(self, timeout_ms: int = 30_000) -> bool:
        return bool(self._pool.waitForDone(timeout_ms))

    @Slot(str, str)
    def _finished(self, item_code: str, message: str) -> None:
        if message:
            self.failed.emit(item_code, message)
        else:
            log.info("guide list for %s printed", item_code)
            self.printed.emit(item_code)
