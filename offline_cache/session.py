"""One SQLite connection with its cipher and clock, and the write-transaction helper every repository uses."""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from offline_cache.crypto import FieldCipher
from offline_cache.errors import StoreError, from_sqlite

log = logging.getLogger("tongban.store")

Clock = Callable[[], dt.datetime]


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
            conn.execute("BEGIN IMMEDIATE")
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
