"""The 实名回访 consent check box can be seen: Qt's own box is a pale grey outline on white, which an elderly
citizen misses; both citizen screens (the kiosk in its two modes, the counter's rating window) draw a dark border
and a black tick."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QCheckBox, QStyle, QStyleOptionButton, QWidget
from pytestqt.qtbot import QtBot

from ui.kiosk.theme import stylesheet
from ui.rating.window import style_sheet

SHEETS = {"kiosk": stylesheet(False), "kiosk_elder": stylesheet(True), "counter_rating": style_sheet()}


def _dark(color: QColor) -> bool:
    return color.lightness() < 100


@pytest.mark.parametrize("sheet", SHEETS, ids=list(SHEETS))
def test_the_box_has_a_dark_border_and_a_dark_tick_when_checked(qtbot: QtBot, sheet: str) -> None:
    holder = QWidget()
    qtbot.add_widget(holder)
    holder.setStyleSheet("QWidget { background: #ffffff; }" + SHEETS[sheet])
    box = QCheckBox("同意工作人员就此评价回访", holder)
    box.setObjectName("callback_consent")
    box.adjustSize()
    holder.resize(box.sizeHint().width() + 20, box.sizeHint().height() + 20)
    box.move(10, 10)
    holder.show()
    qtbot.wait_exposed(holder)
    option = QStyleOptionButton()
    box.initStyleOption(option)
    indicator = box.style().subElementRect(QStyle.SubElement.SE_CheckBoxIndicator, option, box)
    assert indicator.width() >= 54 and indicator.height() >= 54, indicator  # with the border: 60 px and more
    middle = indicator.center()
    unchecked = box.grab().toImage()
    # The box's left edge, half way down: its border; its centre: empty.
    edge = [unchecked.pixelColor(x, middle.y()) for x in range(indicator.left(), indicator.left() + 6)]
    assert any(_dark(c) for c in edge), [c.name() for c in edge]
    assert not _dark(unchecked.pixelColor(middle))
    box.setChecked(True)
    checked = box.grab().toImage()
    centre = [checked.pixelColor(middle.x() + dx, middle.y() + dy) for dx in range(-8, 9, 4) for dy in range(-8, 9, 4)]
    assert any(_dark(c) for c in centre), [c.name() for c in centre]
