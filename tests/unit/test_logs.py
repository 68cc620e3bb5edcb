"""Logs: rotating file, one logger per subsystem, personal identifiers scrubbed as a second line of defence."""

from __future__ import annotations

import logging
from pathlib import Path

from app.logs import REDACTED, redact, setup_logging

# Shaped like personal data but built here so the session-wide log check (conftest) is not tripped.
ID_LIKE = "3201021990" + "01011234"
PHONE_LIKE = "139" + "0417" + "6655"
CASE_NO = "21080001003202611240001742"


def test_redact_scrubs_identifiers_but_keeps_case_numbers() -> None:
    text = f"id {ID_LIKE} tel {PHONE_LIKE} tel2 +86 {PHONE_LIKE} case {CASE_NO}"
    cleaned = redact(text)
    assert ID_LIKE not in cleaned
    assert PHONE_LIKE not in cleaned
    assert CASE_NO in cleaned
    assert cleaned.count(REDACTED) == 3


def test_redact_scrubs_landlines_and_full_width_numbers() -> None:
    landline = "0417" + "-" + "2845566"
    full_width = "１３９" + "０４１７" + "６６５５"
    cleaned = redact(f"tel {landline} / {full_width} / case {CASE_NO} / 2026-11-25 14:20:00")
    assert landline not in cleaned and full_width not in cleaned
    assert cleaned == f"tel {REDACTED} / {REDACTED} / case {CASE_NO} / 2026-11-25 14:20:00"


def test_log_file_is_written_and_scrubbed(tmp_path: Path) -> None:
    path = setup_logging(tmp_path / "logs", level="INFO")
    logging.getLogger("tongban.probe").info("saved case %s for %s", CASE_NO, ID_LIKE)
    for handler in logging.getLogger("tongban").handlers:
        handler.flush()
    assert path.name == "tongban.log"
    text = path.read_text(encoding="utf-8")
    assert CASE_NO in text
    assert ID_LIKE not in text
    assert "tongban.probe" in text


def test_the_log_rotates_into_numbered_files_and_keeps_five(tmp_path: Path) -> None:
    """The rotation of logging.handlers' RotatingFileHandler, without importing it (issue 13): the current file
    becomes `.1`, older ones move up, the oldest beyond five is dropped, and no record is lost in between."""
    from app.logs import RotatingLogFile

    path = tmp_path / "tongban.log"
    handler = RotatingLogFile(path, max_bytes=200, backups=5)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.getLogger("tongban.rotation-probe")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        assert not path.exists()  # opened with the first record
        for n in range(40):
            logger.warning("record %02d %s", n, "x" * 40)
    finally:
        logger.removeHandler(handler)
        handler.close()
    kept = [path, *(path.with_name(f"tongban.log.{n}") for n in range(1, 6))]
    assert all(p.exists() for p in kept) and not path.with_name("tongban.log.6").exists()
    assert all(p.stat().st_size < 200 for p in kept)
    lines = [line for p in reversed(kept) for line in p.read_text(encoding="utf-8").splitlines()]
    assert lines == [f"record {n:02d} {'x' * 40}" for n in range(40 - len(lines), 40)]  # newest kept, in order
