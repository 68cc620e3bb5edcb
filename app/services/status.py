"""The terminal's connection and sync status, as the status bar shows it.

The store and the sync engine change the figures often (every saved case, every uploaded batch); the service
coalesces those nudges with one 250 ms single-shot timer so the status bar repaints at most four times a second
(STYLE.md lesson 6) and publishes an immutable snapshot.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace

from PySide6.QtCore import QObject, QTimer, Signal, Slot

log = logging.getLogger("tongban.status")

COALESCE_MS = 250


@dataclass(frozen=True, slots=True)
class TerminalStatus:
    online: bool  # the platform answered the last time the sync engine tried
    platform_configured: bool  # False: no platform URL, the terminal works offline by design
    queue_depth: int  # outbox entries not yet acknowledged by the platform
    dead_letters: int  # entries the platform rejected; an administrator must look at them
    last_error: str  # plain-Chinese reason of the last sync failure; empty when none


class StatusService(QObject):
    """Collects the figures the status bar shows and publishes them as a `TerminalStatus`.

    Signals:
        status_changed(TerminalStatus): the status differs from the one published before.
    """

    status_changed = Signal(object)

    def __init__(
        self,
        *,
        queue_depth: Callable[[], int],
        dead_letters: Callable[[], int],
        platform_configured: bool,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._queue_depth = queue_depth
        self._dead_letters = dead_letters
        self._status = TerminalStatus(
            online=False,
            platform_configured=platform_configured,
            queue_depth=0,
            dead_letters=0,
            last_error="",
        )
        self._timer = QTimer(self)
        self._timer.setObjectName("status_refresh_coalescer")
        self._timer.setSingleShot(True)
        self._timer.setInterval(COALESCE_MS)
        self._timer.timeout.connect(self._publish)
        self._status = self._read(self._status)

    @property
    def status(self) -> TerminalStatus:
        """The last published status (read at construction, then after each coalesced refresh)."""
        return self._status

    @Slot()
    def refresh(self) -> None:
        """Ask for a re-read of the figures; many calls within 250 ms cause one read."""
        if not self._timer.isActive():
            self._timer.start()

    @Slot()
    def refresh_now(self) -> None:
        """Re-read and publish at once (used at start and by tests of the window)."""
        self._timer.stop()
        self._publish()

    @Slot(bool)
    def set_online(self, online: bool) -> None:
        """The sync engine reached (True) or failed to reach (False) the platform."""
        self._apply(replace(self._status, online=online and self._status.platform_configured))

    @Slot(str)
    def set_last_error(self, message: str) -> None:
        """The sync engine's last failure in plain Chinese; an empty string clears it."""
        self._apply(replace(self._status, last_error=message))

    def _read(self, base: TerminalStatus) -> TerminalStatus:
        try:
            depth = int(self._queue_depth())
            dead = int(self._dead_letters())
        except Exception:
            # The figures are informational: a locked or broken store must not take the status bar down.
            log.exception("status figures unavailable; keeping the last known ones")
            return base
        return replace(base, queue_depth=depth, dead_letters=dead)

    @Slot()
    def _publish(self) -> None:
        self._apply(self._read(self._status))

    def _apply(self, new: TerminalStatus) -> None:
        if new != self._status:
            self._status = new
            self.status_changed.emit(new)
