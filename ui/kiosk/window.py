"""The kiosk window: locked full screen, pages in a stack, idle wipe, scanner wedge, 长辈模式, voice, admin exit.

A citizen's path: home → a tile → its page → home (the 首页 button, the end of a function, or the idle wipe).
Nothing closes the window but the admin menu: Alt+F4, Escape and the window manager's close are ignored. Five taps
in the top-left corner within 3 s open the admin page. An unexpected exception wipes the session and shows a calm
page that returns home by itself. Every page change moves the keyboard focus to the page's first control and reads
the page's title aloud (unless muted).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QPoint, QSize, QTimer, Slot
from PySide6.QtGui import QCloseEvent, QGuiApplication, QKeyEvent, QMouseEvent, QResizeEvent, QScreen
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QMainWindow,
    QVBoxLayout,
    QWidget,
)

from app.services.errors import ErrorKind, ErrorReport, UserFacingError
from ui.kiosk import theme
from ui.kiosk.home import HomePage
from ui.kiosk.idle import IdleWatch, MonotonicClock
from ui.kiosk.page import KioskPage, PageStack, settle
from ui.kiosk.voice import Voice
from ui.kiosk.widgets import KioskButton, label

if TYPE_CHECKING:
    from app.config import Config

    # The other pages and the kiosk and rating services are imported by `finish_start` (after the first paint),
    # and by the methods that need them, which only run after it (issue 13's start-path allow-list).
    from app.domain.models import Rating, RatingLevel
    from app.services.kiosk import CaseProgress, OwnCase
    from app.services.ratings import RatingPrompt
    from app.services.terminal import Terminal
    from ui.kiosk.wedge import ScannerWedge

log = logging.getLogger("tongban.kiosk")

ADMIN_TAPS = 5
ADMIN_TAP_SECONDS = 3.0
ADMIN_CORNER_PX = 120
THANKS_MS = 4000
ERROR_HOME_MS = 8000
#: Qt::Window and Qt::FramelessWindowHint as numbers (qnamespace.h), for the native window's `flags` property.
_WINDOW = 0x00000001
_FRAMELESS_WINDOW_HINT = 0x00000800


def _kiosk_config(terminal: Terminal | None, config: Config | None, opener: Callable[[], object] | None) -> Config:
    if terminal is not None:
        return terminal.config
    if config is None or opener is None:
        raise ValueError("a kiosk needs its terminal, or its config and a way to open the terminal")
    return config


class IdleOverlay(QFrame):
    """The countdown over every page: seconds left and 继续."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("idle_overlay")
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        card = QFrame(self)
        card.setObjectName("idle_card")
        box = QVBoxLayout(card)
        box.setContentsMargins(40, 32, 40, 32)
        self.title = label("您还在吗？", card, name="idle_title", role="title")
        self.seconds = label("", card, name="idle_seconds", wrap=False)
        self.seconds.setProperty("alignment", "AlignCenter")  # by name: no `Qt` namespace (see KioskWindow._lock_frame)
        self.text = label("长时间无操作，为保护您的信息，将返回首页并清除您输入的内容。", card, name="idle_text")
        self.continue_button = KioskButton("继续", card, name="idle_continue", role="primary", description="继续办理")
        for widget in (self.title, self.seconds, self.text, self.continue_button):
            box.addWidget(widget)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(card, 3)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(1)
        self.hide()

    def show_seconds(self, seconds: int) -> None:
        self.seconds.setText(f"{seconds} 秒")
        self.seconds.setAccessibleName(f"还剩{seconds}秒")
        if not self.isVisible():
            parent = self.parentWidget()
            if parent is not None:
                self.setGeometry(parent.rect())
            self.show()
            self.raise_()
            self.continue_button.setFocus()


class KioskWindow(QMainWindow):
    """Attributes tests use: `pages` (stack), `home`, `progress`, `guide`, `rating`, `admin`, `error_page`,
    `overlay`, `idle`, `wedge`, `voice`, `elder`."""

    def __init__(
        self,
        *,
        terminal: Terminal | None = None,
        config: Config | None = None,
        open_terminal: Callable[[], Terminal | None] | None = None,
        idle_clock: MonotonicClock = time.monotonic,
        wedge_clock: Callable[[], float] | None = None,
        voice_engine: str | None = None,
        defer_services: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        """With `defer_services` only the home page exists until `finish_start()` (the start-up path calls it after
        the first paint; a tap, a scan or the admin gesture before then calls it first).

        The terminal (store and services) is `terminal`, or, with `config` instead, what `open_terminal` returns
        when `finish_start()` first runs: the home page needs no store, so a start shows it before the store is
        opened (issue 12's start target). `open_terminal` returns None when the store cannot open; it has then
        told the user and ended the program, and the kiosk stays on its home page until the program ends."""
        super().__init__(parent)
        self.setObjectName("kiosk_window")
        self.setWindowTitle("自助服务终端")
        self.setAccessibleName("自助服务终端")
        self._lock_frame(native_only=defer_services)
        self._terminal = terminal
        self._open_terminal = open_terminal
        self._config = _kiosk_config(terminal, config, open_terminal)
        self._ready = False  # the services' side is built (finish_start)
        self._starting = False
        self._clock = idle_clock
        self._may_close = False
        self._screen_size: QSize | None = None  # what place() or fit() gave the window
        self._refitting = False
        self._taps: list[float] = []
        self._prompt: RatingPrompt | None = None
        self._level: RatingLevel | None = None
        self._after_query = ""
        self._wanted_case = ""  # 补打 from a progress result: print this case once the card confirms it
        self._job = ""
        self.elder = False

        central = QWidget(self)
        central.setObjectName("kiosk_central")
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._build_top_bar(central))
        self.pages = PageStack(central)
        self.pages.setObjectName("kiosk_pages")
        layout.addWidget(self.pages, 1)
        self.setCentralWidget(central)

        self.home = HomePage(self.pages)
        self.home.setAccessibleName(self.home.title)
        self.pages.addWidget(self.home)
        self.all_pages: list[KioskPage] = [self.home]
        self.overlay = IdleOverlay(central)

        self.voice = Voice(enabled=self._config.kiosk.voice, engine=voice_engine, parent=self)
        self.mute_button.setChecked(not self._config.kiosk.voice)
        self.idle = IdleWatch(
            idle_seconds=self._config.kiosk.idle_reset_seconds,
            countdown_seconds=self._config.kiosk.countdown_seconds,
            clock=idle_clock,
            parent=self,
        )
        self._wedge_clock = wedge_clock
        self._wedge: ScannerWedge | None = None  # built by start() (after the first paint at a real start)
        self._thanks_timer = self._timer("kiosk_thanks_timer", THANKS_MS, self.go_home)
        self._error_timer = self._timer("kiosk_error_timer", ERROR_HOME_MS, self.go_home)
        self._connect_base()
        self._mute(self.mute_button.isChecked())
        self.set_elder(self._config.kiosk.large_text)
        if not defer_services:
            self.finish_start()
        self._show(self.home)

    def finish_start(self) -> bool:
        """Build the services' side: every page but home, the kiosk and rating services, the tiles' hardware state.
        True once it is there; False when the store did not open (said, and the program is ending: the kiosk stays
        on its home page)."""
        if self._ready or self._starting:
            return self._ready
        self._starting = True  # a message box while the store opens runs events, which may call this again
        if self._terminal is None:
            assert self._open_terminal is not None
            self._terminal = self._open_terminal()
            if self._terminal is None:
                return False
        self._ready = True
        self._kiosk = self._terminal.kiosk
        self._ratings = self._terminal.ratings
        self._device = self._ratings.register_kiosk_screen()
        self._build_pages()
        sizes = theme.sizes(self.elder)
        for page in self.all_pages[1:]:
            page.apply_sizes(sizes)
        self._layout_for_size(force=True)
        self._connect()
        self._update_tiles()
        from ui.widgets import pinyin

        # 户口, 养老, 公积金 … lead the candidates at this kiosk; the tables load when a keyboard is first shown.
        pinyin.prefer(self._kiosk.catalogue_words())
        return True

    @property
    def _services(self) -> Terminal:
        assert self._terminal is not None, "finish_start() opens the terminal before any page needs it"
        return self._terminal

    def _build_pages(self) -> None:
        from ui.kiosk.admin import AdminPage  # after the first paint
        from ui.kiosk.guide import GuidePage
        from ui.kiosk.misc_pages import ErrorPage, RatingPage
        from ui.kiosk.progress import ProgressPage
        from ui.kiosk.reprint import ReprintPage

        self.progress = ProgressPage(self.pages)
        self.guide = GuidePage(self._kiosk, hall_name=self._config.hall_name, parent=self.pages)
        self.rating = RatingPage(self.pages)
        self.reprint = ReprintPage(self.pages)
        from app.services.kiosk_intake import KioskIntakeService
        from ui.kiosk.intake import IntakePage

        self.intake_service = KioskIntakeService(
            intake=self._services.intake,
            catalogue=self._services.catalogue,
            devices=self._services.devices,
            receipts=self._services.receipts,
            reader_problem=self._kiosk.card_reader_problem,
            parent=self,
        )
        self.intake = IntakePage(self.intake_service, self.pages)
        self.admin = AdminPage(self.pages)
        self.error_page = ErrorPage(self.pages)
        self.all_pages = [
            self.home,
            self.progress,
            self.guide,
            self.rating,
            self.reprint,
            self.intake,
            self.admin,
            self.error_page,
        ]
        for page in self.all_pages[1:]:
            page.setAccessibleName(page.title)
            self.pages.addWidget(page)

    def _timer(self, name: str, ms: int, slot: Callable[[], None]) -> QTimer:
        timer = QTimer(self)
        timer.setObjectName(name)
        timer.setSingleShot(True)
        timer.setInterval(ms)
        timer.timeout.connect(slot)
        return timer

    def _build_top_bar(self, parent: QWidget) -> QFrame:
        bar = QFrame(parent)
        bar.setObjectName("kiosk_top_bar")
        self._top_bar = bar
        row = QHBoxLayout(bar)
        row.setContentsMargins(24, 8, 24, 8)
        self.hall_label = label(self._config.hall_name, bar, name="kiosk_hall", wrap=False)
        row.addWidget(self.hall_label, 1)
        self.mute_button = KioskButton("静音", bar, name="kiosk_mute", role="bar", description="关闭或打开语音提示")
        self.mute_button.setCheckable(True)
        row.addWidget(self.mute_button)
        self.home_button = KioskButton("返回首页", bar, name="kiosk_home_button", role="bar", description="回到首页")
        row.addWidget(self.home_button)
        return bar

    def _connect_base(self) -> None:
        self.home.tile_chosen.connect(self._tile)
        self.home.elder_toggled.connect(self.set_elder)
        self.home_button.clicked.connect(self.go_home)
        self.mute_button.toggled.connect(self._mute)
        self.overlay.continue_button.clicked.connect(self._continue)
        self.idle.countdown.connect(self._countdown)
        self.idle.countdown_cancelled.connect(self.overlay.hide)
        self.idle.expired.connect(self._idle_expired)

    def _connect(self) -> None:
        self.progress.query_requested.connect(self._query)
        self.progress.rate_requested.connect(self._rate_case)
        self.progress.reprint_requested.connect(self._reprint_case)
        self.reprint.read_requested.connect(self._read_card)
        self.reprint.case_chosen.connect(self._print_case)
        self.reprint.retry_requested.connect(self._retry_print)
        self._kiosk.own_cases_found.connect(self._own_cases)
        self._kiosk.card_failed.connect(self._card_failed)
        self._kiosk.reprint_printed.connect(self._printed)
        self._kiosk.reprint_failed.connect(self._print_failed)
        self._kiosk.progress_ready.connect(self._progress_ready)
        self._kiosk.progress_refused.connect(self._progress_refused)
        self.guide.print_requested.connect(self._print_guide)
        self.guide.speak.connect(self.voice.say)  # each 情形 question, as a page title
        self._kiosk.guide_printed.connect(self._guide_printed)
        self._kiosk.guide_print_failed.connect(self._guide_print_failed)
        self.rating.level_page.level_chosen.connect(self._level_chosen)
        self.rating.reasons_page.submitted.connect(self._reasons_submitted)
        self.rating.reasons_page.back_requested.connect(self._reasons_back)
        self.rating.reasons_page.touched.connect(self._rating_touched)
        self._ratings.rating_saved.connect(self._rating_saved)
        self.admin.unlock_requested.connect(self._unlock)
        self.admin.exit_requested.connect(self._admin_exit)
        self.admin.resume_requested.connect(self._admin_resume)
        self.admin.sync_requested.connect(self._admin_sync)
        self.error_page.home_requested.connect(self.go_home)
        self.intake.finished.connect(self.go_home)
        for page in self.all_pages:
            page.announce.connect(self._announce)
            page.fitted.connect(self._page_fitted)
        self.intake.rate_requested.connect(self._rate_intake)

    # --- showing -------------------------------------------------------------------------------------------

    def place(self, screen: QScreen | None = None) -> None:
        """Full screen on the configured screen (kiosk.screen; the primary when that screen does not exist)."""
        screens = QGuiApplication.screens()
        index = self._config.kiosk.screen
        target = screen or (screens[index] if index < len(screens) else QGuiApplication.primaryScreen())
        self.setScreen(target)
        geometry = target.geometry()
        self._screen_size = geometry.size()
        self._layout_for_size(geometry.width(), geometry.height())  # before the resize: no taller minimum first
        self._settle_layout()
        self.setGeometry(geometry)
        self.showFullScreen()

    def fit(self, width: int, height: int) -> None:
        """Lay out for a `width`×`height` screen and take that size (tests, screenshots)."""
        self._screen_size = QSize(width, height)
        self._layout_for_size(width, height)
        self._settle_layout()
        self.resize(width, height)

    def _settle_layout(self) -> None:
        """Recompute the minimum size now (a style or orientation change would otherwise apply it later, after a
        resize to the screen had been clamped to the old, larger minimum)."""
        settle(self)
        top = self.layout()
        if top is not None:
            top.activate()

    @property
    def wedge(self) -> ScannerWedge:
        """The scanner wedge (built on first use: `start()` installs it)."""
        if self._wedge is None:
            from ui.kiosk.wedge import ScannerWedge

            clock = {"clock": self._wedge_clock} if self._wedge_clock is not None else {}
            self._wedge = ScannerWedge(window=self, gap_ms=self._config.kiosk.scanner_key_gap_ms, parent=self, **clock)
            self._wedge.scanned.connect(self._scanned)
        return self._wedge

    def start(self) -> None:
        """Begin watching input (idle time, scanner, admin gesture); call once the window is shown."""
        self._lock_frame()  # the widget's own flags agree with its native window's from now on
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self.idle)
            app.installEventFilter(self.wedge)
            app.installEventFilter(self)
        self.idle.start()

    def stop(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self.idle)
            if self._wedge is not None:
                app.removeEventFilter(self._wedge)
            app.removeEventFilter(self)
        self.idle.stop()

    def current_page(self) -> KioskPage:
        page = self.pages.currentWidget()
        assert isinstance(page, KioskPage)
        return page

    def _show(self, page: KioskPage) -> None:
        self.pages.setCurrentWidget(page)
        page.refit_if_stale()
        self._refit()
        self.home_button.setVisible(page is not self.home and page is not self.admin)
        self.voice.say(page.spoken_title())
        target = page.first_focus()
        if target is not None:
            target.setFocus()  # Qt.FocusReason.OtherFocusReason

    def _refit(self) -> None:
        """A page or step taller than the screen had stretched the window: lay this one out for the screen again."""
        if self._screen_size is not None and self.size() != self._screen_size and not self._refitting:
            self._refitting = True  # the resize lays the pages out again, which may ask for this again
            try:
                self._settle_layout()
                self.resize(self._screen_size)
            finally:
                self._refitting = False

    @Slot()
    def go_home(self) -> None:
        """Back to the home page; everything the citizen typed or was shown is cleared."""
        self.wipe()

    def wipe(self) -> None:
        """The idle wipe: every page cleared, nothing of the session kept; home page, standard settings."""
        self._thanks_timer.stop()
        self._error_timer.stop()
        prompt, self._prompt = self._prompt, None
        if prompt is not None and self._ready:  # walked away from the rating: 未评价 now (same as its timeout)
            from app.services.ratings import RatingStoreError  # after the first paint

            try:
                self._ratings.abandon(service_act_id=prompt.service_act_id)
            except RatingStoreError as exc:
                log.warning("could not record 未评价 at the wipe: %s", type(exc).__name__)
        self._level = None
        self._after_query = ""
        for page in self.all_pages:
            page.wipe()
        if self._ready:
            self._kiosk.forget()
        if self._wedge is not None:
            self._wedge.clear()
        self.voice.forget()
        self.overlay.hide()
        popup = QApplication.activePopupWidget()
        if popup is not None:
            popup.close()
        clipboard = QGuiApplication.clipboard()
        if clipboard is not None:
            clipboard.clear()
        self.idle.touch()
        self._update_tiles()  # a printer or reader plugged in (or gone) since shows on the next home page
        self._show(self.home)

    # --- 长辈模式 and voice -------------------------------------------------------------------------------------

    @Slot(bool)
    def set_elder(self, elder: bool) -> None:
        self.elder = elder
        sizes = theme.sizes(elder)
        self.setStyleSheet(theme.stylesheet(elder))
        for page in self.all_pages:
            page.apply_sizes(sizes)
        factor = self._config.kiosk.elder_timeout_factor if elder else 1.0
        self.idle.set_times(
            idle_seconds=self._config.kiosk.idle_reset_seconds * factor,
            countdown_seconds=self._config.kiosk.countdown_seconds * factor,
        )
        if self.home.elder_switch.isChecked() != elder:
            self.home.elder_switch.setChecked(elder)
        self.home.elder_switch.setText("长辈模式：开" if elder else "长辈模式")  # its accessible name stays 长辈模式
        self._layout_for_size(force=True)

    @Slot()
    def _page_fitted(self) -> None:
        """The page on screen chose fewer entries or shorter keys (or its tall step is gone): the screen's size."""
        if self.sender() is self.pages.currentWidget():
            self.pages.updateGeometry()  # the window's layout keeps the stack's sizes from before until told
            self._refit()

    @Slot(str)
    def _announce(self, text: str) -> None:
        """A page's new step, read before its focused choice (only from the page on screen)."""
        if self.sender() is self.pages.currentWidget():
            self.pages.updateGeometry()  # the window's layout keeps the stack's sizes from before until told
            self._refit()  # a new step (自助收件's name keyboard is taller than the phone step after it)
            self.voice.say(text)

    @Slot(bool)
    def _mute(self, muted: bool) -> None:
        self.voice.set_muted(muted)
        self.mute_button.setText("打开语音" if muted else "静音")
        self.mute_button.setAccessibleName("打开语音" if muted else "静音")

    def _layout_for_size(self, width: int | None = None, height: int | None = None, *, force: bool = False) -> None:
        """Lay the pages out for a `width`×`height` screen (default: the screen the window was given, else its
        size): orientation, then each page's room below the top bar (entries per page, key heights …)."""
        screen = self._screen_size
        width = width or (screen.width() if screen is not None else self.width())
        height = height or (screen.height() if screen is not None else self.height())
        portrait = height > width
        self.home.set_columns((1 if portrait else 3) if self.elder else (2 if portrait else 3))
        for page in self.all_pages:
            page.set_landscape(not portrait)
        bar = self._top_bar.layout()
        if bar is not None:
            bar.invalidate()
        room = QSize(width, height - self._top_bar.minimumSizeHint().height())
        sizes = theme.sizes(self.elder)
        for page in self.all_pages:
            page.fit_to(room, sizes, force=force)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._layout_for_size()
        if self.overlay.isVisible():
            parent = self.overlay.parentWidget()
            if parent is not None:
                self.overlay.setGeometry(parent.rect())

    # --- tiles ---------------------------------------------------------------------------------------------

    def _update_tiles(self) -> None:
        """Tiles whose hardware is missing are disabled and say why."""
        if not self._ready:
            return
        printer = self._kiosk.printer_problem()
        reader = self._kiosk.card_reader_problem()
        reprint_problem = printer or reader
        self.home.set_tile_state("reprint", enabled=not reprint_problem, reason=reprint_problem)
        # An identity problem's message is for the administrator (how to enrol): the citizen's tile says it briefly
        # (the long sentence on one line stretched the tile grid past the screen).
        intake_problem = ("本终端暂不能收件" if self.intake_service.identity_problem() else "") or printer
        self.home.set_tile_state("intake", enabled=not intake_problem, reason=intake_problem)
        self.guide.set_print_state(enabled=not printer, reason=printer)
        self.progress.reprint_button.setEnabled(not reprint_problem)
        self.progress.reprint_button.setAccessibleDescription(reprint_problem or "刷身份证后补打回执")

    @Slot(str)
    def _tile(self, key: str) -> None:
        if not self.finish_start():
            return
        if key == "progress":
            self._after_query = ""
            self.progress.heading.setText("进度查询")
            self._show(self.progress)
        elif key == "rating":
            self._after_query = "rate"
            self.progress.heading.setText("好差评：请先查询您的办件")
            self._show(self.progress)
        elif key == "guide":
            self._show(self.guide)
        elif key == "reprint":
            self._wanted_case = ""
            self._show(self.reprint)
        elif key == "intake":
            self.intake.begin()
            self._show(self.intake)

    # --- 进度查询 -------------------------------------------------------------------------------------------

    @Slot(str, str)
    def _query(self, case_no: str, tail: str) -> None:
        self._kiosk.query_progress(case_no=case_no, id_last4=tail)

    @Slot(str)
    def _scanned(self, text: str) -> None:
        """A receipt QR read by the scanner on any page: show that case's progress."""
        from app.services.kiosk import case_no_from_scan  # after the first paint

        if not self.finish_start():
            return
        if self.current_page() is self.admin:
            return
        if case_no_from_scan(text) is None:
            log.info("scan ignored: not a receipt QR of ours")
            return
        if self.current_page() is not self.progress:
            self.wipe()  # a new citizen's receipt: nothing of the previous screen stays
            self.progress.heading.setText("进度查询")
            self._show(self.progress)
        self.progress.message.setText("正在查询，请稍候…")
        self._kiosk.query_scanned(text)

    @Slot(object)
    def _progress_ready(self, progress: CaseProgress) -> None:
        if self.current_page() is not self.progress:
            return
        self.progress.show_progress(progress)
        self.voice.say(f"当前状态：{progress.state_label}")
        if self._after_query == "rate":
            self._after_query = ""
            if progress.local:
                self._rate_case(progress.case_no)
            else:
                self.progress.show_result_message("该办件不在本机办理，请扫描回执上的二维码用手机评价。")

    @Slot(str)
    def _progress_refused(self, message: str) -> None:
        if self.current_page() is self.progress:
            self.progress.show_message(message)
            self.voice.say(message)

    # --- 好差评 ---------------------------------------------------------------------------------------------

    @Slot(str)
    def _rate_case(self, case_no: str) -> None:
        from app.services.ratings import RatingRefusedError, RatingStoreError  # after the first paint

        try:
            prompt = self._ratings.request_kiosk_rating(case_no=case_no, initiator=self)
        except RatingRefusedError as exc:
            self.progress.show_result_message(exc.message)
            self.voice.say(exc.message)
            return
        except RatingStoreError as exc:
            log.warning("kiosk rating request not stored: %s", type(exc).__name__)
            self.progress.show_result_message("暂时无法评价，请稍后再试。")
            return
        self._prompt = prompt
        self._level = None
        self.rating.level_page.show_prompt(prompt)
        self.rating.stack.setCurrentWidget(self.rating.level_page)
        self._show(self.rating)

    @Slot(int)
    def _level_chosen(self, value: int) -> None:
        from app.domain.models import RatingLevel  # after the first paint

        prompt = self._prompt
        if prompt is None or self.rating.stack.currentWidget() is not self.rating.level_page:
            return
        level = RatingLevel(value)
        self.rating.level_page.set_enabled(False)
        if level.needs_reasons:
            self._level = level
            self._ratings.keep_alive(service_act_id=prompt.service_act_id)
            self.rating.reasons_page.start(level, prompt)
            self.rating.stack.setCurrentWidget(self.rating.reasons_page)
            target = self.rating.first_focus()
            if target is not None:
                target.setFocus()
            self.voice.say(self.rating.reasons_page.title.text())
            return
        self._submit_rating(prompt, level)

    @Slot()
    def _reasons_submitted(self) -> None:
        prompt, level = self._prompt, self._level
        if prompt is None or level is None:
            return
        page = self.rating.reasons_page
        page.submit_button.setEnabled(False)
        self._submit_rating(
            prompt,
            level,
            reasons=page.chosen_reasons(),
            text=page.text_edit.text(),
            consent=page.consent.isVisible() and page.consent.isChecked(),
        )

    @Slot()
    def _reasons_back(self) -> None:
        if self._prompt is None:
            return
        self._level = None
        self.rating.level_page.set_enabled(True)
        self.rating.stack.setCurrentWidget(self.rating.level_page)

    @Slot()
    def _rating_touched(self) -> None:
        if self._prompt is not None:
            self._ratings.keep_alive(service_act_id=self._prompt.service_act_id)

    def _submit_rating(
        self,
        prompt: RatingPrompt,
        level: RatingLevel,
        *,
        reasons: list[str] | None = None,
        text: str = "",
        consent: bool = False,
    ) -> None:
        from app.services.ratings import RatingRefusedError, RatingStoreError  # after the first paint

        try:
            self._ratings.submit(
                device=self._device,
                service_act_id=prompt.service_act_id,
                level=level,
                reasons=reasons or (),
                text=text,
                callback_consent=consent,
                initiator=self,
            )
        except RatingRefusedError as exc:
            if self._ratings.active_prompt is None:
                self.go_home()
                return
            self._rating_problem(exc.message)
            return
        except (UserFacingError, RatingStoreError) as exc:
            log.warning("kiosk rating not stored: %s", type(exc).__name__)
            self._rating_problem("评价未能保存，请再试一次。")
            return
        self._prompt = None
        self.rating.thanks_page.show_level(level)
        self.rating.stack.setCurrentWidget(self.rating.thanks_page)
        self.home_button.setFocus()
        self.voice.say("感谢您的评价")
        self._thanks_timer.start()

    def _rating_problem(self, message: str) -> None:
        if self.rating.stack.currentWidget() is self.rating.reasons_page:
            self.rating.reasons_page.set_message(message)
            self.rating.reasons_page.submit_button.setEnabled(True)
        else:
            self.rating.level_page.message.setText(message)
            self.rating.level_page.set_enabled(True)

    @Slot(object, object)
    def _rating_saved(self, rating: Rating, initiator: object) -> None:
        from app.domain.models import RatingOutcome  # after the first paint

        prompt = self._prompt
        if prompt and rating.service_act_id == prompt.service_act_id and rating.outcome is RatingOutcome.UNRATED:
            self.go_home()  # the rating's own timeout ran out: 未评价 is stored

    @Slot(str)
    def _rate_intake(self, case_no: str) -> None:
        """The rating offer after 自助收件 (channel kiosk, the same pages as 好差评)."""
        self._rate_case(case_no)
        if self.current_page() is not self.rating:
            self.go_home()  # refused (already rated …): nothing else to do here

    # --- 补打回执 -------------------------------------------------------------------------------------------

    @Slot(str)
    def _reprint_case(self, case_no: str) -> None:
        self.reprint.wipe()
        self._wanted_case = case_no
        self._show(self.reprint)

    @Slot()
    def _read_card(self) -> None:
        if self._kiosk.read_card():
            self.reprint.reading()

    @Slot(object)
    def _own_cases(self, cases: list[OwnCase]) -> None:
        if self.current_page() is not self.reprint:
            return
        wanted, self._wanted_case = self._wanted_case, ""
        if wanted:
            if any(c.case_no == wanted for c in cases):
                self._print_case(wanted)
            else:
                self.reprint.card_failed("身份证与该办件的申请人不符，只能补打您本人的办件回执。")
            return
        self.reprint.show_cases(cases)
        self.voice.say("请选择要补打的办件")

    @Slot(str)
    def _card_failed(self, message: str) -> None:
        if self.current_page() is self.reprint:
            self.reprint.card_failed(message)
            self.voice.say(message)

    @Slot(str)
    def _print_case(self, case_no: str) -> None:
        try:
            self._job = self._kiosk.reprint(case_no=case_no)
        except UserFacingError as exc:
            self.reprint.print_failed(exc.message)
            return
        self.reprint.printing()

    @Slot()
    def _retry_print(self) -> None:
        if not self._job:
            return
        try:
            self._kiosk.retry_reprint(job_id=self._job)
        except UserFacingError as exc:
            self.reprint.print_failed(exc.message)
            return
        self.reprint.printing()

    @Slot(str)
    def _printed(self, _case_no: str) -> None:
        if self.current_page() is self.reprint:
            self._job = ""
            self.reprint.printed()
            self.voice.say("回执已打印，请取走")
            self._thanks_timer.start()

    @Slot(str, str)
    def _print_failed(self, job_id: str, message: str) -> None:
        if self.current_page() is self.reprint:
            self._job = job_id
            self.reprint.print_failed(message)
            self.voice.say("打印没有成功")

    # --- 办事指南 printing ------------------------------------------------------------------------------------

    @Slot(str)
    def _print_guide(self, item_code: str) -> None:
        try:
            self._kiosk.print_guide(item_code=item_code, answers=self.guide.answers)
        except UserFacingError as exc:
            self.guide.show_print_message(exc.message)
            return
        self.guide.show_print_message("正在打印材料清单，请稍候…")
        self.guide.print_button.setEnabled(False)

    @Slot(str)
    def _guide_printed(self, _item_code: str) -> None:
        self.guide.print_button.setEnabled(True)
        self.guide.show_print_message("材料清单已打印，请从出纸口取走。")
        self.voice.say("材料清单已打印")

    @Slot(str, str)
    def _guide_print_failed(self, _item_code: str, message: str) -> None:
        self.guide.print_button.setEnabled(True)
        self.guide.show_print_message(f"打印没有成功：{message} 可以再点一次“打印材料清单”。")

    # --- idle -----------------------------------------------------------------------------------------------

    def has_session(self) -> bool:
        """Whether a citizen is using the kiosk (anything but the untouched home page)."""
        return self.current_page() is not self.home

    @Slot(int)
    def _countdown(self, seconds: int) -> None:
        if not self.has_session():
            return
        announce = not self.overlay.isVisible()
        self.overlay.show_seconds(seconds)
        if announce:
            self.voice.say(f"您还在吗？{seconds}秒后将返回首页")

    @Slot()
    def _continue(self) -> None:
        self.idle.touch()
        self.overlay.hide()
        target = self.current_page().first_focus()
        if target is not None:
            target.setFocus()

    @Slot()
    def _idle_expired(self) -> None:
        if self.has_session():
            log.info("kiosk idle: session wiped")
        self.wipe()
        if self.elder != self._config.kiosk.large_text:
            self.set_elder(self._config.kiosk.large_text)

    # --- errors ---------------------------------------------------------------------------------------------

    @Slot(object)
    def show_error_report(self, report: ErrorReport) -> None:
        """An unexpected exception (or an environment failure nobody caught): calm page, then home."""
        if report.kind is ErrorKind.CANCELLED:
            return
        if not self.finish_start():
            return  # nothing to wipe or show: the program is ending
        self.wipe()
        self._show(self.error_page)
        self._error_timer.start()

    # --- admin ----------------------------------------------------------------------------------------------

    def _corner_tap(self) -> None:
        now = self._clock()
        self._taps = [t for t in self._taps if now - t <= ADMIN_TAP_SECONDS] + [now]
        if len(self._taps) >= ADMIN_TAPS:
            self._taps = []
            self.open_admin()

    def open_admin(self) -> None:
        if not self.finish_start():
            return
        self.wipe()
        log.info("kiosk admin gesture")
        self._show(self.admin)

    @Slot(str, str)
    def _unlock(self, staff_no: str, pin: str) -> None:
        from app.services.kiosk import AdminRefusedError  # after the first paint

        try:
            number = self._kiosk.admin_unlock(staff_no=staff_no, pin=pin)
        except AdminRefusedError as exc:
            self.admin.refuse(exc.message)
            return
        self.admin.unlocked(number, self._admin_info(number))

    def _admin_info(self, number: str) -> str:
        status = self._services.status.status
        sync = self._services.sync.status
        lines = [
            f"管理员 {number} 已登录。",
            f"终端：{self._config.hall_name} {self._config.terminal_code}",
            f"待上传记录：{status.queue_depth} 条；被平台拒收：{status.dead_letters} 条",
            f"同步：{sync.label_zh if sync is not None else '尚未开始'}",
        ]
        if sync is not None and sync.last_success_at:
            lines.append(f"最后同步成功：{sync.last_success_at[:19].replace('T', ' ')}（UTC）")
        return "\n".join(lines)

    @Slot()
    def _admin_sync(self) -> None:
        if not self.admin.admin_no:
            return
        self._services.sync.sync_now()
        self._kiosk.record_admin_action(staff_no=self.admin.admin_no, action="sync")
        self.admin.menu_info.setText(self._admin_info(self.admin.admin_no) + "\n已请求立即同步。")

    @Slot()
    def _admin_exit(self) -> None:
        if not self.admin.admin_no:
            return
        self._kiosk.record_admin_action(staff_no=self.admin.admin_no, action="exit")
        self._may_close = True
        self.stop()
        self.close()
        app = QApplication.instance()
        if app is not None:
            app.quit()

    @Slot()
    def _admin_resume(self) -> None:
        if self.admin.admin_no:
            self._kiosk.record_admin_action(staff_no=self.admin.admin_no, action="resume")
        self.go_home()

    # --- the lock ---------------------------------------------------------------------------------------------

    def _lock_frame(self, *, native_only: bool = False) -> None:
        """Frameless: the window manager draws no title bar and offers no close button.

        With `native_only` (the start path, before the first frame) the flags go to the native window alone, by
        its `flags` property as a plain number: PySide6 builds all ~93 enum types of the `Qt` namespace at its
        first touch (~45 ms, a sixth of a bare window's start; issue 13), and `setWindowFlags` takes only that
        enum. The window is frameless from its first frame all the same; `start()`, after that frame, makes the
        widget's own flags say so too (`overrideWindowFlags`: the native window already has them).
        """
        if native_only:
            self.winId()  # the native window now, so that it is never shown with a frame
            handle = self.windowHandle()
            if handle is not None:
                handle.setProperty("flags", _WINDOW | _FRAMELESS_WINDOW_HINT)
                return
        from PySide6.QtCore import Qt

        flags = Qt.WindowType.Window | Qt.WindowType.FramelessWindowHint
        handle = self.windowHandle()
        if self.windowFlags() == flags:
            return
        if handle is not None and handle.flags() == flags:
            self.overrideWindowFlags(flags)  # the native window has them already: no re-creation, no hide
        else:
            self.setWindowFlags(flags)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._may_close:
            super().closeEvent(event)
            return
        log.info("kiosk close request ignored")
        event.ignore()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        from PySide6.QtCore import Qt  # not at import: the first frame builds no `Qt` enums (see _lock_frame)

        if event.key() in (Qt.Key.Key_Escape, Qt.Key.Key_F4):
            event.accept()  # swallowed: Escape and Alt+F4 never leave the kiosk
            return
        super().keyPressEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        # isMinimized(), not windowState() & Qt.WindowState.WindowMinimized: no `Qt` enums before the first frame
        state_change = event.type() == QEvent.Type.WindowStateChange
        if state_change and not self._may_close and self.isVisible() and self.isMinimized():
            QTimer.singleShot(0, self, self.showFullScreen)  # a minimise from the window manager is undone

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        from PySide6.QtCore import Qt  # installed by start(), after the first frame (see _lock_frame)

        etype = event.type()
        if etype == QEvent.Type.MouseButtonPress and isinstance(event, QMouseEvent):
            if isinstance(watched, QWidget) and watched.window() is self:
                pos = self.mapFromGlobal(event.globalPosition().toPoint())
                deepest = self.childAt(pos) or self
                # A press travels up the parents that ignore it: count it once, at the widget it landed on.
                if watched is deepest and 0 <= pos.x() < ADMIN_CORNER_PX and 0 <= pos.y() < ADMIN_CORNER_PX:
                    self._corner_tap()
        elif etype == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if event.key() == Qt.Key.Key_F4 and event.modifiers() & Qt.KeyboardModifier.AltModifier:
                return True
            if event.key() == Qt.Key.Key_Escape and isinstance(watched, QWidget) and watched.window() is self:
                return True
        elif (
            etype == QEvent.Type.FocusIn
            and isinstance(watched, QWidget)
            and watched.window() is self
            and watched.accessibleName()
            and not self.voice.muted
        ):
            self.voice.say(watched.accessibleName(), interrupt=False)  # the focused choice, after the title
        return False

    def corner_point(self) -> QPoint:
        """Where the admin gesture is tapped (tests)."""
        return QPoint(20, 20)
