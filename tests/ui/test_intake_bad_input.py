"""Bad input at the counter: each gets a clear message, nothing entered is lost, nothing half-stored."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.devices.id_card import IdCardErrorKind, SimulatedIdCardReader
from app.domain.models import ApplicantKind, MaterialStatus
from app.services.terminal import Terminal
from tests import pii_samples
from tests.integration.intake_support import STAFF_NO
from tests.ui.test_intake_flow import ITEM, open_window, shot, sign_in, terminal_at, type_text

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    yield from terminal_at(tmp_path)


def test_renamed_executable_is_refused_with_a_message(
    gui_app: QApplication, qtbot: QtBot, terminal: Terminal, tmp_path: Path
) -> None:
    window, flow = open_window(qtbot, terminal)
    sign_in(qtbot, flow)
    flow.choose_item(ITEM)
    form = flow.session.form
    type_text(qtbot, form.applicant.fields["applicant.name"].edit, pii_samples.NAME)
    exe = tmp_path / "身份证.pdf"
    exe.write_bytes(b"MZ\x90\x00\x03" + b"\x00" * 200)
    row = form.materials.rows["M02"]
    with qtbot.wait_signal(terminal.intake.attach_finished):
        form.attach_file("M02", exe)
    assert row.error.isVisible()
    assert "PDF、JPEG或PNG" in row.error.text()
    assert form.draft is not None and form.draft.material("M02").attachments == []  # type: ignore[union-attr]
    assert form.applicant.fields["applicant.name"].text() == pii_samples.NAME  # nothing entered is lost
    assert terminal.store.db.conn.execute("SELECT count(*) FROM attachments").fetchone()[0] == 0
    good = tmp_path / "scan.pdf"
    good.write_bytes(PDF)
    with qtbot.wait_signal(terminal.intake.attach_finished):
        form.attach_file("M02", good)
    assert not row.error.isVisible()
    assert "scan.pdf" in form.materials.rows["M02"].attachments.text()
    shot(window, "08_bad_attachment")


def test_card_reader_trouble_is_explained_and_manual_entry_goes_on(
    gui_app: QApplication, qtbot: QtBot, terminal: Terminal
) -> None:
    terminal.devices.id_card = SimulatedIdCardReader(error=IdCardErrorKind.NO_CARD)
    window, flow = open_window(qtbot, terminal)
    sign_in(qtbot, flow)
    flow.choose_item(ITEM)
    form = flow.session.form
    with qtbot.wait_signal(terminal.devices.card_failed, timeout=5000):
        QTest.keyClick(window, Qt.Key.Key_F5)
    assert form.applicant.card_message.isVisible()
    assert "未检测到身份证" in form.applicant.card_message.text()
    terminal.devices.id_card = SimulatedIdCardReader(delay=5.0)
    terminal.devices.card_timeout = 0.1
    with qtbot.wait_signal(terminal.devices.card_failed, timeout=5000):
        QTest.mouseClick(form.applicant.read_card, Qt.MouseButton.LeftButton)
    assert "读卡超时" in form.applicant.card_message.text()
    # Leaving the empty name field for the card button is not an error yet.
    assert not form.applicant.fields["applicant.name"].error.isVisible()
    shot(window, "09_card_error")


def test_agent_switch_and_enterprise_applicant(gui_app: QApplication, qtbot: QtBot, terminal: Terminal) -> None:
    window, flow = open_window(qtbot, terminal)
    sign_in(qtbot, flow)
    flow.choose_item(ITEM)
    form = flow.session.form
    assert form.draft is not None
    agent_row = form.materials.rows["M04"]  # 代理人居民身份证: only with an agent
    assert agent_row.status.currentData() == MaterialStatus.NOT_APPLICABLE.value
    form.applicant.has_agent.setChecked(True)
    assert form.applicant.agent_box.isVisible()
    assert agent_row.status.currentData() == MaterialStatus.MISSING.value
    assert "代理人居民身份证" in form.missing.text()
    form.applicant.has_agent.setChecked(False)
    assert agent_row.status.currentData() == MaterialStatus.NOT_APPLICABLE.value

    form.applicant.enterprise.setChecked(True)
    assert form.draft.applicant.kind is ApplicantKind.ENTERPRISE
    assert form.applicant.fields["applicant.credit_code"].isVisible()
    assert not form.applicant.fields["applicant.id_number"].isVisible()
    code = form.applicant.fields["applicant.credit_code"]
    QTest.keyClicks(code.edit, pii_samples.CREDIT_CODE[:-1] + "0")  # wrong check character
    code.check()
    assert code.error.isVisible()
    with qtbot.wait_signal(terminal.intake.draft_saved, timeout=3000):
        pass  # every change autosaves (debounced)
    saved = terminal.intake.recovered_draft()
    assert saved is not None and saved.applicant.kind is ApplicantKind.ENTERPRISE
    shot(window, "10_enterprise")


def test_idle_sign_out_saves_the_draft_and_shows_sign_in(
    gui_app: QApplication, qtbot: QtBot, terminal: Terminal
) -> None:
    window, flow = open_window(qtbot, terminal)
    sign_in(qtbot, flow)
    QTest.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)  # Ctrl+F: search box
    assert flow.session.picker.search.hasFocus()
    flow.choose_item(ITEM)
    type_text(qtbot, flow.session.form.applicant.fields["applicant.name"].edit, pii_samples.NAME)
    terminal.staff.set_idle_timeout(minutes=0.002)  # 120 ms
    with qtbot.wait_signal(terminal.staff.signed_out, timeout=5000):
        pass
    assert flow.work_area.currentWidget() is flow.sign_in
    assert flow.sign_in.notice.isVisible() and "草稿已保存" in flow.sign_in.notice.text()
    assert terminal.intake.recovered_draft() is None  # nobody is signed in: no draft is handed out
    terminal.intake.set_clerk(STAFF_NO)  # the clerk's own draft (issue 11: drafts belong to their clerk)
    saved = terminal.intake.recovered_draft()
    assert saved is not None and saved.applicant.name == pii_samples.NAME
    shot(window, "11_idle_signed_out")


def test_today_list_filters_by_state_and_follows_platform_updates(
    gui_app: QApplication, qtbot: QtBot, terminal: Terminal
) -> None:
    from app.domain.models import CaseState
    from app.services.intake import Decision
    from tests.integration.intake_support import fill_person, receive_all

    window, flow = open_window(qtbot, terminal)
    sign_in(qtbot, flow)
    intake = terminal.intake
    received = intake.submit(draft=receive_all(fill_person(intake.start(item_code=ITEM))), staff_no="S0042").case
    intake.submit(
        draft=fill_person(intake.start(item_code=ITEM)),
        staff_no="S0042",
        decision=Decision.REFUSE,
        refusal_reason="材料不全",
    )
    QTest.keyClick(window, Qt.Key.Key_F3)
    today = flow.session.today_page
    assert today.table.rowCount() == 2
    today.state.setCurrentIndex(today.state.findData(CaseState.REFUSED.value))
    assert today.table.rowCount() == 1 and today.table.item(0, 4).text() == "不予收件"
    today.state.setCurrentIndex(0)
    # The platform says the department accepted the first case (the sync engine applies it, then notifies).
    assert terminal.store.cases.apply_platform_update(received.case_no, state=CaseState.ACCEPTED, actor="platform")
    terminal.case_list.notify_changed()
    states = {today.table.item(i, 0).text(): today.table.item(i, 4).text() for i in range(today.table.rowCount())}
    assert "已受理" in states.values()


def test_tracking_number_of_mailed_originals_is_entered_later(
    gui_app: QApplication, qtbot: QtBot, terminal: Terminal
) -> None:
    from app.domain.models import OriginalsHandling
    from tests.integration.intake_support import fill_person, receive_all

    window, flow = open_window(qtbot, terminal)
    sign_in(qtbot, flow)
    draft = receive_all(fill_person(terminal.intake.start(item_code=ITEM)))
    draft.originals = OriginalsHandling.MAIL_ORIGINALS
    case = terminal.intake.submit(draft=draft, staff_no="S0042").case
    depth = terminal.store.outbox.depth()
    QTest.keyClick(window, Qt.Key.Key_F3)
    today = flow.session.today_page
    assert today.tracking_box.isVisible()
    today.record_tracking()  # empty: refused with the reason
    assert "请输入原件邮寄单号" in today.tracking_message.text()
    QTest.keyClicks(today.tracking, "EMS1234567890CN")
    QTest.keyClick(today.tracking, Qt.Key.Key_Return)
    stored = terminal.store.cases.get_by_no(case.case_no)
    assert stored is not None and stored.case.routing.tracking_no == "EMS1234567890CN"
    assert terminal.store.outbox.depth() == depth + 1  # an event record that syncs
    assert "EMS1234567890CN" in today.detail.toPlainText()
    shot(window, "12_tracking_no")


def test_tab_follows_the_form_top_to_bottom(gui_app: QApplication, qtbot: QtBot, terminal: Terminal) -> None:
    _window, flow = open_window(qtbot, terminal)
    sign_in(qtbot, flow)
    flow.choose_item(ITEM)
    flow.session.form.applicant.fields["applicant.name"].edit.setFocus()
    order = []
    for _ in range(8):
        widget = QApplication.focusWidget()
        assert widget is not None
        order.append(widget.objectName())
        QTest.keyClick(widget, Qt.Key.Key_Tab)
    assert order == [
        "edit_applicant_name",
        "edit_applicant_id_number",
        "edit_applicant_phone",
        "edit_applicant_address",
        "has_agent",
        "status_M01",  # materials come before routing, as on screen
        "note_M01",
        "attach_M01",
    ]
