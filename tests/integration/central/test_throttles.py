"""Throttles keyed by the real client address, and the rating page's messages by code (issue 16 item 3)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests

from central import devices
from central.db import open_engine

from .helpers import Client, Server, case_no, case_record, enrol, start_server

WRONG = "AAAA-BBBB-CCCC-DDDD"


def _enrol(server: Server, code: str, forwarded_for: str | None = None) -> requests.Response:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return requests.post(server.url + "/api/v1/devices/enrol", json={"code": code}, headers=headers, timeout=10)


def _login(server: Server, forwarded_for: str) -> int:
    answer = requests.post(
        server.url + "/admin/login",
        data={"password": "wrong password"},
        headers={"X-Forwarded-For": forwarded_for},
        timeout=10,
        allow_redirects=False,
    )
    return answer.status_code


def _new_code(server: Server) -> str:
    engine = open_engine(server.db)
    try:
        return devices.create_enrol_code(engine, division="210800", hall="01", window="1").code
    finally:
        engine.dispose()


@pytest.fixture
def direct(tmp_path: Path) -> Iterator[Server]:
    """A platform reached directly (no proxy configured): forwarded headers are ignored."""
    srv = start_server(f"sqlite:///{tmp_path / 'c.db'}", tmp_path / "server.log")
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def proxied(tmp_path: Path) -> Iterator[Server]:
    """A platform behind a proxy on loopback: X-Forwarded-For from 127.0.0.1 names the client."""
    srv = start_server(
        f"sqlite:///{tmp_path / 'p.db'}", tmp_path / "server.log", {"TB_CENTRAL_TRUSTED_PROXIES": "127.0.0.1"}
    )
    try:
        yield srv
    finally:
        srv.stop()


def test_wrong_enrolment_codes_are_limited_per_address_and_forged_headers_do_not_help(direct: Server) -> None:
    for i in range(10):
        answer = _enrol(direct, WRONG, forwarded_for=f"198.51.100.{i}")
        assert (answer.status_code, answer.json()["error"]) == (400, "invalid_code")
    # The eleventh attempt from this address is refused, even with a good code and a new forwarded address.
    good = _new_code(direct)
    blocked = _enrol(direct, good, forwarded_for="198.51.100.99")
    assert (blocked.status_code, blocked.json()["error"]) == (429, "too_many_attempts")
    assert int(blocked.headers["Retry-After"]) > 0
    # The code was not consumed by the refused attempt.
    engine = open_engine(direct.db)
    try:
        assert [r["device_id"] for r in devices.list_devices(engine)] == []
    finally:
        engine.dispose()


def test_admin_login_lock_ignores_forwarded_for_from_a_direct_client(direct: Server) -> None:
    assert [_login(direct, f"198.51.100.{i}") for i in range(5)] == [401] * 5
    # Rotating X-Forwarded-For does not buy more guesses: the lock is on the connecting address.
    assert _login(direct, "203.0.113.7") == 429


def test_behind_a_trusted_proxy_the_forwarded_client_is_throttled_alone(proxied: Server) -> None:
    for _ in range(10):
        assert _enrol(proxied, WRONG, forwarded_for="203.0.113.5").status_code == 400
    assert _enrol(proxied, _new_code(proxied), forwarded_for="203.0.113.5").status_code == 429
    # Another hall behind the same proxy still enrols.
    assert _enrol(proxied, _new_code(proxied), forwarded_for="203.0.113.6").status_code == 200
    assert [_login(proxied, "203.0.113.5") for _ in range(5)] == [401] * 5
    assert _login(proxied, "203.0.113.5") == 429
    assert _login(proxied, "203.0.113.6") == 401


def test_rating_page_shows_messages_by_code_only(server: Server, make_client: Callable[..., Client]) -> None:
    client = make_client(hall="63")
    case = case_record(client.creds, 1)
    assert client.batch([case]).json()["results"][0]["status"] == "accepted"
    url = f"{server.url}/r/{case['body']['case_no']}"
    fake = "请拨打 400-800-1234 领取补贴"
    page = requests.get(url, params={"error": fake}, timeout=10)
    assert page.status_code == 200
    assert "400-800-1234" not in page.text and "领取补贴" not in page.text
    assert 'class="error"' not in page.text
    # A refused post comes back with its code, and the page says what it means.
    refused = requests.post(url, data={"level": "2"}, timeout=10, allow_redirects=False)
    assert refused.status_code == 303
    assert refused.headers["location"].endswith("?error=reasons_needed")
    shown = requests.get(server.url + refused.headers["location"], timeout=10)
    assert "请至少选择一项不满意的原因" in shown.text


def _check(client: Client, case_no: str, tail: str) -> tuple[int, str]:
    answer = client.request("POST", f"/api/v1/cases/{case_no}:check", data=json.dumps({"id_last4": tail}).encode())
    return answer.status_code, (answer.json().get("error", "") if answer.status_code != 200 else "")


def test_progress_checks_are_limited_per_case_and_per_device(direct: Server) -> None:
    """10,000 tries would find an ID number's last 4: five wrong checks of a case lock that case for an hour, for
    every device; thirty wrong checks lock the device; an unknown number counts (and is refused) like a real one."""
    kiosk = Client(direct.url, enrol(direct.url, _new_code(direct)))
    other = Client(direct.url, enrol(direct.url, _new_code(direct)))
    counter = Client(direct.url, enrol(direct.url, _new_code(direct)))
    first, second = case_record(counter.creds, 1), case_record(counter.creds, 2)
    assert [r["status"] for r in counter.batch([first, second]).json()["results"]] == ["accepted", "accepted"]
    held, fresh = first["body"]["case_no"], second["body"]["case_no"]
    right = first["body"]["applicant_id_number"][-4:]
    unknown = case_no("01", "009", 1)

    assert _check(kiosk, held, right) == (200, "")
    assert [_check(kiosk, held, f"{i:04d}") for i in range(5)] == [(404, "unknown_case")] * 5
    assert [_check(kiosk, unknown, f"{i:04d}") for i in range(5)] == [(404, "unknown_case")] * 5
    # Now refused, right or wrong, from this kiosk or another one; the unknown number answers the same way.
    refused = kiosk.request("POST", f"/api/v1/cases/{held}:check", data=json.dumps({"id_last4": right}).encode())
    assert (refused.status_code, refused.json()["error"]) == (429, "too_many_checks")
    assert 0 < int(refused.headers["Retry-After"]) <= 3600
    assert _check(other, held, right) == (429, "too_many_checks")
    assert _check(other, unknown, "0000") == (429, "too_many_checks")
    # The kiosk has 10 wrong checks; 20 more on other numbers lock the device itself, even for a right check.
    for seq in range(2, 22):
        assert _check(kiosk, case_no("01", "009", seq), "0000") == (404, "unknown_case")
    assert _check(kiosk, fresh, second["body"]["applicant_id_number"][-4:]) == (429, "too_many_checks")
    assert _check(other, fresh, second["body"]["applicant_id_number"][-4:]) == (200, "")
    assert right not in direct.log()
