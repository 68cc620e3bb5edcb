"""A barcode/QR scanner used as a keyboard wedge: a fast burst of keys ending in Enter is a scan, not typing.

Printable keys are held back for `gap_ms`: if the next key comes sooner they belong to a burst; a burst that ends
in Enter is emitted as `scanned(text)` and never reaches the focused field; anything else is delivered as typed,
in order, once the keys stop. Time comes from an injected monotonic clock in milliseconds (tests move it by hand).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget

MsClock = Callable[[], float]
MIN_SCAN_CHARS = 6
MAX_SCAN_CHARS = 512


def _ms() -> float:
    return time.monotonic() * 1000.0


class ScannerWedge(QObject):
    """Install on the application (`installEventFilter`) for the keys of `window` and its children.

    Signals:
        scanned(str): a complete scan (without the Enter).
    """

    scanned = Signal(str)

    def __init__(self, *, window: QWidget, gap_ms: float, clock: MsClock = _ms, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._window = window
        self.gap_ms = gap_ms
        self._clock = clock
        self._held: list[tuple[QObject, QKeyEvent]] = []
        self._last_at = 0.0
        self._replaying = False
        self._flush_timer = QTimer(self)
        self._flush_timer.setObjectName("scanner_wedge_flush")
        self._flush_timer.setSingleShot(True)
        self._flush_timer.timeout.connect(self.flush)

    def clear(self) -> None:
        """Forget held keys without delivering them (the idle wipe)."""
        self._flush_timer.stop()
        self._held.clear()

    def _ours(self, watched: QObject) -> bool:
        return isinstance(watched, QWidget) and watched.window() is self._window

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self._replaying or event.type() != QEvent.Type.KeyPress or not self._ours(watched):
            return False
        assert isinstance(event, QKeyEvent)
        now = self._clock()
        fast = bool(self._held) and now - self._last_at <= self.gap_ms
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if fast and len(self._held) >= MIN_SCAN_CHARS:
                text = "".join(e.text() for _w, e in self._held)
                self.clear()
                self.scanned.emit(text)
                return True
            self.flush()
            return False
        text = event.text()
        printable = (
            len(text) == 1
            and text.isprintable()
            and not (event.modifiers() & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier))
        )
        if not printable:
            self.flush()
            return False
        if self._held and not fast:
            self.flush()
        if len(self._held) >= MAX_SCAN_CHARS:
            self.flush()
        copy = QKeyEvent(event.type(), key, event.modifiers(), text, event.isAutoRepeat(), event.count())
        self._held.append((watched, copy))
        self._last_at = now
        self._flush_timer.start(max(1, int(self.gap_ms)))
        return True

    @Slot()
    def flush(self) -> None:
        """Deliver the held keys as typed (they were not a scan)."""
        self._flush_timer.stop()
        held, self._held = self._held, []
        self._replaying = True
        try:
            for target, event in held:
                with contextlib.suppress(RuntimeError):  # the field went away meanwhile (a page was wiped)
                    QApplication.sendEvent(target, event)
        finally:
            self._replaying = False
