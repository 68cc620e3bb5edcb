"""Fixtures for the sync fault tests: a fresh reference platform per test, an enrolled terminal, a fault proxy."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.sync.credentials import Credentials
from offline_cache import Store

from .harness import Central, enrol, open_terminal
from .proxy import FaultProxy


@pytest.fixture
def central(tmp_path: Path) -> Iterator[Central]:
    home = tmp_path / "central"
    home.mkdir()
    server = Central(home).start()
    try:
        yield server
    finally:
        server.stop()


@dataclass
class Terminal:
    data_dir: Path
    store: Store
    creds: Credentials


@pytest.fixture
def terminal(central: Central, isolated_state: Path) -> Iterator[Terminal]:
    data_dir = isolated_state / "data"
    creds = enrol(central, data_dir)
    store = open_terminal(data_dir)
    try:
        yield Terminal(data_dir, store, creds)
    finally:
        store.close()


@pytest.fixture
def proxy(central: Central) -> Iterator[FaultProxy]:
    fault_proxy = FaultProxy(central.port).start()
    try:
        yield fault_proxy
    finally:
        fault_proxy.close()
