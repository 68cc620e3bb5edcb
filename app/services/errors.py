"""Routing of unexpected exceptions to the GUI thread, sorted into three kinds (STYLE.md lesson 8).

- Environment errors (disk full, database locked, network down, printer offline): one plain message for the
  clerk; the session goes on. Services raise `UserFacingError` with the Chinese message; an `OSError` that
  escapes is treated the same way with a generic message.
- Bugs: logged with the traceback (logger `tongban.ui`), shown once per distinct traceback.
- Cancellations (`Cancelled`, `KeyboardInterrupt` is left to Python): silent.

`ErrorRouter.install()` replaces `sys.excepthook` (and `threading.excepthook`) so that an exception raised in a
Qt slot, a timer or a worker thread never ends the program; the router emits `error_reported` and Qt delivers it
to the error dialog on the GUI thread.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from dataclasses import dataclass
from enum import StrEnum
from types import TracebackType

from PySide6.QtCore import QObject, Signal

from app.logs import redact

log = logging.getLogger("tongban.ui")


class UserFacingError(Exception):
    """An environment error with a message the clerk can act on, in plain Chinese."""

    def __init__(self, message: str, *, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail


class Cancelled(Exception):  # noqa: N818 - a cancellation is not an error; the name says what happened
    """The user cancelled an operation; nothing is shown and nothing is logged above DEBUG."""


class ErrorKind(StrEnum):
    ENVIRONMENT = "environment"
    BUG = "bug"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class ErrorReport:
    kind: ErrorKind
    message: str  # for the user; empty for a bug (the window supplies its own translated text)
    detail: str  # redacted traceback; empty when details must not be shown (kiosk)
    first_time: bool  # False: the same bug was reported before in this session


def classify(exc: BaseException) -> ErrorKind:
    if isinstance(exc, Cancelled):
        return ErrorKind.CANCELLED
    if isinstance(exc, UserFacingError | OSError):
        return ErrorKind.ENVIRONMENT
    return ErrorKind.BUG


def _signature(exc_type: type[BaseException], tb: TracebackType | None) -> tuple[str, ...]:
    frames = traceback.extract_tb(tb)
    return (exc_type.__qualname__, *(f"{frame.filename}:{frame.lineno}" for frame in frames))


def _loggable(exc: BaseException) -> str:
    """What the log may say about an environment error: an OSError's reason without its paths (a scan is often
    named after the applicant); other messages scrubbed of identifiers."""
    if isinstance(exc, OSError) and exc.strerror:
        return f"[Errno {exc.errno}] {exc.strerror}" if exc.errno is not None else exc.strerror
    if isinstance(exc, UserFacingError):
        return exc.detail or "user-facing error"
    return redact(str(exc))


class ErrorRouter(QObject):
    """Turns uncaught exceptions into `ErrorReport`s on the GUI thread.

    Signals:
        error_reported(ErrorReport): an exception that the user should hear about was caught.
    """

    error_reported = Signal(object)

    def __init__(self, *, show_details: bool, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._show_details = show_details
        self._seen: set[tuple[str, ...]] = set()
        self._lock = threading.Lock()
        self._previous_hook = sys.excepthook
        self._previous_thread_hook = threading.excepthook
        self._installed = False

    def install(self) -> None:
        self._previous_hook = sys.excepthook
        self._previous_thread_hook = threading.excepthook
        sys.excepthook = self.handle
        threading.excepthook = self._handle_thread
        self._installed = True

    def uninstall(self) -> None:
        if self._installed:
            sys.excepthook = self._previous_hook
            threading.excepthook = self._previous_thread_hook
            self._installed = False

    def handle(self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        """`sys.excepthook` signature: log, classify and report; never raises."""
        if issubclass(exc_type, KeyboardInterrupt):
            self._previous_hook(exc_type, exc, tb)
            return
        try:
            self._report(exc_type, exc, tb)
        except Exception:  # the hook must never fail; fall back to Python's default printout
            sys.__excepthook__(exc_type, exc, tb)

    def _handle_thread(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None:
            return
        self.handle(args.exc_type, args.exc_value, args.exc_traceback)

    def _report(self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        kind = classify(exc)
        if kind is ErrorKind.CANCELLED:
            log.debug("operation cancelled: %s", exc_type.__qualname__)
            return
        detail = redact("".join(traceback.format_exception(exc_type, exc, tb)))
        if kind is ErrorKind.ENVIRONMENT:
            message = exc.message if isinstance(exc, UserFacingError) else ""
            log.warning("environment error: %s: %s", exc_type.__qualname__, _loggable(exc))
            first = True
        else:
            message = ""
            signature = _signature(exc_type, tb)
            with self._lock:
                first = signature not in self._seen
                self._seen.add(signature)
            if first:
                log.error("unexpected error (bug):\n%s", detail)
            else:
                log.error("unexpected error (bug) again: %s at the same place", exc_type.__qualname__)
        self.error_reported.emit(
            ErrorReport(
                kind=kind,
                message=message,
                detail=detail if self._show_details else "",
                first_time=first,
            )
        )
