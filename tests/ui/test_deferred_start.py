"""Start-up (issue 13): the counter window shows sign-in from the store, status and staff alone; the rest (every
other service, the session views, the sync panel) is built after the first paint, or at once when the clerk
signs in before that."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from app.services.terminal import Terminal
from tests.integration.intake_support import STAFF_NO, STAFF_PIN
from tests.ui.test_intake_flow import terminal_at
from ui.counter_window import CounterWindow


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    yield from terminal_at(tmp_path)


def _window(qtbot: QtBot, terminal: Terminal) -> CounterWindow:
    window = CounterWindow(config=terminal.config, status=terminal.status, terminal=terminal, defer_services=True)
    qtbot.add_widget(window)
    window.show()
    qtbot.wait_exposed(window)
    return window


def test_sign_in_is_shown_before_the_rest_is_built(qtbot: QtBot, terminal: Terminal) -> None:
    window = _window(qtbot, terminal)
    assert window.flow is not None
    assert window.work_area.currentWidget() is window.flow.sign_in
    assert not terminal.services_built
    assert window.sync_ui is None and window.flow._session is None
    window.finish_start()
    assert terminal.services_built
    assert window.sync_ui is not None and window.flow._session is not None
    window.finish_start()  # once only
    assert window.work_area.currentWidget() is window.flow.sign_in


def test_signing_in_before_the_rest_is_built_shows_the_session(qtbot: QtBot, terminal: Terminal) -> None:
    window = _window(qtbot, terminal)
    assert window.flow is not None
    page = window.flow.sign_in
    QTest.keyClicks(page.staff_no, STAFF_NO)
    QTest.keyClicks(page.pin, STAFF_PIN)
    QTest.keyClick(page.pin, Qt.Key.Key_Return)
    flow = window.flow
    qtbot.wait_until(lambda: window.work_area.currentWidget() is flow.session)
    assert flow.session.picker.isVisible()  # the item search, ready for the first case
