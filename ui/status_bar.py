"""The counter window's status bar: connection state, outbox queue depth, rejected records."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from app.services.status import TerminalStatus


class TerminalStatusBar(QStatusBar):
    """Shows a `TerminalStatus`; connect `StatusService.status_changed` to `show_status`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("terminal_status_bar")
        self.setSizeGripEnabled(False)
        self.connection_label = QLabel(self)
        self.connection_label.setObjectName("connection_state")
        # Offline until the sync engine says otherwise: set before the label is ever polished, so that the usual
        # first status (offline) needs no re-polish (`style()` would build PySide6's QStyle enums, ~550 members,
        # on the start path, issue 13).
        self.connection_label.setProperty("online", "false")
        self.queue_label = QLabel(self)
        self.queue_label.setObjectName("queue_depth")
        self.dead_letters_label = QLabel(self)
        self.dead_letters_label.setObjectName("dead_letters")
        self.addWidget(self.connection_label)
        self.addWidget(self.queue_label)
        self.addPermanentWidget(self.dead_letters_label)
        self.sync_panel: QWidget | None = None

    def attach_sync_panel(self, panel: QWidget) -> None:
        """Show the sync panel (state, queue, age, last success, errors, 立即同步) in place of the plain labels."""
        for label in (self.connection_label, self.queue_label, self.dead_letters_label):
            label.hide()
            self.removeWidget(label)
        self.sync_panel = panel
        self.addWidget(panel, 1)
        panel.show()

    @Slot(object)
    def show_status(self, status: TerminalStatus) -> None:
        if status.online:
            text = self.tr("Online")
        elif status.platform_configured:
            text = self.tr("Offline (platform unreachable)")
        else:
            text = self.tr("Offline")
        self.connection_label.setText(text)
        self.connection_label.setToolTip(status.last_error)
        online = "true" if status.online else "false"
        if self.connection_label.property("online") != online:
            self.connection_label.setProperty("online", online)
            # A dynamic property changed: re-polish so the QSS rule for it applies.
            self.connection_label.style().unpolish(self.connection_label)
            self.connection_label.style().polish(self.connection_label)
        self.queue_label.setText(self.tr("{count} waiting to sync").format(count=status.queue_depth))
        self.dead_letters_label.setText(
            self.tr("{count} rejected, tell the administrator").format(count=status.dead_letters)
        )
        self.dead_letters_label.setVisible(status.dead_letters > 0 and self.sync_panel is None)
