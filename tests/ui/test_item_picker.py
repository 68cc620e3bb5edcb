"""The item picker fills itself once the background search index is ready, without the clerk typing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
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


def test_the_index_becoming_ready_leaves_the_clerks_choice_where_it_is(
    gui_app: QApplication, qtbot: QtBot, terminal: Terminal
) -> None:
    """The clerk typed before the background build finished (that search built the index) and arrowed down to an
    item; the worker's `search_ready` then came in. It used to list the results again with the first row current,
    so Enter took another item than the one on screen (test_a_clerk_takes_in_a_case_end_to_end failed now and then
    with the wrong item in the form)."""
    picker = ItemPicker(terminal.catalogue, terminal.intake)
    qtbot.add_widget(picker)
    chosen: list[str] = []
    picker.item_chosen.connect(chosen.append)
    assert not terminal.catalogue.search_ready_now
    qtbot.keyClicks(picker.search, "bdc")
    qtbot.keyClick(picker.search, Qt.Key.Key_Down)
    qtbot.keyClick(picker.search, Qt.Key.Key_Down)
    wanted = picker.current_item()
    assert wanted is not None and picker.results.currentRow() == 2

    with qtbot.wait_signal(terminal.catalogue.search_ready, timeout=10_000):
        terminal.catalogue.start_search_index()  # the worker finds the index built and announces it

    assert picker.results.currentRow() == 2 and picker.current_item() == wanted
    assert wanted.name in picker.guide.view.toPlainText()
    qtbot.keyClick(picker.search, Qt.Key.Key_Return)
    assert chosen == [wanted.code]
