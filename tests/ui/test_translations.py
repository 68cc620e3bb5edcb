"""The zh_CN catalogue is complete, compiled from its .ts, and in use at run time."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication

ROOT = Path(__file__).resolve().parents[2]


def test_catalogue_is_up_to_date_with_the_ui_sources() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "update_translations.py"), "--check"],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


def test_ui_strings_are_chinese_at_run_time(gui_app: QApplication) -> None:
    assert QCoreApplication.translate("TerminalStatusBar", "Offline") == "离线"
    assert QCoreApplication.translate("TerminalStatusBar", "{count} waiting to sync") == "待同步 {count} 条"
    assert QCoreApplication.translate("ErrorPresenter", "Error") == "出错了"
    # Qt's own strings (standard buttons) come from the qtbase catalogue of the wheel.
    assert QCoreApplication.translate("QPlatformTheme", "OK") == "确定"


def test_qt_file_dialog_labels_are_chinese(gui_app: QApplication) -> None:
    """The wheel's qtbase_zh_CN.qm lacks the Qt 6 forms of these two (the clerk saw "Look in:"); ours fills them."""
    assert QCoreApplication.translate("QFileDialog", "&Look in:") == "查找范围(&L)："
    assert QCoreApplication.translate("QFileDialog", "Files of &type:") == "文件类型(&T)："
    assert QCoreApplication.translate("QFileDialog", "File &name:") == "文件名称(&N)："  # Qt's own catalogue
