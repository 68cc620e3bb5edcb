"""补打回执: the ID card on the reader confirms the applicant, then one of their cases held here is printed again.
A failed print says why and offers 重新打印."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QStackedWidget, QVBoxLayout, QWidget

from app.services.kiosk import OwnCase
from ui.kiosk.choices import PagedChoices
from ui.kiosk.page import KioskPage, first_fit
from ui.kiosk.theme import KioskSizes
from ui.kiosk.widgets import KioskButton, label


class ReprintPage(KioskPage):
    """Views: card (put the card on the reader), cases (choose one), result (printing, printed, failed).

    Signals:
        read_requested(): read the card now.
        case_chosen(str): print this case's receipt again.
        retry_requested(): print the failed slip again.
    """

    title = "补打回执"
    read_requested = Signal()
    case_chosen = Signal(str)
    retry_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("kiosk_reprint")
        self._list_page = 6
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 16, 40, 16)
        self.heading = label("补打回执", self, name="reprint_title", role="title")
        layout.addWidget(self.heading)
        self.views = QStackedWidget(self)
        layout.addWidget(self.views, 1)

        card = QWidget(self.views)
        box = QVBoxLayout(card)
        self.card_hint = label(
            "请将您的身份证平放在读卡器上，然后点击“读取身份证”。只能补打您本人的办件回执。",
            card,
            name="reprint_card_hint",
        )
        self.read_button = KioskButton(
            "读取身份证", card, name="reprint_read", role="primary", description="读取身份证"
        )
        self.read_button.clicked.connect(self.read_requested)
        self.card_message = label("", card, name="reprint_card_message", role="message")
        box.addWidget(self.card_hint)
        box.addWidget(self.read_button)
        box.addWidget(self.card_message)
        box.addStretch(1)
        self.views.addWidget(card)
        self.card = card

        self.cases = PagedChoices(self.views, name="reprint_cases")
        self.cases.chosen.connect(self.case_chosen)
        self.views.addWidget(self.cases)

        result = QWidget(self.views)
        rbox = QVBoxLayout(result)
        self.result_text = label("", result, name="reprint_result", role="title")
        self.result_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.retry_button = KioskButton(
            "重新打印", result, name="reprint_retry", role="primary", description="再打印一次"
        )
        self.retry_button.clicked.connect(self.retry_requested)
        rbox.addStretch(1)
        rbox.addWidget(self.result_text)
        rbox.addWidget(self.retry_button)
        rbox.addStretch(1)
        self.views.addWidget(result)
        self.result = result
        self.wipe()

    def reading(self) -> None:
        self.card_message.setText("正在读取身份证，请勿移动…")
        self.read_button.setEnabled(False)

    def card_failed(self, message: str) -> None:
        self.views.setCurrentWidget(self.card)
        self.card_message.setText(message)
        self.read_button.setEnabled(True)
        self.read_button.setFocus()

    def show_cases(self, cases: list[OwnCase]) -> None:
        self.read_button.setEnabled(True)
        if not cases:
            self.card_failed("本机没有查到您的办件。在其他窗口或终端办理的办件，请到窗口补打。")
            return
        self.cases.set_entries(
            [(c.case_no, f"{c.item_name}　{c.received_on}", f"补打{c.item_name}的回执") for c in cases]
        )
        self.heading.setText("补打回执：请选择办件")
        self.views.setCurrentWidget(self.cases)
        if self.cases.buttons:
            self.cases.buttons[0].setFocus()

    def printing(self) -> None:
        self.result_text.setText("正在打印，请稍候…")
        self.retry_button.setVisible(False)
        self.views.setCurrentWidget(self.result)

    def printed(self) -> None:
        self.result_text.setText("回执已打印，请从出纸口取走。")
        self.retry_button.setVisible(False)
        self.views.setCurrentWidget(self.result)

    def print_failed(self, message: str) -> None:
        self.result_text.setText(f"打印没有成功：{message}\n请联系工作人员检查打印机后点击“重新打印”。")
        self.retry_button.setVisible(True)
        self.retry_button.setFocus()
        self.views.setCurrentWidget(self.result)

    def apply_sizes(self, sizes: KioskSizes) -> None:
        self.cases.set_page_size(sizes.list_page)

    def _fit(self) -> bool:
        """As many of the citizen's cases a page as the room holds (the mode's number at most)."""
        if self.room is not None:
            entries = list(range(self.sizes.list_page, 0, -1))
            first_fit(self, self.room.height(), entries, self.cases.set_page_size)
        return True

    @Slot()
    def wipe(self) -> None:
        self.cases.wipe()
        self.card_message.setText("")
        self.result_text.setText("")
        self.retry_button.setVisible(False)
        self.read_button.setEnabled(True)
        self.heading.setText("补打回执")
        self.views.setCurrentWidget(self.card)

    def first_focus(self) -> QWidget | None:
        current = self.views.currentWidget()
        if current is self.card:
            return self.read_button
        if current is self.result and self.retry_button.isVisible():
            return self.retry_button
        return self.cases.buttons[0] if self.cases.buttons else None

    def spoken_title(self) -> str:
        return "补打回执。请将身份证放在读卡器上。"
