"""The counter's 向导式 guide of a 一件事 in the real window (offscreen): choose 新生儿出生一件事, its own question
first (which members), then each member's remaining question once, one per page; the combined list (shared documents
once, each member's own, department and terms) checked against a list written by hand; printed as PDF and shown as a
QR; the consultation rated; then 办理 opens the bundle intake with the answers carried and takes it in.

Screenshots go to tests.shots.shot_dir("guide_bundle_shots")."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from app.domain.models import MaterialStatus
from app.services.terminal import Terminal
from tests import pii_samples
from tests.integration.receipts_support import decode_qr, pdf_text, squash
from tests.shots import shot_dir
from tests.ui.test_intake_flow import open_window, sign_in, terminal_at, type_text
from ui.pages.guide_page import GuidePage

SHOTS = shot_dir("guide_bundle_shots")
BIRTH = "210800YJS001"  # 新生儿出生一件事

#: The situation put to the guide, question by question as it must ask them (hand-written from the catalogue).
SITUATION = (
    ("是否同时为新生儿申领社会保障卡？", "否"),  # the bundle's own question: drops 社会保障卡申领
    ("分娩地点？", "医疗机构外"),
    ("父母双方是否均能到场？", "否"),
    ("父母是否已登记结婚？", "否"),
    ("是否为在校学生？", "否"),
    ("本人办理还是代办？", "代办"),  # one member asks it; asked once
)
#: What the applicant must bring in that situation (hand-written from the catalogue's materials and conditions).
SHARED = ("父母双方居民身份证", "居民户口簿", "出生医学证明")
OWN = {
    "出生医学证明首次签发": ("父亲居民身份证", "分娩医疗机构出具的出生记录", "亲子鉴定证明", "未到场一方的授权委托书"),
    "出生登记": (),  # 结婚证 only when the parents are married; the rest is shared
    "城乡居民基本医疗保险参保登记": ("代办人居民身份证", "授权委托书"),
}
NOT_LISTED = ("结婚证", "学籍证明", "近期免冠彩色证件照片", "社会保障卡申领")


def shot(widget: QWidget, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    QApplication.processEvents()
    assert widget.window().grab().save(str(SHOTS / f"{name}.png"))


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    yield from terminal_at(tmp_path)


def choose(page: GuidePage, option: str) -> None:
    [button] = [b for b in page.option_buttons if b.text() == option]
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)


def test_the_guide_of_a_bundle_asks_each_question_once_and_goes_ahead_into_the_bundle_intake(
    gui_app: QApplication, qtbot: QtBot, terminal: Terminal, tmp_path: Path
) -> None:
    window, flow = open_window(qtbot, terminal)
    sign_in(qtbot, flow)
    s = flow.session
    QTest.mouseClick(s.picker.bundle_guide_button, Qt.MouseButton.LeftButton)
    page = s.guide_page
    assert s.views.currentWidget() is page and page.pages.currentWidget() is page.bundle_list_page
    names = [b.text() for b in page.bundle_buttons]
    assert "新生儿出生一件事" in names and "退休一件事" in names and len(names) >= 10
    shot(window, "01_bundle_list")
    [birth] = [b for b in page.bundle_buttons if b.text() == "新生儿出生一件事"]
    QTest.mouseClick(birth, Qt.MouseButton.LeftButton)

    asked = []
    for n, (_question, answer) in enumerate(SITUATION):
        assert page.pages.currentWidget() is page.question_page
        asked.append(page.question.text())
        if n == 1:
            shot(window, "02_member_question")
        choose(page, answer)
    assert asked == [q for q, _a in SITUATION]

    assert page.pages.currentWidget() is page.result_page
    listed = page.materials.text()
    shared_part, _sep, members_part = listed.partition("【")
    for name in SHARED:
        assert name in shared_part and listed.count(f"{name}　") == 1  # each shared document once
    blocks = {block.split("】")[0]: block for block in ("【" + members_part).split("【")[1:]}
    assert set(blocks) == set(OWN)
    for member, own in OWN.items():
        lines = [line.split("　")[0].split(". ", 1)[1] for line in blocks[member].splitlines() if ". " in line]
        assert lines == list(own), member
    assert not any(word in listed for word in NOT_LISTED)
    terms = page.terms.text()
    assert "【出生医学证明首次签发】营口市卫生健康委员会" in terms
    assert "【城乡居民基本医疗保险参保登记】营口市医疗保障事务服务中心\n法定时限：20 个工作日" in terms
    assert "承诺时限：即办件（当场办结）" in terms and "收费：不收费" in terms and "送达方式：窗口领取" in terms
    shot(window, "03_bundle_materials")

    # The 一次性告知单 of the bundle as PDF, before any case exists.
    QTest.mouseClick(page.print_button, Qt.MouseButton.LeftButton)
    assert ".pdf" in page.message.text()
    [pdf] = sorted((tmp_path / "pdf").glob(f"guide-{BIRTH}-*.pdf"))
    printed = squash(pdf_text(pdf))
    assert "办事材料一次性告知单" in printed and "新生儿出生一件事" in printed
    assert "亲子鉴定证明" in printed and "共享，只交一次" in printed and "营口市医疗保障事务服务中心" in printed
    assert "结婚证" not in printed and squash(pii_samples.NAME) not in printed

    QTest.mouseClick(page.qr_button, Qt.MouseButton.LeftButton)
    png = tmp_path / "qr.png"
    assert page.qr.pixmap().save(str(png))
    [url] = decode_qr(png)
    assert f"/g/{BIRTH}?" in url and "social_card=" in url and "agent=" in url
    shot(window, "04_bundle_qr")

    with qtbot.wait_signal(terminal.ratings.rating_requested) as rated:
        QTest.mouseClick(page.rate_button, Qt.MouseButton.LeftButton)
    assert rated.args[0].case_no is None and rated.args[0].item_code == BIRTH

    # 办理: the bundle intake opens with the answers (and the agent switch) carried over.
    QTest.mouseClick(page.intake_button, Qt.MouseButton.LeftButton)
    bundle = s.bundle_page
    assert s.views.currentWidget() is bundle
    assert bundle.chooser.currentData() == BIRTH
    assert "本次办理 3 项" in bundle.members_label.text()
    assert {k: b.currentText() for k, b in bundle.question_boxes.items()} == {
        "social_card": "否",
        "birth_place": "医疗机构外",
        "both_parents": "否",
        "parents_married": "否",
        "student": "否",
    }
    assert bundle.applicant.has_agent.isChecked()
    rows = set(bundle.material_boxes)
    assert {"210800200507000/M04", "210800200507000/M05", "210800200202000/M04", "210800200202000/M05"} <= rows
    assert "210811070505000/M04" not in rows and not any(k.startswith("210800200104000") for k in rows)
    shot(window, "05_bundle_intake_from_guide")

    fields = bundle.applicant.fields
    type_text(qtbot, fields["applicant.name"].edit, pii_samples.NAME)
    QTest.keyClicks(fields["applicant.id_number"].edit, pii_samples.ID_NUMBER)
    QTest.keyClicks(fields["applicant.phone"].edit, pii_samples.PHONE)
    agent = bundle.applicant.agent_fields
    type_text(qtbot, agent["agent.name"].edit, pii_samples.NAME_2)
    QTest.keyClicks(agent["agent.id_number"].edit, pii_samples.ID_NUMBER_2)
    QTest.keyClicks(agent["agent.phone"].edit, pii_samples.PHONE_2)
    for box in bundle.material_boxes.values():
        box.setCurrentIndex(box.findData(MaterialStatus.ORIGINAL.value))
    QTest.mouseClick(bundle.submit_button, Qt.MouseButton.LeftButton)
    outcome = bundle.outcome
    assert outcome is not None, bundle.message.text()
    assert [name for _c, name, _n in outcome.members] == list(OWN)
    first = terminal.store.cases.get_by_no(outcome.members[0][2])
    assert first is not None and first.case.agent is not None
    status = {m.name: m.status for m in first.case.materials}
    assert status["亲子鉴定证明"] is MaterialStatus.ORIGINAL
    assert status["未到场一方的授权委托书"] is MaterialStatus.ORIGINAL
    registration = terminal.store.cases.get_by_no(outcome.members[1][2])
    assert registration is not None
    assert {m.name: m.status for m in registration.case.materials}["结婚证"] is MaterialStatus.NOT_APPLICABLE
