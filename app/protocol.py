"""The wire schema shared by the terminal and the central platform (SYNC_PROTOCOL.md v1).

Only stdlib here so that both sides, and `offline_cache`, can import it without pulling in Qt or HTTP.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from enum import StrEnum
from typing import Any

#: Envelope schema version; a platform that does not know it answers 426 upgrade_required.
SCHEMA_VERSION = 1

MAX_BATCH_RECORDS = 500
MAX_BATCH_BYTES = 4 * 1024 * 1024


class RecordKind(StrEnum):
    CASE = "case"
    RECEIPT = "receipt"
    RATING = "rating"
    EVENT = "event"
    #: 帮办: a clerk helped a citizen file on the online portal (issue 18). A platform that knows it lists "assist"
    #: in /healthz `features`; an older one answers rejected(bad_kind) (the record waits in the dead letters).
    ASSIST = "assist"


class OutboxState(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    DEAD = "dead"


class ResultStatus(StrEnum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    CONFLICT = "conflict"
    REJECTED = "rejected"
    RETRY_LATER = "retry_later"


#: Body keys that carry personal data: encrypted at rest in the outbox, never logged, purged after retention.
PERSONAL_FIELDS = frozenset(
    {
        "applicant_name",
        "applicant_id_number",
        "applicant_phone",
        "applicant_address",
        "legal_representative",
        "contact_name",
        "contact_phone",
        "agent_name",
        "agent_id_number",
        "agent_phone",
        "delivery_address",
        "delivery_phone",
    }
)


def canonical_json(body: Any) -> bytes:
    """The canonical bytes of a body: UTF-8, sorted keys, no insignificant whitespace.

    Bodies carry no floats (amounts are integers in fen); a float here is a bug and is refused.
    """
    _refuse_floats(body)
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def body_sha256(body: Any) -> str:
    """Lowercase hex SHA-256 of the canonical bytes of `body` (the envelope's `body_sha256`)."""
    return hashlib.sha256(canonical_json(body)).hexdigest()


def _refuse_floats(value: Any) -> None:
    if isinstance(value, float):
        raise TypeError("protocol bodies carry no floats; use integers (e.g. fen)")
    if isinstance(value, dict):
        for item in value.values():
            _refuse_floats(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _refuse_floats(item)


# --- wire validation (used by the platform; the terminal may use it to check what it builds) -------------------

#: JSON nesting deeper than this is refused as a whole request (SYNC_PROTOCOL.md "Precise details").
MAX_JSON_DEPTH = 64
#: Ids a `records:missing` request may ask about at once.
MAX_MISSING_IDS = 5000
#: A single body's canonical size, nesting and string length limits (a record is small; scans travel as blobs).
MAX_BODY_BYTES = 256 * 1024
MAX_BODY_DEPTH = 16
MAX_STRING_CHARS = 4096

#: Case states a terminal may create; later ones come from the platform (DOMAIN.md).
TERMINAL_CASE_STATES = frozenset({"received", "refused"})
RATING_CHANNELS = frozenset({"counter_device", "kiosk", "receipt_qr", "portal", "sms", "hotline"})
RATING_OUTCOMES = frozenset({"rated", "unrated"})
RECEIPT_KINDS = frozenset({"intake_receipt", "one_time_notice", "refusal_notice"})
#: 帮办 outcomes: filed on the portal (counts toward 网上实办率), left unfinished, or the portal refused/failed.
ASSIST_OUTCOMES = frozenset({"submitted", "incomplete", "failed"})
#: The online portal's application number: 2 letters (the province's portal, e.g. LN), the filing date YYYYMMDD and
#: an 8-digit serial, e.g. LN2026120200001234.
_PORTAL_APP_NO_RE = re.compile(r"\A[A-Z]{2}(20[0-9]{2})(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])[0-9]{8}\Z")

_UUID_RE = re.compile(r"\A[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")
_SHA256_RE = re.compile(r"\A[0-9a-f]{64}\Z")
_TERMINAL_RE = re.compile(r"\A[0-9]{3}\Z")
_CASE_NO_RE = re.compile(r"\A[0-9]{26}\Z")
_MAX_SEQ = 2**63 - 1


class WireError(ValueError):
    """A deterministic, machine-readable reason why a record (or request) is not acceptable.

    `code` goes into the batch result's `code`; `message` is English for logs and may name a field, never a value.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def is_portal_app_no(value: object) -> bool:
    """An online-portal application number (see `_PORTAL_APP_NO_RE`)."""
    return isinstance(value, str) and _PORTAL_APP_NO_RE.match(value) is not None


def is_uuid(value: object) -> bool:
    """A record id: a lowercase canonical UUID string (what `str(uuid.uuid4())` gives)."""
    return isinstance(value, str) and _UUID_RE.match(value) is not None


def is_sha256_hex(value: object) -> bool:
    return isinstance(value, str) and _SHA256_RE.match(value) is not None


def json_depth(value: Any) -> int:
    """Nesting depth of decoded JSON (a scalar is 0, `[]` is 1), computed without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            depth += 1
            stack.extend((child, depth) for child in item.values())
        elif isinstance(item, list):
            depth += 1
            stack.extend((child, depth) for child in item)
        deepest = max(deepest, depth)
    return deepest


#: What no body may hold: NUL (PostgreSQL text cannot store it) and lone surrogates (not Unicode text, so no UTF-8
#: bytes and no canonical hash). SYNC_PROTOCOL.md "Revisions": such a body is `rejected(bad_text)`.
_BAD_TEXT_RE = re.compile("[\x00\ud800-\udfff]")


def has_bad_text(value: str) -> bool:
    """True when `value` holds a NUL or a lone surrogate (a decoded str never holds a valid surrogate pair)."""
    return _BAD_TEXT_RE.search(value) is not None


def clean_text(value: str) -> str:
    """`value` without NUL and with each lone surrogate replaced by U+FFFD (for text typed into forms)."""
    if _BAD_TEXT_RE.search(value) is None:
        return value
    return _BAD_TEXT_RE.sub(lambda m: "" if m.group() == "\x00" else "\ufffd", value)


def check_text(value: Any) -> None:
    """Raise `WireError("bad_text")` when any key or string inside `value` holds a NUL or a lone surrogate."""
    stack: list[Any] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _BAD_TEXT_RE.search(item) is not None:
                raise WireError("bad_text", "a key or string holds NUL or a lone surrogate")
        elif isinstance(item, dict):
            for key, child in item.items():
                if isinstance(key, str) and _BAD_TEXT_RE.search(key) is not None:
                    raise WireError("bad_text", "a key or string holds NUL or a lone surrogate")
                if isinstance(child, str | dict | list):
                    stack.append(child)
        elif isinstance(item, list):
            stack.extend(child for child in item if isinstance(child, str | dict | list))


def clean_body_text(value: Any) -> Any:
    """A copy of a body with `clean_text` applied to every key and string (the terminal's outbox door)."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_text(k) if isinstance(k, str) else k: clean_body_text(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean_body_text(v) for v in value]
    return value


def case_no_check_digits(first24: str) -> str:
    """ISO 7064 MOD 97-10 check digits over the first 24 digits of a case number (DOMAIN.md)."""
    return f"{98 - (int(first24) * 100) % 97:02d}"


def is_case_no(value: object) -> bool:
    """A 26-digit case number whose last two digits are its MOD 97-10 check."""
    if not isinstance(value, str) or _CASE_NO_RE.match(value) is None:
        return False
    return case_no_check_digits(value[:24]) == value[24:]


def is_rfc3339(value: object) -> bool:
    """An RFC 3339 date-time with an explicit offset (`Z` or `+08:00`)."""
    if not isinstance(value, str) or len(value) > 40 or "T" not in value.upper():
        return False
    try:
        parsed = dt.datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        return False
    return parsed.tzinfo is not None


def validate_envelope(record: Any) -> None:
    """Check a record envelope's shape and field formats; raise `WireError` with a deterministic code.

    The schema version is checked by the caller first (an unknown version is a 426 for the whole request, not a
    per-record rejection). The body itself is checked by `validate_body`.
    """
    if not isinstance(record, dict):
        raise WireError("bad_envelope", "a record must be a JSON object")
    if not is_uuid(record.get("record_id")):
        raise WireError("bad_record_id", "record_id must be a lowercase canonical UUID")
    if record.get("kind") not in {k.value for k in RecordKind}:
        raise WireError("bad_kind", "kind must be one of case, receipt, rating, event, assist")
    schema = record.get("schema")
    if not isinstance(schema, int) or isinstance(schema, bool):
        raise WireError("bad_envelope", "schema must be an integer")
    terminal = record.get("terminal")
    if not isinstance(terminal, str) or _TERMINAL_RE.match(terminal) is None:
        raise WireError("bad_terminal", "terminal must be the 3-digit terminal code")
    seq = record.get("terminal_seq")
    if not isinstance(seq, int) or isinstance(seq, bool) or not 0 <= seq <= _MAX_SEQ:
        raise WireError("bad_terminal_seq", "terminal_seq must be a non-negative 64-bit integer")
    if not is_rfc3339(record.get("created_at")):
        raise WireError("bad_created_at", "created_at must be RFC 3339 with an offset")
    depends_on = record.get("depends_on")
    if depends_on is not None and not is_uuid(depends_on):
        raise WireError("bad_depends_on", "depends_on must be null or a record_id")
    if depends_on == record["record_id"]:
        raise WireError("bad_depends_on", "a record cannot depend on itself")
    if not is_sha256_hex(record.get("body_sha256")):
        raise WireError("bad_body_sha256", "body_sha256 must be 64 lowercase hex characters")
    if not isinstance(record.get("body"), dict):
        raise WireError("bad_body", "body must be a JSON object")


def validate_body(kind: str, body: dict[str, Any], *, canonical_size: int | None = None) -> None:
    """Check a body for its kind: required keys and their types; unknown extra keys are allowed.

    Required keys per kind (the terminal's `offline_cache/records.py` builds these):
    - case: `case_no` (26 digits with a valid check), `item_code` (string); `state`, when present, is `received`
      or `refused`.
    - receipt: `case_no` (valid), `kind` (`intake_receipt` | `one_time_notice` | `refusal_notice`).
    - rating: `outcome` (`rated` | `unrated`), `level` (1-5 when rated, null when unrated), `channel` (one of
      RATING_CHANNELS); `case_no`, when present, is null or valid.
    - event: any object.
    - assist: `item_code` (string), `portal_app_no` (`is_portal_app_no`), `outcome` (ASSIST_OUTCOMES),
      `applicant_masked` (string: never the full name or number).
    Every body: personal fields are strings or null; strings at most MAX_STRING_CHARS; nesting at most
    MAX_BODY_DEPTH; canonical size at most MAX_BODY_BYTES (pass `canonical_size` when the caller has the bytes).
    """
    _check_generic(body, canonical_size)
    if kind == RecordKind.CASE:
        _require_case_no(body, "case_no", nullable=False)
        _require_str(body, "item_code")
        if "state" in body and body["state"] not in TERMINAL_CASE_STATES:
            raise WireError("bad_field", "state must be received or refused")
    elif kind == RecordKind.RECEIPT:
        _require_case_no(body, "case_no", nullable=False)
        if body.get("kind") not in RECEIPT_KINDS:
            raise WireError("bad_field", "kind must be intake_receipt, one_time_notice or refusal_notice")
    elif kind == RecordKind.RATING:
        _check_rating(body)
    elif kind == RecordKind.ASSIST:
        _require_str(body, "item_code")
        if not is_portal_app_no(body.get("portal_app_no")):
            raise WireError("bad_field", "portal_app_no must be 2 letters, a date YYYYMMDD and 8 digits")
        if body.get("outcome") not in ASSIST_OUTCOMES:
            raise WireError("bad_field", "outcome must be submitted, incomplete or failed")
        _require_str(body, "applicant_masked")


def _check_generic(body: dict[str, Any], canonical_size: int | None) -> None:
    """One walk over the body: depth, floats, string lengths, personal-field types."""
    stack: list[tuple[Any, int]] = [(body, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if len(item) > MAX_STRING_CHARS:
                raise WireError("string_too_long", f"a string exceeds {MAX_STRING_CHARS} characters")
            if _BAD_TEXT_RE.search(item) is not None:
                raise WireError("bad_text", "a key or string holds NUL or a lone surrogate")
        elif isinstance(item, dict):
            if depth > MAX_BODY_DEPTH:
                raise WireError("body_too_deep", f"body nesting exceeds {MAX_BODY_DEPTH}")
            _check_keys(item)
            stack.extend((child, depth + 1) for child in item.values() if isinstance(child, dict | list | str | float))
        elif isinstance(item, list):
            if depth > MAX_BODY_DEPTH:
                raise WireError("body_too_deep", f"body nesting exceeds {MAX_BODY_DEPTH}")
            stack.extend((child, depth + 1) for child in item if isinstance(child, dict | list | str | float))
        elif isinstance(item, float):
            raise WireError("float_in_body", "bodies carry no floats")
    size = len(canonical_json(body)) if canonical_size is None else canonical_size
    if size > MAX_BODY_BYTES:
        raise WireError("body_too_large", f"body exceeds {MAX_BODY_BYTES} bytes")


def _check_keys(item: dict[str, Any]) -> None:
    for key, child in item.items():
        if len(key) > 128:
            raise WireError("bad_field", "a key exceeds 128 characters")
        if _BAD_TEXT_RE.search(key) is not None:
            raise WireError("bad_text", "a key or string holds NUL or a lone surrogate")
        if key in PERSONAL_FIELDS and child is not None and not isinstance(child, str):
            raise WireError("bad_field", f"{key} must be a string or null")


def _require_str(body: dict[str, Any], key: str) -> None:
    value = body.get(key)
    if not isinstance(value, str) or not value.strip():
        raise WireError("bad_field", f"{key} must be a non-empty string")


def _require_case_no(body: dict[str, Any], key: str, *, nullable: bool) -> None:
    value = body.get(key)
    if value is None and nullable:
        return
    if not is_case_no(value):
        raise WireError("bad_case_no", f"{key} must be a 26-digit case number with a valid check")


def _check_rating(body: dict[str, Any]) -> None:
    outcome = body.get("outcome")
    if outcome not in RATING_OUTCOMES:
        raise WireError("bad_field", "outcome must be rated or unrated")
    if "level" not in body:
        raise WireError("bad_field", "level is required (null when unrated)")
    level = body["level"]
    if outcome == "rated":
        if not isinstance(level, int) or isinstance(level, bool) or not 1 <= level <= 5:
            raise WireError("bad_field", "level must be an integer 1-5 when rated")
    elif level is not None:
        raise WireError("bad_field", "level must be null when unrated")
    if body.get("channel") not in RATING_CHANNELS:
        raise WireError("bad_field", "channel must be a known rating channel")
    if "case_no" in body:
        _require_case_no(body, "case_no", nullable=True)
