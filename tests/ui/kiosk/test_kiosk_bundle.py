"""进度查询 by a 一件事's own (parent) number on a kiosk without a platform: the local copy from the `bundles` row and
its member cases (typed with the last 4 of the applicant's ID number, or the bundle receipt's QR scanned), one block
per member department, in both modes and both orientations; a wrong check shows nothing; the bundle is rated
once under its own number."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QFontInfo
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication
from pytestqt.qtbot import QtBot

from app.domain.models import CaseState, RatingChannel, RatingLevel
from app.services.kiosk import NOT_FOUND_MESSAGE, TOO_MANY_CHECKS_MESSAGE
from app.services.terminal import Terminal
from tests import pii_samples
from tests.ui.kiosk.support import BUNDLE_MEMBERS, Kiosk, kiosk_at, open_kiosk_terminal, save_bundle, visible_texts
from ui.kiosk.theme import ELDER, STANDARD

TAIL = pii_samples.ID_NUMBER[-4:]


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    term = open_kiosk_terminal(tmp_path)
    yield term
    QApplication.processEvents()
    term.close()


@pytest.fixture
def kiosk(gui_app: QApplication, qtbot: QtBot, terminal: Terminal) -> Iterator[Kiosk]:
    yield from kiosk_at(qtbot, terminal)


def _query(kiosk: Kiosk, number: str, tail: str) -> None:
    w = kiosk.window
    w.go_home()
    kiosk.tap(w.home.tiles["progress"])
    kiosk.tap_keys(w.progress.pad, number)
    kiosk.tap(w.progress.tail_field)
    kiosk.tap_keys(w.progress.pad, tail)
    kiosk.tap(w.progress.query_button)


def _blocks(kiosk: Kiosk) -> list[str]:
    """The member blocks on screen, as text."""
    return [
        "\n".join(lbl.text() for lbl in (b.item, b.department, b.number, b.state, b.due, b.history) if lbl.isVisible())
        for b in kiosk.window.progress.member_blocks
        if b.isVisible()
    ]


def _private(saved: object) -> list[str]:
    members = [m.case.case_no for m in saved.members]  # type: ignore[attr-defined]
    return [pii_samples.NAME, pii_samples.ID_NUMBER, pii_samples.PHONE, *members]


def test_a_parent_number_shows_every_member_from_the_local_copy(kiosk: Kiosk, terminal: Terminal) -> None:
    saved = save_bundle(terminal)
    parent = saved.parent.case_no
    members = [m.case.case_no for m in saved.members]
    terminal.store.cases.apply_platform_update(members[1], state=CaseState.ACCEPTED, actor="platform")
    terminal.store.cases.apply_platform_update(members[2], state=CaseState.COMPLETED, actor="platform")
    w = kiosk.window

    _query(kiosk, parent, TAIL)
    assert w.progress.views.currentWidget() is w.progress.result
    assert "新生儿出生一件事" in w.progress.result_item.text()
    assert w.progress.result_state.text() == "当前状态：5项中已办结1项"
    assert "一件事办件编号" in w.progress.result_case.text()
    assert "本机记录" in w.progress.result_source.text()  # no platform: the local copy, and it says so
    blocks = _blocks(kiosk)
    assert len(blocks) == 4 and w.progress.members_page.text() == "第1至4项，共5项"
    for block, (_code, name, dept), number in zip(blocks, BUNDLE_MEMBERS, members, strict=False):
        assert name in block and f"办理部门：{dept}" in block and f"{number[:6]}****{number[-4:]}" in block
        assert "办理经过：" in block and "已收件" in block
    assert "当前状态：已受理" in blocks[1] and "承诺办结：2026年12月9日" in blocks[1]
    assert "当前状态：已办结" in blocks[2] and "承诺办结" not in blocks[2]  # done: no date to wait for
    assert "已收件 → " in blocks[1] and "已受理" in blocks[1]  # its history summary
    kiosk.shot("progress_bundle_portrait_standard")

    kiosk.tap(w.progress.members_next)
    assert len(_blocks(kiosk)) == 1 and BUNDLE_MEMBERS[4][1] in _blocks(kiosk)[0]
    assert not w.progress.members_next.isEnabled() and w.progress.members_prev.isEnabled()
    kiosk.tap(w.progress.members_prev)
    assert BUNDLE_MEMBERS[0][1] in _blocks(kiosk)[0]
    shown = "\n".join(visible_texts(w))
    for value in _private(saved):
        assert value not in shown
    assert not w.progress.reprint_button.isVisible()  # a bundle's receipt: through 补打回执 after the card
    assert w.progress.rate_button.isVisible() and w.progress.rate_button.text() == "评价这件事"


def test_a_wrong_check_of_a_parent_number_shows_nothing(kiosk: Kiosk, terminal: Terminal) -> None:
    saved = save_bundle(terminal)
    w = kiosk.window
    _query(kiosk, saved.parent.case_no, "1234")
    assert w.progress.views.currentWidget() is w.progress.entry
    assert w.progress.message.text() == NOT_FOUND_MESSAGE
    assert not any(b.isVisible() for b in w.progress.member_blocks)
    assert "新生儿出生一件事" not in "\n".join(visible_texts(w))


def test_the_bundle_receipts_qr_opens_the_bundle(kiosk: Kiosk, terminal: Terminal) -> None:
    saved = save_bundle(terminal, members=3)
    w = kiosk.window
    kiosk.tap(w.home.tiles["guide"])
    kiosk.scan(f"https://zwfw.yingkou.gov.cn/tb/c/{saved.parent.case_no}")
    assert w.current_page() is w.progress
    assert w.progress.views.currentWidget() is w.progress.result
    assert w.progress.result_state.text() == "当前状态：3项中已办结0项"
    assert len(_blocks(kiosk)) == 3 and not w.progress.members_next.isVisible()  # one page: no paging
    # The idle wipe leaves nothing of it.
    w.wipe()
    assert not any(b.isVisible() or b.item.text() for b in w.progress.member_blocks)


def test_the_bundle_is_rated_once_under_its_own_number(kiosk: Kiosk, terminal: Terminal, qtbot: QtBot) -> None:
    saved = save_bundle(terminal, members=2)
    parent = saved.parent.case_no
    w = kiosk.window
    kiosk.tap(w.home.tiles["rating"])
    kiosk.tap_keys(w.progress.pad, parent)
    kiosk.tap(w.progress.tail_field)
    kiosk.tap_keys(w.progress.pad, TAIL)
    with qtbot.wait_signal(terminal.ratings.rating_requested):
        kiosk.tap(w.progress.query_button)
    assert w.current_page() is w.rating
    assert "新生儿出生一件事" in "\n".join(visible_texts(w.rating))
    with qtbot.wait_signal(terminal.ratings.rating_saved):
        kiosk.tap(w.rating.level_page.buttons[RatingLevel.VERY_SATISFIED])
    stored = terminal.store.ratings.for_case(parent)
    assert len(stored) == 1 and stored[0].channel is RatingChannel.KIOSK
    _query(kiosk, saved.members[1].case.case_no, TAIL)  # a member's number: the same matter, already rated
    kiosk.tap(w.progress.rate_button)
    assert "已评价" in w.progress.result_message.text()


@pytest.mark.parametrize("size", [(1080, 1920), (1920, 1080)], ids=["portrait", "landscape"])
def test_the_bundle_fits_in_both_modes_with_large_targets(
    gui_app: QApplication, qtbot: QtBot, terminal: Terminal, size: tuple[int, int]
) -> None:
    saved = save_bundle(terminal)
    orientation = "portrait" if size[1] > size[0] else "landscape"
    for kiosk in kiosk_at(qtbot, terminal, size=size):
        w = kiosk.window
        for elder in (False, True):
            if elder:
                w.go_home()
                kiosk.tap(w.home.elder_switch)
                assert w.elder
            _query(kiosk, saved.parent.case_no, TAIL)
            kiosk.shot(f"progress_bundle_{orientation}_{'elder' if elder else 'standard'}")
            per_page = (3 if orientation == "portrait" else 2) if elder else 4
            assert len(_blocks(kiosk)) == per_page
            assert w.size().width() == size[0] and w.size().height() == size[1]  # the page fits the screen
            for block in w.progress.member_blocks:
                if block.isVisible():
                    assert w.rect().contains(QRect(block.mapTo(w, QPoint(0, 0)), block.size()))  # on screen
                    assert block.accessibleName().startswith("第")
                    px = QFontInfo(block.department.font()).pixelSize()
                    assert px == (ELDER.body_px if elder else STANDARD.body_px)
            for button in (b for b in w.findChildren(QAbstractButton) if b.isVisible()):
                assert button.width() >= 60 and button.height() >= 60, button.objectName()
            for button in (w.progress.members_prev, w.progress.members_next, w.progress.rate_button):
                assert button.accessibleName() and all("\u4e00" <= c <= "\u9fff" for c in button.accessibleName())


def test_the_members_pages_turn_by_keyboard_alone(kiosk: Kiosk, terminal: Terminal) -> None:
    saved = save_bundle(terminal)
    w = kiosk.window
    _query(kiosk, saved.parent.case_no, TAIL)
    for _ in range(40):  # Tab from the focused 评价这件事 round to 下一页
        if QApplication.focusWidget() is w.progress.members_next:
            break
        QTest.keyClick(QApplication.focusWidget() or w, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is w.progress.members_next
    QTest.keyClick(w.progress.members_next, Qt.Key.Key_Return)
    assert w.progress.members_page.text() == "第5项，共5项"
    assert QApplication.focusWidget() is w.progress.members_prev  # the last page: the focus stays on a live button


def test_five_wrong_checks_of_a_parent_number_lock_it_here_like_a_case_number(kiosk: Kiosk, terminal: Terminal) -> None:
    saved = save_bundle(terminal, members=2)
    w = kiosk.window
    for i in range(5):
        _query(kiosk, saved.parent.case_no, f"{i:04d}")
        assert w.progress.message.text() == NOT_FOUND_MESSAGE
    _query(kiosk, saved.parent.case_no, TAIL)  # right, but too late
    assert w.progress.message.text() == TOO_MANY_CHECKS_MESSAGE
    assert w.progress.views.currentWidget() is w.progress.entry
