"""How the 好差评 windows join the program (issue 5), kept out of ui/app.py and ui/counter_window.py.

- Counter mode: the clerk's window gets the ratings panel (dock + 好差评 menu); a case the intake service submits
  asks the citizen screen for a rating; the citizen screen opens full screen on the second monitor. With one
  monitor it opens as an ordinary window instead: full screen there would hide the clerk's own window.
- Rating mode (`tongban --mode rating`, a separate 评价器 PC or tablet): the rating window is the main window and
  fills the screen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMainWindow, QWidget

from app.config import Config, Mode
from ui.pages.ratings_panel import attach_ratings_panel
from ui.rating.window import RatingWindow, citizen_screen, place_full_screen

if TYPE_CHECKING:
    from app.services.terminal import Terminal


def rating_main_window(*, config: Config, terminal: Terminal) -> RatingWindow:
    """The main window of rating mode."""
    return RatingWindow(service=terminal.ratings, config=config)


def open_rating_windows(window: QMainWindow, *, mode: Mode, config: Config, terminal: Terminal | None) -> list[QWidget]:
    """Call once the main window is shown; returns windows the caller keeps alive until the event loop ends."""
    if terminal is None:
        return []
    if mode is Mode.RATING and isinstance(window, RatingWindow):
        place_full_screen(window)
        return []
    if mode is not Mode.COUNTER:
        return []
    staff = terminal.staff
    attach_ratings_panel(
        window,
        ratings=terminal.ratings,
        reports=terminal.reports,
        staff_no=lambda: staff.clerk.staff_no if staff.clerk else "",
    )
    terminal.intake.case_submitted.connect(terminal.ratings.on_case_submitted)
    citizen = RatingWindow(service=terminal.ratings, config=config)
    staff.signed_in.connect(citizen.on_clerk_signed_in)
    staff.signed_out.connect(citizen.on_clerk_signed_out)
    if staff.clerk is not None:
        citizen.on_clerk_signed_in(staff.clerk.staff_no)
    if len(QGuiApplication.screens()) > 1:
        place_full_screen(citizen, citizen_screen())
    else:
        citizen.show()
    return [citizen]
