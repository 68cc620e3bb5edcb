"""Mounts the clerk's pages in the counter window and moves between them.

sign-in → intake (item picker beside the case form) → result (case number) → next case; today's cases at any
time (F3); the 向导式 guide of the highlighted item (F4) before any case, whose answers carry into intake.
Keyboard: Ctrl+F search items, Ctrl+Enter submit, Ctrl+N next case, F3 today's cases, F4 guide, F5 read ID card.
Any key or click restarts the idle countdown; sign-out (or 10 idle minutes) saves the draft and shows sign-in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QApplication, QMainWindow, QStackedWidget

from app.services.terminal import Terminal
from ui.pages.sign_in import SignInPage
from ui.widgets.style import add_page_styles

if TYPE_CHECKING:  # the session page and its imports load when first needed (start-up time, issue 13)
    from PySide6.QtCore import QEvent

    from app.domain.models import Case
    from app.services.intake_form import IntakeDraft
    from ui.pages.session_page import SessionPage


class CounterFlow(QObject):
    """Owns the pages and the navigation between them; parented to the window."""

    def __init__(self, window: QMainWindow, work_area: QStackedWidget, terminal: Terminal) -> None:
        super().__init__(window)
        self.setObjectName("counter_flow")
        self.terminal = terminal
        self.window = window
        self.work_area = work_area
        self.sign_in = SignInPage(terminal.staff, work_area)
        self._session: SessionPage | None = None
        add_page_styles()
        work_area.addWidget(self.sign_in)
        work_area.setCurrentWidget(self.sign_in)
        terminal.staff.signed_in.connect(self._on_signed_in)
        terminal.staff.signed_out.connect(self._on_signed_out)
        # Shortcuts and the activity filter (idle sign-out) come with the session views: signed out they have
        # nothing to do, and before the first paint they would cost PySide6's QKeySequence and QEvent enums and a
        # Python call for every event of the start (issue 13).
        self._activity: frozenset[QEvent.Type] = frozenset()
        self._orphan: IntakeDraft | None = None  # a recovered draft whose item was withdrawn
        self._hint_text = ""
        self.sign_in.reset()

    @property
    def session(self) -> SessionPage:
        """The signed-in clerk's views: built on first use (or by `build_session` after the first paint)."""
        if self._session is None:
            from ui.pages.session_page import SessionPage

            s = SessionPage(self.terminal, self.work_area)
            self.work_area.addWidget(s)
            s.picker.item_chosen.connect(self.choose_item)
            s.picker.guide_requested.connect(self.open_guide)
            s.guide_page.intake_requested.connect(self.intake_from_guide)
            s.guide_page.bundle_intake_requested.connect(self.bundle_intake_from_guide)
            s.picker.bundle_guide_requested.connect(self.open_bundle_guide)
            s.guide_page.closed.connect(self.new_case)
            s.picker.bundle_requested.connect(self.open_bundle)
            s.bundle_page.closed.connect(self.new_case)
            s.form.submitted.connect(self._on_submitted)
            s.form.discard.clicked.connect(self.discard_draft)
            s.result.new_case_requested.connect(self.new_case)
            s.result.list_requested.connect(self.show_today)
            s.new_case.clicked.connect(self.new_case)
            s.today.clicked.connect(self.show_today)
            s.sign_out.clicked.connect(self._sign_out_clicked)
            self._hint_text = s.hint.text()
            self._session = s
            self._install_keyboard()
            self.terminal.intake.identity_changed.connect(self._show_identity)
            self._show_identity(self.terminal.intake.identity_problem or "")
        return self._session

    @Slot(str)
    def _show_identity(self, problem: str) -> None:
        """Without an identity of its own the terminal takes no case: the work area says why, in place of the hint."""
        hint = self.session.hint
        hint.setProperty("blocked", "true" if problem else "false")
        hint.setText(problem or self._hint_text)
        hint.style().unpolish(hint)
        hint.style().polish(hint)

    def build_session(self) -> None:
        """Build the session views now (once), so that signing in shows them at once."""
        _ = self.session

    def _install_keyboard(self) -> None:
        from PySide6.QtCore import QEvent

        self._shortcut("Ctrl+Return", self.submit)
        self._shortcut("Ctrl+Enter", self.submit)
        self._shortcut("Ctrl+N", self.new_case)
        self._shortcut("Ctrl+F", self.focus_search)
        self._shortcut("F3", self.show_today)
        self._shortcut("F5", self.read_card)
        self._shortcut("F4", self.open_guide_of_current)
        self._activity = frozenset({QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.Wheel})
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def _shortcut(self, keys: str, slot: object) -> None:
        from PySide6.QtGui import QKeySequence, QShortcut

        shortcut = QShortcut(QKeySequence(keys), self.window)
        shortcut.setObjectName(f"shortcut_{keys}")
        shortcut.activated.connect(slot)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in self._activity:
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
        intake.set_clerk(staff_no)
        draft = intake.recovered_draft()  # this clerk's own draft, never the previous clerk's
        self._orphan = None
        self.session.form.draft = None  # the previous clerk's form is never shown to this one
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
        self.terminal.intake.flush_draft()  # saved as the departing clerk's
        self.terminal.intake.set_clerk(None)
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
        if intake.identity_problem is not None:
            self._show_identity(intake.identity_problem)
            s.form_stack.setCurrentWidget(s.hint)
            return
        if s.form.draft is None and self._orphan is not None:
            draft = intake.change_item(draft=self._orphan, item_code=code)
            self._orphan = None
            self._show_identity("")
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
    def open_guide_of_current(self) -> None:
        if self.signed_in and self.session.views.currentWidget() is self.session.intake_view:
            self.session.picker.open_guide()

    @Slot(str)
    def open_guide(self, code: str) -> None:
        """The 向导式 guide of an item, before any case: one question per page, then the materials."""
        item = self.terminal.intake.item(code)
        if item is None:
            return
        self.session.guide_page.start(item)
        self.session.views.setCurrentWidget(self.session.guide_page)

    @Slot()
    def open_bundle_guide(self) -> None:
        """The 向导式 guide of a 一件事: choose the bundle, then one question per page."""
        if self.signed_in:
            self.session.guide_page.choose_bundle()
            self.session.views.setCurrentWidget(self.session.guide_page)

    @Slot(str, dict)
    def bundle_intake_from_guide(self, code: str, answers: dict[str, str]) -> None:
        """The applicant goes ahead with the 一件事: its intake opens with the guide's answers."""
        if self.signed_in:
            self.session.bundle_page.start(code, answers=answers)
            self.session.views.setCurrentWidget(self.session.bundle_page)

    @Slot()
    def open_bundle(self) -> None:
        """一件事一次办: one intake for several departments' items."""
        if self.signed_in:
            self.session.bundle_page.start()
            self.session.views.setCurrentWidget(self.session.bundle_page)

    @Slot(str, dict)
    def intake_from_guide(self, code: str, answers: dict[str, str]) -> None:
        """The applicant goes ahead: open the case form for the item with the guide's answers filled in."""
        s = self.session
        s.views.setCurrentWidget(s.intake_view)
        self.choose_item(code)
        draft = s.form.draft
        if draft is None or draft.item_code != code:
            return  # the terminal cannot take cases now (the hint says why)
        draft.answers.update(answers)
        self.terminal.intake.refresh(draft=draft)
        s.form.load(draft)

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
        from PySide6.QtWidgets import QMessageBox

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
        from app.domain.models import CaseState

        s = self.session
        # The form stays where it is behind the result page (hiding it now would lay it out for nothing);
        # `new_case` shows the hint instead of the empty form.
        s.result.show_case(case, printing=self.terminal.receipts is not None and case.state is CaseState.RECEIVED)
        s.views.setCurrentWidget(s.result)


def mount_counter_pages(window: QMainWindow, work_area: QStackedWidget, terminal: Terminal) -> CounterFlow:
    """Add the clerk's pages to the counter window's work area (called by `CounterWindow` when it has a terminal)."""
    return CounterFlow(window, work_area, terminal)
