"""Small building blocks of the kiosk pages: touch buttons, labels with roles, the digit pad."""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QGridLayout, QLineEdit, QPushButton, QSizePolicy, QWidget

from ui.widgets.touch_button import KioskButton, label

__all__ = ["DigitPad", "KioskButton", "label"]


class DigitPad(QWidget):
    """A large digit pad for ID numbers (with X), phones and case numbers; types into the field it is bound to.

    The keys never take the focus from the field on a tap (they are reachable with Tab for keyboard users).

    Signals:
        enter_pressed(): the 确定 key.
    """

    enter_pressed = Signal()

    KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "X", "0")

    def __init__(self, parent: QWidget | None = None, *, with_x: bool = True, name: str = "digit_pad") -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setAccessibleName("数字键盘")
        self._target: QLineEdit | None = None
        grid = QGridLayout(self)
        grid.setSpacing(10)
        grid.setContentsMargins(0, 0, 0, 0)
        self.keys: dict[str, KioskButton] = {}
        for n, char in enumerate(self.KEYS):
            key = self._key(char, f"key_{char}", f"输入{char}")
            key.clicked.connect(self._typed)
            key.setProperty("char", char)
            grid.addWidget(key, n // 3, n % 3)
            self.keys[char] = key
        self.keys["X"].setVisible(with_x)
        self.backspace = self._key("删除", "key_backspace", "删除一个字符")
        self.backspace.clicked.connect(self._backspace)
        grid.addWidget(self.backspace, 3, 2)
        self.clear_key = self._key("清空", "key_clear", "清空这一栏")
        self.clear_key.clicked.connect(self._clear)
        grid.addWidget(self.clear_key, 4, 0, 1, 1)
        self.enter_key = self._key("确定", "key_enter", "输入完成")
        self.enter_key.clicked.connect(self.enter_pressed)
        grid.addWidget(self.enter_key, 4, 1, 1, 2)

    def _key(self, text: str, name: str, description: str) -> KioskButton:
        key = KioskButton(text, self, name=name, role="key", description=description)
        key.setAccessibleName(text if len(text) > 1 else f"数字{text}" if text.isdigit() else "字母X")
        key.setProperty("focusPolicy", "TabFocus")  # a tap leaves the focus in the field being typed (no `Qt`)
        key.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        return key

    def set_key_style(self, style: str) -> None:
        """A style sheet for the keys (their height on a small screen: `theme.key_height_css`); "" for the
        window's."""
        if style != self.styleSheet():
            self.setStyleSheet(style)

    def bind(self, target: QLineEdit | None) -> None:
        """Type into `target` from now on (None: nowhere)."""
        self._target = target

    @property
    def target(self) -> QLineEdit | None:
        return self._target

    @Slot()
    def _typed(self) -> None:
        sender = self.sender()
        char = sender.property("char") if isinstance(sender, QPushButton) else None
        if self._target is not None and isinstance(char, str) and self._target.isEnabled():
            self._target.insert(char)  # respects maxLength and the validator

    @Slot()
    def _backspace(self) -> None:
        if self._target is not None:
            self._target.backspace()

    @Slot()
    def _clear(self) -> None:
        if self._target is not None:
            self._target.setText("")
