"""进度查询 against the real reference platform on loopback: the platform's state and history while it answers,
the local copy with the last sync time once it does not."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.config import config_from_dict
from app.domain.case_number import check_digits
from app.domain.models import PersonApplicant
from app.paths import resolve_paths
from app.services.kiosk import NOT_FOUND_MESSAGE, TOO_MANY_CHECKS_MESSAGE
from app.services.terminal import Terminal, open_terminal
from app.sync.client import PlatformClient
from offline_cache import open_store
from offline_cache.samples import ROUTING, sample_case
from tests import pii_samples
from tests.integration.sync.harness import Central, enrol, fast_settings, make_engine
from tests.ui.kiosk.support import kiosk_at, save_case, visible_texts

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


def test_a_case_received_at_another_terminal_is_checked_by_the_platform(
    gui_app: QApplication, qtbot: QtBot, central: Central, terminal: Terminal, tmp_path: Path
) -> None:
    # The counter next door (terminal 004) receives a case and uploads it; the kiosk has never seen it.
    counter_dir = tmp_path / "counter"
    client = PlatformClient(central.url, None)
    try:
        creds = client.enrol(central.enrol_code(terminal="004"))
    finally:
        client.close()
    with open_store(counter_dir / "terminal.sqlite3") as counter:
        applicant = PersonApplicant(
            name=pii_samples.NAME, id_number=pii_samples.ID_NUMBER, phone=pii_samples.PHONE, address=""
        )
        case = dataclasses.replace(
            sample_case(with_agent=False),
            applicant=applicant,
            routing=dataclasses.replace(ROUTING, terminal="004"),
        )
        saved = counter.save_case(case, actor="S0042").case
        engine = make_engine(counter, creds, central.url)
        engine.drain()
        assert engine.client is not None
        engine.client.close()
    assert terminal.store.cases.get_by_no(saved.case_no) is None
    terminal.start()
    qtbot.wait_until(lambda: terminal.sync.status is not None and terminal.sync.status.online is True, timeout=20_000)
    for kiosk in kiosk_at(qtbot, terminal):
        w = kiosk.window
        for tail, found in (("1234", False), (TAIL, True)):
            w.go_home()
            kiosk.tap(w.home.tiles["progress"])
            kiosk.tap_keys(w.progress.pad, saved.case_no)
            kiosk.tap(w.progress.tail_field)
            kiosk.tap_keys(w.progress.pad, tail)
            signal = terminal.kiosk.progress_ready if found else terminal.kiosk.progress_refused
            with qtbot.wait_signal(signal, timeout=15_000):
                kiosk.tap(w.progress.query_button)
            if found:
                assert "已转办" in w.progress.result_state.text() or "已收件" in w.progress.result_state.text()
                assert not w.progress.rate_button.isVisible()  # not held here: rate by the receipt's QR
            else:
                assert w.progress.message.text() == NOT_FOUND_MESSAGE


def test_the_platform_refuses_checks_after_five_wrong_ones_and_the_kiosk_says_so_calmly(
    gui_app: QApplication, qtbot: QtBot, central: Central, terminal: Terminal
) -> None:
    # A well-formed number this kiosk does not hold: the platform checks it (and it does not exist there either).
    number = "2108000100420261124000" + "01"
    number = number[:24] + check_digits(number[:24])
    terminal.start()
    qtbot.wait_until(lambda: terminal.sync.status is not None and terminal.sync.status.online is True, timeout=20_000)
    for kiosk in kiosk_at(qtbot, terminal):
        w = kiosk.window
        messages = []
        for i in range(6):
            w.go_home()
            kiosk.tap(w.home.tiles["progress"])
            kiosk.tap_keys(w.progress.pad, number)
            kiosk.tap(w.progress.tail_field)
            kiosk.tap_keys(w.progress.pad, f"{i:04d}")
            with qtbot.wait_signal(terminal.kiosk.progress_refused, timeout=15_000):
                kiosk.tap(w.progress.query_button)
            messages.append(w.progress.message.text())
        assert messages == [NOT_FOUND_MESSAGE] * 5 + [TOO_MANY_CHECKS_MESSAGE]
        assert "查询次数过多" in "\n".join(visible_texts(w))
        kiosk.shot("progress_too_many_checks_portrait")
