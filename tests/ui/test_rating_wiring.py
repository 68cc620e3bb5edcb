"""The 好差评 windows joined to the terminal's services, as `run_gui` joins them (counter and rating modes)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication, QDockWidget
from pytestqt.qtbot import QtBot

from app.config import Mode
from app.paths import resolve_paths
from app.services.terminal import Terminal, open_terminal
from offline_cache.samples import sample_case
from tests.integration.rating_support import terminal_config
from ui.counter_window import CounterWindow
from ui.rating.window import RatingWindow
from ui.rating.wiring import open_rating_windows, rating_main_window


@pytest.fixture
def terminal(qapp: QApplication) -> Iterator[Terminal]:
    t = open_terminal(config=terminal_config(), paths=resolve_paths())
    yield t
    t.close()


def test_counter_mode_docks_the_panel_and_a_submitted_case_asks_the_citizen(
    qtbot: QtBot, gui_app: QApplication, terminal: Terminal
) -> None:
    window = CounterWindow(config=terminal.config, status=terminal.status)
    qtbot.add_widget(window)
    window.show()
    [citizen] = open_rating_windows(window, mode=Mode.COUNTER, config=terminal.config, terminal=terminal)
    qtbot.add_widget(citizen)
    assert isinstance(citizen, RatingWindow) and citizen.isVisible()
    assert window.findChild(QDockWidget, "ratings_dock") is not None
    saved = terminal.store.save_case(sample_case(), actor="S0042").case
    with qtbot.wait_signal(terminal.ratings.rating_requested):
        terminal.intake.case_submitted.emit(saved)
    assert citizen.pages.currentWidget() is citizen.level_page
    assert citizen.prompt is not None and citizen.prompt.case_no == saved.case_no
    assert citizen.prompt.staff_no == saved.routing.staff_no
    terminal.intake.case_submitted.emit(saved)  # a second signal for the same case asks nothing new
    assert [p.case_no for p in terminal.store.ratings.pending_requests()] == [saved.case_no]


def test_the_ratings_panel_refuses_without_a_signed_in_clerk(
    qtbot: QtBot, gui_app: QApplication, terminal: Terminal
) -> None:
    window = CounterWindow(config=terminal.config, status=terminal.status)
    qtbot.add_widget(window)
    for extra in open_rating_windows(window, mode=Mode.COUNTER, config=terminal.config, terminal=terminal):
        qtbot.add_widget(extra)
    panel = window.findChild(QDockWidget, "ratings_dock").widget()
    panel.request_for_visit()
    assert panel.state_label.text() == "未登录工作人员，无法发起评价。"
    assert terminal.store.ratings.pending_requests() == []


def test_rating_mode_fills_the_screen(qtbot: QtBot, gui_app: QApplication, terminal: Terminal) -> None:
    window = rating_main_window(config=terminal.config, terminal=terminal)
    qtbot.add_widget(window)
    window.show()
    assert open_rating_windows(window, mode=Mode.RATING, config=terminal.config, terminal=terminal) == []
    qtbot.wait_until(window.isFullScreen)
    assert window.idle_page.hall_label.text() == "鲅鱼圈区政务服务中心"
