"""办事指南: browse by department (or the 一件事 bundles) or search by keyword or pinyin; an item's 情形 questions one
per page (`app.services.guide`, as at the counter), then the exact materials for that situation with the time limit,
fee and where to go, a QR to continue on a phone, and a printed materials list."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QBoxLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.domain.models import MaterialForm, ServiceItem
from app.services.guide import DELIVERY_LABELS, BundleGuide, Guide, GuideAnswerError
from app.services.kiosk import KioskService
from ui.kiosk.choices import PagedChoices
from ui.kiosk.page import KioskPage, PageStack, first_fit, fit_keyboard, needed_height
from ui.kiosk.theme import KioskSizes
from ui.kiosk.widgets import KioskButton, label
from ui.widgets.pinyin import pinyin_candidates
from ui.widgets.pinyin import warm_up as pinyin_warm_up
from ui.widgets.qr import qr_pixmap
from ui.widgets.touch_keyboard import TouchKeyboard

FORMS = {
    MaterialForm.ORIGINAL: "原件",
    MaterialForm.COPY: "复印件",
    MaterialForm.ORIGINAL_AND_COPY: "原件及复印件",
    MaterialForm.ELECTRONIC: "电子材料",
}


def describe_item(item: ServiceItem, hall_name: str) -> list[tuple[str, str]]:
    """(heading, text) sections of an item's guide, as the page and the printed list show them."""
    materials = []
    for n, material in enumerate(item.materials, start=1):
        line = f"{n}. {material.name}（{FORMS.get(material.form, '')}{material.copies}份）"
        if not material.required:
            line += f"　如{material.condition_text}" if material.condition_text else "　（视情况提供）"
        materials.append(line)
    limit = (
        "即办件，当场办结" if item.immediate else f"承诺{item.promised_days}个工作日（法定{item.legal_days}个工作日）"
    )
    if item.fee_fen == 0:
        fee = item.fee_note or "不收费"
    else:
        fee = f"{item.fee_fen / 100:.2f}元" + (f"（{item.fee_note}）" if item.fee_note else "")
    where = f"{hall_name}全市通办窗口（任一综合窗口均可收件）"
    sections = [
        ("办理部门", item.department),
        ("所需材料", "\n".join(materials) or "无需提交材料"),
        ("办理时限", limit),
        ("收费标准", fee),
        ("办理地点", where),
    ]
    if item.guide:
        sections.append(("温馨提示", item.guide))
    return sections


#: The guide's QR (to continue on a phone): its side, and the smallest it gets on a small screen.
QR_PX = 220
QR_MIN_PX = 140

#: Stands for the 一件事 bundles where a department is chosen (the 一件事 button beside the search field).
BUNDLES_KEY = "__bundles__"


def describe_guide(guide: Guide | BundleGuide, hall_name: str) -> list[tuple[str, str]]:
    """(heading, text) sections of a guide answered to the end: the situation, then the exact materials, limits,
    fees and where to go (a 一件事: the shared documents once, then each member with its own)."""
    sections = []
    if guide.situation:
        sections.append(("您的情形", "\n".join(f"{q} {a}" for q, a in guide.situation)))
    where = ("办理地点", f"{hall_name}全市通办窗口（任一综合窗口均可收件）")
    if isinstance(guide, Guide):
        rest = dict(describe_item(guide.item, hall_name))
        lines = []
        for n, m in enumerate(guide.materials, start=1):
            lines.append(f"{n}. {m.name}（{FORMS.get(m.form, '')}{m.copies}份）")
        sections += [
            ("办理部门", guide.item.department),
            ("所需材料", "\n".join(lines) or "无需提交材料"),
            ("办理时限", rest["办理时限"]),
            ("收费标准", rest["收费标准"]),
            ("送达方式", "、".join(DELIVERY_LABELS[d] for d in guide.item.delivery_methods)),
            where,
        ]
        if guide.item.guide:
            sections.append(("温馨提示", guide.item.guide))
        return sections
    shared = [
        f"{n}. {s.name}（{FORMS.get(s.form, '')}{s.copies}份，用于：{'、'.join(names)}）"
        for n, (s, names) in enumerate(guide.shared, start=1)
    ]
    if shared:
        sections.append(("共享材料（只交一次）", "\n".join(shared)))
    for member, own in guide.members:
        item = member.item
        rest = dict(describe_item(item, hall_name))
        lines = [f"办理部门：{item.department}", f"办理时限：{rest['办理时限']}", f"收费标准：{rest['收费标准']}"]
        lines += [f"{n}. {m.name}（{FORMS.get(m.form, '')}{m.copies}份）" for n, m in enumerate(own, start=1)]
        if not own:
            lines.append("无其他材料")
        sections.append((item.name, "\n".join(lines)))
    sections.append(where)
    return sections


class GuidePage(KioskPage):
    """Views: browse (departments, and 一件事), list (items or bundles), question (one 情形 question), detail.

    Signals:
        print_requested(str): print the materials list of the item or 一件事 (its code), for `answers`.
        speak(str): read this aloud now (a new question: the question page's title).
    """

    title = "办事指南"
    print_requested = Signal(str)
    speak = Signal(str)

    def __init__(  # noqa: PLR0915 - builds the widget tree
        self, service: KioskService, *, hall_name: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("kiosk_guide")
        self._service = service
        self._hall_name = hall_name
        self._item: ServiceItem | None = None
        self._code = ""  # the item or 一件事 being guided
        self._answers: dict[str, str] = {}
        self._history: list[str] = []  # question ids in the order answered (上一题 goes back through them)
        self._guide: Guide | BundleGuide | None = None
        self._question = ""
        self._department = ""
        self._list_page = 6
        self._landscape = True
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 16, 40, 16)
        self.heading = label("办事指南", self, name="guide_title", role="title")
        layout.addWidget(self.heading)
        search_row = QHBoxLayout()
        self.search_field = QLineEdit(self)
        self.search_field.setObjectName("guide_search")
        self.search_field.setAccessibleName("搜索事项")
        self.search_field.setAccessibleDescription("输入事项名称中的字，或拼音、拼音首字母")
        self.search_field.setPlaceholderText("输入事项名称或拼音首字母，如 shebao 或 sb")
        self.search_field.setMaxLength(30)
        self.search_field.textChanged.connect(self._search)
        search_row.addWidget(self.search_field, 1)
        self.keyboard_button = KioskButton("键盘", self, name="guide_keyboard_toggle", description="显示或隐藏屏幕键盘")
        self.keyboard_button.setCheckable(True)
        self.keyboard_button.toggled.connect(self._toggle_keyboard)
        search_row.addWidget(self.keyboard_button)
        self.bundles_button = KioskButton(
            "一件事", self, name="guide_bundles", description="一件事一次办：多个部门的事项一次办理，查看办事指南"
        )
        self.bundles_button.setAccessibleName("一件事一次办")
        self.bundles_button.clicked.connect(lambda: self._department_chosen(BUNDLES_KEY))
        self.bundles_button.setVisible(bool(service.bundles()))
        search_row.addWidget(self.bundles_button)
        self.search_row = QWidget(self)
        self.search_row.setObjectName("guide_search_row")
        search_row.setContentsMargins(0, 0, 0, 0)
        self.search_row.setLayout(search_row)
        layout.addWidget(self.search_row)
        self.views = PageStack(self)  # as tall as the view shown; each view chooses its entries for the room
        self.views.setObjectName("guide_views")
        # The keyboard opens beside the list on a wide screen and under it on a tall one: the page never grows.
        self.body = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.body.setSpacing(24)
        self.body.addWidget(self.views, 1)
        layout.addLayout(self.body, 1)
        self.departments = PagedChoices(self.views, name="guide_departments")
        self.departments.chosen.connect(self._department_chosen)
        self.items = PagedChoices(self.views, name="guide_items")
        self.items.chosen.connect(self._item_chosen)
        self.views.addWidget(self.departments)
        self.views.addWidget(self.items)
        self._build_question()
        self._build_detail()
        self.keyboard = TouchKeyboard(self, name="guide_keyboard", candidates=pinyin_candidates, warm_up=pinyin_warm_up)
        self.keyboard.bind(self.search_field)
        self.keyboard.setVisible(False)
        self.body.addWidget(self.keyboard, 1)
        self.back_button = KioskButton("返回上一级", self, name="guide_back", description="回到上一个列表")
        self.back_button.clicked.connect(self._back)
        layout.addWidget(self.back_button)
        self.views.currentChanged.connect(self._view_changed)
        self._show_departments()

    def _build_question(self) -> None:
        view = QWidget(self.views)
        view.setObjectName("guide_question_view")
        box = QVBoxLayout(view)
        box.setContentsMargins(0, 0, 0, 0)
        self.question_step = label("", view, name="guide_question_step", role="hint")
        self.question_text = label("", view, name="guide_question", role="title")
        self.options = PagedChoices(view, name="guide_options")
        self.options.chosen.connect(self._answered)
        self.previous_button = KioskButton(
            "上一题", view, name="guide_previous_question", description="回到上一个问题，重新回答"
        )
        self.previous_button.clicked.connect(self._previous)
        box.addWidget(self.question_step)
        box.addWidget(self.question_text)
        box.addWidget(self.options, 1)
        box.addWidget(self.previous_button)
        self.views.addWidget(view)
        self.question_view = view

    def _build_detail(self) -> None:
        detail = QWidget(self.views)
        detail.setObjectName("guide_detail")
        box = QHBoxLayout(detail)
        scroll = QScrollArea(detail)
        scroll.setObjectName("guide_detail_scroll")
        scroll.setAccessibleName("办事指南内容")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        body = QWidget(scroll)
        self.detail_box = QVBoxLayout(body)
        self.detail_name = label("", body, name="guide_item_name", role="title")
        self.detail_text = label("", body, name="guide_item_text")
        self.detail_text.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.detail_box.addWidget(self.detail_name)
        self.detail_box.addWidget(self.detail_text)
        self.detail_box.addStretch(1)
        scroll.setWidget(body)
        box.addWidget(scroll, 2)
        side = QVBoxLayout()
        self.qr = QLabel(detail)
        self.qr.setObjectName("guide_qr")
        self.qr.setScaledContents(True)  # smaller on a small screen (`_set_qr_size`)
        self.qr.setFixedSize(QR_PX, QR_PX)
        self.qr.setAccessibleName("手机扫码继续查看的二维码")
        self.qr_hint = label("用手机扫码，带走这份指南", detail, name="guide_qr_hint", role="hint")
        self.print_button = KioskButton(
            "打印材料清单", detail, name="guide_print", description="打印这个事项所需材料的清单"
        )
        self.print_button.clicked.connect(self._print)
        self.print_message = label("", detail, name="guide_print_message", role="message")
        self.change_button = KioskButton(
            "修改情形", detail, name="guide_change_answers", description="回到上一个问题，重新回答"
        )
        self.change_button.clicked.connect(self._previous)
        side.addWidget(self.qr, 0, Qt.AlignmentFlag.AlignHCenter)
        side.addWidget(self.qr_hint)
        side.addWidget(self.print_button)
        side.addWidget(self.print_message)
        side.addWidget(self.change_button)
        side.addStretch(1)
        box.addLayout(side, 1)
        self.views.addWidget(detail)
        self.detail = detail

    # --- navigation ------------------------------------------------------------------------------------------

    def _show_departments(self) -> None:
        entries = [(d, d, f"浏览{d}的事项") for d in self._service.departments()]
        self.departments.set_entries(entries, empty_text="暂无事项")
        self.views.setCurrentWidget(self.departments)
        self.heading.setText("办事指南：请选择部门")

    @Slot(str)
    def _department_chosen(self, department: str) -> None:
        self._department = department
        if department == BUNDLES_KEY:
            bundles = self._service.bundles()
            self.items.set_entries([(b.code, b.name, f"查看{b.name}的办事指南") for b in bundles])
        else:
            items = self._service.items_of(department)
            self.items.set_entries([(i.code, i.name, f"查看{i.name}的办事指南") for i in items])
        self.views.setCurrentWidget(self.items)
        self.heading.setText(self._list_heading())

    def _list_heading(self) -> str:
        if self._department == BUNDLES_KEY:
            return "办事指南：一件事一次办"
        return f"办事指南：{self._department}" if self._department else "办事指南：搜索结果"

    @Slot(str)
    def _search(self, text: str) -> None:
        if not text.strip():
            if self.views.currentWidget() is self.items and not self._department:
                self._show_departments()
            return
        self._department = ""
        hits = self._service.search_guide(text)
        self.items.set_entries(
            [(i.code, i.name, f"查看{i.name}的办事指南") for i in hits], empty_text="没有找到相符的事项，请换个说法"
        )
        self.views.setCurrentWidget(self.items)
        self.heading.setText("办事指南：搜索结果")

    @Slot(str)
    def _item_chosen(self, code: str) -> None:
        self.start_guide(code)

    def start_guide(self, code: str) -> None:
        """Guide the item or 一件事 `code` from its first 情形 question (none: straight to its materials)."""
        if self._service.guide(code, {}) is None:
            return
        self._code = code
        self._item = self._service.item(code)
        self._answers, self._history = {}, []
        self.keyboard_button.setChecked(False)
        self._advance()

    @property
    def answers(self) -> dict[str, str]:
        """The answers of the situation shown (what the printed list and the QR carry)."""
        return dict(self._guide.answers) if self._guide is not None else {}

    @Slot(str)
    def _answered(self, option: str) -> None:
        if not self._question:
            return
        self._answers[self._question] = option
        self._history.append(self._question)
        self._advance()

    @Slot()
    def _previous(self) -> None:
        """Back one question (its answer is taken back); from the first question, back to the list."""
        if not self._history:
            self._back_to_list()
            return
        self._answers.pop(self._history.pop(), None)
        self._advance()

    def _advance(self) -> None:
        try:
            guide = self._service.guide(self._code, self._answers)
        except GuideAnswerError:  # the catalogue changed under the answers: start the item again
            self._answers, self._history = {}, []
            guide = self._service.guide(self._code, {})
        if guide is None:
            self._back_to_list()
            return
        self._guide = guide
        self._answers = dict(guide.answers)  # a moot follow-up answer is gone
        self._history = [qid for qid in self._history if qid in self._answers]
        question = guide.next_question
        if question is None:
            self._question = ""
            self._show_result(guide)
            return
        self._question = question.id
        self.question_step.setText(f"{self._name(guide)} · 第{len(self._history) + 1}题")
        self.question_text.setText(question.text)
        self.options.set_entries([(o, o, f"{question.text}：{o}") for o in question.options])
        self.views.setCurrentWidget(self.question_view)
        self.refit()  # the next question (the view stays): its own text's height
        self.heading.setText("办事指南：请回答问题")
        self.speak.emit(question.text)  # the question is this view's title
        if self.options.buttons:
            first = self.options.buttons[0]
            first.clearFocus()  # the tapped button is reused: focus it anew so the focused choice is read too
            first.setFocus()

    @staticmethod
    def _name(guide: Guide | BundleGuide) -> str:
        return guide.bundle.name if isinstance(guide, BundleGuide) else guide.item.name

    def _show_result(self, guide: Guide | BundleGuide) -> None:
        self.detail_name.setText(self._name(guide))
        self.detail_text.setText(
            "\n\n".join(f"【{head}】\n{text}" for head, text in describe_guide(guide, self._hall_name))
        )
        self.qr.setPixmap(qr_pixmap(self._service.qr_matrix(self._service.guide_url(guide.code, guide.answers)), QR_PX))
        if self.print_button.isEnabled():
            self.print_message.setText("")
        self.change_button.setVisible(bool(self._history))
        self.views.setCurrentWidget(self.detail)
        self.heading.setText("办事指南")
        self.print_button.setFocus()

    def show_item(self, item: ServiceItem) -> None:
        """The guide of `item` (its questions first)."""
        self.start_guide(item.code)

    def _back_to_list(self) -> None:
        self._code, self._item, self._guide, self._question = "", None, None, ""
        self._answers, self._history = {}, []
        self.question_text.setText("")
        self.options.wipe()
        self.views.setCurrentWidget(self.items)
        self.heading.setText(self._list_heading())

    @Slot()
    def _back(self) -> None:
        current = self.views.currentWidget()
        if current in (self.detail, self.question_view):
            self._back_to_list()
        elif current is self.items:
            self.search_field.setText("")
            self._department = ""
            self._show_departments()
        else:
            self.search_field.setText("")

    @Slot(bool)
    def _toggle_keyboard(self, on: bool) -> None:
        self.keyboard.setVisible(on)
        self.refit()
        if on:
            self.search_field.setFocus()

    @Slot()
    def _print(self) -> None:
        if self._guide is not None and self._guide.complete:
            self.print_requested.emit(self._guide.code)

    def set_print_state(self, *, enabled: bool, reason: str) -> None:
        self.print_button.setEnabled(enabled)
        self.print_button.setAccessibleDescription("打印这个事项所需材料的清单" if enabled else f"暂不可用：{reason}")
        self.print_button.setText("打印材料清单")
        self.print_message.setText("" if enabled else f"{reason}，请用手机扫码保存。")

    def show_print_message(self, text: str) -> None:
        self.print_message.setText(text)

    # --- page ------------------------------------------------------------------------------------------------

    def apply_sizes(self, sizes: KioskSizes) -> None:
        self._list_page = sizes.list_page
        self._resize_lists()

    def set_landscape(self, landscape: bool) -> None:
        if landscape == self._landscape and self.room is not None:
            return
        self._landscape = landscape
        self.body.setDirection(QBoxLayout.Direction.LeftToRight if landscape else QBoxLayout.Direction.TopToBottom)
        self._resize_lists()

    def _resize_lists(self) -> None:
        """Entries per page: fewer in 长辈模式; more on a tall (portrait) screen; then as many as the screen holds."""
        self._set_list_size(self._most_entries())
        self._fitted = ()
        self.refit()

    def _most_entries(self) -> int:
        return self._list_page if self._landscape else self._list_page * 5 // 3

    def _set_qr_size(self, px: int) -> None:
        self.qr.setFixedSize(px, px)

    def _set_list_size(self, size: int) -> None:
        for choices in (self.departments, self.items, self.options):
            choices.set_page_size(size)

    @Slot(int)
    def _view_changed(self, _index: int) -> None:
        self.refit()  # each view asks for its own height

    def _fit(self) -> bool:
        """Entries per page that the room holds; with the keyboard open, its keys as tall as fit (on a small
        screen the page's heading and 返回上一级 make way for it while it is open: 键盘 closes it again)."""
        if self.room is None:
            return False
        height = self.room.height()
        keyboard = not self.keyboard.isHidden()
        view = self.views.currentWidget()
        key = (view, self.room.width(), height, self.sizes, keyboard, self._landscape, self.question_text.text())
        if key == self._fitted:  # a wipe at every return home: measured once per view, screen and mode
            return False
        self._fitted = key
        entries = list(range(self._most_entries(), 0, -1))
        lists = view in (self.departments, self.items)
        for compact in (False, True):
            # A question shows its own title and 上一题 (back to the list from the first question); an item's
            # materials its name: where the room is short they do without the page's heading, the search and (a
            # question) 返回上一级 before they show fewer choices.
            self.heading.setVisible(not compact or (lists and not keyboard))
            # (On the departments 返回上一级 only clears the search: the room goes to a department more.)
            back = (lists and not keyboard and view is not self.departments) or view is self.detail
            self.back_button.setVisible(not compact or back)
            self.search_row.setVisible(not compact or lists)  # 返回上一级 leads back to the search
            self.qr.setFixedSize(QR_PX, QR_PX)
            if not keyboard:
                if not compact:
                    self._set_list_size(entries[0])
                    if needed_height(self) <= height:
                        return True
                    continue
                first_fit(self, height, entries, self._set_list_size)
                if view is self.detail:
                    first_fit(self, height, list(range(QR_PX, QR_MIN_PX - 1, -20)), self._set_qr_size)
                return True
            width = self.room.width() // (2 if self._landscape else 1)
            first_fit(self, height, entries, self._set_list_size)
            fit_keyboard(self, self.keyboard, height, width)
            first_fit(self, height, entries, self._set_list_size)  # beside the keyboard: as many as its height
            if needed_height(self) <= height:
                return True
        return True  # the most that fits (still more than the room: the test says where)

    def wipe(self) -> None:
        self._item = None
        self._code, self._guide, self._question = "", None, ""
        self._answers, self._history = {}, []
        self.question_step.setText("")
        self.question_text.setText("")
        self.options.wipe()
        self._department = ""
        self.search_field.setText("")
        self.keyboard.wipe()
        self.keyboard_button.setChecked(False)
        self.detail_name.setText("")
        self.detail_text.setText("")
        self.qr.clear()
        self.print_message.setText("")
        self.items.wipe()
        self._show_departments()

    def first_focus(self) -> QWidget | None:
        return self.departments.buttons[0] if self.departments.buttons else self.search_field
