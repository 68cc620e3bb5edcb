"""The terminal's services, built once at start and handed to the windows.

`open_terminal` opens the GUI thread's store connection (checking and, if needed, recovering the file), loads the
catalogue and creates each service. Windows receive the `Terminal` and talk only to its services (ARCHITECTURE.md).
Each later service (intake, receipts, ratings, sync) is created here, in one place, so that tests, the CLI and
the GUI wire the same objects the same way.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

from app.config import Config
from app.paths import AppPaths
from app.services.case_list import CaseListService
from app.services.catalogue import CatalogueService
from app.services.devices import DeviceService, simulated_devices
from app.services.intake import IntakeService
from app.services.ratings import RatingService
from app.services.receipts import ReceiptService, pdf_dir_for
from app.services.report import ReportService
from app.services.staff import StaffService
from app.services.status import StatusService
from offline_cache import Store, StoreError, open_store

log = logging.getLogger("tongban.services")

Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Terminal:
    """Owns the GUI thread's store connection and every service. Close it when the window closes.

    Attributes: `config`, `paths`, `store` (GUI-thread connection; services use it, widgets never do),
    `catalogue`, `status`, `ratings` (好差评), `reports` (日结), `staff` (sign-in), `receipts`, `intake`,
    `case_list` (today's cases), `devices` (ID card reader and document camera), and `notices`: plain-Chinese
    messages the window shows once at start (e.g. the database was damaged and moved aside).
    """

    def __init__(
        self,
        *,
        config: Config,
        paths: AppPaths,
        store: Store,
        clock: Clock = utc_now,
        parent: QObject | None = None,
    ) -> None:
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
        self.catalogue = CatalogueService(paths.data_dir, parent=parent)
        self.status = StatusService(
            queue_depth=store.outbox.depth,
            dead_letters=lambda: len(store.outbox.dead_letters()),
            platform_configured=not config.offline,
            parent=parent,
        )
        self.ratings = RatingService(
            store=store, config=config, clock=clock, staff_names=self._staff_name, parent=parent
        )
        self.reports = ReportService(store=store, config=config, clock=clock, parent=parent)
        self.staff = StaffService(store=store, clock=clock, parent=parent)
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
        self.case_list = CaseListService(store=store, clock=clock, parent=parent)
        self.intake.case_submitted.connect(self.case_list.notify_changed)
        self.intake.case_submitted.connect(self.status.refresh)
        self.intake.case_updated.connect(self.case_list.notify_changed)
        self.intake.case_updated.connect(self.status.refresh)
        # Every committed record changes the outbox: the status bar's queue depth follows.
        self.ratings.rating_saved.connect(self.status.refresh)
        self.receipts.printed.connect(self.status.refresh)
        self.receipts.failed.connect(self.status.refresh)
        self.devices: DeviceService = simulated_devices(paths.data_dir, parent=parent)
        self._run_retention()

    def _run_retention(self) -> None:
        """At start: purge personal data past retention and drafts older than the retention period."""
        try:
            report = self.store.purge_personal_data(self.clock(), self.config.retention_days)
        except StoreError as exc:  # the terminal still works; the next start tries again
            log.warning("retention purge failed at start: %s", exc.code)
            return
        if report.drafts:
            log.info("retention: %d stale draft(s) deleted", report.drafts)

    def _staff_name(self, staff_no: str) -> str:
        """The clerk's display name for the citizen screen ("" when the staff list does not know them)."""
        staff = getattr(self.store, "staff", None)
        member = staff.get(staff_no) if staff is not None else None
        return str(getattr(member, "display_name", "") or "")

    def close(self) -> None:
        self.intake.flush_draft()  # the last keystrokes before closing are not lost
        # A print in flight records its outcome through the store: let it finish (bounded) before closing.
        if not self.receipts.wait_for_idle(10_000):
            log.warning("closing with a print job still running; its outcome will not be recorded")
        # Nothing scheduled may reach the closed store: the status refresh, the rating timeout (an open request
        # stays pending and is asked again at the next start, never turned into 未评价 here), the idle sign-out.
        for service in (self.status, self.ratings, self.staff, self.intake, self.catalogue, self.devices):
            for timer in service.findChildren(QTimer):
                timer.stop()
        self.store.close()


def open_terminal(
    *, config: Config, paths: AppPaths, clock: Clock = utc_now, parent: QObject | None = None
) -> Terminal:
    """Open the store and build the services. Raises `offline_cache.StoreError` (with a Chinese message)."""
    paths.ensure()
    store = open_store(paths.database, clock=clock)
    if store.recovered_from is not None:
        log.error("database failed its check and was moved aside to %s; a fresh one was started", store.recovered_from)
    try:
        return Terminal(config=config, paths=paths, store=store, clock=clock, parent=parent)
    except BaseException:
        store.close()
        raise


__all__ = ["StoreError", "Terminal", "open_terminal"]
