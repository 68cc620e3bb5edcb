"""A paged list of large choice buttons (departments, items, search results): few per page, 上一页/下一页."""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ui.kiosk.widgets import KioskButton, label


class PagedChoices(QWidget):
    """Signals:
    chosen(str): the key of the tapped entry.
    """

    chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None, *, name: str, page_size: int = 6) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self._entries: list[tuple[str, str, str]] = []  # key, text, description
        self._page = 0
        self.page_size = page_size
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        # The entries' area keeps the height of a full page (a short last page does not move the paging row, and
        # the page asks for the same height whatever the entries: the kiosk chooses entries per page from it).
        self._holder = QWidget(self)
        self._holder.setObjectName(f"{name}_entries")
        self._box = QVBoxLayout(self._holder)
        self._box.setContentsMargins(0, 0, 0, 0)
        self._box.setSpacing(12)
        self._box.addStretch(1)
        layout.addWidget(self._holder)
        layout.addStretch(1)
        self.buttons: list[KioskButton] = []
        row = QHBoxLayout()
        self.prev_button = KioskButton("上一页", self, name="choices_prev", description="显示上一页")
        self.page_label: QLabel = label("", self, name="choices_page", role="hint", wrap=False)
        self.next_button = KioskButton("下一页", self, name="choices_next", description="显示下一页")
        self.prev_button.clicked.connect(self._prev)
        self.next_button.clicked.connect(self._next)
        for button in (self.prev_button, self.next_button):  # the list is as tall with one page as with several
            policy = button.sizePolicy()
            policy.setRetainSizeWhenHidden(True)
            button.setSizePolicy(policy)
        row.addWidget(self.prev_button)
        row.addStretch(1)
        row.addWidget(self.page_label)
        row.addStretch(1)
        row.addWidget(self.next_button)
        layout.addLayout(row)
        self.empty_label = label("", self, name="choices_empty", role="hint")
        layout.insertWidget(0, self.empty_label)
        self._render()

    def set_entries(self, entries: list[tuple[str, str, str]], *, empty_text: str = "") -> None:
        """(key, text, accessible description) for each entry; starts at the first page."""
        self._entries = list(entries)
        self._page = 0
        self.empty_label.setText(empty_text if not entries else "")
        self.empty_label.setVisible(bool(empty_text) and not entries)
        self._render()

    def set_page_size(self, page_size: int) -> None:
        page_size = max(1, page_size)
        if page_size != self.page_size:
            self.page_size = page_size
            self._page = 0
            self._render()
        self.reserve()

    def reserve(self) -> None:
        """Keep room for a full page of entries (again after a style change: 长辈模式's entries are taller)."""
        if not self.buttons:
            self._new_button().setVisible(False)
        row = self.buttons[0].sizeHint().height()
        self._holder.setMinimumHeight(self.page_size * row + (self.page_size - 1) * self._box.spacing())

    def _new_button(self) -> KioskButton:
        button = KioskButton("", self._holder, name="choice", role="choice")
        button.clicked.connect(self._clicked)
        self._box.insertWidget(len(self.buttons), button)
        self.buttons.append(button)
        return button

    @property
    def pages(self) -> int:
        return max(1, -(-len(self._entries) // self.page_size))

    @property
    def page(self) -> int:
        return self._page

    def visible_keys(self) -> list[str]:
        start = self._page * self.page_size
        return [key for key, _t, _d in self._entries[start : start + self.page_size]]

    def _render(self) -> None:
        start = self._page * self.page_size
        shown = self._entries[start : start + self.page_size]
        while len(self.buttons) < len(shown):
            self._new_button()
        for n, button in enumerate(self.buttons):
            if n < len(shown):
                key, text, description = shown[n]
                button.setText(text)
                button.setAccessibleName(text)
                button.setAccessibleDescription(description)
                button.setProperty("key", key)
                button.setVisible(True)
            else:
                button.setText("")
                button.setProperty("key", "")
                button.setVisible(False)
        several = self.pages > 1
        self.prev_button.setVisible(several)
        self.next_button.setVisible(several)
        self.prev_button.setEnabled(self._page > 0)
        self.next_button.setEnabled(self._page + 1 < self.pages)
        self.page_label.setText(f"第{self._page + 1}页，共{self.pages}页" if several else "")

    @Slot()
    def _prev(self) -> None:
        if self._page > 0:
            self._page -= 1
            self._render()

    @Slot()
    def _next(self) -> None:
        if self._page + 1 < self.pages:
            self._page += 1
            self._render()

    @Slot()
    def _clicked(self) -> None:
        sender = self.sender()
        key = sender.property("key") if isinstance(sender, QPushButton) else None
        if isinstance(key, str) and key:
            self.chosen.emit(key)

    def wipe(self) -> None:
        self.set_entries([])
