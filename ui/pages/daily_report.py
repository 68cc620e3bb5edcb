"""日结 on screen: pick a day, read the figures, export CSV or PDF (the same rendering as `tongban report`)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QDate, Slot
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.services.errors import UserFacingError
from app.services.report import DailyReport, ReportService, report_html
from ui.widgets.accessible import ask_file, file_dialog, tie_label


class DailyReportDialog(QDialog):
    """Widgets: `date_edit`, `view` (the report), `csv_button`, `pdf_button`, `print_button`, `message`."""

    def __init__(self, *, service: ReportService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("daily_report_dialog")
        self.setWindowTitle(self.tr("Daily report"))
        self.resize(900, 760)
        self._service = service
        self.report: DailyReport | None = None
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        date_label = QLabel(self.tr("Date"), self)
        row.addWidget(date_label)
        self.date_edit = QDateEdit(self)
        self.date_edit.setAccessibleName(self.tr("Date of the report"))
        tie_label(date_label, self.date_edit)
        self.date_edit.setObjectName("report_date")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        today = service.today()
        self.date_edit.setDate(QDate(today.year, today.month, today.day))
        self.date_edit.dateChanged.connect(self.refresh)
        row.addWidget(self.date_edit)
        row.addStretch(1)
        self.csv_button = QPushButton(self.tr("Export CSV…"), self)
        self.csv_button.setObjectName("export_csv")
        self.csv_button.clicked.connect(self._export_csv)
        self.pdf_button = QPushButton(self.tr("Export PDF…"), self)
        self.pdf_button.setObjectName("export_pdf")
        self.pdf_button.clicked.connect(self._export_pdf)
        self.print_button = QPushButton(self.tr("Print"), self)
        self.print_button.setObjectName("print_report")
        self.print_button.clicked.connect(self.print_report)
        row.addWidget(self.csv_button)
        row.addWidget(self.pdf_button)
        row.addWidget(self.print_button)
        layout.addLayout(row)
        self.view = QTextBrowser(self)
        self.view.setObjectName("report_view")
        self.view.setAccessibleName(self.tr("Daily report"))
        self.view.setOpenLinks(False)
        layout.addWidget(self.view, 1)
        self.message = QLabel(self)
        self.message.setObjectName("report_message")
        layout.addWidget(self.message)
        self.refresh()

    @property
    def day(self) -> dt.date:
        date = self.date_edit.date()
        return dt.date(date.year(), date.month(), date.day())

    @Slot()
    def refresh(self) -> None:
        try:
            self.report = self._service.report(day=self.day)
        except UserFacingError as exc:
            self.report = None
            self.view.clear()
            self.message.setText(exc.message)
            return
        self.view.setHtml(report_html(self.report))  # every value escaped: citizen text shows as typed

    def export_to(self, path: Path, fmt: str) -> bool:
        """Write the shown day's report; the message line says where, or why not."""
        try:
            written = self._service.export(day=self.day, fmt=fmt, out=path)
        except UserFacingError as exc:
            self.message.setText(exc.message)
            return False
        self.message.setText(self.tr("Saved to {path}").format(path=str(written)))
        return True

    @Slot()
    def print_report(self) -> bool:
        """Print the shown day's report on the A4 system printer; the message line says where, or why not."""
        try:
            name = self._service.print(day=self.day)
        except UserFacingError as exc:
            self.message.setText(exc.message)
            return False
        self.message.setText(self.tr("Sent to printer {name}").format(name=name))
        return True

    def _ask_path(self, fmt: str) -> Path | None:
        name = f"日结-{self.day:%Y%m%d}.{fmt}"
        path = ask_file(file_dialog(self, self.tr("Export daily report"), name, f"*.{fmt}", save=True))
        return Path(path) if path else None

    @Slot()
    def _export_csv(self) -> None:
        path = self._ask_path("csv")
        if path is not None:
            self.export_to(path, "csv")

    @Slot()
    def _export_pdf(self) -> None:
        path = self._ask_path("pdf")
        if path is not None:
            self.export_to(path, "pdf")
