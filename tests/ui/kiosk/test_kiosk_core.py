"""The kiosk as a citizen uses it (pytest-qt, real store and services): locked window, 进度查询, 好差评, 办事指南,
scanner wedge, idle wipe, admin exit, 长辈模式 sizes, both orientations."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QFontInfo
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from app.domain.models import RatingChannel, RatingLevel
from app.services.kiosk import ADMIN_LOCK_AFTER, CHECK_FAILURES_PER_CASE, NOT_FOUND_MESSAGE, TOO_MANY_CHECKS_MESSAGE
from app.services.terminal import Terminal
from tests import pii_samples
from tests.ui.kiosk.support import (
    ADMIN_NO,
    ADMIN_PIN,
    CLERK_NO,
    Kiosk,
    answer_guide,
    kiosk_at,
    open_kiosk_terminal,
    python_strings,
    save_case,
    visible_texts,
)
from ui.kiosk.theme import ELDER, STANDARD

TAIL = pii_samples.ID_NUMBER[-4:]  # "002X"


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    term = open_kiosk_terminal(tmp_path)
    yield term
    QApplication.processEvents()
    term.close()


@pytest.fixture
def kiosk(gui_app: QApplication, qtbot: QtBot, terminal: Terminal) -> Iterator[Kiosk]:
    yield from kiosk_at(qtbot, terminal)


def query(kiosk: Kiosk, case_no: str, tail: str) -> None:
    w = kiosk.window
    kiosk.tap(w.home.tiles["progress"])
    assert w.current_page() is w.progress
    kiosk.tap_keys(w.progress.pad, case_no)
    kiosk.tap(w.progress.tail_field)
    kiosk.tap_keys(w.progress.pad, tail)
    kiosk.tap(w.progress.query_button)


def test_a_case_held_here_is_refused_after_five_wrong_checks_even_with_the_right_one(
    kiosk: Kiosk, terminal: Terminal
) -> None:
    case = save_case(terminal)
    w = kiosk.window
    for i in range(CHECK_FAILURES_PER_CASE):
        w.go_home()
        query(kiosk, case.case_no, f"{i:04d}")
        assert w.progress.message.text() == NOT_FOUND_MESSAGE
    w.go_home()
    query(kiosk, case.case_no, TAIL)
    assert w.progress.message.text() == TOO_MANY_CHECKS_MESSAGE
    texts = "\n".join(visible_texts(w))
    assert case.item_name not in texts and "已收件" not in texts
    # The idle wipe does not reset the count (waiting a minute would buy 5 more tries).
    w.go_home()
    terminal.kiosk.forget()
    query(kiosk, case.case_no, TAIL)
    assert w.progress.message.text() == TOO_MANY_CHECKS_MESSAGE


def test_the_window_is_locked_full_screen(kiosk: Kiosk) -> None:
    w = kiosk.window
    assert w.windowFlags() & Qt.WindowType.FramelessWindowHint
    event = QCloseEvent()
    QApplication.sendEvent(w, event)  # what the window manager's close and Alt+F4 deliver
    assert not event.isAccepted()
    assert not w.close()
    QTest.keyClick(w, Qt.Key.Key_Escape)
    QTest.keyClick(w, Qt.Key.Key_F4, Qt.KeyboardModifier.AltModifier)
    assert w.isVisible()
    assert w.current_page() is w.home


def test_progress_query_right_check_shows_state_wrong_check_shows_nothing(kiosk: Kiosk, terminal: Terminal) -> None:
    case = save_case(terminal)
    w = kiosk.window
    query(kiosk, case.case_no, "1234")
    assert w.progress.message.text() == NOT_FOUND_MESSAGE
    texts = "\n".join(visible_texts(w))
    assert case.item_name not in texts and "已收件" not in texts
    # An unknown (but well-formed) number gets the very same answer.
    w.go_home()
    other = case.case_no[:19] + "00099"
    from app.domain.case_number import check_digits

    other = other[:24] + check_digits(other[:24])
    query(kiosk, other, TAIL)
    assert w.progress.message.text() == NOT_FOUND_MESSAGE

    w.go_home()
    kiosk.tap(w.home.tiles["progress"])
    kiosk.tap_keys(w.progress.pad, case.case_no)
    kiosk.tap(w.progress.tail_field)
    kiosk.type_keys(TAIL.lower())  # a lower-case x from a keyboard is the same check character
    kiosk.tap(w.progress.query_button)
    assert w.progress.views.currentWidget() is w.progress.result
    assert "已收件" in w.progress.result_state.text()
    assert case.item_name in w.progress.result_item.text()
    assert "本机记录" in w.progress.result_source.text()  # no platform: the local copy, and it says so
    assert pii_samples.NAME not in "\n".join(visible_texts(w))
    kiosk.shot("progress_result_portrait")


def test_a_scanned_receipt_qr_opens_its_progress_from_any_page(kiosk: Kiosk, terminal: Terminal) -> None:
    case = save_case(terminal)
    w = kiosk.window
    kiosk.tap(w.home.tiles["guide"])
    w.guide.search_field.setFocus()
    kiosk.scan(f"https://zwfw.yingkou.gov.cn/tb/c/{case.case_no}")
    assert w.current_page() is w.progress
    assert w.progress.views.currentWidget() is w.progress.result
    assert w.guide.search_field.text() == ""  # the burst never reached the field that had the focus
    # Typing at human speed is typing, not a scan.
    w.go_home()
    kiosk.tap(w.home.tiles["guide"])
    w.guide.search_field.setFocus()
    kiosk.type_keys("sb")
    assert w.guide.search_field.text() == "sb"
    assert w.current_page() is w.guide


def test_rating_ones_own_case_once_with_channel_kiosk(kiosk: Kiosk, terminal: Terminal, qtbot: QtBot) -> None:
    case = save_case(terminal)
    w = kiosk.window
    kiosk.tap(w.home.tiles["rating"])
    kiosk.tap_keys(w.progress.pad, case.case_no)
    kiosk.tap(w.progress.tail_field)
    kiosk.tap_keys(w.progress.pad, TAIL)
    with qtbot.wait_signal(terminal.ratings.rating_requested):
        kiosk.tap(w.progress.query_button)
    assert w.current_page() is w.rating
    kiosk.shot("rating_levels_portrait")
    with qtbot.wait_signal(terminal.ratings.rating_saved):
        kiosk.tap(w.rating.level_page.buttons[RatingLevel.VERY_SATISFIED])
    assert w.rating.stack.currentWidget() is w.rating.thanks_page
    stored = terminal.store.ratings.for_case(case.case_no)
    assert len(stored) == 1 and stored[0].channel is RatingChannel.KIOSK and stored[0].level == 5
    assert stored[0].staff_no == "S0042"  # the clerk who received the case
    w.go_home()
    query(kiosk, case.case_no, TAIL)
    kiosk.tap(w.progress.rate_button)
    assert w.current_page() is w.progress
    assert "已评价" in w.progress.result_message.text()


def test_a_bad_rating_needs_a_reason(kiosk: Kiosk, terminal: Terminal, qtbot: QtBot) -> None:
    case = save_case(terminal)
    w = kiosk.window
    query(kiosk, case.case_no, TAIL)
    kiosk.tap(w.progress.rate_button)
    kiosk.tap(w.rating.level_page.buttons[RatingLevel.DISSATISFIED])
    reasons = w.rating.reasons_page
    assert w.rating.stack.currentWidget() is reasons
    assert not reasons.submit_button.isEnabled()
    kiosk.tap(next(iter(reasons.reason_buttons.values())))
    with qtbot.wait_signal(terminal.ratings.bad_rating_reported):
        kiosk.tap(reasons.submit_button)
    stored = terminal.store.ratings.for_case(case.case_no)
    assert stored[0].channel is RatingChannel.KIOSK and stored[0].level == 2 and stored[0].reasons


def test_guide_browse_search_and_detail(kiosk: Kiosk) -> None:
    w = kiosk.window
    kiosk.tap(w.home.tiles["guide"])
    guide = w.guide
    first = guide.departments.buttons[0]
    department = first.text()
    kiosk.tap(first)
    assert guide.views.currentWidget() is guide.items
    kiosk.tap(guide.items.buttons[0])
    assert guide.views.currentWidget() is guide.question_view  # its 情形 questions first, one per page
    answer_guide(kiosk)
    text = guide.detail_text.text()
    for heading in ("【办理部门】", "【所需材料】", "【办理时限】", "【收费标准】", "【办理地点】"):
        assert heading in text
    assert department in text
    assert guide.qr.pixmap() is not None and not guide.qr.pixmap().isNull()
    assert not guide.print_button.isEnabled()  # no printer configured: says so, disabled
    assert "打印机" in guide.print_message.text()
    kiosk.shot("guide_detail_portrait")
    kiosk.tap(guide.back_button)
    assert guide.views.currentWidget() is guide.items
    # Search by pinyin initials with the on-screen keyboard.
    kiosk.tap(guide.keyboard_button)
    for char in "sb":
        kiosk.tap(guide.keyboard.keys[char])
    assert guide.search_field.text() == "sb"
    assert guide.views.currentWidget() is guide.items
    assert any("社" in b.text() or "保" in b.text() for b in guide.items.buttons if b.isVisible())


def _all_held(kiosk: Kiosk) -> str:
    w = kiosk.window
    roots = (w, w.voice, w.idle, w.wedge, kiosk.terminal.kiosk, w.intake_service, kiosk.terminal.intake, w.all_pages)
    return "\n".join(visible_texts(w) + python_strings(*roots))


def test_idle_wipe_counts_down_then_clears_every_widget_and_object(
    kiosk: Kiosk, terminal: Terminal, qtbot: QtBot
) -> None:
    case = save_case(terminal)
    w = kiosk.window
    query(kiosk, case.case_no, TAIL)
    kiosk.tap(w.progress.rate_button)
    kiosk.tap(w.rating.level_page.buttons[RatingLevel.DISSATISFIED])
    reasons = w.rating.reasons_page
    kiosk.tap(next(iter(reasons.reason_buttons.values())))
    typed = f"{pii_samples.NAME}{pii_samples.PHONE}{pii_samples.ID_NUMBER}"
    reasons.text_edit.setFocus()
    reasons.text_edit.insert(typed)  # what an on-screen keyboard types
    held = _all_held(kiosk)
    assert pii_samples.PHONE in held  # the check below can see what it looks for

    limit = terminal.config.kiosk.idle_reset_seconds
    kiosk.mono.advance(limit - terminal.config.kiosk.countdown_seconds + 1)
    w.idle.tick()
    assert w.overlay.isVisible()
    assert "秒" in w.overlay.seconds.text()
    kiosk.shot("idle_countdown_portrait")
    kiosk.tap(w.overlay.continue_button)  # 继续: nothing is lost
    assert not w.overlay.isVisible()
    assert reasons.text_edit.text() == typed

    kiosk.mono.advance(limit + 1)
    w.idle.tick()
    assert w.current_page() is w.home
    assert not w.overlay.isVisible()
    held = _all_held(kiosk)
    for secret in (pii_samples.NAME, pii_samples.PHONE, pii_samples.ID_NUMBER, case.case_no, TAIL):
        assert secret not in held, secret
    assert "<undo history>" not in held
    for field in w.findChildren(QLineEdit):
        assert field.text() == ""


def test_idle_on_the_home_page_shows_no_countdown(kiosk: Kiosk) -> None:
    w = kiosk.window
    kiosk.mono.advance(w.idle.idle_seconds - 2)
    w.idle.tick()
    assert not w.overlay.isVisible()


def test_admin_gesture_wrong_pins_lock_right_pin_exits_and_all_is_audited(kiosk: Kiosk, terminal: Terminal) -> None:
    w = kiosk.window
    kiosk.corner_taps(4)
    assert w.current_page() is w.home  # four taps are not the gesture
    kiosk.mono.advance(5)
    kiosk.corner_taps(5)
    assert w.current_page() is w.admin
    for n in range(ADMIN_LOCK_AFTER):
        kiosk.tap(w.admin.staff_field)
        w.admin.staff_field.setText(CLERK_NO if n == 0 else f"X{n}")  # a clerk's right PIN, then wrong numbers
        kiosk.tap(w.admin.pin_field)
        kiosk.tap_keys(w.admin.pad, ADMIN_PIN if n == 0 else "1111")
        kiosk.tap(w.admin.ok_button)
        assert w.admin.views.currentWidget() is w.admin.login
        if n == 0:
            assert "不是管理员" in w.admin.message.text()
    assert "锁定" in w.admin.message.text()
    # Locked: even the right PIN is refused now.
    w.admin.staff_field.setText(ADMIN_NO)
    w.admin.pin_field.setText(ADMIN_PIN)
    kiosk.tap(w.admin.ok_button)
    assert w.admin.views.currentWidget() is w.admin.login
    actions = [e.action for e in terminal.store.audit.list(limit=50) if e.actor == "kiosk"]
    # the wrong tries, then the locked entry's try; the lock-out itself
    assert actions.count("kiosk_admin_refused") == ADMIN_LOCK_AFTER and "kiosk_admin_locked" in actions
    # Five minutes later the right PIN opens the menu; exit closes the window.
    terminal.kiosk._clock = lambda: terminal.clock() + __import__("datetime").timedelta(minutes=6)
    w.admin.staff_field.setText(ADMIN_NO)
    w.admin.pin_field.setText(ADMIN_PIN)
    kiosk.tap(w.admin.ok_button)
    assert w.admin.views.currentWidget() is w.admin.menu
    assert "待上传记录" in w.admin.menu_info.text()
    kiosk.tap(w.admin.sync_button)
    assert "已请求立即同步" in w.admin.menu_info.text()
    kiosk.shot("admin_menu_portrait")
    kiosk.tap(w.admin.exit_button)
    assert not w.isVisible()
    actions = [e.action for e in terminal.store.audit.list(limit=50) if e.actor == ADMIN_NO]
    assert {"admin_kiosk_entry", "admin_kiosk_sync", "admin_kiosk_exit"} <= set(actions)


def test_admin_cancel_returns_home_and_leaves_the_lock_on(kiosk: Kiosk) -> None:
    w = kiosk.window
    kiosk.corner_taps(5)
    kiosk.tap(w.admin.cancel_button)
    assert w.current_page() is w.home
    assert w.isVisible()


def _px(widget: QWidget) -> int:
    return QFontInfo(widget.font()).pixelSize()


def _targets(w: QWidget) -> list[QAbstractButton]:
    return [b for b in w.findChildren(QAbstractButton) if b.isVisible()]


def _walk_pages(kiosk: Kiosk) -> Iterator[str]:
    """Every page (and the inner views a citizen reaches without a case), shown in turn."""
    w = kiosk.window
    for name, page in (
        ("home", w.home),
        ("progress", w.progress),
        ("guide", w.guide),
        ("reprint", w.reprint),
        ("admin", w.admin),
        ("error", w.error_page),
    ):
        w._show(page)
        QApplication.processEvents()
        yield name
    w._show(w.guide)
    kiosk.tap(w.guide.departments.buttons[0])
    yield "guide_items"
    kiosk.tap(w.guide.items.buttons[0])
    yield "guide_question"
    answer_guide(kiosk)
    yield "guide_detail"
    kiosk.tap(w.guide.keyboard_button)
    yield "guide_keyboard"
    w.go_home()
    kiosk.mono.advance(w.idle.idle_seconds - 5)
    w._show(w.progress)
    w.idle.tick()
    yield "idle_countdown"
    w.go_home()


@pytest.mark.parametrize("size", [(1080, 1920), (1920, 1080)], ids=["portrait", "landscape"])
def test_elder_mode_sizes_and_targets_in_both_orientations(
    gui_app: QApplication, qtbot: QtBot, terminal: Terminal, size: tuple[int, int]
) -> None:
    for kiosk in kiosk_at(qtbot, terminal, size=size):
        w = kiosk.window
        orientation = "portrait" if size[1] > size[0] else "landscape"
        body = w.progress.scan_hint
        standard_px = _px(body)
        for elder in (False, True):
            if elder:
                w._show(w.home)
                kiosk.tap(w.home.elder_switch)
                assert w.elder
            for name in _walk_pages(kiosk):
                assert w.size().width() == size[0] and w.size().height() == size[1], (name, w.size())
                for button in _targets(w):
                    assert button.width() >= 60 and button.height() >= 60, (name, button.objectName(), button.size())
                kiosk.shot(f"{name}_{orientation}_{'elder' if elder else 'standard'}")
        elder_px = _px(body)
        assert standard_px == STANDARD.body_px and elder_px == ELDER.body_px
        assert elder_px >= 24 and elder_px >= 1.5 * standard_px
        assert w.idle.idle_seconds == terminal.config.kiosk.idle_reset_seconds * 2  # slower in 长辈模式
        assert w.guide.departments.page_size < (10 if orientation == "portrait" else 6)  # fewer choices


def test_keyboard_only(kiosk: Kiosk, terminal: Terminal) -> None:
    case = save_case(terminal)
    w = kiosk.window
    assert QApplication.focusWidget() is w.home.tiles["progress"]
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    assert w.current_page() is w.progress
    assert QApplication.focusWidget() is w.progress.case_field
    kiosk.type_keys(case.case_no)
    QTest.keyClick(w.progress.case_field, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is w.progress.tail_field
    kiosk.type_keys(TAIL)
    QTest.keyClick(w.progress.tail_field, Qt.Key.Key_Return)
    assert w.progress.views.currentWidget() is w.progress.result
    focus = QApplication.focusWidget()
    assert focus is w.progress.rate_button
    QTest.keyClick(focus, Qt.Key.Key_Return)
    assert w.current_page() is w.rating
    focus = QApplication.focusWidget()
    assert isinstance(focus, QAbstractButton) and focus.parent() is w.rating.level_page
    # Guide by keyboard: from home, Tab to the guide tile.
    w.go_home()
    for _ in range(10):
        if QApplication.focusWidget() is w.home.tiles["guide"]:
            break
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    assert w.current_page() is w.guide
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    assert w.guide.views.currentWidget() is w.guide.items


def test_every_control_has_a_chinese_accessible_name(kiosk: Kiosk) -> None:
    w = kiosk.window
    missing = []
    for page in w.all_pages:
        for control in [*page.findChildren(QAbstractButton), *page.findChildren(QLineEdit)]:
            if isinstance(control, QAbstractButton) and not control.text() and not control.isVisible():
                continue  # an empty slot of a paged list or the candidate bar
            name = control.accessibleName() or (control.text() if isinstance(control, QAbstractButton) else "")
            if not name or not any("\u4e00" <= ch <= "\u9fff" for ch in name):
                missing.append(f"{page.objectName()}/{control.objectName()}")
    assert missing == []
    labels = [lab for lab in w.findChildren(QLabel) if lab.buddy() is not None]
    assert labels  # fields are tied to their labels


def test_voice_reads_page_titles_and_focused_choices_unless_muted(kiosk: Kiosk) -> None:
    w = kiosk.window
    assert w.voice.muted  # kiosk.voice = false by default: the 打开语音 button turns it on
    kiosk.tap(w.mute_button)
    assert not w.voice.muted
    kiosk.qtbot.wait_until(lambda: w.voice.available, timeout=60_000)  # built in the voice host process
    kiosk.tap(w.home.tiles["guide"])
    assert "办事指南" in w.voice.spoken
    assert w.guide.departments.buttons[0].text() in w.voice.spoken  # the focused choice, after the title
    kiosk.tap(w.mute_button)
    w.voice.spoken.clear()
    kiosk.tap(w.home_button)
    assert w.voice.spoken == []


def test_without_a_speech_engine_the_kiosk_is_silent_and_works(
    gui_app: QApplication, qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    from ui.kiosk.voice import Voice

    voice = Voice(enabled=True, engine="no-such-engine")
    with caplog.at_level("INFO", logger="tongban.kiosk"), qtbot.wait_signal(voice.ready, timeout=60_000) as built:
        voice.say("首页")  # the voice host looks for the engine; the kiosk goes on
    assert built.args == [False] and not voice.available
    assert "no text-to-speech engine 'no-such-engine'; voice prompts are silent" in caplog.text
    voice.say("首页")  # nothing happens, nothing fails, no second host
    voice.stop()
    assert not voice.building


def test_an_unexpected_exception_shows_a_calm_page_then_home(
    kiosk: Kiosk, terminal: Terminal, qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    from PySide6.QtCore import QObject, Slot
    from PySide6.QtWidgets import QPushButton

    from app.config import Mode
    from ui.app import install_error_handling

    class Faulty(QObject):
        @Slot()
        def act(self) -> None:
            raise RuntimeError("secret internals")

    w = kiosk.window
    case = save_case(terminal)
    query(kiosk, case.case_no, TAIL)
    router, _presenter = install_error_handling(w, mode=Mode.KIOSK, window=w)
    try:
        faulty = Faulty(w)
        trigger = QPushButton("开始", w)
        trigger.clicked.connect(faulty.act)
        with qtbot.wait_signal(router.error_reported):
            trigger.click()
        assert w.current_page() is w.error_page
        texts = "\n".join(visible_texts(w))
        assert "Traceback" not in texts and "secret internals" not in texts
        assert case.case_no not in texts  # the session was wiped first
        kiosk.shot("error_portrait")
        w._error_timer.setInterval(100)  # a real kiosk waits 8 s
        w._error_timer.start()
        with qtbot.wait_signal(w._error_timer.timeout, timeout=15_000):
            pass
        assert w.current_page() is w.home
    finally:
        router.uninstall()
    assert any("secret internals" in r.getMessage() or r.exc_info for r in caplog.records)


def test_start_shows_home_before_the_services_exist_and_a_tap_builds_them(
    gui_app: QApplication, qtbot: QtBot, terminal: Terminal
) -> None:
    from ui.kiosk.window import KioskWindow

    assert not terminal.services_built
    window = KioskWindow(terminal=terminal, defer_services=True, voice_engine="mock")
    qtbot.add_widget(window)
    window.fit(1080, 1920)
    window.show()
    qtbot.wait_exposed(window)
    assert not terminal.services_built  # the first paint waits for nothing but the store
    assert window.current_page() is window.home
    QTest.mouseClick(window.home.tiles["guide"], Qt.MouseButton.LeftButton)
    assert terminal.services_built
    assert window.current_page() is window.guide and window.guide.departments.buttons[0].isVisible()
    window._may_close = True
    window.close()


def test_chinese_search_with_the_pinyin_keyboard_offers_the_catalogues_words_first(kiosk: Kiosk) -> None:
    w = kiosk.window
    kiosk.tap(w.home.tiles["guide"])
    kiosk.tap(w.guide.keyboard_button)
    keyboard = w.guide.keyboard
    kiosk.tap(keyboard.mode_key)  # 英 → 中
    assert keyboard.chinese
    for char in "ju":
        kiosk.tap(keyboard.keys[char])
    # 局 (departments) and 居 (居民) fill the catalogue: they come before 鞠 拘 狙, which GB2312 lists first.
    assert {"局", "居"} <= set(keyboard.candidates_shown()[:2])
    kiosk.tap(keyboard.candidate_buttons[keyboard.candidates_shown().index("居")])
    for char in "hukou":
        kiosk.tap(keyboard.keys[char])
    assert "户口" in keyboard.candidates_shown()
    kiosk.tap(keyboard.candidate_buttons[keyboard.candidates_shown().index("户口")])
    assert w.guide.search_field.text() == "居户口"
    assert w.guide.views.currentWidget() is w.guide.items


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920)])
def test_an_unregistered_kiosk_still_fits_its_screen(qtbot: QtBot, tmp_path: Path, size: tuple[int, int]) -> None:
    """A kiosk fresh from the installer has no terminal identity: its 自助收件 tile says so briefly, and the home
    page keeps to the screen (the administrator's enrolment instructions on the tile stretched it past the edge)."""
    unregistered = open_kiosk_terminal(tmp_path, terminal_code="")
    try:
        for kiosk in kiosk_at(qtbot, unregistered, size=size):
            home = kiosk.window.home
            qtbot.wait_until(lambda home=home: home.reason("intake") != "")
            assert not home.tiles["intake"].isEnabled()
            assert home.tiles["intake"].text() == "自助收件\n（本终端暂不能收件）"
            assert (kiosk.window.width(), kiosk.window.height()) == size
    finally:
        unregistered.close()
