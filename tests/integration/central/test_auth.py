"""Request signatures, clock window, replay, revocation and enrolment codes against the real server."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import replace

import requests

from central import devices, migrations
from central.db import open_engine

from .conftest import db_rows
from .helpers import Client, Server, Signer, case_record, cli, enrol


def test_healthz_needs_no_signature_and_openapi_is_served(server: Server) -> None:
    health = requests.get(server.url + "/healthz", timeout=5).json()
    assert health == {
        "status": "ok",
        "schema_version": migrations.LATEST,
        "instance_id": health["instance_id"],
        "features": ["gzip", "assist"],
    }
    assert len(health["instance_id"]) == 36
    # Every request sees the same id until the database is marked as restored from a backup.
    assert requests.get(server.url + "/healthz", timeout=5).json()["instance_id"] == health["instance_id"]
    cli(server.db, "mark-restored")
    assert requests.get(server.url + "/healthz", timeout=5).json()["instance_id"] != health["instance_id"]
    doc = requests.get(server.url + "/openapi.json", timeout=5).json()
    assert "/api/v1/records:batch" in doc["paths"]
    assert "requestBody" in doc["paths"]["/api/v1/records:batch"]["post"]


def test_signed_request_is_accepted(make_client: Callable[..., Client]) -> None:
    client = make_client()
    answer = client.request("GET", "/api/v1/devices/me/summary")
    assert answer.status_code == 200, answer.text
    assert answer.json()["records"] == 0
    assert answer.json()["terminal"] == client.creds.terminal


def test_tampered_body_is_bad_signature_and_stores_nothing(server: Server, make_client: Callable[..., Client]) -> None:
    client = make_client()
    record = case_record(client.creds, 1)
    req = requests.Request(
        "POST", server.url + "/api/v1/records:batch", data=b'{"records": []}', auth=Signer(client.creds)
    ).prepare()
    req.body = json.dumps({"records": [record]}).encode()
    req.headers["Content-Length"] = str(len(req.body))
    before = time.time()
    answer = requests.Session().send(req, timeout=10)
    after = time.time()
    assert answer.status_code == 401
    assert answer.json()["error"] == "bad_signature"
    assert before - 1 <= answer.json()["server_time"] <= after + 1  # the server's clock, read while answering
    assert db_rows(server.db, "SELECT count(*) FROM records WHERE record_id = ?", record["record_id"]) == [(0,)]


def test_wrong_secret_and_unknown_device_are_refused(server: Server, make_client: Callable[..., Client]) -> None:
    client = make_client()
    client.creds.secret = "00" * 32
    assert client.request("GET", "/api/v1/devices/me/summary").json()["error"] == "bad_signature"
    client.creds.device_id = "6f1c4f7e-0000-4000-8000-000000000000"
    answer = client.request("GET", "/api/v1/devices/me/summary")
    assert (answer.status_code, answer.json()["error"]) == (401, "unknown_device")
    unsigned = requests.get(server.url + "/api/v1/devices/me/summary", timeout=5)
    assert unsigned.status_code == 401


def test_clock_skew_is_401_with_server_time(make_client: Callable[..., Client]) -> None:
    client = make_client()
    for offset in (-301 - 60, 400):
        client.session.auth = Signer(client.creds, clock_offset=offset)
        before = time.time()
        answer = client.request("GET", "/api/v1/devices/me/summary")
        after = time.time()
        assert answer.status_code == 401
        assert answer.json()["error"] == "clock_skew"
        assert before - 1 <= answer.json()["server_time"] <= after + 1  # the server's own clock, not the terminal's
    # Within the window (a terminal a couple of minutes off) is fine.
    client.session.auth = Signer(client.creds, clock_offset=-200)
    assert client.request("GET", "/api/v1/devices/me/summary").status_code == 200


def test_replayed_request_is_refused_and_stored_once(server: Server, make_client: Callable[..., Client]) -> None:
    client = make_client()
    record = case_record(client.creds, 1)
    prepared = requests.Request(
        "POST",
        server.url + "/api/v1/records:batch",
        data=json.dumps({"records": [record]}).encode(),
        auth=Signer(client.creds),
    ).prepare()
    session = requests.Session()
    first = session.send(prepared, timeout=10)
    assert first.json()["results"][0]["status"] == "accepted"
    again = session.send(prepared, timeout=10)
    assert (again.status_code, again.json()["error"]) == (401, "replay")
    assert db_rows(server.db, "SELECT count(*) FROM records WHERE record_id = ?", record["record_id"]) == [(1,)]


def test_revoked_device_gets_403_but_a_bad_signature_still_401(
    server: Server, make_client: Callable[..., Client]
) -> None:
    client = make_client()
    assert client.request("GET", "/api/v1/devices/me/summary").status_code == 200
    # `--db` after the subcommand is accepted as well as before it (as `enrol` always did).
    cli(server.db, "devices", "revoke", client.creds.device_id, db_last=True)
    answer = client.batch([case_record(client.creds, 1)])
    assert (answer.status_code, answer.json()["error"]) == (403, "revoked")
    listing = cli(server.db, "devices", "list", db_last=True).stdout
    assert client.creds.device_id in listing and "revoked" in listing
    client.creds.secret = "11" * 32
    assert client.request("GET", "/api/v1/devices/me/summary").status_code == 401


def test_enrolment_code_is_one_time_and_expires(server: Server) -> None:
    proc = cli(server.db, "enrol", "--hall", "05", "--window", "7")
    code = proc.stdout.strip()
    assert "210800-05-001" in proc.stderr
    creds = enrol(server.url, code.lower())  # typed in lower case: still valid
    assert (creds.division, creds.hall, creds.terminal) == ("210800", "05", "001")
    assert len(creds.secret) == 64 and creds.secret == creds.secret.lower()
    again = requests.post(server.url + "/api/v1/devices/enrol", json={"code": code}, timeout=5)
    assert (again.status_code, again.json()["error"]) == (400, "code_used")
    bogus = requests.post(server.url + "/api/v1/devices/enrol", json={"code": "NOPE-NOPE"}, timeout=5)
    assert (bogus.status_code, bogus.json()["error"]) == (400, "invalid_code")
    # The next code in the hall gets the next terminal number; an expired one is refused.
    engine = open_engine(server.db)
    second = devices.create_enrol_code(engine, division="210800", hall="05", window="8")
    assert second.terminal == "002"
    engine.dispose()
    db_rows(server.db, "UPDATE enrol_codes SET expires_at = '2020-01-01T00:00:00.000000+00:00' WHERE terminal = '002'")
    expired = requests.post(server.url + "/api/v1/devices/enrol", json={"code": second.code}, timeout=5)
    assert (expired.status_code, expired.json()["error"]) == (400, "code_expired")


def test_key_rotation_keeps_both_keys_until_confirm(make_client: Callable[..., Client]) -> None:
    client = make_client()
    old = Signer(client.creds)
    answer = client.request("POST", "/api/v1/devices/rotate")
    assert answer.status_code == 200, answer.text
    new_key = answer.json()
    new_creds = replace(client.creds, key_id=new_key["key_id"], secret=new_key["secret"])
    # Between rotate and confirm both keys work (a crash there cannot lock the terminal out).
    assert client.request("GET", "/api/v1/devices/me/summary").status_code == 200
    client.session.auth = Signer(new_creds)
    assert client.request("GET", "/api/v1/devices/me/summary").status_code == 200
    # Confirm must be signed with the new key.
    client.session.auth = old
    assert client.request("POST", "/api/v1/devices/rotate/confirm").json()["error"] == "confirm_with_new_key"
    client.session.auth = Signer(new_creds)
    assert client.request("POST", "/api/v1/devices/rotate/confirm").status_code == 200
    assert client.request("POST", "/api/v1/devices/rotate/confirm").status_code == 200  # repeat is harmless
    client.session.auth = old
    assert client.request("GET", "/api/v1/devices/me/summary").json()["error"] == "unknown_device"


def test_enrolment_issues_two_digit_hall_and_window_or_refuses(server: Server) -> None:
    # The example in docs/central.md: `--window 3` becomes window 03, the form terminals number cases with.
    proc = cli(server.db, "enrol", "--hall", "6", "--window", "3", "--json")
    issued = json.loads(proc.stdout)
    assert (issued["hall"], issued["window"]) == ("06", "03")
    creds = requests.post(server.url + "/api/v1/devices/enrol", json={"code": issued["code"]}, timeout=5).json()
    assert (creds["hall"], creds["window"]) == ("06", "03")
    # What no terminal can number with is refused with the reason, and no code is made.
    for hall, window in (("06", "A3"), ("06", "103"), ("6A", "3"), ("06", "")):
        refused = cli(server.db, "enrol", "--hall", hall, "--window", window, check=False)
        assert refused.returncode != 0 and ("window" in refused.stderr or "hall" in refused.stderr)
        assert "must be one or two digits" in refused.stderr
    # A code stored before this rule with an unusable window is refused at redemption, not handed out.
    engine = open_engine(server.db)
    old = devices.create_enrol_code(engine, division="210800", hall="06", window="4")
    engine.dispose()
    db_rows(server.db, "UPDATE enrol_codes SET \"window\" = 'A3' WHERE terminal = ?", old.terminal)
    answer = requests.post(server.url + "/api/v1/devices/enrol", json={"code": old.code}, timeout=5)
    assert (answer.status_code, answer.json()["error"]) == (400, "bad_identity")
