"""The terminal gzips its batches for a platform that lists the feature; its own acceptances do not come back."""

from __future__ import annotations

from app.protocol import canonical_json
from app.sync.status import SyncState
from offline_cache.samples import sample_case

from .conftest import Terminal
from .harness import Central, assert_exactly_once, local_states, make_engine
from .proxy import FaultProxy


def test_gzip_batches_carry_a_fraction_of_the_bytes_and_arrive_exactly_once(
    central: Central, terminal: Terminal, proxy: FaultProxy
) -> None:
    store = terminal.store
    ids = [store.save_case(sample_case(), actor="S0042").case.record_id for _ in range(60)]
    plain = sum(len(canonical_json(e.body)) for e in store.outbox.pending())
    engine = make_engine(store, terminal.creds, proxy.url, compress=True)

    report = engine.drain()
    up_drain = proxy.bytes_up
    seen = engine.pull_updates()

    assert report.sent == 60
    assert_exactly_once(central, ids)
    assert set(local_states(store).values()) == {"sent"}
    assert up_drain * 3 < plain, (up_drain, plain)  # bodies alone, before envelopes, were 3× more
    assert seen == 0  # its own 60 acceptances are not sent back to it


def test_with_gzip_on_a_dead_network_costs_one_connection_per_attempt_and_nothing_is_lost(
    central: Central, terminal: Terminal, proxy: FaultProxy
) -> None:
    # The client asks /healthz before its first batch (is gzip listed?). That question goes first, before the batch
    # is read: when it cannot reach the platform the attempt ends there, instead of sending the batch plain into the
    # same dead line (two connect timeouts per attempt on a township's line).
    store = terminal.store
    ids = [store.save_case(sample_case(), actor="S0042").case.record_id for _ in range(3)]
    engine = make_engine(store, terminal.creds, proxy.url, compress=True)
    proxy.set_mode("drop")

    step = engine.step()

    assert proxy.connections == 1
    assert step.report.failures == 1 and step.wait > 0
    assert engine.state == SyncState.OFFLINE and engine.status().online is False
    assert store.outbox.depth() == 3 and set(local_states(store).values()) == {"pending"}

    proxy.set_mode("pass")
    engine.resume()
    report = engine.drain()
    assert report.sent == 3
    assert_exactly_once(central, ids)
    assert engine.state == SyncState.IDLE
