"""The clerk's day in the real counter window (offscreen): sign in, search `bdc`, pick an item, fill the applicant
from the card simulator, mark materials, attach a scan, submit, see the number, find the case in today's list.

Screenshots of each step go to tests.shots.shot_dir("intake_shots") (looked at by a person before release)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from app.config import config_from_dict
from app.domain.case_number import format_grouped
from app.domain.models import CaseState, MaterialStatus
from app.paths import AppPaths
from app.services.terminal import Terminal, open_terminal
from tests import pii_samples
from tests.integration.intake_support import STAFF_NO, STAFF_PIN
from tests.integration.receipts_support import pdf_text, squash
from tests.shots import shot_dir
from ui.counter_window import CounterWindow
from ui.pages.counter_flow import CounterFlow

SHOTS = shot_dir("intake_shots")
ITEM = "210882070405000"  # 不动产权证书补证


def shot(widget: QWidget, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    QApplication.processEvents()  # pending layout requests first, so the picture shows the settled layout
    assert widget.window().grab().save(str(SHOTS / f"{name}.png"))


def terminal_at(tmp_path: Path) -> Iterator[Terminal]:
    """Body of a `terminal` fixture: a real terminal (store, services) with a clerk and a card in the reader."""
    paths = AppPaths(data_dir=tmp_path / "data", config_file=tmp_path / "c.toml", log_dir=tmp_path / "logs")
    config = config_from_dict(
        {"window": "07", "terminal_code": "003", "printer": {"kind": "pdf", "pdf_dir": str(tmp_path / "pdf")}}
    )
    term = open_terminal(config=config, paths=paths)
    term.staff.add(staff_no=STAFF_NO, display_name="王晓", pin=STAFF_PIN, actor="test")
    cards = paths.data_dir / "devices" / "id_card"
    cards.mkdir(parents=True)
    card = {"name": pii_samples.NAME, "id_number": pii_samples.ID_NUMBER, "address": pii_samples.ADDRESS}
    (cards / "card.json").write_text(json.dumps(card, ensure_ascii=False), encoding="utf-8")
    yield term
    term.receipts.wait_for_idle()
    QApplication.processEvents()  # deliver the print worker's last results while the store is open
    term.close()


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    yield from terminal_at(tmp_path)


def open_window(qtbot: QtBot, terminal: Terminal) -> tuple[CounterWindow, CounterFlow]:
    window = CounterWindow(config=terminal.config, status=terminal.status, terminal=terminal)
    qtbot.add_widget(window)
    window.show()
    qtbot.wait_exposed(window)
    window.windowHandle().requestActivate()  # offscreen: activate explicitly so focus and shortcuts work
    qtbot.wait_until(window.isActiveWindow)
    assert window.flow is not None
    return window, window.flow


def type_text(qtbot: QtBot, edit: QWidget, text: str) -> None:
    """Type as a clerk does: ASCII key by key; Chinese as an input method commits it (QTest has no keys for it)."""
    if text.isascii():
        QTest.keyClicks(edit, text)
        return
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(edit, event)


def sign_in(qtbot: QtBot, flow: CounterFlow) -> None:
    page = flow.sign_in
    assert flow.work_area.currentWidget() is page
    page.staff_no.clear()
    QTest.keyClicks(page.staff_no, STAFF_NO)
    QTest.keyClick(page.staff_no, Qt.Key.Key_Return)
    assert page.pin.hasFocus()
    QTest.keyClicks(page.pin, STAFF_PIN)
    QTest.keyClick(page.pin, Qt.Key.Key_Return)
    assert flow.work_area.currentWidget() is flow.session


def test_a_clerk_takes_in_a_case_end_to_end(gui_app: QApplication, qtbot: QtBot, terminal: Terminal) -> None:
    window, flow = open_window(qtbot, terminal)
    shot(window, "01_sign_in")
    # A wrong PIN first: the reason shows and the PIN field is cleared.
    QTest.keyClicks(flow.sign_in.staff_no, STAFF_NO)
    QTest.keyClicks(flow.sign_in.pin, "999999")
    QTest.keyClick(flow.sign_in.pin, Qt.Key.Key_Return)
    assert "还可尝试4次" in flow.sign_in.message.text() and flow.sign_in.pin.text() == ""
    flow.sign_in.staff_no.clear()
    sign_in(qtbot, flow)
    s = flow.session
    assert s.picker.search.hasFocus()

    QTest.keyClicks(s.picker.search, "bdc")
    names = [s.picker.results.item(i).text() for i in range(s.picker.results.count())]
    assert names and all("不动产" in n or "房屋" in n for n in names[:4])
    while s.picker.current_item() is not None and s.picker.current_item().code != ITEM:  # type: ignore[union-attr]
        QTest.keyClick(s.picker.search, Qt.Key.Key_Down)
    assert "营口" in s.picker.guide.view.toPlainText() or "不动产" in s.picker.guide.view.toPlainText()
    shot(window, "02_item_search")
    QTest.keyClick(s.picker.search, Qt.Key.Key_Return)
    form = s.form
    assert form.draft is not None and form.draft.item_code == ITEM
    assert form.applicant.fields["applicant.name"].edit.hasFocus()

    # F5 reads the card (simulator, off the GUI thread) and fills name, ID number and address.
    with qtbot.wait_signal(terminal.devices.card_read, timeout=5000):
        QTest.keyClick(window, Qt.Key.Key_F5)
    qtbot.wait_until(lambda: form.applicant.fields["applicant.id_number"].text() == pii_samples.ID_NUMBER)
    assert form.applicant.fields["applicant.name"].text() == pii_samples.NAME
    phone = form.applicant.fields["applicant.phone"]
    assert phone.edit.hasFocus()
    QTest.keyClicks(phone.edit, "1381234567")  # one digit short
    QTest.keyClick(phone.edit, Qt.Key.Key_Return)  # focus leaves: the reason shows at once
    assert phone.error.isVisible() and phone.error.text()
    QTest.keyClicks(phone.edit, "8")
    phone.check()
    assert not phone.error.isVisible()

    # Materials: M01 original, M02 copy with a scan from the document camera; M03 stays missing.
    rows = form.materials.rows
    rows["M01"].status.setCurrentIndex(rows["M01"].status.findData(MaterialStatus.ORIGINAL.value))
    rows["M02"].status.setCurrentIndex(rows["M02"].status.findData(MaterialStatus.COPY.value))
    assert rows["M02"].count.value() == 1
    with qtbot.wait_signal(terminal.devices.page_scanned, timeout=5000):
        QTest.mouseClick(rows["M02"].scan, Qt.MouseButton.LeftButton)
    qtbot.wait_until(lambda: "scan-001.png" in rows["M02"].attachments.text())  # saved on the intake worker
    assert "遗失声明" in form.missing.text()
    shot(window, "03_form_filled")

    with qtbot.wait_signal(terminal.intake.case_submitted, timeout=5000) as blocker:
        QTest.keyClick(window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    case = blocker.args[0]
    assert case.state is CaseState.RECEIVED
    assert [m.requirement_code for m in case.missing_materials] == ["M03"]
    assert s.views.currentWidget() is s.result
    assert s.result.number.text() == format_grouped(case.case_no)
    assert "遗失声明" in s.result.details.text()
    qtbot.wait_until(lambda: ".pdf" in s.result.print_state.text(), timeout=20000)
    shot(window, "04_submitted")

    QTest.keyClick(window, Qt.Key.Key_F3)
    today = s.today_page
    assert s.views.currentWidget() is today
    assert today.table.rowCount() == 1
    assert today.table.item(0, 0).text() == format_grouped(case.case_no)
    assert today.table.item(0, 2).text() == "欧阳**"
    assert pii_samples.ID_NUMBER not in today.detail.toPlainText()
    QTest.keyClicks(today.search, case.case_no[-7:])
    assert today.table.rowCount() == 1
    shot(window, "05_today")
    today.search.clear()
    QTest.keyClicks(today.search, "0000000000")
    assert today.table.rowCount() == 0


def test_submit_refused_lists_fields_and_focuses_the_first(
    gui_app: QApplication, qtbot: QtBot, terminal: Terminal
) -> None:
    window, flow = open_window(qtbot, terminal)
    sign_in(qtbot, flow)
    flow.choose_item(ITEM)
    form = flow.session.form
    name = form.applicant.fields["applicant.name"]
    type_text(qtbot, name.edit, pii_samples.NAME)
    QTest.keyClick(window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert form.errors.isVisible()
    text = form.errors.text()
    assert "申请人身份证号码" in text and "申请人联系电话" in text and "申请人姓名" not in text
    assert form.applicant.fields["applicant.id_number"].edit.hasFocus()
    assert terminal.store.cases.count() == 0
    # Refusing needs a reason; with one, a 不予收件 record is stored.
    form.refuse.setChecked(True)
    QTest.keyClicks(form.applicant.fields["applicant.id_number"].edit, pii_samples.ID_NUMBER)
    QTest.keyClicks(form.applicant.fields["applicant.phone"].edit, pii_samples.PHONE)
    type_text(qtbot, form.reason, "申请人未携带身份证原件")
    with qtbot.wait_signal(terminal.intake.case_submitted, timeout=5000) as blocker:
        QTest.keyClick(form.reason, Qt.Key.Key_Return)
    assert blocker.args[0].state is CaseState.REFUSED
    shot(window, "06_refused")
    # Nothing printed by itself; the result page offers the 不予收件告知书 and prints it on the clerk's click.
    result = flow.session.result
    assert result.print_refusal.isVisible()
    with qtbot.wait_signal(terminal.receipts.printed, timeout=30_000) as printed:
        result.print_refusal.click()
    text = squash(pdf_text(Path(printed.args[2])))
    assert "不予收件告知书" in text and "申请人未携带身份证原件" in text and "12345" in text
    assert "王晓（工号S0042）" in text.replace(" ", "") or "王晓（工号" in text  # the clerk on record, by name
    assert "收件回执" not in text and "预计办结" not in text and "已收材料" not in text
    assert pii_samples.ID_NUMBER not in text and pii_samples.PHONE not in text


def test_sign_out_keeps_the_draft_and_sign_in_restores_it(
    gui_app: QApplication, qtbot: QtBot, terminal: Terminal
) -> None:
    window, flow = open_window(qtbot, terminal)
    sign_in(qtbot, flow)
    flow.choose_item(ITEM)
    type_text(qtbot, flow.session.form.applicant.fields["applicant.name"].edit, pii_samples.NAME_2)
    QTest.mouseClick(flow.session.sign_out, Qt.MouseButton.LeftButton)
    assert flow.work_area.currentWidget() is flow.sign_in
    assert terminal.store.audit.list(action="signed_out")
    sign_in(qtbot, flow)
    form = flow.session.form
    assert form.banner.isVisible()
    assert form.applicant.fields["applicant.name"].text() == pii_samples.NAME_2
    shot(window, "07_restored")


def test_every_control_has_an_accessible_name(gui_app: QApplication, qtbot: QtBot, terminal: Terminal) -> None:
    from PySide6.QtWidgets import QAbstractButton, QComboBox, QLineEdit, QSpinBox

    window, flow = open_window(qtbot, terminal)
    sign_in(qtbot, flow)
    flow.choose_item(ITEM)
    unnamed = [
        w.objectName() or type(w).__name__
        for w in window.findChildren(QWidget)
        if isinstance(w, QLineEdit | QComboBox | QSpinBox | QAbstractButton)
        and w.isVisibleTo(window)
        and not w.accessibleName()
        and not (isinstance(w, QAbstractButton) and w.text())
        and w.parent() is not None
        and type(w.parent()).__name__ not in {"QSpinBox", "QComboBox", "QLineEdit"}  # Qt-internal parts
    ]
    assert unnamed == []


def _answer_next_dialog(button: QMessageBox.StandardButton) -> list[str]:
    """Click `button` in the next modal message box; returns its text once it was shown."""
    seen: list[str] = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen.append(box.text())
        box.button(button).click()

    QTimer.singleShot(0, answer)
    return seen


def test_discarding_a_draft_asks_first_and_no_keeps_everything(
    gui_app: QApplication, qtbot: QtBot, terminal: Terminal
) -> None:
    _window, flow = open_window(qtbot, terminal)
    sign_in(qtbot, flow)
    flow.choose_item(ITEM)
    form = flow.session.form
    type_text(qtbot, form.applicant.fields["applicant.name"].edit, pii_samples.NAME_2)
    seen = _answer_next_dialog(QMessageBox.StandardButton.No)
    form.discard.click()  # a slip of the mouse, or Enter on the button after the last Tab
    assert seen, "no confirmation was asked"
    assert form.draft is not None and form.applicant.fields["applicant.name"].text() == pii_samples.NAME_2
    terminal.intake.flush_draft()
    assert terminal.intake.recovered_draft() is not None
    seen = _answer_next_dialog(QMessageBox.StandardButton.Yes)
    form.discard.click()
    assert seen and form.draft is None
    assert terminal.intake.recovered_draft() is None


def test_a_draft_whose_item_was_withdrawn_keeps_the_applicant_for_another_item(
    gui_app: QApplication, qtbot: QtBot, terminal: Terminal
) -> None:
    """A newer catalogue from the platform dropped the item of the case the clerk was typing when the PC died."""
    from app.services.intake import draft_key
    from app.services.intake_form import draft_to_json

    draft = terminal.intake.start(item_code=ITEM)
    draft.applicant.name, draft.applicant.id_number = pii_samples.NAME_2, pii_samples.ID_NUMBER
    payload = draft_to_json(draft)
    payload["item_code"] = "210882999999000"  # no longer in the catalogue
    terminal.intake.discard_draft()
    terminal.store.drafts.put(draft_key(STAFF_NO), payload)
    _window, flow = open_window(qtbot, terminal)
    sign_in(qtbot, flow)
    s = flow.session
    assert s.form_stack.currentWidget() is s.hint
    assert "停用" in s.hint.text()  # the clerk is told why and what to do
    flow.choose_item(ITEM)
    assert s.form.applicant.fields["applicant.name"].text() == pii_samples.NAME_2
    assert s.form.applicant.fields["applicant.id_number"].text() == pii_samples.ID_NUMBER


@pytest.mark.expected_log  # the refused intake is logged as a warning
def test_an_unregistered_terminal_says_so_and_takes_no_case(
    gui_app: QApplication, qtbot: QtBot, tmp_path: Path
) -> None:
    """Issue 11: never enrolled and no terminal code configured — no identity of its own, so no case number."""
    paths = AppPaths(data_dir=tmp_path / "data", config_file=tmp_path / "c.toml", log_dir=tmp_path / "logs")
    term = open_terminal(config=config_from_dict({}), paths=paths)
    try:
        term.staff.add(staff_no=STAFF_NO, display_name="王晓", pin=STAFF_PIN, actor="test")
        window, flow = open_window(qtbot, term)
        assert window.terminal_label.text() == "终端 未注册"
        sign_in(qtbot, flow)
        s = flow.session
        assert s.hint.text().startswith("本终端尚未注册，办件编号无法保证全市唯一，暂不能收件。")
        QTest.keyClicks(s.picker.search, "bdc")
        QTest.keyClick(s.picker.search, Qt.Key.Key_Return)
        assert s.form.draft is None and s.form_stack.currentWidget() is s.hint
        assert s.hint.isVisible()
        shot(window, "20_unregistered_terminal")
        assert term.store.cases.list_recent() == []
    finally:
        term.close()


def test_a_draft_is_given_back_only_to_the_clerk_who_left_it(
    gui_app: QApplication, qtbot: QtBot, terminal: Terminal
) -> None:
    """Issue 11: S0042's unfinished form must not open for S0043 (the case would be recorded under S0043)."""
    terminal.staff.add(staff_no="S0043", display_name="赵敏", pin="135790", actor="test")
    window, flow = open_window(qtbot, terminal)
    sign_in(qtbot, flow)
    s = flow.session
    flow.choose_item(ITEM)
    type_text(qtbot, s.form.applicant.fields["applicant.name"].edit, pii_samples.NAME_2)
    s.form.applicant.fields["applicant.name"].edit.editingFinished.emit()
    s.sign_out.click()  # the draft is saved as S0042's

    page = flow.sign_in
    page.staff_no.setText("S0043")
    page.pin.setText("135790")
    page.submit()
    assert flow.work_area.currentWidget() is s
    assert s.form.draft is None and s.form_stack.currentWidget() is s.hint
    assert terminal.intake.recovered_draft() is None
    shot(window, "21_other_clerk_gets_an_empty_form")
    flow.choose_item(ITEM)  # S0043 starts a case of their own
    assert s.form.applicant.fields["applicant.name"].text() == ""
    s.sign_out.click()

    page.staff_no.setText(STAFF_NO)
    page.pin.setText(STAFF_PIN)
    page.submit()
    assert s.form.draft is not None and s.form.applicant.fields["applicant.name"].text() == pii_samples.NAME_2
    assert s.form.banner.isVisible()


def test_switching_the_applicant_to_an_enterprise_does_not_copy_the_persons_name(
    gui_app: QApplication, qtbot: QtBot, terminal: Terminal
) -> None:
    """Issue 11: the person's name must not turn up as 企业名称 (the enterprise would be registered under it)."""
    _window, flow = open_window(qtbot, terminal)
    sign_in(qtbot, flow)
    flow.choose_item(ITEM)
    form = flow.session.form
    fields = form.applicant.fields
    type_text(qtbot, fields["applicant.name"].edit, pii_samples.NAME)
    assert form.draft is not None
    form.load(form.draft)  # the form is loaded again (a restored draft, another item chosen)
    form.applicant.enterprise.click()
    assert fields["applicant.enterprise_name"].text() == ""
    assert form.draft.applicant.name == ""
    form.applicant.person.click()  # and back: the person's name is still there
    assert fields["applicant.name"].text() == pii_samples.NAME
    assert form.draft.applicant.name == pii_samples.NAME
