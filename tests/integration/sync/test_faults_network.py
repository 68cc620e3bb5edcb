"""FAULTS.md rows 5-8 through the fault proxy: network down, flapping, lost answers, a server that never answers."""

from __future__ import annotations

import logging
import random
import threading
import uuid
from typing import Any

import pytest

from app.protocol import RecordKind
from app.sync.backoff import backoff_ceiling
from app.sync.status import SyncState

from .conftest import Terminal
from .harness import (
    Central,
    assert_exactly_once,
    fast_settings,
    local_states,
    make_engine,
    queue_events,
)
from .proxy import FaultProxy
from .test_faults_server import FakeTime


@pytest.mark.expected_log  # urllib3 warns about the cut headers
@pytest.mark.parametrize("cut", [60, 400])  # inside the status line/headers, and inside the JSON body
def test_row7_answer_lost_after_commit_resend_is_duplicate(
    central: Central, terminal: Terminal, proxy: FaultProxy, cut: int
) -> None:
    ids = queue_events(terminal.store, 80)
    engine = make_engine(terminal.store, terminal.creds, proxy.url)
    proxy.set_mode("truncate", cut, once=True)

    first = engine.step()

    assert first.report.failures == 1
    assert len(central.record_ids()) == 80  # the platform committed; only the answer was lost
    report = engine.drain()
    assert report.duplicates == 80 and report.sent == 0
    assert_exactly_once(central, ids)
    assert set(local_states(terminal.store).values()) == {"sent"}


@pytest.mark.expected_log
def test_row7_negative_control_resending_under_new_ids_is_caught(
    central: Central, terminal: Terminal, proxy: FaultProxy
) -> None:
    """A client without idempotency keys (a lost answer resent as new records) must fail the dup check."""
    store = terminal.store
    ids = queue_events(store, 5)
    engine = make_engine(store, terminal.creds, proxy.url)
    proxy.set_mode("truncate", 60, once=True)
    engine.step()
    bodies = [store.outbox.get(i).body for i in ids]  # type: ignore[union-attr]
    with store.transaction() as conn:
        for body in bodies:
            store.outbox.add(conn, record_id=str(uuid.uuid4()), kind=RecordKind.EVENT, body=body, depends_on=None)
    engine.drain()
    with pytest.raises(AssertionError, match="share a body"):
        assert_exactly_once(central, ids)


@pytest.mark.parametrize("mode", ["refuse", "drop", "reset", "blackhole"])
def test_row5_network_down_backs_off_to_the_cap_and_drains_after(
    central: Central, terminal: Terminal, proxy: FaultProxy, mode: str
) -> None:
    ids = queue_events(terminal.store, 30)
    fake = FakeTime()
    settings = fast_settings(backoff_base_s=1.0, backoff_cap_s=300.0)
    engine = make_engine(
        terminal.store,
        terminal.creds,
        proxy.url,
        settings=settings,
        timeout=(0.5, 0.5),
        monotonic=fake.monotonic,
        sleep=fake.sleep,
    )
    proxy.set_mode(mode)

    down = engine.drain(max_seconds=600)  # ten simulated minutes

    assert down.sent == 0 and engine.state == SyncState.OFFLINE and engine.status().online is False
    assert engine.status().queue_depth == 30
    assert all(w <= backoff_ceiling(n, base=1.0, cap=300.0) for n, w in enumerate(fake.sleeps))
    # Attempts in 10 min stay within the backoff schedule: ~9 to reach the cap, then about 1 per 150 s on average.
    assert len(engine.attempt_log) <= 9 + 600 / 150 * 2 + 4, len(engine.attempt_log)
    proxy.set_mode("pass")
    engine.resume()
    engine.drain()
    assert_exactly_once(central, ids)
    assert engine.state == SyncState.IDLE


def test_row8_slow_server_times_out_then_retry_is_duplicate(
    central: Central, terminal: Terminal, proxy: FaultProxy, caplog: pytest.LogCaptureFixture
) -> None:
    ids = queue_events(terminal.store, 40)
    engine = make_engine(terminal.store, terminal.creds, proxy.url, timeout=(1.0, 0.5))
    proxy.set_mode("delay", 1.5, once=True)

    with caplog.at_level(logging.INFO, logger="tongban.sync"):
        first = engine.step()

    assert first.report.failures == 1 and "ReadTimeout" in caplog.text  # the read timeout ended the wait
    engine.drain()
    assert_exactly_once(central, ids)
    assert set(local_states(terminal.store).values()) == {"sent"}


@pytest.mark.expected_log
def test_row6_flapping_network_everything_drains_once_stable(
    central: Central, terminal: Terminal, proxy: FaultProxy
) -> None:
    ids = queue_events(terminal.store, 3000)
    engine = make_engine(
        terminal.store, terminal.creds, proxy.url, settings=fast_settings(batch_records=200), timeout=(0.5, 2.0)
    )
    stop = threading.Event()
    rng = random.Random(7)

    def flap() -> None:
        while not stop.is_set():
            proxy.set_mode(rng.choice(["refuse", "pass", "reset", "pass", "truncate"]), rng.choice([50.0, 300.0]))
            stop.wait(rng.uniform(0.05, 0.3))
        proxy.set_mode("pass")

    flapper = threading.Thread(target=flap, name="flapper")
    flapper.start()
    try:
        engine.drain(max_seconds=4)
    finally:
        stop.set()
        flapper.join(timeout=5)
    engine.resume()
    stable = engine.drain()

    # Once the link is stable the rest goes without a failed attempt (drain speed: bench/sync_drain.py).
    assert stable.failures == 0 and stable.blocked is None
    assert_exactly_once(central, ids)
    assert engine.status().queue_depth == 0


def test_row5_backing_off_sleeps_through_each_wait(central: Central, terminal: Terminal, proxy: FaultProxy) -> None:
    """Backing off costs almost no CPU: one attempt per scheduled wait, slept in one go, within the schedule.

    What an attempt costs in CPU (and so ten minutes of it) is printed by bench/sync_drain.py.
    """
    queue_events(terminal.store, 200)
    fake = FakeTime()
    engine = make_engine(
        terminal.store,
        terminal.creds,
        proxy.url,
        settings=fast_settings(backoff_base_s=1.0, backoff_cap_s=300.0),  # the protocol's schedule
        timeout=(0.5, 0.5),
        monotonic=fake.monotonic,
        sleep=fake.sleep,
    )
    steps = 0
    real_step = engine.step

    def counted_step() -> Any:
        nonlocal steps
        steps += 1
        return real_step()

    engine.step = counted_step  # type: ignore[method-assign]
    proxy.set_mode("refuse")

    engine.drain(max_seconds=600)  # ten simulated minutes

    attempts = len(engine.attempt_log)
    assert 5 <= attempts <= 30, attempts  # the protocol's schedule: ~9 to reach the cap, then ~1 per 150 s
    assert steps == attempts  # no step woke up early to find nothing due (no polling)
    assert len(fake.sleeps) <= attempts  # one sleep per attempt: the whole wait in one go, no spinning
    assert all(w <= backoff_ceiling(n, base=1.0, cap=300.0) for n, w in enumerate(fake.sleeps))
    assert terminal.store.outbox.depth() == 200
