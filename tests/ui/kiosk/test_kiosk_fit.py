"""Every kiosk page and step fits every screen kiosks have (1920×1080, 1080×1920 and the older 1366×768 and
768×1366 panels) in standard and 长辈模式: the window, laid out for that screen, asks for no more than the screen
(a taller page would stretch the window and put its bottom buttons off-screen), every control a citizen taps lies
on the screen and is at least 60×60 px, and the text keeps the mode's sizes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QFontInfo, QFontMetrics
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QLineEdit, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from app.domain.models import RatingLevel
from app.services.terminal import Terminal
from tests import pii_samples
from tests.ui.kiosk.support import (
    ADMIN_NO,
    ADMIN_PIN,
    Kiosk,
    answer_guide,
    kiosk_at,
    open_kiosk_terminal,
    put_card,
    save_bundle,
    save_case,
)
from ui.kiosk.page import settle
from ui.kiosk.theme import sizes

SIZES = [(1366, 768), (768, 1366), (1920, 1080), (1080, 1920)]
INTAKE_ITEM = "210800200114000"  # 就业失业登记: one 情形 question (as in test_kiosk_intake.py)
TAIL = pii_samples.ID_NUMBER[-4:]
#: The smallest side of anything a citizen taps, in both modes (issue 12).
TARGET_MIN_PX = 60


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    term = open_kiosk_terminal(tmp_path, printer={"kind": "pdf", "pdf_dir": str(tmp_path / "slips")})
    yield term
    term.receipts.wait_for_idle()
    QApplication.processEvents()
    term.close()


def _query(kiosk: Kiosk, tile: str, number: str) -> None:
    w = kiosk.window
    w.go_home()
    kiosk.tap(w.home.tiles[tile])
    kiosk.tap_keys(w.progress.pad, number)
    kiosk.tap(w.progress.tail_field)
    kiosk.tap_keys(w.progress.pad, TAIL)
    kiosk.tap(w.progress.query_button)


def _walk(kiosk: Kiosk, qtbot: QtBot, terminal: Terminal) -> Iterator[str]:
    """Every page and step of the kiosk, shown in turn as a citizen reaches it; yields the view's name."""
    w = kiosk.window
    case = save_case(terminal)
    bundle = save_bundle(terminal)
    w.go_home()
    yield "home"
    # 进度查询: entry, a case's result, a 一件事 of five members (both pages)
    kiosk.tap(w.home.tiles["progress"])
    yield "progress_entry"
    _query(kiosk, "progress", case.case_no)
    assert w.progress.views.currentWidget() is w.progress.result
    yield "progress_result"
    _query(kiosk, "progress", bundle.parent.case_no)
    assert w.progress.views.currentWidget() is w.progress.result
    yield "progress_bundle"
    while w.progress.members_next.isVisible() and w.progress.members_next.isEnabled():
        kiosk.tap(w.progress.members_next)
        yield "progress_bundle_next"
    # 好差评: the check, the levels, the reasons (with the keyboard open), thanks
    w.go_home()
    kiosk.tap(w.home.tiles["rating"])
    yield "rating_check"
    with qtbot.wait_signal(terminal.ratings.rating_requested):
        _query(kiosk, "rating", case.case_no)
    assert w.current_page() is w.rating
    yield "rating_levels"
    kiosk.tap(w.rating.level_page.buttons[RatingLevel.DISSATISFIED])
    assert w.rating.stack.currentWidget() is w.rating.reasons_page
    yield "rating_reasons"
    kiosk.tap(w.rating.reasons_page.keyboard_button)
    yield "rating_keyboard"
    kiosk.tap(w.rating.reasons_page.keyboard_button)  # on a small screen the keyboard is in the reasons' place
    kiosk.tap(next(iter(w.rating.reasons_page.reason_buttons.values())))
    kiosk.tap(w.rating.reasons_page.submit_button)
    assert w.rating.stack.currentWidget() is w.rating.thanks_page
    yield "rating_thanks"
    # 办事指南: departments, items, a question, the materials; search with the keyboard; a 一件事
    w.go_home()
    kiosk.tap(w.home.tiles["guide"])
    yield "guide_departments"
    kiosk.tap(w.guide.departments.buttons[0])
    yield "guide_items"
    kiosk.tap(w.guide.items.buttons[0])
    if w.guide.views.currentWidget() is w.guide.question_view:
        yield "guide_question"
    answer_guide(kiosk)
    yield "guide_detail"
    kiosk.tap(w.guide.back_button)
    kiosk.tap(w.guide.back_button)
    kiosk.tap(w.guide.keyboard_button)
    yield "guide_keyboard"
    w.guide.search_field.setText("sb")
    yield "guide_search_keyboard"
    kiosk.tap(w.guide.keyboard_button)
    kiosk.tap(w.guide.back_button)
    kiosk.tap(w.guide.bundles_button)
    yield "guide_bundles"
    kiosk.tap(w.guide.items.buttons[0])
    if w.guide.views.currentWidget() is w.guide.question_view:
        yield "guide_bundle_question"
    answer_guide(kiosk)
    yield "guide_bundle_detail"
    # 自助收件 without a card reader: items, question, ID number pad, name keyboard, phone pad, materials, delivery,
    # confirm, printed
    w.go_home()
    kiosk.tap(w.home.tiles["intake"])
    page = w.intake
    yield "intake_items"
    while INTAKE_ITEM not in page.items.visible_keys():
        kiosk.tap(page.items.next_button)
    kiosk.tap(page.items.buttons[page.items.visible_keys().index(INTAKE_ITEM)])
    while page.views.currentWidget() is page.question_view:
        yield "intake_question"
        kiosk.tap(page.options.buttons[0])
    assert page.views.currentWidget() is page.typed_view
    yield "intake_id_pad"
    kiosk.tap_keys(page.id_pad, pii_samples.ID_NUMBER)
    kiosk.tap(page.id_pad.enter_key)
    assert page.views.currentWidget() is page.name_view
    yield "intake_name_keyboard"
    for letter in "zhang":
        kiosk.tap(page.name_keyboard.keys[letter])
    yield "intake_name_candidates"
    page.name_field.setText(pii_samples.NAME)
    page.name_keyboard.wipe()
    kiosk.tap(page.name_next)
    assert page.views.currentWidget() is page.phone_view
    yield "intake_phone_pad"
    kiosk.tap_keys(page.pad, pii_samples.PHONE)
    kiosk.tap(page.pad.enter_key)
    assert page.views.currentWidget() is page.materials_view
    yield "intake_materials"
    kiosk.tap(page.materials_next)
    yield "intake_delivery"
    kiosk.tap(page.delivery.buttons[0])
    assert page.views.currentWidget() is page.confirm_view
    yield "intake_confirm"
    with qtbot.wait_signal(w.intake_service.printed, timeout=30_000):
        kiosk.tap(page.submit_button)
    yield "intake_printed"
    # With a card reader: 自助收件's card step, 补打回执 (card, the cases, printed)
    put_card(terminal)
    _choose_item(kiosk, INTAKE_ITEM)
    assert page.views.currentWidget() is page.card_view
    yield "intake_card"
    w.go_home()
    kiosk.tap(w.home.tiles["reprint"])
    yield "reprint_card"
    with qtbot.wait_signal(terminal.kiosk.own_cases_found, timeout=10_000):
        kiosk.tap(w.reprint.read_button)
    assert w.reprint.views.currentWidget() is w.reprint.cases
    yield "reprint_cases"
    with qtbot.wait_signal(terminal.kiosk.reprint_printed, timeout=30_000):
        kiosk.tap(w.reprint.cases.buttons[0])
    yield "reprint_printed"
    # 管理员: the PIN pad, then the menu; the calm error page
    w.go_home()
    kiosk.corner_taps(5)
    assert w.current_page() is w.admin
    yield "admin_login"
    w.admin.staff_field.setText(ADMIN_NO)
    w.admin.pin_field.setText(ADMIN_PIN)
    kiosk.tap(w.admin.ok_button)
    assert w.admin.views.currentWidget() is w.admin.menu
    yield "admin_menu"
    kiosk.tap(w.admin.resume_button)
    w._show(w.error_page)
    yield "error"
    w.go_home()


def _controls(w: QWidget) -> list[QWidget]:
    return [c for c in w.findChildren(QWidget) if isinstance(c, (QAbstractButton, QLineEdit)) and c.isVisible()]


def _problems(kiosk: Kiosk, size: tuple[int, int], elder: bool) -> list[str]:
    """What does not fit on this view: the window's required size, controls off the screen or too small, text
    smaller than the mode's body size."""
    w = kiosk.window
    QApplication.processEvents()
    found = []
    settle(w)  # every layout measured afresh (Qt keeps a nested layout's sizes until it is laid out again)
    hint = w.minimumSizeHint()
    if hint.height() > size[1] or hint.width() > size[0] or (w.width(), w.height()) != size:
        found.append(f"window needs {hint.width()}×{hint.height()} (is {w.width()}×{w.height()})")
    screen = QRect(0, 0, *size)
    for control in _controls(w):
        area = QRect(control.mapTo(w, control.rect().topLeft()), control.size())
        name = control.objectName() or type(control).__name__
        if not screen.contains(area):
            found.append(f"{name} off the screen at {area.getRect()}")
        if control.width() < TARGET_MIN_PX or control.height() < TARGET_MIN_PX:
            found.append(f"{name} is {control.width()}×{control.height()} px")
        if isinstance(control, QPushButton) and control.text():
            metrics = QFontMetrics(control.font())
            widest = max(metrics.horizontalAdvance(line) for line in control.text().split("\n"))
            if widest > control.width() - 8:  # the words are whole on the button
                found.append(f"{name} cuts “{control.text()}” ({widest} px on {control.width()})")
    body = sizes(elder).body_px
    for text in (c for c in w.findChildren(QLabel) if c.isVisible() and c.text()):
        if QFontInfo(text.font()).pixelSize() < body:
            found.append(f"{text.objectName()} text {QFontInfo(text.font()).pixelSize()} px")
    return found


@pytest.mark.parametrize("elder", [False, True], ids=["standard", "elder"])
@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_every_page_and_step_fits_the_screen(
    gui_app: QApplication, qtbot: QtBot, terminal: Terminal, size: tuple[int, int], elder: bool
) -> None:
    mode = "elder" if elder else "standard"
    problems: dict[str, list[str]] = {}
    seen = []
    for kiosk in kiosk_at(qtbot, terminal, size=size):
        w = kiosk.window
        if elder:
            kiosk.tap(w.home.elder_switch)
            assert w.elder
        for view in _walk(kiosk, qtbot, terminal):
            seen.append(view)
            found = _problems(kiosk, size, elder)
            if found:
                problems[view] = found
            if size == (1366, 768):
                kiosk.shot(f"fit_{view}_{size[0]}x{size[1]}_{mode}")
    assert len(seen) >= 30, seen
    assert not problems, "\n".join(f"{view}: {'; '.join(found)}" for view, found in problems.items())


#: The self-service items with the most materials (7) and the longest names (17 characters, 4 of them after the
#: first 情形): on a 1366×768 panel in 长辈模式 they did not fit one page, on a 768×1366 one a name was cut.
MANY_MATERIALS = ["210800200201000", "210800050113000"]


def _choose_item(kiosk: Kiosk, item: str) -> None:
    """自助收件 from home: the item (paging to it), then the first choice of each 情形 question."""
    w = kiosk.window
    page = w.intake
    w.go_home()
    kiosk.tap(w.home.tiles["intake"])
    while item not in page.items.visible_keys():
        kiosk.tap(page.items.next_button)
    kiosk.tap(page.items.buttons[page.items.visible_keys().index(item)])
    while page.views.currentWidget() is page.question_view:
        kiosk.tap(page.options.buttons[0])


def _to_materials(kiosk: Kiosk, item: str) -> None:
    page = kiosk.window.intake
    _choose_item(kiosk, item)
    kiosk.tap_keys(page.id_pad, pii_samples.ID_NUMBER)
    kiosk.tap(page.id_pad.enter_key)
    page.name_field.setText(pii_samples.NAME)
    page.name_keyboard.wipe()
    kiosk.tap(page.name_next)
    kiosk.tap_keys(page.pad, pii_samples.PHONE)
    kiosk.tap(page.pad.enter_key)
    assert page.views.currentWidget() is page.materials_view


@pytest.mark.parametrize("elder", [False, True], ids=["standard", "elder"])
@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_the_materials_step_of_the_longest_lists_fits_every_screen(
    gui_app: QApplication, qtbot: QtBot, terminal: Terminal, size: tuple[int, int], elder: bool
) -> None:
    problems: dict[str, list[str]] = {}
    for kiosk in kiosk_at(qtbot, terminal, size=size):
        if elder:
            kiosk.tap(kiosk.window.home.elder_switch)
        for item in MANY_MATERIALS:
            _to_materials(kiosk, item)
            found = _problems(kiosk, size, elder)
            if found:
                problems[item] = found
            if size in ((1366, 768), (768, 1366)) and elder:
                kiosk.shot(f"fit_materials_{item}_{size[0]}x{size[1]}_elder")
    assert not problems, "\n".join(f"{item}: {'; '.join(found)}" for item, found in problems.items())


def test_materials_on_several_pages_keep_what_was_chosen_on_each(
    gui_app: QApplication, qtbot: QtBot, terminal: Terminal
) -> None:
    for kiosk in kiosk_at(qtbot, terminal, size=(1366, 768)):
        w = kiosk.window
        kiosk.tap(w.home.elder_switch)
        _to_materials(kiosk, "210800050113000")
        page = w.intake
        assert page.materials_more.isVisible() and page.materials_page_label.text().startswith("第1页，共")
        first = [b for b in page.material_buttons if b.isVisible()]
        assert 0 < len(first) < len(page.material_buttons)
        kiosk.tap(first[0])
        kiosk.tap(page.materials_more)
        second = [b for b in page.material_buttons if b.isVisible()]
        assert second and not set(first) & set(second)
        kiosk.tap(second[-1])
        kiosk.tap(page.materials_prev)
        assert first[0].isVisible() and first[0].isChecked() and first[0].text().startswith("已带")
        at_hand = {str(b.property("material")) for b in (first[0], second[-1])}
        missing = set(w.intake_service.missing())
        assert at_hand.isdisjoint(missing)
        assert missing == {str(b.property("material")) for b in page.material_buttons} - at_hand
        kiosk.tap(page.materials_next)
        assert page.views.currentWidget() is page.delivery_view_widget()


def _wrong(number: str) -> str:
    """`number` with its last digit changed (a check digit that no longer matches)."""
    return number[:-1] + ("1" if number[-1] == "0" else "0")


@pytest.mark.parametrize("elder", [False, True], ids=["standard", "elder"])
@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_a_refusal_s_message_leaves_the_step_on_the_screen(
    gui_app: QApplication, qtbot: QtBot, terminal: Terminal, size: tuple[int, int], elder: bool
) -> None:
    """A refusal adds a line above the step: the pads make room for it. Before, on 1366×768 in 长辈模式 a wrongly
    typed ID number made the window 815 px tall and put 确定 and 清空 off the screen."""
    problems: dict[str, list[str]] = {}
    case = save_case(terminal)
    for kiosk in kiosk_at(qtbot, terminal, size=size):
        w = kiosk.window
        if elder:
            kiosk.tap(w.home.elder_switch)
        w.go_home()
        kiosk.tap(w.home.tiles["progress"])
        w.progress.case_field.setText(case.case_no)
        w.progress.tail_field.setText("0000" if TAIL != "0000" else "1111")
        kiosk.tap(w.progress.query_button)
        qtbot.wait_until(lambda shown=w.progress.message: bool(shown.text()))  # the refusal
        problems["progress_refused"] = _problems(kiosk, size, elder)
        _choose_item(kiosk, INTAKE_ITEM)
        page = w.intake
        kiosk.tap_keys(page.id_pad, _wrong(pii_samples.ID_NUMBER))
        kiosk.tap(page.id_pad.enter_key)
        assert page.message.text().startswith("身份证号码")
        problems["intake_id_refused"] = _problems(kiosk, size, elder)
        page.id_field.setText("")
        kiosk.tap_keys(page.id_pad, pii_samples.ID_NUMBER)
        kiosk.tap(page.id_pad.enter_key)
        page.name_field.setText(pii_samples.NAME)
        kiosk.tap(page.name_next)
        kiosk.tap_keys(page.pad, "1234")
        kiosk.tap(page.pad.enter_key)
        assert page.message.text().startswith("联系电话")
        problems["intake_phone_refused"] = _problems(kiosk, size, elder)
        if size == (1366, 768) and elder:
            kiosk.shot("fit_intake_phone_refused_1366x768_elder")
    problems = {view: found for view, found in problems.items() if found}
    assert not problems, "\n".join(f"{view}: {'; '.join(found)}" for view, found in problems.items())


@pytest.mark.parametrize("elder", [False, True], ids=["standard", "elder"])
@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_a_card_reader_s_refusal_leaves_the_step_on_the_screen(
    gui_app: QApplication, qtbot: QtBot, terminal: Terminal, size: tuple[int, int], elder: bool
) -> None:
    """A reader with no card on it: 补打回执's and 自助收件's card steps show why, and stay on the screen."""
    put_card(terminal)  # the reader is there (its tiles enabled) ...
    problems: dict[str, list[str]] = {}
    for kiosk in kiosk_at(qtbot, terminal, size=size):
        w = kiosk.window
        if elder:
            kiosk.tap(w.home.elder_switch)
        (terminal.paths.data_dir / "devices" / "id_card" / "card.json").unlink()  # ... and finds no card
        w.go_home()
        kiosk.tap(w.home.tiles["reprint"])
        kiosk.tap(w.reprint.read_button)
        qtbot.wait_until(lambda shown=w.reprint.card_message: "未检测到" in shown.text(), timeout=10_000)
        problems["reprint_no_card"] = _problems(kiosk, size, elder)
        _choose_item(kiosk, INTAKE_ITEM)
        assert w.intake.views.currentWidget() is w.intake.card_view
        kiosk.tap(w.intake.read_button)
        qtbot.wait_until(lambda shown=w.intake.message: "未检测到" in shown.text(), timeout=10_000)
        problems["intake_no_card"] = _problems(kiosk, size, elder)
    problems = {view: found for view, found in problems.items() if found}
    assert not problems, "\n".join(f"{view}: {'; '.join(found)}" for view, found in problems.items())
