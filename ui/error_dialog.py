"""The error dialog: shows `ErrorReport`s from `app.services.errors.ErrorRouter` on the GUI thread.

The dialog is not modal-blocking (`show()`, not `exec()`): the session goes on behind it, and a second error while
it is open replaces its text instead of stacking dialogs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from app.services.errors import ErrorKind, ErrorReport

if TYPE_CHECKING:  # the dialog's class is loaded when an error is first shown (its enums: start-up time)
    from PySide6.QtWidgets import QMessageBox


class ErrorPresenter(QObject):
    """Connect `ErrorRouter.error_reported` to `show_report`."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._window: QWidget | None = None
        self.dialog: QMessageBox | None = None

    def set_window(self, window: QWidget | None) -> None:
        """The window the dialog belongs to (centred on it, closed with it)."""
        self._window = window

    @Slot(object)
    def show_report(self, report: ErrorReport) -> None:
        if report.kind is ErrorKind.CANCELLED or (report.kind is ErrorKind.BUG and not report.first_time):
            return  # cancellations are silent; the same bug is shown once per session (it is logged each time)
        if report.kind is ErrorKind.ENVIRONMENT:
            text = report.message or self.tr(
                "The operation could not be completed because of a problem with this computer or the "
                "network (for example a full disk or a device that is not connected). Please check and "
                "try again."
            )
        else:
            text = self.tr(
                "Something went wrong in the program. It has been written to the log. You can go on "
                "working; if it happens again, please tell the administrator."
            )
        dialog = self._dialog()
        dialog.setText(text)
        dialog.setDetailedText(report.detail)
        dialog.show()
        if QGuiApplication.platformName() != "offscreen":  # offscreen has no stacking; it warns on raise()
            dialog.raise_()

    def _dialog(self) -> QMessageBox:
        from PySide6.QtWidgets import QMessageBox

        if self.dialog is None:
            dialog = QMessageBox(self._window)
            dialog.setObjectName("error_dialog")
            dialog.setIcon(QMessageBox.Icon.Warning)
            dialog.setWindowTitle(self.tr("Error"))
            dialog.setStandardButtons(QMessageBox.StandardButton.Ok)
            dialog.setModal(False)
            self.dialog = dialog
        return self.dialog
