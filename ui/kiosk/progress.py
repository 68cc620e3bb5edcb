"""进度查询: scan the receipt QR or type the case number and the last 4 of the ID number → state and history.

The page only shows what `KioskService` answers; a refused query shows the service's message and nothing else.
A 一件事's own number shows the bundle: its name and how many members are done, then one block per member
department (item, department, masked number, stage, promised date, the last steps), a few blocks per page
(fewer in 长辈模式; two columns in landscape) with 上一页/下一页.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRegularExpression, Qt, Signal, Slot
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.domain import hall_time
from app.services.kiosk import CaseProgress, HistoryStep, MemberProgress
from ui.kiosk.page import KioskPage, PageStack, first_fit, fit_pad
from ui.kiosk.theme import STANDARD, KioskSizes
from ui.kiosk.widgets import DigitPad, KioskButton, label

#: Steps of a member's history shown in its block (the latest; "…" says there were earlier ones).
MEMBER_STEPS = 3


def _local_time(value: object) -> str:
    import datetime as dt

    if not isinstance(value, dt.datetime):
        return ""
    return hall_time.clock_text(value, "%Y-%m-%d %H:%M")


def _short_time(value: object) -> str:
    import datetime as dt

    if not isinstance(value, dt.datetime):
        return ""
    return hall_time.clock_text(value, "%m-%d %H:%M")


def history_summary(steps: tuple[HistoryStep, ...], limit: int = MEMBER_STEPS) -> str:
    """`12-01 09:30 已收件 → 12-02 10:00 已受理`: the last `limit` steps, "…" first when there were more."""
    shown = [f"{_short_time(step.at)} {step.label}".strip() for step in steps[-limit:]]
    return ("… → " if len(steps) > limit else "") + " → ".join(shown)


class MemberBlock(QFrame):
    """One member department's case of a 一件事 (no personal data: its number is masked)."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("progress_member")
        self.box = QGridLayout(self)
        self.box.setContentsMargins(16, 10, 16, 10)
        self.box.setSpacing(4)
        self.box.setHorizontalSpacing(24)
        self.item = label("", self, name="progress_member_item", role="value")
        self.department = label("", self, name="progress_member_department")
        self.number = label("", self, name="progress_member_no", role="hint")
        self.state = label("", self, name="progress_member_state")
        self.due = label("", self, name="progress_member_due")
        self.history = label("", self, name="progress_member_history", role="hint")
        self.wide = True
        self.set_wide(False)

    def set_wide(self, wide: bool) -> None:
        """Wide (one block a page on a low screen): what it is on the left, where it stands on the right."""
        if wide == self.wide:
            return
        self.wide = wide
        labels = (self.item, self.department, self.number, self.state, self.due, self.history)
        for n, widget in enumerate(labels):
            self.box.removeWidget(widget)
            self.box.addWidget(widget, *((n % 3, n // 3) if wide else (n, 0)))

    def show_member(self, n: int, member: MemberProgress) -> None:
        self.item.setText(f"{n}. {member.item_name}")
        self.department.setText(f"办理部门：{member.department}" if member.department else "")
        self.department.setVisible(bool(member.department))
        self.number.setText(f"办件编号：{member.case_no_masked}")
        self.state.setText(f"当前状态：{member.state_label}")
        due = member.expected_date
        self.due.setText(f"承诺办结：{due.year}年{due.month}月{due.day}日" if due and not member.done else "")
        self.due.setVisible(bool(self.due.text()))
        summary = history_summary(member.history)
        self.history.setText(f"办理经过：{summary}" if summary else "")
        self.history.setVisible(bool(summary))
        self.setAccessibleName(f"第{n}项：{member.item_name}，{member.state_label}")
        self.setAccessibleDescription(
            "，".join(t for t in (self.department.text(), self.due.text(), self.history.text()) if t)
        )

    def clear(self) -> None:
        for widget in (self.item, self.department, self.number, self.state, self.due, self.history):
            widget.setText("")
        self.setAccessibleName("")
        self.setAccessibleDescription("")


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
        self._members_page = 0
        self._elder = False
        self._columns = 1
        self._pad_fitted: tuple[object, ...] = ()
        self._fitted_blocks = 0  # member blocks a page that the room holds (0: the mode's number)
        self._wide = False  # one block a page, laid out wide
        self.member_blocks: list[MemberBlock] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 16, 40, 16)
        self.heading = label("进度查询", self, name="progress_title", role="title")
        layout.addWidget(self.heading)
        self.views = PageStack(self)  # as tall as the view shown (a 一件事's blocks are chosen for the room)
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
        self.refit()
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
        # A 一件事: one block per member department, a page at a time.
        self.result_members = QWidget(result)
        self.result_members.setObjectName("progress_members")
        self.members_grid = QGridLayout(self.result_members)
        self.members_grid.setContentsMargins(0, 0, 0, 0)
        self.members_grid.setSpacing(12)
        box.addWidget(self.result_members)
        paging = QHBoxLayout()
        self.paging_row = paging
        self.members_prev = KioskButton(
            "上一页", result, name="progress_members_prev", description="显示前几个部门的进度"
        )
        self.members_page = label("", result, name="progress_members_page", role="hint", wrap=False)
        self.members_next = KioskButton(
            "下一页", result, name="progress_members_next", description="显示后几个部门的进度"
        )
        self.members_prev.clicked.connect(self._prev_members)
        self.members_next.clicked.connect(self._next_members)
        paging.addWidget(self.members_prev)
        paging.addStretch(1)
        paging.addWidget(self.members_page)
        paging.addStretch(1)
        paging.addWidget(self.members_next)
        box.addLayout(paging)
        self.result_members.setVisible(False)
        self._set_paging(False)
        box.addStretch(1)
        box.addWidget(self.result_source)
        self.result_message = label("", result, name="progress_result_message", role="message")
        box.addWidget(self.result_message)
        row = QHBoxLayout()
        self.actions_row = row
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
        if progress.is_bundle:
            self.result_case.setText(f"一件事办件编号：{progress.case_no_grouped}")
            received = _local_time(progress.history[0].at) if progress.history else ""
            self.result_item.setText(
                f"一件事：{progress.item_name}（{len(progress.members)}个部门分别办理）"
                + (f"，{received}收件" if received else "")
            )
            self.result_history.setText("")
        else:
            self.result_case.setText(f"办件编号：{progress.case_no_grouped}")
            self.result_item.setText(f"事项：{progress.item_name}" if progress.item_name else "")
            lines = [
                f"{_local_time(step.at)}　{step.label}{'　' + step.note if step.note else ''}"
                for step in progress.history
            ]
            self.result_history.setText("办理经过：\n" + "\n".join(lines) if lines else "")
        self.result_state.setText(f"当前状态：{progress.state_label}")
        self.result_history.setVisible(bool(self.result_history.text()))
        self._members_page = 0
        self._render_members()
        if progress.from_platform:
            self.result_source.setText("以上信息来自全市通办平台。")
        else:
            synced = _local_time(progress.last_synced_at)
            self.result_source.setText(
                "当前无法连接平台，以上为本机记录"
                + (f"（最后同步时间：{synced}）。" if synced else "（本机尚未与平台同步）。")
            )
        self.show_result_message("")
        self.rate_button.setVisible(progress.local)
        self.rate_button.setText("评价这件事" if progress.is_bundle else "评价此办件")
        self.rate_button.setAccessibleName(self.rate_button.text())
        self.rate_button.setAccessibleDescription(
            "一件事评价一次（好差评）" if progress.is_bundle else "为这个办件评价（好差评）"
        )
        # A 一件事's receipt is reprinted through the 补打回执 tile (its members are listed after the card).
        self.reprint_button.setVisible(progress.local and not progress.is_bundle)
        self.message.setText("")
        self.case_field.setText("")
        self.tail_field.setText("")
        self.views.setCurrentWidget(self.result)
        self.refit()
        self.rate_button.setFocus() if progress.local else self.again_button.setFocus()

    # --- a 一件事's members ------------------------------------------------------------------------------------

    def _set_paging(self, several: bool) -> None:
        for widget in (self.members_prev, self.members_page, self.members_next):
            widget.setVisible(several)

    def _render_members(self) -> None:
        members = self.shown.members if self.shown is not None else ()
        self.result_members.setVisible(bool(members))
        per_page = self.members_per_page
        pages = max(1, -(-len(members) // per_page))
        self._members_page = min(self._members_page, pages - 1)
        start = self._members_page * per_page
        shown = members[start : start + per_page]
        while len(self.member_blocks) < len(shown):
            self.member_blocks.append(MemberBlock(self.result_members))
        for block in self.member_blocks:
            self.members_grid.removeWidget(block)
        for n, block in enumerate(self.member_blocks):
            if n < len(shown):
                block.set_wide(self._wide)
                block.show_member(start + n + 1, shown[n])
                self.members_grid.addWidget(block, n // self._columns, n % self._columns)
                block.setVisible(True)
            else:
                block.clear()
                block.setVisible(False)
        several = pages > 1
        self._set_paging(several)
        self.members_prev.setEnabled(self._members_page > 0)
        self.members_next.setEnabled(self._members_page + 1 < pages)
        where = f"第{start + 1}项" if len(shown) == 1 else f"第{start + 1}至{start + len(shown)}项"
        self.members_page.setText(f"{where}，共{len(members)}项" if several else "")

    @Slot()
    def _prev_members(self) -> None:
        if self._members_page > 0:
            self._members_page -= 1
            self._render_members()
            (self.members_prev if self.members_prev.isEnabled() else self.members_next).setFocus()

    @Slot()
    def _next_members(self) -> None:
        self._members_page += 1
        self._render_members()
        (self.members_next if self.members_next.isEnabled() else self.members_prev).setFocus()

    def show_result_message(self, text: str) -> None:
        self.result_message.setText(text)
        self.result_message.setVisible(bool(text))  # an empty line would push a 一件事's blocks off the screen

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
            self.members_page,
        ):
            widget.setText("")
        self._members_page = 0
        self._render_members()
        self.message.setAccessibleName("")
        self.pad.bind(self.case_field)
        self.views.setCurrentWidget(self.entry)
        self.refit()

    def set_landscape(self, landscape: bool) -> None:
        self.entry_layout.setDirection(
            QBoxLayout.Direction.LeftToRight if landscape else QBoxLayout.Direction.TopToBottom
        )
        if self._columns != (2 if landscape else 1):
            self._columns = 2 if landscape else 1
            self._fitted_blocks = 0
            self._render_members()
        # Landscape: 上一页/下一页 in the row of the result's buttons (a row less on a 1366×768 screen).
        paging: tuple[QWidget, ...] = (self.members_prev, self.members_page, self.members_next)
        target = self.actions_row if landscape else self.paging_row
        if target.indexOf(self.members_prev) < 0:
            for moved in paging:
                (self.paging_row if landscape else self.actions_row).removeWidget(moved)
            if landscape:
                for n, moved in enumerate(paging):
                    self.actions_row.insertWidget(n, moved)
                self.actions_row.insertStretch(len(paging), 1)
            else:
                stretch = self.actions_row.itemAt(0)
                if stretch is not None and stretch.spacerItem() is not None:
                    self.actions_row.takeAt(0)
                self.paging_row.insertWidget(0, self.members_prev)
                self.paging_row.insertWidget(2, self.members_page)
                self.paging_row.insertWidget(4, self.members_next)

    @property
    def members_per_page(self) -> int:
        """Member blocks a page: 4 (two rows of two in landscape); 长辈模式, whose type is 1.5× as large: 3 in
        portrait, 2 side by side in landscape; fewer when the screen holds fewer (1366×768, 768×1366)."""
        most = (2 if self._columns == 2 else 3) if self._elder else 4
        return min(most, self._fitted_blocks) if self._fitted_blocks else most

    def _fit(self) -> bool:
        """The digit pad's keys, and a 一件事's blocks a page, for the room."""
        if self.room is None:
            return False
        height = self.room.height()
        if self.views.currentWidget() is self.entry:
            key = (self.room.width(), height, self.sizes, self.message.text())
            if key == self._pad_fitted:  # a wipe at every return home: measured once per screen and mode
                return False
            fit_pad(self, self.pad, height)
            self._pad_fitted = key
            return True
        self._fitted_blocks = 0
        self._wide = False
        most = self.members_per_page
        if self.shown is None or not self.shown.members:
            self._render_members()
            return True
        # Fewer blocks a page, down to one; then one wide block (its facts in two columns: half the lines).
        choices = [(count, False) for count in range(most, 0, -1)] + [(1, True)]

        def blocks(index: int) -> None:
            self._fitted_blocks, self._wide = choices[index]
            self._members_page = 0
            self._render_members()

        first_fit(self, height, list(range(len(choices))), blocks)
        return True

    def apply_sizes(self, sizes: KioskSizes) -> None:
        self._elder = sizes.body_px > STANDARD.body_px
        self._fitted_blocks = 0
        self._members_page = 0
        self._render_members()

    def first_focus(self) -> QWidget | None:
        return self.case_field if self.views.currentWidget() is self.entry else self.again_button

    def spoken_title(self) -> str:
        return "进度查询。请扫描回执二维码，或输入办件编号和证件号码后四位。"
