"""Small helpers that make Qt's controls speak to a screen reader (issue 19; PLATFORM_NOTES "Qt 6.11 on Linux").

- Qt names a `QComboBox` by its current text over AT-SPI and ignores `setAccessibleName`; a label tied to it
  (`QLabel.setBuddy`) reaches the screen reader as a labelled-by relation, so Orca says the label, then the value.
- The clear (×) button that `QLineEdit.setClearButtonEnabled` adds has no accessible name of its own.
- Qt's own file dialog leaves its 查找范围 and 文件类型 drop-downs without a tied label.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QComboBox, QFileDialog, QLabel, QLineEdit, QToolButton, QWidget


def tie_label(label: QLabel, control: QWidget, spoken: str = "") -> None:
    """Tie `label` to `control` (Alt+mnemonic and the screen reader's labelled-by); `spoken` replaces what the label
    says to a screen reader when its visible text alone would not name the control."""
    label.setBuddy(control)
    if spoken:
        label.setAccessibleName(spoken)
        if isinstance(control, QComboBox):
            control.setAccessibleName(spoken)  # other platforms (and Qt versions that honour it) use this


def clear_button_label() -> str:
    return QCoreApplication.translate("accessible", "Clear the search")


def enable_named_clear_button(edit: QLineEdit, name: str = "") -> None:
    """`setClearButtonEnabled(True)` with the button named for a screen reader (default 清除搜索)."""
    edit.setClearButtonEnabled(True)
    spoken = name or clear_button_label()
    for button in edit.findChildren(QToolButton):  # Qt's QLineEditIconButton
        button.setAccessibleName(spoken)
        button.setToolTip(spoken)


def tie_file_dialog_labels(dialog: QFileDialog) -> None:
    """Qt's widget file dialog: tie 查找范围/文件类型 to their drop-downs (a native dialog has none of these)."""
    for label_name, control_name in (("lookInLabel", "lookInCombo"), ("fileTypeLabel", "fileTypeCombo")):
        label = dialog.findChild(QLabel, label_name)
        control = dialog.findChild(QWidget, control_name)
        if label is not None and control is not None:
            label.setBuddy(control)


class FileDialog(QFileDialog):
    """Qt's file dialog (Chinese through qtbase_zh_CN.qm, or the platform's own) whose drop-downs a screen reader
    can name: Qt builds the widgets of its own dialog late, so the labels are tied when it shows."""

    def showEvent(self, event: QShowEvent) -> None:
        tie_file_dialog_labels(self)
        super().showEvent(event)


def file_dialog(parent: QWidget, caption: str, directory: str, name_filter: str, *, save: bool = False) -> FileDialog:
    dialog = FileDialog(parent, caption, directory, name_filter)
    dialog.setObjectName("file_dialog")
    if save:
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setFileMode(QFileDialog.FileMode.AnyFile)
    else:
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
    return dialog


def ask_file(dialog: QFileDialog) -> str:
    """Run `dialog` modally; the chosen path, or "" when the clerk cancels."""
    if dialog.exec() != QFileDialog.DialogCode.Accepted:
        return ""
    files = dialog.selectedFiles()
    return files[0] if files else ""
