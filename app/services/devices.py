"""Device use cases for the intake page: read the ID card, scan a page. Off the GUI thread, with timeouts.

Signals carry plain results so widgets never import the device layer.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from app.devices.id_card import ERROR_MESSAGES as CARD_MESSAGES
from app.devices.id_card import IdCardData, IdCardError, IdCardErrorKind, IdCardReader, SimulatedIdCardReader
from app.devices.runner import DeviceRunner
from app.devices.scanner import ERROR_MESSAGES as SCAN_MESSAGES
from app.devices.scanner import DocumentScanner, ScannedPage, ScannerError, ScannerErrorKind, SimulatedScanner

log = logging.getLogger("tongban.devices")

CARD_TIMEOUT_SECONDS = 8.0
SCAN_TIMEOUT_SECONDS = 15.0


class DeviceService(QObject):
    """Signals:
    card_read(object): an `IdCardData` (name, id_number, address …) was read.
    card_failed(str): the read failed; the message for the clerk (no card, reader absent, failed, timeout).
    page_scanned(bytes, str): a page was captured — its bytes and a file name.
    scan_failed(str): the scan failed; the message for the clerk.
    """

    card_read = Signal(object)
    card_failed = Signal(str)
    page_scanned = Signal(bytes, str)
    scan_failed = Signal(str)

    def __init__(
        self,
        *,
        id_card: IdCardReader,
        scanner: DocumentScanner,
        card_timeout: float = CARD_TIMEOUT_SECONDS,
        scan_timeout: float = SCAN_TIMEOUT_SECONDS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.id_card = id_card
        self.scanner = scanner
        self.card_timeout = card_timeout
        self.scan_timeout = scan_timeout
        self._card = DeviceRunner("id_card_runner", self)
        self._card.finished.connect(self._on_card)
        self._card.failed.connect(self._on_card_failed)
        self._scan = DeviceRunner("scanner_runner", self)
        self._scan.finished.connect(self._on_page)
        self._scan.failed.connect(self._on_scan_failed)

    def read_id_card(self) -> bool:
        """Start a card read; False when one is already running."""
        if self._card.busy:
            return False
        reader = self.id_card
        self._card.start(lambda timeout: reader.read(timeout=timeout), timeout=self.card_timeout)
        return True

    def scan_page(self) -> bool:
        """Start a scan; False when one is already running."""
        if self._scan.busy:
            return False
        scanner = self.scanner
        self._scan.start(lambda timeout: scanner.scan(timeout=timeout), timeout=self.scan_timeout)
        return True

    @Slot(int, object)
    def _on_card(self, _request: int, value: object) -> None:
        if isinstance(value, IdCardData):
            log.info("ID card read")
            self.card_read.emit(value)
        else:
            self.card_failed.emit(CARD_MESSAGES[IdCardErrorKind.READ_FAILED])

    @Slot(int, object)
    def _on_card_failed(self, _request: int, exc: object) -> None:
        if isinstance(exc, IdCardError):
            log.info("ID card read failed: %s", exc.kind.value)
            self.card_failed.emit(exc.message)
        elif isinstance(exc, TimeoutError):
            self.card_failed.emit(CARD_MESSAGES[IdCardErrorKind.TIMEOUT])
        else:
            log.error("ID card reader raised %s", type(exc).__name__)
            self.card_failed.emit(CARD_MESSAGES[IdCardErrorKind.READ_FAILED])

    @Slot(int, object)
    def _on_page(self, _request: int, value: object) -> None:
        if isinstance(value, ScannedPage):
            self.page_scanned.emit(value.data, value.filename)
        else:
            self.scan_failed.emit(SCAN_MESSAGES[ScannerErrorKind.FAILED])

    @Slot(int, object)
    def _on_scan_failed(self, _request: int, exc: object) -> None:
        if isinstance(exc, ScannerError):
            log.info("scan failed: %s", exc.kind.value)
            self.scan_failed.emit(exc.message)
        elif isinstance(exc, TimeoutError):
            self.scan_failed.emit(SCAN_MESSAGES[ScannerErrorKind.TIMEOUT])
        else:
            log.error("scanner raised %s", type(exc).__name__)
            self.scan_failed.emit(SCAN_MESSAGES[ScannerErrorKind.FAILED])


def simulated_devices(data_dir: Path, parent: QObject | None = None) -> DeviceService:
    """Simulators reading `<data_dir>/devices/id_card/*.json` and `<data_dir>/devices/scanner/*`."""
    return DeviceService(
        id_card=SimulatedIdCardReader(folder=data_dir / "devices" / "id_card"),
        scanner=SimulatedScanner(folder=data_dir / "devices" / "scanner"),
        parent=parent,
    )


__all__ = ["CARD_TIMEOUT_SECONDS", "SCAN_TIMEOUT_SECONDS", "DeviceService", "IdCardData", "simulated_devices"]
