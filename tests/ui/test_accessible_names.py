"""Every input control of every page has an accessible name (issue 3 "keyboard first"; screen readers for the
elderly at the rating screen) — the pages not on screen too: today's cases, the 好差评 panel and the daily report,
and each page of the citizen's rating window."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QToolButton,
    QWidget,
)
from pytestqt.qtbot import QtBot

from app.config import Mode
from app.domain.models import RatingLevel
from app.services.terminal import Terminal
from tests.integration.intake_support import STAFF_NO
from tests.ui.test_intake_flow import ITEM, open_window, sign_in, terminal_at
from ui.rating.window import RatingWindow
from ui.rating.wiring import open_rating_windows

_CONTROLS = (QLineEdit, QComboBox, QAbstractSpinBox, QAbstractButton, QAbstractItemView)


def _inside_a_qt_control(widget: QWidget) -> bool:
    """Inner parts of a combo box, spin box or date edit (their popup list, line edit, calendar) are Qt's."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QComboBox | QAbstractSpinBox | QLineEdit):
            return True
        parent = parent.parentWidget()
    return False


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    yield from terminal_at(tmp_path)


def _unnamed(root: QWidget) -> list[str]:
    return sorted(
        w.objectName() or f"{type(w).__name__} in {type(w.parent()).__name__}"
        for w in root.findChildren(QWidget)
        if isinstance(w, _CONTROLS)
        and not w.accessibleName()
        and not (isinstance(w, QAbstractButton) and w.text())
        and w.parent() is not None
        and not _inside_a_qt_control(w)
        and not isinstance(w, QHeaderView)
        and not w.objectName().startswith("qt_")
    )


def test_every_control_on_every_page_has_an_accessible_name(
    gui_app: QApplication, qtbot: QtBot, terminal: Terminal
) -> None:
    window, flow = open_window(qtbot, terminal)
    sign_in(qtbot, flow)
    flow.choose_item(ITEM)
    extras = open_rating_windows(window, mode=Mode.COUNTER, config=terminal.config, terminal=terminal)
    for extra in extras:
        qtbot.add_widget(extra)
    assert _unnamed(window) == []
    [citizen] = extras
    assert isinstance(citizen, RatingWindow)
    prompt = terminal.ratings.request_rating(case_no=None, item_code=None, staff_no=STAFF_NO)
    citizen.reasons_page.start(RatingLevel.DISSATISFIED, prompt)  # as after a tap on 不满意
    assert _unnamed(citizen) == []


def test_search_clear_buttons_and_drop_downs_are_named(gui_app: QApplication, qtbot: QtBot, terminal: Terminal) -> None:
    """Offscreen counterpart of the AT-SPI walk (tests/ui/test_atspi_counter.py): the × of both search fields says
    清除搜索, and each material's drop-down has the material's name tied to it as its label."""
    _window, flow = open_window(qtbot, terminal)
    sign_in(qtbot, flow)
    flow.choose_item(ITEM)
    names = {"M02": "申请人居民身份证"}
    for edit in (flow.session.picker.search, flow.session.today_page.search):
        buttons = edit.findChildren(QToolButton)
        assert buttons and all(b.accessibleName() == "清除搜索" for b in buttons)
    rows = flow.session.form.materials.rows
    assert len(rows) >= 2
    for code, row in rows.items():
        labels = [lab.accessibleName() for lab in row.findChildren(QLabel) if lab.buddy() is row.status]
        assert len(labels) == 1 and labels[0].endswith(" 的状态："), (code, labels)
        if code in names:
            assert labels == [f"{names[code]} 的状态："]
