"""Mounts the clerk's pages in the counter window and moves between them.

sign-in → intake (item picker beside the case form) → result (case number) → next case; today's cases at any
time (F3). Keyboard: Ctrl+F search items, Ctrl+Enter submit, Ctrl+N next case, F3 today's cases, F5 read ID card.
Any key or click restarts the idle countdown; sign-out (or 10 idle minutes) saves the draft and shows sign-in.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.models import Case, CaseState
from app.services.intake_form import IntakeDraft
from app.services.terminal import Terminal
from ui.pages.intake_form import IntakeFormPage
from ui.pages.item_picker import ItemPicker
from ui.pages.sign_in import SignInPage
from ui.pages.submit_result import SubmitResultPage
from ui.pages.today_cases import TodayCasesPage
from ui.widgets.style import add_page_styles

_ACTIVITY = frozenset({QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.Wheel})


class SessionPage(QWidget):
    """Everything a signed-in clerk sees: a clerk bar over the intake, result and today's-cases views."""

    def __init__(self, terminal: Terminal, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("session_page")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        bar = QHBoxLayout()
        self.clerk = QLabel(self)
        self.clerk.setObjectName("clerk_label")
        self.new_case = QPushButton(self.tr("New case (Ctrl+N)"), self)
        self.new_case.setObjectName("nav_new_case")
        self.today = QPushButton(self.tr("Today's cases (F3)"), self)
        self.today.setObjectName("nav_today")
        self.sign_out = QPushButton(self.tr("Sign out"), self)
        self.sign_out.setObjectName("nav_sign_out")
        bar.addWidget(self.clerk)
        bar.addStretch(1)
        for b in (self.new_case, self.today, self.sign_out):
            bar.addWidget(b)
        self.views = QStackedWidget(self)
        self.intake_view = QSplitter(Qt.Orientation.Horizontal, self.views)
        self.intake_view.setObjectName("intake_view")
        self.picker = ItemPicker(terminal.catalogue, terminal.intake, self.intake_view)
        self.form_stack = QStackedWidget(self.intake_view)
        self.hint = QLabel(self.tr("Search and choose a service item on the left (Enter) to start a case."))
        self.hint.setObjectName("form_hint")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setWordWrap(True)
        self.form = IntakeFormPage(
            intake=terminal.intake, staff=terminal.staff, devices=terminal.devices, config=terminal.config
        )
        self.form_stack.addWidget(self.hint)
        self.form_stack.addWidget(self.form)
        self.intake_view.setSizes([380, 860])
        self.result = SubmitResultPage(terminal.receipts, self.views)
        self.today_page = TodayCasesPage(terminal.case_list, terminal.intake, terminal.staff, self.views)
        for view in (self.intake_view, self.result, self.today_page):
            self.views.addWidget(view)
        layout.addLayout(bar)
        layout.addWidget(self.views, 1)


class CounterFlow(QObject):
    """Owns the pages and the navigation between them; parented to the window."""

    def __init__(self, window: QMainWindow, work_area: QStackedWidget, terminal: Terminal) -> None:
        super().__init__(window)
        self.setObjectName("counter_flow")
        self.terminal = terminal
        self.window = window
        self.work_area = work_area
        self.sign_in = SignInPage(terminal.staff, work_area)
        self.session = SessionPage(terminal, work_area)
        add_page_styles()
        work_area.addWidget(self.sign_in)
        work_area.addWidget(self.session)
        work_area.setCurrentWidget(self.sign_in)
        s = self.session
        s.picker.item_chosen.connect(self.choose_item)
        s.form.submitted.connect(self._on_submitted)
        s.form.discard.clicked.connect(self.discard_draft)
        s.result.new_case_requested.connect(self.new_case)
        s.result.list_requested.connect(self.show_today)
        s.new_case.clicked.connect(self.new_case)
        s.today.clicked.connect(self.show_today)
        s.sign_out.clicked.connect(self._sign_out_clicked)
        terminal.staff.signed_in.connect(self._on_signed_in)
        terminal.staff.signed_out.connect(self._on_signed_out)
        self._shortcut("Ctrl+Return", self.submit)
        self._shortcut("Ctrl+Enter", self.submit)
        self._shortcut("Ctrl+N", self.new_case)
        self._shortcut("Ctrl+F", self.focus_search)
        self._shortcut("F3", self.show_today)
        self._shortcut("F5", self.read_card)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self._orphan: IntakeDraft | None = None  # a recovered draft whose item was withdrawn
        self._hint_text = self.session.hint.text()
        self.sign_in.reset()

    def _shortcut(self, keys: str, slot: object) -> None:
        shortcut = QShortcut(QKeySequence(keys), self.window)
        shortcut.setObjectName(f"shortcut_{keys}")
        shortcut.activated.connect(slot)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _ACTIVITY:
            self.terminal.staff.touch()
        return False

    @property
    def signed_in(self) -> bool:
        return self.terminal.staff.clerk is not None

    # --- session -------------------------------------------------------------------------------------------

    @Slot(str)
    def _on_signed_in(self, staff_no: str) -> None:
        clerk = self.terminal.staff.clerk
        name = clerk.display_name if clerk else ""
        self.session.clerk.setText(self.tr("Clerk {number} {name}").format(number=staff_no, name=name))
        self.work_area.setCurrentWidget(self.session)
        intake = self.terminal.intake
        draft = intake.recovered_draft()
        self._orphan = None
        if draft is not None and intake.item(draft.item_code) is None:
            # Its item was withdrawn meanwhile: keep what was typed until the clerk picks another item.
            self._orphan = draft
            self.new_case()
            self.session.hint.setText(
                self.tr(
                    "The item of the unfinished case is no longer offered. Choose another item on the left: "
                    "the applicant's details typed before are kept."
                )
            )
        elif draft is not None:
            self.session.views.setCurrentWidget(self.session.intake_view)
            self.session.form_stack.setCurrentWidget(self.session.form)
            self.session.form.load(
                draft, banner=self.tr("The unfinished case from before was restored. Check it and carry on.")
            )
            self.session.picker.search.setText(draft.item_code)
        else:
            self.new_case()

    @Slot(str, str)
    def _on_signed_out(self, _staff_no: str, reason: str) -> None:
        self.terminal.intake.flush_draft()
        self.work_area.setCurrentWidget(self.sign_in)
        notice = self.tr("Signed out after 10 idle minutes; the draft was saved.") if reason == "idle" else ""
        self.sign_in.reset(notice)

    @Slot()
    def _sign_out_clicked(self) -> None:
        self.terminal.intake.flush_draft()
        self.terminal.staff.sign_out(reason="manual")

    # --- navigation ----------------------------------------------------------------------------------------

    @Slot()
    def new_case(self) -> None:
        if not self.signed_in:
            return
        s = self.session
        s.views.setCurrentWidget(s.intake_view)
        if s.form.draft is None:
            s.form_stack.setCurrentWidget(s.hint)
            s.picker.search.clear()
        else:  # a case in progress stays; the picker shows its item (typing replaces it to switch items)
            s.picker.search.setText(s.form.draft.item_code)
        s.picker.focus_search()

    @Slot()
    def focus_search(self) -> None:
        if self.signed_in:
            self.session.views.setCurrentWidget(self.session.intake_view)
            self.session.picker.focus_search()

    @Slot(str)
    def choose_item(self, code: str) -> None:
        s = self.session
        intake = self.terminal.intake
        if s.form.draft is None and self._orphan is not None:
            draft = intake.change_item(draft=self._orphan, item_code=code)
            self._orphan = None
            s.hint.setText(self._hint_text)
        elif s.form.draft is not None and s.form.draft.item_code != code:
            draft = intake.change_item(draft=s.form.draft, item_code=code)
        elif s.form.draft is not None:
            draft = s.form.draft
        else:
            draft = intake.start(item_code=code)
        s.form_stack.setCurrentWidget(s.form)
        s.form.load(draft)
        if s.picker.search.text() != code:
            s.picker.search.setText(code)  # the picker and its guide show the item being worked on

    @Slot()
    def submit(self) -> None:
        s = self.session
        if self.signed_in and s.views.currentWidget() is s.intake_view and s.form.draft is not None:
            s.form.submit()

    @Slot()
    def read_card(self) -> None:
        s = self.session
        if self.signed_in and s.form.draft is not None:
            s.form.read_card("applicant")

    @Slot()
    def show_today(self) -> None:
        if self.signed_in:
            self.session.today_page.refresh()
            self.session.views.setCurrentWidget(self.session.today_page)
            self.session.today_page.search.setFocus()

    @Slot()
    def discard_draft(self) -> None:
        """Delete the case being entered, after the clerk confirms (the default answer keeps it)."""
        if self.session.form.draft is None:
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Discard draft"),
            self.tr("Discard this case? Everything entered for it will be deleted."),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self.window,
        )
        box.setObjectName("discard_confirm")
        box.setDefaultButton(QMessageBox.StandardButton.No)
        if box.exec() != QMessageBox.StandardButton.Yes:
            return
        self.terminal.intake.discard_draft()
        self.session.form.draft = None
        self.new_case()

    @Slot(object)
    def _on_submitted(self, case: Case) -> None:
        s = self.session
        # The form stays where it is behind the result page (hiding it now would lay it out for nothing);
        # `new_case` shows the hint instead of the empty form.
        s.result.show_case(case, printing=self.terminal.receipts is not None and case.state is CaseState.RECEIVED)
        s.views.setCurrentWidget(s.result)


def mount_counter_pages(window: QMainWindow, work_area: QStackedWidget, terminal: Terminal) -> CounterFlow:
    """Add the clerk's pages to the counter window's work area (called by `CounterWindow` when it has a terminal)."""
    return CounterFlow(window, work_area, terminal)
