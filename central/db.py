"""Opening the platform's database: SQLite (WAL, synchronous=FULL) by default, PostgreSQL by URL.

Write transactions go through `write()`: on SQLite it starts with `BEGIN IMMEDIATE` (so two writers queue on the
busy timeout instead of failing on a lock upgrade); on PostgreSQL it is an ordinary READ COMMITTED transaction and
uniqueness is left to the constraints.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url

DEFAULT_DB_ENV = "TB_CENTRAL_DB"
DEFAULT_DB_URL = "sqlite:///tongban-central.db"
SQLITE_BUSY_TIMEOUT_MS = 30_000


def db_url_from(value: str | None) -> str:
    """`--db` accepts a SQLAlchemy URL or a plain file path (taken as a SQLite file)."""
    raw = value or os.environ.get(DEFAULT_DB_ENV) or DEFAULT_DB_URL
    if "://" not in raw:
        return f"sqlite:///{Path(raw).expanduser().resolve()}"
    return raw


def open_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url)
    if parsed.get_backend_name() == "postgresql":
        return create_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True, hide_parameters=True)
    raise ValueError(f"unsupported database backend: {parsed.get_backend_name()}")


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def _sqlite_engine(url: str) -> Engine:
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        # A failed statement's message never carries its parameters (a citizen's comment, a phone) into a log.
        hide_parameters=True,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let us issue BEGIN ourselves (the driver's implicit BEGIN is DEFERRED).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        if conn.get_execution_options().get("tb_write"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")

    return engine


@contextmanager
def write(engine: Engine, *, durable: bool = True) -> Iterator[Connection]:
    """One write transaction; committed on normal exit, rolled back on an exception.

    `durable=False` (SQLite only) commits without an fsync (`synchronous=NORMAL` for this transaction): for
    bookkeeping whose loss on power failure is harmless (nonces are also bounded by the timestamp window, and
    last-seen times are advisory). The database stays consistent either way; the next FULL commit syncs it.
    """
    with engine.connect().execution_options(tb_write=True) as conn:
        relaxed = not durable and conn.dialect.name == "sqlite"
        if relaxed:
            _raw_pragma(conn, "PRAGMA synchronous=NORMAL")
        try:
            with conn.begin():
                yield conn
        finally:
            if relaxed:
                _raw_pragma(conn, "PRAGMA synchronous=FULL")


def _raw_pragma(conn: Connection, sql: str) -> None:
    # On the driver connection directly: in autocommit mode this starts no transaction.
    dbapi_conn = conn.connection.dbapi_connection
    assert dbapi_conn is not None
    dbapi_conn.execute(sql)


@contextmanager
def read(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn, conn.begin():
        yield conn


def lock_change_log(conn: Connection) -> None:
    """Serialise change-log appends so that `seq` order is commit order (PostgreSQL; SQLite has one writer)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(7262001)"))


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def iso(moment: dt.datetime) -> str:
    """Fixed-width RFC 3339 in UTC (sortable as text): 2026-11-25T13:05:53.123456+00:00."""
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")
