"""Scans on the counter's 一件事 page (issue 17): a shared document scanned once lands on every member case that
receives that document, a member's own document scanned with the document camera lands on that member's case;
the scans are saved on the intake service's worker as on the item form and never touch the clerk's item draft
(nor does the camera's page for the bundle land on the item form too). Also: the agent switch brings each member's
agent papers, whatever words the member uses for 代办.

Screenshots go to tests.shots.shot_dir("bundle_shots")."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.domain.models import MaterialStatus
from app.services.terminal import Terminal
from tests import pii_samples
from tests.shots import shot_dir
from tests.ui.test_intake_flow import ITEM, open_window, sign_in, terminal_at, type_text

SHOTS = shot_dir("bundle_shots")
#: S03 出生医学证明 stands for 出生登记 M01, 医保参保 M01 and 社保卡申领 M01 (seed catalogue).
SHARED_KEY = "S03"
COVERED = {"出生登记": "M01", "城乡居民基本医疗保险参保登记": "M01", "社会保障卡申领": "M01"}
OWN_KEY = "210800200507000/M02"  # 出生医学证明首次签发 · 父亲居民身份证


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    yield from terminal_at(tmp_path)


def test_a_scan_on_the_bundle_page_is_on_every_member_case_that_receives_the_document(
    gui_app: QApplication, qtbot: QtBot, terminal: Terminal, tmp_path: Path
) -> None:
    window, flow = open_window(qtbot, terminal)
    sign_in(qtbot, flow)
    s = flow.session
    # A case in progress on the item form, with a camera scan of its own: the bundle page must leave it alone.
    flow.choose_item(ITEM)
    form_row = s.form.materials.rows["M02"]
    form_row.status.setCurrentIndex(form_row.status.findData(MaterialStatus.COPY.value))
    QApplication.processEvents()  # the form finishes loading the draft (posted events) before the clerk taps
    with qtbot.wait_signal(terminal.intake.attach_finished):
        QTest.mouseClick(form_row.scan, Qt.MouseButton.LeftButton)
    item_draft = s.form.draft
    assert item_draft is not None
    item_scans = {m.code: [a.sha256 for a in m.attachments] for m in item_draft.materials}
    assert item_scans["M02"]
    QTest.mouseClick(s.picker.bundle_button, Qt.MouseButton.LeftButton)
    page = s.bundle_page
    assert page.chooser.currentText() == "新生儿出生一件事"

    pdf = tmp_path / "出生医学证明.pdf"
    pdf.write_bytes(b"%PDF-1.4 birth certificate scan " * 64)
    with qtbot.wait_signal(terminal.intake.attach_finished) as done:
        page.attach_file(SHARED_KEY, pdf)
    assert done.args[0].attachment is not None, done.args[0].message
    assert "出生医学证明.pdf" in page.scan_labels[SHARED_KEY].text()

    attach, scan = page.scan_buttons[OWN_KEY]
    assert attach.accessibleName() and scan.accessibleName()
    with qtbot.wait_signal(terminal.intake.attach_finished) as camera:
        QTest.mouseClick(scan, Qt.MouseButton.LeftButton)
    camera_scan = camera.args[0].attachment
    assert camera_scan is not None and camera_scan.media_type == "image/png"
    assert "KB" in page.scan_labels[OWN_KEY].text()
    # The camera's page went to the bundle row only, not also to the item form's row scanned before.
    assert {m.code: [a.sha256 for a in m.attachments] for m in item_draft.materials} == item_scans

    fields = page.applicant.fields
    type_text(qtbot, fields["applicant.name"].edit, pii_samples.NAME)
    QTest.keyClicks(fields["applicant.id_number"].edit, pii_samples.ID_NUMBER)
    QTest.keyClicks(fields["applicant.phone"].edit, pii_samples.PHONE)
    for key in ("S01", "S02", "S03", OWN_KEY):
        box = page.material_boxes[key]
        box.setCurrentIndex(box.findData(MaterialStatus.ORIGINAL.value))
    page.resize(page.width(), 900)
    QApplication.processEvents()
    assert window.grab().save(str(SHOTS / "03_bundle_with_scans.png"))

    QTest.mouseClick(page.submit_button, Qt.MouseButton.LeftButton)
    outcome = page.outcome
    assert outcome is not None, page.message.text()
    cases = {name: terminal.store.cases.get_by_no(number) for _c, name, number in outcome.members}
    shared_sha = hashlib.sha256(pdf.read_bytes()).hexdigest()
    for name, stored in cases.items():
        assert stored is not None
        scans = {m.requirement_code: [a.sha256 for a in m.attachments] for m in stored.case.materials}
        if name in COVERED:
            assert scans[COVERED[name]] == [shared_sha], name  # the shared scan, once, on each member receiving it
        else:
            assert shared_sha not in {sha for shas in scans.values() for sha in shas}
    first = cases["出生医学证明首次签发"]
    assert first is not None
    assert {m.name: [a.sha256 for a in m.attachments] for m in first.case.materials}["父亲居民身份证"] == [
        camera_scan.sha256
    ]
    assert terminal.store.blobs.read(shared_sha) == pdf.read_bytes()  # stored once, readable
    terminal.intake.flush_draft()
    saved = terminal.intake.recovered_draft()  # the clerk's item draft is still the item's: never the page's scans
    assert saved is not None and saved.item_code == ITEM
    assert {m.code: [a.sha256 for a in m.attachments] for m in saved.materials} == item_scans


def test_the_agent_switch_brings_each_members_agent_papers_in_its_own_words(
    gui_app: QApplication, qtbot: QtBot, terminal: Terminal
) -> None:
    """企业开办一件事: 有限责任公司设立登记 words its agent answer 委托代理人, the other members 代办; with an agent,
    each member's agent papers are rows to mark (hand-written from the catalogue)."""
    _window, flow = open_window(qtbot, terminal)
    sign_in(qtbot, flow)
    page = flow.session.bundle_page
    flow.open_bundle()
    page.start("210800YJS002")
    assert "210800010604000/M06" not in page.material_boxes
    page.applicant.has_agent.setChecked(True)
    rows = set(page.material_boxes)
    assert {"210800010604000/M06", "210800010604000/M07"} <= rows  # 委托代理人身份证件, 授权委托书（加盖公章）
    assert {"210800100607000/M04", "210800100607000/M05"} <= rows  # 公章刻制备案 · 代办人居民身份证, 授权委托书
