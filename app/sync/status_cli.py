"""The sync part of `tongban status --json`: enrolment, queue, dead letters, last success/error. No network.

Kept apart from `cli_handlers` (the engine, requests) so that status imports neither (issue 13).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from typing import TYPE_CHECKING, Any

from app.config import Config
from app.paths import AppPaths
from app.sync.credentials import Credentials, CredentialsError, CredentialStore
from app.sync.snapshot import read_sync_status
from app.sync.status import SyncState

if TYPE_CHECKING:
    from offline_cache import Store


def platform_url(config: Config, creds: Credentials | None) -> str:
    """The configured URL wins; else the URL the terminal was enrolled with."""
    return config.platform_url or (creds.platform_url if creds else "")


def sync_status(
    *,
    config: Config,
    paths: AppPaths,
    store: Store | None = None,
    conn: sqlite3.Connection | None = None,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """The sync status read from `conn` (or `store`'s connection; without either, a read-only look at the store)."""
    try:
        creds = CredentialStore(paths.data_dir).load()
    except CredentialsError:
        creds = None
    if conn is None and store is not None:
        conn = store.conn
    if conn is None:
        from offline_cache.peek import peek_store

        with peek_store(paths.database) as peek:
            return sync_status(config=config, paths=paths, conn=peek.conn, now=now)
    status = read_sync_status(
        conn,
        now=now if now is not None else dt.datetime.now(dt.UTC),
        unsynced_warning=dt.timedelta(minutes=config.unsynced_warning_minutes),
        state=SyncState.NOT_ENROLLED,  # the engine of a CLI process has no client: it does not probe the network
    ).as_json()
    status.pop("sync_state_label", None)
    enrolled = creds is not None and bool(platform_url(config, creds))
    status["enrolled"] = enrolled
    status["device_id"] = creds.device_id if creds else None
    status["platform_url"] = platform_url(config, creds) or None
    if enrolled and status["sync_state"] == SyncState.NOT_ENROLLED:
        status["sync_state"] = "unknown"  # only the running engine knows; the CLI does not probe the network
    return status
