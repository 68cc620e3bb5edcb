"""records:batch against the real server: per-record results, idempotency, ordering, limits, bad input."""

from __future__ import annotations

import copy
import hashlib
import json
import threading
from collections.abc import Callable

from .conftest import db_rows
from .helpers import Client, Server, canonical, case_record, envelope, rating_record


def _statuses(answer_json: dict[str, object]) -> list[str]:
    results = answer_json["results"]
    assert isinstance(results, list)
    return [r["status"] for r in results]


def test_accepted_then_duplicate_returns_the_original_ref(make_client: Callable[..., Client]) -> None:
    client = make_client()
    record = case_record(client.creds, 1)
    first = client.batch([record]).json()["results"][0]
    assert first["status"] == "accepted"
    assert first["record_id"] == record["record_id"]
    assert first["server_ref"] and first["accepted_at"]
    # The response was "lost"; the terminal resends the same bytes (re-serialised differently).
    resent = json.loads(json.dumps(record, ensure_ascii=True, indent=2))
    second = client.batch([resent]).json()["results"][0]
    assert second["status"] == "duplicate"
    assert (second["server_ref"], second["accepted_at"]) == (first["server_ref"], first["accepted_at"])


def test_same_id_with_other_body_is_conflict_and_keeps_the_original(
    server: Server, make_client: Callable[..., Client]
) -> None:
    client = make_client()
    record = case_record(client.creds, 1)
    assert client.batch([record]).json()["results"][0]["status"] == "accepted"
    changed = copy.deepcopy(record)
    changed["body"]["applicant_name"] = "李四"
    changed["body_sha256"] = hashlib.sha256(canonical(changed["body"])).hexdigest()
    result = client.batch([changed]).json()["results"][0]
    assert (result["status"], result["code"]) == ("conflict", "conflict")
    stored = db_rows(server.db, "SELECT body_sha256 FROM records WHERE record_id = ?", record["record_id"])
    assert stored == [(record["body_sha256"],)]


def test_body_hash_is_recomputed(server: Server, make_client: Callable[..., Client]) -> None:
    client = make_client()
    record = case_record(client.creds, 1)
    record["body_sha256"] = "0" * 64
    result = client.batch([record]).json()["results"][0]
    assert (result["status"], result["code"]) == ("rejected", "body_hash_mismatch")
    assert db_rows(server.db, "SELECT count(*) FROM records WHERE record_id = ?", record["record_id"]) == [(0,)]


def test_one_bad_record_does_not_block_the_rest_and_results_keep_request_order(
    make_client: Callable[..., Client],
) -> None:
    client = make_client()
    good = [case_record(client.creds, seq) for seq in (3, 1, 2)]
    wrong_terminal = case_record(client.creds, 4)
    wrong_terminal["terminal"] = "999"
    bad_body = envelope("case", {"case_no": "123", "item_code": "x"}, terminal=client.creds.terminal, seq=5)
    not_an_object = "junk"
    batch = [good[0], wrong_terminal, good[1], bad_body, not_an_object, good[2]]
    answer = client.batch(batch)  # type: ignore[list-item]
    assert answer.status_code == 200
    results = answer.json()["results"]
    assert [r["record_id"] for r in results] == [
        good[0]["record_id"],
        wrong_terminal["record_id"],
        good[1]["record_id"],
        bad_body["record_id"],
        None,
        good[2]["record_id"],
    ]
    assert [(r["status"], r["code"]) for r in results] == [
        ("accepted", None),
        ("rejected", "terminal_mismatch"),
        ("accepted", None),
        ("rejected", "bad_case_no"),
        ("rejected", "bad_envelope"),
        ("accepted", None),
    ]


def test_orphan_is_retry_later_until_its_parent_lands(make_client: Callable[..., Client]) -> None:
    client = make_client()
    case = case_record(client.creds, 1)
    rating = rating_record(client.creds, 2, case)
    result = client.batch([rating]).json()["results"][0]
    assert (result["status"], result["code"]) == ("retry_later", "parent_missing")
    assert _statuses(client.batch([case]).json()) == ["accepted"]
    assert _statuses(client.batch([rating]).json()) == ["accepted"]


def test_parent_later_in_the_request_but_earlier_in_sequence_is_accepted(
    make_client: Callable[..., Client],
) -> None:
    client = make_client()
    case = case_record(client.creds, 1)
    rating = rating_record(client.creds, 2, case)
    assert _statuses(client.batch([rating, case]).json()) == ["accepted", "accepted"]


def test_new_id_with_a_used_terminal_seq_is_rejected_not_500(
    server: Server, make_client: Callable[..., Client]
) -> None:
    client = make_client()
    assert _statuses(client.batch([case_record(client.creds, 7)]).json()) == ["accepted"]
    clash = case_record(client.creds, 7)
    result = client.batch([clash]).json()["results"][0]
    assert (result["status"], result["code"]) == ("rejected", "terminal_seq_taken")


def test_unknown_schema_is_426_and_stores_nothing(server: Server, make_client: Callable[..., Client]) -> None:
    client = make_client()
    good = case_record(client.creds, 1)
    future = envelope("event", {"x": 1}, terminal=client.creds.terminal, seq=2, schema=2)
    answer = client.batch([good, future])
    assert (answer.status_code, answer.json()["error"]) == (426, "upgrade_required")
    assert db_rows(server.db, "SELECT count(*) FROM records WHERE record_id = ?", good["record_id"]) == [(0,)]


def test_too_many_records_and_too_many_bytes_are_413_json(make_client: Callable[..., Client]) -> None:
    client = make_client()
    tiny = [envelope("event", {}, terminal=client.creds.terminal, seq=i) for i in range(501)]
    answer = client.batch(tiny)
    assert (answer.status_code, answer.json()["error"]) == (413, "too_many_records")
    huge = json.dumps({"records": [], "pad": "x" * (4 * 1024 * 1024)}).encode()
    answer = client.post_raw("/api/v1/records:batch", huge)
    assert answer.status_code == 413
    assert answer.json()["error"] == "too_large"


def test_malformed_and_deep_json_are_400_json(make_client: Callable[..., Client]) -> None:
    client = make_client()
    for raw, error in (
        (b'{"records": [', "bad_json"),
        (b"\xff\xfe", "bad_json"),
        (b"[" * 65 + b"]" * 65, "too_deep"),
        (b"[" * 200_000 + b"]" * 200_000, "too_deep"),
        (b'{"records": "all of them"}', "bad_request"),
        (b"[]", "bad_request"),
    ):
        answer = client.post_raw("/api/v1/records:batch", raw)
        assert answer.status_code == 400, (raw[:20], answer.text)
        assert answer.json()["error"] == error
    # 64 levels is still allowed: the records list is simply not valid then.
    ok_depth = b'{"records": [' + b"[" * 62 + b"]" * 62 + b"]}"
    answer = client.post_raw("/api/v1/records:batch", ok_depth)
    assert answer.status_code == 200
    assert answer.json()["results"][0]["code"] == "bad_envelope"


def test_hostile_strings_are_stored_verbatim_or_rejected_never_executed(
    server: Server, make_client: Callable[..., Client]
) -> None:
    client = make_client()
    sqlish = case_record(client.creds, 1, name="'); DROP TABLE records; -- <script>alert(1)</script>")
    long_string = case_record(client.creds, 2, name="名" * 10_000)
    floaty = envelope("event", {"amount": 1.5}, terminal=client.creds.terminal, seq=3)
    floaty["body_sha256"] = hashlib.sha256(canonical(floaty["body"])).hexdigest()  # a client hashing floats anyway
    results = client.batch([sqlish, long_string, floaty]).json()["results"]
    assert [(r["status"], r["code"]) for r in results] == [
        ("accepted", None),
        ("rejected", "string_too_long"),
        ("rejected", "float_in_body"),
    ]
    body = db_rows(server.db, "SELECT body FROM records WHERE record_id = ?", sqlish["record_id"])[0][0]
    assert "DROP TABLE records" in str(body)


def test_concurrent_upload_of_the_same_batch_stores_one_row_each(
    server: Server, make_client: Callable[..., Client]
) -> None:
    first = make_client()
    second = Client(server.url, first.creds)  # same device, its own connection
    batch = [case_record(first.creds, seq) for seq in range(1, 201)]
    barrier = threading.Barrier(2)
    answers: list[dict[str, object]] = []

    def upload(client: Client) -> None:
        barrier.wait()
        answer = client.batch(batch)
        assert answer.status_code == 200, answer.text
        answers.append(answer.json())

    threads = [threading.Thread(target=upload, args=(c,)) for c in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(answers) == 2
    ids = [r["record_id"] for r in batch]
    placeholders = ",".join("?" * len(ids))
    assert db_rows(server.db, f"SELECT count(*) FROM records WHERE record_id IN ({placeholders})", *ids) == [(200,)]
    for index in range(200):
        pair = sorted(a["results"][index]["status"] for a in answers)  # type: ignore[index]
        assert pair == ["accepted", "duplicate"]
        refs = {a["results"][index]["server_ref"] for a in answers}  # type: ignore[index]
        assert len(refs) == 1


def test_reconciliation_summary_and_missing(make_client: Callable[..., Client]) -> None:
    client = make_client()
    held = [case_record(client.creds, seq) for seq in (1, 2)]
    assert _statuses(client.batch(held).json()) == ["accepted", "accepted"]
    summary = client.request("GET", "/api/v1/devices/me/summary").json()
    assert (summary["records"], summary["by_kind"], summary["max_terminal_seq"]) == (2, {"case": 2}, 2)
    lost = case_record(client.creds, 3)["record_id"]
    answer = client.request(
        "POST",
        "/api/v1/records:missing",
        data=json.dumps({"record_ids": [held[0]["record_id"], lost, held[1]["record_id"]]}).encode(),
    )
    assert answer.json() == {"missing": [lost]}
    too_many = json.dumps({"record_ids": [lost] * 5001}).encode()
    assert client.request("POST", "/api/v1/records:missing", data=too_many).status_code == 413
    bad = json.dumps({"record_ids": ["1; DROP TABLE records"]}).encode()
    assert client.request("POST", "/api/v1/records:missing", data=bad).json()["error"] == "bad_record_id"


def test_a_case_number_owned_by_another_record_is_rejected_case_no_taken(
    server: Server, make_client: Callable[..., Client]
) -> None:
    first, second = make_client(), make_client()
    owned = case_record(first.creds, 1)
    assert client_status(first, [owned]) == [("accepted", None)]
    # Another terminal (the same identity by mistake) sends a different case under that number.
    clash = envelope("case", {**owned["body"], "applicant_name": "李四"}, terminal=second.creds.terminal, seq=1)
    assert client_status(second, [clash]) == [("rejected", "case_no_taken")]
    # Within one batch too: the first record takes the number, the second is refused (never accepted and dropped).
    fresh = case_record(second.creds, 2)
    twin = envelope("case", {**fresh["body"], "applicant_name": "王五"}, terminal=second.creds.terminal, seq=3)
    assert client_status(second, [fresh, twin]) == [("accepted", None), ("rejected", "case_no_taken")]
    # The owner's resend is still a duplicate; the case table names the owners.
    assert client_status(first, [owned]) == [("duplicate", None)]
    owners = db_rows(
        server.db,
        "SELECT record_id FROM cases WHERE case_no IN (?, ?) ORDER BY record_id",
        owned["body"]["case_no"],
        fresh["body"]["case_no"],
    )
    assert sorted(r[0] for r in owners) == sorted([owned["record_id"], fresh["record_id"]])
    stored = db_rows(
        server.db, "SELECT count(*) FROM records WHERE record_id IN (?, ?)", clash["record_id"], twin["record_id"]
    )
    assert stored == [(0,)]


def client_status(client: Client, records: list[dict[str, object]]) -> list[tuple[str, str | None]]:
    answer = client.batch(records)
    assert answer.status_code == 200, answer.text
    return [(r["status"], r["code"]) for r in answer.json()["results"]]


def test_a_bundle_parent_is_taken_from_its_members_and_its_number_is_owned(
    server: Server, make_client: Callable[..., Client]
) -> None:
    """Members naming their 一件事's own number store one parent; a parent number of another terminal's numbering
    or equal to a case's number is not taken (the members still link by bundle_id); no case may arrive under a
    parent's number later."""
    from .helpers import case_no

    client = make_client()
    creds = client.creds
    parent = case_no(creds.hall, creds.terminal, 1, creds.division)

    def member(seq: int, bundle_id: str, parent_no: str) -> dict[str, object]:
        body = {
            **case_record(creds, seq)["body"],
            "bundle_id": bundle_id,
            "parent_case_no": parent_no,
            "bundle_name": "新生儿出生一件事",
        }
        return envelope("case", body, terminal=creds.terminal, seq=seq)

    members = [member(2, "210800YJS001-aaaa", parent), member(3, "210800YJS001-aaaa", parent)]
    assert client_status(client, members) == [("accepted", None), ("accepted", None)]
    assert db_rows(server.db, "SELECT parent_case_no, bundle_id, bundle_name FROM bundles") == [
        (parent, "210800YJS001-aaaa", "新生儿出生一件事")
    ]
    foreign = case_no(creds.hall, "999" if creds.terminal != "999" else "998", 4, creds.division)
    own_case = members[0]["body"]["case_no"]  # type: ignore[index]
    others = [member(5, "210800YJS001-bbbb", foreign), member(6, "210800YJS001-cccc", own_case)]
    assert client_status(client, others) == [("accepted", None), ("accepted", None)]
    assert db_rows(server.db, "SELECT COUNT(*) FROM bundles") == [(1,)]
    assert db_rows(server.db, "SELECT COUNT(*) FROM bundle_members") == [(4,)]
    squatter = envelope("case", {**case_record(creds, 7)["body"], "case_no": parent}, terminal=creds.terminal, seq=7)
    assert client_status(client, [squatter]) == [("rejected", "case_no_taken")]
