"""The citizen rating screen's keyboard (issue 12): Chinese by pinyin, beside the reasons, no jump in size, and a
consent box a finger can hit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QStyle, QStyleOptionButton, QWidget
from pytestqt.qtbot import QtBot

from app.domain.models import RatingLevel
from offline_cache import Store
from tests.integration.rating_support import Clock, make_service, open_test_store, save_case, terminal_config
from ui.rating.window import RatingWindow

SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots" / "rating"


def tap(widget: QWidget) -> None:
    assert widget.isVisible() and widget.isEnabled(), widget.objectName()
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton, pos=widget.rect().center())


@pytest.fixture
def window(qtbot: QtBot, gui_app: QApplication, tmp_path: Path) -> Iterator[tuple[RatingWindow, Store]]:
    clock = Clock()
    with open_test_store(tmp_path, clock) as store:
        service = make_service(store, clock)
        rating = RatingWindow(service=service, config=terminal_config())
        qtbot.add_widget(rating)
        rating.resize(1280, 800)
        rating.show()
        qtbot.wait_exposed(rating)
        case = save_case(store, clock)
        service.request_rating(case_no=case.case_no, item_code=None, staff_no="S0042")
        tap(rating.level_page.buttons[RatingLevel.DISSATISFIED])
        yield rating, store
        rating.close()


def test_the_keyboard_opens_beside_the_reasons_and_nothing_moves(window: tuple[RatingWindow, Store]) -> None:
    rating, _store = window
    page = rating.reasons_page
    QApplication.processEvents()
    before = rating.size()
    reason = page.reason_buttons["等候时间长"]
    where = reason.mapTo(rating, reason.rect().topLeft())
    tap(page.keyboard_button)
    QApplication.processEvents()
    assert page.keyboard.isVisible()
    assert all(button.isVisible() for button in page.reason_buttons.values())  # reasons stay tappable
    tap(page.keyboard_button)
    QApplication.processEvents()
    assert rating.size() == before and (before.width(), before.height()) == (1280, 800)
    assert reason.mapTo(rating, reason.rect().topLeft()) == where  # the next tap lands where it did
    assert all(key.width() >= 60 and key.height() >= 60 for key in page.keyboard.keys.values())


def test_chinese_by_pinyin_on_the_rating_screen(window: tuple[RatingWindow, Store]) -> None:
    rating, _store = window
    page = rating.reasons_page
    tap(page.keyboard_button)
    keyboard = page.keyboard
    assert keyboard.chinese
    for char in "taidu":
        tap(keyboard.keys[char])
    assert keyboard.composition == "taidu"
    assert keyboard.candidates_shown()[0] == "态度"
    tap(keyboard.candidate_buttons[0])
    for char in "hao":
        tap(keyboard.keys[char])
    assert "好" in keyboard.candidates_shown()
    tap(keyboard.candidate_buttons[keyboard.candidates_shown().index("好")])
    assert page.text_edit.text() == "态度好"
    SHOTS.mkdir(parents=True, exist_ok=True)
    rating.grab().save(str(SHOTS / "reasons_keyboard_1280x800.png"))


def test_the_consent_box_is_at_least_60_px(window: tuple[RatingWindow, Store]) -> None:
    rating, _store = window
    consent = rating.reasons_page.consent
    assert consent.isVisible()
    option = QStyleOptionButton()
    option.initFrom(consent)
    box = consent.style().subElementRect(QStyle.SubElement.SE_CheckBoxIndicator, option, consent)
    assert box.width() >= 60 and box.height() >= 60
