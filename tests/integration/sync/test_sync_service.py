"""SyncService: the engine in its QThread against the real platform, driven the way the windows drive it."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.config import Config
from app.paths import resolve_paths
from app.services.sync import SyncService
from app.sync.status import SyncState, SyncStatus
from offline_cache import samples
from offline_cache.samples import sample_case

from .conftest import Terminal
from .harness import Central, assert_exactly_once, fast_settings, local_states, queue_events


def _service(settings_idle: float = 30.0) -> SyncService:
    return SyncService(config=Config(), paths=resolve_paths(), settings=fast_settings(idle_poll_s=settings_idle))


def test_service_drains_wakes_on_new_records_answers_case_queries_and_stops_cleanly(
    qtbot: QtBot, central: Central, terminal: Terminal
) -> None:
    ids = queue_events(terminal.store, 300)
    service = _service()
    seen: list[SyncStatus] = []
    service.sync_state_changed.connect(seen.append)
    service.start()
    try:
        qtbot.wait_until(lambda: service.status is not None and service.status.state == SyncState.IDLE, timeout=15000)
        assert service.status is not None and service.status.queue_depth == 0
        assert service.status.online is True and service.status.last_success_at is not None

        # Long idle poll: only the wake-up can make this record go quickly.
        saved = terminal.store.save_case(sample_case(), actor="S0042")
        with qtbot.wait_signal(service.sync_state_changed, timeout=10000):
            service.notify_new_record()
        qtbot.wait_until(lambda: len(central.record_ids()) == 301, timeout=10000)

        with qtbot.wait_signal(service.case_status_received, timeout=10000) as answer:
            service.query_case(saved.case.case_no)
        assert answer.args is not None and answer.args[0] == saved.case.case_no
        assert answer.args[1]["status"] == "forwarded"
    finally:
        with qtbot.wait_signal(service.stopped, timeout=15000):
            assert service.stop()
    assert seen[-1].state == SyncState.STOPPED
    assert_exactly_once(central, [*ids, saved.case.record_id])


def test_service_without_enrolment_is_offline_until_enrolled_from_the_admin_settings(
    qtbot: QtBot, central: Central, isolated_state: Path
) -> None:
    from .harness import open_terminal

    with open_terminal(isolated_state / "data") as store:
        ids = queue_events(store, 25)
    service = _service()
    with qtbot.wait_signal(service.sync_state_changed, timeout=10000) as first:
        service.start()
    try:
        assert first.args is not None and first.args[0].state == SyncState.NOT_ENROLLED
        assert first.args[0].label_zh == "未连接平台（离线模式）" and first.args[0].queue_depth == 25
        with qtbot.wait_signal(service.enrolment_finished, timeout=10000) as bad:
            service.enrol(central.url, "NOPE-NOPE-NOPE")
        assert bad.args == [False, "注册失败：注册码无效或已过期。"]
        with qtbot.wait_signal(service.enrolment_finished, timeout=10000) as done:
            service.enrol(central.url, central.enrol_code())
        assert done.args is not None and done.args[0] is True
        qtbot.wait_until(lambda: service.status is not None and service.status.state == SyncState.IDLE, timeout=15000)
    finally:
        assert service.stop()
    assert_exactly_once(central, ids)


def test_service_rotates_the_key_on_the_worker(qtbot: QtBot, central: Central, terminal: Terminal) -> None:
    service = _service()
    service.start()
    try:
        with qtbot.wait_signal(service.key_rotation_finished, timeout=10000) as done:
            service.rotate_key()
        assert done.args == [True, "密钥已更换。"]
    finally:
        assert service.stop()
    from app.sync.credentials import CredentialStore

    creds = CredentialStore(terminal.data_dir).load()
    assert creds is not None and creds.key_id != terminal.creds.key_id and creds.pending_key_id is None


@pytest.mark.expected_log
def test_dead_letters_are_listed_with_the_reason_exported_masked_and_retried(
    qtbot: QtBot, central: Central, terminal: Terminal, tmp_path: Path
) -> None:
    saved = terminal.store.save_case(sample_case(), actor="S0042")
    others = queue_events(terminal.store, 10)
    central.faults(f"reject:{saved.case.record_id}")
    service = _service()
    service.start()
    try:
        qtbot.wait_until(lambda: service.status is not None and service.status.dead_letters == 1, timeout=15000)
        with qtbot.wait_signal(service.dead_letters_listed, timeout=10000) as listed:
            service.list_dead_letters()
        assert listed.args is not None
        (letter,) = listed.args[0]
        assert letter.record_id == saved.case.record_id and letter.reason_zh == "平台拒收：字段不合规"

        target = tmp_path / "dead.jsonl"
        with qtbot.wait_signal(service.dead_letters_exported, timeout=10000) as exported:
            service.export_dead_letters(str(target))
        assert exported.args == [1, str(target)]
        text = target.read_text(encoding="utf-8")
        assert saved.case.record_id in text and samples.NAME not in text and samples.ID_NUMBER not in text

        central.faults("")  # the platform operators fixed the cause
        with qtbot.wait_signal(service.dead_letters_listed, timeout=10000) as after:
            service.retry_dead_letters([saved.case.record_id])
        assert after.args is not None and after.args[0] == []
        qtbot.wait_until(lambda: len(central.record_ids()) == 11, timeout=15000)
    finally:
        assert service.stop()
    assert_exactly_once(central, [saved.case.record_id, *others])


def test_stop_mid_backlog_is_prompt_and_a_restart_finishes_exactly_once(
    qtbot: QtBot, central: Central, terminal: Terminal
) -> None:
    ids = queue_events(terminal.store, 6000)
    service = SyncService(config=Config(), paths=resolve_paths(), settings=fast_settings(batch_records=100))
    service.start()
    qtbot.wait_until(
        lambda: service.status is not None and 0 < service.status.queue_depth < 6000, timeout=15000
    )  # progress is reported while draining, not only at the end
    assert service.stop()  # the thread ended (False if not within STOP_TIMEOUT_MS, its own wait limit)
    assert 0 < terminal.store.outbox.depth() < 6000  # stopped part-way, between batches: not after the backlog
    assert set(local_states(terminal.store).values()) <= {"pending", "sent"}

    again = _service()
    again.start()
    try:
        qtbot.wait_until(lambda: again.status is not None and again.status.queue_depth == 0, timeout=20000)
    finally:
        assert again.stop()
    assert_exactly_once(central, ids)
