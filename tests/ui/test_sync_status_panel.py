"""The sync status panel and the dead-letter dialog show what the clerk and the administrator need."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.services.sync import DeadLetter, SyncState, SyncStatus
from ui.dialogs.dead_letters import DeadLettersDialog
from ui.sync_status_panel import SyncStatusPanel


def _status(**changes: object) -> SyncStatus:
    base: dict[str, object] = {
        "state": SyncState.IDLE,
        "online": True,
        "queue_depth": 0,
        "oldest_pending_seconds": None,
        "dead_letters": 0,
        "last_success_at": "2026-11-25T06:30:00+00:00",
        "last_error": "",
        "last_error_at": None,
    }
    base.update(changes)
    return SyncStatus(**base)  # type: ignore[arg-type]


def test_panel_shows_offline_queue_age_and_the_unsynced_warning(gui_app: QApplication, qtbot: QtBot) -> None:
    panel = SyncStatusPanel()
    qtbot.add_widget(panel)
    panel.show_status(
        _status(
            state=SyncState.OFFLINE,
            online=False,
            queue_depth=37,
            oldest_pending_seconds=3 * 3600 + 600,
            dead_letters=2,
            last_error="网络不通，记录已保存在本机，恢复后自动上传。",
            unsynced_warning=True,
        )
    )
    assert panel.state_label.text() == "离线，恢复后自动上传"
    assert panel.queue_label.text() == "待上传 37 条，最早 3 小时 10 分钟"
    assert "长时间未上传" in panel.warning_label.text() and "网络不通" in panel.warning_label.text()
    assert not panel.warning_label.isHidden() and not panel.dead_button.isHidden()
    assert panel.dead_button.text() == "2 条被平台拒收"
    with qtbot.wait_signal(panel.sync_now_requested, timeout=1000):
        panel.sync_button.click()

    panel.show_status(_status(clock_offset_seconds=7200.0))
    assert panel.warning_label.text() == "本机时钟不准，请校准系统时间"
    panel.show_status(_status())
    assert panel.warning_label.isHidden() and panel.dead_button.isHidden()
    assert panel.state_label.text() == "在线，已全部上传"


def test_dead_letter_dialog_lists_reasons_and_asks_to_retry_the_selection(gui_app: QApplication, qtbot: QtBot) -> None:
    dialog = DeadLettersDialog()
    qtbot.add_widget(dialog)
    when = dt.datetime(2026, 11, 25, 6, 0, tzinfo=dt.UTC)
    letters = [
        DeadLetter("id-1", "case", 12, "rejected:bad_field", "平台拒收：字段不合规", when, when),
        DeadLetter("id-2", "rating", 13, "parent_dead", "所依赖的记录已被拒收", when, when),
    ]
    dialog.show_letters(letters)
    assert dialog.table.rowCount() == 2
    assert dialog.table.item(0, 2).text() == "平台拒收：字段不合规"
    assert dialog.table.item(1, 1).text() == "评价"
    dialog.table.selectRow(1)
    with qtbot.wait_signal(dialog.retry_requested, timeout=1000) as retry:
        dialog.retry_button.click()
    assert retry.args == [["id-2"]]
    dialog.show_exported(2, "/tmp/x.jsonl")
    assert "已导出 2 条" in dialog.message.text() and "个人信息已隐去" in dialog.message.text()


def test_panel_says_when_a_reconciliation_resent_records_and_what_it_cannot_resend(
    gui_app: QApplication, qtbot: QtBot
) -> None:
    panel = SyncStatusPanel()
    qtbot.add_widget(panel)
    at = "2026-11-25T06:40:00+00:00"
    panel.show_status(_status(last_reconcile_at=at, last_reconcile={"reason": "daily", "requeued": 0, "lost": 0}))
    assert panel.reconcile_label.isHidden()  # an uneventful daily check is not news
    panel.show_status(_status(last_reconcile_at=at, last_reconcile={"reason": "cursor_gone", "requeued": 4, "lost": 0}))
    assert not panel.reconcile_label.isHidden()
    assert panel.reconcile_label.text() == "已与平台核对 11-25 14:40：补传 4 条"  # hall time (Asia/Shanghai)
    assert panel.warning_label.isHidden()
    panel.show_status(_status(last_reconcile_at=at, last_reconcile={"reason": "cursor_gone", "requeued": 1, "lost": 3}))
    assert "平台缺少 3 条较早的记录" in panel.warning_label.text()
