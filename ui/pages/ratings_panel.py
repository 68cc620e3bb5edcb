"""The clerk's view of 好差评: ask for a rating, see that it was given (and its level) once stored, today's count and
好评 share, and a notice when a 差评 comes in (the supervisor gets a synced event from the service).

The clerk never sees the citizen's choice before it is stored: the panel listens only to `rating_saved`.
`attach_ratings_panel` docks the panel on the counter window and adds a 好差评 menu, so the counter window's own
code needs no change.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow, QPushButton, QVBoxLayout, QWidget

from app.domain.models import RATING_LABELS, Rating, RatingOutcome
from app.services.errors import UserFacingError
from app.services.ratings import RatingPrompt, RatingService
from app.services.report import ReportService
from ui.pages.daily_report import DailyReportDialog

StaffNo = Callable[[], str]


class RatingsPanel(QWidget):
    """Labels: `state_label` (this visit), `today_label` (today's figures), `notice_label` (last 差评)."""

    def __init__(
        self,
        *,
        service: RatingService,
        staff_no: StaffNo,
        reports: ReportService | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ratings_panel")
        self._service = service
        self._reports = reports
        self.ask_action: QAction | None = None
        self.report_action: QAction | None = None
        self.report_dialog: DailyReportDialog | None = None
        self._staff_no = staff_no
        self._waiting_for: str | None = None
        layout = QVBoxLayout(self)
        self.title = QLabel(self.tr("Service rating"), self)
        self.title.setObjectName("ratings_title")
        self.request_button = QPushButton(self.tr("Ask for a rating (visit without a case)"), self)
        self.request_button.setObjectName("request_rating")
        self.request_button.setMinimumHeight(44)
        self.request_button.clicked.connect(self.request_for_visit)
        self.state_label = QLabel(self.tr("No rating asked yet"), self)
        self.state_label.setObjectName("rating_state")
        self.state_label.setWordWrap(True)
        self.today_label = QLabel(self)
        self.today_label.setObjectName("rating_today")
        self.today_label.setWordWrap(True)
        self.notice_label = QLabel(self)
        self.notice_label.setObjectName("bad_rating_notice")
        self.notice_label.setWordWrap(True)
        self.notice_label.setStyleSheet(
            "QLabel#bad_rating_notice { color: #ffffff; background: #b71c1c; padding: 8px; border-radius: 6px; }"
        )
        self.notice_label.hide()
        for widget in (self.title, self.request_button, self.state_label, self.today_label, self.notice_label):
            layout.addWidget(widget)
        layout.addStretch(1)
        service.rating_requested.connect(self._on_requested)
        service.rating_saved.connect(self._on_saved)
        service.bad_rating_reported.connect(self._on_bad)
        self.refresh_today()

    @Slot()
    def request_for_visit(self) -> None:
        """Finish a visit without a case (a consultation): ask the citizen screen for its one rating."""
        try:
            self._service.request_rating(case_no=None, item_code=None, staff_no=self._staff_no(), initiator=self)
        except UserFacingError as exc:
            self.state_label.setText(exc.message)

    def install_menu(self, window: QMainWindow) -> None:
        """A 好差评 menu on `window`: ask for a rating, open the daily report."""
        menu = window.menuBar().addMenu(self.tr("Rating"))
        menu.setObjectName("rating_menu")
        self.ask_action = QAction(self.tr("Ask for a rating"), window)
        self.ask_action.setObjectName("action_request_rating")
        self.ask_action.triggered.connect(self.request_for_visit)
        menu.addAction(self.ask_action)
        if self._reports is not None:
            self.report_action = QAction(self.tr("Daily report…"), window)
            self.report_action.setObjectName("action_daily_report")
            self.report_action.triggered.connect(self.open_daily_report)
            menu.addAction(self.report_action)

    @Slot()
    def open_daily_report(self) -> None:
        if self._reports is None:
            return
        self.report_dialog = DailyReportDialog(service=self._reports, parent=self.window())
        self.report_dialog.open()

    @Slot()
    def refresh_today(self) -> None:
        figures = self._service.today_figures()
        share = figures.good_share
        self.today_label.setText(
            self.tr("Today: {rated} rated, good {share}, not rated {unrated}").format(
                rated=figures.rated,
                share="—" if share is None else f"{share:.0%}",
                unrated=figures.unrated,
            )
        )

    @Slot(object, object)
    def _on_requested(self, prompt: RatingPrompt, initiator: object) -> None:
        self._waiting_for = prompt.service_act_id
        if prompt.case_no:
            self.state_label.setText(self.tr("Waiting for the citizen to rate case {case}").format(case=prompt.case_no))
        else:
            self.state_label.setText(self.tr("Waiting for the citizen to rate this visit"))

    @Slot(object, object)
    def _on_saved(self, rating: Rating, initiator: object) -> None:
        if rating.outcome is RatingOutcome.UNRATED or rating.level is None:
            self.state_label.setText(self.tr("Not rated: the citizen left without rating (recorded)"))
        else:
            self.state_label.setText(self.tr("Rated: {level}").format(level=RATING_LABELS[rating.level]))
        self._waiting_for = None
        self.refresh_today()

    @Slot(object)
    def _on_bad(self, rating: Rating) -> None:
        level = RATING_LABELS[rating.level] if rating.level is not None else ""
        self.notice_label.setText(
            self.tr("Poor rating received ({level}): {reasons}. The hall supervisor has been notified.").format(
                level=level, reasons="、".join(rating.reasons)
            )
        )
        self.notice_label.show()


def attach_ratings_panel(
    window: QMainWindow, *, ratings: RatingService, reports: ReportService, staff_no: StaffNo
) -> RatingsPanel:
    """Dock the ratings panel on the right of the counter window and add the 好差评 menu (ask, daily report)."""
    dock = QDockWidget(window)
    dock.setObjectName("ratings_dock")
    dock.setFeatures(QDockWidget.DockWidgetFeature.NoDockWidgetFeatures)
    panel = RatingsPanel(service=ratings, staff_no=staff_no, reports=reports, parent=dock)
    dock.setWindowTitle(panel.title.text())
    panel.title.hide()  # the dock's title says it already
    dock.setWidget(panel)
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
    panel.install_menu(window)
    return panel
