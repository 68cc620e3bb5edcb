"""Stand-in window for the modes that later issues build (kiosk, citizen rating screen)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QMainWindow, QWidget

from app.config import Config, Mode


class PlaceholderWindow(QMainWindow):
    def __init__(self, *, config: Config, mode: Mode, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("placeholder_window")
        names = {Mode.KIOSK: self.tr("Self-service kiosk"), Mode.RATING: self.tr("Rating screen")}
        name = names.get(mode, mode.value)
        self.setWindowTitle(self.tr("Tongban Terminal — {hall}").format(hall=config.hall_name))
        self.label = QLabel(self.tr("{mode} mode comes in a later version.").format(mode=name), self)
        self.label.setObjectName("welcome_title")
        self.setCentralWidget(self.label)
        self.resize(1024, 768)
