"""进度查询 against the real reference platform on loopback: the platform's state and history while it answers,
the local copy with the last sync time once it does not."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.config import config_from_dict
from app.paths import resolve_paths
from app.services.terminal import Terminal, open_terminal
from tests import pii_samples
from tests.integration.sync.harness import Central, enrol, fast_settings
from tests.ui.kiosk.support import kiosk_at, save_case

TAIL = pii_samples.ID_NUMBER[-4:]


@pytest.fixture
def central(tmp_path: Path) -> Iterator[Central]:
    home = tmp_path / "central"
    home.mkdir()
    server = Central(home).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def terminal(central: Central, isolated_state: Path) -> Iterator[Terminal]:
    paths = resolve_paths()
    enrol(central, paths.data_dir)
    config = config_from_dict({"mode": "kiosk", "platform_url": central.url})
    term = open_terminal(config=config, paths=paths, sync_settings=fast_settings())
    yield term
    QApplication.processEvents()
    term.close()


def test_progress_from_the_platform_then_from_the_local_copy_when_it_is_gone(
    gui_app: QApplication, qtbot: QtBot, central: Central, terminal: Terminal
) -> None:
    case = save_case(terminal)
    terminal.start()
    qtbot.wait_until(
        lambda: (
            terminal.sync.status is not None
            and terminal.sync.status.online is True
            and terminal.sync.status.queue_depth == 0
        ),
        timeout=20_000,
    )
    central.set_case_status(case.case_no, "accepted")
    for kiosk in kiosk_at(qtbot, terminal):
        w = kiosk.window
        kiosk.tap(w.home.tiles["progress"])
        kiosk.tap_keys(w.progress.pad, case.case_no)
        kiosk.tap(w.progress.tail_field)
        kiosk.tap_keys(w.progress.pad, TAIL)
        with qtbot.wait_signal(terminal.kiosk.progress_ready, timeout=15_000) as answer:
            kiosk.tap(w.progress.query_button)
        assert answer.args is not None and answer.args[0].from_platform
        assert "已受理" in w.progress.result_state.text()
        assert "已受理" in w.progress.result_history.text()
        assert "全市通办平台" in w.progress.result_source.text()
        kiosk.shot("progress_platform_portrait")

        central.stop()  # the platform goes away
        w.go_home()
        kiosk.tap(w.home.tiles["progress"])
        kiosk.tap_keys(w.progress.pad, case.case_no)
        kiosk.tap(w.progress.tail_field)
        kiosk.tap_keys(w.progress.pad, TAIL)
        with qtbot.wait_signal(terminal.kiosk.progress_ready, timeout=30_000) as answer:
            kiosk.tap(w.progress.query_button)
        assert answer.args is not None and not answer.args[0].from_platform
        assert "最后同步时间" in w.progress.result_source.text()
        central.start()  # the fixture stops it again
