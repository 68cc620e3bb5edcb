"""Small pages: the calm error page, and the rating pages of the counter's 评价器 reused for 好差评 at the kiosk."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from ui.kiosk.page import KioskPage, PageStack, fit_keyboard, needed_height
from ui.kiosk.widgets import KioskButton, label
from ui.rating.pages import REASON_COLUMNS, LevelPage, ReasonsPage, ThanksPage


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
        self._landscape = True
        self.stack = PageStack(self)  # as tall as the rating page shown (the reasons are the tallest)
        self.stack.setObjectName("kiosk_rating_stack")
        self.level_page = LevelPage(self.stack)
        self.reasons_page = ReasonsPage(self.stack)
        self.thanks_page = ThanksPage(self.stack)
        for page in (self.level_page, self.reasons_page, self.thanks_page):
            self.stack.addWidget(page)
        layout.addWidget(self.stack)
        self.stack.currentChanged.connect(self.refit)
        self.reasons_page.keyboard_button.toggled.connect(self.refit)

    def wipe(self) -> None:
        page = self.reasons_page
        for button in page.reason_buttons.values():
            button.setChecked(False)
        page.text_edit.setText("")
        page.consent.setChecked(False)
        page.forget_phone()
        page.message.setText("")
        self.level_page.context.setText("")
        self.level_page.message.setText("")
        self.thanks_page.detail.setText("")
        self.stack.setCurrentWidget(self.level_page)

    def set_landscape(self, landscape: bool) -> None:
        self._landscape = landscape  # the reasons page is laid out for it by `_fit`

    def _fit(self) -> bool:
        """The reasons page for the room: reasons beside the text and keyboard where the screen is high enough,
        else compact (reasons across the page, the keyboard in their place while open); keys as tall as fit."""
        assert self.room is not None
        height = self.room.height()
        self.level_page.set_columns(5 if self.room.width() >= 1000 else 3)  # 768 px: 3 and 2 faces
        page = self.reasons_page
        wide = 4 if self._landscape else REASON_COLUMNS
        # Beside the text; across the page (4 a row), the keyboard in the reasons' place; the keyboard alone when
        # open; 5 a row, long reasons on two lines.
        for compact, columns, alone in (
            (False, REASON_COLUMNS, False),
            (True, wide, False),
            (True, wide, True),
            (True, wide + 1 if self._landscape else wide, True),
        ):
            page.set_compact(compact, columns=columns, consent_in_row=self._landscape, alone=alone)
            if not compact:
                page.set_side_by_side(self._landscape)
            side_by_side = self._landscape and not compact
            fit_keyboard(self, page.keyboard, height, self.room.width() // (2 if side_by_side else 1))
            if self.stack.currentWidget() is not page or needed_height(self) <= height:
                return True
        return True  # the most that fits (still more than the room: the test says where)

    def first_focus(self) -> QWidget | None:
        current = self.stack.currentWidget()
        if current is self.level_page:
            return next(iter(self.level_page.buttons.values()))
        if current is self.reasons_page:
            return next(iter(self.reasons_page.reason_buttons.values()))
        return None

    def spoken_title(self) -> str:
        return "请为本次服务评价"
