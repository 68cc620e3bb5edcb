"""FAULTS.md rows 3, 9, 10, 11, 12, 13 and 20: platform-side faults, each with 0 lost and 0 duplicated."""

from __future__ import annotations

import datetime as dt
import math
import shutil
import sqlite3
from pathlib import Path

import pytest

from app.sync.engine import ORPHAN_TIMEOUT, SERVER_ERROR_PERSISTENT
from app.sync.status import SyncState
from offline_cache import Store
from offline_cache.samples import sample_case, sample_rating

from .conftest import Terminal
from .harness import Central, assert_exactly_once, fast_settings, local_states, make_engine, queue_events


class FakeTime:
    """Monotonic time that only moves when the engine sleeps: backoff waits cost nothing."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_row3_server_killed_after_commit_resend_is_duplicate(central: Central, terminal: Terminal) -> None:
    ids = queue_events(terminal.store, 120)
    engine = make_engine(terminal.store, terminal.creds, central.url)
    central.faults("exit_after_commit")

    first = engine.step()

    assert first.report.failures == 1 and first.report.sent == 0
    assert central.wait_exit() == 9
    assert len(central.record_ids()) == 120  # committed before the process died
    assert set(local_states(terminal.store).values()) == {"pending"}  # no ack, nothing marked
    central.faults("")
    central.start()
    report = engine.drain()
    assert report.duplicates == 120 and report.sent == 0
    assert_exactly_once(central, ids)
    assert set(local_states(terminal.store).values()) == {"sent"}


def test_row3_server_stopped_and_restarted_mid_drain(central: Central, terminal: Terminal) -> None:
    ids = queue_events(terminal.store, 600)
    engine = make_engine(terminal.store, terminal.creds, central.url, settings=fast_settings(batch_records=100))
    engine.step()
    central.stop()
    down = engine.drain(max_failures=3)
    assert down.failures == 3 and engine.state == SyncState.OFFLINE and engine.status().queue_depth == 500
    central.start()
    engine.drain()
    assert_exactly_once(central, ids)
    assert engine.status().queue_depth == 0


@pytest.mark.expected_log
def test_row11_poison_record_goes_to_dead_letters_and_the_rest_drain(central: Central, terminal: Terminal) -> None:
    store = terminal.store
    good_before = queue_events(store, 500)
    poison = queue_events(store, 1)[0]
    good_after = queue_events(store, 499)
    central.faults(f"reject:{poison}")
    engine = make_engine(store, terminal.creds, central.url)

    report = engine.drain()

    assert report.batches == 2 and report.sent == 999 and report.dead == 1 and report.failures == 0
    assert_exactly_once(central, good_before + good_after, absent=[poison])
    dead = store.outbox.dead_letters()
    assert [d.record_id for d in dead] == [poison]
    assert dead[0].last_error == "rejected:bad_field"
    assert engine.status().dead_letters == 1 and engine.status().queue_depth == 0


def test_row11_negative_control_batch_level_4xx_stalls_the_queue(central: Central, terminal: Terminal) -> None:
    """If the platform refused whole batches instead of classifying per record, the queue would stall."""
    ids = queue_events(terminal.store, 50)
    central.faults("status:400")
    engine = make_engine(terminal.store, terminal.creds, central.url)
    engine.drain(max_failures=12)
    with pytest.raises(AssertionError, match="lost"):
        assert_exactly_once(central, ids)
    assert engine.status().queue_depth == 50  # nothing dead-lettered for a request-level refusal


@pytest.mark.expected_log
def test_row12_poison_batch_is_bisected_and_quarantined_while_others_succeed(
    central: Central, terminal: Terminal
) -> None:
    store = terminal.store
    before = queue_events(store, 300)
    poison = queue_events(store, 1)[0]
    after = queue_events(store, 699)
    central.faults(f"crash_on:{poison}")
    settings = fast_settings(persistent_failures=3, persistent_window=dt.timedelta(0))
    engine = make_engine(store, terminal.creds, central.url, settings=settings)

    report = engine.drain(wait_scheduled=True, max_seconds=60)

    assert_exactly_once(central, before + after, absent=[poison])
    entry = store.outbox.get(poison)
    assert entry is not None and entry.state.value == "dead" and entry.last_error == SERVER_ERROR_PERSISTENT
    # 3 whole-batch failures, then one failure per halving down to the record, plus the lone retries.
    failures_bound = 3 + math.ceil(math.log2(500)) + settings.persistent_failures
    assert report.failures <= failures_bound, report
    assert report.sent == 999 and report.dead == 1


def test_row9_500_for_a_while_backs_off_with_full_jitter_then_drains(central: Central, terminal: Terminal) -> None:
    ids = queue_events(terminal.store, 200)
    central.faults("status:500:n=8")
    fake = FakeTime()
    settings = fast_settings(backoff_base_s=1.0, backoff_cap_s=300.0)
    engine = make_engine(
        terminal.store, terminal.creds, central.url, settings=settings, monotonic=fake.monotonic, sleep=fake.sleep
    )

    report = engine.drain()

    assert report.failures == 8
    # Each wait is a draw in [0, min(cap, base * 2**n)] for the n-th failure in a row.
    assert all(0 <= w <= min(300.0, 2.0**n) for n, w in enumerate(fake.sleeps)), fake.sleeps
    assert_exactly_once(central, ids)
    assert terminal.store.outbox.dead_letters() == []  # nothing quarantined while nothing succeeded


@pytest.mark.parametrize("status", [429, 503])
def test_row10_retry_after_is_honoured(central: Central, terminal: Terminal, status: int) -> None:
    ids = queue_events(terminal.store, 10)
    central.faults(f"status:{status}:ra=7:n=1")
    fake = FakeTime()
    engine = make_engine(terminal.store, terminal.creds, central.url, monotonic=fake.monotonic, sleep=fake.sleep)

    engine.drain()

    first, second = engine.attempt_log[:2]
    jitter_ceiling = engine.settings.backoff_base_s
    assert 7.0 <= second - first <= 7.0 + jitter_ceiling
    assert_exactly_once(central, ids)


def test_row13_orphan_rating_waits_for_its_case(central: Central, terminal: Terminal) -> None:
    store = terminal.store
    case = store.save_case(sample_case(), actor="S0042")
    rating = store.save_rating(sample_rating(case.case.case_no), actor="S0042")
    now = dt.datetime.now(dt.UTC)
    # Held back for 4 minutes: within the engine's own scheduling horizon (a time further ahead than any delay
    # the engine sets is taken for a fast clock's and is due at once, issue 22).
    store.outbox.reschedule(case.case.record_id, next_attempt_at=now + dt.timedelta(minutes=4), error="held")
    engine = make_engine(store, terminal.creds, central.url)

    held = engine.drain()

    assert held.retry_later >= 1 and held.sent == 0 and central.record_ids() == []
    entry = store.outbox.get(rating.record_id)
    assert entry is not None and entry.state.value == "pending" and entry.last_error.startswith("retry_later:")
    store.outbox.reschedule(case.case.record_id, next_attempt_at=now, error="released")
    engine.drain(wait_scheduled=True, max_seconds=30)
    assert_exactly_once(central, [case.case.record_id, rating.record_id])
    received = dict(central.rows("SELECT record_id, received_at FROM records"))
    assert str(received[case.case.record_id]) <= str(received[rating.record_id])


@pytest.mark.expected_log
def test_row13_rating_of_a_rejected_case_goes_dead_parent_dead(central: Central, terminal: Terminal) -> None:
    store = terminal.store
    case = store.save_case(sample_case(), actor="S0042")
    rating = store.save_rating(sample_rating(case.case.case_no), actor="S0042")
    central.faults(f"reject:{case.case.record_id}")
    engine = make_engine(store, terminal.creds, central.url)

    report = engine.drain()

    assert report.dead == 2 and central.record_ids() == []
    states = {d.record_id: d.last_error for d in store.outbox.dead_letters()}
    assert states == {case.case.record_id: "rejected:bad_field", rating.record_id: "parent_dead"}


@pytest.mark.expected_log
def test_row13_orphan_times_out_after_72_hours(central: Central, terminal: Terminal) -> None:
    store = terminal.store
    case = store.save_case(sample_case(), actor="S0042")
    rating = store.save_rating(sample_rating(case.case.case_no), actor="S0042")
    real_now = dt.datetime.now(dt.UTC)
    # Held back for good: the case never leaves (a time scheduled far ahead would be taken for a fast clock's).
    store.db.conn.execute("UPDATE outbox SET state = 'sent' WHERE record_id = ?", (case.case.record_id,))
    clock = [real_now]
    engine = make_engine(store, terminal.creds, central.url, clock=lambda: clock[0])
    engine.drain()
    assert store.outbox.get(rating.record_id).state.value == "pending"  # type: ignore[union-attr]

    clock[0] = real_now + dt.timedelta(hours=71)
    engine.drain()
    assert store.outbox.get(rating.record_id).state.value == "pending"  # type: ignore[union-attr]
    clock[0] = real_now + dt.timedelta(hours=73)
    engine.drain()

    entry = store.outbox.get(rating.record_id)
    assert entry is not None and entry.state.value == "dead" and entry.last_error == ORPHAN_TIMEOUT
    assert central.record_ids() == []


def test_row20_restored_platform_gets_the_lost_rows_back_by_reconciliation(
    central: Central, terminal: Terminal
) -> None:
    store = terminal.store
    first = queue_events(store, 100)
    engine = make_engine(store, terminal.creds, central.url)
    engine.drain()
    saved = store.save_case(sample_case(), actor="S0042")
    engine.drain()
    central.set_case_status(saved.case.case_no, "accepted")
    assert engine.pull_updates() >= 1
    first.append(saved.case.record_id)
    snapshot = central.home / "snapshot.db"
    _backup(central.db, snapshot)
    second = queue_events(store, 150)
    engine.drain()
    central.set_case_status(saved.case.case_no, "completed")
    engine.pull_updates()
    cursor_before_restore = int(_cursor(store))
    central.stop()
    for suffix in ("", "-wal", "-shm"):
        (central.home / f"central.db{suffix}").unlink(missing_ok=True)
    shutil.copy(snapshot, central.db)
    central.start()
    assert len(central.record_ids()) == 101

    requeued = engine.reconcile()
    engine.drain()

    assert requeued == 150
    assert_exactly_once(central, first + second)
    assert engine.reconcile() == 0
    # The stored updates cursor is now ahead of the restored change log (410 Gone): a full resync, no error.
    engine.pull_updates()
    assert int(_cursor(store)) < cursor_before_restore


def _backup(source: Path, target: Path) -> None:
    """A consistent copy of a live SQLite database (the platform's backup)."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


def test_row12_negative_nothing_is_quarantined_while_every_batch_fails(central: Central, terminal: Terminal) -> None:
    """With the whole platform failing, no record is blamed, however short the quarantine thresholds."""
    store = terminal.store
    first = queue_events(store, 20)
    settings = fast_settings(persistent_failures=2, persistent_window=dt.timedelta(0))
    engine = make_engine(store, terminal.creds, central.url, settings=settings)
    engine.drain()  # a success before the outage
    rest = queue_events(store, 40)
    central.faults("status:500")

    report = engine.drain(max_failures=25, wait_scheduled=True, max_seconds=20)

    assert report.failures >= 10 and report.dead == 0 and store.outbox.dead_letters() == []
    # The thresholds were reached by some lone record: only the "others succeed" rule kept it out.
    assert max(store.outbox.get(r).attempts for r in rest) >= settings.persistent_failures  # type: ignore[union-attr]
    central.faults("")
    engine.resume()
    engine.drain(wait_scheduled=True, max_seconds=20)
    assert_exactly_once(central, first + rest)


def _cursor(store: Store) -> str:
    return str(store.db.conn.execute("SELECT value FROM meta WHERE key = 'sync.updates_cursor'").fetchone()[0])
