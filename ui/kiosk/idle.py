"""Idle watch: after `idle_seconds` without a touch or key the session is wiped; a countdown comes first.

Time is read from an injected monotonic clock (seconds), so tests move it by hand; a 1 s ticker (`tick()`) compares
it with the last input. Any press, touch or key anywhere in the application counts as input.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer, Signal, Slot

MonotonicClock = Callable[[], float]
TICK_MS = 1000

_INPUT_EVENTS = frozenset(
    {
        QEvent.Type.MouseButtonPress,
        QEvent.Type.TouchBegin,
        QEvent.Type.KeyPress,
        QEvent.Type.Wheel,
        QEvent.Type.TabletPress,
    }
)


class IdleWatch(QObject):
    """Signals:
    countdown(int): seconds left before the wipe (emitted each tick during the countdown).
    countdown_cancelled(): input arrived during the countdown.
    expired(): the idle time is over: wipe now.
    """

    countdown = Signal(int)
    countdown_cancelled = Signal()
    expired = Signal()

    def __init__(
        self,
        *,
        idle_seconds: float,
        countdown_seconds: float,
        clock: MonotonicClock = time.monotonic,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._clock = clock
        self.idle_seconds = idle_seconds
        self.countdown_seconds = countdown_seconds
        self._last = clock()
        self._counting = False
        self.ticker = QTimer(self)
        self.ticker.setObjectName("kiosk_idle_ticker")
        self.ticker.setInterval(TICK_MS)
        self.ticker.timeout.connect(self.tick)

    def start(self) -> None:
        self._last = self._clock()
        self.ticker.start()

    def stop(self) -> None:
        self.ticker.stop()

    @property
    def counting(self) -> bool:
        return self._counting

    def set_times(self, *, idle_seconds: float, countdown_seconds: float) -> None:
        self.idle_seconds = idle_seconds
        self.countdown_seconds = countdown_seconds

    def touch(self) -> None:
        """Input arrived: start over (and end a countdown)."""
        self._last = self._clock()
        if self._counting:
            self._counting = False
            self.countdown_cancelled.emit()

    def left(self) -> float:
        """Seconds until the wipe."""
        return self.idle_seconds - (self._clock() - self._last)

    @Slot()
    def tick(self) -> None:
        left = self.left()
        if left <= 0:
            self._counting = False
            self._last = self._clock()
            self.expired.emit()
        elif left <= self.countdown_seconds:
            self._counting = True
            self.countdown.emit(int(left + 0.999))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _INPUT_EVENTS:
            self.touch()
        return False
