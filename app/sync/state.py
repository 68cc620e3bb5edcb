"""The engine's small persistent state (cursor, ETag, last success/error, clock offset), in the store's `meta`
key/value table under `sync.*` keys: no schema change needed, and the cursor is written in the same transaction as
the updates it follows."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # `tongban status` reads these keys without opening the store (offline_cache.peek)
    from offline_cache import Store

UPDATES_CURSOR = "sync.updates_cursor"
CATALOGUE_ETAG = "sync.catalogue_etag"
LAST_SUCCESS_AT = "sync.last_success_at"
LAST_ERROR = "sync.last_error"
LAST_ERROR_AT = "sync.last_error_at"
CLOCK_OFFSET = "sync.clock_offset"
LAST_RECONCILE_AT = "sync.last_reconcile_at"
CASE_NO_TAKEN = "sync.case_no_taken"  # "<record_id>|<case_no>|<next seq>" after rejected(case_no_taken)
LAST_RECONCILE = "sync.last_reconcile"  # JSON: reason, requeued, lost, lost_case_nos, platform_records
PLATFORM_INSTANCE = "sync.platform_instance"  # the platform's instance id last seen (changes after a restore)
HIGH_WATER_DEVICE = "sync.high_water_device"  # the device id whose platform high-water marks were learnt
BLOCKED = "sync.blocked"  # "<state>|<key_id>" while revoked / auth-blocked / upgrade-paused


def get(store: Store, key: str) -> str | None:
    return get_from(store.conn, key)


def get_from(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    if row is None:
        return None
    value = row[0]
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def put(conn: sqlite3.Connection, key: str, value: str | None) -> None:
    """Write inside the caller's transaction (`store.transaction()`); None deletes the key."""
    if value is None:
        conn.execute("DELETE FROM meta WHERE key = ?", (key,))
    else:
        conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )


def set_many(store: Store, values: dict[str, str | None]) -> None:
    with store.transaction() as conn:
        for key, value in values.items():
            put(conn, key, value)
