"""Compressed batches and the updates feed without a terminal's own acceptances (issue 16 item 7), both backends."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable

import requests

from .conftest import db_rows
from .helpers import Client, Server, case_record, cli


def _gzip_batch(client: Client, raw: bytes, encoding: str = "gzip") -> requests.Response:
    # The signature covers the bytes sent: the compressed ones.
    return client.request("POST", "/api/v1/records:batch", data=raw, headers={"Content-Encoding": encoding})


def test_healthz_lists_gzip_and_a_gzip_batch_is_stored_like_a_plain_one(
    server: Server, make_client: Callable[..., Client]
) -> None:
    assert "gzip" in requests.get(server.url + "/healthz", timeout=5).json()["features"]
    client = make_client(hall="71")
    records = [case_record(client.creds, seq) for seq in range(1, 51)]
    plain = json.dumps({"records": records}).encode()
    packed = gzip.compress(plain)
    assert len(packed) * 4 < len(plain)  # case bodies compress several times over
    answer = _gzip_batch(client, packed)
    assert answer.status_code == 200, answer.text
    assert {r["status"] for r in answer.json()["results"]} == {"accepted"}
    # Resent plain, the same records are duplicates: the body hash is over the inflated JSON, as always.
    again = client.batch(records).json()["results"]
    assert {r["status"] for r in again} == {"duplicate"}
    assert db_rows(server.db, "SELECT count(*) FROM records WHERE terminal_key LIKE ?", "%71%") == [(50,)]


def test_a_body_inflating_past_4_mib_is_413_and_broken_or_unknown_encodings_are_refused(
    server: Server, make_client: Callable[..., Client]
) -> None:
    client = make_client(hall="72")
    record = case_record(client.creds, 1)
    # 5 MiB of padding in a valid batch compresses to a few KiB: the platform stops inflating at 4 MiB.
    bomb = json.dumps({"records": [record], "pad": " " * (5 * 1024 * 1024)}).encode()
    packed = gzip.compress(bomb)
    assert len(packed) < 64 * 1024
    too_big = _gzip_batch(client, packed)
    assert (too_big.status_code, too_big.json()["error"]) == (413, "too_large")
    broken = _gzip_batch(client, gzip.compress(json.dumps({"records": [record]}).encode())[:-12])
    assert (broken.status_code, broken.json()["error"]) == (400, "bad_gzip")
    unknown = _gzip_batch(client, json.dumps({"records": [record]}).encode(), encoding="br")
    assert (unknown.status_code, unknown.json()["error"]) == (415, "unsupported_encoding")
    assert db_rows(server.db, "SELECT count(*) FROM records WHERE record_id = ?", record["record_id"]) == [(0,)]


def test_updates_leave_out_a_terminals_own_acceptances_but_not_later_changes(
    server: Server, make_client: Callable[..., Client]
) -> None:
    uploader, neighbour = make_client(hall="73"), make_client(hall="73")
    cases = [case_record(uploader.creds, seq) for seq in range(1, 4)]
    assert {r["status"] for r in uploader.batch(cases).json()["results"]} == {"accepted"}
    numbers = [c["body"]["case_no"] for c in cases]

    own = uploader.request("GET", "/api/v1/updates").json()
    assert own["changes"] == []  # it set 已转审批部门 itself when the batch was answered
    seen = neighbour.request("GET", "/api/v1/updates").json()
    assert [(c["case_no"], c["status"]) for c in seen["changes"]] == [(n, "forwarded") for n in numbers]
    assert all("origin" not in c for c in seen["changes"])
    assert own["next_cursor"] == seen["next_cursor"]  # the cursor moved past what was left out

    cli(server.db, "case", "set-status", numbers[1], "accepted")
    later = uploader.request("GET", f"/api/v1/updates?cursor={own['next_cursor']}").json()
    assert [(c["case_no"], c["status"]) for c in later["changes"]] == [(numbers[1], "accepted")]
