"""Closing the terminal: nothing scheduled keeps running against the closed store."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from app.paths import resolve_paths
from app.services.terminal import open_terminal
from offline_cache.samples import sample_case
from tests.integration.rating_support import terminal_config


def test_close_stops_every_service_timer_and_an_open_rating_request_resumes_next_start(qapp: QApplication) -> None:
    terminal = open_terminal(config=terminal_config(), paths=resolve_paths())
    saved = terminal.store.save_case(sample_case(), actor="S0042").case
    terminal.intake.case_submitted.emit(saved)  # the status bar's refresh is scheduled
    terminal.ratings.request_rating(case_no=saved.case_no, item_code=None, staff_no="S0042")
    services = (terminal.status, terminal.ratings, terminal.staff, terminal.intake, terminal.catalogue)
    terminal.close()
    # A timer firing after this would read or write the closed store (a bug report on the clerk's screen).
    running = [t.objectName() for s in services for t in s.findChildren(QTimer) if t.isActive()]
    assert running == []
    again = open_terminal(config=terminal_config(), paths=resolve_paths())
    try:
        resumed = again.ratings.resume_pending()
        assert resumed is not None and resumed.case_no == saved.case_no  # not recorded as 未评价 by a late timer
    finally:
        again.close()
