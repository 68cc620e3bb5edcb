"""What the UI and `tongban status --json` show about sync: a frozen snapshot, no Qt."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class SyncState(StrEnum):
    NOT_ENROLLED = "not_enrolled"  # offline mode: no platform configured
    IDLE = "idle"  # online, queue drained
    SYNCING = "syncing"
    OFFLINE = "offline"  # network errors: backing off
    BACKOFF = "backoff"  # platform errors: backing off
    CLOCK_SKEW = "clock_skew"
    AUTH_BLOCKED = "auth_blocked"
    REVOKED = "revoked"
    UPGRADE_REQUIRED = "upgrade_required"
    STOPPED = "stopped"


#: States in which the engine does not send until something changes (re-enrolment, upgrade, clock fixed).
BLOCKED_STATES = frozenset({SyncState.AUTH_BLOCKED, SyncState.REVOKED, SyncState.UPGRADE_REQUIRED})

STATE_LABELS_ZH: dict[SyncState, str] = {
    SyncState.NOT_ENROLLED: "未连接平台（离线模式）",
    SyncState.IDLE: "在线，已全部上传",
    SyncState.SYNCING: "正在上传",
    SyncState.OFFLINE: "离线，恢复后自动上传",
    SyncState.BACKOFF: "平台暂时不可用，稍后重试",
    SyncState.CLOCK_SKEW: "本机时钟不准，请校准",
    SyncState.AUTH_BLOCKED: "平台认证失败，已停止上传",
    SyncState.REVOKED: "本终端已被停用，已停止上传",
    SyncState.UPGRADE_REQUIRED: "需要升级软件，已暂停上传",
    SyncState.STOPPED: "同步已停止",
}


@dataclass(frozen=True, slots=True)
class SyncStatus:
    state: SyncState
    online: bool | None  # None: not known yet (no attempt since start)
    queue_depth: int
    oldest_pending_seconds: int | None
    dead_letters: int
    last_success_at: str | None
    last_error: str  # plain Chinese, empty when none
    last_error_at: str | None
    server_time: float | None = None  # shown with a clock-skew warning
    unsynced_warning: bool = False  # records older than config.unsynced_warning_minutes are still pending
    next_attempt_in: float | None = None
    clock_offset_seconds: float = 0.0  # platform time minus local time; over 300 s the screen warns
    case_no_taken: str = ""  # Chinese notice after the platform refused a case number another case owns
    licence_follow_ups: tuple[str, ...] = ()  # Chinese: declared e-licences that failed their check on sync
    last_reconcile_at: str | None = None  # when the last reconciliation with the platform ran
    #: what it found: reason (daily, cursor_gone, count_below_sent, instance_changed), requeued, lost (records the
    #: platform lacks that are past retention here and cannot be resent), lost_case_nos, platform_records
    last_reconcile: dict[str, Any] | None = None

    @property
    def clock_wrong(self) -> bool:
        return abs(self.clock_offset_seconds) > 300

    @property
    def lost_on_platform(self) -> int:
        """Records a restored platform lacks that this terminal can no longer resend (past retention)."""
        return int((self.last_reconcile or {}).get("lost", 0) or 0)

    @property
    def label_zh(self) -> str:
        return STATE_LABELS_ZH[self.state]

    def as_json(self) -> dict[str, Any]:
        return {
            "sync_state": self.state.value,
            "sync_state_label": self.label_zh,
            "online": self.online,
            "queue_depth": self.queue_depth,
            "oldest_pending_seconds": self.oldest_pending_seconds,
            "dead_letters": self.dead_letters,
            "last_success_at": self.last_success_at,
            "last_error": self.last_error or None,
            "last_error_at": self.last_error_at,
            "server_time": None
            if self.server_time is None
            else dt.datetime.fromtimestamp(self.server_time, dt.UTC).isoformat(timespec="seconds"),
            "unsynced_warning": self.unsynced_warning,
            "next_attempt_in": None if self.next_attempt_in is None else round(self.next_attempt_in, 1),
            "clock_offset_seconds": round(self.clock_offset_seconds),
            "case_no_taken": self.case_no_taken or None,
            "licence_follow_ups": list(self.licence_follow_ups),
            "last_reconciliation": None
            if self.last_reconcile_at is None
            else {"at": self.last_reconcile_at, **(self.last_reconcile or {})},
        }
