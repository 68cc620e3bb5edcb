"""After submit: the case number, big; what happens next; receipt printing progress."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.domain.case_number import format_grouped
from app.domain.models import Case, CaseState
from app.services.receipts import ReceiptService, printed_where


class SubmitResultPage(QWidget):
    """Signals:
    new_case_requested(): the clerk wants the next case (Ctrl+N).
    list_requested(): the clerk wants today's cases.
    """

    new_case_requested = Signal()
    list_requested = Signal()

    def __init__(self, receipts: ReceiptService | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("submit_result_page")
        self._case_no = ""
        self._case: Case | None = None
        self._receipts = receipts
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        self.title = QLabel(self)
        self.title.setObjectName("result_title")
        self.number_caption = QLabel(self.tr("Case number"), self)
        self.number = QLabel(self)
        self.number.setObjectName("case_number_big")
        self.number.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.number.setAccessibleName(self.tr("Case number"))
        self.details = QLabel(self)
        self.details.setObjectName("result_details")
        self.details.setWordWrap(True)
        self.print_state = QLabel(self)
        self.print_state.setObjectName("print_state")
        self.print_state.setWordWrap(True)
        for w in (self.title, self.number_caption, self.number, self.details, self.print_state):
            w.setAlignment(Qt.AlignmentFlag.AlignCenter)
            layout.addWidget(w)
        row = QHBoxLayout()
        self.print_refusal = QPushButton(self.tr("Print refusal notice"), self)
        self.print_refusal.setObjectName("print_refusal_notice")
        self.print_refusal.setAccessibleName(self.tr("Print the refusal notice (不予收件告知书)"))
        self.print_refusal.hide()
        self.print_refusal.clicked.connect(self.print_refusal_notice)
        self.new_case = QPushButton(self.tr("Next case (Ctrl+N)"), self)
        self.new_case.setObjectName("primary")
        self.to_list = QPushButton(self.tr("Today's cases (F3)"), self)
        self.to_list.setObjectName("to_list")
        row.addStretch(1)
        row.addWidget(self.print_refusal)
        row.addWidget(self.new_case)
        row.addWidget(self.to_list)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(2)
        self.new_case.clicked.connect(self.new_case_requested)
        self.to_list.clicked.connect(self.list_requested)
        if receipts is not None:
            receipts.printed.connect(self._on_printed)
            receipts.failed.connect(self._on_failed)

    def show_case(self, case: Case, *, printing: bool) -> None:
        self._case_no = case.case_no
        self._case = case
        refused = case.state is CaseState.REFUSED
        # A refused case gets a 不予收件告知书 instead of a receipt: offered, printed when the clerk asks.
        self.print_refusal.setVisible(refused and self._receipts is not None)
        self.print_refusal.setEnabled(True)
        self.title.setText(self.tr("Refused (不予收件) and recorded") if refused else self.tr("Received (收件)"))
        self.number.setText(format_grouped(case.case_no))
        lines = [case.item_name]
        if refused:
            lines.append(self.tr("Reason: {reason}").format(reason=case.refusal_reason))
        else:
            if case.missing_materials:
                names = "、".join(m.name for m in case.missing_materials)
                lines.append(self.tr("One-time notice of missing materials: {names}").format(names=names))
            if case.expected_date is not None:
                date = case.expected_date.isoformat() + (self.tr(" (estimated)") if case.expected_is_estimate else "")
                lines.append(self.tr("Expected completion: {date}").format(date=date))
        self.details.setText("\n".join(lines))
        self.print_state.setText(self.tr("Printing the receipt…") if printing else "")
        if refused and self._receipts is not None:
            self.print_state.setText(self.tr("Hand the applicant a refusal notice: print it here."))
        self.new_case.setFocus()

    @Slot()
    def print_refusal_notice(self) -> None:
        """Print the refused case's 不予收件告知书 on the configured printer (the clerk who refused it signs it)."""
        if self._case is None or self._receipts is None:
            return
        self.print_refusal.setEnabled(False)
        self.print_state.setText(self.tr("Printing the refusal notice…"))
        self._receipts.print_case(case=self._case, staff_no=self._case.routing.staff_no)

    @Slot(str, str, str)
    def _on_printed(self, _job: str, case_no: str, destination: str) -> None:
        if case_no == self._case_no:
            self.print_refusal.setEnabled(True)
            where = printed_where(destination)
            if self._case is not None and self._case.state is CaseState.REFUSED:
                self.print_state.setText(self.tr("Refusal notice printed ({where}).").format(where=where))
            else:
                self.print_state.setText(self.tr("Receipt printed ({where}).").format(where=where))

    @Slot(str, str, str)
    def _on_failed(self, _job: str, case_no: str, message: str) -> None:
        if case_no == self._case_no:
            self.print_refusal.setEnabled(True)
            self.print_state.setText(
                self.tr("Not printed: {reason} The case is saved; print it again from today's cases.").format(
                    reason=message
                )
            )
