"""The administrator's platform settings: enrol this terminal with the platform URL and a one-time code, change
the device key. Results come back from `SyncService` (`enrolment_finished`, `key_rotation_finished`) in Chinese.

Wire it: `enrol_requested → SyncService.enrol`, `rotate_requested → SyncService.rotate_key`,
`SyncService.enrolment_finished → show_enrolment`, `SyncService.key_rotation_finished → show_rotation`.
"""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


class PlatformSettingsDialog(QDialog):
    """Signals:
    enrol_requested(str, str): platform URL and one-time enrolment code, both stripped.
    rotate_requested(): change the device key (two-step rotation on the platform).
    """

    enrol_requested = Signal(str, str)
    rotate_requested = Signal()

    def __init__(self, *, url: str = "", enrolled: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("platform_settings_dialog")
        self.setWindowTitle(self.tr("Platform settings"))
        self.setMinimumWidth(520)
        self.url_edit = QLineEdit(url, self)
        self.url_edit.setObjectName("platform_url")
        self.url_edit.setPlaceholderText("https://")
        self.url_edit.setAccessibleName(self.tr("Platform address"))
        self.code_edit = QLineEdit(self)
        self.code_edit.setObjectName("enrol_code")
        self.code_edit.setAccessibleName(self.tr("One-time enrolment code"))
        form = QFormLayout()
        form.addRow(self.tr("Platform address"), self.url_edit)
        form.addRow(self.tr("One-time enrolment code"), self.code_edit)
        self.enrol_button = QPushButton(self.tr("Enrol this terminal"), self)
        self.enrol_button.setObjectName("enrol_button")
        self.rotate_button = QPushButton(self.tr("Change device key"), self)
        self.rotate_button.setObjectName("rotate_key_button")
        self.close_button = QPushButton(self.tr("Close"), self)
        self.message = QLabel(self)
        self.message.setObjectName("platform_settings_message")
        self.message.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.enrol_button)
        buttons.addWidget(self.rotate_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.enrol_button.clicked.connect(self._on_enrol)
        self.rotate_button.clicked.connect(self._on_rotate)
        self.close_button.clicked.connect(self.accept)
        self.set_enrolled(enrolled)

    def set_enrolled(self, enrolled: bool) -> None:
        """A key can only be changed once the terminal has one."""
        self._enrolled = enrolled
        self.rotate_button.setEnabled(enrolled)

    def _busy(self, text: str) -> None:
        self.message.setText(text)
        self.enrol_button.setEnabled(False)
        self.rotate_button.setEnabled(False)

    def _idle(self, text: str) -> None:
        self.message.setText(text)
        self.enrol_button.setEnabled(True)
        self.rotate_button.setEnabled(self._enrolled)

    @Slot()
    def _on_enrol(self) -> None:
        url = self.url_edit.text().strip()
        code = self.code_edit.text().strip()
        if not url.startswith(("https://", "http://")):
            self.message.setText(self.tr("Enter the platform address, starting with https://."))
            self.url_edit.setFocus()
            return
        if not code:
            self.message.setText(self.tr("Enter the one-time code the platform administrator gave you."))
            self.code_edit.setFocus()
            return
        self._busy(self.tr("Enrolling with the platform…"))
        self.enrol_requested.emit(url, code)

    @Slot()
    def _on_rotate(self) -> None:
        self._busy(self.tr("Changing the device key…"))
        self.rotate_requested.emit()

    @Slot(bool, str)
    def show_enrolment(self, ok: bool, message: str) -> None:
        if ok:
            self.code_edit.clear()  # a one-time code is spent either way; never leave it on screen
            self._enrolled = True
        self._idle(message)

    @Slot(bool, str)
    def show_rotation(self, ok: bool, message: str) -> None:
        self._idle(message)
