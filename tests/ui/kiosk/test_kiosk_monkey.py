"""A bounded monkey: 5,000 random taps and keys (a seeded sequence, always all of it: no time budget, so a busy
machine runs the same events, only slower) never crash the kiosk, never leave its window and never show a
traceback or the error page."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.config import Mode
from app.services.terminal import Terminal
from tests.ui.kiosk.support import Kiosk, kiosk_at, open_kiosk_terminal, save_case
from ui.app import install_error_handling

EVENTS = 5000
KEYS = [
    *"0123456789Xxabcdefghijklmnopqrstuvwxyz",
    Qt.Key.Key_Tab,
    Qt.Key.Key_Return,
    Qt.Key.Key_Escape,
    Qt.Key.Key_Backspace,
    Qt.Key.Key_Space,
    Qt.Key.Key_Backtab,
]


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    term = open_kiosk_terminal(tmp_path)
    yield term
    QApplication.processEvents()
    term.close()


@pytest.mark.parametrize("size", [(1080, 1920), (1920, 1080)], ids=["portrait", "landscape"])
def test_monkey(gui_app: QApplication, qtbot: QtBot, terminal: Terminal, size: tuple[int, int]) -> None:
    save_case(terminal)
    rng = random.Random(12)
    for kiosk in kiosk_at(qtbot, terminal, size=size):
        w = kiosk.window
        router, _presenter = install_error_handling(w, mode=Mode.KIOSK, window=w)
        reports: list[object] = []
        router.error_reported.connect(reports.append)
        pages_seen: set[str] = set()
        try:
            for n in range(EVENTS):
                _one_event(kiosk, rng)
                if n % 250 == 0:
                    kiosk.mono.advance(rng.choice([1, 5, 30, 200]))
                    w.idle.tick()
                pages_seen.add(w.current_page().objectName())
                assert w.isVisible()
                assert w.current_page() is not w.error_page
            QApplication.processEvents()
        finally:
            router.uninstall()
        assert reports == []
        assert w.isVisible() and QApplication.activeWindow() in (w, None)
        assert {"kiosk_home", "kiosk_progress", "kiosk_guide"} <= pages_seen, pages_seen


def _one_event(kiosk: Kiosk, rng: random.Random) -> None:
    w = kiosk.window
    if rng.random() < 0.8:
        point = QPoint(rng.randrange(w.width()), rng.randrange(w.height()))
        target = w.childAt(point) or w
        QTest.mouseClick(target, Qt.MouseButton.LeftButton, pos=target.mapFrom(w, point))
        return
    key = rng.choice(KEYS)
    target = QApplication.focusWidget() or w
    if isinstance(key, str):
        QTest.keyClick(target, key)
    elif rng.random() < 0.05:
        QTest.keyClick(target, Qt.Key.Key_F4, Qt.KeyboardModifier.AltModifier)
    else:
        QTest.keyClick(target, key)
