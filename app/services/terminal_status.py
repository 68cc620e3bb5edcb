"""`tongban status`: what an administrator checks first — where the data is, its schema, cases and sync queue.

Reads the store without Qt, so it works on a headless machine and while the terminal window is running (WAL lets
a second connection read). It counts rows and reads the sync bookkeeping only, so it looks at the file through
`offline_cache.peek` (no key, no engine, no domain models: issue 13) and opens the store only when the file needs
it (none yet, an older schema).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from app import __version__
from app.config import Config
from app.paths import AppPaths
from app.sync.status_cli import sync_status
from offline_cache.errors import StoreError
from offline_cache.peek import peek_store


def read_status(*, config: Config, paths: AppPaths, now: dt.datetime | None = None) -> dict[str, Any]:
    """A JSON-ready summary; raises StoreError (with a Chinese message) when the store cannot be opened."""
    now = now or dt.datetime.now(dt.UTC)
    # A running terminal may hold the file: never move it aside or check it from here.
    with peek_store(paths.database) as peek:
        oldest = peek.oldest_pending_age(now)
        return {
            "version": __version__,
            "data_dir": str(paths.data_dir),
            "database": str(paths.database),
            "schema_version": peek.schema_version,
            "mode": config.mode.value,
            # None while the terminal has no code of its own (never enrolled): it takes no case then (issue 11).
            "terminal": (
                f"{config.division}-{config.hall_code}-{config.terminal_code}" if config.terminal_code else None
            ),
            "registered": bool(config.terminal_code),
            "platform": config.platform_url or None,
            "online_configured": not config.offline,
            "case_count": peek.case_count(),
            "queue_depth": peek.queue_depth(),
            "oldest_pending_seconds": None if oldest is None else int(oldest.total_seconds()),
            "dead_letters": peek.dead_letter_count(),
            "recovered_from": str(peek.recovered_from) if peek.recovered_from else None,
            "sync": sync_status(config=config, paths=paths, conn=peek.conn, now=now),
        }


__all__ = ["StoreError", "read_status"]
