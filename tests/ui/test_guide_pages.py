"""The counter's 向导式 guide in the real window (offscreen): one question per page, back a step, the exact list,
printed as PDF and shown as a QR, a consultation rated, then intake with the answers carried over.

Screenshots go to tests.shots.shot_dir("guide_shots")."""

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
from tests.integration.receipts_support import decode_qr, pdf_text, squash
from tests.shots import shot_dir
from tests.ui.test_intake_flow import open_window, sign_in, terminal_at
from ui.pages.guide_page import GuidePage

SHOTS = shot_dir("guide_shots")
GIFT = "210800070413000"  # 房屋所有权转移登记（赠与）


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


def test_the_guide_asks_one_question_per_page_and_carries_the_answers_into_intake(
    gui_app: QApplication, qtbot: QtBot, terminal: Terminal, tmp_path: Path
) -> None:
    window, flow = open_window(qtbot, terminal)
    sign_in(qtbot, flow)
    s = flow.session
    QTest.keyClicks(s.picker.search, GIFT)
    qtbot.wait_until(lambda: s.picker.current_item() is not None)
    QTest.keyClick(window, Qt.Key.Key_F4)
    page = s.guide_page
    assert s.views.currentWidget() is page
    assert page.pages.currentWidget() is page.question_page
    assert page.question.text() == "受赠人与赠与人的关系？"
    assert not page.back.isEnabled()
    shot(window, "01_first_question")

    choose(page, "直系亲属")
    assert page.question.text() == "房屋类型？"
    QTest.mouseClick(page.back, Qt.MouseButton.LeftButton)  # 上一题: the answer is taken back
    assert page.question.text() == "受赠人与赠与人的关系？"
    choose(page, "其他")
    choose(page, "非住宅")
    choose(page, "是")
    assert page.question.text() == "抵押权人能否到场签署同意意见？"  # the follow-up of 有抵押
    shot(window, "02_follow_up")
    choose(page, "否，需要公证")
    choose(page, "已婚")

    assert page.pages.currentWidget() is page.result_page
    listed = page.materials.text()
    assert "抵押权人同意转移的公证意见" in listed and "土地出让合同及出让金缴纳凭证" in listed
    assert "直系亲属关系证明" not in listed
    assert "法定时限：30 个工作日" in page.terms.text() and "承诺时限：5 个工作日" in page.terms.text()
    assert "80 元" in page.terms.text()
    shot(window, "03_materials")

    # The 一次性告知单 as PDF (this terminal's printer is PDF).
    QTest.mouseClick(page.print_button, Qt.MouseButton.LeftButton)
    assert ".pdf" in page.message.text()
    [pdf] = sorted((tmp_path / "pdf").glob(f"guide-{GIFT}-*.pdf"))
    text = squash(pdf_text(pdf))
    assert "办事材料一次性告知单" in text and "抵押权人同意转移的公证意见" in text

    # A QR for a phone: it opens the same item and answers.
    QTest.mouseClick(page.qr_button, Qt.MouseButton.LeftButton)
    assert page.qr.isVisible()
    png = tmp_path / "qr.png"
    assert page.qr.pixmap().save(str(png))
    [url] = decode_qr(png)
    assert f"/g/{GIFT}?" in url and "mortgaged=" in url
    shot(window, "04_qr")

    # A consultation is rated like any service act (no case number).
    with qtbot.wait_signal(terminal.ratings.rating_requested) as asked:
        QTest.mouseClick(page.rate_button, Qt.MouseButton.LeftButton)
    prompt = asked.args[0]
    assert prompt.case_no is None and prompt.item_code == GIFT

    # Go ahead: the form opens with the answers, so the materials start as the guide listed them.
    QTest.mouseClick(page.intake_button, Qt.MouseButton.LeftButton)
    assert s.views.currentWidget() is s.intake_view
    draft = s.form.draft
    assert draft is not None and draft.item_code == GIFT
    assert draft.answers["mortgaged"] == "是" and draft.answers["mortgagee_consent"] == "否，需要公证"
    item = terminal.intake.item(GIFT)
    assert item is not None
    status = {req.name: draft.material(req.code).status for req in item.materials}  # type: ignore[union-attr]
    assert status["直系亲属关系证明"] is MaterialStatus.NOT_APPLICABLE
    assert status["抵押权人同意转移的公证意见"] is MaterialStatus.MISSING
    assert status["结婚证"] is MaterialStatus.MISSING
    shot(window, "05_intake_with_answers")


def test_leaving_the_guide_goes_back_to_the_item_list(gui_app: QApplication, qtbot: QtBot, terminal: Terminal) -> None:
    _window, flow = open_window(qtbot, terminal)
    sign_in(qtbot, flow)
    s = flow.session
    QTest.keyClicks(s.picker.search, GIFT)
    qtbot.wait_until(lambda: s.picker.current_item() is not None)
    QTest.mouseClick(s.picker.guide_button, Qt.MouseButton.LeftButton)
    assert s.views.currentWidget() is s.guide_page
    QTest.mouseClick(s.guide_page.cancel, Qt.MouseButton.LeftButton)
    assert s.views.currentWidget() is s.intake_view
    assert s.form.draft is None  # a consultation opens no case
