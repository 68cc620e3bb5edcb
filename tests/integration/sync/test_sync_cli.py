"""The CLI handlers (`tongban enrol`, `sync --once`, `rotate-key`, the sync part of `status --json`) in process."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

from app.config import Config
from app.paths import resolve_paths
from app.sync.cli_handlers import (
    EXIT_FAILURE,
    EXIT_OK,
    EXIT_PENDING,
    enrol_command,
    rotate_key_command,
    sync_once_command,
    sync_status,
)
from app.sync.credentials import CredentialStore
from offline_cache.samples import sample_case

from .harness import Central, assert_exactly_once, open_terminal, queue_events


def test_enrol_sync_once_status_and_rotate_from_the_command_line(central: Central, isolated_state: Path) -> None:
    config, paths = Config(), resolve_paths()
    out, err = io.StringIO(), io.StringIO()
    with open_terminal(paths.data_dir) as store:
        ids = queue_events(store, 40)

    assert sync_once_command(config=config, paths=paths, out=out, err=err) == EXIT_FAILURE
    assert "尚未注册" in err.getvalue()
    assert enrol_command(config=config, paths=paths, url=central.url, code="WRONG-CODE", out=out, err=err) == 1
    assert enrol_command(config=config, paths=paths, url=central.url, code=central.enrol_code(), out=out, err=err) == 0
    creds = CredentialStore(paths.data_dir).load()
    assert creds is not None and creds.platform_url == central.url
    assert creds.secret not in out.getvalue() + err.getvalue()

    before = sync_status(config=config, paths=paths)
    assert before["enrolled"] is True and before["queue_depth"] == 40 and before["dead_letters"] == 0

    summary_out = io.StringIO()
    assert sync_once_command(config=config, paths=paths, json_output=True, out=summary_out, err=err) == EXIT_OK
    summary = json.loads(summary_out.getvalue())
    assert summary["sent"] == 40 and summary["queue_depth"] == 0 and summary["sync_state"] == "idle"
    assert_exactly_once(central, ids)
    after = sync_status(config=config, paths=paths)
    assert after["queue_depth"] == 0 and after["last_success_at"] is not None

    assert rotate_key_command(config=config, paths=paths, out=out, err=err) == EXIT_OK
    rotated = CredentialStore(paths.data_dir).load()
    assert rotated is not None and rotated.key_id != creds.key_id

    central.stop()  # the platform is down: the queue stays and the exit code says so
    with open_terminal(paths.data_dir) as store:
        more = queue_events(store, 3)
    assert sync_once_command(config=config, paths=paths, max_seconds=1, out=out, err=err) == EXIT_PENDING
    assert sync_status(config=config, paths=paths)["queue_depth"] == 3
    central.start()
    assert sync_once_command(config=config, paths=paths, out=out, err=err) == EXIT_OK
    assert_exactly_once(central, ids + more)


def test_enrolling_against_a_wrong_address_says_the_address_is_wrong(central: Central, isolated_state: Path) -> None:
    """Issue 11: not "平台上没有找到该记录" (a 404 read as a missing record) — the address is what is wrong."""
    import http.server
    import socket
    import threading

    config, paths = Config(), resolve_paths()
    page = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    threading.Thread(target=page.serve_forever, name="web-page", daemon=True).start()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]  # nothing listens here once the probe is closed
    wrong = {
        f"{central.url}/tongban": "该地址上没有通办平台，请核对平台地址",  # a path too many: 404
        f"http://127.0.0.1:{page.server_address[1]}": "该地址上没有通办平台，请核对平台地址",  # some other web server
        f"http://127.0.0.1:{closed_port}": "无法连接该地址，请核对平台地址、端口和网络",
    }
    try:
        for url, message in wrong.items():
            err = io.StringIO()
            assert enrol_command(config=config, paths=paths, url=url, code="ABCD-EFGH", out=io.StringIO(), err=err) == 1
            assert message in err.getvalue() and "没有找到该记录" not in err.getvalue(), (url, err.getvalue())
        err = io.StringIO()  # the right address with a wrong code is still about the code
        assert enrol_command(config=config, paths=paths, url=central.url, code="ABCD-EFGH", out=io.StringIO(), err=err)
        assert "注册码无效或已过期" in err.getvalue()
    finally:
        page.shutdown()
        page.server_close()
    assert CredentialStore(paths.data_dir).load() is None


def test_sync_once_after_the_platform_was_restored_from_a_backup_resends_at_once(
    central: Central, isolated_state: Path
) -> None:
    """Issue 20 as reported: four cases synced, the platform's database replaced by a backup taken after the first
    two; the next `tongban sync --once` must send the two it lost, not report 已全部上传."""
    config, paths = Config(), resolve_paths()
    out, err = io.StringIO(), io.StringIO()
    assert enrol_command(config=config, paths=paths, url=central.url, code=central.enrol_code(), out=out, err=err) == 0
    with open_terminal(paths.data_dir) as store:
        first = [store.save_case(sample_case(), actor="S0042").case.record_id for _ in range(2)]
    assert sync_once_command(config=config, paths=paths, out=out, err=err) == EXIT_OK
    central.stop()
    backup = central.home / "backup.db"
    shutil.copy(central.db, backup)
    wal = central.db.with_name(central.db.name + "-wal")
    if wal.exists():
        shutil.copy(wal, backup.with_name("backup.db-wal"))
    central.start()
    with open_terminal(paths.data_dir) as store:
        second = [store.save_case(sample_case(), actor="S0042").case.record_id for _ in range(2)]
    assert sync_once_command(config=config, paths=paths, out=out, err=err) == EXIT_OK
    central.stop()
    for suffix in ("", "-wal", "-shm"):
        central.db.with_name(central.db.name + suffix).unlink(missing_ok=True)
    shutil.copy(backup, central.db)
    if backup.with_name("backup.db-wal").exists():
        shutil.copy(backup.with_name("backup.db-wal"), central.db.with_name(central.db.name + "-wal"))
    central.start()
    assert len(central.record_ids()) == 2

    summary_out = io.StringIO()
    assert sync_once_command(config=config, paths=paths, json_output=True, out=summary_out, err=err) == EXIT_OK

    summary = json.loads(summary_out.getvalue())
    assert summary["sent"] == 2 and summary["queue_depth"] == 0
    reconciliation = summary["last_reconciliation"]
    assert (reconciliation["reason"], reconciliation["requeued"], reconciliation["lost"]) == ("cursor_gone", 2, 0)
    assert_exactly_once(central, first + second)
    assert sync_status(config=config, paths=paths)["last_reconciliation"]["requeued"] == 2
