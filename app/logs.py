"""Logging: rotating files in the user log dir, one logger per subsystem, no personal data ever.

Code must not log names, ID numbers, phones or addresses in the first place (record ids and case numbers are
enough). As a second line of defence a filter on every handler replaces anything shaped like a resident ID, an
enterprise credit code, a mobile or a landline number (ASCII or full-width digits) before it reaches a file.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

LOG_FILE_NAME = "tongban.log"
_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"

# Shapes of personal identifiers; bounded by non-alphanumerics so 26-digit case numbers are left alone. Compiled
# when the first record is redacted: a command that logs nothing does not pay for them (issue 13).
_PERSONAL_SOURCES = (
    r"(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])",  # resident ID
    r"(?<![0-9A-Za-z])\d{15}(?![0-9A-Za-z])",  # legacy 15-digit ID
    r"(?<![0-9A-Za-z])[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}(?![0-9A-Za-z])",  # USCC
    r"(?<!\d)(?:\+?86[- ]?)?[1１][3-9３-９]\d[- ]?\d{4}[- ]?\d{4}(?!\d)",  # mobile (also full-width)
    r"(?<![0-9A-Za-z])[0０]\d{2,3}[- ]?\d{7,8}(?![0-9A-Za-z])",  # landline with area code
)
_personal_patterns: tuple[re.Pattern[str], ...] = ()
REDACTED = "<redacted>"


def redact(text: str) -> str:
    global _personal_patterns  # noqa: PLW0603 -- compiled once; a whole tuple is assigned, so threads see all or none
    if not _personal_patterns:
        _personal_patterns = tuple(re.compile(source) for source in _PERSONAL_SOURCES)
    for pattern in _personal_patterns:
        text = pattern.sub(REDACTED, text)
    return text


class RedactingFilter(logging.Filter):
    """Renders the message once, scrubs personal identifiers, and drops the args."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not lose the log line
            message = f"{record.msg!r} (unformattable args)"
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


class RotatingLogFile(logging.FileHandler):
    """The log file, rotated at `max_bytes` into `<name>.1` … `<name>.<backups>` (as logging.handlers'
    RotatingFileHandler does), opened when the first record arrives.

    Written here on `logging.FileHandler` because `logging.handlers` imports socket, pickle and queue (~10-15 ms)
    for handlers the terminal does not use, in every process, `tongban --version`-sized commands included
    (issue 13)."""

    def __init__(self, path: Path, *, max_bytes: int = 2 * 1024 * 1024, backups: int = 5) -> None:
        super().__init__(path, mode="a", encoding="utf-8", delay=True)
        self.max_bytes = max_bytes
        self.backups = backups

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if self._full_after(record):
                self._rotate()
        except Exception:  # a full disk or a locked file must not lose the program: logging's own rule
            self.handleError(record)
            return
        super().emit(record)

    def _full_after(self, record: logging.LogRecord) -> bool:
        if self.stream is None:
            self.stream = self._open()
        if not os.path.isfile(self.baseFilename):  # a device or pipe given as the log: never rotated
            return False
        self.stream.seek(0, 2)
        return bool(self.stream.tell() + len(f"{self.format(record)}\n") >= self.max_bytes)

    def _rotate(self) -> None:
        if self.stream is not None:
            self.stream.close()
            self.stream = None  # reopened by FileHandler.emit
        base = self.baseFilename
        for n in range(self.backups - 1, 0, -1):
            if os.path.exists(f"{base}.{n}"):
                os.replace(f"{base}.{n}", f"{base}.{n + 1}")
        if os.path.exists(base):
            os.replace(base, f"{base}.1")


def setup_logging(log_dir: Path, *, level: str = "INFO", console: bool = False) -> Path:
    """Attach a rotating file handler (5 × 2 MB) to the `tongban` logger; returns the log file path."""
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / LOG_FILE_NAME
    logger = logging.getLogger("tongban")
    logger.setLevel(level)
    # WORKAROUND for python-escpos 3.1 calling logging.basicConfig() at import: its root stderr handler would
    # print our records on the console (and break the CLI's one-line errors). Our records go to our handlers only.
    logger.propagate = False
    for handler in list(logger.handlers):
        if getattr(handler, "_tongban", False):
            logger.removeHandler(handler)
            handler.close()
    handlers: list[logging.Handler] = [RotatingLogFile(path)]
    if console:
        handlers.append(logging.StreamHandler())
    for handler in handlers:
        handler.setFormatter(logging.Formatter(_FORMAT))
        handler.addFilter(RedactingFilter())
        handler._tongban = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    return path


def get_logger(subsystem: str) -> logging.Logger:
    """`tongban.<subsystem>`: one logger per subsystem (store, sync, ui, printing, devices, cli, ...)."""
    return logging.getLogger(f"tongban.{subsystem}")
