"""The terminal's services, built once at start and handed to the windows.

`open_terminal` opens the GUI thread's store connection (checking and, if needed, recovering the file), loads the
catalogue and creates each service. Windows receive the `Terminal` and talk only to its services (ARCHITECTURE.md).
Each later service (intake, receipts, ratings, sync) is created here, in one place, so that tests, the CLI and
the GUI wire the same objects the same way.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from app.config import Config
from app.paths import AppPaths
from app.services.staff import StaffService, display_name_of
from app.services.status import StatusService
from offline_cache import Store, StoreError, open_store

if TYPE_CHECKING:  # the second tier is imported when first used (start-up time, issue 13)
    from app.services.case_list import CaseListService
    from app.services.catalogue import CatalogueService
    from app.services.devices import DeviceService
    from app.services.intake import IntakeService
    from app.services.kiosk import KioskService
    from app.services.licences import LicenceService
    from app.services.ratings import RatingService
    from app.services.receipts import ReceiptService
    from app.services.report import ReportService
    from app.services.sync import SyncService, SyncStatus
    from app.sync.engine import EngineSettings
    from offline_cache.purge import InUse

log = logging.getLogger("tongban.services")

Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


#: How often a running terminal purges (also once at start): counter PCs often run for weeks.
RETENTION_INTERVAL_MS = 6 * 3600 * 1000


class RetentionService(QObject):
    """Purges personal data past retention and stale drafts: at start, then every `RETENTION_INTERVAL_MS`.

    The purge runs on a worker thread with its own store connection (issue 13): the first run after a long gap
    rewrites many rows and empties the WAL, which held the GUI thread for seconds. One run at a time; a run due
    while one is going is skipped (the next one comes round).

    Signals:
        purged(object): a run finished; its `PurgeReport` (emitted on the worker thread: receivers get it queued).
    """

    purged = Signal(object)

    def __init__(
        self,
        *,
        store: Store,
        retention_days: int,
        clock: Clock,
        before: Callable[[], None],
        in_use: Callable[[], InUse] | None = None,
        receipt_dir: Path | None = None,
        parent: QObject | None = None,
    ) -> None:
        """`in_use` names what the open form holds (its draft and scans): never purged, whatever the clock says."""
        super().__init__(parent)
        self._in_use = in_use
        self._receipt_dir = receipt_dir
        self._path = store.path
        self._blobs_dir = store.blobs.directory
        self._worker: threading.Thread | None = None
        self._days = retention_days
        self._clock = clock
        self._before = before
        self.timer = QTimer(self)
        self.timer.setObjectName("retention_timer")
        self.timer.setInterval(RETENTION_INTERVAL_MS)
        self.timer.timeout.connect(self.run)
        self.timer.start()

    @Slot()
    def run(self) -> None:
        """Start a purge on the worker thread (the draft in progress is saved first, on this thread)."""
        if self._worker is not None and self._worker.is_alive():
            return
        self._before()
        # A snapshot taken here, on the GUI thread, so the purge itself may run on a worker; "now" is taken with it,
        # so a form opened after the snapshot is never judged by a clock that jumped meanwhile (FAULTS.md row 18).
        in_use = self._in_use() if self._in_use is not None else None
        now = self._clock()
        self._worker = threading.Thread(target=self._purge, args=(in_use, now), name="retention", daemon=False)
        self._worker.start()

    def wait(self, timeout: float) -> bool:
        """Wait (bounded) for a purge in progress; call before closing the store. False if it still runs."""
        worker = self._worker
        if worker is None:
            return True
        worker.join(timeout)
        return not worker.is_alive()

    def _purge(self, in_use: InUse | None, now: dt.datetime) -> None:
        try:
            with open_store(
                self._path, clock=self._clock, integrity_check=False, recover_corrupt=False, blobs_dir=self._blobs_dir
            ) as store:
                report = store.purge_personal_data(now, self._days, in_use=in_use)
        except StoreError as exc:  # the terminal still works; the next run tries again
            log.warning("retention purge failed: %s", exc.code)
            return
        if report.drafts:
            log.info("retention: %d stale draft(s) deleted", report.drafts)
        if self._receipt_dir is not None:
            from app.services.receipts import purge_receipt_files

            # Receipt PDFs carry the applicant's full name: they go when the retention period has passed.
            files = purge_receipt_files(self._receipt_dir, now=now, retention_days=self._days)
            if files:
                log.info("retention: %d receipt PDF(s) older than %d days deleted", files, self._days)
        with contextlib.suppress(RuntimeError):  # "Internal C++ object already deleted": closed meanwhile
            self.purged.emit(report)


class _Tier2:
    """The services the sign-in page does not need, built together on first use (see `Terminal`)."""

    def __init__(self, terminal: Terminal, sync_settings: EngineSettings | None, parent: QObject | None) -> None:
        from app.services.case_list import CaseListService
        from app.services.catalogue import CatalogueService
        from app.services.devices import simulated_devices
        from app.services.guide_print import GuidePrintService
        from app.services.intake import IntakeService
        from app.services.kiosk import KioskService
        from app.services.ratings import RatingService
        from app.services.receipts import ReceiptService, pdf_dir_for
        from app.services.report import ReportService
        from app.services.sync import SyncService

        config, paths, store, clock = terminal.config, terminal.paths, terminal.store, terminal.clock
        status = terminal.status
        self.catalogue = CatalogueService(paths.data_dir, parent=parent)
        self.ratings = RatingService(
            store=store, config=config, clock=clock, staff_names=terminal._staff_name, parent=parent
        )
        self.reports = ReportService(
            store=store, config=config, clock=clock, item_lookup=self.catalogue.get, parent=parent
        )
        self.receipts = ReceiptService(
            config=config,
            store=store,
            pdf_dir=pdf_dir_for(config, paths),
            item_lookup=self.catalogue.get,
            clock=clock,
            parent=parent,
        )
        self.intake = IntakeService(
            store=store,
            config=config,
            item_lookup=self.catalogue.get,
            receipts=self.receipts,
            clock=clock,
            parent=parent,
        )
        self.intake.use_config(config, identity_problem=terminal._identity_problem)
        # Drafts belong to their clerk (issue 11): saved under, and given back to, the signed-in clerk only.
        clerk = terminal.staff.clerk
        self.intake.set_clerk(clerk.staff_no if clerk is not None else None)
        terminal.staff.signed_in.connect(self.intake.set_clerk)
        self.case_list = CaseListService(store=store, clock=clock, parent=parent)
        self.intake.case_submitted.connect(self.case_list.notify_changed)
        self.intake.case_submitted.connect(status.refresh)
        self.intake.case_updated.connect(self.case_list.notify_changed)
        self.intake.case_updated.connect(status.refresh)
        # Every committed record changes the outbox: the status bar's queue depth follows.
        self.ratings.rating_saved.connect(status.refresh)
        self.receipts.printed.connect(status.refresh)
        self.receipts.failed.connect(status.refresh)
        self.devices: DeviceService = simulated_devices(paths.data_dir, parent=parent)
        self.retention = RetentionService(
            store=store,
            retention_days=config.retention_days,
            clock=clock,
            before=self.intake.flush_draft,  # a scan only the unsaved draft uses yet must count as in use
            in_use=self.intake.in_use,  # the open form's draft and scans stay, even if the clock jumps ahead
            receipt_dir=pdf_dir_for(config, paths),
            parent=parent,
        )
        # Through a weak reference: retention already refers to intake (flush_draft); no cycle for the GC to free
        # on some other thread (see CatalogueService._weak_announce).
        retention = weakref.ref(self.retention)
        self.intake.set_recovery_gate(lambda: (service := retention()) is None or service.wait(30.0))
        self.retention.run()
        self.sync = SyncService(
            config=config, paths=paths, settings=sync_settings, catalogue_sink=self.catalogue.replace, parent=parent
        )
        self.guide_printer = GuidePrintService(
            config=config, pdf_dir=pdf_dir_for(config, paths), clock=clock, parent=parent
        )
        self.kiosk = KioskService(
            store=store,
            config=config,
            catalogue=self.catalogue,
            staff=terminal.staff,
            sync=self.sync,
            devices=self.devices,
            receipts=self.receipts,
            guide_printer=self.guide_printer,
            clock=clock,
            parent=parent,
        )
        self.sync.sync_state_changed.connect(terminal._on_sync_status)
        self.sync.cases_updated.connect(terminal._on_cases_updated)
        self.sync.enrolment_finished.connect(terminal._on_enrolment_finished)
        # Every committed record wakes the upload thread (it would otherwise find it at the next idle poll).
        for signal in (
            self.intake.case_submitted,
            self.intake.case_updated,
            self.ratings.rating_saved,
            self.receipts.printed,
            self.receipts.failed,
        ):
            signal.connect(self.sync.notify_new_record)


class Terminal:
    """Owns the GUI thread's store connection and every service. Close it when the window closes.

    Attributes: `config`, `paths`, `store` (GUI-thread connection; services use it, widgets never do),
    `catalogue`, `status`, `ratings` (好差评), `reports` (日结), `staff` (sign-in), `receipts`, `intake`,
    `case_list` (today's cases), `devices` (ID card reader and document camera), `retention` (purge), `kiosk`
    (the self-service kiosk's queries and admin entry), `sync`
    (the upload thread: idle until `start()`; without platform credentials it only wakes once a minute), and
    `notices`: plain-Chinese messages the window shows once at start (e.g. the database was damaged and moved aside).

    Start-up (issue 13): the first screen is sign-in, so only `status` and `staff` are built here. Every other
    service (with its imports: catalogue validation, printing, requests, the sync engine) is built together the
    first time one of them is used, or by `build_services()`, which the window calls after its first paint.
    """

    def __init__(
        self,
        *,
        config: Config,
        paths: AppPaths,
        store: Store,
        clock: Clock = utc_now,
        sync_settings: EngineSettings | None = None,
        parent: QObject | None = None,
    ) -> None:
        from app.domain import hall_time
        from app.sync.credentials import resolve_identity

        hall_time.configure(config.hall_timezone)  # times, "today" and the case-number day are the hall's (issue 11)
        # Cases are numbered with the identity the platform assigned, never another (issue 11); without one of its
        # own the terminal takes no case (`intake.identity_problem`).
        identity = resolve_identity(config, paths.data_dir)
        config = identity.config
        self._identity_problem = identity.problem
        self.config = config
        self.paths = paths
        self.store = store
        self.clock = clock
        self.notices: list[str] = []
        if store.recovered_from is not None:
            self.notices.append(
                f"本机数据库已损坏，已移至 {store.recovered_from.name} 保存（未删除），并已新建数据库。"
                "请联系管理员处理旧文件。"
            )
            salvaged = store.salvaged
            if salvaged is not None and salvaged.pending:
                self.notices.append(f"已从损坏的数据库中恢复 {salvaged.pending} 条待上传记录，将重新上传。")
            if salvaged is not None and salvaged.rebuilt:
                self.notices.append(f"其中 {salvaged.rebuilt} 件办件的上传记录已损坏，已根据办件内容重建。")
            if salvaged is not None and salvaged.dead_lettered:
                self.notices.append(
                    f"{salvaged.dead_lettered} 件办件的上传记录已损坏且无法核对，已转入异常记录，"
                    "请管理员在“管理 → 被平台拒收的记录”中处理。"
                )
            if salvaged is not None and salvaged.jumped:
                self.notices.append("部分编号计数无法读取，新办件编号已跳号以避免重复（如 50001 起）。")
        self.status = StatusService(
            queue_depth=store.outbox.depth,
            dead_letters=lambda: len(store.outbox.dead_letters()),
            platform_configured=not config.offline,
            parent=parent,
        )
        self.staff = StaffService(store=store, clock=clock, parent=parent)
        self._sync_settings = sync_settings
        self._parent = parent
        self._tier2: _Tier2 | None = None
        self._licences: LicenceService | None = None
        self._sync_open = True
        self._unwatch_network: Callable[[], None] | None = None

    # --- the second tier, built on first use -------------------------------------------------------------------

    def build_services(self) -> None:
        """Build every service the sign-in page does not need (once; later calls do nothing)."""
        self._services()

    @property
    def services_built(self) -> bool:
        return self._tier2 is not None

    def _services(self) -> _Tier2:
        if self._tier2 is None:
            self._tier2 = _Tier2(self, self._sync_settings, self._parent)
        return self._tier2

    @property
    def catalogue(self) -> CatalogueService:
        return self._services().catalogue

    @property
    def ratings(self) -> RatingService:
        return self._services().ratings

    @property
    def reports(self) -> ReportService:
        return self._services().reports

    @property
    def receipts(self) -> ReceiptService:
        return self._services().receipts

    @property
    def intake(self) -> IntakeService:
        return self._services().intake

    @property
    def case_list(self) -> CaseListService:
        return self._services().case_list

    @property
    def devices(self) -> DeviceService:
        return self._services().devices

    @property
    def retention(self) -> RetentionService:
        return self._services().retention

    @property
    def sync(self) -> SyncService:
        return self._services().sync

    @property
    def kiosk(self) -> KioskService:
        return self._services().kiosk

    @property
    def licences(self) -> LicenceService:
        """电子证照 lookups (issue 18): built on first use; its HTTP client on its own worker thread."""
        if self._licences is None:
            from app.services.licences import LicenceService, client_factory

            self._licences = LicenceService(client_factory=client_factory(self.config, self.paths), parent=self._parent)
        return self._licences

    def start(self) -> None:
        """Start the upload thread and listen to network reachability (call once the window is shown)."""
        self.sync.start()
        if self._unwatch_network is None:
            self._unwatch_network = watch_network(self.sync.network_changed)

    def _on_enrolment_finished(self, ok: bool, _message: str) -> None:
        """From now on number cases (and sign ratings and receipts) with the identity the platform assigned."""
        if not ok:
            return
        from app.sync.credentials import resolve_identity

        identity = resolve_identity(self.config, self.paths.data_dir)
        config = identity.config
        self._identity_problem = identity.problem
        if config is not self.config:
            self.config = config
            for service in (self.ratings, self.receipts, self.reports, self.kiosk):
                service.use_config(config)
        self.intake.use_config(config, identity_problem=identity.problem)

    def _on_sync_status(self, status: SyncStatus) -> None:
        if not self._sync_open:  # the worker's last report arrives after close(): the store is gone
            return
        self.status.set_online(bool(status.online))
        self.status.set_last_error(status.last_error)
        self.status.refresh()

    def _on_cases_updated(self) -> None:
        if self._sync_open:
            self.case_list.notify_changed()

    def _staff_name(self, staff_no: str) -> str:
        """The clerk's display name for the citizen screen ("" when the staff list does not know them)."""
        return display_name_of(self.store, staff_no)

    def close(self) -> None:
        tier2 = self._tier2
        self._sync_open = False
        services: list[QObject] = [self.status, self.staff]
        if self._licences is not None:
            self._licences.close()
        if tier2 is not None:
            tier2.intake.flush_draft()  # the last keystrokes before closing are not lost
            # The upload thread ends after the request in flight (bounded); a batch it could not finish stays
            # pending.
            if self._unwatch_network is not None:
                self._unwatch_network()
                self._unwatch_network = None
            if not tier2.sync.stop():
                log.warning("sync thread still busy at close; its unanswered batch is sent again at the next start")
            # A print in flight records its outcome through the store: let it finish (bounded) before closing.
            if not tier2.receipts.wait_for_idle(10_000):
                log.warning("closing with a print job still running; its outcome will not be recorded")
            tier2.guide_printer.wait_for_idle(10_000)
            services += [tier2.ratings, tier2.intake, tier2.catalogue, tier2.devices, tier2.retention, tier2.kiosk]
            # A purge in progress writes through its own connection: let it finish (bounded) before closing.
            if not tier2.retention.wait(30.0):
                log.warning("closing with a retention purge still running; it runs again at the next start")
            # The search index may still be building on its worker: it signals the catalogue service when done. No
            # build starts after this (the delayed start is cancelled), and a replaced catalogue's build is waited
            # for too: no worker outlives the terminal.
            if not tier2.catalogue.close(10.0):
                log.warning("catalogue search index still building at close")
        # Nothing scheduled may reach the closed store: the status refresh, the rating timeout (an open request
        # stays pending and is asked again at the next start, never turned into 未评价 here), the idle sign-out.
        for service in services:
            for timer in service.findChildren(QTimer):
                timer.stop()
        self.store.close()


def watch_network(on_change: Callable[[bool], None]) -> Callable[[], None] | None:
    """Call `on_change(reachable)` when the OS reports a reachability change; returns the function that stops
    watching, or None when this system has no reachability backend.

    Local and site reachability count as reachable: a hall's platform is often on the government intranet.
    """
    from PySide6.QtNetwork import QNetworkInformation

    try:
        loaded = QNetworkInformation.loadDefaultBackend()
    except RuntimeError:  # no backend plugin for this platform
        loaded = False
    info = QNetworkInformation.instance() if loaded else None
    if info is None:
        log.info("no network-reachability backend; sync relies on its timer")
        return None
    unreachable = (QNetworkInformation.Reachability.Disconnected, QNetworkInformation.Reachability.Unknown)

    def changed(reachability: QNetworkInformation.Reachability) -> None:
        on_change(reachability not in unreachable)

    info.reachabilityChanged.connect(changed)

    def unwatch() -> None:
        info.reachabilityChanged.disconnect(changed)

    return unwatch


def open_terminal(
    *,
    config: Config,
    paths: AppPaths,
    clock: Clock = utc_now,
    sync_settings: EngineSettings | None = None,
    parent: QObject | None = None,
) -> Terminal:
    """Open the store and build the services. Raises `offline_cache.StoreError` (with a Chinese message)."""
    paths.ensure()
    store = open_store(paths.database, clock=clock)
    if store.recovered_from is not None:
        log.error("database failed its check and was moved aside to %s; a fresh one was started", store.recovered_from)
    try:
        return Terminal(
            config=config, paths=paths, store=store, clock=clock, sync_settings=sync_settings, parent=parent
        )
    except BaseException:
        store.close()
        raise


__all__ = ["StoreError", "Terminal", "open_terminal"]
