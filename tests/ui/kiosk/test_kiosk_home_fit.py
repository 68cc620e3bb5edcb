"""The home page fits the screens kiosks have: 1366×768 and 768×1366 (old and small panels) as well as 1920×1080 and
1080×1920, in standard and 长辈模式, with every tile whole and at least 60×60 px. Every other page and step:
test_kiosk_fit.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.services.terminal import Terminal
from tests.ui.kiosk.support import Kiosk, kiosk_at, open_kiosk_terminal
from ui.kiosk.home import TILES

SIZES = [(1366, 768), (768, 1366), (1920, 1080), (1080, 1920)]


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    term = open_kiosk_terminal(tmp_path)
    yield term
    QApplication.processEvents()
    term.close()


def _assert_home_fits(kiosk: Kiosk, size: tuple[int, int], label: str) -> None:
    w = kiosk.window
    home = w.home
    assert w.current_page() is home
    assert (w.width(), w.height()) == size, (label, w.size())
    hint = w.minimumSizeHint()
    assert hint.width() <= size[0] and hint.height() <= size[1], (label, hint)
    screen = QRect(0, 0, *size)
    hint_text = home.hint
    for widget in [home.welcome, home.elder_switch, hint_text]:
        area = QRect(widget.mapTo(w, widget.rect().topLeft()), widget.size())
        assert screen.contains(area), (label, widget.objectName(), area)
    for key, _text, _description in TILES:
        tile = home.tiles[key]
        assert tile.isVisible(), (label, key)
        area = QRect(tile.mapTo(w, tile.rect().topLeft()), tile.size())
        assert screen.contains(area), (label, key, area)  # no tile runs off the screen
        assert tile.width() >= 60 and tile.height() >= 60, (label, key, tile.size())
        metrics = QFontMetrics(tile.font())
        lines = tile.text().split("\n")
        widest = max(metrics.horizontalAdvance(line) for line in lines)
        assert widest < tile.width() - 24, (label, key, widest, tile.width())  # the text is whole on the tile
        assert metrics.lineSpacing() * len(lines) < tile.height() - 8, (label, key, tile.height())


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_home_page_fits_the_screen_in_both_modes(
    gui_app: QApplication, qtbot: QtBot, terminal: Terminal, size: tuple[int, int]
) -> None:
    for kiosk in kiosk_at(qtbot, terminal, size=size):
        w = kiosk.window
        qtbot.wait_until(lambda w=w: w.home.reason("reprint") != "")  # tiles say why they are off (no printer here)
        name = f"{size[0]}x{size[1]}"
        _assert_home_fits(kiosk, size, f"{name} standard")
        kiosk.shot(f"home_{name}_standard")
        kiosk.tap(w.home.elder_switch)
        assert w.elder
        QApplication.processEvents()
        _assert_home_fits(kiosk, size, f"{name} elder")
        kiosk.shot(f"home_{name}_elder")
        # A page that needs more than the screen (the guide's list on 1366×768) must not leave home stretched.
        kiosk.tap(w.home.tiles["guide"])
        kiosk.tap(w.home_button)
        QApplication.processEvents()
        _assert_home_fits(kiosk, size, f"{name} after the guide")
