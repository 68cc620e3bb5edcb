"""The served OpenAPI document, exercised by schemathesis with signed requests: no 5xx, no schema violations."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import checks as st_checks

from .helpers import Client, Server, Signer, start_server

CHECKS = [
    st_checks.not_a_server_error,
    st_checks.status_code_conformance,
    st_checks.content_type_conformance,
    st_checks.response_schema_conformance,
    st_checks.response_headers_conformance,
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """SQLite only here: the API layer is the same on both backends, and other modules cover PostgreSQL."""
    home = tmp_path_factory.mktemp("central-openapi")
    srv = start_server(f"sqlite:///{home / 'central.db'}", home / "server.log")
    try:
        yield srv
    finally:
        srv.stop()


def test_schemathesis_finds_no_server_errors(server: Server, make_client: Callable[..., Client]) -> None:
    client = make_client()
    schema = schemathesis.openapi.from_url(server.url + "/openapi.json")
    session = requests.Session()
    signed = Signer(client.creds)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 12

    for operation, mode in [(op, mode) for op in operations for mode in schemathesis.GenerationMode]:

        @settings(
            max_examples=8,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=mode))
        def exercise(case: schemathesis.Case) -> None:
            # Signed requests reach the handlers; the signature is computed over the bytes actually sent.
            case.call_and_validate(session=session, auth=signed, checks=CHECKS, timeout=30)

        try:
            exercise()
        except Unsatisfiable:
            # An operation with nothing to get wrong (no parameters, no body) has no negative cases.
            assert mode is schemathesis.GenerationMode.NEGATIVE
