"""What every kiosk page has: a title (read aloud), a wipe, and where the focus goes first."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Signal, Slot
from PySide6.QtWidgets import QLayout, QStackedWidget, QWidget

from ui.kiosk.theme import ELDER, STANDARD, TARGET_MIN_PX, KioskSizes, border_px, key_height_css

if TYPE_CHECKING:
    from ui.kiosk.widgets import DigitPad
    from ui.widgets.touch_keyboard import TouchKeyboard


class KioskPage(QWidget):
    """Signals:
    announce(str): a new step of this page is on screen (or something went wrong on it): read this aloud now,
        before the focused choice. The window reads it while the page is the one shown.
    fitted(): the page chose its sizes for the room anew (`refit`).
    """

    #: Read aloud when the page opens; the screen reader's name for the page.
    title = ""
    announce = Signal(str)
    fitted = Signal()

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

    #: The area below the top bar on this screen (None until the window is laid out for a screen).
    room: QSize | None = None
    sizes: KioskSizes = STANDARD
    #: What the last `refit` was measured for (a page skips measuring the same step on the same screen again).
    _fitted: tuple[object, ...] = ()
    _stale = False

    @property
    def elder(self) -> bool:
        return self.sizes is ELDER

    def fit_to(self, room: QSize, sizes: KioskSizes, *, force: bool = False) -> None:
        """The page has `room` (the screen below the top bar): choose entries per page, key heights … so that it
        asks for no more (`refit`). Done again when 长辈模式 switches (`force`)."""
        if room == self.room and sizes is self.sizes and not force:
            return
        self.room = QSize(room)
        self.sizes = sizes
        self._fitted = ()  # measure again
        self.refit()

    def refit(self) -> None:
        """Make the page (its current step) ask for no more than `room`; called again when what it shows changes.
        A page not on screen is measured when it comes on screen (`refit_if_stale`): the start and a 长辈模式
        switch measure the page shown only. Emits `fitted` (the window takes the screen's size again, should a
        taller step have stretched it)."""
        if self.room is None:
            return
        if not self.isVisible():
            self._stale = True
            return
        self._stale = False
        if self._fit():
            settle(self)  # no layout above keeps a size measured while choosing
            self.fitted.emit()

    def refit_if_stale(self) -> None:
        """On screen now: measured if something changed while it was not."""
        if self._stale:
            self.refit()

    def _fit(self) -> bool:
        """Choose entries per page, key heights … for `room` (pages with such choices override it); False when
        nothing was measured (this step was fitted for this screen and mode before)."""
        return False


def settle(widget: QWidget) -> None:
    """Forget the cached sizes of every layout under `widget` (a style or content change is then measured)."""
    for child in reversed([widget, *widget.findChildren(QWidget)]):  # the innermost first
        child.ensurePolished()  # a widget made since (a 一件事's block) measured with the window's style
        layout = child.layout()
        if layout is not None:
            _invalidate(layout)
            child.updateGeometry()  # its parent's layout item caches its sizes (a grid that lost a row)


def _invalidate(layout: QLayout) -> None:
    """A layout and the layouts nested in it (Qt's invalidate() leaves a nested layout's cached sizes)."""
    layout.invalidate()
    for n in range(layout.count()):
        item = layout.itemAt(n)
        nested = item.layout() if item is not None else None
        if nested is not None:
            _invalidate(nested)


def needed_height(widget: QWidget) -> int:
    settle(widget)
    return widget.minimumSizeHint().height()


def first_fit(widget: QWidget, height: int, choices: list[int], apply: Callable[[int], None]) -> int:
    """The first of `choices` (best first, each asking for less height than the one before) with which `widget`
    asks for no more than `height`, applied; the last one when none fits. A binary search: few layout passes."""
    apply(choices[0])
    if needed_height(widget) <= height or len(choices) == 1:
        return choices[0]
    low, high = 1, len(choices) - 1  # the answer is in choices[low:high + 1]
    while low < high:
        middle = (low + high) // 2
        apply(choices[middle])
        if needed_height(widget) <= height:
            high = middle
        else:
            low = middle + 1
    apply(choices[low])
    return choices[low]


def key_heights(top: int) -> list[int]:
    """Key heights to try, tallest first: `top` (the mode's) down to the smallest target, 4 px at a time."""
    heights = list(range(top, TARGET_MIN_PX, -4))
    return [*heights, TARGET_MIN_PX]


def fit_pad(page: KioskPage, pad: DigitPad, height: int) -> int:
    """The digit pad's keys as tall as the mode's, or shorter (never under the smallest target) until `page` asks
    for no more than `height`. Returns the key height kept."""
    elder = page.elder
    top = page.sizes.key_px + 8 + 2 * border_px(elder)  # the mode's keys: min-height, padding and borders

    def apply(key: int) -> None:
        pad.set_key_style("" if key == top else key_height_css(elder, "key", key))

    return first_fit(page, height, key_heights(top), apply)


def fit_keyboard(page: KioskPage, keyboard: TouchKeyboard, height: int, width: int) -> int:
    """The pinyin keyboard's keys as tall as the mode's, or shorter until `page` asks for no more than `height`;
    as many candidates at a time as about `width` px hold. Returns the key height kept."""
    elder = page.elder
    font = page.sizes.body_px + 4
    keyboard.set_candidates_per_row((width - 260) // (3 * font + 16))  # words of up to 3 characters
    top = page.sizes.key_px - 8 + 2 * border_px(elder)

    def apply(key: int) -> None:
        keyboard.set_key_height(key, key_height_css(elder, "kbkey", key))

    return first_fit(page, height, key_heights(top), apply)


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
