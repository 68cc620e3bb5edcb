"""The status bar's connection word takes its theme colour whenever the connection changes, before or after the
window is shown (the label is re-polished only on a change: start-up time, issue 13)."""

from __future__ import annotations

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QMainWindow
from pytestqt.qtbot import QtBot

from app.services.status import TerminalStatus
from ui.status_bar import TerminalStatusBar

OFFLINE = "#8a4b00"  # resources/themes/counter.qss, QLabel#connection_state[online="false"]
ONLINE = "#1b5e20"


def _status(online: bool) -> TerminalStatus:
    return TerminalStatus(online=online, platform_configured=True, queue_depth=0, dead_letters=0, last_error="")


def _colour(bar: TerminalStatusBar) -> str:
    return str(bar.connection_label.palette().color(QPalette.ColorRole.WindowText).name())


def test_the_connection_word_follows_the_connection(gui_app: QApplication, qtbot: QtBot) -> None:
    for first in (False, True):  # online already before the first show, too
        window = QMainWindow()
        qtbot.add_widget(window)
        bar = TerminalStatusBar(window)
        window.setStatusBar(bar)
        bar.show_status(_status(first))
        window.show()
        qtbot.wait_exposed(window)
        assert _colour(bar) == (ONLINE if first else OFFLINE)

        bar.show_status(_status(not first))
        assert _colour(bar) == (OFFLINE if first else ONLINE)
        assert bar.connection_label.text() == ("离线（无法连接平台）" if first else "在线")
