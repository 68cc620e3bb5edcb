"""Everything a signed-in clerk sees (the intake, result and today's-cases views), built when first needed.

Split from counter_flow.py so that the sign-in page, the first screen, does not import the intake form, the
item picker, the case list and what they import (issue 13: start-up time).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSplitter, QStackedWidget, QVBoxLayout, QWidget

from app.services.terminal import Terminal
from ui.pages.bundle_page import BundlePage
from ui.pages.guide_page import GuidePage
from ui.pages.intake_form import IntakeFormPage
from ui.pages.item_picker import ItemPicker
from ui.pages.submit_result import SubmitResultPage
from ui.pages.today_cases import TodayCasesPage


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
            intake=terminal.intake,
            staff=terminal.staff,
            devices=terminal.devices,
            config=terminal.config,
            licences=terminal.licences,
        )
        self.form_stack.addWidget(self.hint)
        self.form_stack.addWidget(self.form)
        self.intake_view.setSizes([380, 860])
        self.result = SubmitResultPage(terminal.receipts, self.views)
        self.today_page = TodayCasesPage(
            terminal.case_list, terminal.intake, terminal.staff, self.views, receipts=terminal.receipts
        )
        self.guide_page = GuidePage(terminal, self.views)
        self.bundle_page = BundlePage(terminal, self.views)
        for view in (self.intake_view, self.result, self.today_page, self.guide_page, self.bundle_page):
            self.views.addWidget(view)
        layout.addLayout(bar)
        layout.addWidget(self.views, 1)
