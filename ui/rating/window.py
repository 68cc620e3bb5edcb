"""The citizen-facing rating window: idle → levels → (reasons) → thank-you → idle; 未评价 on timeout.

The window holds the only `CitizenDevice` of the terminal (the service refuses submissions without it), so the
clerk's window cannot rate. A tap disables the level buttons before anything else happens, and the service
closes the request inside the same call, so double taps and a burst of taps store one rating.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QTimer, Slot
from PySide6.QtGui import QGuiApplication, QScreen
from PySide6.QtWidgets import QMainWindow, QStackedWidget, QWidget

from app.config import Config
from app.domain.models import Rating, RatingLevel, RatingOutcome
from app.services.errors import UserFacingError
from app.services.ratings import (
    RatingAlreadyGivenError,
    RatingPrompt,
    RatingRefusedError,
    RatingService,
    RatingStoreError,
)
from resources import resource_path
from ui.rating.pages import IdlePage, LevelPage, ReasonsPage, ThanksPage

log = logging.getLogger("tongban.ui")

THANKS_MS = 4000

STYLE = """
QMainWindow#rating_window, QWidget#rating_pages { background: #ffffff; }
QLabel#rating_hall_name { font-size: 34pt; font-weight: bold; color: #b71c1c; }
QLabel#rating_window_no { font-size: 28pt; color: #1f2933; }
QLabel#clerk_photo { border: 2px dashed #9aa5b1; color: #7b8794; font-size: 16pt; background: #f5f7fa; }
QLabel#clerk_name { font-size: 26pt; font-weight: bold; }
QLabel#clerk_no { font-size: 18pt; color: #52606d; }
QLabel#rating_welcome, QLabel#rating_context { font-size: 18pt; color: #52606d; }
QLabel#rating_question, QLabel#reasons_title { font-size: 28pt; font-weight: bold; }
QLabel#thanks_title { font-size: 40pt; font-weight: bold; color: #2e7d32; }
QLabel#thanks_detail { font-size: 22pt; }
QLabel#rating_message { font-size: 18pt; color: #b71c1c; font-weight: bold; }
QToolButton { font-size: 20pt; font-weight: bold; border: 3px solid #cbd2d9; border-radius: 16px;
              background: #f5f7fa; padding: 12px; }
QToolButton:pressed { background: #e4e7eb; }
QPushButton { font-size: 18pt; border: 2px solid #cbd2d9; border-radius: 10px; background: #f5f7fa; padding: 8px; }
QPushButton#reason:checked { background: #ffe0b2; border: 3px solid #ef6c00; font-weight: bold; }
QPushButton#reasons_submit { background: #b71c1c; color: #ffffff; font-weight: bold; }
QPushButton#reasons_submit:disabled { background: #cbd2d9; color: #7b8794; }
QLineEdit#rating_text { font-size: 18pt; border: 2px solid #9aa5b1; border-radius: 8px; padding: 6px; }
QCheckBox#callback_consent { font-size: 18pt; }
QCheckBox#callback_consent { spacing: 16px; }
QCheckBox#callback_consent::indicator { width: 54px; height: 54px; border: 3px solid #3e4c59; border-radius: 8px;
                                        background: #ffffff; }
QCheckBox#callback_consent::indicator:checked { image: url(CHECK_IMAGE); }
QCheckBox#callback_consent::indicator:focus { border-color: #ef6c00; }
"""


def style_sheet() -> str:
    """STYLE with the tick's image: Qt's own check box is a pale grey outline, hard to see for the 实名回访 consent."""
    return STYLE.replace("CHECK_IMAGE", resource_path("themes", "check.png").as_posix())


def citizen_screen() -> QScreen:
    """The second monitor when there is one (the citizen's side of the counter), else the primary."""
    screens = QGuiApplication.screens()
    primary = QGuiApplication.primaryScreen()
    others = [screen for screen in screens if screen is not primary and screen != primary]
    return others[0] if others else primary


def place_full_screen(window: QWidget, screen: QScreen | None = None) -> QScreen:
    """Show `window` full screen on `screen` (default: `citizen_screen()`); returns the screen used."""
    target = screen or citizen_screen()
    window.setScreen(target)
    window.setGeometry(target.geometry())
    window.showFullScreen()
    return target


class RatingWindow(QMainWindow):
    """Pages: `idle_page`, `level_page`, `reasons_page`, `thanks_page` in the `pages` stack."""

    def __init__(
        self, *, service: RatingService, config: Config, thanks_ms: int = THANKS_MS, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("rating_window")
        self.setWindowTitle(self.tr("Rate our service — {hall}").format(hall=config.hall_name))
        self.setStyleSheet(style_sheet())
        self.resize(1280, 800)
        self._service = service
        self._device = service.register_citizen_screen()
        self._prompt: RatingPrompt | None = None
        self._level: RatingLevel | None = None

        self.pages = QStackedWidget(self)
        self.pages.setObjectName("rating_pages")
        self.idle_page = IdlePage(hall_name=config.hall_name, window_no=str(int(config.window)), parent=self.pages)
        self.level_page = LevelPage(self.pages)
        self.reasons_page = ReasonsPage(self.pages)
        self.thanks_page = ThanksPage(self.pages)
        for page in (self.idle_page, self.level_page, self.reasons_page, self.thanks_page):
            self.pages.addWidget(page)
        self.setCentralWidget(self.pages)

        self._back_to_idle = QTimer(self)
        self._back_to_idle.setObjectName("rating_thanks_timer")
        self._back_to_idle.setSingleShot(True)
        self._back_to_idle.setInterval(thanks_ms)
        self._back_to_idle.timeout.connect(self.show_idle)

        self.level_page.level_chosen.connect(self._on_level)
        self.reasons_page.submitted.connect(self._on_reasons_submitted)
        self.reasons_page.back_requested.connect(self._on_back)
        self.reasons_page.touched.connect(self._on_touched)
        service.rating_requested.connect(self._on_requested)
        service.rating_saved.connect(self._on_saved)

        self.show_idle()
        active = service.active_prompt
        if active is not None:
            self._on_requested(active, None)
        else:
            service.resume_pending()  # a request left open by a crash is asked again

    @property
    def prompt(self) -> RatingPrompt | None:
        return self._prompt

    def set_clerk(self, *, staff_no: str, name: str) -> None:
        """The clerk now at the window (from the staff session), shown on the idle page."""
        self.idle_page.set_clerk(staff_no, name)

    @Slot(str)
    def on_clerk_signed_in(self, staff_no: str) -> None:
        self.set_clerk(staff_no=staff_no, name=self._service.staff_name(staff_no))

    @Slot(str, str)
    def on_clerk_signed_out(self, staff_no: str, reason: str) -> None:
        self.set_clerk(staff_no="", name="")

    @Slot()
    def show_idle(self) -> None:
        self._back_to_idle.stop()
        self._prompt = None
        self._level = None
        self.pages.setCurrentWidget(self.idle_page)

    @Slot(object, object)
    def _on_requested(self, prompt: RatingPrompt, initiator: object) -> None:
        self._back_to_idle.stop()
        self._prompt = prompt
        self._level = None
        self.idle_page.set_clerk(prompt.staff_no, prompt.staff_name)
        self.level_page.show_prompt(prompt)
        self.pages.setCurrentWidget(self.level_page)

    @Slot(object, object)
    def _on_saved(self, rating: Rating, initiator: object) -> None:
        """An open prompt answered elsewhere or timed out (未评价): back to idle."""
        prompt = self._prompt
        if prompt and rating.service_act_id == prompt.service_act_id and rating.outcome is RatingOutcome.UNRATED:
            self.show_idle()

    @Slot(int)
    def _on_level(self, value: int) -> None:
        prompt = self._prompt
        if prompt is None or self.pages.currentWidget() is not self.level_page:
            return
        level = RatingLevel(value)
        self.level_page.set_enabled(False)  # first tap wins
        if level.needs_reasons:
            self._level = level
            self._service.keep_alive(service_act_id=prompt.service_act_id)
            self.reasons_page.start(level, prompt)
            self.pages.setCurrentWidget(self.reasons_page)
            return
        self._submit(prompt, level)

    @Slot()
    def _on_reasons_submitted(self) -> None:
        prompt, level = self._prompt, self._level
        if prompt is None or level is None or self.pages.currentWidget() is not self.reasons_page:
            return
        self.reasons_page.submit_button.setEnabled(False)
        page = self.reasons_page
        self._submit(
            prompt,
            level,
            reasons=page.chosen_reasons(),
            text=page.text_edit.text(),
            callback_consent=page.consent.isVisible() and page.consent.isChecked(),
        )

    @Slot()
    def _on_back(self) -> None:
        if self._prompt is None:
            return
        self._level = None
        self.level_page.set_enabled(True)
        self.pages.setCurrentWidget(self.level_page)

    @Slot()
    def _on_touched(self) -> None:
        if self._prompt is not None:
            self._service.keep_alive(service_act_id=self._prompt.service_act_id)

    def _submit(
        self,
        prompt: RatingPrompt,
        level: RatingLevel,
        *,
        reasons: list[str] | None = None,
        text: str = "",
        callback_consent: bool = False,
    ) -> None:
        try:
            self._service.submit(
                device=self._device,
                service_act_id=prompt.service_act_id,
                level=level,
                reasons=reasons or (),
                text=text,
                callback_consent=callback_consent,
                initiator=self,
            )
        except RatingAlreadyGivenError:  # another rating screen on this data was first: thank, store nothing
            self._prompt = None
            self.thanks_page.show_already_rated()
            self.pages.setCurrentWidget(self.thanks_page)
            self._back_to_idle.start()
            return
        except RatingRefusedError as exc:
            if self._service.active_prompt is None:  # the request is over (answered or timed out)
                self.show_idle()
                return
            self._show_problem(exc.message)
            return
        except (UserFacingError, RatingStoreError) as exc:  # nothing was stored; the citizen may tap again
            log.warning("rating for service act %s not stored: %s", prompt.service_act_id, type(exc).__name__)
            self._show_problem(self.tr("Your rating could not be saved. Please try again."))
            return
        self._prompt = None
        self.thanks_page.show_level(level)
        self.pages.setCurrentWidget(self.thanks_page)
        self._back_to_idle.start()

    def _show_problem(self, message: str) -> None:
        if self.pages.currentWidget() is self.reasons_page:
            self.reasons_page.set_message(message)
            self.reasons_page.submit_button.setEnabled(True)
        else:
            self.level_page.message.setText(message)
            self.level_page.set_enabled(True)
