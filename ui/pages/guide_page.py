"""The counter's 向导式 guide (issue 17): one 情形 question per page, then the exact materials for the applicant's
situation with time limits, fee and delivery; print it (一次性告知单, on the counter's printer or as PDF) or show it
as a QR for a phone; ask the citizen to rate the consultation; or go ahead with intake, the answers carried over.
A 一件事 bundle is guided alike: its own questions first (which members), then the members' remaining questions, then
the combined list (shared documents once, each member's department and terms); going ahead opens the bundle intake.

The logic is `app.services.guide` (the kiosk's 办事指南 uses the same); this page only shows it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.models import Bundle, ServiceItem
from app.services.errors import UserFacingError
from app.services.guide import (
    DELIVERY_LABELS,
    FORM_LABELS,
    BundleGuide,
    Guide,
    bundle_guide_for,
    guide_for,
    phone_url,
    print_guide,
    qr_matrix,
)
from app.services.receipts import pdf_dir_for
from app.services.terminal import Terminal
from ui.widgets.qr import qr_pixmap

QR_SIDE_PX = 220


class GuidePage(QWidget):
    """Signals:
    intake_requested(str, dict): go ahead with intake of the item (code) with these 情形 answers.
    bundle_intake_requested(str, dict): go ahead with the intake of the 一件事 (bundle code) with these answers.
    closed(): back to the item list without a case.
    """

    intake_requested = Signal(str, dict)
    bundle_intake_requested = Signal(str, dict)
    closed = Signal()

    def __init__(self, terminal: Terminal, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("guide_page")
        self._terminal = terminal
        self._item: ServiceItem | None = None
        self._bundle: Bundle | None = None
        self._answers: dict[str, str] = {}
        self._history: list[str] = []  # question ids in the order answered (上一题 goes back through them)
        self.guide: Guide | BundleGuide | None = None
        layout = QVBoxLayout(self)
        self.title = QLabel(self)
        self.title.setObjectName("guide_title")
        self.title.setProperty("role", "section")
        self.title.setWordWrap(True)
        layout.addWidget(self.title)
        self.pages = QStackedWidget(self)
        layout.addWidget(self.pages, 1)
        self._build_bundle_list_page()
        self._build_question_page()
        self._build_result_page()
        self.message = QLabel(self)
        self.message.setObjectName("guide_message")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)

    # --- building --------------------------------------------------------------------------------------------

    def _button(self, text: str, name: str, parent: QWidget) -> QPushButton:
        button = QPushButton(text, parent)
        button.setObjectName(name)
        button.setAccessibleName(text)
        return button

    def _build_bundle_list_page(self) -> None:
        page = QWidget(self.pages)
        page.setObjectName("guide_bundle_list_page")
        box = QVBoxLayout(page)
        hint = QLabel(self.tr("Which 一件事 does the applicant want to do?"), page)
        hint.setObjectName("guide_bundle_hint")
        box.addWidget(hint)
        self.bundle_buttons: list[QPushButton] = []
        for bundle in self._terminal.catalogue.catalogue.bundles:
            button = self._button(bundle.name, f"guide_bundle_{bundle.code}", page)
            button.setMinimumHeight(40)
            button.clicked.connect(lambda _=False, b=bundle: self.start_bundle(b))
            box.addWidget(button)
            self.bundle_buttons.append(button)
        box.addStretch(1)
        back = self._button(self.tr("Back to the item list"), "guide_bundle_list_cancel", page)
        back.clicked.connect(self.closed)
        box.addWidget(back, 0, Qt.AlignmentFlag.AlignRight)
        self.pages.addWidget(page)
        self.bundle_list_page = page

    def _build_question_page(self) -> None:
        page = QWidget(self.pages)
        page.setObjectName("guide_question_page")
        box = QVBoxLayout(page)
        self.step = QLabel(page)
        self.step.setObjectName("guide_step")
        self.question = QLabel(page)
        self.question.setObjectName("guide_question")
        self.question.setWordWrap(True)
        font = self.question.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.question.setFont(font)
        self.options_box = QVBoxLayout()
        self.option_buttons: list[QPushButton] = []
        nav = QHBoxLayout()
        self.back = self._button(self.tr("Previous question"), "guide_back", page)
        self.back.clicked.connect(self.previous)
        self.cancel = self._button(self.tr("Back to the item list"), "guide_cancel", page)
        self.cancel.clicked.connect(self.closed)
        nav.addWidget(self.back)
        nav.addStretch(1)
        nav.addWidget(self.cancel)
        box.addWidget(self.step)
        box.addWidget(self.question)
        box.addLayout(self.options_box)
        box.addStretch(1)
        box.addLayout(nav)
        self.pages.addWidget(page)
        self.question_page = page

    def _build_result_page(self) -> None:
        page = QWidget(self.pages)
        page.setObjectName("guide_result_page")
        outer = QHBoxLayout(page)
        scroll = QScrollArea(page)
        scroll.setWidgetResizable(True)
        body = QWidget(scroll)
        text = QVBoxLayout(body)
        self.situation = QLabel(body)
        self.situation.setObjectName("guide_situation")
        self.situation.setWordWrap(True)
        self.materials = QLabel(body)
        self.materials.setObjectName("guide_materials")
        self.materials.setWordWrap(True)
        self.materials.setTextFormat(Qt.TextFormat.PlainText)
        self.terms = QLabel(body)
        self.terms.setObjectName("guide_terms")
        self.terms.setWordWrap(True)
        for label in (self.situation, self.materials, self.terms):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            text.addWidget(label)
        text.addStretch(1)
        scroll.setWidget(body)
        side = QVBoxLayout()
        self.print_button = self._button(self.tr("Print the list (一次性告知单)"), "guide_print", page)
        self.print_button.clicked.connect(self.print_list)
        self.pdf_button = self._button(self.tr("Save the list as PDF"), "guide_pdf", page)
        self.pdf_button.clicked.connect(self.save_pdf)
        self.qr_button = self._button(self.tr("Show as QR for a phone"), "guide_qr_button", page)
        self.qr_button.clicked.connect(self.show_qr)
        self.qr = QLabel(page)
        self.qr.setObjectName("guide_qr")
        self.qr.setAccessibleName(self.tr("QR code of the materials list"))
        self.qr.hide()
        self.rate_button = self._button(self.tr("Ask for a rating of this consultation"), "guide_rate", page)
        self.rate_button.clicked.connect(self.ask_rating)
        self.intake_button = self._button(self.tr("Go ahead with intake"), "guide_intake", page)
        self.intake_button.setProperty("role", "primary")
        self.intake_button.clicked.connect(self._go_ahead)
        self.change_button = self._button(self.tr("Change the answers"), "guide_change", page)
        self.change_button.clicked.connect(self.previous)
        self.close_button = self._button(self.tr("Back to the item list"), "guide_close", page)
        self.close_button.clicked.connect(self.closed)
        for widget in (
            self.intake_button,
            self.print_button,
            self.pdf_button,
            self.qr_button,
            self.qr,
            self.rate_button,
            self.change_button,
            self.close_button,
        ):
            side.addWidget(widget)
        side.addStretch(1)
        outer.addWidget(scroll, 1)
        outer.addLayout(side)
        self.pages.addWidget(page)
        self.result_page = page

    # --- flow ------------------------------------------------------------------------------------------------

    def start(self, item: ServiceItem) -> None:
        """Begin the guide for `item` with no answers."""
        self._item, self._bundle = item, None
        self._answers = {}
        self._history = []
        self.title.setText(self.tr("Guide: {name} ({code})").format(name=item.name, code=item.code))
        self._set_intake_text(self.tr("Go ahead with intake"))
        self._show()

    def choose_bundle(self) -> None:
        """The catalogue's 一件事 bundles, one button each: the guide of the one chosen."""
        self._item = self._bundle = None
        self._answers, self._history = {}, []
        self.guide = None
        self.message.clear()
        self.title.setText(self.tr("Guide: 一件事一次办"))
        self.pages.setCurrentWidget(self.bundle_list_page)
        if self.bundle_buttons:
            self.bundle_buttons[0].setFocus()

    def start_bundle(self, bundle: Bundle) -> None:
        """Begin the guide of a 一件事 with no answers: its own questions first, then its members'."""
        self._item, self._bundle = None, bundle
        self._answers = {}
        self._history = []
        self.title.setText(self.tr("Guide: {name} ({code})").format(name=bundle.name, code=bundle.code))
        self._set_intake_text(self.tr("Go ahead with the 一件事 intake"))
        self._show()

    def _set_intake_text(self, text: str) -> None:
        self.intake_button.setText(text)
        self.intake_button.setAccessibleName(text)

    def answer(self, question_id: str, option: str) -> None:
        self._answers[question_id] = option
        self._history.append(question_id)
        self._show()

    @Slot()
    def previous(self) -> None:
        """Back one question (the last answer is taken back)."""
        if self._history:
            self._answers.pop(self._history.pop(), None)
        self._show()

    def _show(self) -> None:
        self.message.clear()
        self.qr.hide()
        guide: Guide | BundleGuide
        if self._bundle is not None:
            guide = bundle_guide_for(self._bundle, self._terminal.catalogue.get, self._answers)
        elif self._item is not None:
            guide = guide_for(self._item, self._answers)
        else:
            return
        self.guide = guide
        self._answers = dict(guide.answers)  # a moot follow-up answer is gone
        self._history = [qid for qid in self._history if qid in self._answers]
        if guide.next_question is not None:
            self._show_question(guide)
        else:
            self._show_result(guide)

    def _show_question(self, guide: Guide | BundleGuide) -> None:
        question = guide.next_question
        assert question is not None
        self.step.setText(self.tr("Question {n}").format(n=len(guide.answers) + 1))
        self.question.setText(question.text)
        for button in self.option_buttons:
            self.options_box.removeWidget(button)
            button.hide()  # gone from the screen now; deleted once its click has finished
            button.deleteLater()
        self.option_buttons = []
        for index, option in enumerate(question.options):
            button = self._button(option, f"guide_option_{index}", self.question_page)
            button.setMinimumHeight(48)
            button.clicked.connect(lambda _=False, q=question.id, o=option: self.answer(q, o))
            self.options_box.addWidget(button)
            self.option_buttons.append(button)
        self.back.setEnabled(bool(self._history))
        self.pages.setCurrentWidget(self.question_page)
        if self.option_buttons:
            self.option_buttons[0].setFocus()

    def _show_result(self, guide: Guide | BundleGuide) -> None:
        situation = "\n".join(f"{q} {a}" for q, a in guide.situation)
        self.situation.setText(self.tr("Situation:") + ("\n" + situation if situation else " —"))
        if isinstance(guide, BundleGuide):
            self._show_bundle_result(guide)
        else:
            self._show_item_result(guide)
        self.change_button.setEnabled(bool(self._history))
        self.pages.setCurrentWidget(self.result_page)
        self.intake_button.setFocus()

    def _show_bundle_result(self, guide: BundleGuide) -> None:
        """Shared documents once (with the members they serve), then each member's own; each member's terms."""
        lines = [self.tr("Shared documents (brought once):")]
        for index, (s, names) in enumerate(guide.shared, start=1):
            lines.append(f"{index}. {s.name}　{FORM_LABELS[s.form]} {s.copies} 份（用于：{'、'.join(names)}）")
        if not guide.shared:
            lines.append("—")
        terms = []
        for member, own in guide.members:
            item = member.item
            lines += ["", f"【{item.name}】{item.department}"]
            for index, m in enumerate(own, start=1):
                note = "" if m.required else f"（{m.condition_text}）"
                lines.append(f"{index}. {m.name}　{FORM_LABELS[m.form]} {m.copies} 份{note}")
            if not own:
                lines.append(self.tr("No other documents"))
            terms.append(
                f"【{item.name}】{item.department}\n"
                f"法定时限：{item.legal_days} 个工作日；承诺时限：{member.promised_text}；收费：{member.fee_text}；"
                "送达方式：" + "、".join(DELIVERY_LABELS[d] for d in item.delivery_methods)
            )
        self.materials.setText("\n".join(lines))
        self.terms.setText("\n\n".join(terms))

    def _show_item_result(self, guide: Guide) -> None:
        item = guide.item
        lines = [self.tr("Materials to bring:")]
        for index, m in enumerate(guide.materials, start=1):
            note = "" if m.required else f"（{m.condition_text}）"
            lines.append(f"{index}. {m.name}　{FORM_LABELS[m.form]} {m.copies} 份{note}")
        self.materials.setText("\n".join(lines))
        self.terms.setText(
            "\n".join(
                (
                    f"实施部门：{item.department}",
                    f"法定时限：{item.legal_days} 个工作日",
                    f"承诺时限：{guide.promised_text}",
                    f"收费：{guide.fee_text}",
                    "送达方式：" + "、".join(DELIVERY_LABELS[d] for d in item.delivery_methods),
                )
            )
        )

    # --- actions ---------------------------------------------------------------------------------------------

    def _print(self, *, to_pdf: bool) -> None:
        if self.guide is None or not self.guide.complete:
            return
        config = self._terminal.config
        try:
            where = print_guide(
                self.guide, config=config, pdf_dir=pdf_dir_for(config, self._terminal.paths), to_pdf=to_pdf
            )
        except UserFacingError as exc:
            self.message.setText(exc.message)
            return
        self.message.setText(self.tr("The list was printed ({where}).").format(where=where))

    @Slot()
    def print_list(self) -> None:
        self._print(to_pdf=False)

    @Slot()
    def save_pdf(self) -> None:
        self._print(to_pdf=True)

    @Slot()
    def show_qr(self) -> None:
        if self.guide is None:
            return
        url = phone_url(self.guide, self._terminal.config.platform_url)
        self.qr.setPixmap(qr_pixmap(qr_matrix(url), QR_SIDE_PX))
        self.qr.setToolTip(url)
        self.qr.show()

    @Slot()
    def ask_rating(self) -> None:
        """A consultation without a case is one service act, rated once (channel: the counter's rating screen)."""
        clerk = self._terminal.staff.clerk
        guide = self.guide
        if guide is None or clerk is None:
            return
        # A 一件事 consultation is one act, rated once under the bundle's code (as its intake is rated, 一事一评).
        try:
            self._terminal.ratings.request_rating(
                case_no=None, item_code=guide.code, staff_no=clerk.staff_no, initiator=self
            )
        except UserFacingError as exc:
            self.message.setText(exc.message)
            return
        self.message.setText(self.tr("The citizen's screen asks for a rating of this consultation."))

    @Slot()
    def _go_ahead(self) -> None:
        if isinstance(self.guide, BundleGuide):
            self.bundle_intake_requested.emit(self.guide.bundle.code, dict(self.guide.answers))
        elif self.guide is not None:
            self.intake_requested.emit(self.guide.item.code, dict(self.guide.answers))
