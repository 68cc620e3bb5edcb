"""Sign-in: staff number + PIN. The only page shown while nobody is signed in."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from app.services.staff import SignInError, StaffService


class SignInPage(QWidget):
    def __init__(self, staff: StaffService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sign_in_page")
        self._staff = staff
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        box = QWidget(self)
        box.setMaximumWidth(420)
        layout = QVBoxLayout(box)
        self.title = QLabel(self.tr("Clerk sign-in"), box)
        self.title.setObjectName("sign_in_title")  # centred by the page styles (qproperty-alignment)
        form = QFormLayout()
        self.staff_no = QLineEdit(box)
        self.staff_no.setObjectName("staff_no")
        self.staff_no.setAccessibleName(self.tr("Staff number"))
        self.staff_no.setMaxLength(16)
        self.pin = QLineEdit(box)
        self.pin.setObjectName("pin")
        self.pin.setAccessibleName(self.tr("PIN"))
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setMaxLength(12)
        form.addRow(self.tr("Staff number"), self.staff_no)
        form.addRow(self.tr("PIN"), self.pin)
        self.message = QLabel(box)
        self.message.setObjectName("sign_in_message")
        self.message.setProperty("role", "error")
        self.message.setWordWrap(True)
        self.button = QPushButton(self.tr("Sign in"), box)
        self.button.setObjectName("primary")
        self.button.setAccessibleName(self.tr("Sign in"))
        self.button.setDefault(True)
        self.notice = QLabel(box)
        self.notice.setObjectName("banner")
        self.notice.setWordWrap(True)
        self.notice.hide()
        layout.addWidget(self.title)
        layout.addWidget(self.notice)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.button)
        # Centred between two stretches rather than with Qt.AlignHCenter: PySide6 builds all of the `Qt`
        # namespace's enums (~1,200 members) when it is first imported, and this is the first screen (issue 13).
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(box)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)
        self.staff_no.returnPressed.connect(self.pin.setFocus)
        self.pin.returnPressed.connect(self.submit)
        self.button.clicked.connect(self.submit)

    def reset(self, notice: str = "") -> None:
        """Back to an empty form (after sign-out); `notice` says why (e.g. signed out when idle)."""
        self.pin.clear()
        self.message.clear()
        self.notice.setText(notice)
        self.notice.setVisible(bool(notice))
        (self.pin if self.staff_no.text() else self.staff_no).setFocus()

    @Slot()
    def submit(self) -> None:
        try:
            self._staff.sign_in(staff_no=self.staff_no.text(), pin=self.pin.text())
        except SignInError as exc:
            self.message.setText(exc.message)
            self.pin.clear()
            self.pin.setFocus()
            return
        self.pin.clear()
        self.message.clear()
        self.notice.hide()
