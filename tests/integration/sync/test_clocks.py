"""Clocks (issue 22 item 5): a clock that was fast, a clock that is wrong now, and retention timed by the platform.

The terminal's clock is injected (the store's clock, the engine's clock and the signing client's time source);
the reference platform on loopback keeps the real time.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from pytestqt.qtbot import QtBot

from app.sync.client import PlatformClient
from app.sync.status import SyncState
from offline_cache import open_store
from offline_cache.samples import sample_case
from ui.sync_status_panel import UnsyncedBanner

from .conftest import Terminal
from .harness import Central, assert_exactly_once, fast_settings, local_states, make_engine, queue_events, utc


class Clock:
    def __init__(self, offset: dt.timedelta) -> None:
        self.offset = offset

    def __call__(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC) + self.offset


def test_records_saved_while_the_clock_was_8h_fast_are_sent_at_once_and_warned_about(
    central: Central, terminal: Terminal, qtbot: QtBot
) -> None:
    """Extends FAULTS.md row 18 (clock skew and set backwards): after NTP corrects a clock that ran 8 h fast
    (Beijing time read as UTC), nothing waits for the future time it was scheduled at, and the "not synced"
    warning is not hidden behind a negative age clamped to 0."""
    db = terminal.store.path
    terminal.store.close()
    fast = Clock(dt.timedelta(hours=8))
    with open_store(db, clock=fast) as store:
        ledger = queue_events(store, 5)
        ledger.append(store.save_case(sample_case(created_at=fast()), actor="S0042").case.record_id)
        # One record already tried once and rescheduled by the fast clock (a retry in two minutes, it thought).
        store.outbox.reschedule(ledger[0], next_attempt_at=fast() + dt.timedelta(minutes=2), error="batch_failed:503")
    store = open_store(db)  # NTP has corrected the clock; the terminal restarts on the right time
    terminal.store = store
    engine = make_engine(
        store, terminal.creds, central.url, settings=fast_settings(unsynced_warning=dt.timedelta(hours=2))
    )

    before = engine.status()
    assert before.queue_depth == 6
    assert before.unsynced_warning, "records stamped 8 h ahead must not hide the not-synced warning"
    banner = UnsyncedBanner(120)
    qtbot.add_widget(banner)
    banner.show_status(before)
    assert not banner.isHidden() and "120" in banner.text()

    report = engine.drain(max_seconds=30)

    assert report.sent == 6, "records scheduled by the fast clock waited for a time that had not come"
    assert set(local_states(store).values()) == {"sent"}
    assert_exactly_once(central, ledger)
    after = engine.status()
    assert after.queue_depth == 0 and not after.unsynced_warning
    banner.show_status(after)
    assert banner.isHidden()


def test_a_clock_ten_minutes_off_is_found_and_shown_with_nothing_queued(central: Central, terminal: Terminal) -> None:
    """Extends FAULTS.md row 18: the 401 clock_skew of a pull (nothing to upload) corrects the offset and the
    screen warns that the clock is more than 5 minutes off the platform's; the pulls then go through."""
    client = PlatformClient(central.url, terminal.creds, timeout=(2.0, 5.0), time_source=lambda: time.time() + 600)
    engine = make_engine(terminal.store, terminal.creds, central.url)
    engine.client = client

    engine.cycle(force_pull=True)

    status = engine.status()
    assert status.clock_wrong and 590 <= -status.clock_offset_seconds <= 610
    assert status.online is True and status.state is SyncState.IDLE
    # A clock within the platform's window (4 minutes off) is not reported.
    near = PlatformClient(central.url, terminal.creds, timeout=(2.0, 5.0), time_source=lambda: time.time() + 240)
    quiet = make_engine(terminal.store, terminal.creds, central.url)
    quiet.client = near
    near.clock_offset = 0.0
    quiet.cycle(force_pull=True)
    assert not quiet.status().clock_wrong
    client.close()
    near.close()


def test_retention_is_timed_from_the_platform_acknowledgement(
    central: Central, terminal: Terminal, tmp_path: Path
) -> None:
    """Extends FAULTS.md row 18: the terminal's clock was 40 days behind when the platform acknowledged the case;
    with a 30-day retention the case is purged 30 days after the platform's acknowledgement, not at once."""
    db = terminal.store.path
    terminal.store.close()
    behind = Clock(-dt.timedelta(days=40))
    with open_store(db, clock=behind) as store:
        saved = store.save_case(sample_case(created_at=behind()), actor="S0042")
        engine = make_engine(store, terminal.creds, central.url, clock=behind)
        assert engine.drain().sent == 1
        entry = store.outbox.get(saved.case.record_id)
        assert entry is not None and entry.accepted_at is not None and entry.sent_at is not None
        assert entry.accepted_at - entry.sent_at > dt.timedelta(days=39)  # the platform's time, stored beside it
    terminal.store = store = open_store(db)  # the clock is right again

    assert store.purge_personal_data(utc(), retention_days=30).cases == 0
    kept = store.cases.get(saved.case.record_id)
    assert kept is not None and not kept.purged and kept.case.applicant.name

    assert store.purge_personal_data(utc(31 * 86400), retention_days=30).cases == 1
