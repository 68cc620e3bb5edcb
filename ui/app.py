"""GUI entry point: `run_gui` creates the application, its font, theme and language, and opens the mode's window."""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Slot
from PySide6.QtWidgets import QApplication, QMainWindow, QWidget

import ui.qt_imports  # noqa: F401 - first of ours: PySide6's source scan is off before the others load
from app import __version__
from app.config import Config, Mode
from app.paths import AppPaths
from app.services.errors import ErrorRouter
from app.services.status import StatusService
from ui.counter_window import CounterWindow, place_clerk_window
from ui.error_dialog import ErrorPresenter
from ui.i18n import install_translators
from ui.placeholder_window import PlaceholderWindow
from ui.theme import FontMissingError, apply_theme

if TYPE_CHECKING:
    from app.services.terminal import StoreError, Terminal

log = logging.getLogger("tongban.ui")

APPLICATION_NAME = "tongban"
ORGANIZATION_NAME = "tongban"
_IMPORTED_AT = time.perf_counter()
SYNC_START_DELAY_MS = 500
#: The counter window's second tier (services, session views, sync panel, citizen rating screen) is built this
#: long after the event loop's first turn: after the first paint of the sign-in page, which needs none of it (issue 13).
FINISH_START_DELAY_MS = 50


def process_uptime_ms() -> float:
    """Milliseconds since this process started (Linux: from /proc; elsewhere: since this module was imported)."""
    try:
        with open("/proc/self/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        start_seconds = int(fields[19]) / os.sysconf("SC_CLK_TCK")  # field 22, starttime in clock ticks
        return (time.clock_gettime(time.CLOCK_BOOTTIME) - start_seconds) * 1000.0
    except (OSError, ValueError, IndexError, AttributeError):
        return (time.perf_counter() - _IMPORTED_AT) * 1000.0


def get_application() -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    return QApplication(sys.argv[:1])


def prepare_application(app: QApplication) -> str:
    """Name, language, shipped font and theme; returns the font family in use ("" if the font is missing)."""
    app.setApplicationName(APPLICATION_NAME)
    app.setOrganizationName(ORGANIZATION_NAME)
    app.setApplicationVersion(__version__)
    install_translators(app)
    try:
        return apply_theme(app)
    except FontMissingError:
        # Broken installation: Chinese may show as boxes, but the clerk can still work with what renders.
        log.exception("shipped font missing; falling back to system fonts")
        return ""


def create_main_window(
    *,
    config: Config,
    mode: Mode,
    status: StatusService,
    terminal: Terminal | None = None,
    open_terminal: Callable[[], Terminal | None] | None = None,
) -> QMainWindow:
    """`open_terminal` (the kiosk): opens the terminal when the window first needs it, instead of `terminal`."""
    if mode is Mode.COUNTER:
        return CounterWindow(config=config, status=status, terminal=terminal, defer_services=True)
    if mode is Mode.KIOSK and (terminal is not None or open_terminal is not None):
        from ui.kiosk.window import KioskWindow  # self-service kiosk (issue 12)

        if terminal is not None:
            return KioskWindow(terminal=terminal, defer_services=True)
        return KioskWindow(config=config, open_terminal=open_terminal, defer_services=True)
    if mode is Mode.RATING and terminal is not None:
        from ui.rating.wiring import rating_main_window  # 好差评 (issue 5)

        return rating_main_window(config=config, terminal=terminal)
    return PlaceholderWindow(config=config, mode=mode)


def install_error_handling(parent: QObject, *, mode: Mode, window: QWidget) -> tuple[ErrorRouter, ErrorPresenter]:
    """Route uncaught exceptions to the error dialog over `window` (tracebacks only at a staffed counter).

    Installs `sys.excepthook`; call `router.uninstall()` when the window is gone.
    """
    router = ErrorRouter(show_details=mode is Mode.COUNTER, parent=parent)
    presenter = ErrorPresenter(parent)
    presenter.set_window(window)
    calm_page = getattr(window, "show_error_report", None)  # the kiosk shows its own page, never a dialog
    router.error_reported.connect(calm_page if calm_page is not None else presenter.show_report)
    router.install()
    return router, presenter


class _IdleProbe(QTimer):
    """Fires once the event loop is idle after the window is shown: prints `IDLE <ms>` and quits (with `then_exit`;
    else the caller ends the loop later)."""

    def __init__(self, app: QApplication, *, then_exit: bool = True) -> None:
        super().__init__(app)
        self.setObjectName("idle_probe")
        self.setSingleShot(True)
        self.setInterval(0)
        self._app = app
        self._then_exit = then_exit
        self.timeout.connect(self._report)

    @Slot()
    def _report(self) -> None:
        sys.stdout.write(f"IDLE {process_uptime_ms():.0f}\n")
        sys.stdout.flush()
        if self._then_exit:
            self._app.exit(0)  # not quit(): Qt 6's quit() asks every window to close first, and the kiosk refuses


def run_gui(
    *,
    config: Config,
    paths: AppPaths,
    mode: Mode,
    exit_when_idle: bool = False,
    queue_depth: Callable[[], int] | None = None,
    dead_letters: Callable[[], int] | None = None,
    status: StatusService | None = None,
    terminal: Terminal | None = None,
    open_terminal: Callable[[], Terminal | None] | None = None,
    prepared_family: str | None = None,
) -> int:
    """Open the window for `mode` and run the event loop; returns the exit code.

    The status bar shows `status` if given (the caller keeps it to call `refresh()` when the outbox changes);
    otherwise a `StatusService` over `queue_depth`/`dead_letters` (the store's counters; zero when not given).
    With `exit_when_idle` the program prints `IDLE <ms since process start>` once the window is shown and the
    event loop is idle, then exits with 0 (startup benchmark, end-to-end tests).
    With `terminal` (see `app.services.terminal.open_terminal`) the counter window mounts the clerk's pages and
    the status bar shows `terminal.status`. `prepared_family`: the caller already ran `prepare_application` (its
    result), so the fonts, theme and translators are not loaded a second time. `open_terminal` (the kiosk, instead
    of `terminal`): the window opens the terminal after its first paint (see `start_terminal`).
    """
    app = get_application()
    family = prepare_application(app) if prepared_family is None else prepared_family
    log.info("GUI starting: mode=%s font=%s data_dir=%s", mode.value, family or "<system>", paths.data_dir)

    if status is None and terminal is not None:
        status = terminal.status
    if status is None:
        status = StatusService(
            queue_depth=queue_depth or (lambda: 0),
            dead_letters=dead_letters or (lambda: 0),
            platform_configured=not config.offline,
            parent=app,
        )
    window = create_main_window(config=config, mode=mode, status=status, terminal=terminal, open_terminal=open_terminal)
    router, _presenter = install_error_handling(app, mode=mode, window=window)
    try:
        place = getattr(window, "place", None)  # the kiosk: locked full screen on its configured screen
        if place is not None:
            place()  # frameless full screen, close refused: the lock holds from the first frame
        elif isinstance(window, CounterWindow):
            place_clerk_window(window)  # maximised on the primary monitor (issue 11 item 10)
        else:
            window.show()
        rating_windows: list[QWidget] = []  # kept alive until the event loop ends

        # The kiosk opens its store in the deferred start: `exit_when_idle` runs that too before it exits, so that an
        # end-to-end start reaches the store (and a store that cannot open ends it with 1). IDLE is printed first.
        exit_after_start = exit_when_idle and open_terminal is not None

        def finish_start() -> None:
            started = False
            try:
                started = _finish_start()
            finally:
                if exit_after_start:
                    app.exit(0 if started else 1)  # 1: it raised, or the kiosk's store did not open

        def _finish_start() -> bool:
            """False when the kiosk's store did not open (said, and the program is ending)."""
            # What the first screen (sign-in) does not need is built after its first paint (issue 13).
            if isinstance(window, CounterWindow):
                window.finish_start()
            elif mode is Mode.KIOSK and hasattr(window, "finish_start"):
                # The idle watch, the scanner wedge and the admin gesture are application-wide Python event filters:
                # every event of every object then reaches Python, and wrapping the objects Qt made itself (its
                # style, the native window) builds their classes and enums (~170 enum types). After the first paint.
                window.start()  # type: ignore[attr-defined]
                if not window.finish_start():  # the kiosk's pages and services (issue 12)
                    return False
            from ui.rating.wiring import open_rating_windows  # 好差评 (issue 5): ratings panel, citizen screen

            rating_windows.extend(open_rating_windows(window, mode=mode, config=config, terminal=terminal))
            return True

        # Counted from the event loop's first turn, so that a slow first show never makes it run before that turn.
        QTimer.singleShot(0, app, lambda: QTimer.singleShot(FINISH_START_DELAY_MS, app, finish_start))
        if terminal is not None:
            # Uploads start once the first screen is up: the sync thread's store open stays off the start-up path.
            QTimer.singleShot(SYNC_START_DELAY_MS, app, terminal.start)
        if exit_when_idle:
            _IdleProbe(app, then_exit=not exit_after_start).start()
        return app.exec()
    finally:
        router.uninstall()
        window.deleteLater()


def start_terminal(*, config: Config, paths: AppPaths, mode: Mode, exit_when_idle: bool = False) -> int:
    """`tongban run`: open the store and services, then the window; a store that cannot open is shown, not raised.

    The database is opened before the window exists so that a recovery (damaged file moved aside) or a refusal
    (newer schema, wrong key, full disk) reaches the clerk as a plain-Chinese message box and the log. The kiosk
    opens it right after its home page's first paint instead (`_start_kiosk`), with the same message box.
    """
    app = get_application()
    family = prepare_application(app)
    if mode is Mode.KIOSK:
        return _start_kiosk(config=config, paths=paths, exit_when_idle=exit_when_idle, prepared_family=family)
    from app.services.terminal import StoreError, open_terminal

    try:
        terminal = open_terminal(config=config, paths=paths, parent=app)
    except StoreError as exc:
        _store_refused(exc, paths, exit_when_idle=exit_when_idle)
        return 1
    try:
        if terminal.notices and not exit_when_idle:
            QTimer.singleShot(0, app, lambda: _show_notices(terminal.notices))
        return run_gui(
            config=config,
            paths=paths,
            mode=mode,
            exit_when_idle=exit_when_idle,
            terminal=terminal,
            prepared_family=family,
        )
    finally:
        terminal.close()


def _start_kiosk(*, config: Config, paths: AppPaths, exit_when_idle: bool, prepared_family: str) -> int:
    """The kiosk's home page needs no store: it is painted first, and the store and services are opened when the
    window first needs them (`KioskWindow.finish_start`, right after that paint, or at a tap before it). That keeps
    the services' imports and the database's open (~25 ms on a first start, issue 12's start target) off the first
    frame. A store that cannot open is then said as at the counter, and the program ends with 1."""
    app = get_application()
    opened: list[Terminal] = []

    def open_terminal() -> Terminal | None:
        from app.services.terminal import StoreError, open_terminal

        try:
            terminal = open_terminal(config=config, paths=paths, parent=app)
        except StoreError as exc:
            _store_refused(exc, paths, exit_when_idle=exit_when_idle)
            app.exit(1)
            return None
        opened.append(terminal)
        if terminal.notices and not exit_when_idle:
            QTimer.singleShot(0, app, lambda: _show_notices(terminal.notices))
        # Uploads start a moment after the services: the sync thread's store open stays off the kiosk's first taps.
        QTimer.singleShot(SYNC_START_DELAY_MS, app, terminal.start)
        return terminal

    try:
        return run_gui(
            config=config,
            paths=paths,
            mode=Mode.KIOSK,
            exit_when_idle=exit_when_idle,
            open_terminal=open_terminal,
            prepared_family=prepared_family,
        )
    finally:
        for terminal in opened:
            terminal.close()


def _store_refused(exc: StoreError, paths: AppPaths, *, exit_when_idle: bool) -> None:
    """The database cannot open (newer schema, wrong key, full disk): the log, and a message box for the user."""
    log.error("cannot open the local database: %s", exc.code or type(exc).__name__)
    if not exit_when_idle:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.critical(
            QApplication.activeWindow(),  # the kiosk's (full screen): over it, not behind it
            QApplication.translate("start", "Tongban Terminal"),
            f"{exc}\n\n数据库：{paths.database}",
        )


def _show_notices(notices: list[str]) -> None:
    from PySide6.QtWidgets import QMessageBox

    QMessageBox.warning(None, QApplication.translate("start", "Tongban Terminal"), "\n\n".join(notices))
