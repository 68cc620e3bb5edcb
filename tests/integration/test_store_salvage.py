"""FAULTS.md row 16 on real files: a damaged database is moved aside as found, and what it still holds comes back.

Pending records that can be read are in the fresh database's outbox, unchanged (same id, terminal_seq, body and
hash), so they are sent again; case numbers and terminal_seq continue after the old ones.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest

from offline_cache import open_store, samples
from offline_cache.bundles import BundleParent
from offline_cache.keys import key_file_path
from offline_cache.outbox import OutboxEntry

PAGE = 4096


@dataclass
class Old:
    pending: dict[str, OutboxEntry]
    sent: set[str]
    case_nos: set[str]
    last_case_no: str
    last_tseq: int


def _fill(path: Path, cases: int, *, sent: int = 10, keep_open: Path | None = None) -> Old:
    """`cases` cases each with a receipt; the first `sent` outbox rows acknowledged. With `keep_open`, the files
    are copied there while the store is still open (a power cut: the newest commits only in the -wal)."""
    with open_store(path) as store:
        case_nos: set[str] = set()
        for i in range(cases):
            saved = store.save_case(samples.sample_case(), actor="S0042")
            store.save_receipt(samples.sample_receipt(saved.case.case_no), actor="S0042")
            case_nos.add(saved.case.case_no)
            if keep_open is not None and i == cases // 2:
                store.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        acked = [e.record_id for e in store.outbox.pending(limit=sent)]
        for rid in acked:
            store.outbox.mark_sent(rid, f"ref-{rid}", dt.datetime.now(dt.UTC))
        pending = {e.record_id: e for e in store.outbox.pending(limit=100_000, max_bytes=1 << 40)}
        last = store.outbox.get(next(reversed(pending)))
        assert last is not None
        if keep_open is not None:
            keep_open.mkdir()
            for suffix in ("", "-wal"):
                shutil.copyfile(f"{path}{suffix}", keep_open / f"{path.name}{suffix}")
            shutil.copyfile(key_file_path(path), key_file_path(keep_open / path.name))
    return Old(pending, set(acked), case_nos, saved.case.case_no, last.terminal_seq)


def _check_salvaged(store_path: Path, old: Old, damaged: bytes, wal: bytes | None) -> set[str]:
    """Common checks; returns the ids of the pending rows that came back."""
    with open_store(store_path) as store:
        assert store.recovered_from is not None and store.salvaged is not None
        assert store.recovered_from.read_bytes() == damaged  # moved aside byte for byte
        if wal is not None:
            assert Path(f"{store.recovered_from}-wal").read_bytes() == wal
        else:  # there was no -wal: at most an empty one (from the read-only start-up check) lies beside it
            side = Path(f"{store.recovered_from}-wal")
            assert not side.exists() or side.stat().st_size == 0
        pending = {e.record_id: e for e in store.outbox.pending(limit=100_000, max_bytes=1 << 40)}
        assert set(pending) <= set(old.pending)  # nothing invented, sent rows are not sent again
        # A case whose outbox row was lost with its page is rebuilt from the case (issue 22): the same record,
        # under a new terminal_seq (the platform answers `duplicate` by record id if it already had it).
        rebuilt = {a.record_id for a in store.audit.list(action="outbox_rebuilt")}
        for rid, entry in pending.items():  # the same record on the wire: the platform answers `duplicate`
            was = old.pending[rid]
            assert (entry.kind, entry.depends_on) == (was.kind, was.depends_on)
            assert entry.body == was.body and entry.body_sha256 == was.body_sha256
            if entry.terminal_seq != was.terminal_seq or entry.created_at != was.created_at:
                assert rid in rebuilt and entry.kind.value == "case" and entry.terminal_seq > old.last_tseq
        assert store.salvaged.pending == len(pending)
        for rid, entry in pending.items():  # the local case list shows salvaged cases again (reprints need it)
            if entry.kind.value == "case":
                case = store.cases.get(rid)
                assert case is not None and case.case.applicant.name == samples.NAME

        new = store.save_case(samples.sample_case(), actor="S0042")
        assert new.case.case_no not in old.case_nos
        assert new.case.case_no[:19] == old.last_case_no[:19]
        assert int(new.case.case_no[19:24]) > int(old.last_case_no[19:24])
        assert new.terminal_seq > old.last_tseq
        receipt = store.save_receipt(samples.sample_receipt(new.case.case_no), actor="S0042")
        assert receipt.terminal_seq == new.terminal_seq + 1
    return set(pending)


def test_a_damaged_page_2_loses_nothing_pending_and_the_wal_moves_with_the_file(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Random bytes over page 2 (power cut with the newest commits still in the -wal): every pending row is back,
    and numbering continues right after the old numbers."""
    crashed = tmp_path / "crashed"
    old = _fill(tmp_path / "tb.db", 40, keep_open=crashed)
    path = crashed / "tb.db"
    with path.open("r+b") as f:  # dd if=/dev/urandom of=tb.db bs=4096 seek=1 count=1 conv=notrunc
        f.seek(PAGE)
        f.write(os.urandom(PAGE))
    damaged, wal = path.read_bytes(), Path(f"{path}-wal").read_bytes()
    assert len(wal) > 0

    with caplog.at_level(logging.INFO, logger="tongban.store"):
        back = _check_salvaged(path, old, damaged, wal)

    assert back == set(old.pending)  # lost = 0
    with open_store(path) as store:  # exact continuation: the counters were readable
        again = store.save_case(samples.sample_case(), actor="S0042")
        assert int(again.case.case_no[19:24]) == int(old.last_case_no[19:24]) + 2
        assert again.terminal_seq == old.last_tseq + 3
        assert store.recovered_from is None  # the next start finds a sound database
        assert not any(e.record_id in old.sent for e in store.outbox.pending(limit=100_000, max_bytes=1 << 40))
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "pending=" in logged and samples.NAME not in logged and samples.ID_NUMBER not in logged


def test_a_database_truncated_to_half_gives_back_its_readable_pending_rows(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """`truncate -s 50%`: SQLite reads nothing of it (part of its schema is gone); its pages still hold most of
    the older pending rows. Those come back unchanged; numbers jump past anything the lost half could hold."""
    path = tmp_path / "tb.db"
    old = _fill(path, 80)
    os.truncate(path, path.stat().st_size // 2)
    damaged = path.read_bytes()

    with caplog.at_level(logging.ERROR, logger="tongban.store"):
        back = _check_salvaged(path, old, damaged, None)

    # How many outbox pages lie in the kept half depends on the page layout, which every migration shifts (36 of
    # 150 at schema 9, about 40 before): the bound says "a good part", the exactness is checked by _check_salvaged.
    assert len(back) >= len(old.pending) // 5, f"only {len(back)} of {len(old.pending)} pending rows salvaged"
    with open_store(path) as store:
        nxt = store.save_case(samples.sample_case(), actor="S0042")
    assert nxt.case_seq > 50_000  # the lost half may have held any number issued today
    assert any("partly readable" in r.getMessage() for r in caplog.records)


def test_a_pending_row_scribbled_over_is_left_behind_rather_than_sent_wrong(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A damaged body must never reach the platform as a record: a body that no longer decrypts, or no longer
    matches its hash, stays behind in the moved-aside file. Its case is intact, so the entry is rebuilt from the
    case and checked against the stored hash (issue 22): every record comes back exactly as it was."""
    path = tmp_path / "tb.db"
    old = _fill(path, 20, sent=0)
    data = bytearray(path.read_bytes())
    data[PAGE : 2 * PAGE] = os.urandom(PAGE)  # the damage the start-up check sees
    token = data.find(b'"enc:v1:')
    data[token + 20] = ord("A") if data[token + 20] != ord("A") else ord("B")  # ciphertext no longer opens
    code = data.find(b'"item_code":"')
    data[code + 14] = ord("9") if data[code + 14] != ord("9") else ord("8")  # a clear value changed
    assert token > 0 and code > 0
    path.write_bytes(bytes(data))

    with caplog.at_level(logging.ERROR, logger="tongban.store"), open_store(path) as store:
        assert store.recovered_from is not None and store.salvaged is not None
        pending = store.outbox.pending(limit=100_000, max_bytes=1 << 40)
        skipped = store.salvaged.skipped.get("outbox", 0)
        rebuilt = store.salvaged.rebuilt
    assert 1 <= skipped <= 2  # the two changes may hit the same record
    assert rebuilt == skipped and len(pending) == len(old.pending)
    for entry in pending:
        assert entry.body == old.pending[entry.record_id].body


def test_a_scribbled_outbox_page_loses_only_the_rows_on_it(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """One leaf page of the outbox is random bytes: the rows on it are lost, every row before and after it comes
    back (the reader steps over the bad range), and numbering continues exactly (the counters still read)."""
    path = tmp_path / "tb.db"
    old = _fill(path, 40, sent=0)
    conn = sqlite3.connect(path)
    leaves = [int(r[0]) for r in conn.execute("SELECT pageno FROM dbstat WHERE name = 'outbox' AND pagetype = 'leaf'")]
    conn.close()
    assert len(leaves) > 5
    victim = leaves[len(leaves) // 2]
    data = bytearray(path.read_bytes())
    data[(victim - 1) * PAGE : victim * PAGE] = os.urandom(PAGE)
    path.write_bytes(bytes(data))

    with caplog.at_level(logging.ERROR, logger="tongban.store"):
        back = _check_salvaged(path, old, bytes(data), None)

    with open_store(path) as store:
        rebuilt = {a.record_id for a in store.audit.list(action="outbox_rebuilt")}
        on_page = (set(old.pending) - back) | rebuilt
        assert all(store.outbox.get(rid).kind.value == "case" for rid in rebuilt)  # type: ignore[union-attr]
        nxt = store.save_case(samples.sample_case(), actor="S0042")
    assert 1 <= len(on_page) <= 4  # a page holds two or three bodies of this size
    seqs = sorted(old.pending[rid].terminal_seq for rid in on_page)
    assert seqs[-1] - seqs[0] < len(on_page) + 1  # neighbours in terminal_seq: one page's worth, nothing else
    # The counters read: no jump (the check saved one case; each rebuilt case took the next number).
    assert nxt.terminal_seq == old.last_tseq + 3 + len(rebuilt)


def _fill_with_bundles(path: Path, bundles: int, cases: int) -> tuple[dict[str, BundleParent], dict[str, list[str]]]:
    """`bundles` 一件事 (three members each) between single cases; returns the parents by number and their members'
    numbers."""
    import dataclasses

    parents: dict[str, BundleParent] = {}
    members: dict[str, list[str]] = {}
    with open_store(path) as store:
        for b in range(bundles):
            for _ in range(cases):
                store.save_case(samples.sample_case(), actor="S0042")
            bundle_id = f"210800YJS001-{b:016x}"
            saved = store.save_bundle(
                [
                    dataclasses.replace(samples.sample_case(), item_code=f"ITEM{i}", bundle_id=bundle_id)
                    for i in range(3)
                ],
                bundle_code="210800YJS001",
                bundle_name="新生儿出生一件事",
                actor="S0042",
            )
            parents[saved.parent.case_no] = saved.parent
            members[saved.parent.case_no] = [m.case.case_no for m in saved.members]
    return parents, members


def test_salvage_brings_back_the_bundle_parents_with_their_members(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A 一件事's parent row is copied like its members: the parent's number still finds the bundle (receipt,
    rating, the kiosk's 进度查询) after a damaged outbox page, and numbering goes on after it."""
    path = tmp_path / "tb.db"
    parents, members = _fill_with_bundles(path, 3, 10)
    conn = sqlite3.connect(path)
    leaves = [int(r[0]) for r in conn.execute("SELECT pageno FROM dbstat WHERE name = 'outbox' AND pagetype = 'leaf'")]
    conn.close()
    victim = leaves[len(leaves) // 2]
    data = bytearray(path.read_bytes())
    data[(victim - 1) * PAGE : victim * PAGE] = os.urandom(PAGE)
    path.write_bytes(bytes(data))

    with open_store(path) as store:
        assert store.recovered_from is not None and store.salvaged is not None
        assert store.salvaged.copied.get("bundles") == 3
        for number, parent in parents.items():
            assert store.bundles.get(number) == parent
            assert [s.case.case_no for s in store.cases.list_bundle(parent.bundle_id)] == members[number]
        newest = max(n for ns in members.values() for n in ns)
        nxt = store.save_case(samples.sample_case(), actor="S0042").case.case_no
        assert int(nxt[19:24]) > int(newest[19:24])


def test_bundle_parents_are_read_from_the_pages_of_a_truncated_file(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """`truncate -s 50%`: SQLite cannot walk the file; the parents' rows on the kept pages come back from the
    pages, checked (a valid number and their own bundle's id), and no parent number is issued again."""
    path = tmp_path / "tb.db"
    parents, _members = _fill_with_bundles(path, 2, 40)
    os.truncate(path, path.stat().st_size // 2)

    with open_store(path) as store:
        assert store.salvaged is not None
        assert store.salvaged.from_pages.get("bundles") == 2
        for number, parent in parents.items():
            assert store.bundles.get(number) == parent
        nxt = store.save_case(samples.sample_case(), actor="S0042").case.case_no
        assert nxt not in parents and nxt[19:24] > max(parents)[19:24]
