"""The sync engine: drains the outbox, uploads blobs, pulls catalogue and case updates, reconciles. No Qt.

One engine owns one store connection and one platform client, and is driven from one thread (the sync worker or
the CLI). Time is injected (`clock` for stored times, `sleep` for waiting), so backoff tests never wait for real.

Outcomes follow SYNC_PROTOCOL.md "Terminal side": one local transaction per batch result; permanent rejections go
to the dead letters with their dependants; a batch that keeps failing as a whole is halved until the poison record
is isolated; nothing is ever marked sent without a per-record ack.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import random
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from app.domain import hall_time
from app.protocol import MAX_BATCH_BYTES, MAX_BATCH_RECORDS, MAX_MISSING_IDS, RecordKind, ResultStatus
from app.sync import state as meta
from app.sync.backoff import full_jitter
from app.sync.credentials import CredentialsError
from app.sync.errors import (
    AuthFailedError,
    BatchRefusedError,
    BusyError,
    ClockSkewError,
    CursorGoneError,
    NetworkError,
    NotFoundError,
    PlatformError,
    RevokedError,
    ServerError,
    TransientError,
    UpgradeRequiredError,
)
from app.sync.snapshot import read_sync_status
from app.sync.status import BLOCKED_STATES, SyncState, SyncStatus
from offline_cache import Store, StoreError, numbering
from offline_cache.licence_checks import LicenceCheck
from offline_cache.outbox import OutboxEntry
from offline_cache.session import iso

#: The platform's answer to a case whose number another case owns (SYNC_PROTOCOL.md revisions).
CASE_NO_TAKEN = "case_no_taken"

if TYPE_CHECKING:  # requests and the catalogue's validation load when the engine first talks to the platform
    from app.sync.client import PlatformClient

log = logging.getLogger("tongban.sync")

ORPHAN_TIMEOUT = "orphan_timeout"
#: Dead-letter reason of a record whose scan is gone here and not held by the platform (issue 22).
MISSING_SCAN = "missing_scan"
#: `retry_later` code of a case whose referenced scans the platform does not hold.
BLOB_MISSING = "blob_missing"
#: The platform's answer to a record whose terminal_seq another record of this terminal holds.
TERMINAL_SEQ_TAKEN = "terminal_seq_taken"
#: The platform's timestamp window; a clock further off than this is shown as wrong.
#: Why a reconciliation ran (the log and `status --json` say which).
RECONCILE_DAILY = "daily"
RESTORE_CURSOR_GONE = "cursor_gone"  # the updates cursor is ahead of (or older than) the platform's log
RESTORE_COUNT_BELOW_SENT = "count_below_sent"  # the platform holds fewer of our records than we sent
RESTORE_INSTANCE_CHANGED = "instance_changed"  # the platform's instance id changed (marked as restored)
SERVER_ERROR_PERSISTENT = "server_error_persistent"
#: The `/healthz` feature of a platform that takes `assist` records (帮办, issue 18).
FEATURE_ASSIST = "assist"
_RETRY_LATER_RE = re.compile(r"^retry_later:(?P<code>[^@]*)@(?P<since>\S+)$")


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class EngineSettings:
    """Thresholds of the protocol; tests shorten them."""

    batch_records: int = MAX_BATCH_RECORDS
    batch_bytes: int = MAX_BATCH_BYTES
    backoff_base_s: float = 1.0
    backoff_cap_s: float = 300.0
    bisect_after: int = 3  # the same batch failing this often as a whole is halved
    persistent_failures: int = 10  # a lone record failing this often ...
    persistent_window: dt.timedelta = dt.timedelta(hours=24)  # ... over at least this long goes dead
    orphan_timeout: dt.timedelta = dt.timedelta(hours=72)
    auth_failures_to_block: int = 3
    revoked_probe_s: float = 15 * 60.0
    upgrade_probe_s: float = 60 * 60.0
    reconnect_jitter_s: float = 5.0
    idle_poll_s: float = 60.0  # the timer wake-up when nothing is due
    pull_interval_s: float = 300.0  # catalogue and updates
    reconcile_interval: dt.timedelta = dt.timedelta(hours=24)
    updates_limit: int = 500
    unsynced_warning: dt.timedelta = dt.timedelta(minutes=120)


@dataclass
class DrainReport:
    """What one `drain()` did; `error` is the last failure's Chinese message (empty when none)."""

    batches: int = 0
    sent: int = 0
    duplicates: int = 0
    dead: int = 0
    retry_later: int = 0
    failures: int = 0
    blobs_uploaded: int = 0
    error: str = ""
    blocked: SyncState | None = None

    def merge(self, other: DrainReport) -> None:
        for name in ("batches", "sent", "duplicates", "dead", "retry_later", "failures", "blobs_uploaded"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        if other.error:
            self.error = other.error
        if other.blocked is not None:
            self.blocked = other.blocked


@dataclass
class _Suspect:
    first_failure: dt.datetime
    first_failure_mono: float
    failures: int = 0


@dataclass
class _Backoff:
    """Consecutive failures and when the next attempt may go."""

    failures: int = 0
    not_before: float = 0.0  # monotonic


@dataclass
class StepResult:
    """One batch attempt: `wait` seconds before the next one (0 = go on), `done` when nothing was due."""

    done: bool = False
    wait: float = 0.0
    report: DrainReport = field(default_factory=DrainReport)


class SyncEngine:
    def __init__(
        self,
        store: Store,
        client: PlatformClient | None,
        *,
        terminal: str = "",
        settings: EngineSettings | None = None,
        clock: Callable[[], dt.datetime] = utc_now,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        on_catalogue: Callable[[bytes], object] | None = None,
        on_status: Callable[[SyncStatus], None] | None = None,
        reload_credentials: Callable[[], Any] | None = None,
        save_credentials: Callable[[Any], None] | None = None,
    ) -> None:
        """`reload_credentials` returns the stored credentials: after a 401, a key rotated or re-enrolled by
        another process (`tongban rotate-key`) is picked up instead of counting towards `auth_blocked`.
        `save_credentials` persists credentials: a key rotation interrupted before its promoted key was saved is
        finished with it (on the first step and on a 401, `finish_rotation`)."""
        self.store = store
        self.client = client
        self.terminal = terminal or (client.credentials.terminal if client and client.credentials else "")
        self.settings = settings or EngineSettings()
        self._clock = clock
        self._mono = monotonic
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._on_catalogue = on_catalogue
        self._on_status = on_status
        self._reload_credentials = reload_credentials
        self._save_credentials = save_credentials
        self._rotation_checked = False
        self._limit = self.settings.batch_records
        self._server_failures = 0  # consecutive whole-batch 5xx/400/413 answers
        self._auth_failures = 0
        self._backoff = _Backoff()
        self._suspects: dict[str, _Suspect] = {}
        self._last_success_mono: float | None = None
        self._state = SyncState.NOT_ENROLLED if client is None else SyncState.IDLE
        self._online: bool | None = None
        self._server_time: float | None = None
        self._blocked_key: str | None = None
        self._blocked_until = 0.0
        self._last_pull = -1e18
        #: Why the platform looks restored from a backup (issue 20): reconcile in this pass. None when not.
        self._restore_reason: str | None = None
        self._held: tuple[str, ...] = ()  # record kinds the platform does not take yet (waiting, not dead)
        self._features_at: float | None = None  # monotonic time the platform's features were last asked
        self.attempt_log: list[float] = []  # monotonic time of each batch POST (for tests and the bench)
        if client is not None:
            offset = meta.get(store, meta.CLOCK_OFFSET)
            if offset:
                client.clock_offset = float(offset)
            self._restore_blocked()

    # --- status ---------------------------------------------------------------------------------------------

    @property
    def state(self) -> SyncState:
        return self._state

    def status(self) -> SyncStatus:
        wait = max(0.0, self._backoff.not_before - self._mono()) if self._backoff.failures else None
        return read_sync_status(
            self.store.conn,
            now=self._clock(),
            unsynced_warning=self.settings.unsynced_warning,
            state=self._state,
            online=self._online,
            server_time=self._server_time,
            next_attempt_in=wait,
            clock_offset=self.client.clock_offset if self.client else 0.0,
        )

    def _set_state(self, new: SyncState) -> None:
        changed = new != self._state
        self._state = new
        if changed and self._on_status is not None:
            self._on_status(self.status())

    def _note_error(self, message_zh: str) -> None:
        meta.set_many(self.store, {meta.LAST_ERROR: message_zh, meta.LAST_ERROR_AT: iso(self._clock())})

    # --- blocked states (revoked, auth, upgrade) --------------------------------------------------------------

    def _key_id(self) -> str:
        creds = self.client.credentials if self.client else None
        return creds.key_id if creds else ""

    def _restore_blocked(self) -> None:
        raw = meta.get(self.store, meta.BLOCKED)
        if not raw:
            return
        name, _, key_id = raw.partition("|")
        if key_id != self._key_id():  # re-enrolled or rotated since: try again
            meta.set_many(self.store, {meta.BLOCKED: None})
            return
        try:
            self._block(SyncState(name), persist=False)
        except ValueError:
            meta.set_many(self.store, {meta.BLOCKED: None})

    def _block(self, new: SyncState, *, persist: bool = True) -> None:
        self._blocked_key = self._key_id()
        probe = self.settings.upgrade_probe_s if new == SyncState.UPGRADE_REQUIRED else self.settings.revoked_probe_s
        self._blocked_until = self._mono() + probe
        if persist:
            meta.set_many(self.store, {meta.BLOCKED: f"{new.value}|{self._blocked_key}"})
        self._set_state(new)

    def _unblock(self) -> None:
        if self._state in BLOCKED_STATES:
            meta.set_many(self.store, {meta.BLOCKED: None})
            self._set_state(SyncState.IDLE)
        self._blocked_key = None
        self._auth_failures = 0

    def blocked_wait(self) -> float | None:
        """Seconds until the next probe while blocked; None when not blocked (or the key changed)."""
        if self._state not in BLOCKED_STATES:
            return None
        if self._key_id() != self._blocked_key:
            self._unblock()
            return None
        return max(0.0, self._blocked_until - self._mono())

    def update_credentials(self, creds: Any) -> None:
        """New credentials (re-enrolment or rotation done elsewhere): a block tied to the old key lifts."""
        assert self.client is not None
        self.client.credentials = creds
        self.terminal = creds.terminal
        self.blocked_wait()

    def resume(self) -> None:
        """`sync now` from the UI: probe once even while blocked or backing off."""
        self._backoff.not_before = 0.0
        self._blocked_until = 0.0

    # --- drain ---------------------------------------------------------------------------------------------

    def drain(
        self, *, max_seconds: float | None = None, max_failures: int | None = None, wait_scheduled: bool = False
    ) -> DrainReport:
        """Send batches until nothing is due, sleeping through backoff (with the injected `sleep`).

        With `wait_scheduled`, records rescheduled for later (retry_later, a suspect record) are waited for too,
        until the queue is empty. Stops early on a blocked state, after `max_failures` consecutive failures, or
        once `max_seconds` would be passed.
        """
        report = DrainReport()
        started = self._mono()
        failures_in_row = 0
        while True:
            step = self.step()
            report.merge(step.report)
            if step.done and wait_scheduled and self._waiting():
                step = StepResult(wait=max(self._next_due_in(), 0.001))
            elif step.done or step.report.blocked is not None:
                return report
            if step.report.failures:
                failures_in_row += 1
            elif step.report.batches:
                failures_in_row = 0
            if max_failures is not None and failures_in_row >= max_failures:
                return report
            if max_seconds is not None and self._mono() - started + step.wait > max_seconds:
                return report
            if step.wait > 0:
                self._sleep(step.wait)

    def step(self) -> StepResult:
        """At most one batch attempt. Never sleeps; says how long to wait before the next."""
        if self.client is None:
            self._set_state(SyncState.NOT_ENROLLED)
            return StepResult(done=True)
        blocked = self.blocked_wait()
        if blocked is not None and blocked > 0:
            return StepResult(wait=blocked, report=DrainReport(blocked=self._state))
        # (blocked with the probe time reached: fall through and try once)
        if not self._rotation_checked:
            self._rotation_checked = True
            self.finish_rotation()
        wait = self._backoff.not_before - self._mono()
        if wait > 0:
            return StepResult(wait=wait)
        if self.client.asks_features_first and self._due_now():
            failed = self._ask_features_first()
            if failed is not None:
                return failed
        entries = self._pending()
        if not entries:
            # Nothing to send. Offline stays offline until a pull reaches the platform again (cycle()).
            if self._state not in BLOCKED_STATES and not (self._state is SyncState.OFFLINE and self._online is False):
                self._set_state(SyncState.IDLE)
            return StepResult(done=True)
        if self._state not in BLOCKED_STATES:
            self._set_state(SyncState.SYNCING)
        return self._send(_isolate_suspects(entries, self._suspects))

    def _due_now(self) -> bool:
        """Whether a record is due (read from the schedule columns only: nothing is decrypted)."""
        now = self._clock()
        due = self.store.outbox.next_due_at(now, self._horizon())
        return due is not None and due <= now

    def _ask_features_first(self) -> StepResult | None:
        """`/healthz` before the batch is read. The client asks it before its first batch anyway (gzip, and the
        engine for `assist`); asked here, ahead of reading and decrypting the batch, a dead network fails the step
        at once and costs one connect timeout, not two (a failed probe used to be followed by the batch, sent
        plain). Any other failure (the platform answered, /healthz did not) leaves the batch to go plain, as before.
        Returns the failed step, or None to go on."""
        assert self.client is not None
        try:
            self.client.health()
        except NetworkError as exc:
            return self._batch_failed([], exc, DrainReport())
        except PlatformError as exc:
            log.info("/healthz failed before a batch (%s): the batch goes plain", type(exc).__name__)
        else:
            self._features_at = self._mono()
        return None

    def _pending(self) -> list[OutboxEntry]:
        """The next batch. `assist` records (and their dependants) go only to a platform whose `/healthz` lists the
        `assist` feature; otherwise they wait in the queue, pending (docs/decisions.md)."""
        outbox, now = self.store.outbox, self._clock()
        entries = outbox.pending(self._limit, self.settings.batch_bytes, due_at=now, horizon=self._horizon())
        self._held = ()
        if any(e.kind is RecordKind.ASSIST for e in entries) and not self._platform_lists(FEATURE_ASSIST):
            self._held = (RecordKind.ASSIST.value,)
            entries = outbox.pending(
                self._limit, self.settings.batch_bytes, due_at=now, horizon=self._horizon(), hold_kinds=self._held
            )
        return entries

    def _platform_lists(self, feature: str) -> bool:
        """Whether the platform lists `feature`: asked on first need and again after `pull_interval_s`."""
        assert self.client is not None
        mono = self._mono()
        known = self._features_at is not None and mono - self._features_at < self.settings.pull_interval_s
        listed = self.client.lists_feature(feature, refresh=not known)
        if not known:
            self._features_at = mono
            if not listed:
                log.info("the platform does not list the %r feature: those records wait in the queue", feature)
        return listed

    def _send(self, entries: list[OutboxEntry]) -> StepResult:
        assert self.client is not None
        report = DrainReport(batches=1)
        try:
            report.blobs_uploaded, lost = self._upload_blobs(entries)
            if lost:
                entries = self._without_lost_scans(entries, lost, report)
                if not entries:
                    return StepResult(report=report)
            envelopes = [e.envelope(self.terminal) for e in entries]
            answer = self._post(envelopes)
        except PlatformError as exc:
            return self._batch_failed(entries, exc, report)
        self._apply(entries, answer["results"], report)
        self._on_batch_success()
        return StepResult(report=report)

    def _post(self, envelopes: list[dict[str, Any]]) -> dict[str, Any]:
        assert self.client is not None
        self.attempt_log.append(self._mono())
        try:
            return self.client.post_batch(envelopes)
        except ClockSkewError as exc:
            self._correct_clock(exc.server_time)
            self.attempt_log.append(self._mono())
            return self.client.post_batch(envelopes)  # once, at once, with the corrected offset

    def _correct_clock(self, server_time: float) -> None:
        assert self.client is not None
        offset = server_time - (self.client.now() - self.client.clock_offset)
        self.client.clock_offset = offset
        self._server_time = server_time
        meta.set_many(self.store, {meta.CLOCK_OFFSET: f"{offset:.3f}"})
        log.info("clock offset corrected by %.0f s from the platform's time", offset)
        if abs(offset) > 300:
            self._note_error(f"本机时钟与平台相差约 {abs(offset) / 60:.0f} 分钟，已自动校正，请校准系统时间。")

    def _on_batch_success(self) -> None:
        self._server_failures = 0
        self._auth_failures = 0
        self._backoff = _Backoff()
        self._online = True
        if self._state in BLOCKED_STATES:
            self._unblock()
        self._last_success_mono = self._mono()  # the stored last-success time went in with the batch result

    def _schedule_backoff(self, retry_after: float | None = None) -> float:
        s = self.settings
        delay = full_jitter(self._backoff.failures, base=s.backoff_base_s, cap=s.backoff_cap_s, rng=self._rng)
        if retry_after is not None:
            delay = max(delay, retry_after)
        self._backoff.failures += 1
        self._backoff.not_before = self._mono() + delay
        return delay

    def _batch_failed(  # noqa: PLR0911 -- one return per protocol outcome
        self, entries: list[OutboxEntry], exc: PlatformError, report: DrainReport
    ) -> StepResult:
        report.failures = 1
        report.error = exc.message_zh
        self._note_error(exc.message_zh)
        log.info("%s failed: %s", f"batch of {len(entries)}" if entries else "/healthz before a batch", exc)
        if isinstance(exc, RevokedError):
            self._online = True
            self._block(SyncState.REVOKED)
            report.blocked = SyncState.REVOKED
            log.warning("device revoked by the platform: sync stopped, queue kept (%d pending)", len(entries))
            return StepResult(report=report)
        if isinstance(exc, UpgradeRequiredError):
            self._online = True
            self._block(SyncState.UPGRADE_REQUIRED)
            report.blocked = SyncState.UPGRADE_REQUIRED
            log.warning("platform requires an upgrade: sync paused, queue kept")
            return StepResult(report=report)
        if isinstance(exc, AuthFailedError) and (self._credentials_changed() or self.finish_rotation()):
            return StepResult(report=report)  # signed with a key that was replaced meanwhile: go again at once
        if isinstance(exc, ClockSkewError | AuthFailedError):
            self._online = True
            self._auth_failures += 1
            if isinstance(exc, ClockSkewError):
                self._server_time = exc.server_time
                self._set_state(SyncState.CLOCK_SKEW)
            if self._auth_failures >= self.settings.auth_failures_to_block:
                self._block(SyncState.AUTH_BLOCKED)
                report.blocked = SyncState.AUTH_BLOCKED
                log.warning("authentication failed %d times in a row: sync stopped", self._auth_failures)
                return StepResult(report=report)
            return StepResult(wait=self._schedule_backoff(), report=report)
        if isinstance(exc, ServerError | BatchRefusedError) and not isinstance(exc, BusyError):
            self._online = True
            self._server_failures += 1
            if len(entries) == 1:
                report.dead += self._lone_failure(entries[0], exc)
                self._limit = self.settings.batch_records
                self._server_failures = 0
                return StepResult(wait=self._schedule_backoff(), report=report)
            refused = isinstance(exc, BatchRefusedError)
            if (
                refused
                or self._limit < self.settings.batch_records
                or (self._server_failures >= self.settings.bisect_after)
            ):
                self._limit = max(1, len(entries) // 2)
                log.info("bisecting: next batch holds %d record(s)", self._limit)
            if refused:
                return StepResult(report=report)
            return StepResult(wait=self._schedule_backoff(getattr(exc, "retry_after", None)), report=report)
        if isinstance(exc, TransientError):
            self._online = not isinstance(exc, NetworkError)
            self._set_state(SyncState.OFFLINE if isinstance(exc, NetworkError) else SyncState.BACKOFF)
            return StepResult(wait=self._schedule_backoff(exc.retry_after), report=report)
        self._set_state(SyncState.BACKOFF)
        return StepResult(wait=self._schedule_backoff(), report=report)

    def _credentials_changed(self) -> bool:
        if self._reload_credentials is None or self.client is None:
            return False
        try:
            stored = self._reload_credentials()
        except CredentialsError:  # unreadable credentials: keep what we have; the failure counts as usual
            log.info("stored credentials could not be reloaded")
            return False
        current = self.client.credentials
        if stored is None or current is None or stored.key_id == current.key_id:
            return False
        log.info("credentials changed on disk: using the new key")
        self.update_credentials(stored)
        return True

    def _lone_failure(self, entry: OutboxEntry, exc: PlatformError) -> int:
        """A batch of one record failed as a whole: count it; dead only if it keeps failing while others pass."""
        now = self._clock()
        suspect = self._suspects.setdefault(
            entry.record_id, _Suspect(first_failure=now, first_failure_mono=self._mono())
        )
        suspect.failures += 1
        s = self.settings
        # Blame the record only if some other batch went through since it first failed alone.
        others_succeeded = self._last_success_mono is not None and self._last_success_mono > suspect.first_failure_mono
        if (
            suspect.failures >= s.persistent_failures
            and now - suspect.first_failure >= s.persistent_window
            and others_succeeded
        ):
            dead = self.store.outbox.mark_dead(entry.record_id, SERVER_ERROR_PERSISTENT)
            self._suspects.pop(entry.record_id, None)
            log.warning("record %s quarantined after %d whole-batch failures", entry.record_id, suspect.failures)
            if len(dead) > 1:
                log.warning("%d dependant record(s) of %s quarantined", len(dead) - 1, entry.record_id)
            return len(dead)
        delay = full_jitter(suspect.failures, base=s.backoff_base_s, cap=s.backoff_cap_s, rng=self._rng)
        self.store.outbox.reschedule(
            entry.record_id,
            next_attempt_at=now + dt.timedelta(seconds=delay),
            error=f"batch_failed:{exc.status or type(exc).__name__}",
        )
        return 0

    # --- results --------------------------------------------------------------------------------------------

    def _apply(self, entries: list[OutboxEntry], results: list[Any], report: DrainReport) -> None:
        """One local transaction for the whole batch result, with the last-success time.

        Everything that needs no database (matching answers to entries, parsing times) is done before
        `BEGIN IMMEDIATE`, and the acks go in as one `executemany`: the GUI's saves wait for this write lock, so
        it is held only for the UPDATEs and the commit.
        """
        now = self._clock()
        outbox = self.store.outbox
        acks: list[tuple[str, str | None, dt.datetime]] = []
        rejected: list[tuple[OutboxEntry, str, str]] = []  # entry, status, code
        later: list[tuple[OutboxEntry, str]] = []
        for entry, result in zip(entries, results, strict=True):
            if not isinstance(result, dict) or result.get("record_id") != entry.record_id:
                continue  # not an answer for this record: it stays pending and is sent again
            status = result.get("status")
            if status in (ResultStatus.ACCEPTED, ResultStatus.DUPLICATE):
                ref = result.get("server_ref")
                acks.append((entry.record_id, ref if isinstance(ref, str) else None, _parse_time(result, now)))
                if status == ResultStatus.DUPLICATE:
                    report.duplicates += 1
                else:
                    report.sent += 1
            elif status in (ResultStatus.CONFLICT, ResultStatus.REJECTED):
                rejected.append((entry, str(status), str(result.get("code") or status)))
            elif status == ResultStatus.RETRY_LATER:
                later.append((entry, str(result.get("code") or "")))
        rejected, high_water = self._seq_taken(rejected)
        with self.store.transaction() as conn:
            self._continue_above(conn, high_water)  # a replacement PC: renumber above what the platform holds
            # Rejections first, as in terminal_seq order: a dependant is always later than its parent, so a
            # parent's rejection makes it dead before its own answer is applied (an ack then changes nothing).
            for entry, status, code in rejected:
                report.dead += len(outbox.mark_dead(entry.record_id, f"{status}:{code}"))
                if code == CASE_NO_TAKEN and isinstance(entry.body.get("case_no"), str):
                    # Another case owns this number on the platform: number on from a clear gap, and say so.
                    case_no = entry.body["case_no"]
                    next_seq = numbering.move_on_after_taken(conn, case_no, today=hall_time.today(now))
                    meta.put(conn, meta.CASE_NO_TAKEN, f"{entry.record_id}|{case_no}|{next_seq}")
                    log.warning(
                        "case number %s is owned by another case on the platform; numbering continues at %05d",
                        case_no,
                        next_seq,
                    )
            for entry, code in later:
                report.retry_later += 1
                report.dead += self._retry_later(entry, code, now)
            outbox.mark_sent_many(acks)
            meta.put(conn, meta.LAST_SUCCESS_AT, iso(now))
            meta.put(conn, meta.LAST_ERROR, None)
        for record_id, _ref, _at in acks:
            self._suspects.pop(record_id, None)
        for entry, _status, code in rejected:
            log.warning("record %s moved to the dead letters: %s", entry.record_id, code)
        log.info(
            "batch of %d: %d accepted, %d duplicate, %d dead, %d retry later",
            len(entries),
            report.sent,
            report.duplicates,
            report.dead,
            report.retry_later,
        )

    # --- a replacement PC enrolled as the same terminal (issue 22) ------------------------------------------------

    def learn_high_water(self) -> bool:
        """Continue above what the platform already holds for this terminal: its highest `terminal_seq` and, per
        day, its highest case number. Called at enrolment, once per device by `cycle()`, and on
        `terminal_seq_taken`. True when learnt (the platform answered)."""
        if self.client is None or self.client.credentials is None:
            return False
        try:
            summary = self.client.summary()
        except PlatformError as exc:
            log.info("could not learn the platform's numbering high-water marks: %s", type(exc).__name__)
            return False
        with self.store.transaction() as conn:
            self._continue_above(conn, summary)
        return True

    def _seq_taken(
        self, rejected: list[tuple[OutboxEntry, str, str]]
    ) -> tuple[list[tuple[OutboxEntry, str, str]], dict[str, Any] | None]:
        """`terminal_seq_taken` means the platform holds that number for another record of this terminal (a fresh
        store on a replacement PC starts at 1): learn the platform's high-water mark; records at or below it stay
        pending and are numbered again above it. Returns the rejections that stand, and the summary to apply."""
        taken = [r for r in rejected if r[2] == TERMINAL_SEQ_TAKEN]
        if not taken or self.client is None:
            return rejected, None
        try:
            summary = self.client.summary()
        except PlatformError as exc:  # not dead for that: sent again (and learnt) on the next attempt
            log.info("terminal_seq_taken, and the high-water mark could not be read: %s", type(exc).__name__)
            return [r for r in rejected if r[2] != TERMINAL_SEQ_TAKEN], None
        floor = summary.get("max_terminal_seq")
        floor = floor if isinstance(floor, int) else 0
        stands = [r for r in rejected if r[2] != TERMINAL_SEQ_TAKEN or r[0].terminal_seq > floor]
        log.warning(
            "%d record(s) numbered at or below the platform's terminal_seq %d: numbered again above it",
            len(rejected) - len(stands),
            floor,
        )
        return stands, summary

    def _continue_above(self, conn: Any, summary: dict[str, Any] | None) -> None:
        creds = self.client.credentials if self.client is not None else None
        if summary is None or creds is None:
            return
        floor = summary.get("max_terminal_seq")
        moved = self.store.outbox.continue_above(conn, floor if isinstance(floor, int) else 0)
        case_seqs = summary.get("case_seqs")
        if isinstance(case_seqs, dict):
            numbering.continue_after(conn, f"{creds.division}{creds.hall}{creds.terminal}", case_seqs)
        meta.put(conn, meta.HIGH_WATER_DEVICE, creds.device_id)
        if moved:
            log.info("%d pending record(s) numbered again above terminal_seq %s", moved, floor)

    def _high_water_due(self) -> bool:
        creds = self.client.credentials if self.client is not None else None
        return creds is not None and meta.get(self.store, meta.HIGH_WATER_DEVICE) != creds.device_id

    def _retry_later(self, entry: OutboxEntry, code: str, now: dt.datetime) -> int:
        if code == BLOB_MISSING:  # the platform lost or never got a scan: HEAD and PUT it again next time
            self.store.blobs.forget_uploaded(list(_blob_refs(entry.body)))
        match = _RETRY_LATER_RE.match(entry.last_error)
        since = dt.datetime.fromisoformat(match.group("since")) if match else now
        if now - since >= self.settings.orphan_timeout:
            dead = self.store.outbox.mark_dead(entry.record_id, ORPHAN_TIMEOUT)
            log.warning("record %s waited for its parent too long: %s", entry.record_id, ORPHAN_TIMEOUT)
            return len(dead)
        s = self.settings
        delay = full_jitter(entry.attempts + 1, base=s.backoff_base_s, cap=s.backoff_cap_s, rng=self._rng)
        self.store.outbox.reschedule(
            entry.record_id, next_attempt_at=now + dt.timedelta(seconds=delay), error=f"retry_later:{code}@{iso(since)}"
        )
        return 0

    # --- blobs ----------------------------------------------------------------------------------------------

    def _without_lost_scans(self, entries: list[OutboxEntry], lost: set[str], report: DrainReport) -> list[OutboxEntry]:
        """A record referencing a scan that neither this terminal nor the platform holds is never sent as if
        complete: it goes to the dead letters (`missing_scan`, with its dependants) and the batch goes on."""
        dead: set[str] = set()
        for entry in entries:
            if entry.record_id in dead or not lost.intersection(_blob_refs(entry.body)):
                continue
            made = self.store.outbox.mark_dead(entry.record_id, MISSING_SCAN)
            dead.update(made)
            report.dead += len(made)
            log.warning("record %s moved to the dead letters: a scan it references is missing", entry.record_id)
        return [e for e in entries if e.record_id not in dead]

    def _upload_blobs(self, entries: list[OutboxEntry]) -> tuple[int, set[str]]:
        """HEAD, then PUT if absent, every attachment the batch references and the platform does not hold yet.

        Returns how many were uploaded and the attachments that could not be: unreadable here, absent there."""
        assert self.client is not None
        wanted: list[str] = []
        for entry in entries:
            for sha in _blob_refs(entry.body):
                if sha not in wanted:
                    wanted.append(sha)
        uploaded = 0
        lost: set[str] = set()
        for sha in self.store.blobs.not_uploaded(wanted):
            if not self.client.head_blob(sha):
                try:
                    data = self.store.blobs.read(sha)
                except StoreError as exc:
                    log.warning(
                        "attachment %s cannot be read locally (%s) and the platform lacks it", sha[:12], exc.code
                    )
                    lost.add(sha)
                    continue
                self.client.put_blob(sha, data)
                uploaded += 1
            self.store.blobs.mark_uploaded(sha)
        return uploaded, lost

    # --- pulls ----------------------------------------------------------------------------------------------

    def pull_catalogue(self) -> bool:
        """Fetch the catalogue if changed; validate before handing it over. True when a new one was taken."""
        assert self.client is not None
        etag = meta.get(self.store, meta.CATALOGUE_ETAG)
        try:
            answer = self.client.get_catalogue(etag)
        except NotFoundError:
            return False
        from app.domain.catalogue import CatalogueError, parse_catalogue
        from app.sync.client import CatalogueSnapshot

        if not isinstance(answer, CatalogueSnapshot):
            return False
        try:
            parse_catalogue(answer.data)
            if self._on_catalogue is not None:
                self._on_catalogue(answer.data)
        except CatalogueError as exc:
            log.warning("catalogue from the platform rejected; the current one stays in use: %s", exc.message_en)
            self._note_error("平台下发的事项目录无效，已继续使用当前目录。")
            return False
        if self._on_catalogue is not None:
            meta.set_many(self.store, {meta.CATALOGUE_ETAG: answer.etag})
        return True

    def pull_updates(self) -> int:
        """Case-status changes by cursor; each page and its `next_cursor` in one transaction. Returns changes seen."""
        assert self.client is not None
        cursor = meta.get(self.store, meta.UPDATES_CURSOR) or ""
        seen = 0
        resynced = False
        while True:
            try:
                page = self.client.get_updates(cursor, self.settings.updates_limit)
            except CursorGoneError:
                if resynced:
                    raise
                log.info("updates cursor is gone on the platform: full resync")
                if cursor:
                    # Ahead of the platform's log (a restore from backup) or older than its pruning: either way,
                    # check at once what it still holds of ours.
                    self._restore_reason = self._restore_reason or RESTORE_CURSOR_GONE
                cursor, resynced = "", True
                continue
            changes = page["changes"]
            with self.store.transaction() as conn:
                for change in changes:
                    self._apply_change(change)
                meta.put(conn, meta.UPDATES_CURSOR, str(page["next_cursor"]))
            seen += len(changes)
            cursor = str(page["next_cursor"])
            if not page.get("has_more"):
                return seen

    def _apply_change(self, change: Any) -> None:
        if not isinstance(change, dict) or change.get("type") != "case_status":
            return
        from app.domain.models import CaseState  # the case models load when a status comes (issue 13: ~20 ms)

        try:
            new_state = CaseState(str(change.get("status")))
        except ValueError:
            return
        case_no = change.get("case_no")
        if isinstance(case_no, str):
            self.store.cases.apply_platform_update(case_no, state=new_state, actor="platform")

    def case_status(self, case_no: str, *, id_last4: str = "") -> dict[str, Any] | None:
        """One case's status and history from the platform (the kiosk's progress query); None when unknown, or
        when `id_last4` is given and the applicant's ID number does not end so."""
        assert self.client is not None
        try:
            return self.client.get_case(case_no, id_last4=id_last4)
        except NotFoundError:
            return None

    # --- reconciliation -------------------------------------------------------------------------------------

    def check_platform_instance(self) -> bool:
        """`/healthz`'s instance id against the one seen before; True (and a reconciliation due) when it changed."""
        assert self.client is not None
        return self._note_instance(self.client.health().get("instance_id"))

    def _note_instance(self, instance: object) -> bool:
        if not isinstance(instance, str) or not instance:
            return False  # an older platform without instance ids
        known = meta.get(self.store, meta.PLATFORM_INSTANCE)
        if known == instance:
            return False
        meta.set_many(self.store, {meta.PLATFORM_INSTANCE: instance})
        if known is None:
            return False
        log.info("the platform's instance id changed (restored from a backup?)")
        self._restore_reason = self._restore_reason or RESTORE_INSTANCE_CHANGED
        return True

    def reconcile(self, reason: str = RECONCILE_DAILY) -> int:
        """Compare what the platform holds with what we hold as sent; requeue what it lost. Returns ids requeued.

        Daily, the ids are checked only when the platform's count is below ours. For a restore sign (`reason`
        other than daily) every kept sent id is checked. What the platform lacks goes back to pending, due now,
        its blobs are checked again before it is sent, and what can no longer be resent (purged past retention)
        is reported in the status and the log.
        """
        assert self.client is not None
        summary = self.client.summary()
        self._note_instance(summary.get("instance_id"))
        if self._restore_reason is not None and reason == RECONCILE_DAILY:
            reason = self._restore_reason
        conn = self.store.conn
        local_sent = int(conn.execute("SELECT count(*) FROM outbox WHERE state = 'sent'").fetchone()[0])
        if reason == RECONCILE_DAILY and summary["records"] < local_sent:
            reason = RESTORE_COUNT_BELOW_SENT
        requeued: list[str] = []
        lost: list[str] = []
        if reason != RECONCILE_DAILY:
            missing: list[str] = []
            for chunk in self._sent_ids(MAX_MISSING_IDS):
                missing += self.client.missing(chunk)
            requeued, lost = self.store.outbox.requeue_missing(missing)
            if requeued:
                self.store.blobs.forget_uploads()
            log.info(
                "reconciliation (%s): platform holds %d records of ours, we sent %d; requeued %d",
                reason,
                summary["records"],
                local_sent,
                len(requeued),
            )
            if lost:
                log.warning(
                    "reconciliation (%s): the platform lacks %d records past retention that cannot be resent: %s",
                    reason,
                    len(lost),
                    ", ".join(lost[:20]),
                )
        self._restore_reason = None
        report = {
            "reason": reason,
            "requeued": len(requeued),
            "lost": len(lost),
            "lost_case_nos": self._case_nos(lost)[:20],
            "platform_records": summary["records"],
        }
        meta.set_many(self.store, {meta.LAST_RECONCILE_AT: iso(self._clock()), meta.LAST_RECONCILE: json.dumps(report)})
        return len(requeued)

    def _case_nos(self, record_ids: list[str]) -> list[str]:
        """Case numbers of these records (a case's own, or the case a receipt or rating belongs to)."""
        out: list[str] = []
        for record_id in record_ids:
            entry = self.store.outbox.get(record_id)
            case_no = entry.body.get("case_no") if entry is not None else None
            if isinstance(case_no, str) and case_no not in out:
                out.append(case_no)
        return out

    def _sent_ids(self, size: int) -> Iterator[list[str]]:
        last = -1
        conn = self.store.conn
        while True:
            rows = conn.execute(
                "SELECT record_id, terminal_seq FROM outbox WHERE state = 'sent' AND terminal_seq > ?"
                " ORDER BY terminal_seq LIMIT ?",
                (last, size),
            ).fetchall()
            if not rows:
                return
            last = rows[-1][1]
            yield [r[0] for r in rows]

    def reconcile_due(self) -> bool:
        raw = meta.get(self.store, meta.LAST_RECONCILE_AT)
        if not raw:
            return True
        return self._clock() - dt.datetime.fromisoformat(raw) >= self.settings.reconcile_interval

    # --- key rotation ---------------------------------------------------------------------------------------

    def rotate_key(self, save: Callable[[Any], None]) -> str:
        """Two-step rotation; `save(credentials)` must persist before the confirm. Returns the new key id."""
        assert self.client is not None and self.client.credentials is not None
        creds = self.client.credentials
        if creds.pending_key_id is None:
            key_id, secret = self.client.rotate()
            creds = creds.with_pending(key_id, secret)
            save(creds)  # stored before confirming: a crash here leaves both keys working
            self.client.credentials = creds
        try:
            self.client.rotate_confirm()
        except AuthFailedError:
            # The platform no longer knows the pending key (replaced by another rotate): forget it, start over.
            creds = creds.without_pending()
            save(creds)
            self.client.credentials = creds
            raise
        creds = creds.promoted()
        save(creds)
        self.client.credentials = creds
        log.info("device key rotated")
        return creds.key_id

    def finish_rotation(self) -> bool:
        """Finish a key rotation that stopped after `rotate` (issue 22): True when a new key was promoted.

        The stored credentials may hold a pending key while the platform already made it current (the terminal
        stopped between the confirm and saving the promoted key): every request signed with the old key then
        fails for good. The confirm is repeated with the pending key: the platform accepts it both before its
        confirm (it confirms now) and after (a harmless repeat), and the pending key is promoted and saved. A
        pending key the platform refuses is forgotten (another rotation replaced it); the current key stays.
        """
        if self.client is None:
            return False
        creds = self.client.credentials
        if self._reload_credentials is not None:
            try:
                stored = self._reload_credentials()
            except CredentialsError:
                stored = None
            if stored is not None and creds is not None and stored.device_id == creds.device_id:
                creds = stored  # another process may have stored a pending key since
        if creds is None or creds.pending_key_id is None:
            return False
        self.client.credentials = creds
        try:
            try:
                self.client.rotate_confirm()
            except ClockSkewError as exc:
                self._correct_clock(exc.server_time)
                self.client.rotate_confirm()
        except AuthFailedError:
            log.warning("the pending device key is not known to the platform; it is dropped, the current key stays")
            self._store_credentials(creds.without_pending())
            return False
        except PlatformError as exc:
            log.info("could not finish the key rotation now: %s", type(exc).__name__)
            return False
        self._store_credentials(creds.promoted())
        log.info("an interrupted key rotation was finished: the new key is in use")
        return True

    def _store_credentials(self, creds: Any) -> None:
        if self._save_credentials is not None:
            try:
                self._save_credentials(creds)
            except CredentialsError:
                log.error("credentials could not be saved; the key in use is kept in memory")
        self.update_credentials(creds)

    # --- declared electronic licences stored unverified (issue 18) ---------------------------------------------

    def verify_licences(self) -> int:
        """Check the declared `e_licence` numbers scripted intake stored unverified (platform unreachable then),
        with the platform's signed `:verify` under a `declared` consent. A number the library does not hold for the
        applicant, of another type, or expired becomes the clerk's follow-up (`licence_checks`, shown on the sync
        status panel); a passed one is marked verified. The case itself is uploaded as usual, in the same pass
        (docs/decisions.md). Stops at the first network failure: the rest wait for the next pass. Returns how
        many were checked. Logs record ids and material codes only, never a licence or ID number."""
        if self.client is None:
            return 0
        checked = 0
        for check in self.store.licence_checks.unverified():
            try:
                reason = self._licence_problem(check)
            except TransientError as exc:
                log.info("declared licences not checked now: %s", type(exc).__name__)
                break
            except PlatformError as exc:
                log.warning("declared licence of %s not checked: %s", check.case_record_id, exc)
                continue
            if reason is None:  # the case is gone or has no holder number (purged): nothing to ask
                continue
            state = "failed" if reason else "verified"
            self.store.licence_checks.mark(check.case_record_id, check.material_code, state, reason)
            checked += 1
            log.info("declared licence of case %s material %s: %s", check.case_record_id, check.material_code, state)
        if checked and self._on_status is not None:
            self._on_status(self.status())
        return checked

    def _licence_problem(self, check: LicenceCheck) -> str | None:
        """Why the platform does not confirm this declared licence ("" when it does; None when it cannot be asked)."""
        from app.sync.errors import LicenceRefusedError

        assert self.client is not None
        stored = self.store.cases.get(check.case_record_id)
        applicant = stored.case.applicant if stored is not None else None
        holder = str(getattr(applicant, "id_number", "") or getattr(applicant, "credit_code", "")).strip().upper()
        if stored is None or not holder:
            return None
        case = stored.case
        token = self.client.licence_consent(
            holder_id=holder, case_ref=case.case_no, staff_no=case.routing.staff_no or "-", method="declared"
        )
        try:
            found = self.client.licence_verify(token, check.licence_no.strip())
        except LicenceRefusedError as exc:
            if str(exc) != "unknown_licence":
                raise
            return "电子证照库中没有申请人的该证照"
        if found.get("licence_type") != check.licence_type:
            return f"该编号是{found.get('licence_type')}，不能代替“{check.material_name}”"
        if found.get("valid") is not True:
            return "该电子证照已过期"
        return ""

    # --- one full cycle (drain + pulls + reconciliation) -------------------------------------------------------

    def cycle(
        self,
        *,
        force_pull: bool = False,
        should_stop: Callable[[], bool] | None = None,
        progress: Callable[[], None] | None = None,
    ) -> StepResult:
        """What the worker runs on each wake-up: drain what is due, then the periodic pulls. Never sleeps.

        `should_stop` is checked between batches (a clean stop never waits for a whole backlog); `progress` is
        called after each batch (the worker reports the shrinking queue).
        """
        total = DrainReport()
        if self.client is not None and self.blocked_wait() is None:
            self.verify_licences()
        while True:
            if should_stop is not None and should_stop():
                return StepResult(wait=0.0, report=total)
            step = self.step()
            total.merge(step.report)
            if progress is not None and step.report.batches:
                progress()
            if step.done:
                break
            if step.wait > 0 or step.report.blocked is not None:
                return StepResult(wait=step.wait, report=total)
        if self._mono() - self._last_pull >= self.settings.pull_interval_s or force_pull:
            self._last_pull = self._mono()
            for task in (self.pull_updates, self.pull_catalogue, self.check_platform_instance):
                self._pull(task)
            if self._online and self._high_water_due():  # once per device: enrolled on another path, or upgraded
                self.learn_high_water()
            if self._restore_reason is not None or self.reconcile_due():
                reason = self._restore_reason or RECONCILE_DAILY
                try:
                    requeued = self.reconcile(reason)
                except (PlatformError, StoreError) as exc:
                    log.info("reconciliation (%s) failed: %s", reason, type(exc).__name__)
                    requeued = 0
                if requeued:
                    # A restored platform gets back what it lost in this same pass, in terminal_seq order.
                    again = self.cycle(should_stop=should_stop, progress=progress)
                    total.merge(again.report)
                    return StepResult(done=again.done, wait=again.wait, report=total)
        return StepResult(done=True, wait=self._next_due_in(), report=total)

    def _pull(self, task: Callable[[], object]) -> None:
        """One pull; with nothing queued, its outcome is what tells online from offline."""
        try:
            try:
                task()
            except ClockSkewError as exc:  # with nothing queued, a pull is what finds a wrong clock
                self._correct_clock(exc.server_time)
                task()
        except (PlatformError, StoreError) as exc:
            log.info("pull failed: %s", type(exc).__name__)
            self._note_error(getattr(exc, "message_zh", "") or str(exc))
            if isinstance(exc, NetworkError):
                self._online = False
                if self._state not in BLOCKED_STATES:
                    self._set_state(SyncState.OFFLINE)
            return
        if self._online is not True:  # reachable again
            self._online = True
            if self._state is SyncState.OFFLINE:
                self._set_state(SyncState.IDLE)
            elif self._on_status is not None:
                self._on_status(self.status())

    def _horizon(self) -> dt.timedelta:
        """No delay this engine sets is longer: a scheduled time further ahead came from a clock that was fast."""
        return dt.timedelta(seconds=self.settings.backoff_cap_s) + dt.timedelta(minutes=5)

    def _waiting(self) -> bool:
        """Records pending that a later step will send (records of a held kind wait for the platform instead)."""
        return self.store.outbox.next_due_at(self._clock(), self._horizon(), hold_kinds=self._held) is not None

    def _next_due_in(self) -> float:
        now = self._clock()
        due = self.store.outbox.next_due_at(now, self._horizon(), hold_kinds=self._held)
        idle = self.settings.idle_poll_s
        if due is None:
            return idle
        return min(idle, max(0.0, (due - now).total_seconds()))


def _isolate_suspects(entries: list[OutboxEntry], suspects: dict[str, _Suspect]) -> list[OutboxEntry]:
    """A record that already failed alone is retried alone, so it cannot sink a whole batch again."""
    for index, entry in enumerate(entries):
        if entry.record_id in suspects:
            return entries[:index] if index else [entry]
    return entries


def _parse_time(result: dict[str, Any], default: dt.datetime) -> dt.datetime:
    raw = result.get("accepted_at")
    if isinstance(raw, str):
        try:
            parsed = dt.datetime.fromisoformat(raw)
        except ValueError:
            return default
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    return default


def _blob_refs(body: Any) -> Iterator[str]:
    """SHA-256 values of attachments referenced anywhere in a body (`attachments: [{sha256: ...}]`)."""
    stack = [body]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            attachments = item.get("attachments")
            if isinstance(attachments, list):
                for att in attachments:
                    sha = att.get("sha256") if isinstance(att, dict) else None
                    if isinstance(sha, str) and len(sha) == 64:
                        yield sha
            stack.extend(v for k, v in item.items() if k != "attachments")
        elif isinstance(item, list):
            stack.extend(item)


__all__ = [
    "MISSING_SCAN",
    "ORPHAN_TIMEOUT",
    "SERVER_ERROR_PERSISTENT",
    "DrainReport",
    "EngineSettings",
    "StepResult",
    "SyncEngine",
    "TransientError",
]
