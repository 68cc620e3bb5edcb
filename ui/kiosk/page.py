"""What every kiosk page has: a title (read aloud), a wipe, and where the focus goes first."""

from __future__ import annotations

from PySide6.QtCore import QSize, Signal, Slot
from PySide6.QtWidgets import QStackedWidget, QWidget

from ui.kiosk.theme import KioskSizes


class KioskPage(QWidget):
    """Signals:
    announce(str): a new step of this page is on screen (or something went wrong on it): read this aloud now,
        before the focused choice. The window reads it while the page is the one shown.
    """

    #: Read aloud when the page opens; the screen reader's name for the page.
    title = ""
    announce = Signal(str)

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


class PageStack(QStackedWidget):
    """The kiosk's pages, one at a time; its size hints are the page on screen's, not the largest page's.

    A `QStackedWidget` asks for the largest minimum of all its pages: one tall page (the guide's list, the rating
    keyboard) made the home page ask for 899 px on a 1366×768 screen. Each page is laid out for the screen when it
    is shown instead.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.currentChanged.connect(self._page_changed)

    def sizeHint(self) -> QSize:
        page = self.currentWidget()
        return page.sizeHint() if page is not None else super().sizeHint()

    def minimumSizeHint(self) -> QSize:
        page = self.currentWidget()
        return page.minimumSizeHint() if page is not None else super().minimumSizeHint()

    @Slot(int)
    def _page_changed(self, _index: int) -> None:
        self.updateGeometry()
