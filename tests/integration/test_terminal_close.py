"""Closing the terminal: nothing scheduled keeps running against the closed store."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.paths import AppPaths, resolve_paths
from app.services.terminal import open_terminal
from offline_cache.samples import sample_case
from tests.integration.intake_support import FakeClock, hall_config
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


def test_a_terminal_left_running_purges_personal_data_past_retention(qtbot: QtBot, tmp_path: Path) -> None:
    """Counter PCs run for weeks without a restart: retention cannot wait for the next start."""
    paths = AppPaths(data_dir=tmp_path / "t", config_file=tmp_path / "c.toml", log_dir=tmp_path / "logs")
    config = hall_config()
    clock = FakeClock()
    terminal = open_terminal(config=config, paths=paths, clock=clock)
    try:
        saved = terminal.store.save_case(sample_case(), actor="S0042").case
        terminal.store.outbox.mark_sent(saved.record_id, "SRV-1", accepted_at=clock())
        clock.advance(days=config.retention_days + 1)
        timer = terminal.retention.timer
        assert timer.isActive() and timer.interval() <= 24 * 3600 * 1000  # at least daily
        with qtbot.wait_signal(terminal.retention.purged, timeout=30_000):
            timer.timeout.emit()  # the day's run comes round
        stored = terminal.store.cases.get(saved.record_id)
        assert stored is not None and stored.purged and stored.case.applicant.name == ""
    finally:
        terminal.close()
