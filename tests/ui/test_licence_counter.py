"""电子证照 in the real counter window against the real platform on loopback (issue 18): the clerk reads the card,
ticks the applicant's consent, presses 调取电子证照; the materials become 电子证照已调取 and the receipt says so.
Screenshots go to tests.shots.shot_dir("intake_shots")/licence_*.png."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.domain.models import MaterialStatus
from app.services.terminal import Terminal
from tests import pii_samples
from tests.integration.receipts_support import pdf_text, squash
from tests.integration.sync.harness import Central, central_source, enrol
from tests.ui.test_intake_flow import open_window, shot, sign_in, terminal_at
from ui.counter_window import CounterWindow
from ui.pages.session_page import SessionPage

ITEM = "210800200101000"  # 城乡居民养老保险参保登记: 居民身份证 and 居民户口簿 can be fetched
SAMPLE = Path(__file__).resolve().parents[2] / "resources" / "licences" / "sample.json"


@pytest.fixture
def central(tmp_path: Path) -> Iterator[Central]:
    home = tmp_path / "central"
    home.mkdir()
    server = Central(home).start()
    try:
        subprocess.run(
            [sys.executable, "-m", "central.cli", "--db", str(server.db), "licences", "load", str(SAMPLE)],
            env={"PYTHONPATH": str(central_source()), "PATH": "/usr/bin:/bin"},
            capture_output=True,
            check=True,
            timeout=60,
        )
        yield server
    finally:
        server.stop()


@pytest.fixture
def terminal(tmp_path: Path, central: Central) -> Iterator[Terminal]:
    enrol(central, tmp_path / "data")  # the credentials (and the platform's address) in the terminal's data dir
    yield from terminal_at(tmp_path)


def _start_item(qtbot: QtBot, terminal: Terminal) -> tuple[CounterWindow, SessionPage]:
    window, flow = open_window(qtbot, terminal)
    sign_in(qtbot, flow)
    s = flow.session
    QTest.keyClicks(s.picker.search, ITEM)
    while s.picker.current_item() is not None and s.picker.current_item().code != ITEM:  # type: ignore[union-attr]
        QTest.keyClick(s.picker.search, Qt.Key.Key_Down)
    QTest.keyClick(s.picker.search, Qt.Key.Key_Return)
    assert s.form.draft is not None and s.form.draft.item_code == ITEM
    return window, s


def test_fetched_licences_replace_paper_and_print(
    gui_app: QApplication, qtbot: QtBot, terminal: Terminal, central: Central
) -> None:
    window, s = _start_item(qtbot, terminal)
    form = s.form
    panel = form.materials
    assert panel.licence_box.isVisible() and not panel.licence_consent.isChecked()

    # Consent ticked but the card not read: the clerk is told, and nothing leaves the terminal.
    panel.licence_consent.setChecked(True)
    QTest.mouseClick(panel.licence_fetch, Qt.MouseButton.LeftButton)
    assert "身份证" in panel.licence_message.text()
    assert central.rows("SELECT count(*) FROM licence_access") == [(0,)]

    with qtbot.wait_signal(terminal.devices.card_read, timeout=5000):
        QTest.keyClick(window, Qt.Key.Key_F5)
    qtbot.wait_until(lambda: form.applicant.fields["applicant.id_number"].text() == pii_samples.ID_NUMBER)
    QTest.keyClicks(form.applicant.fields["applicant.phone"].edit, pii_samples.PHONE)
    with qtbot.wait_signal(terminal.licences.lookup_done, timeout=20_000):
        QTest.mouseClick(panel.licence_fetch, Qt.MouseButton.LeftButton)
        assert not panel.licence_fetch.isEnabled()  # asked off the GUI thread: the form is live meanwhile
    rows = panel.rows
    qtbot.wait_until(lambda: rows["M01"].status.currentData() == MaterialStatus.E_LICENCE.value)
    assert rows["M02"].status.currentData() == MaterialStatus.E_LICENCE.value
    assert "电子证照已调取" in rows["M01"].attachments.text() and not rows["M01"].scan.isEnabled()
    assert "已调取电子证照" in panel.licence_message.text()
    shot(window, "licence_01_fetched")

    with qtbot.wait_signal(terminal.intake.case_submitted, timeout=5000) as blocker:
        QTest.keyClick(window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    case = blocker.args[0]
    statuses = {m.requirement_code: (m.status, m.licence_no) for m in case.materials}
    assert statuses["M01"] == (MaterialStatus.E_LICENCE, "210802-SFZ-0000001")
    assert statuses["M02"] == (MaterialStatus.E_LICENCE, "210802-HKB-0000001")
    qtbot.wait_until(lambda: ".pdf" in s.result.print_state.text(), timeout=20_000)
    pdfs = sorted(Path(terminal.config.printer.pdf_dir).glob("*.pdf"))
    text = squash(pdf_text(pdfs[0]))
    assert "电子证照已调取" in text and pii_samples.ID_NUMBER not in text
    shot(window, "licence_02_submitted")
    actions = [r[0] for r in central.rows("SELECT action FROM licence_access ORDER BY id")]
    assert actions == ["consent", "list", "fetch", "fetch"]
