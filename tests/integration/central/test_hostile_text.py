"""Text no database can hold (NUL, lone surrogates) is answered alike on SQLite and PostgreSQL, never with a 500.

One hostile corpus, one table of expected per-record answers: the `server` fixture runs it on both backends, so
both answer exactly this table. Valid records in the same batch are stored.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import requests

from tests.pii_samples import COMMENT

from .conftest import db_rows
from .helpers import Client, Credentials, Server, case_no, case_record, envelope, rating_record


def _record(kind: str, body: dict[str, Any], creds: Credentials, seq: int, **kw: Any) -> dict[str, Any]:
    """An envelope whose body_sha256 is over the body as a terminal that allowed the text would compute it."""
    record = envelope(kind, {}, terminal=creds.terminal, seq=seq, **kw)
    record["body"] = body
    raw = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    record["body_sha256"] = hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()
    return record


def _case_body(creds: Credentials, seq: int, **fields: Any) -> dict[str, Any]:
    body = case_record(creds, seq)["body"]
    body.update(fields)
    return body


def _rating_body(case: dict[str, Any], **fields: Any) -> dict[str, Any]:
    body = {
        "rating_id": str(uuid.uuid4()),
        "case_no": case["body"]["case_no"],
        "channel": "counter_device",
        "outcome": "rated",
        "level": 2,
        "staff_no": "0042",
        "reasons": ["等候时间长"],
        "tags": [],
        "text": "",
    }
    body.update(fields)
    return body


def _corpus(creds: Credentials) -> list[tuple[dict[str, Any], tuple[str, str | None]]]:
    """(record, expected (status, code)) in request order; the first case is the parent of the ratings."""
    parent = case_record(creds, 1)
    corpus: list[tuple[dict[str, Any], tuple[str, str | None]]] = [(parent, ("accepted", None))]
    bad_cases = [
        {"item_name": "\ud800"},  # lone surrogate as a value
        {"\udfff": "x"},  # lone surrogate as a key
        {"item_code": "2108002001\x0001000"},  # NUL in item_code (PostgreSQL text cannot hold it)
        {"item_name": "城乡\x00居民"},  # NUL in item_name
        {"materials": [{"name": "身份证\x00"}]},  # NUL deep inside
        {"applicant_name": "张\ud83d"},  # half a pair in a personal field
    ]
    seq = 2
    for fields in bad_cases:
        corpus.append((_record("case", _case_body(creds, seq, **fields), creds, seq), ("rejected", "bad_text")))
        seq += 1
    bad_ratings = [{"text": COMMENT + "\x00"}, {"staff_no": "00\x0042"}, {"reasons": ["其他\x00"]}, {"text": "\udc80"}]
    for fields in bad_ratings:
        record = _record("rating", _rating_body(parent, **fields), creds, seq, depends_on=parent["record_id"])
        corpus.append((record, ("rejected", "bad_text")))
        seq += 1
    # The valid records of the same batch go in.
    corpus.append((rating_record(creds, seq, parent, level=4), ("accepted", None)))
    seq += 1
    corpus.append((case_record(creds, seq), ("accepted", None)))
    seq += 1
    # Escaped NUL text (a backslash and "u0000" typed by a person) is ordinary text.
    corpus.append((_record("case", _case_body(creds, seq, item_name="\\u0000 字面"), creds, seq), ("accepted", None)))
    return corpus


def test_hostile_text_corpus_gets_the_same_per_record_answers_on_both_backends(
    server: Server, make_client: Callable[..., Client]
) -> None:
    client = make_client(hall="61")
    corpus = _corpus(client.creds)
    records = [record for record, _ in corpus]
    # ensure_ascii=True writes lone surrogates as \udxxx escapes, which is what a hostile client sends.
    answer = client.post_raw("/api/v1/records:batch", json.dumps({"records": records}, ensure_ascii=True).encode())
    assert answer.status_code == 200, answer.text
    got = [(r["record_id"], r["status"], r["code"]) for r in answer.json()["results"]]
    assert got == [(record["record_id"], *expected) for record, expected in corpus]
    stored = {row[0] for row in db_rows(server.db, "SELECT record_id FROM records")}
    for record, (status, _) in corpus:
        assert (record["record_id"] in stored) == (status == "accepted")
    # A record id that is itself a lone surrogate is not echoed (the answer must be valid UTF-8).
    odd = case_record(client.creds, 100)
    odd["record_id"] = "\ud800"
    answer = client.post_raw("/api/v1/records:batch", json.dumps({"records": [odd]}).encode())
    assert answer.status_code == 200
    assert [(r["record_id"], r["status"], r["code"]) for r in answer.json()["results"]] == [
        (None, "rejected", "bad_record_id")
    ]
    assert "internal error" not in server.log()


def test_public_rating_page_with_nul_in_the_comment_is_stored_without_it(
    server: Server, make_client: Callable[..., Client]
) -> None:
    client = make_client(hall="62")
    case = case_record(client.creds, 1)
    assert client.batch([case]).json()["results"][0]["status"] == "accepted"
    number = case["body"]["case_no"]
    # The raw form body a forged page would post: %00 in the comment and in a reason.
    body = f"level=2&reasons=%E5%85%B6%E4%BB%96&text={quote(COMMENT[:3])}%00{quote(COMMENT[3:])}%00"
    answer = requests.post(
        f"{server.url}/r/{number}",
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text[:300]
    assert "感谢您的评价" in answer.text
    assert db_rows(server.db, "SELECT text FROM ratings WHERE case_no = ?", number) == [(COMMENT,)]
    # Enrolment codes with such text are refused as a request (400 JSON), never a 500.
    for code in ("AB\x00C", "\ud800"):
        raw = json.dumps({"code": code}).encode()
        refused = requests.post(
            server.url + "/api/v1/devices/enrol", data=raw, headers={"Content-Type": "application/json"}, timeout=10
        )
        assert refused.status_code == 400
        assert refused.json()["error"] in {"invalid_code", "bad_request"}
    assert case_no(client.creds.hall, client.creds.terminal, 1) == number
    assert "internal error" not in server.log()
