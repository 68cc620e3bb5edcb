"""A small on-screen keyboard for the 评价器's free-text box (a touch screen has no keyboard).

Letters, digits and common Chinese punctuation go into the target `QLineEdit`; Chinese characters come from the
system's on-screen input method where the tablet has one. The line edit's `maxLength` is the limit.
"""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QGridLayout, QLineEdit, QPushButton, QWidget

ROWS = ("1234567890", "qwertyuiop", "asdfghjkl，", "zxcvbnm。？！")
KEY_MIN_PX = 60


class OnScreenKeyboard(QWidget):
    def __init__(self, target: QLineEdit, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("on_screen_keyboard")
        self._target = target
        grid = QGridLayout(self)
        grid.setSpacing(6)
        self.keys: dict[str, QPushButton] = {}
        for row, chars in enumerate(ROWS):
            for col, char in enumerate(chars):
                self.keys[char] = self._key(char, char, grid, (row, col, 1))
        self.space_key = self._key(self.tr("Space"), " ", grid, (len(ROWS), 0, 6))
        self.backspace_key = QPushButton(self.tr("Delete"), self)
        self.backspace_key.setObjectName("key_backspace")
        self.backspace_key.setMinimumSize(KEY_MIN_PX * 2, KEY_MIN_PX)
        self.backspace_key.clicked.connect(self._backspace)
        grid.addWidget(self.backspace_key, len(ROWS), 6, 1, 4)

    def _key(self, label: str, char: str, grid: QGridLayout, place: tuple[int, int, int]) -> QPushButton:
        row, col, span = place
        button = QPushButton(label, self)
        button.setObjectName("key")
        button.setProperty("char", char)
        button.setMinimumSize(KEY_MIN_PX, KEY_MIN_PX)
        button.clicked.connect(self._type)
        grid.addWidget(button, row, col, 1, span)
        return button

    @Slot()
    def _type(self) -> None:
        sender = self.sender()
        char = sender.property("char") if isinstance(sender, QPushButton) else None
        if isinstance(char, str):
            self._target.insert(char)  # respects maxLength

    @Slot()
    def _backspace(self) -> None:
        self._target.backspace()
