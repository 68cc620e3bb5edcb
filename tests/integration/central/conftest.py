"""Fixtures: one real `tongban-central serve` subprocess per module on a SQLite file, and enrolled devices."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from central import devices
from central.db import open_engine
from central.migrations import migrate

from .helpers import Client, Server, enrol, start_server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    home = tmp_path_factory.mktemp("central")
    srv = start_server(home / "central.db", home / "server.log")
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def make_client(server: Server) -> Callable[..., Client]:
    """Enrol a new device through a one-time code and the real enrol endpoint."""
    engine = open_engine(f"sqlite:///{server.db}")
    migrate(engine)

    def make(hall: str = "01", window: str = "1") -> Client:
        code = devices.create_enrol_code(engine, division="210800", hall=hall, window=window)
        return Client(server.url, enrol(server.url, code.code))

    return make


def db_rows(db: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()
