"""The kiosk's progress query by a 一件事's own (parent) number on the real platform: `GET /api/v1/cases/<parent>`
and its `:check` answer with every member's progress; a wrong check is answered exactly as an unknown number and
counts toward the same throttles."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from central import cases, devices
from central.db import open_engine

from .helpers import Client, Server, case_no, case_record, enrol, envelope, start_server

MEMBERS = (
    ("210800100101000", "出生医学证明", "市卫生健康委员会", "2026-12-08"),
    ("210800100102000", "出生登记（户口登记）", "市公安局", "2026-12-09"),
    ("210800100103000", "城乡居民医保参保登记", "市医疗保障局", "2026-12-10"),
)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    srv = start_server(f"sqlite:///{tmp_path / 'c.db'}", tmp_path / "server.log")
    try:
        yield srv
    finally:
        srv.stop()


def _client(server: Server) -> Client:
    engine = open_engine(server.db)
    try:
        return Client(
            server.url,
            enrol(server.url, devices.create_enrol_code(engine, division="210800", hall="01", window="1").code),
        )
    finally:
        engine.dispose()


def _upload_bundle(counter: Client) -> tuple[str, list[dict[str, Any]]]:
    """A 新生儿出生一件事 as the terminal sends it: its parent's number (the first of its day sequence) in each
    member's body."""
    creds = counter.creds
    parent = case_no(creds.hall, creds.terminal, 1, creds.division)
    records = []
    for seq, (code, name, dept, due) in enumerate(MEMBERS, start=2):
        body = case_record(creds, seq)["body"]
        body.update(
            item_code=code,
            item_name=name,
            department=dept,
            expected_date=due,
            bundle_id="210800YJS001-00112233aabbccdd",
            parent_case_no=parent,
            bundle_name="新生儿出生一件事",
        )
        records.append(envelope("case", body, terminal=creds.terminal, seq=seq))
    results = counter.batch(records).json()["results"]
    assert [r["status"] for r in results] == ["accepted"] * 3, results
    return parent, records


def _check(client: Client, number: str, tail: str) -> tuple[int, Any]:
    answer = client.request("POST", f"/api/v1/cases/{number}:check", data=json.dumps({"id_last4": tail}).encode())
    return answer.status_code, answer.json()


def test_a_parent_number_answers_with_every_member_and_a_wrong_check_like_an_unknown_number(server: Server) -> None:
    counter, kiosk = _client(server), _client(server)
    parent, records = _upload_bundle(counter)
    right = records[0]["body"]["applicant_id_number"][-4:]
    engine = open_engine(server.db)
    try:
        cases.set_status(engine, records[1]["body"]["case_no"], "accepted", "材料齐全")
        cases.set_status(engine, records[2]["body"]["case_no"], "completed")
    finally:
        engine.dispose()

    status, answer = _check(kiosk, parent, right)
    assert status == 200
    assert answer["case_no"] == parent and answer["item_name"] == "新生儿出生一件事"
    assert answer["item_code"] == "210800YJS001"
    assert answer["status"] == "forwarded"  # the least advanced member (accepting a case forwards it)
    bundle = answer["bundle"]
    assert bundle["name"] == "新生儿出生一件事" and bundle["done"] == 1
    members = bundle["members"]
    assert [(m["item_name"], m["department"], m["expected_date"]) for m in members] == [
        (name, dept, due) for _code, name, dept, due in MEMBERS
    ]
    assert [m["status"] for m in members] == ["forwarded", "accepted", "completed"]
    assert [h["status"] for h in members[1]["history"]] == ["received", "forwarded", "accepted"]
    assert members[1]["history"][-1]["note"] == "材料齐全"
    for member, record in zip(members, records, strict=True):
        number = record["body"]["case_no"]
        assert member["case_no_masked"] == f"{number[:6]}****{number[-4:]}"
    text = json.dumps(answer, ensure_ascii=False)
    for record in records:  # nothing personal, no member's whole number
        body = record["body"]
        for value in (body["case_no"], body["applicant_name"], body["applicant_id_number"], body["applicant_phone"]):
            assert value not in text

    # The signed GET (a scanned receipt QR: no check) answers the same bundle.
    got = kiosk.request("GET", f"/api/v1/cases/{parent}")
    assert got.status_code == 200 and got.json() == answer

    # A wrong check of the parent: exactly an unknown number's answer.
    unknown = case_no("01", "009", 1)
    assert (
        _check(kiosk, parent, "0000")
        == _check(kiosk, unknown, "0000")
        == (404, {"error": "unknown_case", "message": "no such case"})
    )


def test_wrong_checks_of_a_parent_number_count_toward_the_case_and_device_throttles(server: Server) -> None:
    counter, kiosk, other = _client(server), _client(server), _client(server)
    parent, records = _upload_bundle(counter)
    right = records[0]["body"]["applicant_id_number"][-4:]

    assert [_check(kiosk, parent, f"{i:04d}")[0] for i in range(5)] == [404] * 5
    refused = kiosk.request("POST", f"/api/v1/cases/{parent}:check", data=json.dumps({"id_last4": right}).encode())
    assert (refused.status_code, refused.json()["error"]) == (429, "too_many_checks")
    assert _check(other, parent, right)[0] == 429  # locked for every device, right or wrong
    # The kiosk's 5 wrong checks of the parent count toward its device limit (30): 25 more lock it.
    for seq in range(2, 27):
        assert _check(kiosk, case_no("01", "009", seq), "0000")[0] == 404
    member = records[0]["body"]["case_no"]
    assert _check(kiosk, member, right)[0] == 429
    assert _check(other, member, right)[0] == 200
    assert right not in server.log()
