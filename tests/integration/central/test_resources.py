"""Blobs, catalogue, case status and the updates feed against the real server, driven partly by the CLI."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

from .conftest import db_rows
from .helpers import REPO, Client, Server, case_record, cli


def test_blob_upload_verifies_hash_and_size(server: Server, make_client: Callable[..., Client]) -> None:
    client = make_client()
    data = b"%PDF-1.7 scan " * 1000
    digest = hashlib.sha256(data).hexdigest()
    path = f"/api/v1/blobs/{digest}"
    assert client.request("HEAD", path).status_code == 404
    wrong = client.request("PUT", path, data=data + b"x")
    assert (wrong.status_code, wrong.json()["error"]) == (400, "blob_hash_mismatch")
    assert client.request("HEAD", path).status_code == 404
    stored = client.request("PUT", path, data=data)
    assert stored.status_code == 201
    assert stored.json() == {"sha256": digest, "size": len(data), "created": True}
    head = client.request("HEAD", path)
    assert head.status_code == 200 and head.headers["X-TB-Blob-Size"] == str(len(data))
    assert client.request("PUT", path, data=data).status_code == 200  # again: already held
    big = b"\0" * (20 * 1024 * 1024 + 1)
    too_big = client.request("PUT", f"/api/v1/blobs/{hashlib.sha256(big).hexdigest()}", data=big)
    assert (too_big.status_code, too_big.json()["error"]) == (413, "too_large")
    assert client.request("HEAD", "/api/v1/blobs/NOT-A-HASH").status_code == 400


def test_catalogue_import_etag_and_304(server: Server, make_client: Callable[..., Client], tmp_path: Path) -> None:
    client = make_client()
    seed = REPO / "resources" / "catalogue" / "seed.json"
    bad = tmp_path / "bad.json"
    doc = json.loads(seed.read_text(encoding="utf-8"))
    doc["items"][1]["jurisdiction"] = "21-08"
    bad.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    refused = cli(server.db, "catalogue", "import", str(bad), check=False)
    assert refused.returncode == 1
    assert f"item 1 ({doc['items'][1]['code']})" in refused.stderr and "jurisdiction" in refused.stderr
    nothing = client.request("GET", "/api/v1/catalogue")
    assert (nothing.status_code, nothing.json()["error"]) == (404, "no_catalogue")
    imported = cli(server.db, "catalogue", "import", str(seed))
    assert "imported" in imported.stdout
    answer = client.request("GET", "/api/v1/catalogue")
    assert answer.status_code == 200
    assert answer.content == seed.read_bytes()
    etag = answer.headers["ETag"]
    assert etag == '"' + hashlib.sha256(seed.read_bytes()).hexdigest() + '"'
    unchanged = client.request("GET", "/api/v1/catalogue", headers={"If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.content == b""
    stale = client.request("GET", "/api/v1/catalogue", headers={"If-None-Match": '"0000"'})
    assert stale.status_code == 200


def test_case_status_and_updates_feed_by_cursor(server: Server, make_client: Callable[..., Client]) -> None:
    client = make_client(hall="31")
    neighbour = make_client(hall="31")
    elsewhere = make_client(hall="32")
    records = [case_record(client.creds, seq) for seq in (1, 2)]
    assert [r["status"] for r in client.batch(records).json()["results"]] == ["accepted", "accepted"]
    case_no = records[0]["body"]["case_no"]

    status = client.request("GET", f"/api/v1/cases/{case_no}").json()
    assert status["status"] == "forwarded"
    assert [h["status"] for h in status["history"]] == ["received", "forwarded"]
    assert "applicant_name" not in json.dumps(status, ensure_ascii=False)

    done = cli(server.db, "case", "set-status", case_no, "accepted", "--note", "材料齐全")
    assert "accepted" in done.stdout
    assert client.request("GET", f"/api/v1/cases/{case_no}").json()["status"] == "accepted"

    # A neighbour in the same hall sees the hall's changes, page by page.
    page = neighbour.request("GET", "/api/v1/updates", params={"limit": 2}).json()
    assert page["has_more"] is True
    assert [c["case_no"] for c in page["changes"]] == [case_no, records[1]["body"]["case_no"]]
    assert [c["status"] for c in page["changes"]] == ["forwarded", "forwarded"]
    rest = neighbour.request("GET", "/api/v1/updates", params={"cursor": page["next_cursor"]}).json()
    assert rest["has_more"] is False
    assert [(c["case_no"], c["status"], c["note"]) for c in rest["changes"]] == [(case_no, "accepted", "材料齐全")]
    assert rest["changes"][0]["seq"] > page["changes"][-1]["seq"]
    empty = neighbour.request("GET", "/api/v1/updates", params={"cursor": rest["next_cursor"]}).json()
    assert empty["changes"] == [] and empty["next_cursor"] == rest["next_cursor"]

    # Another hall sees none of them; a cursor from the future (a restored server) means resync.
    other = elsewhere.request("GET", "/api/v1/updates").json()
    assert all(c["case_no"] not in {case_no, records[1]["body"]["case_no"]} for c in other["changes"])
    gone = neighbour.request("GET", "/api/v1/updates", params={"cursor": "999999999"})
    assert (gone.status_code, gone.json()["error"]) == (410, "cursor_gone")
    assert neighbour.request("GET", "/api/v1/updates", params={"cursor": "abc"}).status_code == 400


def test_case_queries_refuse_bad_numbers_and_unknown_cases(server: Server, make_client: Callable[..., Client]) -> None:
    client = make_client()
    assert client.request("GET", "/api/v1/cases/12345").json()["error"] == "bad_case_no"
    unknown = case_record(client.creds, 99)["body"]["case_no"]
    assert client.request("GET", f"/api/v1/cases/{unknown}").status_code == 404
    missing = cli(server.db, "case", "set-status", unknown, "accepted", check=False)
    assert missing.returncode == 1 and "unknown case" in missing.stderr
    assert db_rows(server.db, "SELECT count(*) FROM cases WHERE case_no = ?", unknown) == [(0,)]
