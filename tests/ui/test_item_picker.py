"""The item picker fills itself once the background search index is ready, without the clerk typing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.services.terminal import Terminal
from tests.ui.test_intake_flow import terminal_at
from ui.pages.item_picker import ItemPicker


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    yield from terminal_at(tmp_path)


def test_list_fills_when_the_index_is_ready(gui_app: QApplication, qtbot: QtBot, terminal: Terminal) -> None:
    picker = ItemPicker(terminal.catalogue, terminal.intake)
    qtbot.add_widget(picker)
    if not terminal.catalogue.search_ready_now:
        assert picker.results.count() == 0  # nothing built on the GUI thread while the window was made
        terminal.catalogue.start_search_index()
    qtbot.wait_until(lambda: picker.results.count() > 0, timeout=10_000)
    assert picker.results.count() >= 20


def test_typing_before_the_index_is_ready_still_finds_items(
    gui_app: QApplication, qtbot: QtBot, terminal: Terminal
) -> None:
    picker = ItemPicker(terminal.catalogue, terminal.intake)
    qtbot.add_widget(picker)
    qtbot.keyClicks(picker.search, "bdc")  # QTest passthrough: no snake_case name
    texts = [picker.results.item(i).text() for i in range(picker.results.count())]
    assert texts and all("不动产" in text for text in texts[:3])
