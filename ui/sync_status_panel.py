"""The sync status panel: online/offline, queue depth, oldest pending age, last success, last error, a clock
warning, the unsynced warning for the clerk, and the 立即同步 button. Fed by `SyncService.sync_state_changed`."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from app.services.sync import SyncState, SyncStatus


def _age_zh(seconds: int | None) -> str:
    if seconds is None:
        return "无"
    if seconds < 60:
        return "不到 1 分钟"
    if seconds < 3600:
        return f"{seconds // 60} 分钟"
    if seconds < 86400:
        return f"{seconds // 3600} 小时 {seconds % 3600 // 60} 分钟"
    return f"{seconds // 86400} 天 {seconds % 86400 // 3600} 小时"


def _local_time_zh(iso_text: str | None) -> str:
    if not iso_text:
        return "尚无"
    moment = dt.datetime.fromisoformat(iso_text).astimezone()
    return moment.strftime("%m-%d %H:%M")


class SyncStatusPanel(QWidget):
    """Connect `SyncService.sync_state_changed` to `show_status` and `sync_now_requested` to `SyncService.sync_now`.

    Signals:
        sync_now_requested(): the clerk pressed 立即同步.
        dead_letters_requested(): the administrator clicked the rejected-records count.
    """

    sync_now_requested = Signal()
    dead_letters_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sync_status_panel")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.state_label = QLabel(self)
        self.state_label.setObjectName("sync_state")
        self.queue_label = QLabel(self)
        self.queue_label.setObjectName("sync_queue")
        self.last_success_label = QLabel(self)
        self.last_success_label.setObjectName("sync_last_success")
        self.warning_label = QLabel(self)
        self.warning_label.setObjectName("sync_warning")
        self.warning_label.setWordWrap(True)
        self.dead_button = QPushButton(self)
        self.dead_button.setObjectName("sync_dead_letters")
        self.dead_button.setFlat(True)
        self.sync_button = QPushButton("立即同步", self)
        self.sync_button.setObjectName("sync_now")
        for widget in (self.state_label, self.queue_label, self.last_success_label, self.warning_label):
            layout.addWidget(widget)
        layout.addStretch(1)
        layout.addWidget(self.dead_button)
        layout.addWidget(self.sync_button)
        self.sync_button.clicked.connect(self._on_sync_clicked)
        self.dead_button.clicked.connect(self._on_dead_clicked)
        self.dead_button.setVisible(False)
        self.warning_label.setVisible(False)

    @Slot(object)
    def show_status(self, status: SyncStatus) -> None:
        self.state_label.setText(status.label_zh)
        self.state_label.setToolTip(status.last_error)
        self.state_label.setProperty("online", "true" if status.online else "false")
        self.state_label.style().unpolish(self.state_label)
        self.state_label.style().polish(self.state_label)
        self.queue_label.setText(f"待上传 {status.queue_depth} 条，最早 {_age_zh(status.oldest_pending_seconds)}")
        self.last_success_label.setText(f"上次成功：{_local_time_zh(status.last_success_at)}")
        warnings = []
        if status.unsynced_warning:
            warnings.append("有记录长时间未上传，请检查网络或联系管理员")
        if status.clock_wrong or status.state == SyncState.CLOCK_SKEW:
            warnings.append("本机时钟不准，请校准系统时间")
        if status.last_error and status.state not in (SyncState.IDLE, SyncState.SYNCING):
            warnings.append(status.last_error)
        self.warning_label.setText("；".join(dict.fromkeys(warnings)))
        self.warning_label.setVisible(bool(warnings))
        self.dead_button.setText(f"{status.dead_letters} 条被平台拒收")
        self.dead_button.setVisible(status.dead_letters > 0)
        self.sync_button.setEnabled(status.state not in (SyncState.NOT_ENROLLED, SyncState.STOPPED))

    @Slot()
    def _on_sync_clicked(self) -> None:
        self.sync_now_requested.emit()

    @Slot()
    def _on_dead_clicked(self) -> None:
        self.dead_letters_requested.emit()
