"""A touch button that answers Enter like a tap, and a label with a style role: shared by the kiosk and the
citizen rating screen."""

from __future__ import annotations

from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLabel, QPushButton, QWidget


class KioskButton(QPushButton):
    """A touch button that also answers Enter and Return when it has the keyboard focus."""

    def __init__(
        self,
        text: str,
        parent: QWidget | None = None,
        *,
        name: str,
        role: str = "",
        description: str = "",
    ) -> None:
        super().__init__(text, parent)
        self.setObjectName(name)
        if role:
            self.setProperty("role", role)
        self.setAccessibleName(text.replace("\n", " "))
        if description:
            self.setAccessibleDescription(description)
        # setFocusPolicy(Qt.FocusPolicy.StrongFocus) through the property, by name: PySide6 builds all ~93 enum types
        # of the `Qt` namespace (~45 ms) at its first touch, and the kiosk's first frame needs none (issue 13).
        self.setProperty("focusPolicy", "StrongFocus")
        self.setAutoDefault(False)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        from PySide6.QtCore import Qt  # at the first key, after the first frame (see __init__)

        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.isEnabled():
            self.click()
            return
        super().keyPressEvent(event)


def label(text: str, parent: QWidget, *, name: str, role: str = "", wrap: bool = True) -> QLabel:
    widget = QLabel(text, parent)
    widget.setObjectName(name)
    if role:
        widget.setProperty("role", role)
    widget.setWordWrap(wrap)
    widget.setProperty("textFormat", "PlainText")  # setTextFormat(Qt.TextFormat.PlainText) without `Qt` (see above)
    return widget
