"""Error classification of the platform client, over a transport adapter that answers like the platform."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pytest
import requests
from requests.adapters import BaseAdapter

from app.sync.client import PlatformClient
from app.sync.credentials import Credentials
from app.sync.errors import (
    AuthFailedError,
    BadResponseError,
    BatchRefusedError,
    BusyError,
    ClockSkewError,
    NetworkError,
    RevokedError,
    ServerError,
    UpgradeRequiredError,
)

CREDS = Credentials(device_id="dev", key_id="key", secret="11" * 32, terminal="003", division="210800", hall="01")


class CannedAdapter(BaseAdapter):
    """Answers every request with one status, body and headers; records what was sent."""

    def __init__(self, status: int, body: Any = None, headers: Mapping[str, str] | None = None) -> None:
        super().__init__()
        self.status, self.body, self.headers = status, body, dict(headers or {})
        self.sent: list[requests.PreparedRequest] = []

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        self.sent.append(request)
        if isinstance(self.body, Exception):
            raise self.body
        resp = requests.Response()
        resp.status_code = self.status
        resp._content = self.body if isinstance(self.body, bytes) else json.dumps(self.body).encode()
        resp.headers.update(self.headers)
        resp.request = request
        resp.url = request.url or ""
        return resp

    def close(self) -> None:
        pass


def _client(adapter: CannedAdapter) -> PlatformClient:
    client = PlatformClient("https://platform.example", CREDS)
    client.session.mount("https://", adapter)
    return client


@pytest.mark.parametrize(
    ("status", "body", "headers", "error"),
    [
        (401, {"error": "clock_skew", "server_time": 1700000000}, {}, ClockSkewError),
        (401, {"error": "bad_signature", "server_time": 1}, {}, AuthFailedError),
        (401, {"error": "replay", "server_time": 1}, {}, AuthFailedError),
        (403, {"error": "revoked", "server_time": 1}, {}, RevokedError),
        (426, {"error": "upgrade_required"}, {}, UpgradeRequiredError),
        (429, {"error": "rate_limited"}, {"Retry-After": "7"}, BusyError),
        (503, {"error": "database_unavailable"}, {"Retry-After": "5"}, BusyError),
        (413, {"error": "too_large"}, {}, BatchRefusedError),
        (400, {"error": "bad_json"}, {}, BatchRefusedError),
        (500, {"error": "internal_error"}, {}, ServerError),
        (502, b"<html>bad gateway</html>", {}, ServerError),
        (504, b"", {}, ServerError),
    ],
)
def test_request_level_answers_are_classified(status: int, body: Any, headers: dict[str, str], error: type) -> None:
    with pytest.raises(error):
        _client(CannedAdapter(status, body, headers)).post_batch([{"record_id": "x"}])


def test_retry_after_is_read_and_capped_at_an_hour() -> None:
    with pytest.raises(BusyError) as caught:
        _client(CannedAdapter(429, {"error": "x"}, {"Retry-After": "7"})).summary()
    assert caught.value.retry_after == 7.0
    with pytest.raises(BusyError) as capped:
        _client(CannedAdapter(503, {"error": "x"}, {"Retry-After": "999999"})).summary()
    assert capped.value.retry_after == 3600.0


def test_clock_skew_carries_the_server_time() -> None:
    with pytest.raises(ClockSkewError) as caught:
        _client(CannedAdapter(401, {"error": "clock_skew", "server_time": 1700000123})).summary()
    assert caught.value.server_time == 1700000123


def test_network_failures_and_timeouts_are_network_errors() -> None:
    for exc in (requests.ConnectionError("down"), requests.ReadTimeout("slow"), requests.exceptions.SSLError("x")):
        with pytest.raises(NetworkError):
            _client(CannedAdapter(0, exc)).summary()


def test_a_batch_answer_of_the_wrong_shape_is_treated_as_lost() -> None:
    with pytest.raises(BadResponseError):
        _client(CannedAdapter(200, {"results": []})).post_batch([{"record_id": "x"}])
    with pytest.raises(BadResponseError):
        _client(CannedAdapter(200, b"{truncated")).post_batch([{"record_id": "x"}])


def test_requests_are_signed_and_carry_the_timeout_and_no_personal_data_in_the_url() -> None:
    adapter = CannedAdapter(200, {"changes": [], "next_cursor": "5", "has_more": False})
    client = _client(adapter)
    client.get_updates("4", 100)
    sent = adapter.sent[0]
    assert sent.url == "https://platform.example/api/v1/updates?cursor=4&limit=100"
    assert {"X-TB-Device", "X-TB-Key-Id", "X-TB-Timestamp", "X-TB-Nonce", "X-TB-Signature"} <= set(sent.headers)
    assert client.timeout == (5.0, 30.0)


def test_clock_offset_moves_the_signed_timestamp() -> None:
    adapter = CannedAdapter(200, {"records": 0, "by_kind": {}})
    client = PlatformClient("https://platform.example", CREDS, time_source=lambda: 1000.0, clock_offset=7200.0)
    client.session.mount("https://", adapter)
    client.summary()
    assert adapter.sent[0].headers["X-TB-Timestamp"] == "8200"


def test_credentials_never_show_their_secret() -> None:
    assert CREDS.secret not in repr(CREDS) and CREDS.secret not in str(CREDS)
