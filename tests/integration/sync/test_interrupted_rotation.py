"""A key rotation interrupted after the platform confirmed the new key but before the promoted key was saved
(issue 22 item 4): the terminal finishes it on start and on a 401 instead of failing for good."""

from __future__ import annotations

from app.sync.client import PlatformClient
from app.sync.credentials import Credentials, CredentialStore
from app.sync.status import SyncState

from .conftest import Terminal
from .harness import Central, assert_exactly_once, make_engine, queue_events


def _rotate_and_stop_before_saving(central: Central, terminal: Terminal, creds: Credentials) -> Credentials:
    """`rotate`, pending key stored, `rotate/confirm` answered by the platform, then the process stops before
    the promoted key reaches the credential store (what `SyncEngine.rotate_key` does, cut after the confirm)."""
    store = CredentialStore(terminal.data_dir)
    client = PlatformClient(central.url, creds)
    try:
        key_id, secret = client.rotate()
        pending = creds.with_pending(key_id, secret)
        store.save(pending)
        client.credentials = pending
        client.rotate_confirm()  # the platform now knows only the new key
    finally:
        client.close()
    on_disk = store.load()
    assert on_disk is not None and on_disk.key_id == creds.key_id and on_disk.pending_key_id == key_id
    return on_disk


def test_rotation_interrupted_after_the_confirm_is_finished_on_start_and_on_a_401(
    central: Central, terminal: Terminal
) -> None:
    """Extends FAULTS.md row 17 (key state on the platform; queue intact, drain afterwards, lost=0, dup=0)."""
    creds_store = CredentialStore(terminal.data_dir)
    # 1. On start: the terminal restarts with the old key as current and the confirmed key as pending.
    on_disk = _rotate_and_stop_before_saving(central, terminal, terminal.creds)
    first = queue_events(terminal.store, 10)
    engine = make_engine(
        terminal.store,
        on_disk,
        central.url,
        reload_credentials=creds_store.load,
        save_credentials=creds_store.save,
    )
    report = engine.drain(max_failures=5)
    assert report.sent == 10 and report.blocked is None and engine.state is SyncState.IDLE
    saved = creds_store.load()
    assert saved is not None and saved.key_id == on_disk.pending_key_id and saved.pending_key_id is None
    assert engine.client is not None and engine.client.credentials == saved

    # 2. On a 401: while this engine runs, another process (`tongban rotate-key`) stops at the same point.
    again = _rotate_and_stop_before_saving(central, terminal, saved)
    second = queue_events(terminal.store, 10)
    report = engine.drain(max_failures=5)
    assert report.sent == 10 and engine.state is SyncState.IDLE
    final = creds_store.load()
    assert final is not None and final.key_id == again.pending_key_id and final.pending_key_id is None
    assert_exactly_once(central, first + second)
