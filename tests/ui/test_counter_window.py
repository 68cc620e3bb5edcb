"""The counter window shell as the clerk sees it: identity in Chinese, status bar, shipped font."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QRawFont
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from app.config import Config
from tests.shots import shot_dir
from tests.ui.helpers import Counters, make_window

SCREENSHOT = shot_dir("counter_window") / "counter_window.png"


def test_window_shows_hall_window_and_terminal_in_chinese(
    gui_app: QApplication, qtbot: QtBot, hall_config: Config
) -> None:
    window, _ = make_window(qtbot, hall_config, Counters())
    assert window.windowTitle() == "通办终端 — 鲅鱼圈区政务服务中心 7号窗口"
    assert window.hall_label.text() == "鲅鱼圈区政务服务中心"
    assert window.window_label.text() == "7号窗口"
    assert window.terminal_label.text() == "终端 210804-02-015"
    assert window.work_area.currentWidget() is window.welcome_page
    assert window.welcome_page.title.text() == "当前没有正在办理的业务"
    assert window.welcome_page.title.alignment() == Qt.AlignmentFlag.AlignCenter  # set by the theme
    assert window.grab().save(str(SCREENSHOT))


def test_status_bar_shows_offline_and_queue_depth_and_follows_the_service(
    gui_app: QApplication, qtbot: QtBot, hall_config: Config
) -> None:
    counters = Counters()
    window, status = make_window(qtbot, hall_config, counters)
    bar = window.status_bar
    assert bar.connection_label.text() == "离线"
    assert bar.queue_label.text() == "待同步 0 条"
    assert not bar.dead_letters_label.isVisible()

    counters.depth = 12
    counters.dead = 2
    status.refresh()
    qtbot.wait_until(lambda: bar.queue_label.text() == "待同步 12 条")
    assert bar.dead_letters_label.isVisible()
    assert bar.dead_letters_label.text() == "被退回 2 条，请联系管理员"


def test_a_burst_of_refreshes_reads_the_store_once(gui_app: QApplication, qtbot: QtBot, hall_config: Config) -> None:
    counters = Counters()
    _window, status = make_window(qtbot, hall_config, counters)
    reads_before = counters.reads
    counters.depth = 3
    with qtbot.wait_signal(status.status_changed) as blocker:
        for _attempt in range(50):
            status.refresh()
    assert blocker.args[0].queue_depth == 3
    assert counters.reads == reads_before + 1


def test_online_when_a_configured_platform_answers(gui_app: QApplication, qtbot: QtBot, hall_config: Config) -> None:
    window, status = make_window(qtbot, hall_config, Counters(), platform_configured=True)
    bar = window.status_bar
    assert bar.connection_label.text() == "离线（无法连接平台）"
    status.set_online(True)
    assert bar.connection_label.text() == "在线"
    status.set_online(False)
    status.set_last_error("平台无响应")
    assert bar.connection_label.text() == "离线（无法连接平台）"
    assert bar.connection_label.toolTip() == "平台无响应"


def test_unconfigured_platform_is_never_shown_online(gui_app: QApplication, qtbot: QtBot, hall_config: Config) -> None:
    window, status = make_window(qtbot, hall_config, Counters(), platform_configured=False)
    status.set_online(True)
    assert window.status_bar.connection_label.text() == "离线"


def test_shipped_font_is_used_and_covers_every_string_shown(
    gui_app: QApplication, qtbot: QtBot, hall_config: Config
) -> None:
    window, _ = make_window(qtbot, hall_config, Counters())
    assert QApplication.font().family() == "Tongban Sans"
    labels = window.findChildren(QLabel)
    shown = [label for label in labels if label.isVisible() and label.text()]
    assert len(shown) >= 6
    texts = [window.windowTitle(), *(label.text() for label in shown)]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in "".join(texts))
    for label in shown:
        font = label.font()
        assert font.family() == "Tongban Sans", label.objectName()
        raw = QRawFont.fromFont(font)
        assert raw.familyName() == "Tongban Sans"
        # WORKAROUND for a PySide6 6.11/6.12 conversion bug: supportsCharacter(str) and QFontMetrics.inFont(str)
        # answer False for U+7000..U+7FFF and U+FExx/FFxx even when the glyph is there; pass the code point.
        # (QFontMetrics.inFontUcs4 would count fallback fonts too, so it proves nothing about ours.)
        missing = [ch for ch in label.text() if not raw.supportsCharacter(ord(ch))]
        assert missing == [], f"{label.objectName()}: {missing}"


def test_a_failing_store_counter_keeps_the_last_figures_on_screen(
    gui_app: QApplication, qtbot: QtBot, hall_config: Config, caplog: pytest.LogCaptureFixture
) -> None:
    counters = Counters()
    counters.depth = 4
    window, status = make_window(qtbot, hall_config, counters)
    assert window.status_bar.queue_label.text() == "待同步 4 条"

    counters.error = RuntimeError("database is locked")
    status.refresh_now()
    assert window.status_bar.queue_label.text() == "待同步 4 条"
    assert window.isVisible()
    assert [r.name for r in caplog.records if r.levelname == "ERROR"] == ["tongban.status"]
