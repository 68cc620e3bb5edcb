"""自助收件: choose a self-service item → 情形 questions → ID card → phone → materials at hand → delivery → confirm →
submit → receipt printed here → rating offer. The rules are `KioskIntakeService`'s (the counter's IntakeService)."""

from __future__ import annotations

import itertools

from PySide6.QtCore import QRegularExpression, Qt, Signal, Slot
from PySide6.QtGui import QFontMetrics, QRegularExpressionValidator
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QLineEdit, QVBoxLayout, QWidget

from app.domain.masking import mask_phone
from app.domain.models import DeliveryMethod
from app.services.errors import UserFacingError
from app.services.kiosk_intake import DELIVERY_LABELS, KioskIntakeService
from ui.kiosk.choices import PagedChoices
from ui.kiosk.page import KioskPage, PageStack, first_fit, fit_keyboard, fit_pad
from ui.kiosk.theme import KioskSizes, border_px
from ui.kiosk.widgets import DigitPad, KioskButton, label
from ui.widgets.pinyin import pinyin_candidates
from ui.widgets.pinyin import warm_up as pinyin_warm_up
from ui.widgets.touch_keyboard import TouchKeyboard

CARD_PROMPT = "请将您本人的身份证平放在读卡器上，然后点击读取身份证"
MATERIALS_PROMPT = "请点选您现在带齐的材料，选中的显示已带。没带的材料也可以先收件"


class IntakePage(KioskPage):
    """Views in a stack: items, question, card, phone, materials, delivery, confirm, result.

    Signals:
        rate_requested(str): rate the case just received.
        finished(): back to the home page.
    """

    title = "自助收件"
    rate_requested = Signal(str)
    finished = Signal()

    def __init__(self, service: KioskIntakeService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("kiosk_intake")
        self.service = service
        self.case_no = ""
        self._job = ""
        self._question = ""
        self._landscape = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 16, 40, 16)
        self.heading = label("自助收件", self, name="intake_title", role="title")
        layout.addWidget(self.heading)
        self.message = label("", self, name="intake_message", role="message")
        layout.addWidget(self.message)
        self.views = PageStack(self)  # as tall as the step shown, not as the tallest step (the name keyboard)
        self.views.setObjectName("intake_views")
        layout.addWidget(self.views, 1)

        self._build_choosing()
        self._build_applicant()
        self._build_typed()
        self._build_materials()
        self._build_end()
        service.card_read.connect(self._card_read)
        service.card_failed.connect(self._card_failed)
        service.printed.connect(self._printed)
        service.print_failed.connect(self._print_failed)
        self.wipe()

    def _build_choosing(self) -> None:
        self.items = PagedChoices(self.views, name="intake_items")
        self.items.chosen.connect(self._item_chosen)
        self.views.addWidget(self.items)

        self.question_view = QWidget(self.views)
        qbox = QVBoxLayout(self.question_view)
        self.question_text = label("", self.question_view, name="intake_question", role="title")
        self.options = PagedChoices(self.question_view, name="intake_options")
        self.options.chosen.connect(self._option_chosen)
        self.back_question = KioskButton(
            "上一题", self.question_view, name="intake_back_question", description="回到上一个问题"
        )
        self.back_question.clicked.connect(self._previous_question)
        qbox.addWidget(self.question_text)
        qbox.addWidget(self.options, 1)
        qbox.addWidget(self.back_question)
        self.views.addWidget(self.question_view)

    def _build_applicant(self) -> None:
        self.card_view = QWidget(self.views)
        cbox = QVBoxLayout(self.card_view)
        cbox.addWidget(
            label("请将您本人的身份证平放在读卡器上，然后点击“读取身份证”。", self.card_view, name="intake_card_hint")
        )
        self.read_button = KioskButton(
            "读取身份证", self.card_view, name="intake_read", role="primary", description="读取身份证"
        )
        self.read_button.clicked.connect(self._read)
        cbox.addWidget(self.read_button)
        cbox.addStretch(1)
        self.views.addWidget(self.card_view)

        self.phone_view = QWidget(self.views)
        self.phone_layout = QBoxLayout(QBoxLayout.Direction.TopToBottom, self.phone_view)
        self.phone_layout.setSpacing(24)
        pbox = QVBoxLayout()
        self.applicant_text = label("", self.phone_view, name="intake_applicant")
        self.phone_label = label(
            "联系电话（手机号码或固定电话）", self.phone_view, name="intake_phone_label", wrap=False
        )
        self.phone_field = QLineEdit(self.phone_view)
        self.phone_field.setObjectName("intake_phone_field")
        self.phone_field.setMaxLength(13)
        self.phone_field.setValidator(QRegularExpressionValidator(QRegularExpression("[0-9-]{0,13}"), self.phone_field))
        self.phone_field.setAccessibleName("联系电话")
        self.phone_field.setAccessibleDescription("用于通知您办理结果的电话号码")
        self.phone_field.returnPressed.connect(self._phone_entered)
        self.phone_label.setBuddy(self.phone_field)
        self.pad = DigitPad(self.phone_view, with_x=False, name="intake_pad")
        self.pad.bind(self.phone_field)
        self.pad.enter_pressed.connect(self._phone_entered)
        for widget in (self.applicant_text, self.phone_label, self.phone_field):
            pbox.addWidget(widget)
        pbox.addStretch(1)
        self.phone_layout.addLayout(pbox, 1)
        self.phone_layout.addWidget(self.pad, 1)
        self.views.addWidget(self.phone_view)

    def _build_typed(self) -> None:
        self.typed_view = QWidget(self.views)
        self.typed_layout = QBoxLayout(QBoxLayout.Direction.TopToBottom, self.typed_view)
        self.typed_layout.setSpacing(24)
        left = QVBoxLayout()
        self.id_label = label(
            "本机没有身份证读卡器，请输入您的身份证号码（18位）", self.typed_view, name="intake_id_label"
        )
        self.id_field = QLineEdit(self.typed_view)
        self.id_field.setObjectName("intake_id_field")
        self.id_field.setMaxLength(18)
        self.id_field.setValidator(QRegularExpressionValidator(QRegularExpression("[0-9Xx]{0,18}"), self.id_field))
        self.id_field.setAccessibleName("身份证号码")
        self.id_field.setAccessibleDescription("申请人本人的18位身份证号码，最后一位可能是X")
        self.id_field.returnPressed.connect(self._id_entered)
        self.id_label.setBuddy(self.id_field)
        left.addWidget(self.id_label)
        left.addWidget(self.id_field)
        left.addStretch(1)
        self.typed_layout.addLayout(left, 1)
        self.id_pad = DigitPad(self.typed_view, name="intake_id_pad")
        self.id_pad.bind(self.id_field)
        self.id_pad.enter_pressed.connect(self._id_entered)
        self.typed_layout.addWidget(self.id_pad, 1)
        self.views.addWidget(self.typed_view)

        self.name_view = QWidget(self.views)
        # Landscape: the name, its field and 下一步 beside the keyboard (the keyboard under them needs more height
        # than a 1366×768 screen has); portrait: one above the other.
        self.name_layout = QBoxLayout(QBoxLayout.Direction.TopToBottom, self.name_view)
        self.name_layout.setSpacing(24)
        nbox = QVBoxLayout()
        self.name_label = label("请输入您的姓名（点“中”输入拼音选字）", self.name_view, name="intake_name_label")
        self.name_field = QLineEdit(self.name_view)
        self.name_field.setObjectName("intake_name_field")
        self.name_field.setMaxLength(30)
        self.name_field.setAccessibleName("姓名")
        self.name_field.setAccessibleDescription("申请人本人的姓名，与身份证一致")
        self.name_field.returnPressed.connect(self._name_entered)
        self.name_label.setBuddy(self.name_field)
        self.name_keyboard = TouchKeyboard(
            self.name_view, name="intake_keyboard", candidates=pinyin_candidates, chinese=True, warm_up=pinyin_warm_up
        )
        self.name_keyboard.bind(self.name_field)
        self.name_next = KioskButton(
            "下一步", self.name_view, name="intake_name_next", role="primary", description="姓名输入完成"
        )
        self.name_next.clicked.connect(self._name_entered)
        for widget in (self.name_label, self.name_field, self.name_next):
            nbox.addWidget(widget)
        nbox.addStretch(1)
        self.name_layout.addLayout(nbox, 1)
        self.name_layout.addWidget(self.name_keyboard, 1)
        self.views.addWidget(self.name_view)

    def _build_materials(self) -> None:
        self.materials_view = QWidget(self.views)
        mbox = QVBoxLayout(self.materials_view)
        mbox.addWidget(
            label(
                "请点选您现在带齐的材料（选中的显示“已带”）。没带的材料也可以先收件，回执会附一次性告知书，列明需补交的材料。",
                self.materials_view,
                name="intake_materials_hint",
                role="hint",
            )
        )
        self.material_box = QVBoxLayout()
        mbox.addLayout(self.material_box)
        mbox.addStretch(1)
        self.material_buttons: list[KioskButton] = []
        # Many materials in 长辈模式 on a 1366×768 panel would push 下一步 off the screen: a page of them at a time.
        self._materials_per_page = 0  # 0: all on one page
        self._materials_page = 0
        self._material_width = 0  # the room for a material's text (px; 0: not measured yet)
        paging = QHBoxLayout()
        self.materials_prev = KioskButton(
            "上一页", self.materials_view, name="materials_prev", description="上一页材料"
        )
        self.materials_page_label = label("", self.materials_view, name="materials_page", role="hint", wrap=False)
        self.materials_more = KioskButton(
            "下一页", self.materials_view, name="materials_more", description="下一页材料"
        )
        self.materials_prev.clicked.connect(lambda: self._show_material_page(self._materials_page - 1))
        self.materials_more.clicked.connect(lambda: self._show_material_page(self._materials_page + 1))
        paging.addWidget(self.materials_prev)
        paging.addStretch(1)
        paging.addWidget(self.materials_page_label)
        paging.addStretch(1)
        paging.addWidget(self.materials_more)
        mbox.addLayout(paging)
        self.materials_next = KioskButton(
            "下一步",
            self.materials_view,
            name="intake_materials_next",
            role="primary",
            description="材料选好了，下一步",
        )
        self.materials_next.clicked.connect(self._materials_done)
        mbox.addWidget(self.materials_next)
        self.views.addWidget(self.materials_view)

        self.delivery = PagedChoices(self.views, name="intake_delivery")
        self.delivery.chosen.connect(self._delivery_chosen)
        self.views.addWidget(self.delivery)

    def _build_end(self) -> None:
        self.confirm_view = QWidget(self.views)
        fbox = QVBoxLayout(self.confirm_view)
        self.summary = label("", self.confirm_view, name="intake_summary")
        self.submit_button = KioskButton(
            "确认提交", self.confirm_view, name="intake_submit", role="primary", description="提交申请并打印收件回执"
        )
        self.submit_button.clicked.connect(self._submit)
        fbox.addWidget(self.summary)
        fbox.addStretch(1)
        fbox.addWidget(self.submit_button)
        self.views.addWidget(self.confirm_view)

        self.result_view = QWidget(self.views)
        rbox = QVBoxLayout(self.result_view)
        self.result_text = label("", self.result_view, name="intake_result", role="title")
        self.result_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        row = QHBoxLayout()
        self.retry_button = KioskButton(
            "重新打印", self.result_view, name="intake_retry", role="primary", description="再打印一次回执"
        )
        self.retry_button.clicked.connect(self._retry)
        self.rate_button = KioskButton(
            "评价本次服务", self.result_view, name="intake_rate", role="primary", description="为本次自助收件评价"
        )
        self.rate_button.clicked.connect(self._rate)
        self.done_button = KioskButton(
            "完成", self.result_view, name="intake_done", role="choice", description="回到首页"
        )
        self.done_button.clicked.connect(self.finished)
        for button in (self.retry_button, self.rate_button, self.done_button):
            row.addWidget(button)
        rbox.addStretch(1)
        rbox.addWidget(self.result_text)
        rbox.addLayout(row)
        rbox.addStretch(1)
        self.views.addWidget(self.result_view)

    # --- steps ------------------------------------------------------------------------------------------------

    def begin(self) -> None:
        self.wipe()
        self.items.set_entries(
            [(i.code, i.name, f"办理{i.name}（{i.department}）") for i in self.service.items()],
            empty_text="本机暂无可自助办理的事项，请到窗口办理。",
        )

    def _go(self, view: QWidget, heading: str, focus: QWidget | None = None, *, prompt: str = "") -> None:
        """Show a step: its heading, read aloud with `prompt` (what to do; never personal data), then the focused
        choice, as a page opening is read (the window reads a control's name when it takes the focus)."""
        self.heading.setText(f"自助收件：{heading}")
        self.views.setCurrentWidget(view)
        self.refit()
        self.announce.emit("。".join(part for part in (f"自助收件，{heading}", prompt) if part) + "。")
        target = focus or self.first_focus()
        if target is not None:
            if target.hasFocus():
                target.clearFocus()  # the same button again (a reused choice): it is read as newly focused
            target.setFocus()

    def _set_message(self, message: str) -> None:
        self.message.setText(message)
        self.message.setVisible(bool(message))  # an empty line would take a small screen's height

    def _tell(self, message: str) -> None:
        """A refusal or a problem on this step: shown (the step measured again with it: on a low screen the pad's
        keys make room for the line) and read aloud."""
        self._set_message(message)
        self.refit()
        if message:
            self.announce.emit(message)

    @Slot(str)
    def _item_chosen(self, code: str) -> None:
        try:
            self.service.start(code)
        except UserFacingError as exc:
            self._tell(exc.message)
            return
        self._set_message("")
        self._ask_or_card()

    def _ask_or_card(self) -> None:
        question = self.service.next_question()
        if question is None:
            if self.service.card_reader_present():
                self._go(self.card_view, "读取身份证", self.read_button, prompt=CARD_PROMPT)
            else:
                self._go(self.typed_view, "身份证号码", self.id_field, prompt=self.id_label.text())
            return
        self._question = question.id
        self.question_text.setText(question.text)
        self.options.set_entries([(o, o, f"{question.text}：{o}") for o in question.options])
        first = self.options.buttons[0] if self.options.buttons else None
        self._go(self.question_view, "请回答问题", first, prompt=question.text)

    @Slot(str)
    def _option_chosen(self, option: str) -> None:
        if self._question:
            self.service.answer(self._question, option)
        self._ask_or_card()

    @Slot()
    def _previous_question(self) -> None:
        if self.service.unanswer_last():
            self._ask_or_card()
        else:
            self.begin()
            self._go(self.items, "请选择事项", prompt="请选择要办理的事项")

    @Slot()
    def _read(self) -> None:
        if self.service.read_card():
            self.read_button.setEnabled(False)
            self._tell("正在读取身份证，请勿移动…")

    @Slot()
    def _card_read(self) -> None:
        self.read_button.setEnabled(True)
        self._set_message("")
        name, number = self.service.applicant_shown()
        self.applicant_text.setText(f"申请人：{name}　身份证：{number}")
        self._go(self.phone_view, "联系电话", self.phone_field, prompt="请用数字键盘输入您的联系电话，然后点确定")

    @Slot(str)
    def _card_failed(self, message: str) -> None:
        self.read_button.setEnabled(True)
        self._tell(message)
        self.read_button.setFocus()

    @Slot()
    def _id_entered(self) -> None:
        problem = self.service.set_typed_id(self.id_field.text())
        if problem:
            self._tell(f"身份证号码：{problem}")  # what was typed stays to correct
            self.id_field.setFocus()
            return
        self._set_message("")
        self._go(self.name_view, "姓名", self.name_field, prompt=self.name_label.text())

    @Slot()
    def _name_entered(self) -> None:
        problem = self.service.set_typed_name(self.name_field.text())
        if problem:
            self._tell(f"姓名：{problem}")
            self.name_field.setFocus()
            return
        self._set_message("")
        self._card_read()

    @Slot()
    def _phone_entered(self) -> None:
        problem = self.service.set_phone(self.phone_field.text())
        if problem:
            self._tell(f"联系电话：{problem}")  # the typed number stays in the field to correct
            self.phone_field.setFocus()
            return
        self._set_message("")
        for button in self.material_buttons:
            self.material_box.removeWidget(button)
            button.deleteLater()
        self.material_buttons = []
        for req in self.service.materials():
            button = KioskButton("", self.materials_view, name="intake_material", role="choice")
            button.setCheckable(True)
            button.setProperty("code", req.code)
            button.setProperty("material", req.name)
            button.setAccessibleName(req.name)
            button.setAccessibleDescription("选中表示已带")
            self._label_material(button)
            button.toggled.connect(self._material_toggled)
            self.service.set_material(req.code, at_hand=False)
            self.material_box.addWidget(button)
            self.material_buttons.append(button)
        self._materials_per_page = 0
        self._show_material_page(0)
        chain = [*self.material_buttons, self.materials_prev, self.materials_more, self.materials_next]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)  # created after 下一步: Tab still goes down the list, then 下一步
        first = self.material_buttons[0] if self.material_buttons else self.materials_next
        self._go(self.materials_view, "材料", first, prompt=MATERIALS_PROMPT)

    def _label_material(self, button: KioskButton) -> None:
        """未带/已带 and the material's name, on one line when it fits the button, else the state above the name
        (broken where the line is full: a long name on a narrow panel in 长辈模式)."""
        state = "已带" if button.isChecked() else "未带"
        name = str(button.property("material"))
        if not self._material_width:
            button.setText(f"{state}　{name}")
            return
        button.ensurePolished()
        metrics = QFontMetrics(button.font())
        if metrics.horizontalAdvance(f"{state}　{name}") <= self._material_width:
            button.setText(f"{state}　{name}")
            return
        lines = [state, ""]
        for char in name:
            if lines[-1] and metrics.horizontalAdvance(lines[-1] + char) > self._material_width:
                lines.append("")
            lines[-1] += char
        button.setText("\n".join(lines))

    def _show_material_page(self, page: int) -> None:
        """Show the `page`-th page of the materials (all of them when they fit one page)."""
        count = len(self.material_buttons)
        per_page = self._materials_per_page or max(count, 1)
        pages = max(1, -(-count // per_page))
        page = min(max(page, 0), pages - 1)
        self._materials_page = page
        for n, button in enumerate(self.material_buttons):
            button.setVisible(page * per_page <= n < (page + 1) * per_page)
        several = pages > 1
        for button in (self.materials_prev, self.materials_more):
            button.setVisible(several)
        self.materials_prev.setEnabled(page > 0)
        self.materials_more.setEnabled(page + 1 < pages)
        self.materials_page_label.setText(f"第{page + 1}页，共{pages}页" if several else "")
        self.materials_page_label.setVisible(several)

    def _set_materials_per_page(self, per_page: int) -> None:
        self._materials_per_page = per_page
        self._show_material_page(0)

    @Slot(bool)
    def _material_toggled(self, checked: bool) -> None:
        button = self.sender()
        if not isinstance(button, KioskButton):
            return
        self.service.set_material(str(button.property("code")), at_hand=checked)
        self._label_material(button)

    @Slot()
    def _materials_done(self) -> None:
        methods = self.service.delivery_methods()
        self.delivery.set_entries(
            [
                (m.value, DELIVERY_LABELS.get(m, m.value), f"结果送达方式：{DELIVERY_LABELS.get(m, m.value)}")
                for m in methods
            ]
        )
        first = self.delivery.buttons[0] if self.delivery.buttons else None
        self._go(self.delivery_view_widget(), "结果领取方式", first, prompt="请选择办理结果的领取方式")

    def delivery_view_widget(self) -> QWidget:
        return self.delivery

    @Slot(str)
    def _delivery_chosen(self, value: str) -> None:
        method = DeliveryMethod(value)
        self.service.set_delivery(method)
        item = self.service.item()
        draft = self.service.draft
        if item is None or draft is None:
            self.begin()
            return
        name, number = self.service.applicant_shown()
        missing = self.service.missing()
        lines = [
            f"办理事项：{item.name}",
            f"申请人：{name}　身份证：{number}",
            f"联系电话：{mask_phone(draft.applicant.phone)}",
            f"领取方式：{DELIVERY_LABELS.get(method, method.value)}",
            "材料：" + ("已带齐" if not missing else "缺 " + "、".join(missing) + "（回执附一次性告知书）"),
        ]
        self.summary.setText("\n".join(lines))
        self._go(self.confirm_view, "请核对", self.submit_button, prompt="请核对屏幕上的信息，无误后点击确认提交")

    @Slot()
    def _submit(self) -> None:
        self.submit_button.setEnabled(False)
        try:
            case = self.service.submit()
        except UserFacingError as exc:
            self.submit_button.setEnabled(True)
            self._tell(f"未能提交：{exc.message}")
            return
        self.case_no = case.case_no
        self._set_message("")
        self.result_text.setText("已收件，正在打印回执，请稍候…")
        self.retry_button.setVisible(False)
        self.rate_button.setVisible(False)
        self._go(self.result_view, "已收件", self.done_button, prompt="正在打印回执，请稍候")

    @Slot(str)
    def _printed(self, case_no: str) -> None:
        if case_no != self.case_no:
            return
        self._job = ""
        self.result_text.setText("回执已打印，请从出纸口取走。\n请凭回执到窗口领取办理结果。")
        self.retry_button.setVisible(False)
        self.rate_button.setVisible(True)
        self.announce.emit("回执已打印，请从出纸口取走。请凭回执到窗口领取办理结果。")
        self.rate_button.setFocus()

    @Slot(str, str)
    def _print_failed(self, job_id: str, message: str) -> None:
        self._job = job_id
        self.result_text.setText(f"已收件，但回执打印没有成功：{message}\n请联系工作人员检查打印机后点击“重新打印”。")
        self.retry_button.setVisible(True)
        self.rate_button.setVisible(True)
        self.announce.emit(f"回执打印没有成功：{message}。请联系工作人员检查打印机后点击重新打印。")
        self.retry_button.setFocus()

    @Slot()
    def _retry(self) -> None:
        if not self._job:
            return
        try:
            self.service.retry(self._job)
        except UserFacingError as exc:
            self.result_text.setText(exc.message)
            return
        self.result_text.setText("正在重新打印，请稍候…")
        self.announce.emit("正在重新打印，请稍候。")
        self.retry_button.setVisible(False)

    @Slot()
    def _rate(self) -> None:
        if self.case_no:
            self.rate_requested.emit(self.case_no)

    # --- page -------------------------------------------------------------------------------------------------

    def apply_sizes(self, sizes: KioskSizes) -> None:
        self._set_list_size(sizes.list_page)

    def _set_list_size(self, size: int) -> None:
        for choices in (self.items, self.options, self.delivery):
            choices.set_page_size(size)

    def set_landscape(self, landscape: bool) -> None:
        self._landscape = landscape
        direction = QBoxLayout.Direction.LeftToRight if landscape else QBoxLayout.Direction.TopToBottom
        self.phone_layout.setDirection(direction)
        self.typed_layout.setDirection(direction)
        self.name_layout.setDirection(direction)

    def _fit(self) -> bool:
        """The step on screen asks for no more than the room: fewer entries per page, shorter keys."""
        if self.room is None:
            return False
        height = self.room.height()
        current = self.views.currentWidget()
        materials = tuple(str(b.property("material")) for b in self.material_buttons)
        key = (
            current,
            self.room.width(),
            height,
            self.sizes,
            self.question_text.text(),
            self.message.text(),
            materials,
        )
        if key == self._fitted:  # a wipe at every return home: measured once per step, screen and mode
            return False
        self._fitted = key
        if current in (self.items, self.question_view, self.delivery):
            most = self.sizes.list_page
            first_fit(self, height, list(range(most, 0, -1)), self._set_list_size)
        pads = {self.typed_view: self.id_pad, self.phone_view: self.pad}
        if current in pads:
            fit_pad(self, pads[current], height)
        if current is self.name_view:
            fit_keyboard(self, self.name_keyboard, height, self.room.width() // (2 if self._landscape else 1))
        if current is self.materials_view and self.material_buttons:
            self._fit_materials(self.room.width(), height)
        return True

    def _fit_materials(self, width: int, height: int) -> None:
        """Each material's text within its button, then as many materials per page as the room takes."""
        layout = self.layout()
        margins = layout.contentsMargins().left() + layout.contentsMargins().right() if layout is not None else 0
        # the choice button's padding (24 px left, 12 px right: ui/kiosk/theme.py), its borders, a margin for the text
        self._material_width = width - margins - 24 - 12 - 2 * border_px(self.elder) - 16
        for button in self.material_buttons:
            self._label_material(button)
        first_fit(self, height, list(range(len(self.material_buttons), 0, -1)), self._set_materials_per_page)

    @Slot()
    def wipe(self) -> None:
        self.service.forget()
        for choices in (self.items, self.options, self.delivery):
            choices.wipe()
        for button in self.material_buttons:
            self.material_box.removeWidget(button)
            button.setParent(None)
            button.deleteLater()
        self.material_buttons = []
        self._show_material_page(0)
        for field in (self.phone_field, self.id_field, self.name_field):
            field.clear()
            field.setText("")  # also drops the undo history
        self.name_keyboard.wipe()
        for text in (self.applicant_text, self.summary, self.result_text, self.question_text):
            text.setText("")
        self._set_message("")
        self.case_no = self._job = self._question = ""
        self.read_button.setEnabled(True)
        self.submit_button.setEnabled(True)
        self.retry_button.setVisible(False)
        self.rate_button.setVisible(False)
        self.heading.setText("自助收件：请选择事项")
        self.views.setCurrentWidget(self.items)
        self.refit()

    def first_focus(self) -> QWidget | None:
        current = self.views.currentWidget()
        if current is self.items:
            return self.items.buttons[0] if self.items.buttons else None
        if current is self.result_view:
            return self.rate_button if self.rate_button.isVisible() else self.done_button
        fixed: dict[QWidget, QWidget] = {
            self.card_view: self.read_button,
            self.phone_view: self.phone_field,
            self.typed_view: self.id_field,
            self.name_view: self.name_field,
            self.confirm_view: self.submit_button,
        }
        return fixed.get(current) if current is not None else None

    def spoken_title(self) -> str:
        return "自助收件。请选择要办理的事项。"
