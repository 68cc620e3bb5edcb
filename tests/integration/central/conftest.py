"""Fixtures: one real `tongban-central serve` subprocess per module on a SQLite file, and enrolled devices.

`pg_cluster` (one PostgreSQL cluster for the session) is in tests/integration/conftest.py: the sync tests use it too.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest

from central import devices
from central.db import open_engine

from .helpers import Client, Server, enrol, start_server
from .pg import Cluster


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The real server on each backend: a SQLite file, and a fresh PostgreSQL database."""
    home = tmp_path_factory.mktemp("central")
    if request.param == "sqlite":
        url = f"sqlite:///{home / 'central.db'}"
    else:
        cluster: Cluster = request.getfixturevalue("pg_cluster")
        url = cluster.create_database(f"tb_{uuid.uuid4().hex[:12]}")
    srv = start_server(url, home / "server.log")
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def make_client(server: Server) -> Iterator[Callable[..., Client]]:
    """Enrol a new device through a one-time code and the real enrol endpoint."""
    engine = open_engine(server.db)

    def make(hall: str = "01", window: str = "1") -> Client:
        code = devices.create_enrol_code(engine, division="210800", hall=hall, window=window)
        return Client(server.url, enrol(server.url, code.code))

    try:
        yield make
    finally:
        engine.dispose()


def db_rows(db: str, sql: str, *params: object) -> list[tuple[object, ...]]:
    """Run SQL with `?` placeholders against the server's database (either backend)."""
    engine = open_engine(db)
    try:
        if engine.dialect.name == "postgresql":
            sql = sql.replace("?", "%s")
        with engine.begin() as conn:
            result = conn.exec_driver_sql(sql, tuple(params))
            return [tuple(row) for row in result] if result.returns_rows else []
    finally:
        engine.dispose()
