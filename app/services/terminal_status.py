"""`tongban status`: what an administrator checks first — where the data is, its schema, cases and sync queue.

Reads the store without Qt, so it works on a headless machine and while the terminal window is running (WAL lets
a second connection read).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from app import __version__
from app.config import Config
from app.paths import AppPaths
from app.sync.cli_handlers import sync_status
from offline_cache import StoreError, open_store


def read_status(*, config: Config, paths: AppPaths, now: dt.datetime | None = None) -> dict[str, Any]:
    """A JSON-ready summary; raises StoreError (with a Chinese message) when the store cannot be opened."""
    now = now or dt.datetime.now(dt.UTC)
    # A running terminal may hold the file: never move it aside or check it from here.
    with open_store(paths.database, recover_corrupt=False, integrity_check=False) as store:
        oldest = store.outbox.oldest_pending_age(now)
        return {
            "version": __version__,
            "data_dir": str(paths.data_dir),
            "database": str(paths.database),
            "schema_version": store.schema_version,
            "mode": config.mode.value,
            # None while the terminal has no code of its own (never enrolled): it takes no case then (issue 11).
            "terminal": (
                f"{config.division}-{config.hall_code}-{config.terminal_code}" if config.terminal_code else None
            ),
            "registered": bool(config.terminal_code),
            "platform": config.platform_url or None,
            "online_configured": not config.offline,
            "case_count": store.cases.count(),
            "queue_depth": store.outbox.depth(),
            "oldest_pending_seconds": None if oldest is None else int(oldest.total_seconds()),
            "dead_letters": len(store.outbox.dead_letters()),
            "recovered_from": str(store.recovered_from) if store.recovered_from else None,
            "sync": sync_status(config=config, paths=paths, store=store, now=now),
        }


__all__ = ["StoreError", "read_status"]
