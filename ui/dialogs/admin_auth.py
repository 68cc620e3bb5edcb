"""An admin steps in: staff number + PIN of an administrator for one action the signed-in clerk may not do.

`StaffService.require_admin(action, staff_no=…, pin=…)` decides (wrong PINs count towards the same lock-out as
sign-in) and writes `admin_<action>` to the audit log with the admin as actor. On success the dialog emits
`authorised(admin_no)` and closes; otherwise it shows the reason and stays open.
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

from app.services.staff import SignInError, StaffService


class AdminAuthDialog(QDialog):
    """Signals:
    authorised(str): the admin's staff number; the action may go ahead (already audited).
    """

    authorised = Signal(str)

    def __init__(self, *, staff: StaffService, action: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._staff = staff
        self._action = action
        self.setObjectName("admin_auth_dialog")
        self.setWindowTitle(self.tr("Administrator required"))
        self.setMinimumWidth(420)
        self.explain = QLabel(self.tr("This needs an administrator. Administrator, enter your staff number and PIN."))
        self.explain.setWordWrap(True)
        self.staff_edit = QLineEdit(self)
        self.staff_edit.setObjectName("admin_staff_no")
        self.staff_edit.setAccessibleName(self.tr("Administrator staff number"))
        self.pin_edit = QLineEdit(self)
        self.pin_edit.setObjectName("admin_pin")
        self.pin_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin_edit.setAccessibleName(self.tr("Administrator PIN"))
        form = QFormLayout()
        form.addRow(self.tr("Administrator staff number"), self.staff_edit)
        form.addRow(self.tr("PIN"), self.pin_edit)
        self.message = QLabel(self)
        self.message.setObjectName("admin_auth_message")
        self.message.setWordWrap(True)
        self.ok_button = QPushButton(self.tr("Confirm"), self)
        self.ok_button.setObjectName("admin_auth_ok")
        self.ok_button.setDefault(True)
        self.cancel_button = QPushButton(self.tr("Cancel"), self)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.ok_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.explain)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.ok_button.clicked.connect(self._on_ok)
        self.cancel_button.clicked.connect(self.reject)
        self.staff_edit.setFocus()
        if not staff.has_active_admin():  # a new install: say how the first admin is made
            self.message.setText(
                self.tr(
                    "This computer has no administrator yet. Add one at the command line: "
                    "tongban staff add NUMBER NAME --role admin"
                )
            )

    @Slot()
    def _on_ok(self) -> None:
        try:
            admin_no = self._staff.require_admin(
                self._action, staff_no=self.staff_edit.text(), pin=self.pin_edit.text()
            )
        except SignInError as exc:
            self.pin_edit.clear()
            self.message.setText(exc.message)
            self.pin_edit.setFocus()
            return
        self.pin_edit.clear()
        self.accept()
        self.authorised.emit(admin_no)
