"""How the 好差评 windows join the program (issue 5), kept out of ui/app.py and ui/counter_window.py.

- Counter mode: the clerk's window gets the ratings panel (dock + 好差评 menu) and opens maximised on the primary
  monitor; a case the intake service submits asks the citizen screen for a rating. Where the citizen screen goes
  is `rating.citizen_screen` (`arrange_citizen_window`): `second_screen` (default) full screen on the second
  monitor; `window` an ordinary window there; `off` none (a separate `--mode rating` device rates). With one
  monitor it never covers the clerk's window: it waits minimised and comes up only while the citizen is asked
  for a rating, then goes down again.
- Rating mode (`tongban --mode rating`, a separate 评价器 PC or tablet): the rating window is the main window and
  fills the screen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QGuiApplication, QScreen
from PySide6.QtWidgets import QMainWindow, QWidget

from app.config import CitizenScreen, Config, Mode
from ui.pages.ratings_panel import attach_ratings_panel
from ui.rating.window import RatingWindow, place_full_screen

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
    choice = config.rating.citizen_screen
    attach_ratings_panel(
        window,
        ratings=terminal.ratings,
        reports=terminal.reports,
        staff_no=lambda: staff.clerk.staff_no if staff.clerk else "",
    )
    terminal.intake.case_submitted.connect(terminal.ratings.on_case_submitted)
    if choice is CitizenScreen.OFF:
        return []
    citizen = RatingWindow(service=terminal.ratings, config=config)
    staff.signed_in.connect(citizen.on_clerk_signed_in)
    staff.signed_out.connect(citizen.on_clerk_signed_out)
    if staff.clerk is not None:
        citizen.on_clerk_signed_in(staff.clerk.staff_no)
    arrange_citizen_window(citizen, choice)
    return [citizen]


def _second_screen() -> QScreen | None:
    primary = QGuiApplication.primaryScreen()
    others = [screen for screen in QGuiApplication.screens() if screen is not primary and screen != primary]
    return others[0] if others else None


def arrange_citizen_window(citizen: RatingWindow, choice: CitizenScreen) -> str:
    """Show the citizen window as `choice` says; returns where it went: "second_screen", "window" or "on_demand"
    (one monitor: minimised, up only while a rating is asked, so it never covers the clerk's window)."""
    second = _second_screen()
    if second is not None and choice is CitizenScreen.SECOND_SCREEN:
        place_full_screen(citizen, second)
        return "second_screen"
    if second is not None:
        citizen.setScreen(second)
        citizen.setGeometry(second.availableGeometry().adjusted(40, 40, -40, -40))
        citizen.showNormal()
        return "window"
    _OnDemand(citizen)
    if citizen.pages.currentWidget() is citizen.idle_page:
        citizen.showMinimized()
    else:  # a request left open by a crash is being asked again
        citizen.showNormal()
    return "on_demand"


class _OnDemand(QObject):
    """With one monitor: bring the citizen window up for a rating request, minimise it again once back to idle."""

    def __init__(self, citizen: RatingWindow) -> None:
        super().__init__(citizen)
        self.setObjectName("citizen_on_demand")
        self._citizen = citizen
        citizen.pages.currentChanged.connect(self._on_page)

    @Slot(int)
    def _on_page(self, _index: int) -> None:
        citizen = self._citizen
        if citizen.pages.currentWidget() is citizen.idle_page:
            citizen.showMinimized()
        elif citizen.isMinimized() or not citizen.isVisible():
            citizen.showNormal()
            citizen.raise_()
            citizen.activateWindow()
