"""Idempotent ingest of a records batch (SYNC_PROTOCOL.md "Platform side").

One transaction per batch, answered only after commit. Records are handled in `terminal_seq` order and answered
in request order. Uniqueness is the database's job: the insert uses ON CONFLICT DO NOTHING on the primary key and
on UNIQUE(terminal_key, terminal_seq); when nothing was inserted the stored row says whether this is a duplicate,
a conflict or a taken sequence number. Two connections inserting the same id therefore still store one row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from app.protocol import (
    SCHEMA_VERSION,
    RecordKind,
    ResultStatus,
    WireError,
    check_text,
    has_bad_text,
    is_case_no,
    is_rfc3339,
    is_uuid,
    validate_body,
    validate_envelope,
)
from central import schema
from central.auth import Device
from central.db import iso, lock_change_log, now_utc, write
from central.ratings import rating_values_from_body, record_rating

log = logging.getLogger("tongban.central.ingest")


class UnknownSchemaError(Exception):
    """A record uses an envelope schema this platform does not know: 426 for the whole request."""


@dataclass
class RecordResult:
    record_id: str | None
    status: ResultStatus
    code: str | None = None
    message: str | None = None
    server_ref: str | None = None
    accepted_at: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "record_id": self.record_id,
            "status": self.status.value,
            "code": self.code,
            "message": self.message,
            "server_ref": self.server_ref,
            "accepted_at": self.accepted_at,
        }


def check_schema_versions(records: list[Any]) -> None:
    for record in records:
        if isinstance(record, dict):
            version = record.get("schema")
            if isinstance(version, int) and not isinstance(version, bool) and version > SCHEMA_VERSION:
                raise UnknownSchemaError(str(version))


def ingest_batch(
    engine: Engine,
    device: Device,
    records: list[Any],
    *,
    before_commit: Callable[[list[Any]], None] | None = None,
    forced_reject: frozenset[str] | set[str] = frozenset(),
) -> list[RecordResult]:
    """Store a batch; return one result per record in request order. Raises UnknownSchemaError before any write."""
    check_schema_versions(records)
    results: list[RecordResult | None] = [None] * len(records)

    def order(index: int) -> tuple[int, int]:
        seq = records[index].get("terminal_seq") if isinstance(records[index], dict) else None
        return (seq if isinstance(seq, int) and not isinstance(seq, bool) else -1, index)

    with write(engine) as conn:
        if any(isinstance(r, dict) and r.get("kind") == RecordKind.CASE for r in records):
            # Take the change-log lock before any row lock, so two batches can never wait on each other in turn.
            lock_change_log(conn)
        batch = _Batch(
            iso(now_utc()), _prefetch(conn, records), [], _case_owners(conn, records), _held_blobs(conn, records)
        )
        for index in sorted(range(len(records)), key=order):
            record = records[index]
            if forced_reject and isinstance(record, dict) and record.get("record_id") in forced_reject:
                results[index] = RecordResult(
                    record["record_id"], ResultStatus.REJECTED, "bad_field", "rejected by TB_FAULT"
                )
                continue
            results[index] = _one(conn, device, record, batch)
        _flush_cases(conn, batch.pending_cases)
        if before_commit is not None:
            before_commit(records)
    done = [r for r in results if r is not None]
    counts: dict[str, int] = {}
    for result in done:
        counts[result.status.value] = counts.get(result.status.value, 0) + 1
        if result.status is ResultStatus.REJECTED:
            # A permanent rejection is logged on both sides (record ids and codes only, never body values).
            log.warning("rejected record %s from device %s: %s", result.record_id, device.device_id, result.code)
    log.info("COMMITTED batch device=%s records=%d %s", device.device_id, len(done), counts)
    return done


def _case_owners(conn: Connection, records: list[Any]) -> dict[str, str]:
    """case_no → record_id of the stored case, for every case number the batch's case records name."""
    numbers: set[str] = set()
    for record in records:
        if isinstance(record, dict) and record.get("kind") == RecordKind.CASE and isinstance(record.get("body"), dict):
            case_no = record["body"].get("case_no")
            if isinstance(case_no, str) and len(case_no) <= 26:
                numbers.add(case_no)
    owners: dict[str, str] = {}
    ordered = sorted(numbers)
    for start in range(0, len(ordered), 500):
        for row in conn.execute(_SELECT_CASE_OWNERS, {"numbers": ordered[start : start + 500]}):
            owners[row.case_no] = row.record_id
        # A 一件事's own number is taken too: no case may arrive under it later.
        for number in conn.execute(_SELECT_PARENT_NUMBERS, {"numbers": ordered[start : start + 500]}).scalars():
            owners.setdefault(number, f"bundle:{number}")
    return owners


def _prefetch(conn: Connection, records: list[Any]) -> dict[str, Any]:
    """Stored rows for every id the batch names (records and parents), read once; the inserts still decide."""
    ids: set[str] = set()
    for record in records:
        if isinstance(record, dict):
            for key in ("record_id", "depends_on"):
                if is_uuid(record.get(key)):
                    ids.add(record[key])
    found: dict[str, Any] = {}
    ordered = sorted(ids)
    for start in range(0, len(ordered), 500):
        for row in conn.execute(_SELECT_STORED_IN, {"ids": ordered[start : start + 500]}):
            found[row.record_id] = row
    return found


# Statements built once and executed with parameters (SQLAlchemy then reuses the compiled form).
_r = schema.records.c
_SELECT_STORED_IN = select(_r.record_id, _r.body_sha256, _r.server_ref, _r.received_at).where(
    _r.record_id.in_(bindparam("ids", expanding=True))
)
_SELECT_STORED = select(_r.record_id, _r.body_sha256, _r.server_ref, _r.received_at).where(
    _r.record_id == bindparam("rid")
)
_SELECT_CASE_OWNERS = select(schema.cases.c.case_no, schema.cases.c.record_id).where(
    schema.cases.c.case_no.in_(bindparam("numbers", expanding=True))
)
_SELECT_PARENT_NUMBERS = select(schema.bundles.c.parent_case_no).where(
    schema.bundles.c.parent_case_no.in_(bindparam("numbers", expanding=True))
)
_SELECT_SEQ_USED = select(_r.record_id).where(
    (_r.terminal_key == bindparam("key")) & (_r.terminal_seq == bindparam("seq"))
)
_INSERT_HISTORY = schema.case_history.insert()
_RECORD_INSERTS = {
    name: module.insert(schema.records).on_conflict_do_nothing().returning(_r.record_id)
    for name, module in (("sqlite", sqlite), ("postgresql", postgresql))
}
_CASE_INSERTS = {
    name: module.insert(schema.cases).on_conflict_do_nothing().returning(schema.cases.c.case_no)
    for name, module in (("sqlite", sqlite), ("postgresql", postgresql))
}


# One return per protocol outcome, in the protocol's order.
@dataclass
class _Batch:
    """Per-batch state: its arrival time, the stored rows it names, and the cases to insert at the end."""

    received_at: str
    known: dict[str, Any]
    pending_cases: list[dict[str, Any]]
    case_owners: dict[str, str]  # case_no → record_id that owns it (stored, or accepted earlier in this batch)
    held_blobs: set[str]  # the scans the batch's cases reference that are stored here (uploaded before the batch)


def _one(conn: Connection, device: Device, record: Any, batch: _Batch) -> RecordResult:  # noqa: PLR0911
    raw_id = record.get("record_id") if isinstance(record, dict) else None
    # Echoed only when it is text the answer can carry (a lone surrogate has no UTF-8 form).
    record_id = raw_id if isinstance(raw_id, str) and len(raw_id) <= 64 and not has_bad_text(raw_id) else None
    try:
        validate_envelope(record)
    except WireError as exc:
        return RecordResult(record_id, ResultStatus.REJECTED, exc.code, exc.message)
    if record["schema"] < 1:
        return RecordResult(record_id, ResultStatus.REJECTED, "bad_envelope", "schema must be at least 1")
    body = record["body"]
    try:
        # One rule on both backends, before the hash (defined only for valid Unicode text) and before storage.
        check_text(body)
    except WireError as exc:
        return RecordResult(record_id, ResultStatus.REJECTED, exc.code, exc.message)
    # The canonical bytes, computed once (floats are refused by validate_body below, deterministically).
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    digest = hashlib.sha256(canonical).hexdigest()
    if digest != record["body_sha256"]:
        return RecordResult(record_id, ResultStatus.REJECTED, "body_hash_mismatch", "body_sha256 differs from the body")
    existing = batch.known.get(record["record_id"])
    if existing is not None:
        return _against_stored(record["record_id"], digest, existing)
    if record["terminal"] != device.terminal:
        return RecordResult(
            record_id, ResultStatus.REJECTED, "terminal_mismatch", "terminal differs from the signing device"
        )
    try:
        validate_body(record["kind"], body, canonical_size=len(canonical))
    except WireError as exc:
        return RecordResult(record_id, ResultStatus.REJECTED, exc.code, exc.message)
    parent = record.get("depends_on")
    if parent is not None and parent not in batch.known:
        return RecordResult(record_id, ResultStatus.RETRY_LATER, "parent_missing", "depends_on is not stored yet")
    refused = _case_no_taken(conn, device, record, batch) or _blobs_missing(record, batch.held_blobs)
    if refused is not None:
        return refused
    server_ref = f"{device.terminal_key}-{record['terminal_seq']}"
    values = {
        "record_id": record["record_id"],
        "terminal_key": device.terminal_key,
        "terminal_seq": record["terminal_seq"],
        "kind": record["kind"],
        "schema": record["schema"],
        "device_id": device.device_id,
        "created_at": record["created_at"],
        "depends_on": parent,
        "body_sha256": digest,
        "body": canonical.decode("utf-8"),
        "server_ref": server_ref,
        "received_at": batch.received_at,
    }
    inserted = conn.execute(_RECORD_INSERTS[conn.dialect.name], values).first()
    if inserted is None:
        existing = _stored(conn, record["record_id"])
        if existing is not None:
            return _against_stored(record["record_id"], digest, existing)
        return RecordResult(
            record_id, ResultStatus.REJECTED, "terminal_seq_taken", "terminal_seq is used by another record"
        )
    batch.known[record["record_id"]] = _Stored(record["record_id"], digest, server_ref, batch.received_at)
    if record["kind"] == RecordKind.CASE:
        batch.case_owners[body["case_no"]] = record["record_id"]
    _derive(conn, device, record, batch.received_at, batch.pending_cases)
    return RecordResult(record_id, ResultStatus.ACCEPTED, None, None, server_ref, batch.received_at)


def _case_no_taken(conn: Connection, device: Device, record: dict[str, Any], batch: _Batch) -> RecordResult | None:
    """A case number belongs to the first case record that brought it: a second one (another terminal with the same
    identity, or one terminal numbering twice) is refused, never accepted and then dropped from the case table.
    A record whose terminal_seq is taken as well is answered `terminal_seq_taken` (the envelope's fault first)."""
    if record["kind"] != RecordKind.CASE:
        return None
    owner = batch.case_owners.get(record["body"]["case_no"])
    if owner is None or owner == record["record_id"]:
        return None
    seq_used = conn.execute(_SELECT_SEQ_USED, {"key": device.terminal_key, "seq": record["terminal_seq"]}).first()
    if seq_used is not None:
        return RecordResult(
            record["record_id"], ResultStatus.REJECTED, "terminal_seq_taken", "terminal_seq is used by another record"
        )
    log.warning("case number %s is already owned by record %s", record["body"]["case_no"], owner)
    return RecordResult(
        record["record_id"], ResultStatus.REJECTED, "case_no_taken", "case_no already belongs to another case record"
    )


def _blobs_missing(record: dict[str, Any], held: set[str]) -> RecordResult | None:
    """A case is never accepted without its scans (the terminal uploads them first, HEAD then PUT): one that
    references an attachment not held here is answered `retry_later(blob_missing)`."""
    if record["kind"] != RecordKind.CASE or _attachments(record["body"]) <= held:
        return None
    return RecordResult(
        record["record_id"], ResultStatus.RETRY_LATER, "blob_missing", "an attachment the case references is not stored"
    )


def _attachments(body: Any) -> set[str]:
    """The hashes a case body references (`materials[].attachments[].sha256`); any shape is read without error."""
    wanted: set[str] = set()
    materials = body.get("materials") if isinstance(body, dict) else None
    for material in materials if isinstance(materials, list) else []:
        attachments = material.get("attachments") if isinstance(material, dict) else None
        for attachment in attachments if isinstance(attachments, list) else []:
            sha = attachment.get("sha256") if isinstance(attachment, dict) else None
            if isinstance(sha, str):
                wanted.add(sha)
    return wanted


def _held_blobs(conn: Connection, records: list[Any]) -> set[str]:
    """Which of the scans the batch's case records reference are stored here: one query per 500 hashes for the
    whole batch, not one per case (a stored blob is keyed by its 64-hex SHA-256, so no other string is held)."""
    wanted: set[str] = set()
    for record in records:
        if isinstance(record, dict) and record.get("kind") == RecordKind.CASE:
            wanted |= {sha for sha in _attachments(record.get("body")) if len(sha) == 64}
    held: set[str] = set()
    ordered = sorted(wanted)
    for start in range(0, len(ordered), 500):
        held.update(conn.execute(_SELECT_HELD_BLOBS, {"hashes": ordered[start : start + 500]}).scalars())
    return held


_SELECT_HELD_BLOBS = select(schema.blobs.c.sha256).where(schema.blobs.c.sha256.in_(bindparam("hashes", expanding=True)))


@dataclass(frozen=True)
class _Stored:
    record_id: str
    body_sha256: str
    server_ref: str
    received_at: str


def _stored(conn: Connection, record_id: str) -> Any:
    return conn.execute(_SELECT_STORED, {"rid": record_id}).first()


def _against_stored(record_id: str, digest: str, row: Any) -> RecordResult:
    if row.body_sha256 == digest:
        return RecordResult(record_id, ResultStatus.DUPLICATE, None, None, row.server_ref, row.received_at)
    log.warning("conflict: record %s resent with a different body", record_id)
    return RecordResult(record_id, ResultStatus.CONFLICT, "conflict", "record_id already stored with a different body")


def _utc_iso(stamp: str) -> str:
    """An RFC 3339 time as UTC ISO text with microseconds (comparable as text with the other stored times)."""
    return dt.datetime.fromisoformat(stamp).astimezone(dt.UTC).isoformat(timespec="microseconds")


def _derive(
    conn: Connection, device: Device, record: dict[str, Any], received_at: str, pending_cases: list[dict[str, Any]]
) -> None:
    """Keep ratings, cases and the hall's change log up to date with an accepted record (cases in bulk later)."""
    body = record["body"]
    if record["kind"] == RecordKind.RATING:
        values = rating_values_from_body(record["record_id"], body, device.hall_key, device.window, received_at)
        record_rating(conn, values)
    elif record["kind"] == RecordKind.ASSIST:
        # 帮办 of an online filing (issue 18): counted toward 网上实办率 on the supervisor page. It counts on the
        # day the clerk recorded it (a record may reach the platform days later).
        stamp = body["assisted_at"] if is_rfc3339(body.get("assisted_at")) else record["created_at"]
        conn.execute(
            insert(schema.assists).values(
                record_id=record["record_id"],
                hall_key=device.hall_key,
                window=device.window,
                staff_no=body["staff_no"] if isinstance(body.get("staff_no"), str) else "",
                item_code=body["item_code"],
                portal_app_no=body["portal_app_no"],
                outcome=body["outcome"],
                assisted_at=_utc_iso(stamp),
                received_at=received_at,
            )
        )
    elif record["kind"] == RecordKind.CASE:
        # A refused case (不予收件) stays refused; a received one is forwarded to its department on arrival.
        status = "refused" if body.get("state") == "refused" else "forwarded"
        pending_cases.append(
            {
                "case_no": body["case_no"],
                "record_id": record["record_id"],
                "hall_key": device.hall_key,
                "item_code": body["item_code"],
                "item_name": body["item_name"] if isinstance(body.get("item_name"), str) else "",
                "status": status,
                "updated_at": received_at,
                "created_at": record["created_at"],
                "origin": device.terminal_key,  # not a column: marks the change as this terminal's own
                # Not a column either: a 一件事 member's link to the other members (issue 17) and to its parent.
                "bundle_id": body["bundle_id"] if _is_bundle_id(body.get("bundle_id")) else None,
                "parent_case_no": _parent_case_no(body, device),
                "bundle_name": _bundle_name(body.get("bundle_name")),
            }
        )


def _parent_case_no(body: dict[str, Any], device: Device) -> str | None:
    """A member's `parent_case_no` when it can stand as the bundle's own number: a valid case number of the
    uploading terminal's numbering, in a body that names its bundle. Otherwise None (the link by `bundle_id` holds,
    the bundle has no number of its own here)."""
    value = body.get("parent_case_no")
    if value is None or not _is_bundle_id(body.get("bundle_id")):
        return None
    if not is_case_no(value) or str(value)[:11] != device.terminal_key or value == body.get("case_no"):
        log.warning("case %s names a parent number that is not its terminal's: link ignored", body.get("case_no"))
        return None
    return str(value)


def _bundle_name(value: object) -> str:
    return value if isinstance(value, str) and 0 < len(value) <= 100 and value.isprintable() else ""


def _insert_parents(conn: Connection, fresh: list[dict[str, Any]]) -> None:
    """The parent case of each 一件事 the batch's members name (the first member to arrive brings it; later ones
    find it held). A parent number that is some case's own number is not taken as a parent (logged)."""
    parents: dict[str, dict[str, Any]] = {}
    for r in fresh:
        if r.get("bundle_id") and r.get("parent_case_no"):
            parents.setdefault(
                r["parent_case_no"],
                {
                    "parent_case_no": r["parent_case_no"],
                    "bundle_id": r["bundle_id"],
                    "bundle_name": r["bundle_name"],
                    "hall_key": r["hall_key"],
                    "created_at": r["created_at"],
                },
            )
    if not parents:
        return
    c = schema.cases.c
    taken = set(conn.execute(select(c.case_no).where(c.case_no.in_(sorted(parents)))).scalars())
    for number in sorted(taken):
        log.warning("parent number %s is a case's own number: not taken as a 一件事 parent", number)
    rows = [row for number, row in parents.items() if number not in taken]
    if rows:
        conn.execute(_BUNDLE_INSERTS[conn.dialect.name], rows)


_BUNDLE_INSERTS = {
    name: module.insert(schema.bundles).on_conflict_do_nothing()
    for name, module in (("sqlite", sqlite), ("postgresql", postgresql))
}


def _is_bundle_id(value: object) -> bool:
    return isinstance(value, str) and 0 < len(value) <= 64 and value.isprintable()


def _flush_cases(conn: Connection, pending: list[dict[str, Any]]) -> None:
    """Insert the batch's cases, their history and their change-log entries in three statements."""
    if not pending:
        return
    first: dict[str, dict[str, Any]] = {}
    for row in pending:
        if row["case_no"] in first:
            log.warning(
                "case %s arrived twice in one batch; keeping record %s",
                row["case_no"],
                first[row["case_no"]]["record_id"],
            )
        else:
            first[row["case_no"]] = row
    columns = [c.name for c in schema.cases.columns]
    params = [{k: row[k] for k in columns} for row in first.values()]
    inserted = {r.case_no for r in conn.execute(_CASE_INSERTS[conn.dialect.name], params)}
    for case_no, row in first.items():
        if case_no not in inserted:
            log.warning("case %s arrived again under record %s; keeping the first", case_no, row["record_id"])
    fresh = [row for case_no, row in first.items() if case_no in inserted]
    if not fresh:
        return
    history: list[dict[str, Any]] = []
    changes: list[dict[str, Any]] = []
    for row in fresh:
        history.append(
            {"case_no": row["case_no"], "status": "received", "at": row["created_at"], "note": "", "source": "terminal"}
        )
        if row["status"] == "forwarded":
            at = row["updated_at"]
            history.append(
                {"case_no": row["case_no"], "status": "forwarded", "at": at, "note": "", "source": "terminal"}
            )
            changes.append(
                {
                    "hall_key": row["hall_key"],
                    "case_no": row["case_no"],
                    "type": "case_status",
                    # `origin`: the uploading terminal already knows its case is forwarded (updates leave it out).
                    "payload": json.dumps(
                        {"at": at, "status": "forwarded", "origin": row["origin"]}, ensure_ascii=False, sort_keys=True
                    ),
                    "created_at": at,
                }
            )
    members = [
        {"case_no": r["case_no"], "bundle_id": r["bundle_id"], "hall_key": r["hall_key"], "created_at": r["created_at"]}
        for r in fresh
        if r.get("bundle_id")
    ]
    if members:
        conn.execute(schema.bundle_members.insert(), members)
        _insert_parents(conn, fresh)
    conn.execute(_INSERT_HISTORY, history)
    if changes:
        lock_change_log(conn)
        conn.execute(schema.changes.insert(), changes)
