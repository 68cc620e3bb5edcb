"""Autosaved drafts: a JSON payload per key, encrypted whole (a draft holds whatever the clerk typed)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from offline_cache.crypto import aad
from offline_cache.session import Session, parse_iso


@dataclass(frozen=True, slots=True)
class DraftInfo:
    key: str
    created_at: dt.datetime
    updated_at: dt.datetime


def _aad(key: str) -> str:
    return aad("drafts", "payload", key)


class Drafts:
    def __init__(self, session: Session) -> None:
        self._s = session

    def put(self, key: str, payload: dict[str, Any]) -> None:
        sealed = self._s.cipher.encrypt(json.dumps(payload, ensure_ascii=False).encode("utf-8"), _aad(key))
        now = self._s.now()
        with self._s.write() as conn:
            conn.execute(
                "INSERT INTO drafts (key, payload, created_at, updated_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (key) DO UPDATE SET payload = excluded.payload, updated_at = excluded.updated_at",
                (key, sealed, now, now),
            )

    def get(self, key: str) -> dict[str, Any] | None:
        row = self._s.conn.execute("SELECT payload FROM drafts WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        payload: dict[str, Any] = json.loads(self._s.cipher.decrypt(row[0], _aad(key)))
        return payload

    def delete(self, key: str) -> bool:
        with self._s.write() as conn:
            return conn.execute("DELETE FROM drafts WHERE key = ?", (key,)).rowcount > 0

    def list(self) -> list[DraftInfo]:
        """Newest first; payloads are not decrypted."""
        rows = self._s.conn.execute("SELECT key, created_at, updated_at FROM drafts ORDER BY updated_at DESC")
        return [DraftInfo(k, parse_iso(c), parse_iso(u)) for k, c, u in rows]
