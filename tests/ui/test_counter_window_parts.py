"""The counter window as it opens and reads (issue 11 item 10): maximised on the primary monitor, the citizen window
where it does not cover the clerk, a focus ring that can be seen, a readable error summary, 立即同步 not clipped."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QFontInfo, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from app.config import CitizenScreen, Config
from app.services.sync import SyncState, SyncStatus
from app.services.terminal import Terminal
from tests.ui.helpers import Counters, make_window
from tests.ui.test_intake_flow import ITEM, open_window, shot, sign_in, terminal_at
from ui.counter_window import place_clerk_window
from ui.rating.window import RatingWindow
from ui.rating.wiring import arrange_citizen_window
from ui.sync_status_panel import SyncStatusPanel

ROOT = Path(__file__).resolve().parents[2]
FOCUS = QColor("#0b3d91")


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    yield from terminal_at(tmp_path)


def _ring_pixels(widget: QWidget) -> int:
    """Pixels of the focus colour in the widget's picture."""
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    target = FOCUS.rgb() & 0xFFFFFF
    return sum(1 for y in range(image.height()) for x in range(image.width()) if image.pixel(x, y) & 0xFFFFFF == target)


def test_focus_ring_on_the_agent_check_box_is_two_pixels_wide(
    gui_app: QApplication, qtbot: QtBot, terminal: Terminal
) -> None:
    window, flow = open_window(qtbot, terminal)
    sign_in(qtbot, flow)
    flow.choose_item(ITEM)
    box = flow.session.form.applicant.has_agent
    box.clearFocus()
    qtbot.wait_until(lambda: not box.hasFocus())
    unfocused = _ring_pixels(box)
    box.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.wait_until(box.hasFocus)
    focused = _ring_pixels(box)
    perimeter = 2 * (box.width() + box.height())
    assert unfocused == 0
    assert focused >= 2 * perimeter * 0.9  # a closed ring, two pixels wide
    shot(window, "14_agent_focus_ring")


def test_error_summary_is_readable(gui_app: QApplication, qtbot: QtBot, terminal: Terminal) -> None:
    window, flow = open_window(qtbot, terminal)
    sign_in(qtbot, flow)
    flow.choose_item(ITEM)
    QTest.keyClick(window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    errors = flow.session.form.errors
    qtbot.wait_until(errors.isVisible)
    info = QFontInfo(errors.font())
    assert info.pixelSize() >= 16 and info.bold()  # was 10 pt (about 11 px)
    shot(window, "15_error_summary")


def test_sync_now_is_not_clipped_at_the_narrowest_window(
    gui_app: QApplication, qtbot: QtBot, hall_config: Config
) -> None:
    window, _status = make_window(qtbot, hall_config, Counters())
    panel = SyncStatusPanel()
    window.status_bar.attach_sync_panel(panel)
    window.resize(window.minimumSize())
    panel.show_status(
        SyncStatus(
            state=SyncState.OFFLINE,
            online=False,
            queue_depth=12_345,
            oldest_pending_seconds=3 * 86_400,
            dead_letters=17,
            last_success_at="2026-11-25T06:30:00+00:00",
            last_error="connection refused",
            last_error_at="2026-11-25T06:40:00+00:00",
            last_reconcile_at="2026-11-25T06:40:00+00:00",
            last_reconcile={"reason": "cursor_gone", "requeued": 4, "lost": 3},
        )
    )
    QApplication.processEvents()
    button = panel.sync_button
    assert button.isVisible()
    right = button.mapTo(window, QPoint(button.width(), 0)).x()
    assert right <= window.width()
    assert button.width() >= button.sizeHint().width()  # the whole label 立即同步, not a sliver of it
    shot(window, "16_status_bar_narrow")


def test_clerk_window_is_maximised_and_the_citizen_window_waits_minimised_on_one_screen(
    gui_app: QApplication, qtbot: QtBot, terminal: Terminal
) -> None:
    window, _flow = open_window(qtbot, terminal)
    place_clerk_window(window)
    qtbot.wait_until(window.isMaximized)
    assert window.screen() is QApplication.primaryScreen()
    citizen = RatingWindow(service=terminal.ratings, config=terminal.config)
    qtbot.add_widget(citizen)
    assert len(QApplication.screens()) == 1
    assert arrange_citizen_window(citizen, CitizenScreen.SECOND_SCREEN) == "on_demand"
    qtbot.wait_until(citizen.isMinimized)  # not on top of the clerk's window
    # A rating request brings it up for the citizen; back to idle, it goes down again.
    citizen.pages.setCurrentWidget(citizen.level_page)
    qtbot.wait_until(lambda: citizen.isVisible() and not citizen.isMinimized())
    citizen.show_idle()
    qtbot.wait_until(citizen.isMinimized)


SCREENS = {
    "screens": [
        {"name": "clerk", "x": 0, "y": 0, "width": 1920, "height": 1080, "logicalDpi": 96, "logicalBaseDpi": 96},
        {"name": "citizen", "x": 1920, "y": 0, "width": 1280, "height": 800, "logicalDpi": 96, "logicalBaseDpi": 96},
    ]
}

TWO_SCREENS = """
import json, sys
from PySide6.QtWidgets import QApplication, QMainWindow
from app.config import CitizenScreen, config_from_dict
app = QApplication([])
from ui.counter_window import place_clerk_window
clerk = QMainWindow()
clerk.setMinimumSize(1024, 640)
place_clerk_window(clerk)
app.processEvents()
primary = app.primaryScreen()
other = next(s for s in app.screens() if s is not primary)
print(json.dumps({"clerk_max": clerk.isMaximized(), "clerk_screen": clerk.screen() is primary,
                  "primary": primary.geometry().getRect(), "other": other.geometry().getRect()}))
"""


def test_with_two_screens_the_citizen_window_fills_the_second(tmp_path: Path) -> None:
    config = tmp_path / "screens.json"
    config.write_text(json.dumps(SCREENS), encoding="utf-8")
    script = TWO_SCREENS + (
        "from tests.ui.test_counter_window_parts import citizen_on_two_screens\n"
        "print(json.dumps(citizen_on_two_screens(app, other)))\n"
    )
    env = dict(os.environ, QT_QPA_PLATFORM=f"offscreen:configfile={config}", TONGBAN_KEY_STORE="file")
    env["TONGBAN_DATA_DIR"] = str(tmp_path / "data")
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=True, timeout=120
    )
    clerk, citizen = (json.loads(line) for line in result.stdout.strip().splitlines()[-2:])
    assert clerk["clerk_max"] and clerk["clerk_screen"]
    assert citizen["second_screen"]["where"] == "second_screen"
    assert citizen["second_screen"]["full_screen"] and citizen["second_screen"]["rect"] == clerk["other"]
    assert citizen["window"]["where"] == "window" and not citizen["window"]["full_screen"]
    window_rect = citizen["window"]["rect"]
    other = clerk["other"]
    assert other[0] <= window_rect[0] and window_rect[0] + window_rect[2] <= other[0] + other[2]  # on the second


def citizen_on_two_screens(app: QApplication, other: object) -> dict[str, dict[str, object]]:
    """Run in the two-screen subprocess: place a citizen window each way and report where it went."""
    import datetime as dt

    from app.config import config_from_dict
    from app.paths import resolve_paths
    from app.services.terminal import open_terminal

    out: dict[str, dict[str, object]] = {}
    term = open_terminal(config=config_from_dict({}), paths=resolve_paths().ensure())
    try:
        for choice in (CitizenScreen.SECOND_SCREEN, CitizenScreen.WINDOW):
            citizen = RatingWindow(service=term.ratings, config=term.config)
            where = arrange_citizen_window(citizen, choice)
            app.processEvents()
            out[choice.value] = {
                "where": where,
                "full_screen": citizen.isFullScreen(),
                "rect": citizen.geometry().getRect(),
            }
            citizen.close()
            citizen.deleteLater()
        del dt
    finally:
        term.close()
    return out
