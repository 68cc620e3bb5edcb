"""The administrator's dead-letter view: records the platform refused, its reason, retry and export.

Wire it to a `SyncService`: `dialog.refresh_requested → service.list_dead_letters`,
`service.dead_letters_listed → dialog.show_letters`, `dialog.retry_requested → service.retry_dead_letters`,
`dialog.export_requested → service.export_dead_letters`, `service.dead_letters_exported → dialog.show_exported`.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain import hall_time
from app.services.sync import DeadLetter
from ui.widgets.accessible import ask_file, file_dialog


def kind_text(kind: str) -> str:
    """The record kind as the administrator calls it (unknown kinds as they are)."""
    names = {
        "case": QCoreApplication.translate("DeadLettersDialog", "Case"),
        "receipt": QCoreApplication.translate("DeadLettersDialog", "Receipt"),
        "rating": QCoreApplication.translate("DeadLettersDialog", "Rating"),
        "event": QCoreApplication.translate("DeadLettersDialog", "Event"),
    }
    return names.get(kind, kind)


class DeadLettersDialog(QDialog):
    """Signals:
    refresh_requested(): list again.
    retry_requested(list): the selected record ids go back to the upload queue.
    export_requested(str): write all dead letters (personal fields masked) to this path.
    """

    refresh_requested = Signal()
    retry_requested = Signal(list)
    export_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dead_letters_dialog")
        self.setWindowTitle(self.tr("Records rejected by the platform"))
        self.resize(760, 420)
        self.table = QTableWidget(0, 4, self)
        self.table.setObjectName("dead_letters_table")
        self.table.setAccessibleName(self.tr("Rejected records"))
        self.table.setHorizontalHeaderLabels([self.tr("No."), self.tr("Type"), self.tr("Reason"), self.tr("Time")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)  # the platform's reason gets the width
        self.table.verticalHeader().hide()  # 序号 is the first column
        self.message = QLabel(self)
        self.message.setObjectName("dead_letters_message")
        self.retry_button = QPushButton(self.tr("Upload the selected again"), self)
        self.retry_button.setObjectName("dead_letters_retry")
        self.export_button = QPushButton(self.tr("Export to a file…"), self)
        self.export_button.setObjectName("dead_letters_export")
        close = QPushButton(self.tr("Close"), self)
        buttons = QHBoxLayout()
        buttons.addWidget(self.retry_button)
        buttons.addWidget(self.export_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self._ids: list[str] = []
        self.retry_button.clicked.connect(self._on_retry)
        self.export_button.clicked.connect(self._on_export)
        close.clicked.connect(self.accept)

    @Slot(object)
    def show_letters(self, letters: Sequence[DeadLetter]) -> None:
        self._ids = [letter.record_id for letter in letters]
        self.table.setRowCount(len(letters))
        for row, letter in enumerate(letters):
            values = (
                str(letter.terminal_seq),
                kind_text(letter.kind),
                letter.reason_zh,
                hall_time.clock_text(letter.updated_at, "%Y-%m-%d %H:%M"),
            )
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip(letter.record_id if column == 0 else value)
                self.table.setItem(row, column, item)
        self.message.setText(self.tr("{count} in total").format(count=len(letters)))
        self.retry_button.setEnabled(bool(letters))
        self.export_button.setEnabled(bool(letters))

    @Slot(int, str)
    def show_exported(self, count: int, detail: str) -> None:
        if count < 0:
            self.message.setText(detail)
        else:
            self.message.setText(
                self.tr("Exported {count} to {path} (personal data left out)").format(count=count, path=detail)
            )

    def selected_ids(self) -> list[str]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self._ids[r] for r in rows if r < len(self._ids)]

    @Slot()
    def _on_retry(self) -> None:
        ids = self.selected_ids()
        if ids:
            self.retry_requested.emit(ids)

    @Slot()
    def _on_export(self) -> None:
        path = ask_file(
            file_dialog(
                self, self.tr("Export the rejected records"), "dead_letters.jsonl", "JSON Lines (*.jsonl)", save=True
            )
        )
        if path:
            self.export_requested.emit(path)
