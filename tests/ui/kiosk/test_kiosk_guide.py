"""The kiosk's 办事指南 asks the 情形 questions (issues 12 and 17), as a citizen uses it (pytest-qt, real store and
services): one question per page with large buttons, the exact materials for the answers (checked against lists
written by hand from the catalogue), a follow-up question only when it applies, 上一题, the printed list and the QR
for that situation, the 一件事 bundles, 长辈模式 sizes in both orientations, voice, and the idle wipe of the answers.

Screenshots go to tests.shots.shot_dir("kiosk_shots") (guide_q_*)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontInfo
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication
from pytestqt.qtbot import QtBot

from app.services.guide import BundleGuide, Guide
from app.services.terminal import Terminal
from tests.ui.kiosk.support import Kiosk, answer_guide, kiosk_at, open_kiosk_terminal, python_objects, visible_texts
from ui.kiosk.theme import ELDER, STANDARD

MEDICAL = "营口市医疗保障事务服务中心"
RESIDENT_INSURANCE = "城乡居民基本医疗保险参保登记"  # questions: 是否为在校学生？ then 本人办理还是代办？
#: Hand-written from the seed catalogue: the materials for each situation, in catalogue order.
INSURANCE_CASES = {
    ("是", "代办"): ["申请人居民身份证", "居民户口簿或居住证", "学籍证明", "代办人居民身份证", "授权委托书"],
    ("否", "本人办理"): ["申请人居民身份证", "居民户口簿或居住证"],
}
GIFT = "210800070413000"  # 房屋所有权转移登记（赠与）: 有抵押 → 抵押权人能否到场？ (a follow-up)


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    term = open_kiosk_terminal(tmp_path, printer={"kind": "pdf", "pdf_dir": str(tmp_path / "slips")})
    yield term
    QApplication.processEvents()
    term.close()


@pytest.fixture
def kiosk(gui_app: QApplication, qtbot: QtBot, terminal: Terminal) -> Iterator[Kiosk]:
    yield from kiosk_at(qtbot, terminal)


def open_item(kiosk: Kiosk, department: str, name: str) -> None:
    w = kiosk.window
    kiosk.tap(w.home.tiles["guide"])
    guide = w.guide
    while all(b.text() != department for b in guide.departments.buttons if b.isVisible()):
        kiosk.tap(guide.departments.next_button)
    kiosk.tap(next(b for b in guide.departments.buttons if b.text() == department))
    while all(b.text() != name for b in guide.items.buttons if b.isVisible()):
        kiosk.tap(guide.items.next_button)
    kiosk.tap(next(b for b in guide.items.buttons if b.text() == name))


def answer_one(kiosk: Kiosk, option: str) -> None:
    options = kiosk.window.guide.options
    while all(b.text() != option for b in options.buttons if b.isVisible()):
        kiosk.tap(options.next_button)
    kiosk.tap(next(b for b in options.buttons if b.isVisible() and b.text() == option))


def listed_materials(kiosk: Kiosk) -> list[str]:
    text = kiosk.window.guide.detail_text.text()
    block = text.split("【所需材料】\n", 1)[1].split("\n\n", 1)[0]
    return [line.split(". ", 1)[1].split("（", 1)[0] for line in block.splitlines()]


@pytest.mark.parametrize("answers", list(INSURANCE_CASES), ids=["student_agent", "self"])
def test_each_question_on_its_own_page_then_the_exact_materials(
    kiosk: Kiosk, terminal: Terminal, answers: tuple[str, str]
) -> None:
    w = kiosk.window
    guide = w.guide
    open_item(kiosk, MEDICAL, RESIDENT_INSURANCE)
    assert guide.views.currentWidget() is guide.question_view
    assert guide.question_text.text() == "是否为在校学生？"
    assert [b.text() for b in guide.options.buttons if b.isVisible()] == ["是", "否"]
    assert guide.options.buttons[0].accessibleName() == "是"
    kiosk.shot(f"guide_q_first_{answers[0]}")
    kiosk.tap(next(b for b in guide.options.buttons if b.text() == answers[0]))
    assert guide.question_text.text() == "本人办理还是代办？" and "第2题" in guide.question_step.text()
    kiosk.tap(guide.previous_button)  # 上一题 takes the answer back
    assert guide.question_text.text() == "是否为在校学生？"
    answer_guide(kiosk, *answers)

    assert listed_materials(kiosk) == INSURANCE_CASES[answers]
    text = guide.detail_text.text()
    assert f"【您的情形】\n是否为在校学生？ {answers[0]}\n本人办理还是代办？ {answers[1]}" in text
    assert (
        f"【办理部门】\n{MEDICAL}" in text
        and "【办理时限】\n即办件，当场办结" in text
        and "【收费标准】\n不收费" in text
    )
    assert guide.answers == {"student": answers[0], "agent": answers[1]}
    kiosk.shot(f"guide_q_result_{answers[0]}")

    # The printed list is the one for this situation, its QR the same as the screen's.
    with kiosk.qtbot.wait_signal(terminal.kiosk.guide_printed, timeout=30_000):
        kiosk.tap(guide.print_button)
    [pdf] = (Path(terminal.config.printer.pdf_dir)).glob("办事指南-*.pdf")
    printed = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert ("学籍证明" in printed) == (answers[0] == "是") and ("授权委托书" in printed) == (answers[1] == "代办")
    png = pdf.with_suffix("")
    subprocess.run(["pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1", str(pdf), str(png)], check=True)
    [page] = pdf.parent.glob("*.png")
    qr = subprocess.run(["zbarimg", "-q", "--raw", str(page)], capture_output=True, text=True, check=False).stdout
    assert qr.strip() == terminal.kiosk.guide_url("210800200202000", guide.answers)
    assert "student=" in qr and "agent=" in qr

    kiosk.tap(guide.change_button)  # 修改情形: back to the last question
    assert guide.views.currentWidget() is guide.question_view and guide.question_text.text() == "本人办理还是代办？"


def test_a_follow_up_question_only_when_it_applies(kiosk: Kiosk) -> None:
    guide = kiosk.window.guide
    kiosk.tap(kiosk.window.home.tiles["guide"])
    guide.start_guide(GIFT)  # as if found by search
    answer_guide(kiosk, "其他", "非住宅", "否", "已婚")
    without = listed_materials(kiosk)
    assert "抵押权人同意转移的公证意见" not in without and "直系亲属关系证明" not in without
    assert "抵押权人能否到场" not in guide.detail_text.text()
    guide.start_guide(GIFT)
    asked = []
    for answer in ("其他", "非住宅", "是", "否，需要公证", "已婚"):
        asked.append(guide.question_text.text())
        answer_one(kiosk, answer)
    assert "抵押权人能否到场签署同意意见？" in asked
    listed = listed_materials(kiosk)
    assert "抵押权人同意转移的公证意见" in listed and "土地出让合同及出让金缴纳凭证" in listed


def test_a_bundle_is_browsable_and_guided_with_shared_documents_once(kiosk: Kiosk, terminal: Terminal) -> None:
    w = kiosk.window
    guide = w.guide
    kiosk.tap(w.home.tiles["guide"])
    assert guide.bundles_button.accessibleName() == "一件事一次办"
    kiosk.tap(guide.bundles_button)
    assert guide.heading.text() == "办事指南：一件事一次办"
    while all(b.text() != "新生儿出生一件事" for b in guide.items.buttons if b.isVisible()):
        kiosk.tap(guide.items.next_button)
    kiosk.tap(next(b for b in guide.items.buttons if b.text() == "新生儿出生一件事"))
    assert guide.question_text.text() == "是否同时为新生儿申领社会保障卡？"  # the bundle's own question first
    answer_guide(kiosk, "否", "医疗机构外", "否", "否", "否", "代办")
    text = guide.detail_text.text()
    shared = text.split("【共享材料（只交一次）】\n", 1)[1].split("\n\n", 1)[0]
    assert [line.split(". ", 1)[1].split("（", 1)[0] for line in shared.splitlines()] == [
        "父母双方居民身份证",
        "居民户口簿",
        "出生医学证明",
    ]
    assert "【出生医学证明首次签发】\n办理部门：营口市卫生健康委员会" in text and "亲子鉴定证明" in text
    assert "社会保障卡申领" not in text and "结婚证" not in text
    kiosk.shot("guide_q_bundle_result")
    with kiosk.qtbot.wait_signal(terminal.kiosk.guide_printed, timeout=30_000):
        kiosk.tap(guide.print_button)
    [pdf] = Path(terminal.config.printer.pdf_dir).glob("办事指南-210800YJS001-*.pdf")
    printed = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "共享，只交一次" in printed and "亲子鉴定证明" in printed and "结婚证" not in printed
    kiosk.tap(guide.back_button)
    assert guide.views.currentWidget() is guide.items


@pytest.mark.parametrize("size", [(1080, 1920), (1920, 1080)], ids=["portrait", "landscape"])
def test_question_pages_in_both_modes_have_large_targets_and_fewer_choices_for_elders(
    gui_app: QApplication, qtbot: QtBot, terminal: Terminal, size: tuple[int, int]
) -> None:
    for kiosk in kiosk_at(qtbot, terminal, size=size):
        w = kiosk.window
        orientation = "portrait" if size[1] > size[0] else "landscape"
        for elder in (False, True):
            if elder:
                w.go_home()
                kiosk.tap(w.home.elder_switch)
            guide = w.guide
            kiosk.tap(w.home.tiles["guide"])
            guide.start_guide(GIFT)
            for option in ("其他", "非住宅", "是"):
                answer_one(kiosk, option)
            assert guide.question_text.text() == "抵押权人能否到场签署同意意见？"
            for button in [b for b in w.findChildren(QAbstractButton) if b.isVisible()]:
                assert button.width() >= 60 and button.height() >= 60, (button.objectName(), button.size())
            sizes = ELDER if elder else STANDARD
            assert QFontInfo(guide.question_text.font()).pixelSize() == sizes.title_px
            assert QFontInfo(guide.options.buttons[0].font()).pixelSize() >= sizes.body_px
            assert guide.options.page_size == (
                sizes.list_page if orientation == "landscape" else sizes.list_page * 5 // 3
            )
            kiosk.shot(f"guide_q_{orientation}_{'elder' if elder else 'standard'}")
            answer_guide(kiosk)
            kiosk.shot(f"guide_q_detail_{orientation}_{'elder' if elder else 'standard'}")


def test_voice_reads_each_question_then_the_focused_choice_and_the_keyboard_answers(kiosk: Kiosk) -> None:
    w = kiosk.window
    kiosk.tap(w.mute_button)  # voice on
    open_item(kiosk, MEDICAL, RESIDENT_INSURANCE)
    assert w.voice.spoken[-2:] == ["是否为在校学生？", "是"]
    kiosk.tap(w.guide.options.buttons[1])  # 否
    assert w.voice.spoken[-2:] == ["本人办理还是代办？", "本人办理"]
    # By keyboard alone: the focus is on the first choice; Tab to the next, Enter answers.
    assert QApplication.focusWidget() is w.guide.options.buttons[0]
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is w.guide.options.buttons[1]
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)  # 代办
    assert w.guide.views.currentWidget() is w.guide.detail and w.guide.answers["agent"] == "代办"
    assert QApplication.focusWidget() is w.guide.print_button


def test_the_idle_wipe_clears_the_answers_from_the_widgets_and_the_kiosks_objects(
    kiosk: Kiosk, terminal: Terminal
) -> None:
    w = kiosk.window
    guide = w.guide
    open_item(kiosk, MEDICAL, RESIDENT_INSURANCE)
    answer_guide(kiosk, "是", "代办")
    roots = (w, w.voice, w.idle, terminal.kiosk, w.all_pages)

    def held_guides() -> list[object]:
        return [o for o in python_objects(*roots) if isinstance(o, (Guide, BundleGuide))]

    def held_answers() -> list[object]:
        return [o for o in python_objects(*roots) if isinstance(o, dict) and o.get("student") == "是"]

    assert held_guides() and held_answers()  # the checks below can see what they look for
    assert "【您的情形】" in "\n".join(visible_texts(w))

    kiosk.mono.advance(w.idle.idle_seconds + 1)
    w.idle.tick()
    assert w.current_page() is w.home
    assert guide.answers == {}
    assert held_guides() == [] and held_answers() == []
    shown = "\n".join(visible_texts(w))
    assert "【您的情形】" not in shown and "是否为在校学生？" not in shown and "学籍证明" not in shown
