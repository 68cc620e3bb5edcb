"""FAULTS.md rows 17-19, TLS, enrolment and key rotation: stop cleanly, keep the queue, resume after the fix."""

from __future__ import annotations

import gc
import json
import os
import stat
import time
from pathlib import Path

import pytest
import requests

from app.sync.client import PlatformClient
from app.sync.credentials import CredentialStore
from app.sync.errors import AuthFailedError, EnrolmentError
from app.sync.status import SyncState

from .conftest import Terminal
from .harness import Central, assert_exactly_once, enrol, fast_settings, local_states, make_engine, queue_events
from .proxy import FaultProxy
from .test_faults_server import FakeTime
from .tlscerts import make_cert, server_context


@pytest.mark.expected_log
def test_row17_revoked_device_stops_keeps_queue_probes_rarely_and_resumes_after_reenrolment(
    central: Central, terminal: Terminal
) -> None:
    store = terminal.store
    first = queue_events(store, 20)
    fake = FakeTime()
    engine = make_engine(store, terminal.creds, central.url, monotonic=fake.monotonic, sleep=fake.sleep)
    engine.drain()
    second = queue_events(store, 30)
    central.revoke(terminal.creds.device_id)

    stopped = engine.drain()

    assert stopped.blocked == SyncState.REVOKED and engine.state == SyncState.REVOKED
    assert engine.status().queue_depth == 30
    attempts = len(engine.attempt_log)
    for _ in range(5):  # the worker waking up again and again inside 15 minutes sends nothing
        step = engine.step()
        assert step.wait > 14 * 60
    fake.now += 10 * 60
    assert engine.step().wait > 0 and len(engine.attempt_log) == attempts
    fake.now += 6 * 60
    engine.step()  # one probe after 15 minutes
    assert len(engine.attempt_log) == attempts + 1 and engine.state == SyncState.REVOKED

    new_creds = enrol(central, terminal.data_dir)  # the administrator re-enrols the same terminal code
    engine.update_credentials(new_creds)
    engine.drain()

    assert engine.state == SyncState.IDLE
    assert_exactly_once(central, first + second)


@pytest.mark.parametrize("skew", [7200, -7200])
def test_row18_clock_skew_is_corrected_from_server_time_within_two_attempts(
    central: Central, terminal: Terminal, skew: int
) -> None:
    ids = queue_events(terminal.store, 10)
    client = PlatformClient(central.url, terminal.creds, time_source=lambda: time.time() + skew)
    engine = make_engine(terminal.store, terminal.creds, central.url)
    engine.client = client

    before = time.time()
    report = engine.drain()
    after = time.time()

    assert len(engine.attempt_log) == 2 and report.failures == 0
    assert_exactly_once(central, ids)
    status = engine.status()
    assert "时钟" in status.last_error or status.last_error == ""  # cleared by the success that followed
    # The platform's clock as read during the drain (±1 s for whole-second times), not the skewed terminal's.
    assert status.server_time is not None and before - 1 <= status.server_time <= after + 1
    # The corrected offset is kept: a restarted engine signs right the first time.
    again = make_engine(terminal.store, terminal.creds, central.url)
    again.client = PlatformClient(central.url, terminal.creds, time_source=lambda: time.time() + skew)
    again.client.clock_offset = 0.0
    queue_events(terminal.store, 1)
    from app.sync.engine import SyncEngine

    restarted = SyncEngine(terminal.store, again.client, settings=fast_settings())
    restarted.drain()
    assert len(restarted.attempt_log) == 1


def test_row19_replayed_request_is_refused_and_nothing_is_stored_twice(central: Central, terminal: Terminal) -> None:
    ids = queue_events(terminal.store, 3)
    captured: list[requests.PreparedRequest] = []
    engine = make_engine(terminal.store, terminal.creds, central.url)
    assert engine.client is not None
    engine.client.session.hooks["response"].append(lambda r, *a, **k: captured.append(r.request))
    engine.drain()

    replay = requests.Session().send(captured[-1], timeout=5)

    assert replay.status_code == 401 and replay.json()["error"] == "replay"
    assert_exactly_once(central, ids)


@pytest.mark.expected_log
def test_bad_signature_three_times_blocks_with_auth_blocked(central: Central, terminal: Terminal) -> None:
    from dataclasses import replace

    queue_events(terminal.store, 5)
    wrong = replace(terminal.creds, secret="0" * 64)
    engine = make_engine(terminal.store, wrong, central.url)

    report = engine.drain()

    assert report.blocked == SyncState.AUTH_BLOCKED and report.failures == 3
    assert engine.status().queue_depth == 5 and central.record_ids() == []


@pytest.mark.expected_log
def test_upgrade_required_pauses_without_dead_letters(central: Central, terminal: Terminal) -> None:
    ids = queue_events(terminal.store, 5)
    central.faults("status:426")
    engine = make_engine(terminal.store, terminal.creds, central.url)

    report = engine.drain()

    assert report.blocked == SyncState.UPGRADE_REQUIRED and engine.status().dead_letters == 0
    assert set(local_states(terminal.store).values()) == {"pending"}
    assert "升级" in engine.status().last_error
    central.faults("")
    engine.resume()
    engine.drain()
    assert_exactly_once(central, ids)


# WORKAROUND for https://github.com/python/cpython/issues/109534: asyncio leaves the transport of a failed server
# TLS handshake unclosed (a ResourceWarning when collected); collect it inside this test, where it is expected.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_tls_verified_against_the_configured_bundle_and_a_wrong_certificate_is_refused(
    central: Central, terminal: Terminal, tmp_path: Path
) -> None:
    right_cert, right_key = make_cert(tmp_path, "platform")
    wrong_cert, _ = make_cert(tmp_path, "impostor")
    proxy = FaultProxy(central.port, tls=server_context(right_cert, right_key)).start()
    try:
        ids = queue_events(terminal.store, 10)
        engine = make_engine(terminal.store, terminal.creds, proxy.url)
        engine.client = PlatformClient(proxy.url, terminal.creds, ca_bundle=str(wrong_cert), timeout=(2, 5))
        refused = engine.drain(max_failures=2)
        assert refused.sent == 0 and central.record_ids() == [] and engine.state == SyncState.OFFLINE
        system_store = PlatformClient(proxy.url, terminal.creds, timeout=(2, 5))  # self-signed: not in the store
        engine.update_credentials(terminal.creds)
        engine.client = system_store
        engine.resume()
        assert engine.drain(max_failures=1).sent == 0

        engine.client = PlatformClient(proxy.url, terminal.creds, ca_bundle=str(right_cert), timeout=(2, 5))
        engine.resume()
        engine.drain()
        assert_exactly_once(central, ids)
    finally:
        proxy.close()
        gc.collect()


def test_enrolment_stores_credentials_outside_sqlite_in_a_0600_file(central: Central, isolated_state: Path) -> None:
    data_dir = isolated_state / "data"
    creds = enrol(central, data_dir)
    path = CredentialStore(data_dir).file_path
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text())["secret"] == creds.secret
    assert CredentialStore(data_dir).load() == creds
    assert creds.secret not in repr(creds)
    from .harness import open_terminal

    with open_terminal(data_dir) as store:
        queue_events(store, 1)
    for file in data_dir.rglob("*"):
        if file.is_file() and file != path:
            assert creds.secret.encode() not in file.read_bytes(), file
    logs = Path(os.environ["TONGBAN_LOG_DIR"])
    assert all(creds.secret not in f.read_text(errors="replace") for f in logs.rglob("*") if f.is_file())

    with pytest.raises(EnrolmentError):
        PlatformClient(central.url, None).enrol("AAAA-BBBB-CCCC")


def test_key_rotation_two_step_survives_a_crash_between_steps(central: Central, terminal: Terminal) -> None:
    store = terminal.store
    creds_store = CredentialStore(terminal.data_dir)
    engine = make_engine(store, terminal.creds, central.url)
    assert engine.client is not None
    # Step 1 only (the terminal "crashes" before confirming): the pending key is stored first.
    key_id, secret = engine.client.rotate()
    creds_store.save(terminal.creds.with_pending(key_id, secret))

    restarted = make_engine(store, creds_store.load(), central.url)  # type: ignore[arg-type]
    new_key = restarted.rotate_key(creds_store.save)

    assert new_key == key_id and creds_store.load().key_id == key_id  # type: ignore[union-attr]
    ids = queue_events(store, 4)
    restarted.drain()
    assert_exactly_once(central, ids)
    old = PlatformClient(central.url, terminal.creds)
    with pytest.raises(AuthFailedError):
        old.summary()
    # A full rotation in one go works too.
    third = restarted.rotate_key(creds_store.save)
    assert third != key_id and creds_store.load().pending_key_id is None  # type: ignore[union-attr]
    assert restarted.client is not None and restarted.client.summary()["records"] == 4


def test_a_key_rotated_by_another_process_is_picked_up_not_blocked(central: Central, terminal: Terminal) -> None:
    creds_store = CredentialStore(terminal.data_dir)
    running = make_engine(
        terminal.store, terminal.creds, central.url, reload_credentials=creds_store.load
    )  # the GUI's worker, holding the old key in memory
    other = make_engine(terminal.store, terminal.creds, central.url)
    other.rotate_key(creds_store.save)  # `tongban rotate-key` in a shell
    ids = queue_events(terminal.store, 5)

    report = running.drain()

    assert report.blocked is None and report.sent == 5
    assert running.client is not None and running.client.credentials == creds_store.load()
    assert_exactly_once(central, ids)
