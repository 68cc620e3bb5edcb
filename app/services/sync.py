"""SyncService: the sync engine in its own QThread with its own store connection (ARCHITECTURE.md "Threads").

The GUI thread creates the service and calls its slots; the worker owns the engine, its SQLite connection and its
HTTP session, and reports back only by queued signals to bound slots of this service.
"""

from __future__ import annotations

import functools
import logging
import queue
import random
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from app.config import Config
from app.paths import AppPaths
from app.sync.cli_handlers import build_engine
from app.sync.credentials import CredentialsError, CredentialStore
from app.sync.dead_letters import DeadLetter, export_dead_letters, list_dead_letters, retry_dead_letters
from app.sync.engine import EngineSettings, SyncEngine
from app.sync.errors import TOO_MANY_CHECKS, PlatformError, TooManyChecksError
from app.sync.state import UPDATES_CURSOR, get
from app.sync.status import SyncState, SyncStatus
from offline_cache import Store, StoreError, open_store

log = logging.getLogger("tongban.sync")

#: How long `stop()` waits for the worker: one request can take the read timeout (30 s) plus the connect (5 s).
STOP_TIMEOUT_MS = 40_000


class _Worker(QObject):
    """Lives in the sync thread. `run` loops until stopped; it never touches a widget."""

    status_ready = Signal(object)  # SyncStatus
    case_status_ready = Signal(str, object)  # case_no, dict | None (unknown or unreachable) | TOO_MANY_CHECKS
    rotation_done = Signal(bool, str)  # ok, message (Chinese)
    enrolment_done = Signal(bool, str)  # ok, message (Chinese)
    dead_letters_ready = Signal(object)  # list[DeadLetter]
    export_done = Signal(int, str)  # count (-1 on failure), path or Chinese message
    cases_updated = Signal()  # the pull stored case-status changes from the platform
    stopped = Signal()

    def __init__(
        self,
        config: Config,
        paths: AppPaths,
        settings: EngineSettings | None,
        catalogue_sink: Callable[[bytes], object] | None,
    ) -> None:
        super().__init__()
        self._config = config
        self._paths = paths
        self._settings = settings
        self._catalogue_sink = catalogue_sink
        self.stop_event = threading.Event()
        self.wake_event = threading.Event()
        self.requests: queue.SimpleQueue[tuple[str, Any]] = queue.SimpleQueue()
        self.reconnect = threading.Event()
        self._rng = random.Random()
        self._last_progress = 0.0

    @Slot()
    def run(self) -> None:
        try:
            store = open_store(self._paths.database, integrity_check=False, recover_corrupt=False)
        except StoreError as exc:
            log.warning("sync worker cannot open the store: %s", exc.code)
            self.stopped.emit()
            return
        try:
            self._loop(self._build(store))
        except CredentialsError as exc:
            log.warning("sync worker cannot read the device credentials: %s", type(exc).__name__)
        finally:
            store.close()
            self.stopped.emit()

    def _build(self, store: Store) -> SyncEngine:
        return build_engine(
            self._config, self._paths, store, settings=self._settings, catalogue_sink=self._catalogue_sink
        )

    def _loop(self, engine: SyncEngine) -> None:
        idle = engine.settings.idle_poll_s
        while not self.stop_event.is_set():
            engine = self._handle_requests(engine)
            wait = idle
            if engine.client is not None:
                try:
                    cursor = get(engine.store, UPDATES_CURSOR)
                    result = engine.cycle(
                        should_stop=self.stop_event.is_set, progress=functools.partial(self._progress, engine)
                    )
                    wait = result.wait if result.wait > 0 or not result.done else idle
                    # The cursor is stored in the same transaction as the updates: a move means new case states.
                    if get(engine.store, UPDATES_CURSOR) != cursor:
                        self.cases_updated.emit()
                except StoreError as exc:
                    log.warning("sync cycle stopped by a store error: %s", exc.code)
            self.status_ready.emit(engine.status())
            if self.stop_event.is_set():
                break
            if self.wake_event.wait(timeout=max(wait, 0.0)):
                self.wake_event.clear()
                if self.reconnect.is_set():
                    # The first attempt after a reconnect waits a random 0-5 s, so a hall's terminals coming
                    # back together do not hit the platform at the same instant (SYNC_PROTOCOL.md guarantee 6).
                    self.reconnect.clear()
                    self.stop_event.wait(self._rng.uniform(0.0, engine.settings.reconnect_jitter_s))
                engine.resume()
        if engine.client is not None:
            engine.client.close()
        self.status_ready.emit(_stopped(engine.status()))

    def _progress(self, engine: SyncEngine) -> None:
        """After each batch: report the shrinking queue, at most twice a second (the status bar coalesces)."""
        now = time.monotonic()
        if now - self._last_progress >= 0.5:
            self._last_progress = now
            self.status_ready.emit(engine.status())

    def _handle_requests(self, engine: SyncEngine) -> SyncEngine:
        """Requests from the GUI thread; an enrolment replaces the engine (new client, same store)."""
        while True:
            try:
                kind, arg = self.requests.get_nowait()
            except queue.Empty:
                return engine
            if kind == "enrol":
                engine = self._enrol(engine, *arg)
            elif kind == "case":
                self._case(engine, arg)
            elif kind == "rotate":
                self._rotate(engine)
            elif kind == "dead_list":
                self.dead_letters_ready.emit(list_dead_letters(engine.store))
            elif kind == "dead_retry":
                retry_dead_letters(engine.store, arg)
                self.dead_letters_ready.emit(list_dead_letters(engine.store))
            elif kind == "dead_export":
                self._export(engine, arg)

    def _enrol(self, engine: SyncEngine, url: str, code: str) -> SyncEngine:
        from app.sync.client import PlatformClient  # requests (~16 MB): only once there is a platform

        client = PlatformClient(url, None, ca_bundle=self._config.ca_bundle)
        try:
            creds = client.enrol(code.strip())
            CredentialStore(self._paths.data_dir).save(creds)
        except (PlatformError, CredentialsError) as exc:
            self.enrolment_done.emit(False, getattr(exc, "message_zh", "") or "注册失败。")
            return engine
        finally:
            client.close()
        if engine.client is not None:
            engine.client.close()
        new = self._build(engine.store)
        # A replacement PC enrolled as the same terminal continues above the platform's numbers (issue 22).
        new.learn_high_water()
        self.enrolment_done.emit(True, f"已注册：终端 {creds.division}-{creds.hall}-{creds.terminal}")
        return new

    def _export(self, engine: SyncEngine, path: str) -> None:
        try:
            count = export_dead_letters(
                engine.store, Path(path), terminal=engine.terminal or self._config.terminal_code
            )
        except OSError:
            self.export_done.emit(-1, "无法写入导出文件，请检查磁盘和权限。")
            return
        self.export_done.emit(count, path)

    def _case(self, engine: SyncEngine, query: tuple[str, str]) -> None:
        case_no, id_last4 = query
        answer: dict[str, Any] | str | None = None
        if engine.client is not None:
            try:
                answer = engine.case_status(case_no, id_last4=id_last4)
            except TooManyChecksError:
                log.info("case status query refused: too many wrong checks")
                answer = TOO_MANY_CHECKS
            except PlatformError as exc:
                log.info("case status query failed: %s", type(exc).__name__)
        self.case_status_ready.emit(case_no, answer)

    def _rotate(self, engine: SyncEngine) -> None:
        if engine.client is None:
            self.rotation_done.emit(False, "本终端尚未注册到平台。")
            return
        try:
            engine.rotate_key(CredentialStore(self._paths.data_dir).save)
        except (PlatformError, CredentialsError) as exc:
            self.rotation_done.emit(False, getattr(exc, "message_zh", "") or "更换密钥失败。")
            return
        self.rotation_done.emit(True, "密钥已更换。")


def _stopped(status: SyncStatus) -> SyncStatus:
    from dataclasses import replace

    return replace(status, state=SyncState.STOPPED)


class SyncService(QObject):
    """Owns the sync thread. Call `start()` once, `stop()` on exit.

    Signals:
        sync_state_changed(object): a new `SyncStatus` (state, queue depth, oldest pending, dead letters, last
            success, last error in Chinese, unsynced warning) after every cycle.
        case_status_received(str, object): the answer to `query_case(case_no)`: a dict with `status` and
            `history`, None when the platform does not know the case or cannot be reached, or `TOO_MANY_CHECKS`
            when the platform refuses a checked query after too many wrong checks (of that case or this device).
        key_rotation_finished(bool, str): the result of `rotate_key()` and a Chinese message.
        enrolment_finished(bool, str): the result of `enrol(url, code)` and a Chinese message; on success the
            worker syncs with the new credentials at once.
        dead_letters_listed(object): a list of `app.sync.dead_letters.DeadLetter` (after `list_dead_letters()` or
            `retry_dead_letters()`), each with the platform's reason in Chinese; no personal data.
        dead_letters_exported(int, str): how many were written and the path (-1 and a Chinese message on failure).
        cases_updated(): case-status changes pulled from the platform were stored (today's cases may differ).
        stopped(): the worker has finished (after `stop()`).
    """

    sync_state_changed = Signal(object)
    case_status_received = Signal(str, object)
    key_rotation_finished = Signal(bool, str)
    enrolment_finished = Signal(bool, str)
    dead_letters_listed = Signal(object)
    dead_letters_exported = Signal(int, str)
    cases_updated = Signal()
    stopped = Signal()

    def __init__(
        self,
        *,
        config: Config,
        paths: AppPaths,
        settings: EngineSettings | None = None,
        catalogue_sink: Callable[[bytes], object] | None = None,
        parent: QObject | None = None,
    ) -> None:
        """`catalogue_sink` is called on the sync thread with validated catalogue bytes (e.g. the thread-safe
        `CatalogueService.replace`); it may raise CatalogueError to refuse them."""
        super().__init__(parent)
        self._thread = QThread()
        self._thread.setObjectName("tongban-sync")
        self._worker = _Worker(config, paths, settings, catalogue_sink)
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        self._worker.status_ready.connect(self._on_status)
        self._worker.case_status_ready.connect(self._on_case_status)
        self._worker.rotation_done.connect(self._on_rotation)
        self._worker.enrolment_done.connect(self._on_enrolment)
        self._worker.dead_letters_ready.connect(self._on_dead_letters)
        self._worker.export_done.connect(self._on_export)
        self._worker.cases_updated.connect(self.cases_updated)
        self._worker.stopped.connect(self._on_stopped)
        self._status: SyncStatus | None = None

    @property
    def status(self) -> SyncStatus | None:
        """The last status the worker reported (None before the first cycle)."""
        return self._status

    def start(self) -> None:
        if not self._thread.isRunning():
            self._thread.start()

    def stop(self) -> bool:
        """Stop after the request in flight (if any); True when the worker ended within STOP_TIMEOUT_MS.

        Nothing is ever half-applied: a batch result is one transaction, and an unanswered batch simply stays
        pending for the next start.
        """
        if not self._thread.isRunning():
            return True
        self._worker.stop_event.set()
        self._worker.wake_event.set()
        self._thread.quit()
        return bool(self._thread.wait(STOP_TIMEOUT_MS))

    @Slot()
    def sync_now(self) -> None:
        """The 立即同步 button: try now, even while backing off or blocked."""
        self._worker.wake_event.set()

    @Slot()
    def notify_new_record(self) -> None:
        """A record was saved: wake the worker (connect to the services' `case_saved` etc.)."""
        self._worker.wake_event.set()

    @Slot(bool)
    def network_changed(self, online: bool) -> None:
        """Network reachability changed (e.g. from QNetworkInformation): try again soon, with jitter."""
        if online:
            self._worker.reconnect.set()
            self._worker.wake_event.set()

    @Slot()
    def list_dead_letters(self) -> None:
        self._worker.requests.put(("dead_list", None))
        self._worker.wake_event.set()

    def retry_dead_letters(self, record_ids: list[str]) -> None:
        """The administrator's 重新上传: the records go back to the queue (and the list is sent again)."""
        self._worker.requests.put(("dead_retry", list(record_ids)))
        self._worker.wake_event.set()

    @Slot(str)
    def export_dead_letters(self, path: str) -> None:
        """Write the dead letters (personal fields masked) as JSON lines to `path`."""
        self._worker.requests.put(("dead_export", path))
        self._worker.wake_event.set()

    def query_case(self, case_no: str, *, id_last4: str = "") -> None:
        """Ask the platform for one case; the answer comes as `case_status_received`. With `id_last4` the platform
        answers only when the applicant's ID number (or credit code) ends so (else None, as for an unknown case)."""
        self._worker.requests.put(("case", (case_no, id_last4)))
        self._worker.wake_event.set()

    @Slot(str, str)
    def enrol(self, url: str, code: str) -> None:
        """Enrolment from the admin settings: one-time code → credentials stored (keyring or 0600 file)."""
        self._worker.requests.put(("enrol", (url, code)))
        self._worker.wake_event.set()

    @Slot()
    def rotate_key(self) -> None:
        self._worker.requests.put(("rotate", ""))
        self._worker.wake_event.set()

    @Slot(object)
    def _on_status(self, status: SyncStatus) -> None:
        self._status = status
        self.sync_state_changed.emit(status)

    @Slot(str, object)
    def _on_case_status(self, case_no: str, answer: object) -> None:
        self.case_status_received.emit(case_no, answer)

    @Slot(bool, str)
    def _on_rotation(self, ok: bool, message: str) -> None:
        self.key_rotation_finished.emit(ok, message)

    @Slot(bool, str)
    def _on_enrolment(self, ok: bool, message: str) -> None:
        self.enrolment_finished.emit(ok, message)

    @Slot(object)
    def _on_dead_letters(self, letters: object) -> None:
        self.dead_letters_listed.emit(letters)

    @Slot(int, str)
    def _on_export(self, count: int, message: str) -> None:
        self.dead_letters_exported.emit(count, message)

    @Slot()
    def _on_stopped(self) -> None:
        self._thread.quit()
        self.stopped.emit()


#: What the UI may use from the sync layer (ui/ never imports app.sync directly).
__all__ = ["TOO_MANY_CHECKS", "DeadLetter", "SyncService", "SyncState", "SyncStatus"]
