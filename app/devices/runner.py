"""Run one blocking device call off the GUI thread, with a timeout the GUI enforces.

The call runs on a daemon thread, so a vendor SDK that hangs past its own timeout cannot freeze the window: after
`timeout` seconds plus a grace period the runner reports a timeout and ignores whatever the thread returns later.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal, Slot

log = logging.getLogger("tongban.devices")

GRACE_SECONDS = 2.0


class DeviceRunner(QObject):
    """Signals (on the GUI thread):
    finished(int, object): request id, the call's return value.
    failed(int, object): request id, the exception raised (or TimeoutError when the call never came back).
    """

    finished = Signal(int, object)
    failed = Signal(int, object)
    _done = Signal(int, bool, object)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self._ids = itertools.count(1)
        self._active: int | None = None
        self._watchdog = QTimer(self)
        self._watchdog.setObjectName(f"{name}_watchdog")
        self._watchdog.setSingleShot(True)
        self._watchdog.timeout.connect(self._on_watchdog)
        self._done.connect(self._on_done)

    @property
    def busy(self) -> bool:
        return self._active is not None

    def start(self, call: Callable[[float], object], *, timeout: float) -> int:
        """Run `call(timeout)` on a worker thread; returns the request id. One call at a time per runner."""
        if self._active is not None:
            raise RuntimeError("device busy")
        request = next(self._ids)
        self._active = request

        def work() -> None:
            try:
                result = call(timeout)
            except Exception as exc:  # reported to the GUI thread; the device layer raised it
                self._done.emit(request, False, exc)
            else:
                self._done.emit(request, True, result)

        threading.Thread(target=work, name=f"{self.objectName()}-{request}", daemon=True).start()
        self._watchdog.start(int((timeout + GRACE_SECONDS) * 1000))
        return request

    @Slot(int, bool, object)
    def _on_done(self, request: int, ok: bool, value: object) -> None:
        if request != self._active:
            log.info("%s: late answer to request %d ignored", self.objectName(), request)
            return
        self._active = None
        self._watchdog.stop()
        if ok:
            self.finished.emit(request, value)
        else:
            self.failed.emit(request, value)

    @Slot()
    def _on_watchdog(self) -> None:
        request = self._active
        if request is None:
            return
        self._active = None
        log.warning("%s: request %d did not return in time", self.objectName(), request)
        self.failed.emit(request, TimeoutError())
