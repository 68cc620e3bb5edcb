"""SyncService: the engine in its QThread against the real platform, driven the way the windows drive it."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from app.config import Config
from app.paths import resolve_paths
from app.services.sync import SyncService
from app.sync.status import SyncState, SyncStatus
from offline_cache.samples import sample_case

from .conftest import Terminal
from .harness import Central, assert_exactly_once, fast_settings, queue_events


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
        qtbot.wait_until(lambda: service.status is not None and service.status.queue_depth == 0, timeout=15000)
        assert service.status is not None and service.status.state == SyncState.IDLE
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


def test_service_without_enrolment_reports_offline_mode(qtbot: QtBot, isolated_state: Path) -> None:
    service = _service()
    with qtbot.wait_signal(service.sync_state_changed, timeout=10000) as first:
        service.start()
    try:
        assert first.args is not None and first.args[0].state == SyncState.NOT_ENROLLED
        assert first.args[0].label_zh == "未连接平台（离线模式）"
    finally:
        assert service.stop()


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
