"""The terminal's SQLite store (no Qt, no HTTP): see `open_store`.

The names below load on first use, so that `offline_cache.files` or `offline_cache.keys` (the CLI, the
credentials) do not import the store and sqlite-utils (issue 13: start-up time).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from offline_cache.errors import NewerSchemaError, StoreError, WrongKeyError
    from offline_cache.store import SavedCase, SavedRecord, Store, open_store

_HOMES = {
    "NewerSchemaError": "offline_cache.errors",
    "StoreError": "offline_cache.errors",
    "WrongKeyError": "offline_cache.errors",
    "SavedCase": "offline_cache.store",
    "SavedRecord": "offline_cache.store",
    "Store": "offline_cache.store",
    "open_store": "offline_cache.store",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'offline_cache' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


__all__ = ["NewerSchemaError", "SavedCase", "SavedRecord", "Store", "StoreError", "WrongKeyError", "open_store"]
