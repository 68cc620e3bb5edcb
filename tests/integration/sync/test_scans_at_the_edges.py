"""A case never travels without its scans (issue 22 item 1): lost scan files, a platform lacking a blob, retention
with the clock jumped ahead while a form is open, durable scan files, and scan files left without their row."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.domain.models import CaseState
from app.paths import AppPaths
from app.services.intake import SubmitRefusedError
from app.services.terminal import open_terminal
from app.sync.client import PlatformClient
from app.sync.dead_letters import list_dead_letters
from app.sync.engine import MISSING_SCAN
from offline_cache import StoreError, open_store
from offline_cache.samples import sample_case
from tests.integration.intake_support import ITEM_CODE, STAFF_NO, FakeClock, fill_person, hall_config, mail_to_applicant
from tests.integration.intake_support import receive_all as receive_all_materials

from .conftest import Terminal
from .harness import REPO, Central, assert_exactly_once, make_engine, queue_events

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.mark.expected_log
def test_a_case_whose_scan_file_is_gone_goes_to_the_dead_letters_not_to_the_platform(
    central: Central, terminal: Terminal
) -> None:
    """Extends FAULTS.md row 11 (a poison record goes dead with a reason, the rest drain): a case whose scan is
    neither readable here nor held by the platform is never acknowledged without it."""
    store = terminal.store
    scan = store.blobs.put(b"%PDF-1.4 scan of the ID card " * 20, filename="身份证.pdf", media_type="application/pdf")
    lost = store.save_case(sample_case(attachments=(scan,)), actor="S0042")
    rating_of_lost = queue_events(store, 1, depends_on=lost.case.record_id)
    fine = store.save_case(sample_case(), actor="S0042")
    others = queue_events(store, 5)
    store.blobs.path(scan.sha256).unlink()  # the scan file went (a power cut, a purge, a disk error)
    engine = make_engine(store, terminal.creds, central.url)

    report = engine.drain()

    assert report.dead == 2 and report.sent == 6
    assert_exactly_once(central, [fine.case.record_id, *others], absent=[lost.case.record_id, *rating_of_lost])
    dead = {d.record_id: d for d in list_dead_letters(store)}
    assert dead[lost.case.record_id].reason == MISSING_SCAN
    assert "扫描件" in dead[lost.case.record_id].reason_zh and "重新扫描" in dead[lost.case.record_id].reason_zh
    assert dead[rating_of_lost[0]].reason == "parent_dead"
    kept = store.cases.get(lost.case.record_id)
    assert kept is not None and kept.case.state is CaseState.RECEIVED  # never "forwarded" without its scan


def test_the_platform_answers_retry_later_for_a_case_whose_scan_it_does_not_hold(
    central: Central, terminal: Terminal
) -> None:
    """Extends FAULTS.md row 20 (a platform restored from backup): the platform never accepts a case whose
    referenced blob it lacks; the terminal, which thought the blob uploaded, uploads it again and the case lands."""
    store = terminal.store
    data = b"%PDF-1.4 scan that the platform lost " * 20
    scan = store.blobs.put(data, filename="户口簿.pdf", media_type="application/pdf")
    saved = store.save_case(sample_case(attachments=(scan,)), actor="S0042")
    store.blobs.mark_uploaded(scan.sha256)  # uploaded before the platform's restore, as far as this terminal knows

    # The platform itself, asked directly: no blob, no case.
    client = PlatformClient(central.url, terminal.creds)
    entry = store.outbox.get(saved.case.record_id)
    assert entry is not None
    try:
        answer = client.post_batch([entry.envelope(terminal.creds.terminal)])
    finally:
        client.close()
    assert [(r["status"], r["code"]) for r in answer["results"]] == [("retry_later", "blob_missing")]
    assert central.record_ids() == []

    engine = make_engine(store, terminal.creds, central.url)
    report = engine.drain(wait_scheduled=True, max_seconds=30)

    assert report.retry_later >= 1 and report.blobs_uploaded == 1 and report.dead == 0
    assert_exactly_once(central, [saved.case.record_id])
    assert central.rows("SELECT size FROM blobs WHERE sha256 = ?", scan.sha256) == [(len(data),)]


@pytest.mark.expected_log
def test_retention_with_the_clock_jumped_ahead_keeps_the_open_form_and_a_lost_scan_is_asked_again(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """Extends FAULTS.md row 18 (clock set wrong): the clock jumps past the retention period while a form is
    open; the purge keeps the form's autosaved draft and its scan, so the case is saved with it. A scan file
    lost anyway makes submit ask the clerk to scan again instead of saving the case as if complete."""
    paths = AppPaths(data_dir=tmp_path / "t", config_file=tmp_path / "c.toml", log_dir=tmp_path / "logs")
    config = hall_config()
    clock = FakeClock()
    term = open_terminal(config=config, paths=paths, clock=clock)
    try:
        intake = term.intake
        # The purge every start runs (on a worker) is over first: the one below is the one with the jumped clock.
        assert term.retention.wait(60.0)
        draft = mail_to_applicant(receive_all_materials(fill_person(intake.start(item_code=ITEM_CODE))))
        code = draft.materials[0].code
        scan = intake.attach_scan(draft=draft, material_code=code, data=PDF, filename="申请书")
        intake.flush_draft()
        clock.advance(days=config.retention_days + 10)  # the clock jumps ahead; nothing was typed since

        with qtbot.wait_signal(term.retention.purged, timeout=5000) as purged:
            term.retention.timer.timeout.emit()

        assert purged.args is not None and purged.args[0].drafts == 0 and purged.args[0].blobs == 0
        assert term.store.drafts.get("intake/current") is not None
        assert term.store.blobs.read(scan.sha256) == PDF
        result = intake.submit(draft=draft, staff_no=STAFF_NO, print_receipt=False)
        stored = term.store.cases.get(result.case.record_id)
        assert stored is not None and [a.sha256 for a in stored.case.materials[0].attachments] == [scan.sha256]

        # A scan lost anyway (a disk error): the clerk is asked to scan it again; nothing is saved.
        again = mail_to_applicant(receive_all_materials(fill_person(intake.start(item_code=ITEM_CODE))))
        other = intake.attach_scan(draft=again, material_code=code, data=PDF + b"% 2", filename="申请书")
        term.store.blobs.path(other.sha256).unlink()
        cases_before = term.store.cases.count()
        with pytest.raises(SubmitRefusedError) as refused:
            intake.submit(draft=again, staff_no=STAFF_NO, print_receipt=False)
        assert refused.value.errors[0].path == f"materials.{code}"
        assert "重新扫描" in refused.value.errors[0].message
        assert again.material(code).attachments == []  # type: ignore[union-attr]
        assert term.store.cases.count() == cases_before
    finally:
        term.close()


def test_a_scan_file_and_its_folder_are_synced_before_its_row_commits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Extends FAULTS.md row 4 (power loss; LazyFS drops unsynced directory entries only with the data): the
    rename that puts a scan in place is made durable (its folder fsynced) before the attachments row commits."""
    events: list[str] = []
    real_fsync = os.fsync

    def spy(fd: int) -> None:
        target = os.readlink(f"/proc/self/fd/{fd}")
        events.append(("dir:" if os.path.isdir(target) else "file:") + target)
        real_fsync(fd)

    with open_store(tmp_path / "data" / "tb.db") as store:
        store.db.conn.set_trace_callback(lambda sql: events.append(sql) if sql.startswith("COMMIT") else None)
        monkeypatch.setattr(os, "fsync", spy)
        scan = store.blobs.put(b"scan bytes", filename="x.pdf", media_type="application/pdf")
        monkeypatch.setattr(os, "fsync", real_fsync)
        store.db.conn.set_trace_callback(None)
        path = store.blobs.path(scan.sha256)
    commit = events.index("COMMIT")
    before = events[:commit]
    assert f"dir:{path.parent}" in before, "the scan's folder was not synced before its row committed"
    assert f"dir:{path.parent.parent}" in before, "the new shard folder's own entry was not synced"
    assert any(e.startswith("file:") for e in before)


_KILL_BETWEEN = """
import os, signal, sys
from pathlib import Path
from offline_cache import open_store
store = open_store(Path(sys.argv[1]))
store.blobs._s.write = lambda: os.kill(os.getpid(), signal.SIGKILL)  # killed between the file and its row
store.blobs.put(b"scan of the applicant's ID card", filename="id.jpg", media_type="image/jpeg")
"""


@pytest.mark.expected_log
def test_a_scan_file_left_without_its_row_by_a_kill_or_a_full_disk_is_removed(tmp_path: Path) -> None:
    """Extends FAULTS.md rows 1 (kill -9 during a save) and 14 (disk full on the client): a scan file written
    without its row is found and removed by the purge (kill), or not left at all (SQLITE_FULL on the row)."""
    db = tmp_path / "data" / "tb.db"
    open_store(db).close()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run([sys.executable, "-c", _KILL_BETWEEN, str(db)], env=env, timeout=60, check=False)
    assert proc.returncode == -signal.SIGKILL
    sha = hashlib.sha256(b"scan of the applicant's ID card").hexdigest()
    clock = FakeClock(dt.datetime.now(dt.UTC))
    with open_store(db, clock=clock) as store:
        orphan = store.blobs.path(sha)
        assert orphan.exists() and not store.blobs.not_uploaded([]) and store.blobs.not_uploaded([sha]) == [sha]
        assert store.db.conn.execute("SELECT count(*) FROM attachments").fetchone()[0] == 0
        assert store.purge_personal_data(clock(), retention_days=30).orphans == 0  # just written: maybe in use
        clock.advance(hours=1)
        assert store.purge_personal_data(clock(), retention_days=30).orphans == 1
        assert not orphan.exists()

        # Disk full between the two: the row cannot be written, so the file does not stay either.
        pages = int(store.db.conn.execute("PRAGMA page_count").fetchone()[0])
        store.db.conn.execute(f"PRAGMA max_page_count = {pages}")
        big = os.urandom(64 * 1024)
        with pytest.raises(StoreError):
            for i in range(200):  # fill the last free pages, then the row of a new scan fails
                store.blobs.put(big + bytes([i]), filename=f"{i}.jpg", media_type="image/jpeg")
        indexed = {r[0] for r in store.db.conn.execute("SELECT sha256 FROM attachments")}
        on_disk = {p.parent.name + p.name for p in store.blobs.directory.glob("??/*")}
        assert on_disk == indexed
    assert sqlite3.connect(db).execute("PRAGMA integrity_check").fetchone() == ("ok",)
