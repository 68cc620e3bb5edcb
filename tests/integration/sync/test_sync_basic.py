"""The engine against the real platform without faults: cases with attachments, receipts, ratings, pulls."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest

from app.domain.models import Attachment, CaseState
from app.protocol import case_no_check_digits
from app.services.catalogue import CatalogueService
from app.sync.status import SyncState
from central.catalogue import import_catalogue
from central.db import open_engine
from offline_cache.samples import sample_case, sample_rating, sample_receipt

from .conftest import Terminal
from .harness import REPO, Central, assert_exactly_once, local_states, make_engine, queue_events


def test_drain_sends_cases_receipts_ratings_and_blobs_once(central: Central, terminal: Terminal) -> None:
    store = terminal.store
    scan = b"%PDF-1.4 fake scan " * 50
    att = store.blobs.put(scan, filename="身份证.pdf", media_type="application/pdf")
    saved = store.save_case(sample_case(attachments=(att,)), actor="S0042")
    receipt = store.save_receipt(sample_receipt(saved.case.case_no), actor="S0042")
    rating = store.save_rating(sample_rating(saved.case.case_no), actor="S0042")
    events = queue_events(store, 20)
    engine = make_engine(store, terminal.creds, central.url)

    report = engine.drain()

    ledger = [saved.case.record_id, receipt.record_id, rating.record_id, *events]
    assert report.sent == len(ledger) and report.dead == 0 and report.blobs_uploaded == 1
    assert_exactly_once(central, ledger)
    assert set(local_states(store).values()) == {"sent"}
    assert central.rows("SELECT size FROM blobs WHERE sha256 = ?", hashlib.sha256(scan).hexdigest()) == [(len(scan),)]
    assert store.cases.get(saved.case.record_id).case.state == CaseState.FORWARDED  # type: ignore[union-attr]
    status = engine.status()
    assert status.queue_depth == 0 and status.state == SyncState.IDLE and status.online is True
    assert status.last_success_at is not None and status.last_error == ""

    # A second drain has nothing to do; the blob is not uploaded twice (HEAD-before-PUT + local mark).
    again = engine.drain()
    assert again.batches == 0
    assert isinstance(att, Attachment)


def test_updates_pull_applies_status_and_persists_cursor(central: Central, terminal: Terminal) -> None:
    store = terminal.store
    saved = store.save_case(sample_case(), actor="S0042")
    engine = make_engine(store, terminal.creds, central.url)
    engine.drain()
    central.set_case_status(saved.case.case_no, "accepted")
    central.set_case_status(saved.case.case_no, "completed")

    seen = engine.pull_updates()

    assert seen >= 2
    assert store.cases.get(saved.case.record_id).case.state == CaseState.COMPLETED  # type: ignore[union-attr]
    cursor = store.db.conn.execute("SELECT value FROM meta WHERE key = 'sync.updates_cursor'").fetchone()[0]
    assert int(cursor) >= 2
    assert engine.pull_updates() == 0  # nothing new past the stored cursor
    status = engine.case_status(saved.case.case_no)
    assert status is not None and status["status"] == "completed"
    unknown = "210800010032026112599999"
    assert engine.case_status(unknown + case_no_check_digits(unknown)) is None


@pytest.mark.expected_log
def test_catalogue_pull_uses_etag_and_a_bad_catalogue_keeps_the_last_good(
    central: Central, terminal: Terminal, isolated_state: Path
) -> None:
    seed = (REPO / "resources" / "catalogue" / "seed.json").read_bytes()
    good = json.loads(seed)
    good["version"] = "2026.11-platform"
    good_bytes = json.dumps(good, ensure_ascii=False).encode()
    engine_db = open_engine(f"sqlite:///{central.db}")
    try:
        import_catalogue(engine_db, good_bytes)
    finally:
        engine_db.dispose()
    service = CatalogueService(isolated_state / "data")
    engine = make_engine(terminal.store, terminal.creds, central.url, on_catalogue=service.replace)

    assert engine.pull_catalogue() is True
    assert service.version == "2026.11-platform"
    assert engine.pull_catalogue() is False  # 304: unchanged

    bad = dict(good, version="2026.12-broken")
    bad["items"] = good["items"] + [good["items"][0]]  # a duplicate item code: the terminal's parser refuses it
    conn = sqlite3.connect(central.db)
    try:
        conn.execute(
            "UPDATE catalogue SET etag = ?, data = ?", ('"broken"', json.dumps(bad, ensure_ascii=False).encode())
        )
        conn.commit()
    finally:
        conn.close()

    assert engine.pull_catalogue() is False
    assert service.version == "2026.11-platform"  # the last good one stays in use
    assert "目录无效" in engine.status().last_error
    etag = terminal.store.db.conn.execute("SELECT value FROM meta WHERE key = 'sync.catalogue_etag'").fetchone()[0]
    assert etag != '"broken"'


def test_blob_the_platform_already_holds_is_not_uploaded_again(central: Central, terminal: Terminal) -> None:
    store = terminal.store
    scan = b"scan bytes held by the platform already" * 20
    att = store.blobs.put(scan, filename="户口簿.jpg", media_type="image/jpeg")
    engine = make_engine(store, terminal.creds, central.url)
    assert engine.client is not None
    engine.client.put_blob(att.sha256, scan)  # e.g. sent by another window's terminal
    saved = store.save_case(sample_case(attachments=(att,)), actor="S0042")

    report = engine.drain()

    assert report.sent == 1 and report.blobs_uploaded == 0  # HEAD found it: no PUT
    assert store.blobs.not_uploaded([att.sha256]) == []
    assert_exactly_once(central, [saved.case.record_id])


def test_an_empty_queue_reads_offline_while_the_platform_is_unreachable(central: Central, terminal: Terminal) -> None:
    """With nothing to send only the pulls reach the platform: their outcome decides online/offline."""
    engine = make_engine(terminal.store, terminal.creds, central.url)
    engine.cycle(force_pull=True)
    assert engine.status().online is True

    central.stop()
    engine.cycle(force_pull=True)
    status = engine.status()
    assert status.online is False
    assert status.state is SyncState.OFFLINE

    central.start()
    engine.cycle(force_pull=True)
    assert engine.status().online is True
