"""Small named values kept in the database (`meta`): e.g. the sync engine's updates cursor.

`set` joins an open `Store.transaction()`, so a page of updates and its cursor commit together.
"""

from __future__ import annotations

from offline_cache.session import Session

_RESERVED = frozenset({"key_check"})


class Settings:
    def __init__(self, session: Session) -> None:
        self._s = session

    def get(self, key: str, default: str | None = None) -> str | None:
        row = self._s.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return default if row is None else str(row[0])

    def set(self, key: str, value: str) -> None:
        if key in _RESERVED:
            raise ValueError(f"{key} is reserved")
        with self._s.write() as conn:
            conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )
