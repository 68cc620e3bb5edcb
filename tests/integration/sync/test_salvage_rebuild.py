"""Salvage rebuilds a case's upload from the case (issue 22 item 2): a damaged database whose outbox bodies no
longer decrypt, while their case rows are intact, must not leave those cases `received` for ever."""

from __future__ import annotations

import os
import re
import sqlite3
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from app.domain.models import CaseState
from app.paths import AppPaths
from app.services.terminal import open_terminal
from app.sync.dead_letters import list_dead_letters
from offline_cache import open_store
from offline_cache.salvage import SALVAGE_BODY_MISMATCH
from offline_cache.samples import sample_case
from tests.integration.rating_support import terminal_config

from .conftest import Terminal
from .harness import Central, assert_exactly_once, make_engine, queue_events


def _damage(db: Path) -> None:
    """Every encrypted value in the outbox bodies no longer opens, and a page of the audit log (which salvage does
    not copy) is overwritten, so the start-up check fails and the file is salvaged."""
    conn = sqlite3.connect(db)
    try:
        audit_pages = [int(r[0]) for r in conn.execute("SELECT pageno FROM dbstat WHERE name = 'audit_log'")]
        page_size = int(conn.execute("PRAGMA page_size").fetchone()[0])
    finally:
        conn.close()
    data = bytearray(db.read_bytes())
    tokens = [m.start() for m in re.finditer(rb"enc:v1:", data)]
    assert tokens, "the outbox bodies hold encrypted values"
    for at in tokens:
        data[at + 20] = ord("A") if data[at + 20] != ord("A") else ord("B")
    page = audit_pages[-1]
    data[(page - 1) * page_size : page * page_size] = os.urandom(page_size)
    db.write_bytes(bytes(data))


@pytest.mark.expected_log
def test_salvage_rebuilds_the_upload_of_a_readable_case_else_dead_letters_it_and_says_both(
    central: Central, terminal: Terminal, qapp: QApplication, tmp_path: Path
) -> None:
    """Extends FAULTS.md row 16 (salvaged rows resent: dup=0; nothing deleted): a pending case whose outbox body
    no longer decrypts is rebuilt from its intact case row and sent; one that changed at the counter since (its
    rebuilt body no longer hashes like the original) goes to the dead letters with the reason; the counts are
    in the audit log and on screen."""
    store = terminal.store
    intact = store.save_case(sample_case(), actor="S0042")
    changed = store.save_case(sample_case(), actor="S0042")
    events = queue_events(store, 3)
    tracking = store.case_events.record_tracking_number(changed.case.case_no, "SF1234567890", actor="S0042")
    assert tracking is not None
    before = {e.record_id: e for e in store.outbox.pending(limit=100)}
    db = store.path
    store.close()
    _damage(db)

    paths = AppPaths(data_dir=db.parent, config_file=tmp_path / "none.toml", log_dir=tmp_path / "logs")
    term = open_terminal(config=terminal_config(), paths=paths)
    try:
        salvaged = term.store.salvaged
        assert term.store.recovered_from is not None and salvaged is not None
        assert salvaged.skipped.get("outbox") == 2
        assert (salvaged.rebuilt, salvaged.dead_lettered) == (1, 1)
        notices = "\n".join(term.notices)
        assert "其中 1 件办件的上传记录已损坏，已根据办件内容重建" in notices
        assert "1 件办件的上传记录已损坏且无法核对，已转入异常记录" in notices
        audit = term.store.audit.list(action="store_salvaged")
        assert len(audit) == 1 and "rebuilt=1" in audit[0].detail and "dead_lettered=1" in audit[0].detail
        assert "outbox_skipped=2" in audit[0].detail
    finally:
        term.close()

    terminal.store = store = open_store(db)
    rebuilt = store.outbox.get(intact.case.record_id)
    was = before[intact.case.record_id]
    assert rebuilt is not None and rebuilt.state.value == "pending"
    assert (rebuilt.terminal_seq, rebuilt.body_sha256, rebuilt.body) == (was.terminal_seq, was.body_sha256, was.body)
    dead = {d.record_id: d for d in list_dead_letters(store)}
    assert set(dead) == {changed.case.record_id, tracking}  # the tracking event depends on the case
    assert dead[changed.case.record_id].reason == SALVAGE_BODY_MISMATCH
    assert "无法核对" in dead[changed.case.record_id].reason_zh

    engine = make_engine(store, terminal.creds, central.url)
    report = engine.drain(max_seconds=30)
    assert report.sent == 1 + 3 and report.retry_later == 0  # the rebuilt case and the events
    assert_exactly_once(central, [intact.case.record_id, *events], absent=[changed.case.record_id, tracking])
    sent = store.cases.get(intact.case.record_id)
    assert sent is not None and sent.case.state is CaseState.FORWARDED
