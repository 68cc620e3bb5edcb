"""A labelled line edit whose reason for refusal appears under it as soon as focus leaves it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QLabel, QLineEdit, QVBoxLayout, QWidget

Checker = Callable[[str, str], str | None]


class ValidatedField(QWidget):
    """Signals:
    edited(str, str): the text changed — field path, new text.
    """

    edited = Signal(str, str)

    def __init__(
        self, path: str, label: str, checker: Checker, *, max_length: int = 200, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.path = path
        self._checker = checker
        self.setObjectName(f"field_{path.replace('.', '_')}")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.label = QLabel(label, self)
        self.edit = QLineEdit(self)
        self.edit.setObjectName(f"edit_{path.replace('.', '_')}")
        self.edit.setAccessibleName(label)
        self.edit.setMaxLength(max_length)
        self.label.setBuddy(self.edit)
        self.error = QLabel(self)
        self.error.setProperty("role", "error")
        self.error.setObjectName(f"error_{path.replace('.', '_')}")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.label)
        layout.addWidget(self.edit)
        layout.addWidget(self.error)
        self.edit.textEdited.connect(self._on_edited)
        self.edit.editingFinished.connect(self.check)
        self.edit.returnPressed.connect(self._next)

    def text(self) -> str:
        return self.edit.text()

    def set_text(self, text: str) -> None:
        """Set from data (draft, card read): no `edited` signal."""
        self.edit.setText(text)
        self.show_error(None)

    @Slot()
    def check(self) -> None:
        """Check as focus leaves. An empty field is not flagged here (leaving a field blank for now is normal);
        submit lists the required ones."""
        text = self.edit.text()
        self.show_error(self._checker(self.path, text) if text.strip() else None)

    def show_error(self, message: str | None) -> None:
        self.error.setText(message or "")
        self.error.setVisible(bool(message))
        self.edit.setProperty("invalid", "true" if message else "false")
        self.edit.style().unpolish(self.edit)
        self.edit.style().polish(self.edit)
        self.edit.setAccessibleDescription(message or "")

    @Slot(str)
    def _on_edited(self, text: str) -> None:
        self.edited.emit(self.path, text)

    @Slot()
    def _next(self) -> None:
        self.edit.focusNextChild()
