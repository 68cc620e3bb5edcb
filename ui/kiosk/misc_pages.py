"""Small pages: the calm error page, and the rating pages of the counter's 评价器 reused for 好差评 at the kiosk."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QStackedWidget, QVBoxLayout, QWidget

from ui.kiosk.page import KioskPage
from ui.kiosk.widgets import KioskButton, label
from ui.rating.pages import LevelPage, ReasonsPage, ThanksPage


class ErrorPage(KioskPage):
    """Shown instead of a traceback; returns home by itself after a few seconds.

    Signals:
        home_requested(): the 返回首页 button.
    """

    title = "抱歉，系统出了点问题"
    home_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("kiosk_error")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(80, 80, 80, 80)
        layout.addStretch(1)
        self.heading = label("抱歉，系统出了点问题", self, name="error_title", role="title")
        self.heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text = label("您输入的信息已清除。请稍后重新开始；如需帮助，请联系大厅工作人员。", self, name="error_text")
        self.text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.heading)
        layout.addWidget(self.text)
        self.home_button = KioskButton("返回首页", self, name="error_home", role="primary", description="回到首页")
        self.home_button.clicked.connect(self.home_requested)
        layout.addWidget(self.home_button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(1)

    def first_focus(self) -> QWidget | None:
        return self.home_button

    def spoken_title(self) -> str:
        return "抱歉，系统出了点问题，即将返回首页。"


class RatingPage(KioskPage):
    """好差评 of one's own case: the counter screen's levels, reasons and thank-you pages."""

    title = "好差评"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("kiosk_rating")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 8, 24, 8)
        self.stack = QStackedWidget(self)
        self.stack.setObjectName("kiosk_rating_stack")
        self.level_page = LevelPage(self.stack)
        self.reasons_page = ReasonsPage(self.stack)
        self.thanks_page = ThanksPage(self.stack)
        for page in (self.level_page, self.reasons_page, self.thanks_page):
            self.stack.addWidget(page)
        layout.addWidget(self.stack)

    def wipe(self) -> None:
        page = self.reasons_page
        for button in page.reason_buttons.values():
            button.setChecked(False)
        page.text_edit.setText("")
        page.consent.setChecked(False)
        page.consent.setText("")
        page.message.setText("")
        self.level_page.context.setText("")
        self.level_page.message.setText("")
        self.thanks_page.detail.setText("")
        self.stack.setCurrentWidget(self.level_page)

    def set_landscape(self, landscape: bool) -> None:
        self.reasons_page.set_side_by_side(landscape)

    def first_focus(self) -> QWidget | None:
        current = self.stack.currentWidget()
        if current is self.level_page:
            return next(iter(self.level_page.buttons.values()))
        if current is self.reasons_page:
            return next(iter(self.reasons_page.reason_buttons.values()))
        return None

    def spoken_title(self) -> str:
        return "请为本次服务评价"
