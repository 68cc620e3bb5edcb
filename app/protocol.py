"""The wire schema shared by the terminal and the central platform (SYNC_PROTOCOL.md v1).

Only stdlib here so that both sides, and `offline_cache`, can import it without pulling in Qt or HTTP.
"""

from __future__ import annotations

import hashlib
import json
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
