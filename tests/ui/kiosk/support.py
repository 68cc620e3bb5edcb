"""The kiosk under test: a real terminal (store file, services), the kiosk window, clocks the test moves."""

from __future__ import annotations

import dataclasses
import gc
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from app.config import config_from_dict
from app.domain.models import Case, PersonApplicant
from app.paths import AppPaths
from app.services.terminal import Terminal, open_terminal
from offline_cache.samples import sample_case
from tests import pii_samples
from ui.kiosk.window import KioskWindow

ADMIN_NO = "A001"
ADMIN_PIN = "246810"
CLERK_NO = "C002"  # a clerk, not an admin: the kiosk's admin page refuses them
SHOTS = Path(__file__).resolve().parents[3] / "build" / "screenshots" / "kiosk"


class Mono:
    """A monotonic clock in seconds that the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class MsClock:
    """The scanner wedge's clock in milliseconds: each read moves it by `step` (key gap)."""

    def __init__(self, step: float = 5.0) -> None:
        self.now = 0.0
        self.step = step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def open_kiosk_terminal(tmp_path: Path, **config: Any) -> Terminal:
    paths = AppPaths(data_dir=tmp_path / "data", config_file=tmp_path / "c.toml", log_dir=tmp_path / "logs")
    settings: dict[str, Any] = {"mode": "kiosk", "terminal_code": "009"}
    settings.update(config)
    term = open_terminal(config=config_from_dict(settings), paths=paths)
    term.staff.add(staff_no=ADMIN_NO, display_name="管理员", pin=ADMIN_PIN, actor="test", role="admin")
    term.staff.add(staff_no=CLERK_NO, display_name="办事员", pin=ADMIN_PIN, actor="test")
    return term


def put_card(terminal: Terminal, *, name: str = pii_samples.NAME, id_number: str = pii_samples.ID_NUMBER) -> None:
    cards = terminal.paths.data_dir / "devices" / "id_card"
    cards.mkdir(parents=True, exist_ok=True)
    card = {"name": name, "id_number": id_number, "address": pii_samples.ADDRESS}
    (cards / "card.json").write_text(json.dumps(card, ensure_ascii=False), encoding="utf-8")


def save_case(terminal: Terminal) -> Case:
    """A case received at a counter of this terminal's store (applicant: pii_samples.NAME / ID_NUMBER)."""
    applicant = PersonApplicant(
        name=pii_samples.NAME, id_number=pii_samples.ID_NUMBER, phone=pii_samples.PHONE, address=pii_samples.ADDRESS
    )
    case = dataclasses.replace(sample_case(with_agent=False), applicant=applicant)
    case = terminal.store.save_case(case, actor="S0042").case
    terminal.case_list.notify_changed()
    return case


#: A 新生儿出生一件事 of five member departments (item, department), for the bundle's 进度查询.
BUNDLE_MEMBERS = (
    ("210800200507000", "出生医学证明首次签发", "市卫生健康委员会"),
    ("210811070505000", "出生登记（户口登记）", "市公安局"),
    ("210800200202000", "城乡居民基本医疗保险参保登记", "市医疗保障局"),
    ("210800200301000", "社会保障卡申领", "市人力资源和社会保障局"),
    ("210800200602000", "预防接种证办理", "市疾病预防控制中心"),
)


def bundle_cases(
    *, members: int = 5, bundle_id: str = "210800YJS001-0123456789abcdef", terminal: str = ""
) -> list[Case]:
    """The members of a 新生儿出生一件事 (applicant pii_samples.NAME / ID_NUMBER), each with its department and a
    promised date, not yet numbered; `terminal` numbers them at another terminal than the sample routing's."""
    import datetime as dt

    applicant = PersonApplicant(
        name=pii_samples.NAME, id_number=pii_samples.ID_NUMBER, phone=pii_samples.PHONE, address=pii_samples.ADDRESS
    )
    return [
        dataclasses.replace(
            base := sample_case(with_agent=False),
            applicant=applicant,
            item_code=code,
            item_name=name,
            bundle_id=bundle_id,
            routing=dataclasses.replace(base.routing, department=dept, terminal=terminal or base.routing.terminal),
            expected_date=dt.date(2026, 12, 8 + i),
        )
        for i, (code, name, dept) in enumerate(BUNDLE_MEMBERS[:members])
    ]


def save_bundle(terminal: Terminal, *, members: int = 5) -> Any:
    """A 一件事 taken in at a counter of this terminal (`bundle_cases`); returns the store's `SavedBundle`
    (`.parent`, `.members`)."""
    saved = terminal.store.save_bundle(
        bundle_cases(members=members), bundle_code="210800YJS001", bundle_name="新生儿出生一件事", actor="S0042"
    )
    terminal.case_list.notify_changed()
    return saved


class Kiosk:
    def __init__(self, qtbot: QtBot, terminal: Terminal, *, size: tuple[int, int] = (1080, 1920)) -> None:
        self.qtbot = qtbot
        self.terminal = terminal
        self.mono = Mono()
        self.keys_clock = MsClock()
        # Qt's "mock" speech engine: the voice path runs as with speech-dispatcher, without sound.
        self.window = KioskWindow(
            terminal=terminal, idle_clock=self.mono, wedge_clock=self.keys_clock, voice_engine="mock"
        )
        qtbot.add_widget(self.window)
        self.window.fit(*size)
        self.window.show()
        qtbot.wait_exposed(self.window)
        self.window.windowHandle().requestActivate()
        qtbot.wait_until(self.window.isActiveWindow)
        self.window.start()

    def close(self) -> None:
        self.window.stop()
        self.window._may_close = True  # the test ends; the lock is tested on its own
        self.window.close()

    def tap(self, widget: QWidget) -> None:
        assert widget.isVisible(), f"{widget.objectName()} is not on screen"
        assert widget.isEnabled(), f"{widget.objectName()} is disabled"
        QTest.mouseClick(widget, Qt.MouseButton.LeftButton, pos=widget.rect().center())

    def tap_keys(self, pad: QWidget, text: str) -> None:
        """Tap the digit pad's keys (`pad.keys[char]`)."""
        for char in text:
            self.tap(pad.keys[char])  # type: ignore[attr-defined]

    def type_keys(self, text: str, *, gap_ms: float = 200.0) -> None:
        """A person at a physical keyboard (slower than a scanner): each key is delivered once it is clear."""
        self.keys_clock.step = gap_ms
        for char in text:
            target = QApplication.focusWidget()
            assert target is not None
            QTest.keyClick(target, char)
        self.window.wedge.flush()
        self.keys_clock.step = 5.0

    def scan(self, text: str) -> None:
        """A keyboard-wedge scanner: a burst of keys (5 ms apart) and Enter, into whatever has the focus."""
        self.keys_clock.step = 5.0
        target = QApplication.focusWidget() or self.window
        for char in text:
            QTest.keyClick(target, char)
        QTest.keyClick(target, Qt.Key.Key_Return)

    def corner_taps(self, n: int = 5) -> None:
        for _ in range(n):
            target = self.window.childAt(QPoint(20, 20)) or self.window
            QTest.mouseClick(target, Qt.MouseButton.LeftButton, pos=target.mapFrom(self.window, QPoint(20, 20)))
            self.mono.advance(0.3)

    def shot(self, name: str) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        QApplication.processEvents()
        assert self.window.grab().save(str(SHOTS / f"{name}.png"))


def kiosk_at(qtbot: QtBot, terminal: Terminal, **kwargs: Any) -> Iterator[Kiosk]:
    kiosk = Kiosk(qtbot, terminal, **kwargs)
    try:
        yield kiosk
    finally:
        kiosk.close()


def visible_texts(root: QWidget) -> list[str]:
    """Every text a widget under `root` holds: shown text, line-edit contents, accessible names and descriptions,
    tool tips (hidden widgets included: a hidden label still holds its text)."""
    texts: list[str] = []
    for widget in [root, *root.findChildren(QWidget)]:
        if isinstance(widget, QLineEdit):
            texts.extend([widget.text(), widget.displayText()])
            widget_undo = widget.isUndoAvailable()
            if widget_undo:
                texts.append("<undo history>")
        elif isinstance(widget, (QLabel, QAbstractButton)):
            texts.append(widget.text())
        elif hasattr(widget, "toPlainText"):
            texts.append(widget.toPlainText())
        texts.extend([widget.accessibleName(), widget.accessibleDescription(), widget.toolTip()])
    return texts


def python_objects(*roots: object, limit: int = 400_000) -> list[object]:
    """Every object reachable from `roots` through attributes, dicts, lists, tuples, sets and slots (modules,
    classes, functions and Qt's C++ side excluded): what the kiosk keeps in Python."""
    seen: set[int] = set()
    found: list[object] = []
    stack: list[object] = list(roots)
    while stack and len(seen) < limit:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        found.append(obj)
        if isinstance(obj, (str, bytes, int, float, bool, type(None), type)) or (
            callable(obj) and not isinstance(obj, QObject)
        ):
            continue
        if type(obj).__name__ == "module":
            continue
        if isinstance(obj, dict):
            stack.extend(obj.keys())
            stack.extend(obj.values())
        elif isinstance(obj, (list, tuple, set, frozenset)):
            stack.extend(obj)
        else:
            stack.extend(gc.get_referents(obj))
    return found


def python_strings(*roots: object, limit: int = 400_000) -> list[str]:
    """Every str reachable from `roots` (see `python_objects`)."""
    return [obj for obj in python_objects(*roots, limit=limit) if isinstance(obj, str)]


def answer_guide(kiosk: Kiosk, *answers: str) -> None:
    """Answer the 办事指南's 情形 questions as they come: with `answers` in turn, then the first option of each
    question left, until the materials show."""
    guide = kiosk.window.guide
    queue = list(answers)
    while guide.views.currentWidget() is guide.question_view:
        wanted = queue.pop(0) if queue else None
        while wanted and all(b.text() != wanted for b in guide.options.buttons if b.isVisible()):
            kiosk.tap(guide.options.next_button)  # a later page of choices (fewer per page in 长辈模式)
        buttons = [b for b in guide.options.buttons if b.isVisible()]
        kiosk.tap(next(b for b in buttons if b.text() == wanted) if wanted else buttons[0])
    assert guide.views.currentWidget() is guide.detail
