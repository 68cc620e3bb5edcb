"""Issue 13 item 4: a 20 MB scan is read, checked, encrypted and fsynced off the GUI thread.

The counter form keeps handling events while the scan is saved (the worker is held at its file write until the
GUI thread has handled a timer event: it cannot finish otherwise), the material row says 正在保存扫描件…, submit
waits, errors come back in Chinese with nothing lost, and closing during an attach loses nothing and leaves no
orphan file. Real terminal, real store files, real widgets.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

import offline_cache.blobs
from app.domain.models import MaterialStatus
from app.services.attachments import MAX_ATTACHMENT_BYTES
from app.services.intake import draft_key
from app.services.scan_jobs import AttachOutcome
from app.services.terminal import Terminal
from offline_cache import open_store
from tests import pii_samples
from tests.integration.intake_support import STAFF_NO
from tests.ui.test_intake_flow import ITEM, open_window, shot, sign_in, terminal_at, type_text
from ui.pages.counter_flow import CounterFlow

SCAN_BYTES = 20 * 1024 * 1024 - 4096  # a 20 MB scan, just under the limit


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    yield from terminal_at(tmp_path)


def big_scan(tmp_path: Path, name: str = "户口簿.png", size: int = SCAN_BYTES) -> Path:
    path = tmp_path / name
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(size - 8))
    return path


class HeldWrite:
    """Wraps the scan file write (calls through to the real one): records the thread that wrote, and holds the
    write until `go` is set."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.reached = threading.Event()
        self.go = threading.Event()
        self.threads: list[int] = []
        real: Callable[..., Any] = offline_cache.blobs.write_atomically

        def write(path: Path, data: bytes, **kwargs: Any) -> Any:
            self.threads.append(threading.get_ident())
            self.reached.set()
            assert self.go.wait(60)
            return real(path, data, **kwargs)

        monkeypatch.setattr(offline_cache.blobs, "write_atomically", write)


def form_with_applicant(qtbot: QtBot, terminal: Terminal) -> CounterFlow:
    _window, flow = open_window(qtbot, terminal)
    sign_in(qtbot, flow)
    flow.choose_item(ITEM)
    type_text(qtbot, flow.session.form.applicant.fields["applicant.name"].edit, pii_samples.NAME)
    return flow


def files_on_disk(terminal_or_dir: Path) -> set[str]:
    return {p.parent.name + p.name for p in terminal_or_dir.glob("??/*")} | {
        p.name for p in terminal_or_dir.glob("??/.*")
    }


def test_a_20_mb_scan_is_saved_on_a_worker_while_the_form_keeps_working(
    gui_app: QApplication, qtbot: QtBot, terminal: Terminal, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    held = HeldWrite(monkeypatch)
    flow = form_with_applicant(qtbot, terminal)
    form = flow.session.form
    row = form.materials.rows["M02"]
    scan = big_scan(tmp_path)
    form.attach_file("M02", scan)
    qtbot.wait_until(held.reached.is_set)  # the worker is at the file write; this thread returned at once
    assert row.attachments.isVisible() and row.attachments.text() == "正在保存扫描件…"
    assert not row.attach.isEnabled() and not row.scan.isEnabled()
    assert not form.submit_button.isEnabled()
    form.scroll_area.ensureWidgetVisible(row, 0, 120)
    shot(form, "13_scan_saving")
    # The form still answers the clerk meanwhile: typing lands, and a timer event runs on this thread — the worker
    # cannot finish until it has (it waits for `go`, which only that timer sets).
    QTest.keyClicks(form.applicant.fields["applicant.phone"].edit, "138")
    gui_threads: list[int] = []
    QTimer.singleShot(0, lambda: (gui_threads.append(threading.get_ident()), held.go.set()))
    with qtbot.wait_signal(terminal.intake.attach_finished, timeout=60_000) as done:
        pass
    outcome = done.args[0]
    assert isinstance(outcome, AttachOutcome) and outcome.attachment is not None and not outcome.message
    assert gui_threads == [threading.get_ident()]
    assert held.threads and all(t != threading.get_ident() for t in held.threads)  # read+encrypt+fsync elsewhere
    assert form.applicant.fields["applicant.phone"].text() == "138"
    assert "户口簿.png" in row.attachments.text() and row.attach.isEnabled() and form.submit_button.isEnabled()
    material = form.draft.material("M02") if form.draft else None
    assert material is not None and [a.size for a in material.attachments] == [SCAN_BYTES]
    assert terminal.store.blobs.read(outcome.attachment.sha256) == scan.read_bytes()
    terminal.intake.flush_draft()
    saved = terminal.store.drafts.get(draft_key(STAFF_NO))
    assert saved is not None and outcome.attachment.sha256 in str(saved)


def bad_file(directory: Path, kind: str) -> Path:
    if kind == "unreadable":
        return directory / "不存在.pdf"
    if kind == "too_large":
        return big_scan(directory, "太大.png", MAX_ATTACHMENT_BYTES + 1)
    renamed = directory / "身份证.pdf"  # an executable named like a scan
    renamed.write_bytes(b"MZ\x90\x00" + b"\x00" * 500)
    return renamed


@pytest.mark.parametrize(
    ("kind", "expected"),
    [("unreadable", "无法读取该文件"), ("too_large", "文件过大"), ("wrong_type", "PDF、JPEG或PNG")],
)
def test_a_refused_scan_is_explained_in_chinese_and_nothing_is_lost(
    gui_app: QApplication, qtbot: QtBot, terminal: Terminal, tmp_path: Path, *, kind: str, expected: str
) -> None:
    flow = form_with_applicant(qtbot, terminal)
    form = flow.session.form
    row = form.materials.rows["M02"]
    with qtbot.wait_signal(terminal.intake.attach_finished, timeout=60_000):
        form.attach_file("M02", bad_file(tmp_path, kind))
    assert row.error.isVisible() and expected in row.error.text()
    assert row.attachments.text() != "正在保存扫描件…" and row.attach.isEnabled() and form.submit_button.isEnabled()
    assert form.applicant.fields["applicant.name"].text() == pii_samples.NAME
    assert form.draft is not None and form.draft.material("M02").attachments == []  # type: ignore[union-attr]
    assert terminal.store.db.conn.execute("SELECT count(*) FROM attachments").fetchone()[0] == 0
    assert files_on_disk(terminal.store.blobs.directory) == set()


@pytest.mark.expected_log
def test_a_full_disk_while_saving_the_scan_is_explained_and_leaves_nothing_behind(
    gui_app: QApplication, qtbot: QtBot, terminal: Terminal, tmp_path: Path
) -> None:
    flow = form_with_applicant(qtbot, terminal)
    form = flow.session.form
    scan = big_scan(tmp_path)
    # The scan's folder cannot be made (the OS refuses as on a full disk or a read-only folder).
    shard = terminal.store.blobs.path(hashlib.sha256(scan.read_bytes()).hexdigest()).parent
    shard.parent.mkdir(parents=True, exist_ok=True)
    shard.write_bytes(b"")
    with qtbot.wait_signal(terminal.intake.attach_finished, timeout=60_000):
        form.attach_file("M02", scan)
    row = form.materials.rows["M02"]
    assert row.error.isVisible() and "磁盘已满" in row.error.text()
    assert form.applicant.fields["applicant.name"].text() == pii_samples.NAME
    assert terminal.store.db.conn.execute("SELECT count(*) FROM attachments").fetchone()[0] == 0
    shard.unlink()
    with qtbot.wait_signal(terminal.intake.attach_finished, timeout=60_000):  # space again: the same scan goes in
        form.attach_file("M02", scan)
    assert not row.error.isVisible() and "户口簿.png" in row.attachments.text()


def test_submit_during_an_attach_waits_for_the_scan(
    gui_app: QApplication, qtbot: QtBot, terminal: Terminal, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    held = HeldWrite(monkeypatch)
    flow = form_with_applicant(qtbot, terminal)
    form = flow.session.form
    with qtbot.wait_signal(terminal.devices.card_read, timeout=5000):
        QTest.keyClick(form.window(), Qt.Key.Key_F5)
    qtbot.wait_until(lambda: form.applicant.fields["applicant.id_number"].text() == pii_samples.ID_NUMBER)
    QTest.keyClicks(form.applicant.fields["applicant.phone"].edit, "13812345678")
    rows = form.materials.rows
    rows["M01"].status.setCurrentIndex(rows["M01"].status.findData(MaterialStatus.ORIGINAL.value))
    rows["M02"].status.setCurrentIndex(rows["M02"].status.findData(MaterialStatus.COPY.value))
    form.attach_file("M02", big_scan(tmp_path))
    qtbot.wait_until(held.reached.is_set)
    QTest.keyClick(form.window(), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # the shortcut too
    assert form.submit() is None
    assert form.errors.isVisible() and "正在保存扫描件" in form.errors.text()
    assert terminal.store.db.conn.execute("SELECT count(*) FROM cases").fetchone()[0] == 0
    assert form.draft is not None
    held.go.set()
    qtbot.wait_until(form.submit_button.isEnabled, timeout=60_000)
    with qtbot.wait_signal(terminal.intake.case_submitted, timeout=10_000) as submitted:
        form.submit_button.click()
    case = submitted.args[0]
    [m02] = [m for m in case.materials if m.requirement_code == "M02"]
    assert [a.size for a in m02.attachments] == [SCAN_BYTES]


def test_closing_during_an_attach_keeps_the_scan_on_the_draft_and_leaves_no_orphan(
    gui_app: QApplication, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fixture = terminal_at(tmp_path)
    terminal = next(fixture)
    held = HeldWrite(monkeypatch)
    flow = form_with_applicant(qtbot, terminal)
    form = flow.session.form
    scan = big_scan(tmp_path)
    form.attach_file("M02", scan)
    qtbot.wait_until(held.reached.is_set)
    closing = threading.Event()
    release = threading.Thread(target=lambda: closing.wait(60) and held.go.set())
    release.start()
    assert terminal.intake.attaching()
    closing.set()  # the scan is still held at its write when the terminal starts closing
    db, blobs = terminal.store.path, terminal.store.blobs.directory
    terminal.close()
    release.join()
    fixture.close()  # the fixture's own close is skipped: the terminal is closed
    with open_store(db, blobs_dir=blobs) as store:
        saved = store.drafts.get(draft_key(STAFF_NO))
        indexed = {r[0] for r in store.db.conn.execute("SELECT sha256 FROM attachments")}
        [sha] = indexed
        assert saved is not None and sha in str(saved)  # the scan is on the clerk's saved draft
        assert store.blobs.read(sha) == scan.read_bytes()
        assert files_on_disk(blobs) == indexed  # no orphan file, no temporary file
