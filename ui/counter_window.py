"""The counter window shell: identity header, work area (pages come in ui/pages/), status bar.

Kept small on purpose (STYLE.md lesson 2): each page is its own widget in ui/pages/ and is added to the
`work_area` stack; the window only arranges them and shows who it is and how sync stands.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QMainWindow, QStackedWidget, QVBoxLayout, QWidget

from app.config import Config
from app.services.status import StatusService
from ui.status_bar import TerminalStatusBar

if TYPE_CHECKING:  # the pages load only when a terminal is mounted (start-up time)
    from app.services.terminal import Terminal
    from ui.pages.counter_flow import CounterFlow
    from ui.sync_status_panel import SyncUi


def window_number(config: Config) -> str:
    """The window number as people say it: "01" -> "1"."""
    return str(int(config.window))


def terminal_identity(config: Config) -> str:
    """division-hall-terminal, grouped as on receipts: 210800-01-001; "" while the terminal has no code."""
    if not config.terminal_code:
        return ""
    return f"{config.division}-{config.hall_code}-{config.terminal_code}"


class WelcomePage(QWidget):
    """What the work area shows when no case is open."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcome_page")
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        self.title = QLabel(self.tr("No case in progress"), self)
        self.title.setObjectName("welcome_title")
        self.hint = QLabel(self.tr("Choose a service item to start taking in an application."), self)
        self.hint.setObjectName("welcome_hint")
        # Centred by the theme (qproperty-alignment): importing PySide6's `Qt` namespace builds all of its
        # enums, about 20 ms that the start-up (bench/startup.py) would pay before the first paint.
        layout.addWidget(self.title)
        layout.addWidget(self.hint)
        layout.addStretch(2)


class CounterWindow(QMainWindow):
    """The clerk's window at a staffed counter."""

    def __init__(
        self,
        *,
        config: Config,
        status: StatusService,
        terminal: Terminal | None = None,
        defer_services: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        """With `defer_services` only the sign-in page is built; call `finish_start()` after the first paint."""
        super().__init__(parent)
        self.setObjectName("counter_window")
        self.setWindowTitle(
            self.tr("Tongban Terminal — {hall} window {window}").format(
                hall=config.hall_name, window=window_number(config)
            )
        )
        self.resize(1280, 800)
        self.setMinimumSize(1024, 640)

        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._header(config, central))
        self.work_area = QStackedWidget(central)
        self.work_area.setObjectName("work_area")
        self.welcome_page = WelcomePage(self.work_area)
        self.work_area.addWidget(self.welcome_page)
        layout.addWidget(self.work_area, 1)
        self.setCentralWidget(central)

        self.status_bar = TerminalStatusBar(self)
        self.setStatusBar(self.status_bar)
        self.status_bar.show_status(status.status)
        status.status_changed.connect(self.status_bar.show_status)
        # With the terminal's services the clerk's pages (sign-in, intake, today's cases) fill the work area.
        self.flow: CounterFlow | None = None
        self.sync_ui: SyncUi | None = None
        self._terminal = terminal
        self._config = config
        self._banner_layout = layout
        if terminal is not None:
            from ui.pages.counter_flow import mount_counter_pages

            self.flow = mount_counter_pages(self, self.work_area, terminal)
            if not defer_services:
                self.finish_start()

    def finish_start(self) -> None:
        """Build what the sign-in page does not need (once): the services, the clerk's session views, the sync
        panel in the status bar, the unsynced banner under the header and the 管理 menu."""
        if self._terminal is None or self.sync_ui is not None:
            return
        from ui.sync_status_panel import install_sync_ui

        self._terminal.build_services()
        terminal = self._terminal
        self.show_identity(terminal.config)  # the enrolled identity (or none) once the services know it
        terminal.intake.identity_changed.connect(lambda _problem: self.show_identity(terminal.config))
        if self.flow is not None:
            self.flow.build_session()
        self.sync_ui = install_sync_ui(
            self, self.status_bar, self._banner_layout, self._terminal.sync, self._config, staff=self._terminal.staff
        )

    def _header(self, config: Config, parent: QWidget) -> QFrame:
        header = QFrame(parent)
        header.setObjectName("identity_header")
        row = QHBoxLayout(header)
        row.setContentsMargins(24, 12, 24, 12)
        self.hall_label = QLabel(config.hall_name, header)
        self.hall_label.setObjectName("hall_name")
        self.window_label = QLabel(self.tr("Window {window}").format(window=window_number(config)), header)
        self.window_label.setObjectName("window_label")
        self.terminal_label = QLabel(header)
        self.terminal_label.setObjectName("terminal_code")
        self.show_identity(config)
        row.addWidget(self.hall_label)
        row.addSpacing(24)
        row.addWidget(self.window_label)
        row.addStretch(1)
        row.addWidget(self.terminal_label)
        return header

    def show_identity(self, config: Config) -> None:
        """The terminal code in the header, or 未注册 while it has none (intake is refused then)."""
        code = terminal_identity(config)
        if code:
            self.terminal_label.setText(self.tr("Terminal {code}").format(code=code))
        else:
            self.terminal_label.setText(self.tr("Terminal not registered"))
        self.window_label.setText(self.tr("Window {window}").format(window=window_number(config)))


def place_clerk_window(window: QMainWindow) -> None:
    """The clerk's window: maximised on the primary monitor (the counter PC's own screen)."""
    primary = QGuiApplication.primaryScreen()
    if primary is not None:
        window.setScreen(primary)
        window.setGeometry(primary.availableGeometry())
    window.showMaximized()
