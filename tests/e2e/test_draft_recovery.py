"""A power cut in the middle of typing: the process is killed (SIGKILL) while the clerk types; on the next start
the draft comes back after sign-in, with a banner, and at most the field being typed is lost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.config import config_from_dict
from app.paths import AppPaths
from app.services.terminal import open_terminal
from tests import pii_samples
from tests.integration.intake_support import STAFF_NO, STAFF_PIN
from ui.app import prepare_application
from ui.counter_window import CounterWindow

ROOT = Path(__file__).resolve().parents[2]
ITEM = "210882070405000"

CLERK_SCRIPT = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QInputMethodEvent
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication
    from app.config import config_from_dict
    from app.paths import AppPaths
    from app.services.terminal import open_terminal
    from ui.app import prepare_application
    from ui.counter_window import CounterWindow

    data = Path(sys.argv[1])
    app = QApplication([sys.argv[0], "-platform", "offscreen"])
    prepare_application(app)
    paths = AppPaths(data_dir=data, config_file=data / "c.toml", log_dir=data / "logs")
    terminal = open_terminal(config=config_from_dict({"terminal_code": "003"}), paths=paths)
    window = CounterWindow(config=terminal.config, status=terminal.status, terminal=terminal)
    window.show()
    flow = window.flow
    flow.sign_in.staff_no.setText(sys.argv[2])
    flow.sign_in.pin.setText(sys.argv[3])
    flow.sign_in.submit()
    flow.choose_item(sys.argv[4])
    form = flow.session.form
    event = QInputMethodEvent()
    event.setCommitString(sys.argv[5])
    QApplication.sendEvent(form.applicant.fields["applicant.name"].edit, event)
    saved = []
    terminal.intake.draft_saved.connect(saved.append)
    while not saved:  # wait for the debounced autosave of the name
        app.processEvents()
    QTest.keyClicks(form.applicant.fields["applicant.id_number"].edit, sys.argv[6][:9])  # half typed
    print("TYPING", flush=True)
    os.kill(os.getpid(), signal.SIGKILL)  # power cut: no flush, no close
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_draft_survives_a_kill_mid_typing(qapp: QApplication, qtbot: QtBot, tmp_path: Path) -> None:
    prepare_application(qapp)  # language (the banner is checked in Chinese), font, theme
    data = tmp_path / "data"
    paths = AppPaths(data_dir=data, config_file=data / "c.toml", log_dir=data / "logs")
    first = open_terminal(config=config_from_dict({"terminal_code": "003"}), paths=paths)
    first.staff.add(staff_no=STAFF_NO, display_name="王晓", pin=STAFF_PIN, actor="test")
    first.close()

    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            CLERK_SCRIPT,
            str(data),
            STAFF_NO,
            STAFF_PIN,
            ITEM,
            pii_samples.NAME,
            pii_samples.ID_NUMBER,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        check=False,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-2000:]
    assert "TYPING" in proc.stdout

    terminal = open_terminal(config=config_from_dict({"terminal_code": "003"}), paths=paths)
    try:
        window = CounterWindow(config=terminal.config, status=terminal.status, terminal=terminal)
        qtbot.add_widget(window)
        window.show()
        flow = window.flow
        assert flow is not None
        flow.sign_in.staff_no.setText(STAFF_NO)
        flow.sign_in.pin.setText(STAFF_PIN)
        flow.sign_in.submit()
        form = flow.session.form
        assert form.draft is not None and form.draft.item_code == ITEM
        assert form.banner.isVisible() and "恢复" in form.banner.text()
        assert form.applicant.fields["applicant.name"].text() == pii_samples.NAME
        # The half-typed ID number may or may not have reached the disk; nothing else is lost.
        assert pii_samples.ID_NUMBER[:9].startswith(form.applicant.fields["applicant.id_number"].text())
        assert terminal.store.db.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        for timer in terminal.status.findChildren(QTimer):
            timer.stop()
        terminal.close()
