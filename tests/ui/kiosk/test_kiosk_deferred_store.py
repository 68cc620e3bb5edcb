"""The kiosk paints its home page before its store opens (issue 12's start target): the store and services open
when the window first needs them, once; a tap that comes first opens them first; a store that cannot open leaves
the kiosk on its home page (the start has said so and is ending) instead of raising in every handler."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from app.services.terminal import Terminal
from tests.ui.kiosk.support import open_kiosk_terminal
from ui.kiosk.window import KioskWindow


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    term = open_kiosk_terminal(tmp_path)
    yield term
    term.close()


class Opener:
    """Hands out `terminal` (None: the store did not open) and counts the calls."""

    def __init__(self, terminal: Terminal | None) -> None:
        self.terminal, self.calls = terminal, 0

    def __call__(self) -> Terminal | None:
        self.calls += 1
        return self.terminal


def _kiosk(qtbot: QtBot, terminal: Terminal, opener: Opener) -> KioskWindow:
    window = KioskWindow(config=terminal.config, open_terminal=opener, voice_engine="mock", defer_services=True)
    qtbot.add_widget(window)
    window.fit(1080, 1920)
    window.show()
    qtbot.wait_exposed(window)
    return window


def _tap(widget: object) -> None:
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton)  # type: ignore[call-overload]


def test_a_tap_before_the_deferred_start_opens_the_store_once_and_goes_on(qtbot: QtBot, terminal: Terminal) -> None:
    opener = Opener(terminal)
    window = _kiosk(qtbot, terminal, opener)
    assert opener.calls == 0 and window.current_page() is window.home  # painted without the store

    _tap(window.home.tiles["progress"])

    assert opener.calls == 1
    assert window.current_page() is window.progress
    assert window.finish_start() and opener.calls == 1  # once only


def test_a_store_that_did_not_open_leaves_the_kiosk_on_its_home_page(qtbot: QtBot, terminal: Terminal) -> None:
    opener = Opener(None)
    window = _kiosk(qtbot, terminal, opener)

    _tap(window.home.tiles["progress"])
    window.open_admin()

    assert opener.calls == 1  # asked once; the start said why and is ending
    assert window.current_page() is window.home
    assert not window.finish_start() and opener.calls == 1
