"""Handlers for `tongban sync --once`, `tongban enrol`, `tongban rotate-key` and the sync part of `tongban status`.

`app/cli.py` (the lead's) parses arguments and calls these; each returns the process exit code and prints one
plain line (or JSON) to `out`, reasons to stderr. No Qt here.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable
from typing import Any, TextIO

from app.config import Config
from app.paths import AppPaths
from app.sync.credentials import Credentials, CredentialsError, CredentialStore
from app.sync.engine import EngineSettings, SyncEngine
from app.sync.errors import EnrolmentError, PlatformError
from app.sync.status import SyncState
from app.sync.status_cli import platform_url, sync_status  # re-exported (see __all__)
from offline_cache import Store, StoreError, open_store

EXIT_OK = 0
EXIT_FAILURE = 1
#: `sync --once` left records pending (network down, platform failing): try again later.
EXIT_PENDING = 3
#: `sync --once` stopped because sync is blocked (revoked, auth, upgrade): needs an administrator.
EXIT_BLOCKED = 4


def build_engine(
    config: Config,
    paths: AppPaths,
    store: Store,
    *,
    settings: EngineSettings | None = None,
    catalogue_sink: Callable[[bytes], object] | None = None,
    credentials: Credentials | None = None,
) -> SyncEngine:
    """The engine for this terminal over `store` (a connection owned by the calling thread)."""
    creds = credentials or CredentialStore(paths.data_dir).load()
    url = platform_url(config, creds)
    client = None
    if url and creds:  # requests (~16 MB resident) only for a terminal that has a platform to talk to
        from app.sync.client import PlatformClient

        client = PlatformClient(url, creds, ca_bundle=config.ca_bundle)
    base = settings or EngineSettings()
    if settings is None:
        base = EngineSettings(unsynced_warning=dt.timedelta(minutes=config.unsynced_warning_minutes))
    return SyncEngine(
        store,
        client,
        settings=base,
        on_catalogue=catalogue_sink,
        reload_credentials=CredentialStore(paths.data_dir).load,
        save_credentials=CredentialStore(paths.data_dir).save,
    )


def sync_once_command(
    *,
    config: Config,
    paths: AppPaths,
    json_output: bool = False,
    max_seconds: float = 300.0,
    catalogue_sink: Callable[[bytes], object] | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
    started: Callable[[], object] | None = None,
) -> int:
    """`tongban sync --once`: drain (with backoff, at most `max_seconds`), pull once, print a summary.

    `started` is called once the engine is built (everything the command imports is imported), before it sends."""
    out, err = out or sys.stdout, err or sys.stderr
    try:
        with open_store(paths.database, integrity_check=False, recover_corrupt=False) as store:
            engine = build_engine(config, paths, store, catalogue_sink=catalogue_sink)
            if started is not None:
                started()
            if engine.client is None:
                print("tongban sync: 本终端尚未注册到平台（请先运行 tongban enrol）", file=err)
                return EXIT_FAILURE
            report = engine.drain(max_seconds=max_seconds, max_failures=6)
            if report.blocked is None and not report.failures:
                # The pulls; a platform restored from backup is reconciled and sent what it lost right here.
                report.merge(engine.cycle(force_pull=True).report)
            status = engine.status()
            engine.client.close()
    except (StoreError, CredentialsError) as exc:
        print(f"tongban sync: {exc}", file=err)
        return EXIT_FAILURE
    summary: dict[str, Any] = {
        "sent": report.sent,
        "duplicates": report.duplicates,
        "dead": report.dead,
        "retry_later": report.retry_later,
        "failures": report.failures,
        "batches": report.batches,
        **status.as_json(),
    }
    if json_output:
        print(json.dumps(summary, ensure_ascii=False, sort_keys=True), file=out)
    else:
        print(
            f"已上传 {report.sent} 条（重复确认 {report.duplicates} 条），转入异常 {report.dead} 条，"
            f"待上传 {status.queue_depth} 条；{status.label_zh}",
            file=out,
        )
    if status.state in (SyncState.REVOKED, SyncState.AUTH_BLOCKED, SyncState.UPGRADE_REQUIRED):
        print(f"tongban sync: {status.last_error or status.label_zh}", file=err)
        return EXIT_BLOCKED
    return EXIT_OK if status.queue_depth == 0 else EXIT_PENDING


def enrol_command(
    *, config: Config, paths: AppPaths, url: str, code: str, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """`tongban enrol --url URL --code CODE`: one-time code → credentials stored (never printed)."""
    out, err = out or sys.stdout, err or sys.stderr
    from app.sync.client import PlatformClient

    client = PlatformClient(url or config.platform_url, None, ca_bundle=config.ca_bundle)
    try:
        creds = client.enrol(code.strip())
        CredentialStore(paths.data_dir).save(creds)
    except EnrolmentError as exc:
        print(f"tongban enrol: {exc.message_zh}", file=err)
        return EXIT_FAILURE
    except (PlatformError, CredentialsError) as exc:
        print(f"tongban enrol: {getattr(exc, 'message_zh', '') or exc}", file=err)
        return EXIT_FAILURE
    finally:
        client.close()
    print(f"已注册：终端 {creds.division}-{creds.hall}-{creds.terminal}，设备 {creds.device_id}", file=out)
    # A replacement PC enrolled as the same terminal continues above the numbers the platform holds (issue 22);
    # if this fails (the terminal is running and holds the store), its sync engine learns them on its next pull.
    try:
        with open_store(paths.database, integrity_check=False, recover_corrupt=False) as store:
            engine = build_engine(config, paths, store, credentials=creds)
            if engine.client is not None:
                engine.learn_high_water()
                engine.client.close()
    except StoreError as exc:
        print(f"tongban enrol: 编号续接将在下次同步时完成（{exc}）", file=err)
    return EXIT_OK


def rotate_key_command(*, config: Config, paths: AppPaths, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """`tongban rotate-key`: the protocol's two-step rotation (also finishes one a crash interrupted)."""
    out, err = out or sys.stdout, err or sys.stderr
    creds_store = CredentialStore(paths.data_dir)
    try:
        with open_store(paths.database, integrity_check=False, recover_corrupt=False) as store:
            engine = build_engine(config, paths, store)
            if engine.client is None:
                print("tongban rotate-key: 本终端尚未注册到平台", file=err)
                return EXIT_FAILURE
            key_id = engine.rotate_key(creds_store.save)
            engine.client.close()
    except (PlatformError, StoreError, CredentialsError) as exc:
        print(f"tongban rotate-key: {getattr(exc, 'message_zh', '') or exc}", file=err)
        return EXIT_FAILURE
    print(f"密钥已更换（新密钥 {key_id[:8]}…）", file=out)
    return EXIT_OK


__all__ = [
    "EXIT_BLOCKED",
    "EXIT_FAILURE",
    "EXIT_OK",
    "EXIT_PENDING",
    "build_engine",
    "enrol_command",
    "platform_url",
    "rotate_key_command",
    "sync_once_command",
    "sync_status",
]
