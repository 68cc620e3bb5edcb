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
from tests.ui.kiosk.support import bundle_cases, kiosk_at, save_bundle, save_case, visible_texts

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


def _typed(kiosk: object, number: str, tail: str) -> None:
    w = kiosk.window  # type: ignore[attr-defined]
    w.go_home()
    kiosk.tap(w.home.tiles["progress"])  # type: ignore[attr-defined]
    kiosk.tap_keys(w.progress.pad, number)  # type: ignore[attr-defined]
    kiosk.tap(w.progress.tail_field)  # type: ignore[attr-defined]
    kiosk.tap_keys(w.progress.pad, tail)  # type: ignore[attr-defined]


def _blocks(w: object) -> list[str]:
    return [
        "\n".join(lbl.text() for lbl in (b.item, b.department, b.number, b.state, b.due, b.history))
        for b in w.progress.member_blocks  # type: ignore[attr-defined]
        if b.isVisible()
    ]


def test_a_bundle_by_its_own_number_from_the_platform_typed_and_scanned_then_from_the_local_copy(
    gui_app: QApplication, qtbot: QtBot, central: Central, terminal: Terminal
) -> None:
    saved = save_bundle(terminal, members=3)
    parent = saved.parent.case_no
    members = [m.case.case_no for m in saved.members]
    terminal.start()
    qtbot.wait_until(
        lambda: (
            terminal.sync.status is not None
            and terminal.sync.status.online is True
            and terminal.sync.status.queue_depth == 0
        ),
        timeout=20_000,
    )
    central.set_case_status(members[1], "accepted")  # a department's decision, on the platform only
    central.set_case_status(members[2], "completed")
    for kiosk in kiosk_at(qtbot, terminal, size=(1920, 1080)):
        w = kiosk.window
        _typed(kiosk, parent, TAIL)
        with qtbot.wait_signal(terminal.kiosk.progress_ready, timeout=15_000) as answer:
            kiosk.tap(w.progress.query_button)
        progress = answer.args[0] if answer.args else None
        assert progress is not None and progress.from_platform and progress.is_bundle
        assert w.progress.result_state.text() == "当前状态：3项中已办结1项"
        assert "全市通办平台" in w.progress.result_source.text()
        blocks = _blocks(w)
        assert len(blocks) == 3
        assert "当前状态：已受理" in blocks[1] and "已转办" in blocks[1]  # the platform's history of that member
        assert "当前状态：已办结" in blocks[2]
        for block, number in zip(blocks, members, strict=True):
            assert f"{number[:6]}****{number[-4:]}" in block and "办理部门：" in block
        assert "承诺办结：2026年12月8日" in blocks[0]
        shown = "\n".join(visible_texts(w))
        for value in (pii_samples.NAME, pii_samples.ID_NUMBER, pii_samples.PHONE, *members):
            assert value not in shown
        kiosk.shot("progress_bundle_platform_landscape")
        # 长辈模式 with the platform's longer histories: two blocks side by side still fit the 1920×1080 screen.
        w.go_home()
        kiosk.tap(w.home.elder_switch)
        _typed(kiosk, parent, TAIL)
        with qtbot.wait_signal(terminal.kiosk.progress_ready, timeout=15_000):
            kiosk.tap(w.progress.query_button)
        assert len(_blocks(w)) == 2 and (w.width(), w.height()) == (1920, 1080)
        kiosk.shot("progress_bundle_platform_landscape_elder")
        w.go_home()
        kiosk.tap(w.home.elder_switch)

        # The bundle receipt's QR (/c/<parent>) at the kiosk: the same bundle, no check needed.
        w.go_home()
        with qtbot.wait_signal(terminal.kiosk.progress_ready, timeout=15_000) as answer:
            kiosk.scan(f"{central.url}/c/{parent}")
        assert answer.args is not None and answer.args[0].from_platform and answer.args[0].is_bundle
        assert w.current_page() is w.progress and len(_blocks(w)) == 3

        central.stop()  # the platform goes away: the local copy, which has not heard of the decisions yet
        _typed(kiosk, parent, TAIL)
        with qtbot.wait_signal(terminal.kiosk.progress_ready, timeout=30_000) as answer:
            kiosk.tap(w.progress.query_button)
        assert answer.args is not None and not answer.args[0].from_platform and answer.args[0].is_bundle
        assert "最后同步时间" in w.progress.result_source.text()
        done = sum(terminal.store.cases.get_by_no(n).case.state.value == "completed" for n in members)  # type: ignore[union-attr]
        assert w.progress.result_state.text() == f"当前状态：3项中已办结{done}项"  # as far as the feed has come
        central.start()  # the fixture stops it again


def test_a_bundle_taken_in_at_another_terminal_is_checked_by_the_platform(
    gui_app: QApplication, qtbot: QtBot, central: Central, terminal: Terminal, tmp_path: Path
) -> None:
    client = PlatformClient(central.url, None)
    try:
        creds = client.enrol(central.enrol_code(terminal="004"))
    finally:
        client.close()
    with open_store(tmp_path / "counter" / "terminal.sqlite3") as counter:
        saved = counter.save_bundle(
            bundle_cases(members=2, terminal="004"),
            bundle_code="210800YJS001",
            bundle_name="新生儿出生一件事",
            actor="S0042",
        )
        engine = make_engine(counter, creds, central.url)
        engine.drain()
        assert engine.client is not None
        engine.client.close()
    parent = saved.parent.case_no
    assert terminal.store.bundles.get(parent) is None
    terminal.start()
    qtbot.wait_until(lambda: terminal.sync.status is not None and terminal.sync.status.online is True, timeout=20_000)
    for kiosk in kiosk_at(qtbot, terminal):
        w = kiosk.window
        _typed(kiosk, parent, "1234")
        with qtbot.wait_signal(terminal.kiosk.progress_refused, timeout=15_000):
            kiosk.tap(w.progress.query_button)
        assert w.progress.message.text() == NOT_FOUND_MESSAGE  # what an unknown number gets
        assert "新生儿出生一件事" not in "\n".join(visible_texts(w))
        _typed(kiosk, parent, TAIL)
        with qtbot.wait_signal(terminal.kiosk.progress_ready, timeout=15_000):
            kiosk.tap(w.progress.query_button)
        assert w.progress.result_state.text() == "当前状态：2项中已办结0项" and len(_blocks(w)) == 2
        assert not w.progress.rate_button.isVisible()  # not held here: rated by the receipt's QR
