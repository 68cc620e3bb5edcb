"""What every kiosk page has: a title (read aloud), a wipe, and where the focus goes first."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from ui.kiosk.theme import KioskSizes


class KioskPage(QWidget):
    #: Read aloud when the page opens; the screen reader's name for the page.
    title = ""

    def wipe(self) -> None:
        """Clear everything the citizen typed or was shown (idle wipe, back to home)."""

    def first_focus(self) -> QWidget | None:
        """The control that gets the keyboard focus when the page opens."""
        return None

    def apply_sizes(self, sizes: KioskSizes) -> None:
        """长辈模式 switched: sizes that a style sheet cannot set (entries per page …)."""

    def set_landscape(self, landscape: bool) -> None:
        """The screen is wider than tall (1920×1080) or not (1080×1920)."""

    def spoken_title(self) -> str:
        return self.title
