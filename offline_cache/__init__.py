"""The terminal's SQLite store (no Qt, no HTTP): see `open_store`."""

from offline_cache.errors import NewerSchemaError, StoreError, WrongKeyError
from offline_cache.store import SavedCase, SavedRecord, Store, open_store

__all__ = ["NewerSchemaError", "SavedCase", "SavedRecord", "Store", "StoreError", "WrongKeyError", "open_store"]
