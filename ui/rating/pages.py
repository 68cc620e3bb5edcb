"""The four pages of the rating screen: idle, levels, reasons, thank-you. They only show and collect; the window
talks to the service."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QBoxLayout,
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.models import RATING_LABELS, RATING_REASONS, RatingLevel
from app.services.ratings import MAX_TEXT_CHARS, RatingPrompt
from ui.rating.icons import face_icon
from ui.widgets.pinyin import pinyin_candidates
from ui.widgets.pinyin import warm_up as pinyin_warm_up
from ui.widgets.touch_keyboard import TouchKeyboard

#: Smallest side of a touch target on this screen (issue 5: at least 60 px).
TOUCH_MIN_PX = 60
REASON_COLUMNS = 2


def _label(text: str, name: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setObjectName(name)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(True)
    return label


class IdlePage(QWidget):
    """Hall, window and the clerk serving at it, shown while nothing is asked."""

    def __init__(self, *, hall_name: str, window_no: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("rating_idle_page")
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        self.hall_label = _label(hall_name, "rating_hall_name", self)
        self.window_label = _label(self.tr("Window {window}").format(window=window_no), "rating_window_no", self)
        self.photo = _label(self.tr("Photo"), "clerk_photo", self)
        self.photo.setFixedSize(180, 220)
        self.clerk_name = _label("", "clerk_name", self)
        self.clerk_no = _label("", "clerk_no", self)
        self.welcome = _label(self.tr("Welcome. Please rate our service when you are done."), "rating_welcome", self)
        layout.addWidget(self.hall_label)
        layout.addWidget(self.window_label)
        layout.addSpacing(24)
        layout.addWidget(self.photo, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.clerk_name)
        layout.addWidget(self.clerk_no)
        layout.addSpacing(24)
        layout.addWidget(self.welcome)
        layout.addStretch(1)
        self.set_clerk("", "")

    def set_clerk(self, staff_no: str, name: str) -> None:
        self.clerk_name.setText(name or self.tr("Staff member"))
        self.clerk_no.setText(self.tr("Staff no. {no}").format(no=staff_no or "—"))


class LevelPage(QWidget):
    """Five big buttons, each a face and the level's words. Emits `level_chosen(int)` once per prompt."""

    level_chosen = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("rating_level_page")
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        self.question = _label(self.tr("How satisfied are you with this service?"), "rating_question", self)
        self.context = _label("", "rating_context", self)
        layout.addWidget(self.question)
        layout.addWidget(self.context)
        layout.addSpacing(32)
        row = QGridLayout()
        row.setSpacing(20)
        self._row = row
        self.buttons: dict[RatingLevel, QToolButton] = {}
        for level in sorted(RatingLevel, reverse=True):
            button = QToolButton(self)
            button.setObjectName(f"level_{int(level)}")
            button.setText(RATING_LABELS[level])
            button.setIcon(face_icon(level, 128))
            button.setIconSize(QSize(96, 96))
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
            button.setMinimumSize(170, 190)
            button.setProperty("level", int(level))
            button.clicked.connect(self._clicked)
            self.buttons[level] = button
            row.addWidget(button, 0, len(self.buttons) - 1)
        layout.addLayout(row)
        self.message = _label("", "rating_message", self)
        layout.addWidget(self.message)
        layout.addStretch(1)

    def set_columns(self, columns: int) -> None:
        """The five levels in rows of `columns` (a narrow screen: 3, then 2), best first."""
        for n, button in enumerate(self.buttons.values()):
            self._row.removeWidget(button)
            self._row.addWidget(button, n // columns, n % columns)

    def show_prompt(self, prompt: RatingPrompt) -> None:
        parts = []
        if prompt.item_name:
            parts.append(self.tr("Service: {item}").format(item=prompt.item_name))
        parts.append(self.tr("Staff no. {no}").format(no=prompt.staff_no))
        self.context.setText("　".join(parts))
        self.message.setText("")
        self.set_enabled(True)

    def set_enabled(self, enabled: bool) -> None:
        for button in self.buttons.values():
            button.setEnabled(enabled)

    @Slot()
    def _clicked(self) -> None:
        sender = self.sender()
        level = sender.property("level") if isinstance(sender, QToolButton) else None
        if isinstance(level, int):
            self.level_chosen.emit(level)


def _two_lines(text: str) -> str:
    """A reason on two lines: after its 、, else after its first four characters (a short one stays whole)."""
    if "、" in text:
        head, _sep, tail = text.partition("、")
        return f"{head}、\n{tail}"
    return f"{text[:4]}\n{text[4:]}" if len(text) > 5 else text


class ReasonsPage(QWidget):
    """Reasons (multi-select), optional text with an on-screen keyboard, 实名回访 consent; submit or go back."""

    submitted = Signal()
    back_requested = Signal()
    touched = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("rating_reasons_page")
        self.level: RatingLevel | None = None
        self._compact = False
        self._alone = False
        self._phone = ""
        layout = QVBoxLayout(self)
        self._layout = layout
        self.title = _label("", "reasons_title", self)
        layout.addWidget(self.title)
        # Reasons on the left, the text and its keyboard on the right: opening the keyboard hides nothing and
        # changes no size (the window used to grow from 800 to 991 px and shrink back, moving every button).
        body = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        body.setSpacing(24)
        self.body = body  # a tall screen (kiosk portrait) stacks the two: `set_side_by_side(False)`
        left = QVBoxLayout()
        self.reasons_box = QWidget(self)
        self.reasons_box.setObjectName("reasons_box")
        grid = QGridLayout(self.reasons_box)
        self._grid = grid
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(12)
        self.reason_buttons: dict[str, QPushButton] = {}
        for n, reason in enumerate(RATING_REASONS):
            button = QPushButton(reason, self.reasons_box)
            button.setObjectName("reason")
            button.setCheckable(True)
            button.setMinimumHeight(TOUCH_MIN_PX + 10)
            button.setAccessibleName(reason)
            button.toggled.connect(self._changed)
            grid.addWidget(button, n // REASON_COLUMNS, n % REASON_COLUMNS)
            self.reason_buttons[reason] = button
        left.addWidget(self.reasons_box)
        left.addStretch(1)
        body.addLayout(left, 1)
        right = QVBoxLayout()
        self._build_text(right)
        right.addStretch(1)
        body.addLayout(right, 1)
        layout.addLayout(body, 1)
        self.consent = QCheckBox(self)  # full width: its sentence is long
        self.consent.setObjectName("callback_consent")
        self.consent.setMinimumHeight(TOUCH_MIN_PX)
        self.consent.toggled.connect(self._changed)
        layout.addWidget(self.consent)
        self.message = _label("", "rating_message", self)
        layout.addWidget(self.message)
        self._build_buttons(layout)

    def _build_text(self, layout: QVBoxLayout) -> None:
        self.text_edit = QLineEdit(self)
        self.text_edit.setObjectName("rating_text")
        self.text_edit.setMaxLength(MAX_TEXT_CHARS)
        self.text_edit.setMinimumHeight(TOUCH_MIN_PX)
        self.text_edit.setPlaceholderText(
            self.tr("Other comments (optional, up to {n} characters)").format(n=MAX_TEXT_CHARS)
        )
        self.text_edit.setAccessibleName(self.text_edit.placeholderText())  # read aloud once the field has text
        self.text_edit.textEdited.connect(self._changed)
        self.keyboard_button = QPushButton(self.tr("Keyboard"), self)
        self.keyboard_button.setObjectName("keyboard_toggle")
        self.keyboard_button.setCheckable(True)
        self.keyboard_button.setMinimumSize(160, TOUCH_MIN_PX)
        text_row = QHBoxLayout()
        text_row.addWidget(self.text_edit, 1)
        text_row.addWidget(self.keyboard_button)
        layout.addLayout(text_row)
        self.keyboard = TouchKeyboard(
            self, name="rating_keyboard", candidates=pinyin_candidates, chinese=True, warm_up=pinyin_warm_up
        )
        self.keyboard.bind(self.text_edit)
        self.keyboard.typed.connect(self.touched)
        size = self.keyboard.sizePolicy()
        size.setRetainSizeWhenHidden(True)  # the page keeps its layout whether the keyboard shows or not
        self.keyboard.setSizePolicy(size)
        self.keyboard.setVisible(False)
        self.keyboard_button.toggled.connect(self._show_keyboard)
        layout.addWidget(self.keyboard)

    def _build_buttons(self, layout: QVBoxLayout) -> None:
        buttons = QHBoxLayout()
        self._buttons_row = buttons
        self.back_button = QPushButton(self.tr("Back"), self)
        self.back_button.setObjectName("reasons_back")
        self.submit_button = QPushButton(self.tr("Submit rating"), self)
        self.submit_button.setObjectName("reasons_submit")
        for button in (self.back_button, self.submit_button):
            button.setMinimumSize(220, TOUCH_MIN_PX + 10)
        self.back_button.clicked.connect(self.back_requested)
        self.submit_button.clicked.connect(self.submitted)
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        buttons.addWidget(self.submit_button)
        layout.addLayout(buttons)

    def start(self, level: RatingLevel, prompt: RatingPrompt) -> None:
        self.level = level
        self.title.setText(
            self.tr("You chose “{level}”. What did not go well? (choose one or more)").format(
                level=RATING_LABELS[level]
            )
        )
        for button in self.reason_buttons.values():
            button.setChecked(False)
        self.text_edit.setText("")  # also drops the undo history of the previous citizen's text
        self.keyboard.wipe()
        self.keyboard_button.setChecked(False)
        self.consent.setChecked(False)
        self.consent.setVisible(bool(prompt.phone_masked))
        self._phone = prompt.phone_masked
        self._consent_text()
        self.message.setText("")
        self._update_submit()

    def _consent_text(self) -> None:
        text = self.tr("I agree to be called back about this rating at {phone}").format(phone=self._phone)
        self.consent.setAccessibleName(text)
        # A narrow place (beside 返回 and 提交 on a small kiosk screen): the phone number on a line of its own.
        self.consent.setText(text.replace("（", "\n（") if self._compact and self._phone else text)

    def forget_phone(self) -> None:
        """The consent's masked phone leaves the page (a kiosk's idle wipe)."""
        self._phone = ""
        self.consent.setText("")
        self.consent.setAccessibleName("")

    def _keyboard_place(self, on: bool) -> None:
        """What the open keyboard takes the place of on a small screen (all back when it closes)."""
        self.reasons_box.setVisible(not (self._compact and on))
        self.title.setVisible(not (self._compact and on))  # the keys need the height; back with the reasons
        for button in (self.back_button, self.submit_button):
            button.setVisible(not (self._alone and on))
        self.consent.setVisible(bool(self._phone) and not (self._alone and on))

    def set_compact(
        self, compact: bool, *, columns: int = REASON_COLUMNS, consent_in_row: bool = False, alone: bool = False
    ) -> None:
        """A screen too low for the reasons beside the text and its keyboard (a kiosk's 1366×768): the reasons in
        `columns` columns across the page, the text under them, the keyboard shown in place of the reasons while
        open (键盘 again brings them back), and with `consent_in_row` the 实名回访 consent between 返回 and 提交;
        with `alone` the open keyboard takes the place of 返回, 提交 and the consent too (an even lower screen)."""
        self._compact = compact
        self._alone = compact and alone
        for n, (reason, button) in enumerate(self.reason_buttons.items()):
            self._grid.removeWidget(button)
            self._grid.addWidget(button, n // columns, n % columns)
            # Five across (two rows): a long reason on two lines (its accessible name stays whole).
            button.setText(_two_lines(reason) if compact and columns > 4 else reason)
        self.body.setSpacing(12 if compact else 24)
        if compact:
            self.body.setDirection(QBoxLayout.Direction.TopToBottom)
        size = self.keyboard.sizePolicy()
        size.setRetainSizeWhenHidden(not compact)  # in place of the reasons: no room kept for it beside them
        self.keyboard.setSizePolicy(size)
        self._keyboard_place(self.keyboard.isVisibleTo(self))
        in_row = self._buttons_row.indexOf(self.consent) >= 0
        if consent_in_row and compact and not in_row:
            self._layout.removeWidget(self.consent)
            self._buttons_row.insertWidget(1, self.consent, 1)
        elif in_row and not (consent_in_row and compact):
            self._buttons_row.removeWidget(self.consent)
            self._layout.insertWidget(self._layout.indexOf(self.message), self.consent)
        self._consent_text()

    @Slot(bool)
    def _show_keyboard(self, on: bool) -> None:
        """The keyboard opens beside the reasons (they stay visible and tappable); on a small screen in their place."""
        self._keyboard_place(on)
        self.keyboard.setVisible(on)
        if on:
            self.text_edit.setFocus()
        self.keyboard_button.setText(self.tr("Hide keyboard") if on else self.tr("Keyboard"))

    def set_side_by_side(self, side_by_side: bool) -> None:
        self.body.setDirection(QBoxLayout.Direction.LeftToRight if side_by_side else QBoxLayout.Direction.TopToBottom)

    def chosen_reasons(self) -> list[str]:
        return [reason for reason, button in self.reason_buttons.items() if button.isChecked()]

    def set_message(self, text: str) -> None:
        self.message.setText(text)

    @Slot()
    def _changed(self) -> None:
        self._update_submit()
        self.touched.emit()

    def _update_submit(self) -> None:
        needs = self.level is not None and self.level.is_bad
        self.submit_button.setEnabled(not needs or bool(self.chosen_reasons()))


class ThanksPage(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("rating_thanks_page")
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        self.title = _label(self.tr("Thank you for your rating!"), "thanks_title", self)
        self.detail = _label("", "thanks_detail", self)
        layout.addWidget(self.title)
        layout.addWidget(self.detail)
        layout.addStretch(1)

    def show_level(self, level: RatingLevel) -> None:
        self.title.setText(self.tr("Thank you for your rating!"))
        self.detail.setText(self.tr("Your rating: {level}").format(level=RATING_LABELS[level]))

    def show_already_rated(self) -> None:
        """This service was rated meanwhile (on another rating screen): nothing more is stored."""
        self.title.setText(self.tr("Already rated, thank you"))
        self.detail.setText("")
