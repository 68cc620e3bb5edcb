"""Nothing personal in the platform's logs: a failed statement's message never carries its parameters.

The run-wide check in tests/conftest.py greps every platform server log of the run for the values of
tests/pii_samples.py; this module shows the engine itself keeps them out of exception text, on both backends.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from central.api import log_internal_error
from central.db import open_engine
from tests.pii_samples import CENTRAL_PHONE, COMMENT

from .pg import Cluster


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_failed_statement_never_shows_its_parameters(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest, caplog: pytest.LogCaptureFixture
) -> None:
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'c.db'}"
    else:
        cluster: Cluster = request.getfixturevalue("pg_cluster")
        url = cluster.create_database(f"tb_{uuid.uuid4().hex[:12]}")
    engine = open_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (phone VARCHAR(20) UNIQUE, comment TEXT)"))
            conn.execute(text("INSERT INTO t VALUES (:p, :c)"), {"p": CENTRAL_PHONE, "c": COMMENT})
        with pytest.raises(IntegrityError) as caught, engine.begin() as conn:
            conn.execute(text("INSERT INTO t VALUES (:p, :c)"), {"p": CENTRAL_PHONE, "c": COMMENT})
        log_internal_error(caught.value)  # what the server logs for an unexpected error
    finally:
        engine.dispose()
    assert "hidden due to hide_parameters" in str(caught.value)
    assert COMMENT not in str(caught.value)
    # PostgreSQL's own message quotes the key ("Key (phone)=(…) already exists"): the log never has the message.
    assert "internal error: IntegrityError" in caplog.text and "INSERT INTO t" in caplog.text
    assert CENTRAL_PHONE not in caplog.text and COMMENT not in caplog.text
