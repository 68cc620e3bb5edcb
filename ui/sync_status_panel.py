"""The sync status panel: online/offline, queue depth, oldest pending age, last success, last error, a clock
warning, the unsynced warning for the clerk, and the 立即同步 button. Fed by `SyncService.sync_state_changed`."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, Signal, Slot
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QLabel, QMainWindow, QPushButton, QSizePolicy, QWidget

from app.config import Config
from app.domain import hall_time
from app.services.staff import (
    ADMIN_DEAD_LETTER_EXPORT,
    ADMIN_DEAD_LETTER_RETRY,
    ADMIN_DEAD_LETTERS,
    ADMIN_ENROL,
    ADMIN_PLATFORM_SETTINGS,
    ADMIN_ROTATE_KEY,
    StaffService,
)
from app.services.sync import SyncService, SyncState, SyncStatus
from ui.status_bar import TerminalStatusBar

if TYPE_CHECKING:  # the admin dialogs load when first opened
    from collections.abc import Callable

    from ui.dialogs.admin_auth import AdminAuthDialog
    from ui.dialogs.dead_letters import DeadLettersDialog
    from ui.dialogs.platform_settings import PlatformSettingsDialog


def _age_zh(seconds: int | None) -> str:
    if seconds is None:
        return QCoreApplication.translate("SyncStatusPanel", "none")
    if seconds < 60:
        return QCoreApplication.translate("SyncStatusPanel", "less than 1 minute")
    if seconds < 3600:
        return QCoreApplication.translate("SyncStatusPanel", "{minutes} minutes").format(minutes=seconds // 60)
    if seconds < 86400:
        return QCoreApplication.translate("SyncStatusPanel", "{hours} hours {minutes} minutes").format(
            hours=seconds // 3600, minutes=seconds % 3600 // 60
        )
    return QCoreApplication.translate("SyncStatusPanel", "{days} days {hours} hours").format(
        days=seconds // 86400, hours=seconds % 86400 // 3600
    )


def _local_time_zh(iso_text: str | None) -> str:
    if not iso_text:
        return QCoreApplication.translate("SyncStatusPanel", "never")
    moment = hall_time.local(dt.datetime.fromisoformat(iso_text))
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
        self.setStyleSheet(
            'QLabel#sync_state[online="true"] { color: #1b5e20; font-weight: bold; }'
            'QLabel#sync_state[online="false"] { color: #8a4b00; font-weight: bold; }'
            "QLabel#sync_warning { color: #8a4b00; }"
            "QPushButton#sync_dead_letters { color: #b71c1c; font-weight: bold; }"
        )
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.state_label = QLabel(self)
        self.state_label.setObjectName("sync_state")
        self.queue_label = QLabel(self)
        self.queue_label.setObjectName("sync_queue")
        self.last_success_label = QLabel(self)
        self.last_success_label.setObjectName("sync_last_success")
        self.reconcile_label = QLabel(self)
        self.reconcile_label.setObjectName("sync_reconcile")
        self.reconcile_label.setVisible(False)
        self.warning_label = QLabel(self)
        self.warning_label.setObjectName("sync_warning")
        self.warning_label.setWordWrap(True)
        self.dead_button = QPushButton(self)
        self.dead_button.setObjectName("sync_dead_letters")
        self.dead_button.setFlat(True)
        self.dead_button.setAccessibleName(self.tr("Records rejected by the platform"))
        self.sync_button = QPushButton(self.tr("Sync now"), self)
        self.sync_button.setObjectName("sync_now")
        # The button keeps its full width whatever the labels say; the labels give way instead (their whole text
        # stays in the tooltip), so 立即同步 is never cut off at the window's right edge (issue 11 item 10).
        self.sync_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        for label in (self.state_label, self.queue_label, self.last_success_label, self.reconcile_label):
            label.setMinimumWidth(1)
        self.dead_button.setMinimumWidth(1)
        for widget in (self.state_label, self.queue_label, self.last_success_label, self.reconcile_label):
            layout.addWidget(widget)
        # While shown, the message takes all the free width (one line); hidden, the spacer takes it.
        layout.addWidget(self.warning_label, 1)
        layout.addStretch(0)
        layout.addWidget(self.dead_button)
        layout.addWidget(self.sync_button)
        self.sync_button.clicked.connect(self._on_sync_clicked)
        self.dead_button.clicked.connect(self._on_dead_clicked)
        self.dead_button.setVisible(False)
        self.warning_label.setVisible(False)

    @Slot(object)
    def show_status(self, status: SyncStatus) -> None:
        # IDLE means "nothing to send": after a failed pull (the state stays IDLE, the error is noted) and no upload
        # since, it must not read as 在线.
        unconfirmed = status.state == SyncState.IDLE and status.online is not True and bool(status.last_error)
        self.state_label.setText(self.tr("All uploaded, platform not reached") if unconfirmed else status.label_zh)
        self.state_label.setToolTip(status.last_error)
        self.state_label.setProperty("online", "true" if status.online and not unconfirmed else "false")
        self.state_label.style().unpolish(self.state_label)
        self.state_label.style().polish(self.state_label)
        self.queue_label.setText(
            self.tr("{count} waiting to upload, oldest {age}").format(
                count=status.queue_depth, age=_age_zh(status.oldest_pending_seconds)
            )
        )
        self.last_success_label.setText(
            self.tr("Last success: {time}").format(time=_local_time_zh(status.last_success_at))
        )
        self._show_reconciliation(status)
        warnings = []
        if status.lost_on_platform:
            warnings.append(
                self.tr(
                    "The platform lacks {count} older records that are past retention here and cannot be resent; "
                    "tell the administrator"
                ).format(count=status.lost_on_platform)
            )
        if status.unsynced_warning:
            warnings.append(self.tr("Records have waited long to upload; check the network or tell the administrator"))
        if status.clock_wrong or status.state == SyncState.CLOCK_SKEW:
            warnings.append(self.tr("This computer's clock is wrong; set the system time"))
        if status.case_no_taken:
            warnings.append(status.case_no_taken)
        warnings.extend(status.licence_follow_ups)
        if status.last_error and (unconfirmed or status.state not in (SyncState.IDLE, SyncState.SYNCING)):
            warnings.append(status.last_error)
        self.warning_label.setText("；".join(dict.fromkeys(warnings)))
        self.warning_label.setVisible(bool(warnings))
        self.dead_button.setText(self.tr("{count} rejected by the platform").format(count=status.dead_letters))
        self.dead_button.setVisible(status.dead_letters > 0)
        for label in (self.queue_label, self.last_success_label, self.dead_button):
            label.setToolTip(label.text())  # the whole text when a narrow window cuts it short
        self.sync_button.setEnabled(status.state not in (SyncState.NOT_ENROLLED, SyncState.STOPPED))

    def _show_reconciliation(self, status: SyncStatus) -> None:
        """After a reconciliation that found something (a platform restored from backup): when, and what it did."""
        report = status.last_reconcile or {}
        requeued = int(report.get("requeued", 0) or 0)
        self.reconcile_label.setVisible(bool(status.last_reconcile_at) and bool(requeued or status.lost_on_platform))
        if not self.reconcile_label.isHidden():
            self.reconcile_label.setText(
                self.tr("Checked with the platform {time}: {count} resent").format(
                    time=_local_time_zh(status.last_reconcile_at), count=requeued
                )
            )
        self.reconcile_label.setToolTip(
            self.tr("Last check with the platform: {time}").format(time=_local_time_zh(status.last_reconcile_at))
        )

    @Slot()
    def _on_sync_clicked(self) -> None:
        self.sync_now_requested.emit()

    @Slot()
    def _on_dead_clicked(self) -> None:
        self.dead_letters_requested.emit()


class UnsyncedBanner(QLabel):
    """A banner over the work area while records have stayed unsynced longer than the configured limit."""

    def __init__(self, minutes: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("unsynced_banner")
        self.setWordWrap(True)
        self.setStyleSheet("QLabel { background: #fff3cd; color: #7a4f01; padding: 8px 24px; font-weight: bold; }")
        self._minutes = minutes
        self.hide()

    @Slot(object)
    def show_status(self, status: SyncStatus) -> None:
        if status.unsynced_warning:
            self.setText(
                self.tr(
                    "Some records have not reached the platform for more than {minutes} minutes. They are kept "
                    "safely on this computer; check the network or tell the administrator."
                ).format(minutes=self._minutes)
            )
        self.setVisible(status.unsynced_warning)


class SyncUi(QObject):
    """The sync parts of the counter window: status-bar panel, unsynced banner, 管理 menu and the admin dialogs.

    Build it with `install_sync_ui`. Enrolment, key change, platform settings and the rejected records need an
    admin (issue 11): the menu actions call `request_platform_settings()` / `request_dead_letters()`, which go
    ahead at once for a signed-in admin and otherwise open `admin_dialog` (an admin's number + PIN). Every admin
    action is in the audit log with the admin as actor. `open_dead_letters()` and `open_platform_settings()`
    (called once authorised) return the dialog shown.
    """

    def __init__(
        self,
        window: QMainWindow,
        status_bar: TerminalStatusBar,
        banner_layout: QBoxLayout,
        sync: SyncService,
        *,
        unsynced_minutes: int,
        platform_url: str,
        staff: StaffService,
    ) -> None:
        super().__init__(window)
        self._window = window
        self._sync = sync
        self._staff = staff
        self._admin_no = ""  # the admin who opened the dialog now in use (audit actor)
        self.admin_dialog: AdminAuthDialog | None = None
        self._platform_url = platform_url
        self.panel = SyncStatusPanel(status_bar)
        self.panel.state_label.setText(self.tr("Connecting to the platform…"))
        status_bar.attach_sync_panel(self.panel)
        self.banner = UnsyncedBanner(unsynced_minutes, window)
        banner_layout.insertWidget(1, self.banner)
        self.dead_letters_dialog: DeadLettersDialog | None = None
        self.settings_dialog: PlatformSettingsDialog | None = None
        sync.sync_state_changed.connect(self.panel.show_status)
        sync.sync_state_changed.connect(self.banner.show_status)
        self.panel.sync_now_requested.connect(sync.sync_now)
        self.panel.dead_letters_requested.connect(self.request_dead_letters)
        if sync.status is not None:
            self.panel.show_status(sync.status)
            self.banner.show_status(sync.status)

        menu = window.menuBar().addMenu(self.tr("Administration"))
        menu.setObjectName("admin_menu")
        self.enrol_action = menu.addAction(self.tr("Platform enrolment…"))
        self.enrol_action.triggered.connect(self.request_platform_settings)
        self.rotate_action = menu.addAction(self.tr("Change device key"))
        self.rotate_action.triggered.connect(self.request_platform_settings)
        self.sync_action = menu.addAction(self.tr("Sync now"))
        self.sync_action.triggered.connect(sync.sync_now)
        self.dead_letters_action = menu.addAction(self.tr("Rejected records…"))
        self.dead_letters_action.triggered.connect(self.request_dead_letters)

    def _as_admin(self, action: str, then: Callable[[], object]) -> None:
        """Run `then` once an admin has authorised `action` (the signed-in admin, or one who types number + PIN)."""
        if self._staff.is_admin:
            self._admin_no = self._staff.require_admin(action)
            then()
            return
        from ui.dialogs.admin_auth import AdminAuthDialog

        if self.admin_dialog is not None:
            self.admin_dialog.deleteLater()
        dialog = AdminAuthDialog(staff=self._staff, action=action, parent=self._window)
        self.admin_dialog = dialog

        def authorised(admin_no: str) -> None:
            self._admin_no = admin_no
            then()

        dialog.authorised.connect(authorised)
        dialog.open()

    @Slot()
    def request_platform_settings(self) -> None:
        self._as_admin(ADMIN_PLATFORM_SETTINGS, self.open_platform_settings)

    @Slot()
    def request_dead_letters(self) -> None:
        self._as_admin(ADMIN_DEAD_LETTERS, self.open_dead_letters)

    @Slot(str, str)
    def _enrol(self, url: str, code: str) -> None:
        self._staff.record_admin_action(ADMIN_ENROL, actor=self._admin_no or "unknown")
        self._sync.enrol(url, code)

    @Slot()
    def _rotate(self) -> None:
        self._staff.record_admin_action(ADMIN_ROTATE_KEY, actor=self._admin_no or "unknown")
        self._sync.rotate_key()

    @Slot(list)
    def _retry(self, record_ids: list[str]) -> None:
        self._staff.record_admin_action(
            ADMIN_DEAD_LETTER_RETRY, actor=self._admin_no or "unknown", detail=str(len(record_ids))
        )
        self._sync.retry_dead_letters(record_ids)

    @Slot(str)
    def _export(self, path: str) -> None:
        self._staff.record_admin_action(ADMIN_DEAD_LETTER_EXPORT, actor=self._admin_no or "unknown")
        self._sync.export_dead_letters(path)

    def _enrolled(self) -> bool:
        status = self._sync.status
        return status is not None and status.state != SyncState.NOT_ENROLLED

    @Slot()
    def open_dead_letters(self) -> DeadLettersDialog:
        if self.dead_letters_dialog is None:
            from ui.dialogs.dead_letters import DeadLettersDialog

            dialog = DeadLettersDialog(self._window)
            dialog.refresh_requested.connect(self._sync.list_dead_letters)
            dialog.retry_requested.connect(self._retry)
            dialog.export_requested.connect(self._export)
            self._sync.dead_letters_listed.connect(dialog.show_letters)
            self._sync.dead_letters_exported.connect(dialog.show_exported)
            self.dead_letters_dialog = dialog
        self.dead_letters_dialog.open()
        self._sync.list_dead_letters()
        return self.dead_letters_dialog

    @Slot()
    def open_platform_settings(self) -> PlatformSettingsDialog:
        if self.settings_dialog is None:
            from ui.dialogs.platform_settings import PlatformSettingsDialog

            dialog = PlatformSettingsDialog(url=self._platform_url, enrolled=self._enrolled(), parent=self._window)
            dialog.enrol_requested.connect(self._enrol)
            dialog.rotate_requested.connect(self._rotate)
            self._sync.enrolment_finished.connect(dialog.show_enrolment)
            self._sync.key_rotation_finished.connect(dialog.show_rotation)
            self.settings_dialog = dialog
        else:
            self.settings_dialog.set_enrolled(self._enrolled())
        self.settings_dialog.open()
        return self.settings_dialog


def install_sync_ui(
    window: QMainWindow,
    status_bar: TerminalStatusBar,
    banner_layout: QBoxLayout,
    sync: SyncService,
    config: Config,
    *,
    staff: StaffService,
) -> SyncUi:
    """Mount the sync panel in `status_bar`, the unsynced banner at index 1 of `banner_layout`, the 管理 menu."""
    return SyncUi(
        window,
        status_bar,
        banner_layout,
        sync,
        unsynced_minutes=config.unsynced_warning_minutes,
        platform_url=config.platform_url,
        staff=staff,
    )
