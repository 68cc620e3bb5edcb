"""Choose the item: a search box over the catalogue (name, code, pinyin initials), results as you type, this
terminal's recent and frequent items first; the guide of the highlighted item beside the list."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.domain.models import ServiceItem
from app.services.catalogue import CatalogueService
from app.services.intake import IntakeService
from ui.widgets.accessible import enable_named_clear_button
from ui.widgets.item_guide import ItemGuide

RESULT_LIMIT = 30


class ItemPicker(QWidget):
    """Signals:
    item_chosen(str): the clerk chose an item (Enter or double-click); the argument is its code.
    guide_requested(str): the clerk opened the 向导式 guide of the highlighted item (F4 or the button).
    bundle_requested(): the clerk opened 一件事一次办 (several departments' items in one intake).
    bundle_guide_requested(): the clerk opened the 向导式 guide of a 一件事 (the bundle is chosen on its first page).
    """

    item_chosen = Signal(str)
    guide_requested = Signal(str)
    bundle_requested = Signal()
    bundle_guide_requested = Signal()
    _listed = False  # whether the list shows the results of what is in the search box (set by `refresh`)

    def __init__(self, catalogue: CatalogueService, intake: IntakeService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("item_picker")
        self._catalogue = catalogue
        self._intake = intake
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        title = QLabel(self.tr("Service item"), self)
        title.setProperty("role", "section")
        self.search = QLineEdit(self)
        self.search.setObjectName("item_search")
        self.search.setPlaceholderText(self.tr("Name, code or pinyin initials (e.g. bdc)"))
        self.search.setAccessibleName(self.tr("Search service items"))
        enable_named_clear_button(self.search)
        title.setBuddy(self.search)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.results = QListWidget(splitter)
        self.results.setObjectName("item_results")
        self.results.setAccessibleName(self.tr("Matching service items"))
        self.results.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.results.setWordWrap(True)
        self.guide = ItemGuide(splitter)
        splitter.setSizes([260, 420])
        self.guide_button = QPushButton(self.tr("Guide: which materials for this situation (F4)"), self)
        self.guide_button.setObjectName("item_guide_button")
        self.guide_button.setAccessibleName(self.guide_button.text())
        self.guide_button.clicked.connect(self.open_guide)
        layout.addWidget(title)
        layout.addWidget(self.search)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.guide_button)
        self.bundle_button = QPushButton(self.tr("一件事一次办…"), self)
        self.bundle_button.setObjectName("item_bundle_button")
        self.bundle_button.setAccessibleName(self.bundle_button.text())
        self.bundle_button.clicked.connect(self.bundle_requested)
        self.bundle_guide_button = QPushButton(self.tr("Guide for a 一件事…"), self)
        self.bundle_guide_button.setObjectName("item_bundle_guide_button")
        self.bundle_guide_button.setAccessibleName(self.bundle_guide_button.text())
        self.bundle_guide_button.clicked.connect(self.bundle_guide_requested)
        bundle_row = QHBoxLayout()
        bundle_row.addWidget(self.bundle_guide_button)
        bundle_row.addWidget(self.bundle_button)
        layout.addLayout(bundle_row)
        self.search.textChanged.connect(self.refresh)
        self.search.installEventFilter(self)
        self.results.currentItemChanged.connect(self._on_current)
        self.results.itemActivated.connect(self._on_activated)
        # The search index builds off the GUI thread after start; fill the list when it is ready (typing before
        # then still searches correctly: a search waits for the index).
        if self._catalogue.search_ready_now:
            self.refresh("")
        else:
            self._catalogue.search_ready.connect(self._on_search_ready)

    @Slot()
    def _on_search_ready(self) -> None:
        # Only a list never filled needs the index: once the clerk typed, the list is complete already (that
        # search waited for the index), and listing it again would move the selection back to the first row
        # under the clerk's hands — Enter then took another item than the one they had arrowed to.
        if not self._listed:
            self.refresh(self.search.text())

    @Slot(str)
    def refresh(self, text: str) -> None:
        self._listed = True
        items = self._catalogue.search(text, RESULT_LIMIT, self._intake.usage_boost())
        self.results.clear()
        for item in items:
            row = QListWidgetItem(f"{item.name}\n{item.code} · {item.department}", self.results)
            row.setData(Qt.ItemDataRole.UserRole, item.code)
        if items:
            self.results.setCurrentRow(0)
        else:
            self.guide.show_item(None)

    def current_item(self) -> ServiceItem | None:
        row = self.results.currentItem()
        return self._catalogue.get(str(row.data(Qt.ItemDataRole.UserRole))) if row else None

    @Slot()
    def open_guide(self) -> None:
        item = self.current_item()
        if item is not None:
            self.guide_requested.emit(item.code)

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Up/Down in the search box move through the results; Enter chooses."""
        if watched is self.search and isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress:
            key = event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
                step = 1 if key == Qt.Key.Key_Down else -1
                row = max(0, min(self.results.count() - 1, self.results.currentRow() + step))
                self.results.setCurrentRow(row)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                item = self.current_item()
                if item is not None:
                    self.item_chosen.emit(item.code)
                return True
        return super().eventFilter(watched, event)

    @Slot(QListWidgetItem, QListWidgetItem)
    def _on_current(self, current: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        self.guide.show_item(self._catalogue.get(str(current.data(Qt.ItemDataRole.UserRole))) if current else None)

    @Slot(QListWidgetItem)
    def _on_activated(self, row: QListWidgetItem) -> None:
        self.item_chosen.emit(str(row.data(Qt.ItemDataRole.UserRole)))
