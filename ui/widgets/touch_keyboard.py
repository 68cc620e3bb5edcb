"""The kiosk's on-screen keyboard: letters (for pinyin search), digits, and Chinese by pinyin with candidates.

In 中 mode the letters build a pinyin composition shown above the keys; the candidate row offers words and
characters for it (`candidates`); tapping one types it into the field. In 英 mode letters go straight in (pinyin
initials work in the 办事指南 search). The keys never take the focus from the field on a tap.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLineEdit, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from app.domain.pinyin_input import Candidate
from ui.widgets.touch_button import KioskButton, label

ROWS = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm")
PUNCTUATION = "，。？！"
CANDIDATES_SHOWN = 8

CandidateSource = Callable[[str], list[Candidate]]


class TouchKeyboard(QWidget):
    """Signals:
    typed(): something was typed or deleted (the rating page restarts its timeout on it).
    """

    typed = Signal()

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        name: str = "touch_keyboard",
        candidates: CandidateSource | None = None,
        chinese: bool = False,
        warm_up: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self._warm_up = warm_up  # called when the keyboard is first shown: the candidates' tables load then
        self.setObjectName(name)
        self.setAccessibleName("屏幕键盘")
        self._target: QLineEdit | None = None
        self._candidates = candidates
        self._composition = ""
        self._offset = 0
        self._shown: list[Candidate] = []
        self.candidates_per_row = CANDIDATES_SHOWN
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(8)
        bar = QHBoxLayout()
        self.composition_label = label("", self, name="keyboard_composition", role="value", wrap=False)
        self.composition_label.setMinimumWidth(120)
        bar.addWidget(self.composition_label)
        self.candidate_buttons: list[KioskButton] = []
        for n in range(CANDIDATES_SHOWN):
            button = self._key("", f"candidate_{n}", "")
            button.setAccessibleName(f"候选字{n + 1}")  # until it shows a candidate (hidden while empty)
            button.clicked.connect(self._pick)
            button.setVisible(False)
            bar.addWidget(button)
            self.candidate_buttons.append(button)
        self.more_button = self._key("更多", "candidate_more", "显示更多候选字")
        self.more_button.clicked.connect(self._more)
        self.more_button.setVisible(False)
        bar.addWidget(self.more_button)
        bar.addStretch(1)
        outer.addLayout(bar)
        self._build_keys(outer, candidates is not None)
        self.mode_key.setChecked(chinese and candidates is not None)
        self._mode_changed(self.mode_key.isChecked())

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        warm_up, self._warm_up = self._warm_up, None
        if warm_up is not None:
            warm_up()

    def _build_keys(self, outer: QVBoxLayout, with_mode: bool) -> None:
        grid = QGridLayout()
        grid.setSpacing(6)
        self.keys: dict[str, KioskButton] = {}
        for row, chars in enumerate(ROWS):
            for col, char in enumerate(chars):
                key = self._key(char, f"key_{char}", f"输入{char}")
                key.setAccessibleName(f"数字{char}" if char.isdigit() else f"字母{char.upper()}")
                key.setProperty("char", char)
                key.clicked.connect(self._letter)
                grid.addWidget(key, row, col)
                self.keys[char] = key
        for n, char in enumerate(PUNCTUATION):
            key = self._key(char, "key_punct", f"输入{char}")
            key.setAccessibleName({"，": "逗号", "。": "句号", "？": "问号", "！": "感叹号"}[char])
            key.setProperty("char", char)
            key.clicked.connect(self._letter)
            grid.addWidget(key, *((2, 9) if char == "？" else (3, 7 + min(n, 2))))
        last = len(ROWS)
        self.mode_key = self._key("中", "key_mode", "切换中文拼音或英文字母输入")
        self.mode_key.setAccessibleName("切换中英文")
        self.mode_key.setCheckable(True)
        self.mode_key.toggled.connect(self._mode_changed)
        self.mode_key.setVisible(with_mode)
        grid.addWidget(self.mode_key, last, 0, 1, 2)
        self.space_key = self._key("空格", "key_space", "输入空格")
        self.space_key.clicked.connect(self._space)
        grid.addWidget(self.space_key, last, 2, 1, 4)
        self.backspace_key = self._key("删除", "key_backspace", "删除一个字符")
        self.backspace_key.clicked.connect(self._backspace)
        grid.addWidget(self.backspace_key, last, 6, 1, 2)
        self.clear_key = self._key("清空", "key_clear", "清空这一栏")
        self.clear_key.clicked.connect(self._clear)
        grid.addWidget(self.clear_key, last, 8, 1, 2)
        outer.addLayout(grid)

    def _key(self, text: str, name: str, description: str) -> KioskButton:
        key = KioskButton(text, self, name=name, role="kbkey", description=description)
        key.setMinimumSize(60, 60)
        key.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        key.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        return key

    def bind(self, target: QLineEdit | None) -> None:
        self._target = target

    def set_key_height(self, height: int, style: str) -> None:
        """Keys `height` px tall, set by `style` (a style sheet for this keyboard's keys; a kiosk on a small screen);
        the candidate row keeps that height whether candidates show or not (the keyboard never changes size)."""
        if style != self.styleSheet():
            self.setStyleSheet(style)
        self.composition_label.setMinimumHeight(height)

    def set_candidates_per_row(self, count: int) -> None:
        """Candidates shown at a time (fewer on a narrow screen; 更多 shows the next ones)."""
        count = max(1, min(CANDIDATES_SHOWN, count))
        if count != self.candidates_per_row:
            self.candidates_per_row = count
            self._offset = 0
            self._show_candidates()

    @property
    def chinese(self) -> bool:
        return self.mode_key.isChecked()

    @property
    def composition(self) -> str:
        return self._composition

    def candidates_shown(self) -> list[str]:
        return [c.text for c in self._shown]

    # --- typing ----------------------------------------------------------------------------------------------

    def _insert(self, text: str) -> None:
        if self._target is not None and self._target.isEnabled():
            self._target.insert(text)
            self.typed.emit()

    @Slot()
    def _letter(self) -> None:
        sender = self.sender()
        char = sender.property("char") if isinstance(sender, QPushButton) else None
        if not isinstance(char, str):
            return
        if self.chinese and char.isascii() and char.isalpha():
            self._set_composition(self._composition + char)
            self.typed.emit()
            return
        self._commit_raw()
        self._insert(char)

    @Slot()
    def _space(self) -> None:
        if self._composition:
            self._pick_index(0)
        else:
            self._insert(" ")

    @Slot()
    def _backspace(self) -> None:
        if self._composition:
            self._set_composition(self._composition[:-1])
            self.typed.emit()
        elif self._target is not None:
            self._target.backspace()
            self.typed.emit()

    @Slot()
    def _clear(self) -> None:
        self._set_composition("")
        if self._target is not None:
            self._target.setText("")
            self.typed.emit()

    @Slot(bool)
    def _mode_changed(self, chinese: bool) -> None:
        self._commit_raw()
        self.mode_key.setText("中" if chinese else "英")
        self.mode_key.setAccessibleDescription("现在是中文拼音输入" if chinese else "现在是英文字母输入")

    def _commit_raw(self) -> None:
        """Letters still composing go in as typed (switching mode, typing punctuation)."""
        if self._composition:
            raw, self._composition = self._composition, ""
            self._set_composition("")
            self._insert(raw)

    # --- candidates ------------------------------------------------------------------------------------------

    def _set_composition(self, text: str) -> None:
        self._composition = text
        self._offset = 0
        self.composition_label.setText(text)
        self._show_candidates()

    def _all_candidates(self) -> list[Candidate]:
        if not self._composition or self._candidates is None:
            return []
        return self._candidates(self._composition)

    def _show_candidates(self) -> None:
        found = self._all_candidates()
        shown = found[self._offset : self._offset + self.candidates_per_row]
        self._shown = shown
        for n, button in enumerate(self.candidate_buttons):
            text = shown[n].text if n < len(shown) else ""
            button.setText(text)
            button.setAccessibleName(f"候选{text}" if text else f"候选字{n + 1}")
            button.setVisible(bool(text))
        self.more_button.setVisible(len(found) > self.candidates_per_row)

    @Slot()
    def _more(self) -> None:
        total = len(self._all_candidates())
        self._offset = self._offset + self.candidates_per_row
        if self._offset >= total:
            self._offset = 0
        self._show_candidates()

    @Slot()
    def _pick(self) -> None:
        sender = self.sender()
        if isinstance(sender, KioskButton) and sender in self.candidate_buttons:
            self._pick_index(self.candidate_buttons.index(sender))

    def _pick_index(self, index: int) -> None:
        shown = self._shown
        if index >= len(shown):
            self._commit_raw()
            return
        chosen = shown[index]
        self._insert(chosen.text)
        self._set_composition(chosen.rest)

    def wipe(self) -> None:
        self._set_composition("")
