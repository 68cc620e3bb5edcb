"""FAULTS.md row 16 end to end: a damaged terminal database, salvaged at start, drains to the real platform.

Pending rows the platform already had (their acks were lost with the damaged file) come back `duplicate`; the
others are accepted; the platform holds each record once (dup = 0), none of the readable ones is missing
(lost = 0), and new records continue the terminal's numbers (no `terminal_seq_taken`, no repeated case number).
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

import pytest

from offline_cache import Store
from offline_cache.samples import sample_case, sample_receipt

from .conftest import Terminal
from .harness import Central, assert_exactly_once, make_engine, open_terminal

PAGE = 4096


def _save(store: Store, cases: int) -> list[str]:
    ids: list[str] = []
    for _ in range(cases):
        saved = store.save_case(sample_case(), actor="S0042")
        ids += [saved.case.record_id, store.save_receipt(sample_receipt(saved.case.case_no), actor="S0042").record_id]
    return ids


def _damage(path: Path, how: str) -> None:
    if how == "page2":  # dd if=/dev/urandom of=… bs=4096 seek=1 count=1 conv=notrunc
        with path.open("r+b") as f:
            f.seek(PAGE)
            f.write(os.urandom(PAGE))
    else:  # truncate -s 50%
        os.truncate(path, path.stat().st_size // 2)


@pytest.mark.parametrize("how", ["page2", "truncate"])
def test_salvaged_rows_are_resent_once_and_numbering_continues(
    central: Central, terminal: Terminal, how: str, caplog: pytest.LogCaptureFixture
) -> None:
    store = terminal.store
    path = Path(store.path)
    acked = _save(store, 3)
    assert make_engine(store, terminal.creds, central.url).drain().sent == len(acked)
    resent = _save(store, 40)  # the platform will get these, but the acks are lost with the damaged file
    store.close()
    snapshot = path.with_name("before-drain")
    shutil.copyfile(path, snapshot)
    with open_terminal(terminal.data_dir) as store:
        assert make_engine(store, terminal.creds, central.url).drain().sent == len(resent)
    shutil.copyfile(snapshot, path)  # back to "pending" locally: as if the acks had never been applied
    with open_terminal(terminal.data_dir) as store:
        fresh = _save(store, 30)  # never sent
    _damage(path, how)

    with caplog.at_level(logging.ERROR, logger="tongban.store"), open_terminal(terminal.data_dir) as store:
        assert store.recovered_from is not None and store.salvaged is not None
        back = {e.record_id for e in store.outbox.pending(limit=100_000, max_bytes=1 << 40)}
        assert back <= set(resent + fresh)
        if how == "page2":
            assert back == set(resent + fresh)  # only the migrations table was on page 2: lost = 0
        else:
            assert len(back) >= 10  # the older half of the pending rows mostly still reads
        after = _save(store, 3)  # the counter continues: the platform takes these too
        report = make_engine(store, terminal.creds, central.url).drain()

    assert report.dead == 0 and report.retry_later == 0  # no terminal_seq_taken, no orphan
    assert report.duplicates == len(back & set(resent))
    assert report.sent == len(back - set(resent)) + len(after)  # accepted: what the platform did not have
    assert_exactly_once(central, [*acked, *resent, *back, *after])  # dup = 0; lost = 0 for what was readable
    # every case record on the platform carries its own case number (a repeated number would not be filed)
    filed = central.rows("SELECT count(*) FROM cases WHERE record_id IN (SELECT record_id FROM records)")
    assert filed == central.rows("SELECT count(*) FROM records WHERE kind = 'case'")
