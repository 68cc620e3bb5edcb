"""The terminal gzips its batches for a platform that lists the feature; its own acceptances do not come back."""

from __future__ import annotations

from app.protocol import canonical_json
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
