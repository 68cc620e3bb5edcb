"""进度查询: scan the receipt QR or type the case number and the last 4 of the ID number → state and history.

The page only shows what `KioskService` answers; a refused query shows the service's message and nothing else.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRegularExpression, Qt, Signal, Slot
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import QBoxLayout, QGridLayout, QHBoxLayout, QLineEdit, QStackedWidget, QVBoxLayout, QWidget

from app.domain import hall_time
from app.services.kiosk import CaseProgress
from ui.kiosk.page import KioskPage
from ui.kiosk.widgets import DigitPad, KioskButton, label


def _local_time(value: object) -> str:
    import datetime as dt

    if not isinstance(value, dt.datetime):
        return ""
    return hall_time.clock_text(value, "%Y-%m-%d %H:%M")


class ProgressPage(KioskPage):
    """Entry (fields + digit pad) and result views.

    Signals:
        query_requested(str, str): case number and last 4 characters, as typed.
        rate_requested(str): the citizen wants to rate the case shown.
        reprint_requested(str): the citizen wants the receipt of the case shown again.
    """

    title = "进度查询"
    query_requested = Signal(str, str)
    rate_requested = Signal(str)
    reprint_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("kiosk_progress")
        self.shown: CaseProgress | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 16, 40, 16)
        self.heading = label("进度查询", self, name="progress_title", role="title")
        layout.addWidget(self.heading)
        self.views = QStackedWidget(self)
        self.views.setObjectName("progress_views")
        layout.addWidget(self.views, 1)
        self._build_entry()
        self._build_result()

    # --- entry -----------------------------------------------------------------------------------------------

    def _build_entry(self) -> None:
        entry = QWidget(self.views)
        entry.setObjectName("progress_entry")
        self.entry_layout = QBoxLayout(QBoxLayout.Direction.TopToBottom, entry)
        self.entry_layout.setSpacing(24)
        left = QVBoxLayout()
        left.setSpacing(14)
        box = left
        self.scan_hint = label(
            "请将收件回执上的二维码对准扫码口；或输入办件编号和证件号码后四位。",
            entry,
            name="progress_hint",
            role="hint",
        )
        box.addWidget(self.scan_hint)
        form = QGridLayout()
        form.setHorizontalSpacing(16)
        self.case_label = label("办件编号（26位数字）", entry, name="case_no_label", wrap=False)
        self.case_field = QLineEdit(entry)
        self.case_field.setObjectName("case_no_field")
        self.case_field.setMaxLength(26)
        self.case_field.setValidator(QRegularExpressionValidator(QRegularExpression("[0-9]{0,26}"), self.case_field))
        self.case_field.setAccessibleName("办件编号")
        self.case_field.setAccessibleDescription("收件回执上的26位办件编号")
        self.case_label.setBuddy(self.case_field)
        self.tail_label = label("证件号码后四位", entry, name="id_tail_label", wrap=False)
        self.tail_field = QLineEdit(entry)
        self.tail_field.setObjectName("id_tail_field")
        self.tail_field.setMaxLength(4)
        self.tail_field.setValidator(QRegularExpressionValidator(QRegularExpression("[0-9Xx]{0,4}"), self.tail_field))
        self.tail_field.setAccessibleName("证件号码后四位")
        self.tail_field.setAccessibleDescription("申请人身份证号码或统一社会信用代码的最后四位")
        self.tail_label.setBuddy(self.tail_field)
        form.addWidget(self.case_label, 0, 0)
        form.addWidget(self.case_field, 1, 0)
        form.addWidget(self.tail_label, 0, 1)
        form.addWidget(self.tail_field, 1, 1)
        form.setColumnStretch(0, 4)
        form.setColumnStretch(1, 1)
        box.addLayout(form)
        self.message = label("", entry, name="progress_message", role="message")
        box.addWidget(self.message)
        self.query_button = KioskButton(
            "查询", entry, name="progress_query", role="primary", description="查询办件进度"
        )
        self.query_button.clicked.connect(self._submit)
        box.addWidget(self.query_button)
        box.addStretch(1)
        self.entry_layout.addLayout(left, 1)
        self.pad = DigitPad(entry, name="progress_pad")
        self.pad.enter_pressed.connect(self._enter)
        self.entry_layout.addWidget(self.pad, 1)
        for field in (self.case_field, self.tail_field):
            field.installEventFilter(self)
            field.returnPressed.connect(self._enter)
        self.pad.bind(self.case_field)
        self.views.addWidget(entry)
        self.entry = entry

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusIn and isinstance(watched, QLineEdit):
            self.pad.bind(watched)
        return False

    @Slot()
    def _enter(self) -> None:
        if self.pad.target is self.case_field and len(self.case_field.text()) == 26 and not self.tail_field.text():
            self.tail_field.setFocus(Qt.FocusReason.OtherFocusReason)
            self.pad.bind(self.tail_field)
            return
        self._submit()

    @Slot()
    def _submit(self) -> None:
        case_no, tail = self.case_field.text(), self.tail_field.text()
        if not case_no:
            self.show_message("请输入办件编号。")
            self.case_field.setFocus()
            return
        if len(tail) != 4:
            self.show_message("请输入证件号码的后四位（最后一位可能是X）。")
            self.tail_field.setFocus()
            self.pad.bind(self.tail_field)
            return
        self.message.setText("正在查询，请稍候…")
        self.query_requested.emit(case_no, tail)

    def show_message(self, text: str) -> None:
        self.views.setCurrentWidget(self.entry)
        self.message.setText(text)
        self.message.setAccessibleName(text)

    # --- result ----------------------------------------------------------------------------------------------

    def _build_result(self) -> None:
        result = QWidget(self.views)
        result.setObjectName("progress_result")
        box = QVBoxLayout(result)
        box.setSpacing(12)
        self.result_case = label("", result, name="progress_case_no", role="value")
        self.result_item = label("", result, name="progress_item")
        self.result_state = label("", result, name="progress_state")
        self.result_history = label("", result, name="progress_history")
        self.result_source = label("", result, name="progress_source", role="hint")
        for widget in (self.result_case, self.result_item, self.result_state, self.result_history):
            box.addWidget(widget)
        box.addStretch(1)
        box.addWidget(self.result_source)
        self.result_message = label("", result, name="progress_result_message", role="message")
        box.addWidget(self.result_message)
        row = QHBoxLayout()
        self.rate_button = KioskButton(
            "评价此办件", result, name="progress_rate", description="为这个办件评价（好差评）"
        )
        self.reprint_button = KioskButton("补打回执", result, name="progress_reprint", description="刷身份证后补打回执")
        self.again_button = KioskButton("查询其他办件", result, name="progress_again", description="返回输入页面")
        self.rate_button.clicked.connect(self._rate)
        self.reprint_button.clicked.connect(self._reprint)
        self.again_button.clicked.connect(self.wipe)
        for button in (self.rate_button, self.reprint_button, self.again_button):
            row.addWidget(button)
        box.addLayout(row)
        self.views.addWidget(result)
        self.result = result

    def show_progress(self, progress: CaseProgress) -> None:
        self.shown = progress
        self.result_case.setText(f"办件编号：{progress.case_no_grouped}")
        self.result_item.setText(f"事项：{progress.item_name}" if progress.item_name else "")
        self.result_state.setText(f"当前状态：{progress.state_label}")
        lines = [
            f"{_local_time(step.at)}　{step.label}{'　' + step.note if step.note else ''}" for step in progress.history
        ]
        self.result_history.setText("办理经过：\n" + "\n".join(lines) if lines else "")
        if progress.from_platform:
            self.result_source.setText("以上信息来自全市通办平台。")
        else:
            synced = _local_time(progress.last_synced_at)
            self.result_source.setText(
                "当前无法连接平台，以上为本机记录"
                + (f"（最后同步时间：{synced}）。" if synced else "（本机尚未与平台同步）。")
            )
        self.result_message.setText("")
        self.rate_button.setVisible(progress.local)
        self.reprint_button.setVisible(progress.local)
        self.message.setText("")
        self.case_field.setText("")
        self.tail_field.setText("")
        self.views.setCurrentWidget(self.result)
        self.rate_button.setFocus() if progress.local else self.again_button.setFocus()

    def show_result_message(self, text: str) -> None:
        self.result_message.setText(text)

    @Slot()
    def _rate(self) -> None:
        if self.shown is not None:
            self.rate_requested.emit(self.shown.case_no)

    @Slot()
    def _reprint(self) -> None:
        if self.shown is not None:
            self.reprint_requested.emit(self.shown.case_no)

    # --- page ------------------------------------------------------------------------------------------------

    @Slot()
    def wipe(self) -> None:
        self.shown = None
        for field in (self.case_field, self.tail_field):
            field.setText("")
        for widget in (
            self.message,
            self.result_case,
            self.result_item,
            self.result_state,
            self.result_history,
            self.result_source,
            self.result_message,
        ):
            widget.setText("")
        self.message.setAccessibleName("")
        self.pad.bind(self.case_field)
        self.views.setCurrentWidget(self.entry)

    def set_landscape(self, landscape: bool) -> None:
        self.entry_layout.setDirection(
            QBoxLayout.Direction.LeftToRight if landscape else QBoxLayout.Direction.TopToBottom
        )

    def first_focus(self) -> QWidget | None:
        return self.case_field if self.views.currentWidget() is self.entry else self.again_button

    def spoken_title(self) -> str:
        return "进度查询。请扫描回执二维码，或输入办件编号和证件号码后四位。"
