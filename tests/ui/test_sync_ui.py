"""The counter window with the sync engine running against the real platform (`tongban-central` on loopback).

What the clerk and the administrator see: the status-bar panel (online/offline, queue, last error in Chinese),
the rejected-records dialog with retry, enrolment and key change from the 管理 menu, a prompt stop on close.
Screenshots go to tests.shots.shot_dir("sync_ui_shots") (looked at by a person).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from app.config import config_from_dict
from app.domain.models import CaseState
from app.paths import AppPaths
from app.services.intake import IntakeDraft
from app.services.terminal import Clock, Terminal, open_terminal, utc_now
from tests.integration.intake_support import ITEM_CODE, STAFF_NO, STAFF_PIN, fill_person, receive_all
from tests.integration.sync.harness import Central, enrol, fast_settings, queue_events
from tests.shots import shot_dir
from ui.counter_window import CounterWindow
from ui.sync_status_panel import SyncUi

SHOTS = shot_dir("sync_ui_shots")
ADMIN_NO = "A0001"
_CLOSED: list[Terminal] = []  # closed by the test itself; the fixture must not close them again


def shot(widget: QWidget, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    QApplication.processEvents()
    assert widget.grab().save(str(SHOTS / f"{name}.png"))


@dataclass
class Hall:
    central: Central
    terminal: Terminal
    window: CounterWindow
    ui: SyncUi


@pytest.fixture
def central(tmp_path: Path) -> Iterator[Central]:
    home = tmp_path / "central"
    home.mkdir()
    server = Central(home).start()
    try:
        yield server
    finally:
        server.stop()


def _terminal(tmp_path: Path, platform_url: str, clock: Clock = utc_now, pull_interval_s: float = 300.0) -> Terminal:
    paths = AppPaths(data_dir=tmp_path / "data", config_file=tmp_path / "c.toml", log_dir=tmp_path / "logs")
    config = config_from_dict(
        {
            "division": "210800",
            "hall_code": "01",
            "window": "07",
            "terminal_code": "003",
            "platform_url": platform_url,
            "unsynced_warning_minutes": 30,
            "printer": {"kind": "pdf", "pdf_dir": str(tmp_path / "pdf")},
        }
    )
    # A long idle poll: only the wake-ups (new record, 立即同步, enrolment) can make things happen quickly.
    # An idle poll far longer than any wait below: a test never passes because the poll came round by itself.
    settings = fast_settings(idle_poll_s=3600.0, pull_interval_s=pull_interval_s)
    return open_terminal(config=config, paths=paths, clock=clock, sync_settings=settings)


def _close(term: Terminal) -> None:
    if term in _CLOSED:
        return
    _CLOSED.append(term)
    QApplication.processEvents()
    for timer in term.status.findChildren(QTimer):
        timer.stop()
    term.close()
    # The window's catalogue search index may still be building: later tests count that thread by name.
    for thread in threading.enumerate():
        if thread.name == "catalogue-index":
            thread.join(30)


def _open_window(qtbot: QtBot, term: Terminal) -> tuple[CounterWindow, SyncUi]:
    window = CounterWindow(config=term.config, status=term.status, terminal=term)
    qtbot.add_widget(window)
    window.show()
    qtbot.wait_exposed(window)
    assert window.sync_ui is not None
    return window, window.sync_ui


def _sign_in_admin(term: Terminal) -> None:
    term.staff.add(staff_no=ADMIN_NO, display_name="李管", pin=STAFF_PIN, actor="test", role="admin")
    term.staff.sign_in(staff_no=ADMIN_NO, pin=STAFF_PIN)


@pytest.fixture
def hall(gui_app: QApplication, qtbot: QtBot, central: Central, tmp_path: Path) -> Iterator[Hall]:
    """An enrolled terminal and its counter window; the sync thread is not started yet."""
    enrol(central, tmp_path / "data")
    term = _terminal(tmp_path, central.url)
    try:
        window, ui = _open_window(qtbot, term)
        yield Hall(central, term, window, ui)
    finally:
        _close(term)


def _submit_case(term: Terminal) -> str:
    draft: IntakeDraft = receive_all(fill_person(term.intake.start(item_code=ITEM_CODE)))
    return term.intake.submit(draft=draft, staff_no=STAFF_NO, print_receipt=False).case.record_id


def test_a_case_saved_offline_reaches_the_platform_when_it_is_back_and_the_panel_follows(
    hall: Hall, qtbot: QtBot
) -> None:
    panel = hall.ui.panel
    hall.central.stop()  # the hall's line is down when the terminal starts
    hall.terminal.start()
    # Nothing to send, and the platform did not answer the pull: 离线, never 在线.
    qtbot.wait_until(lambda: panel.state_label.text() == "离线，恢复后自动上传", timeout=10000)

    record_id = _submit_case(hall.terminal)
    qtbot.wait_until(lambda: panel.queue_label.text().startswith("待上传 1 条"), timeout=10000)
    qtbot.wait_until(lambda: panel.state_label.text() == "离线，恢复后自动上传", timeout=10000)
    assert "网络" in panel.warning_label.text() and not panel.warning_label.isHidden()  # the reason, in Chinese
    assert hall.window.statusBar().isVisible() and panel.isVisible()
    assert hall.ui.banner.isHidden()  # a fresh record is not yet "long unsynced"
    shot(hall.window, "01_offline_one_waiting")

    hall.central.start()
    panel.sync_button.click()  # 立即同步: no waiting for the backoff
    qtbot.wait_until(lambda: panel.state_label.text() == "在线，已全部上传", timeout=15000)
    assert panel.queue_label.text().startswith("待上传 0 条")
    assert panel.warning_label.isHidden() and "上次成功：尚无" not in panel.last_success_label.text()
    assert record_id in hall.central.record_ids()
    qtbot.wait_until(lambda: hall.terminal.status.status.online, timeout=5000)  # the StatusService follows
    shot(hall.window, "02_online_all_sent")


@pytest.mark.expected_log  # the engine warns when a record goes to the dead letters
def test_a_rejected_record_shows_in_the_dialog_and_goes_through_after_retry(hall: Hall, qtbot: QtBot) -> None:
    panel = hall.ui.panel
    poison = queue_events(hall.terminal.store, 1)[0]
    hall.central.faults(f"reject:{poison}")
    hall.terminal.start()
    qtbot.wait_until(panel.dead_button.isVisible, timeout=15000)
    assert panel.dead_button.text() == "1 条被平台拒收"
    shot(hall.window, "03_one_rejected")
    _sign_in_admin(hall.terminal)  # the rejected records are the administrator's (issue 11)

    with qtbot.wait_signal(hall.terminal.sync.dead_letters_listed, timeout=10000):
        panel.dead_button.click()
    dialog = hall.ui.dead_letters_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.table.rowCount() == 1 and dialog.table.item(0, 1).text() == "事件"
    assert dialog.table.item(0, 2).text()  # the platform's reason, in Chinese
    shot(dialog, "04_dead_letters_dialog")

    hall.central.faults("")  # the platform's rule was fixed
    dialog.table.selectRow(0)
    with qtbot.wait_signal(hall.terminal.sync.dead_letters_listed, timeout=10000):
        dialog.retry_button.click()
    assert dialog.table.rowCount() == 0 and dialog.message.text() == "共 0 条"
    # Who opened the rejected records and sent them again is in the audit log (issue 11).
    admin = [(e.actor, e.action) for e in reversed(hall.terminal.store.audit.list()) if e.action.startswith("admin_")]
    assert admin == [(ADMIN_NO, "admin_dead_letters"), (ADMIN_NO, "admin_dead_letter_retry")]
    qtbot.wait_until(lambda: poison in hall.central.record_ids(), timeout=15000)
    qtbot.wait_until(lambda: not panel.dead_button.isVisible(), timeout=10000)


def test_closing_the_terminal_stops_the_sync_thread_promptly(hall: Hall, qtbot: QtBot) -> None:
    hall.terminal.start()
    qtbot.wait_until(lambda: hall.terminal.sync.status is not None, timeout=15000)
    # The worker now sleeps for its one-hour idle poll: the thread can only stop within this wait (whatever the
    # machine's load) if closing woke it rather than waiting for the poll.
    with qtbot.wait_signal(hall.terminal.sync.stopped, timeout=60_000):
        _close(hall.terminal)
    assert hall.terminal.sync.stop()  # already stopped: returns at once


def test_an_unenrolled_terminal_is_enrolled_and_its_key_changed_from_the_admin_menu(
    gui_app: QApplication, qtbot: QtBot, central: Central, tmp_path: Path
) -> None:
    term = _terminal(tmp_path, "")
    try:
        window, ui = _open_window(qtbot, term)
        queue_events(term.store, 3)
        term.start()
        qtbot.wait_until(lambda: ui.panel.state_label.text() == "未连接平台（离线模式）", timeout=10000)
        assert not ui.panel.sync_button.isEnabled()

        # Enrolment and the key change need an admin (issue 11): the signed-in admin goes straight through.
        _sign_in_admin(term)
        menu_titles = [action.text() for action in window.menuBar().actions()]
        assert menu_titles == ["管理"]
        assert [a.text() for a in ui.enrol_action.parent().actions()] == [  # type: ignore[attr-defined]
            "平台注册…",
            "更换密钥",
            "立即同步",
            "被平台拒收的记录…",
        ]
        ui.enrol_action.trigger()
        dialog = ui.settings_dialog
        assert dialog is not None and dialog.isVisible() and not dialog.rotate_button.isEnabled()

        dialog.enrol_button.click()  # nothing typed: told what is missing, nothing sent
        assert dialog.message.text() == "请输入平台地址，以 https:// 开头。"
        dialog.url_edit.setText(central.url)
        dialog.code_edit.setText("WRONG-CODE-0000")
        with qtbot.wait_signal(term.sync.enrolment_finished, timeout=10000):
            dialog.enrol_button.click()
        assert dialog.message.text() == "注册失败：注册码无效或已过期。"
        shot(dialog, "05_enrolment_refused")

        dialog.code_edit.setText(central.enrol_code())
        with qtbot.wait_signal(term.sync.enrolment_finished, timeout=10000):
            dialog.enrol_button.click()
        assert dialog.message.text().startswith("已注册：终端 210800-01-003")
        assert dialog.code_edit.text() == "" and dialog.rotate_button.isEnabled()
        # From now on cases are numbered with the terminal code the platform assigned (unique city-wide).
        assert term.config.terminal_code == "003"
        assert term.intake._config.terminal_code == "003"
        qtbot.wait_until(lambda: ui.panel.state_label.text() == "在线，已全部上传", timeout=15000)
        assert len(central.record_ids()) == 3

        with qtbot.wait_signal(term.sync.key_rotation_finished, timeout=10000):
            dialog.rotate_button.click()
        assert dialog.message.text() == "密钥已更换。"
        shot(dialog, "06_key_changed")
        # The new key works: a record sent after the change is accepted.
        queue_events(term.store, 1)
        term.sync.sync_now()
        qtbot.wait_until(lambda: len(central.record_ids()) == 4, timeout=15000)
        admin_actions = [(e.actor, e.action) for e in reversed(term.store.audit.list()) if e.action.startswith("admin")]
        assert admin_actions == [
            (ADMIN_NO, "admin_platform_settings"),
            (ADMIN_NO, "admin_enrol"),
            (ADMIN_NO, "admin_enrol"),
            (ADMIN_NO, "admin_rotate_key"),
        ]
    finally:
        _close(term)


def test_a_clerk_needs_an_admin_to_enrol_change_the_key_or_open_rejected_records(
    gui_app: QApplication, qtbot: QtBot, tmp_path: Path
) -> None:
    term = _terminal(tmp_path, "")
    try:
        _window, ui = _open_window(qtbot, term)
        term.staff.add(staff_no=STAFF_NO, display_name="王晓", pin=STAFF_PIN, actor="test")
        term.staff.add(staff_no=ADMIN_NO, display_name="李管", pin="135790", actor="test", role="admin")
        term.staff.sign_in(staff_no=STAFF_NO, pin=STAFF_PIN)

        ui.enrol_action.trigger()
        assert ui.settings_dialog is None  # not opened for a clerk
        auth = ui.admin_dialog
        assert auth is not None and auth.isVisible()
        auth.staff_edit.setText(STAFF_NO)  # the clerk's own number and PIN are not enough
        auth.pin_edit.setText(STAFF_PIN)
        auth.ok_button.click()
        assert auth.message.text() == "该工号不是管理员，此操作需要管理员"
        assert ui.settings_dialog is None
        auth.staff_edit.setText(ADMIN_NO)
        auth.pin_edit.setText("000000")
        auth.ok_button.click()
        assert auth.message.text() == "工号或密码不正确，还可尝试4次"
        shot(auth, "08_admin_required")
        auth.pin_edit.setText("135790")
        auth.ok_button.click()
        assert not auth.isVisible()
        assert ui.settings_dialog is not None and ui.settings_dialog.isVisible()
        ui.settings_dialog.accept()

        ui.dead_letters_action.trigger()  # asks again: one authorisation is one action
        assert ui.dead_letters_dialog is None
        auth = ui.admin_dialog
        assert auth is not None and auth.isVisible()
        auth.cancel_button.click()
        assert ui.dead_letters_dialog is None

        entries = [(e.actor, e.action, e.detail) for e in reversed(term.store.audit.list())]
        assert (STAFF_NO, "admin_refused", "not_admin") in entries
        assert (ADMIN_NO, "admin_platform_settings", "") in entries
        assert not any(a == "admin_dead_letters" for _actor, a, _d in entries)
    finally:
        _close(term)


def test_records_unsynced_past_the_limit_raise_a_banner_until_they_are_sent(
    gui_app: QApplication, qtbot: QtBot, central: Central, tmp_path: Path
) -> None:
    enrol(central, tmp_path / "data")
    # Saved 2 hours ago (the terminal's clock when they were stored); the limit is 30 minutes.
    term = _terminal(tmp_path, central.url, clock=lambda: dt.datetime.now(dt.UTC) - dt.timedelta(hours=2))
    try:
        window, ui = _open_window(qtbot, term)
        ids = queue_events(term.store, 2)
        central.stop()
        term.start()
        qtbot.wait_until(ui.banner.isVisible, timeout=10000)
        assert ui.banner.text() == "有记录超过 30 分钟未上传到平台（已安全保存在本机），请检查网络或联系管理员。"
        assert ui.panel.queue_label.text() == "待上传 2 条，最早 2 小时 0 分钟"
        shot(window, "07_unsynced_banner")

        central.start()
        ui.sync_action.trigger()  # 管理 → 立即同步
        qtbot.wait_until(lambda: not ui.banner.isVisible(), timeout=15000)
        assert set(ids) <= set(central.record_ids())
    finally:
        _close(term)


def test_a_status_change_on_the_platform_reaches_today_s_cases(
    gui_app: QApplication, qtbot: QtBot, central: Central, tmp_path: Path
) -> None:
    enrol(central, tmp_path / "data")
    term = _terminal(tmp_path, central.url, pull_interval_s=0.0)  # every wake-up pulls
    try:
        _window, ui = _open_window(qtbot, term)
        term.start()
        record_id = _submit_case(term)
        qtbot.wait_until(lambda: record_id in central.record_ids(), timeout=15000)
        saved = term.store.cases.get(record_id)
        assert saved is not None and saved.case.state != CaseState.ACCEPTED

        def state_now() -> CaseState:
            stored = term.store.cases.get(record_id)
            assert stored is not None
            return stored.case.state

        # What today's list would show each time it is told to re-query.
        seen_by_list: list[CaseState] = []
        term.case_list.cases_changed.connect(lambda: seen_by_list.append(state_now()))
        central.set_case_status(saved.case.case_no, "accepted")
        ui.panel.sync_button.click()
        qtbot.wait_until(lambda: CaseState.ACCEPTED in seen_by_list, timeout=15000)
    finally:
        _close(term)


def test_without_any_admin_the_prompt_says_how_to_make_the_first(
    gui_app: QApplication, qtbot: QtBot, tmp_path: Path
) -> None:
    term = _terminal(tmp_path, "")
    try:
        _window, ui = _open_window(qtbot, term)
        ui.enrol_action.trigger()
        auth = ui.admin_dialog
        assert auth is not None and auth.isVisible()
        assert auth.message.text() == "本机还没有管理员。请先在命令行添加：tongban staff add 工号 姓名 --role admin"
        shot(auth, "09_no_admin_yet")
    finally:
        _close(term)
