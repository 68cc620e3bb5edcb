"""Today's cases at this terminal: number, item, applicant (masked), time, state, sync, rating; search, filter,
detail. Re-queried when `CaseListService.cases_changed` fires (a submit, or a state update from the platform)."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.domain import hall_time
from app.domain.case_number import format_grouped
from app.domain.masking import Field, Surface, mask_for
from app.domain.models import Case, CaseState, EnterpriseApplicant, OriginalsHandling, PersonApplicant, ReceiptOutput
from app.services.case_list import STATE_LABELS, CaseListService, CaseRow
from app.services.errors import UserFacingError
from app.services.intake import IntakeService, SubmitRefusedError
from app.services.receipts import ReceiptService, printed_where
from app.services.staff import StaffService
from ui.widgets.accessible import enable_named_clear_button, tie_label
from ui.widgets.item_guide import DELIVERY_ZH

STATUS_ZH = {"original": "收原件", "copy": "收复印件", "missing": "缺", "not_applicable": "不适用"}


def detail_html(case: Case) -> str:
    """The case for the clerk's detail pane: masked personal values (a list surface, not the edit form)."""
    a = case.applicant

    def m(field: Field, value: str) -> str:
        return escape(mask_for(Surface.SCREEN_LIST, field, value))

    rows = [
        ("办件编号", escape(format_grouped(case.case_no))),
        ("事项", escape(f"{case.item_name}（{case.item_code}）")),
    ]
    if isinstance(a, PersonApplicant):
        rows += [
            ("申请人", m(Field.NAME, a.name)),
            ("身份证号码", m(Field.ID_NUMBER, a.id_number)),
            ("联系电话", m(Field.PHONE, a.phone)),
        ]
    elif isinstance(a, EnterpriseApplicant):
        rows += [
            ("企业", escape(a.name)),
            ("统一社会信用代码", m(Field.CREDIT_CODE, a.credit_code)),
            ("联系人", m(Field.NAME, a.contact_name)),
        ]
    if case.agent is not None:
        rows.append(("代办人", m(Field.NAME, case.agent.name)))
    r = case.routing
    rows += [
        ("状态", escape(STATE_LABELS.get(case.state, case.state.value))),
        ("收件", escape(f"{r.division}-{r.hall} 窗口{r.window} 工号{r.staff_no}")),
        ("审批部门", escape(f"{r.department}（{r.jurisdiction}）")),
        (
            "结果送达",
            escape(DELIVERY_ZH[case.delivery.method])
            + (f"，{m(Field.ADDRESS, case.delivery.address)}" if case.delivery.address else ""),
        ),
    ]
    if r.tracking_no:
        rows.append(("原件邮寄单号", escape(r.tracking_no)))
    if case.refusal_reason:
        rows.append(("不予收件理由", escape(case.refusal_reason)))
    if case.expected_date:
        rows.append(("预计办结", case.expected_date.isoformat() + ("（预计）" if case.expected_is_estimate else "")))
    mats = "".join(
        f"<li>{escape(x.name)}：{STATUS_ZH[x.status.value]}"
        + (f" {x.count}份" if x.count else "")
        + (f"，扫描件{len(x.attachments)}个" if x.attachments else "")
        + "</li>"
        for x in case.materials
    )
    table = "".join(f"<tr><td><b>{k}</b></td><td>{v}</td></tr>" for k, v in rows)
    return f"<table cellspacing=4>{table}</table><p><b>材料</b></p><ul>{mats}</ul>"


class TodayCasesPage(QWidget):
    def __init__(
        self,
        cases: CaseListService,
        intake: IntakeService,
        staff: StaffService,
        parent: QWidget | None = None,
        receipts: ReceiptService | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("today_cases_page")
        self._cases = cases
        self._intake = intake
        self._staff = staff
        self._receipts = receipts
        self._reprint_job = ""  # the job of the last 补打 asked for here (its outcome is shown beside the button)
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.search = QLineEdit(self)
        self.search.setObjectName("case_search")
        self.search.setPlaceholderText(self.tr("Search by case number or masked name"))
        self.search.setAccessibleName(self.tr("Search today's cases"))
        enable_named_clear_button(self.search)
        self.state = QComboBox(self)
        self.state.setObjectName("state_filter")
        self.state.setAccessibleName(self.tr("Filter by state"))
        self.state.addItem(self.tr("All states"), "")
        for state, label in STATE_LABELS.items():
            if state is not CaseState.DRAFT:
                self.state.addItem(label, state.value)
        state_label = QLabel(self.tr("State"), self)
        tie_label(state_label, self.state, self.tr("Filter by state:"))
        bar.addWidget(self.search, 1)
        bar.addWidget(state_label)
        bar.addWidget(self.state)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self._build_table(splitter)
        splitter.setSizes([760, 420])
        self.tracking_box = self._tracking_box()
        self.print_box = self._print_box()
        self.failed_box = self._failed_box()
        layout.addLayout(bar)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.tracking_box)
        layout.addWidget(self.print_box)
        layout.addWidget(self.failed_box)
        self.search.textChanged.connect(self.refresh)
        self.state.currentIndexChanged.connect(self.refresh)
        self.table.currentCellChanged.connect(self._on_current)
        cases.cases_changed.connect(self._on_cases_changed)
        self.rows: list[CaseRow] = []
        self._selected: Case | None = None
        self._stale = True

    def _build_table(self, splitter: QSplitter) -> None:
        """The case table and the detail pane beside it."""
        self.table = QTableWidget(0, 7, splitter)
        self.table.setObjectName("cases_table")
        self.table.setAccessibleName(self.tr("Today's cases"))
        self.table.setHorizontalHeaderLabels(list(self._headers()))
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        for column in range(7):
            mode = QHeaderView.ResizeMode.Stretch if column == 1 else QHeaderView.ResizeMode.ResizeToContents
            header.setSectionResizeMode(column, mode)
        self.detail = QTextBrowser(splitter)
        self.detail.setObjectName("case_detail")
        self.detail.setAccessibleName(self.tr("Case detail"))

    def _tracking_box(self) -> QWidget:
        """Tracking number of mailed originals (邮寄跑腿), entered once the envelope has gone."""
        tracking_row = QHBoxLayout()
        self.tracking = QLineEdit(self)
        self.tracking.setObjectName("tracking_no")
        self.tracking.setPlaceholderText(self.tr("Tracking number of the mailed originals"))
        self.tracking.setAccessibleName(self.tr("Tracking number of the mailed originals"))
        self.tracking.setMaxLength(40)
        self.tracking_button = QPushButton(self.tr("Record tracking number"), self)
        self.tracking_button.setObjectName("record_tracking_no")
        self.tracking_message = QLabel(self)
        self.tracking_message.setProperty("role", "error")
        tracking_row.addWidget(self.tracking, 1)
        tracking_row.addWidget(self.tracking_button)
        tracking_row.addWidget(self.tracking_message)
        box = QWidget(self)
        box.setLayout(tracking_row)
        box.hide()
        self.tracking_button.clicked.connect(self.record_tracking)
        self.tracking.returnPressed.connect(self.record_tracking)
        return box

    def _print_box(self) -> QWidget:
        """预览 / 补打 of the selected case: both documents, on the printer the clerk picks (or to PDF)."""
        row = QHBoxLayout()
        self.output = QComboBox(self)
        self.output.setObjectName("reprint_output")
        self.output.setAccessibleName(self.tr("Print on"))
        self.output.addItem(self.tr("Configured printer"), None)
        self.output.addItem(self.tr("A4 printer"), ReceiptOutput.PRINTER.value)
        self.output.addItem(self.tr("Receipt printer (thermal)"), ReceiptOutput.THERMAL.value)
        self.output.addItem(self.tr("PDF file"), ReceiptOutput.PDF.value)
        output_label = QLabel(self.tr("Print on:"), self)
        tie_label(output_label, self.output, self.tr("Print on:"))
        self.preview_button = QPushButton(self.tr("Preview"), self)
        self.preview_button.setObjectName("preview_receipt")
        self.reprint_button = QPushButton(self.tr("Reprint (补打)"), self)
        self.reprint_button.setObjectName("reprint_receipt")
        self.print_message = QLabel(self)
        self.print_message.setObjectName("reprint_message")
        self.print_message.setWordWrap(True)
        row.addWidget(output_label)
        row.addWidget(self.output)
        row.addWidget(self.preview_button)
        row.addWidget(self.reprint_button)
        row.addWidget(self.print_message, 1)
        box = QWidget(self)
        box.setLayout(row)
        box.setVisible(self._receipts is not None)
        self.preview_button.clicked.connect(self.preview)
        self.reprint_button.clicked.connect(self.reprint)
        if self._receipts is not None:
            self._receipts.printed.connect(self._on_printed)
            self._receipts.failed.connect(self._on_failed)
            self._receipts.queue_changed.connect(self._refresh_failed)
        return box

    def _failed_box(self) -> QWidget:
        """Prints that failed (this run or an earlier one): retry, send to PDF instead, or dismiss."""
        column = QVBoxLayout()
        self.failed_title = QLabel(self)
        self.failed_title.setProperty("role", "error")
        self.failed_list = QListWidget(self)
        self.failed_list.setObjectName("failed_prints")
        self.failed_list.setAccessibleName(self.tr("Prints that failed"))
        self.failed_list.setMaximumHeight(110)
        buttons = QHBoxLayout()
        self.retry_button = QPushButton(self.tr("Retry"), self)
        self.retry_button.setObjectName("retry_print")
        self.to_pdf_button = QPushButton(self.tr("Save as PDF instead"), self)
        self.to_pdf_button.setObjectName("redirect_print_to_pdf")
        self.dismiss_button = QPushButton(self.tr("Dismiss"), self)
        self.dismiss_button.setObjectName("dismiss_print")
        for button in (self.retry_button, self.to_pdf_button, self.dismiss_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        column.addWidget(self.failed_title)
        column.addWidget(self.failed_list)
        column.addLayout(buttons)
        box = QWidget(self)
        box.setLayout(column)
        box.hide()
        self.retry_button.clicked.connect(self.retry_failed)
        self.to_pdf_button.clicked.connect(self.redirect_failed)
        self.dismiss_button.clicked.connect(self.dismiss_failed)
        return box

    def _headers(self) -> tuple[str, ...]:
        return (
            self.tr("Case number"),
            self.tr("Item"),
            self.tr("Applicant"),
            self.tr("Time"),
            self.tr("State"),
            self.tr("Sync"),
            self.tr("Rating"),
        )

    @Slot()
    def _on_cases_changed(self) -> None:
        """Re-query now when shown; otherwise when next shown (a submit should not pay for a hidden list)."""
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True

    def showEvent(self, event: QShowEvent) -> None:
        if self._stale:
            self.refresh()
        self._refresh_failed()
        super().showEvent(event)

    @Slot()
    def refresh(self, *_args: object) -> None:
        self._stale = False
        state = self.state.currentData()
        self.rows = self._cases.today(text=self.search.text(), state=CaseState(state) if state else None)
        self.table.setRowCount(len(self.rows))
        for i, row in enumerate(self.rows):
            values = (
                row.case_no_grouped,
                row.item_name,
                row.applicant_masked,
                hall_time.clock_text(row.created_at),
                row.state_label,
                row.sync_label,
                row.rating_label,
            )
            for j, value in enumerate(values):
                self.table.setItem(i, j, QTableWidgetItem(value))
        keep = self._selected.case_no if self._selected else ""
        index = next((i for i, r in enumerate(self.rows) if r.case_no == keep), 0)
        self.table.blockSignals(True)
        self.table.setCurrentCell(index if self.rows else -1, 0)
        self.table.blockSignals(False)
        self._on_current(index if self.rows else -1, 0, -1, -1)  # the detail follows even when the row is the same

    @Slot(int, int, int, int)
    def _on_current(self, row: int, _col: int, _prev_row: int, _prev_col: int) -> None:
        case = self._cases.detail(case_no=self.rows[row].case_no) if 0 <= row < len(self.rows) else None
        self.detail.setHtml(detail_html(case) if case else "")
        self._selected = case
        mailed = case is not None and case.routing.originals is OriginalsHandling.MAIL_ORIGINALS
        self.tracking_box.setVisible(mailed and case is not None and case.state is not CaseState.REFUSED)
        self.tracking.setText(case.routing.tracking_no if case else "")
        self.tracking_message.clear()
        for button in (self.preview_button, self.reprint_button):
            button.setEnabled(case is not None)

    # --- 预览 / 补打 ----------------------------------------------------------------------------------------

    def _chosen_output(self) -> ReceiptOutput | None:
        value = self.output.currentData()
        return ReceiptOutput(value) if value else None

    @Slot()
    def preview(self) -> None:
        """The selected case's documents as the chosen printer would print them, with 打印 / 输出PDF."""
        case = self._selected
        if case is None or self._receipts is None:
            return
        from ui.dialogs.print_preview import PrintPreviewDialog

        dialog = PrintPreviewDialog(
            self._receipts, case=case, staff_no=self._staff.staff_no, output=self._chosen_output(), parent=self
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.preview_dialog = dialog
        dialog.open()

    @Slot()
    def reprint(self) -> None:
        """Print the selected case's documents again; one printed on paper before is marked 补打."""
        case = self._selected
        if case is None or self._receipts is None:
            return
        self._reprint_job = self._receipts.reprint(
            case_no=case.case_no, staff_no=self._staff.staff_no, output=self._chosen_output()
        )
        self.print_message.setText(self.tr("Printing…"))

    @Slot(str, str, str)
    def _on_printed(self, job_id: str, _case_no: str, destination: str) -> None:
        if job_id == self._reprint_job:
            self.print_message.setText(self.tr("Printed ({where}).").format(where=printed_where(destination)))
        self._refresh_failed()

    @Slot(str, str, str)
    def _on_failed(self, job_id: str, _case_no: str, message: str) -> None:
        if job_id == self._reprint_job:
            self.print_message.setText(self.tr("Not printed: {reason}").format(reason=message))
        self._refresh_failed()

    @Slot()
    def _refresh_failed(self, *_args: object) -> None:
        jobs = self._receipts.failed_jobs() if self._receipts is not None else []
        self.failed_list.clear()
        for job in jobs:
            text = self.tr("{case}  {time}  {reason}").format(
                case=format_grouped(job.case_no), time=hall_time.clock_text(job.created_at), reason=job.error
            )
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, job.job_id)
            self.failed_list.addItem(item)
        if jobs:
            self.failed_list.setCurrentRow(0)
        self.failed_title.setText(self.tr("%n print(s) failed: retry, save as PDF or dismiss.", "", len(jobs)))
        self.failed_box.setVisible(bool(jobs))

    def _failed_job(self) -> str:
        item = self.failed_list.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else ""

    @Slot()
    def retry_failed(self) -> None:
        if (job := self._failed_job()) and self._receipts is not None:
            self._receipts.retry(job_id=job)

    @Slot()
    def redirect_failed(self) -> None:
        if (job := self._failed_job()) and self._receipts is not None:
            self._receipts.redirect_to_pdf(job_id=job)

    @Slot()
    def dismiss_failed(self) -> None:
        if (job := self._failed_job()) and self._receipts is not None:
            self._receipts.dismiss(job_id=job)

    @Slot()
    def record_tracking(self) -> None:
        case = self._selected
        if case is None:
            return
        try:
            self._intake.record_tracking_number(
                case_no=case.case_no, tracking_no=self.tracking.text(), staff_no=self._staff.staff_no
            )
        except SubmitRefusedError as exc:
            self.tracking_message.setText(exc.errors[0].message)
        except (LookupError, UserFacingError) as exc:
            self.tracking_message.setText(getattr(exc, "message", "") or self.tr("Case not found"))
