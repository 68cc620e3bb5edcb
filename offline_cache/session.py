"""One SQLite connection with its cipher and clock, and the write-transaction helper every repository uses."""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from offline_cache.connection import BUSY_TIMEOUT_MS
from offline_cache.errors import StoreError, from_sqlite

if TYPE_CHECKING:  # the cipher (cryptography) is the store's; a read-only look needs none (offline_cache.peek)
    from offline_cache.crypto import FieldCipher

log = logging.getLogger("tongban.store")

Clock = Callable[[], dt.datetime]

#: Polling for the write lock: first retry after this, doubling up to `_LOCK_POLL_MAX_S`.
_LOCK_POLL_MIN_S = 0.0002
_LOCK_POLL_MAX_S = 0.002


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def iso(moment: dt.datetime) -> str:
    """RFC 3339 text of an aware datetime, normalised to UTC so that text order is time order."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: the store keeps aware (UTC) times only")
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def parse_iso(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


class Session:
    """Owned by one thread (sqlite3's check_same_thread stays on)."""

    def __init__(self, conn: sqlite3.Connection, cipher: FieldCipher, clock: Clock) -> None:
        self.conn = conn
        self.cipher = cipher
        self.clock = clock
        self._savepoints = itertools.count(1)

    def now(self) -> str:
        return iso(self.clock())

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """`BEGIN IMMEDIATE` … `COMMIT`; nested calls become savepoints of the outer transaction.

        Any failure rolls everything back; sqlite3 errors surface as `StoreError` with a screen message.
        """
        conn = self.conn
        if conn.in_transaction:
            name = f"tb_sp_{next(self._savepoints)}"
            conn.execute(f"SAVEPOINT {name}")
            try:
                yield conn
            except BaseException as exc:
                if conn.in_transaction:
                    conn.execute(f"ROLLBACK TO {name}")
                    conn.execute(f"RELEASE {name}")
                if isinstance(exc, sqlite3.Error):
                    raise self._translate(exc) from exc
                raise
            conn.execute(f"RELEASE {name}")
            return
        try:
            self._begin_immediate()
        except sqlite3.Error as exc:
            raise self._translate(exc) from exc
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException as exc:
            self._rollback()
            if isinstance(exc, sqlite3.Error):
                raise self._translate(exc) from exc
            raise

    def _begin_immediate(self) -> None:
        """`BEGIN IMMEDIATE`, polling for the write lock every <= 2 ms for up to the busy timeout (5 s).

        SQLite's own busy handler sleeps 1, 2, 5, 10, 15, 20, 25 ms ... between attempts, so a save that finds
        the sync worker's 9 ms batch commit in progress waits 18 ms; polling finely it waits about 10. The
        statements inside the transaction keep the connection's busy timeout (restored before returning).
        """
        conn = self.conn
        conn.execute("PRAGMA busy_timeout = 0")
        try:
            deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
            delay = _LOCK_POLL_MIN_S
            while True:
                try:
                    conn.execute("BEGIN IMMEDIATE")
                    return
                except sqlite3.OperationalError as exc:
                    if getattr(exc, "sqlite_errorcode", 0) & 0xFF != sqlite3.SQLITE_BUSY:
                        raise
                    if time.monotonic() >= deadline:
                        raise
                time.sleep(delay)  # releases the GIL: the lock holder in this process runs on
                delay = min(delay * 2, _LOCK_POLL_MAX_S)
        finally:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")

    def _rollback(self) -> None:
        if self.conn.in_transaction:
            try:
                self.conn.execute("ROLLBACK")
            except sqlite3.Error as exc:  # the connection is unusable; the caller sees the first error
                log.warning("rollback failed: %s", getattr(exc, "sqlite_errorname", type(exc).__name__))

    @staticmethod
    def _translate(exc: sqlite3.Error) -> StoreError:
        error = from_sqlite(exc)
        log.warning("store write rolled back: %s", error.code)
        return error
