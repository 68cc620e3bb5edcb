"""Fixtures shared by the integration tests of the terminal (sync/) and of the platform (central/)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.central.pg import Cluster, start_cluster


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    """One PostgreSQL cluster for the session; each module's server (or test platform) gets its own database."""
    try:
        cluster = start_cluster()
    except FileNotFoundError as exc:
        pytest.skip(f"PostgreSQL backend not testable here: {exc}")
    try:
        yield cluster
    finally:
        cluster.stop()
