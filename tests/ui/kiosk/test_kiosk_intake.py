"""自助收件 at the kiosk: a citizen takes in a self-service item end to end (the counter's rules, staff KIOSK, the
receipt printed here and read back), a missing material gets the 一次性告知书, a bad card or phone is refused in
Chinese with nothing lost, the idle wipe mid-flow leaves nothing, and the whole flow works by keyboard alone."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit
from pytestqt.qtbot import QtBot

from app.domain.models import CaseState, MaterialStatus
from app.services.intake import draft_key
from app.services.terminal import Terminal
from tests import pii_samples
from tests.ui.kiosk.support import Kiosk, kiosk_at, open_kiosk_terminal, put_card, python_strings, visible_texts

#: 就业失业登记: self-service, one 情形 question, window pickup only.
ITEM = "210800200114000"


def _terminal(tmp_path: Path, **config: object) -> Iterator[Terminal]:
    term = open_kiosk_terminal(tmp_path, **config)
    yield term
    term.receipts.wait_for_idle()
    QApplication.processEvents()
    term.close()


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    yield from _terminal(tmp_path, printer={"kind": "pdf", "pdf_dir": str(tmp_path / "slips")})


@pytest.fixture
def kiosk(gui_app: QApplication, qtbot: QtBot, terminal: Terminal) -> Iterator[Kiosk]:
    put_card(terminal)
    for k in kiosk_at(qtbot, terminal):
        k.window.go_home()
        yield k


def _to_card(kiosk: Kiosk, *, typed: bool = False) -> None:
    w = kiosk.window
    kiosk.tap(w.home.tiles["intake"])
    page = w.intake
    while ITEM not in page.items.visible_keys():
        kiosk.tap(page.items.next_button)
    kiosk.tap(page.items.buttons[page.items.visible_keys().index(ITEM)])
    while page.views.currentWidget() is page.question_view:
        kiosk.tap(page.options.buttons[0])
    assert page.views.currentWidget() is (page.typed_view if typed else page.card_view)


def _read(kiosk: Kiosk, qtbot: QtBot, *, ok: bool = True) -> None:
    service = kiosk.window.intake_service
    with qtbot.wait_signal(service.card_read if ok else service.card_failed, timeout=10_000):
        kiosk.tap(kiosk.window.intake.read_button)


def _pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def test_a_citizen_takes_in_a_self_service_item_end_to_end(
    kiosk: Kiosk, terminal: Terminal, qtbot: QtBot, tmp_path: Path
) -> None:
    w = kiosk.window
    page = w.intake
    assert w.home.tiles["intake"].isEnabled()
    kiosk.shot("intake_home_portrait")
    _to_card(kiosk)
    kiosk.shot("intake_card_portrait")
    _read(kiosk, qtbot)
    assert page.views.currentWidget() is page.phone_view
    assert pii_samples.ID_NUMBER not in page.applicant_text.text()  # masked on screen
    kiosk.tap_keys(page.pad, "12345")
    kiosk.tap(page.pad.enter_key)
    assert page.views.currentWidget() is page.phone_view  # a bad phone: refused, what was typed stays
    assert "联系电话" in page.message.text() and page.phone_field.text() == "12345"
    kiosk.shot("intake_phone_refused_portrait")
    kiosk.tap(page.pad.clear_key)
    kiosk.tap_keys(page.pad, pii_samples.PHONE)
    kiosk.tap(page.pad.enter_key)
    assert page.views.currentWidget() is page.materials_view
    for button in page.material_buttons:
        kiosk.tap(button)  # every material at hand
    kiosk.shot("intake_materials_portrait")
    kiosk.tap(page.materials_next)
    assert page.delivery.buttons[0].text() == "窗口领取"
    kiosk.tap(page.delivery.buttons[0])
    assert "已带齐" in page.summary.text() and pii_samples.PHONE not in page.summary.text()
    kiosk.shot("intake_confirm_portrait")
    with qtbot.wait_signal(w.intake_service.printed, timeout=30_000):
        kiosk.tap(page.submit_button)
    assert "回执已打印" in page.result_text.text()
    kiosk.shot("intake_printed_portrait")
    stored = terminal.store.cases.get_by_no(page.case_no)
    assert stored is not None
    case = stored.case
    assert case.state is CaseState.RECEIVED and case.item_code == ITEM
    assert case.routing.staff_no == "KIOSK" and case.routing.terminal == "009"
    assert case.applicant.id_number == pii_samples.ID_NUMBER  # type: ignore[union-attr]
    assert all(m.status is not MaterialStatus.MISSING for m in case.materials)
    [pdf] = (tmp_path / "slips").glob("*.pdf")
    text = _pdf_text(pdf)
    assert case.item_name in text and pii_samples.ID_NUMBER not in text and "一次性告知书" not in text
    subprocess.run(["pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")], check=True)
    [png] = tmp_path.glob("p*.png")
    qr = subprocess.run(["zbarimg", "-q", "--raw", str(png)], capture_output=True, text=True, check=False).stdout
    assert case.case_no in qr
    # The rating offer: channel kiosk, the same pages as 好差评.
    kiosk.tap(page.rate_button)
    assert w.current_page() is w.rating


def test_a_missing_material_gets_the_one_time_notice(
    kiosk: Kiosk, terminal: Terminal, qtbot: QtBot, tmp_path: Path
) -> None:
    w = kiosk.window
    page = w.intake
    _to_card(kiosk)
    _read(kiosk, qtbot)
    kiosk.tap_keys(page.pad, pii_samples.PHONE)
    kiosk.tap(page.pad.enter_key)
    missing = page.material_buttons[0].property("material")
    for button in page.material_buttons[1:]:
        kiosk.tap(button)
    kiosk.tap(page.materials_next)
    kiosk.tap(page.delivery.buttons[0])
    assert missing in page.summary.text() and "一次性告知书" in page.summary.text()
    with qtbot.wait_signal(w.intake_service.printed, timeout=30_000):
        kiosk.tap(page.submit_button)
    stored = terminal.store.cases.get_by_no(page.case_no)
    assert stored is not None and stored.case.state is CaseState.RECEIVED
    assert [m.name for m in stored.case.materials if m.status is MaterialStatus.MISSING] == [missing]
    text = "\n".join(_pdf_text(p) for p in (tmp_path / "slips").glob("*.pdf"))
    assert "一次性告知书" in text and missing in text


def test_an_invalid_id_card_is_refused_with_a_message(gui_app: QApplication, qtbot: QtBot, tmp_path: Path) -> None:
    for terminal in _terminal(tmp_path, printer={"kind": "pdf", "pdf_dir": str(tmp_path / "slips")}):
        put_card(terminal, id_number="110105194912310021")  # wrong check digit
        for kiosk in kiosk_at(qtbot, terminal):
            kiosk.window.go_home()
            _to_card(kiosk)
            _read(kiosk, qtbot, ok=False)
            page = kiosk.window.intake
            assert page.views.currentWidget() is page.card_view
            assert "身份证" in page.message.text() and "窗口" in page.message.text()
            assert kiosk.window.intake_service.draft is not None  # the item and answers are kept
            assert kiosk.window.intake_service.draft.applicant.id_number == ""
            assert terminal.store.cases.list_recent(limit=5) == []


def test_without_a_reader_the_id_is_typed_and_a_bad_one_refused(
    gui_app: QApplication, qtbot: QtBot, tmp_path: Path
) -> None:
    for terminal in _terminal(tmp_path, printer={"kind": "pdf", "pdf_dir": str(tmp_path / "slips")}):
        for kiosk in kiosk_at(qtbot, terminal):  # no card reader
            w = kiosk.window
            page = w.intake
            assert w.home.tiles["intake"].isEnabled()
            _to_card(kiosk, typed=True)
            kiosk.shot("intake_typed_id_portrait")
            kiosk.tap_keys(page.id_pad, "110105194912310021")  # wrong check digit
            kiosk.tap(page.id_pad.enter_key)
            assert page.views.currentWidget() is page.typed_view
            assert "身份证号码" in page.message.text() and page.id_field.text() == "110105194912310021"
            kiosk.shot("intake_typed_id_refused_portrait")
            kiosk.tap(page.id_pad.clear_key)
            kiosk.tap_keys(page.id_pad, pii_samples.ID_NUMBER)
            kiosk.tap(page.id_pad.enter_key)
            assert page.views.currentWidget() is page.name_view
            page.name_field.insert(pii_samples.NAME)  # what the pinyin keyboard types
            kiosk.shot("intake_typed_name_portrait")
            kiosk.tap(page.name_next)
            assert page.views.currentWidget() is page.phone_view
            assert pii_samples.ID_NUMBER not in page.applicant_text.text()
            kiosk.tap_keys(page.pad, pii_samples.PHONE)
            kiosk.tap(page.pad.enter_key)
            kiosk.tap(page.materials_next)
            kiosk.tap(page.delivery.buttons[0])
            with qtbot.wait_signal(w.intake_service.printed, timeout=30_000):
                kiosk.tap(page.submit_button)
            stored = terminal.store.cases.get_by_no(page.case_no)
            assert stored is not None
            assert stored.case.applicant.name == pii_samples.NAME  # type: ignore[union-attr]
            assert stored.case.applicant.id_number == pii_samples.ID_NUMBER  # type: ignore[union-attr]


def test_the_idle_wipe_mid_flow_leaves_nothing(kiosk: Kiosk, terminal: Terminal, qtbot: QtBot) -> None:
    w = kiosk.window
    page = w.intake
    _to_card(kiosk)
    _read(kiosk, qtbot)
    kiosk.tap_keys(page.pad, pii_samples.PHONE)
    kiosk.tap(page.pad.enter_key)
    kiosk.tap(page.materials_next)
    kiosk.tap(page.delivery.buttons[0])
    assert w.intake.views.currentWidget() is w.intake.confirm_view
    terminal.intake.flush_draft()
    assert terminal.store.drafts.get(draft_key("")) is not None  # the counter's autosave holds the draft
    kiosk.mono.advance(w.idle.idle_seconds + 1)
    w.idle.tick()
    assert w.current_page() is w.home
    held = "\n".join(
        visible_texts(w)
        + python_strings(w, w.intake_service, terminal.intake, terminal.devices, w.all_pages, w.voice, w.idle)
    )
    for secret in (pii_samples.NAME, pii_samples.ID_NUMBER, pii_samples.ADDRESS, pii_samples.PHONE):
        assert secret not in held, secret
    assert "<undo history>" not in held
    for field in w.findChildren(QLineEdit):
        assert field.text() == ""
    assert w.intake_service.draft is None
    assert terminal.store.drafts.get(draft_key("")) is None  # the autosaved draft is gone too
    assert terminal.store.cases.list_recent(limit=5) == []


def test_the_whole_flow_by_keyboard_alone(kiosk: Kiosk, terminal: Terminal, qtbot: QtBot) -> None:
    w = kiosk.window
    page = w.intake

    def enter() -> None:
        target = QApplication.focusWidget()
        assert target is not None
        QTest.keyClick(target, Qt.Key.Key_Return)

    w.home.tiles["intake"].setFocus()
    enter()
    while ITEM not in page.items.visible_keys():
        page.items.next_button.setFocus()
        enter()
    for _ in range(page.items.visible_keys().index(ITEM)):
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    page.items.buttons[page.items.visible_keys().index(ITEM)].setFocus()
    enter()
    while page.views.currentWidget() is page.question_view:
        assert QApplication.focusWidget() is page.options.buttons[0]
        enter()
    assert QApplication.focusWidget() is page.read_button
    with qtbot.wait_signal(w.intake_service.card_read, timeout=10_000):
        enter()
    assert QApplication.focusWidget() is page.phone_field
    kiosk.type_keys(pii_samples.PHONE)
    enter()
    assert page.views.currentWidget() is page.materials_view
    for button in page.material_buttons:
        assert QApplication.focusWidget() is button
        QTest.keyClick(button, Qt.Key.Key_Space)
        QTest.keyClick(button, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is page.materials_next
    enter()
    assert QApplication.focusWidget() is page.delivery.buttons[0]
    enter()
    assert QApplication.focusWidget() is page.submit_button
    with qtbot.wait_signal(w.intake_service.printed, timeout=30_000):
        enter()
    assert terminal.store.cases.get_by_no(page.case_no) is not None
    assert QApplication.focusWidget() is page.rate_button


@pytest.mark.parametrize(("size", "elder"), [((1920, 1080), False), ((1920, 1080), True), ((1080, 1920), True)])
def test_the_pages_lay_out_in_both_orientations_and_modes(
    gui_app: QApplication, qtbot: QtBot, terminal: Terminal, size: tuple[int, int], elder: bool
) -> None:
    put_card(terminal)
    for kiosk in kiosk_at(qtbot, terminal, size=size):
        w = kiosk.window
        w.go_home()
        w.set_elder(elder)
        tag = f"{'landscape' if size[0] > size[1] else 'portrait'}{'_elder' if elder else ''}"
        page = w.intake
        _to_card(kiosk)
        _read(kiosk, qtbot)
        kiosk.shot(f"intake_phone_{tag}")
        kiosk.tap_keys(page.pad, pii_samples.PHONE)
        kiosk.tap(page.pad.enter_key)
        kiosk.shot(f"intake_materials_{tag}")
        for button in [*page.material_buttons, page.materials_next, page.read_button, page.pad.keys["1"]]:
            assert button.width() >= 60 and button.height() >= 60, button.objectName()
        kiosk.tap(page.materials_next)
        kiosk.tap(page.delivery.buttons[0])
        kiosk.shot(f"intake_confirm_{tag}")


@pytest.mark.expected_log  # the failed print job is logged as a warning
def test_a_failed_receipt_is_reported_and_prints_again(gui_app: QApplication, qtbot: QtBot, tmp_path: Path) -> None:
    blocked = tmp_path / "slips"
    blocked.write_text("a file where the printer's folder should be", encoding="utf-8")  # the printer is "down"
    for terminal in _terminal(tmp_path, printer={"kind": "pdf", "pdf_dir": str(blocked)}):
        put_card(terminal)
        for kiosk in kiosk_at(qtbot, terminal):
            w = kiosk.window
            page = w.intake
            w.go_home()
            _to_card(kiosk)
            _read(kiosk, qtbot)
            kiosk.tap_keys(page.pad, pii_samples.PHONE)
            kiosk.tap(page.pad.enter_key)
            kiosk.tap(page.materials_next)
            kiosk.tap(page.delivery.buttons[0])
            with qtbot.wait_signal(w.intake_service.print_failed, timeout=30_000):
                kiosk.tap(page.submit_button)
            assert "没有成功" in page.result_text.text() and page.retry_button.isVisible()
            assert terminal.store.cases.get_by_no(page.case_no) is not None  # the case is received all the same
            kiosk.shot("intake_print_failed_portrait")
            blocked.unlink()
            blocked.mkdir()  # the printer is back
            with qtbot.wait_signal(w.intake_service.printed, timeout=30_000):
                kiosk.tap(page.retry_button)
            assert "回执已打印" in page.result_text.text()
            assert list(blocked.glob("*.pdf"))


def test_previous_question_on_the_first_question_returns_to_the_items(kiosk: Kiosk) -> None:
    w = kiosk.window
    page = w.intake
    kiosk.tap(w.home.tiles["intake"])
    while ITEM not in page.items.visible_keys():
        kiosk.tap(page.items.next_button)
    kiosk.tap(page.items.buttons[page.items.visible_keys().index(ITEM)])
    assert page.views.currentWidget() is page.question_view
    kiosk.tap(page.back_question)
    assert page.views.currentWidget() is page.items
    assert w.intake_service.draft is None  # the started draft is dropped, not left in the store


def _heard(kiosk: Kiosk, step: str, *, prompt: str = "") -> None:
    """The step's title (with what to do) was read, then the name of the control that has the focus."""
    focus = QApplication.focusWidget()
    assert focus is not None and focus.window() is kiosk.window
    title = "。".join(part for part in (f"自助收件，{step}", prompt) if part) + "。"
    assert kiosk.window.voice.spoken[-2:] == [title, focus.accessibleName()], kiosk.window.voice.spoken


def test_voice_reads_each_intake_step_and_its_focused_choice(kiosk: Kiosk, qtbot: QtBot) -> None:
    """Qt's mock engine (support.Kiosk): each step is read like a page opening — its title and what to do, then
    the focused choice — and a refusal is read too; nothing personal is ever read out."""
    from ui.kiosk.intake import CARD_PROMPT, MATERIALS_PROMPT

    w = kiosk.window
    page = w.intake
    kiosk.tap(w.mute_button)  # 打开语音
    assert not w.voice.muted
    qtbot.wait_until(lambda: w.voice.available, timeout=60_000)  # built in the voice host process
    kiosk.tap(w.home.tiles["intake"])
    assert w.voice.spoken[-2:] == ["自助收件。请选择要办理的事项。", page.items.buttons[0].accessibleName()]
    while ITEM not in page.items.visible_keys():
        kiosk.tap(page.items.next_button)
    kiosk.tap(page.items.buttons[page.items.visible_keys().index(ITEM)])
    assert page.views.currentWidget() is page.question_view
    _heard(kiosk, "请回答问题", prompt=page.question_text.text())
    assert QApplication.focusWidget() is page.options.buttons[0]
    kiosk.tap(page.options.buttons[0])
    assert page.views.currentWidget() is page.card_view
    _heard(kiosk, "读取身份证", prompt=CARD_PROMPT)
    assert w.voice.spoken[-1] == "读取身份证"
    _read(kiosk, qtbot)
    _heard(kiosk, "联系电话", prompt="请用数字键盘输入您的联系电话，然后点确定")
    assert w.voice.spoken[-1] == "联系电话"
    kiosk.tap_keys(page.pad, "12345")
    kiosk.tap(page.pad.enter_key)
    assert w.voice.spoken[-1] == page.message.text() and page.message.text().startswith("联系电话：")  # refused
    kiosk.tap(page.pad.clear_key)
    kiosk.tap_keys(page.pad, pii_samples.PHONE)
    kiosk.tap(page.pad.enter_key)
    _heard(kiosk, "材料", prompt=MATERIALS_PROMPT)
    assert w.voice.spoken[-1] == page.material_buttons[0].property("material")
    kiosk.tap(page.materials_next)
    _heard(kiosk, "结果领取方式", prompt="请选择办理结果的领取方式")
    assert w.voice.spoken[-1] == "窗口领取"
    kiosk.tap(page.delivery.buttons[0])
    _heard(kiosk, "请核对", prompt="请核对屏幕上的信息，无误后点击确认提交")
    assert w.voice.spoken[-1] == "确认提交"
    with qtbot.wait_signal(w.intake_service.printed, timeout=30_000):
        kiosk.tap(page.submit_button)
    assert w.voice.spoken[-2:] == ["回执已打印，请从出纸口取走。请凭回执到窗口领取办理结果。", "评价本次服务"]
    spoken = "\n".join(w.voice.spoken)
    for personal in (pii_samples.NAME, pii_samples.ID_NUMBER, pii_samples.PHONE, pii_samples.PHONE[-4:]):
        assert personal not in spoken
    # 上一题 on the first question returns to the items, read as that step.
    w.go_home()
    kiosk.tap(w.home.tiles["intake"])
    while ITEM not in page.items.visible_keys():
        kiosk.tap(page.items.next_button)
    kiosk.tap(page.items.buttons[page.items.visible_keys().index(ITEM)])
    kiosk.tap(page.back_question)
    assert page.views.currentWidget() is page.items
    _heard(kiosk, "请选择事项", prompt="请选择要办理的事项")
