"""The admin entry behind the hidden gesture: staff number and PIN on the digit pad, then exit or resume."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRegularExpression, Signal, Slot
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import QBoxLayout, QGridLayout, QHBoxLayout, QLineEdit, QStackedWidget, QVBoxLayout, QWidget

from ui.kiosk.page import KioskPage, fit_pad
from ui.kiosk.widgets import DigitPad, KioskButton, label


class AdminPage(KioskPage):
    """Signals:
    unlock_requested(str, str): staff number and PIN to check.
    exit_requested(): the admin chose to leave the kiosk program.
    resume_requested(): back to the citizens' home page.
    """

    title = "管理员验证"
    unlock_requested = Signal(str, str)
    exit_requested = Signal()
    resume_requested = Signal()
    sync_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("kiosk_admin")
        self.admin_no = ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(80, 24, 80, 24)
        self.heading = label("管理员验证", self, name="admin_title", role="title")
        layout.addWidget(self.heading)
        self.views = QStackedWidget(self)
        layout.addWidget(self.views, 1)

        self._build_login()
        self._build_menu()

    def _build_login(self) -> None:
        login = QWidget(self.views)
        self.login_layout = QBoxLayout(QBoxLayout.Direction.TopToBottom, login)
        self.login_layout.setSpacing(24)
        box = QVBoxLayout()
        form = QGridLayout()
        self.staff_label = label("工号", login, name="admin_staff_label", wrap=False)
        self.staff_field = QLineEdit(login)
        self.staff_field.setObjectName("admin_staff_no")
        self.staff_field.setAccessibleName("管理员工号")
        self.staff_field.setMaxLength(16)
        self.staff_field.setValidator(QRegularExpressionValidator(QRegularExpression("[0-9A-Za-z]{0,16}"), login))
        self.staff_label.setBuddy(self.staff_field)
        self.pin_label = label("密码", login, name="admin_pin_label", wrap=False)
        self.pin_field = QLineEdit(login)
        self.pin_field.setObjectName("admin_pin")
        self.pin_field.setAccessibleName("管理员密码")
        self.pin_field.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin_field.setMaxLength(12)
        self.pin_label.setBuddy(self.pin_field)
        form.addWidget(self.staff_label, 0, 0)
        form.addWidget(self.staff_field, 0, 1)
        form.addWidget(self.pin_label, 1, 0)
        form.addWidget(self.pin_field, 1, 1)
        box.addLayout(form)
        self.message = label("", login, name="admin_message", role="message")
        box.addWidget(self.message)
        row = QHBoxLayout()
        self.cancel_button = KioskButton("取消", login, name="admin_cancel", description="返回首页")
        self.ok_button = KioskButton("确认", login, name="admin_ok", role="primary", description="验证管理员")
        self.cancel_button.clicked.connect(self.resume_requested)
        self.ok_button.clicked.connect(self._submit)
        row.addWidget(self.cancel_button)
        row.addStretch(1)
        row.addWidget(self.ok_button)
        box.addLayout(row)
        box.addStretch(1)
        self.login_layout.addLayout(box, 1)
        self.pad = DigitPad(login, with_x=False, name="admin_pad")
        self.pad.enter_pressed.connect(self._enter)
        self.login_layout.addWidget(self.pad, 1)
        for field in (self.staff_field, self.pin_field):
            field.installEventFilter(self)
            field.returnPressed.connect(self._enter)
        self.pad.bind(self.staff_field)
        self.views.addWidget(login)
        self.login = login

    def _build_menu(self) -> None:
        menu = QWidget(self.views)
        mbox = QVBoxLayout(menu)
        self.menu_info = label("", menu, name="admin_info")
        mbox.addWidget(self.menu_info)
        self.sync_button = KioskButton(
            "立即同步", menu, name="admin_sync", description="立即与平台同步，不等待下一次自动同步"
        )
        self.sync_button.clicked.connect(self.sync_requested)
        mbox.addWidget(self.sync_button)
        self.exit_button = KioskButton(
            "退出自助终端程序", menu, name="admin_exit", description="关闭自助终端，回到系统"
        )
        self.resume_button = KioskButton(
            "返回自助服务", menu, name="admin_resume", role="primary", description="回到首页"
        )
        self.exit_button.clicked.connect(self.exit_requested)
        self.resume_button.clicked.connect(self.resume_requested)
        # Landscape, one row: three buttons under each other with the status above need more than a 1366×768
        # screen has; portrait, one under the other (a 768 px wide screen has no room for the three side by side).
        row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.menu_buttons = row
        mbox.removeWidget(self.sync_button)
        for button in (self.sync_button, self.exit_button, self.resume_button):
            row.addWidget(button)
        mbox.addLayout(row)
        mbox.addStretch(1)
        self.views.addWidget(menu)
        self.menu = menu

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusIn and isinstance(watched, QLineEdit):
            self.pad.bind(watched)
        return False

    @Slot()
    def _enter(self) -> None:
        if self.pad.target is self.staff_field and self.staff_field.text() and not self.pin_field.text():
            self.pin_field.setFocus()
            return
        self._submit()

    @Slot()
    def _submit(self) -> None:
        staff_no, pin = self.staff_field.text(), self.pin_field.text()
        self.pin_field.setText("")
        self.unlock_requested.emit(staff_no, pin)

    def refuse(self, message: str) -> None:
        self.message.setText(message)
        self.pin_field.setFocus()

    def unlocked(self, staff_no: str, info: str) -> None:
        self.admin_no = staff_no
        self.staff_field.setText("")
        self.pin_field.setText("")
        self.message.setText("")
        self.menu_info.setText(info)
        self.heading.setText("管理员菜单")
        self.views.setCurrentWidget(self.menu)
        self.resume_button.setFocus()

    def wipe(self) -> None:
        self.admin_no = ""
        self.staff_field.setText("")
        self.pin_field.setText("")
        self.message.setText("")
        self.menu_info.setText("")
        self.heading.setText("管理员验证")
        self.pad.bind(self.staff_field)
        self.views.setCurrentWidget(self.login)

    def set_landscape(self, landscape: bool) -> None:
        direction = QBoxLayout.Direction.LeftToRight if landscape else QBoxLayout.Direction.TopToBottom
        self.login_layout.setDirection(direction)
        self.menu_buttons.setDirection(direction)

    def _fit(self) -> bool:
        if self.room is not None:
            fit_pad(self, self.pad, self.room.height())
        return True

    def first_focus(self) -> QWidget | None:
        return self.staff_field if self.views.currentWidget() is self.login else self.resume_button
