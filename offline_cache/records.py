"""Outbox bodies built from the domain models: the `body` of each record kind (SYNC_PROTOCOL.md).

The central platform validates against these shapes. Rules: every key is always present (null when it does
not apply); values are strings, integers, booleans, lists or objects — never floats; datetimes are RFC 3339
with an offset (UTC); dates are ISO `YYYY-MM-DD`. Keys carrying personal data use the names of
`app.protocol.PERSONAL_FIELDS` (encrypted at rest, purged after retention); no other key carries personal data.
A body is built once when the record is saved; later local changes (platform status, purge) never alter what
was hashed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from app.domain.models import (
    Case,
    EnterpriseApplicant,
    OnlineAssist,
    PersonApplicant,
    Rating,
    ReceiptRecord,
    ReceivedMaterial,
)
from app.protocol import PERSONAL_FIELDS

Body = dict[str, Any]

#: Body keys of a case: the platform can check a body has exactly these.
CASE_KEYS = PERSONAL_FIELDS | frozenset(
    {
        "case_no",
        "item_code",
        "item_name",
        "state",
        "applicant_kind",
        "applicant_credit_code",
        "delivery_method",
        "delivery_postcode",
        "division",
        "hall",
        "window",
        "terminal",
        "staff_no",
        "department",
        "jurisdiction",
        "originals",
        "tracking_no",
        "created_at",
        "expected_date",
        "expected_is_estimate",
        "refusal_reason",
        "bundle_id",
        "materials",
    }
)
RECEIPT_KEYS = frozenset({"case_no", "kind", "output", "staff_no", "printed_at", "reprint", "success", "error"})
RATING_KEYS = frozenset(
    {
        "rating_id",
        "service_act_id",
        "case_no",
        "item_code",
        "division",
        "hall",
        "window",
        "staff_no",
        "terminal",
        "channel",
        "outcome",
        "level",
        "reasons",
        "tags",
        "text",
        "callback_consent",
        "requested_at",
        "rated_at",
    }
)


def timestamp(moment: dt.datetime) -> str:
    """RFC 3339 in UTC with an explicit offset, e.g. `2026-11-24T01:30:00.123456+00:00`."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime in a record body")
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def _material(material: ReceivedMaterial) -> Body:
    body: Body = {
        "requirement_code": material.requirement_code,
        "name": material.name,
        "status": material.status.value,
        "count": material.count,
        "note": material.note,
        "attachments": [
            {"sha256": a.sha256, "filename": a.filename, "media_type": a.media_type, "size": a.size}
            for a in material.attachments
        ],
    }
    if material.licence_no:
        # Issue 18 (SYNC_PROTOCOL.md "Revisions": an added key; bodies allow extra keys): status e_licence.
        body["licence_no"] = material.licence_no
    return body


def case_body(case: Case) -> Body:
    applicant = case.applicant
    person = applicant if isinstance(applicant, PersonApplicant) else None
    enterprise = applicant if isinstance(applicant, EnterpriseApplicant) else None
    agent = case.agent
    routing = case.routing
    return {
        "case_no": case.case_no,
        "item_code": case.item_code,
        "item_name": case.item_name,
        "state": case.state.value,
        "applicant_kind": applicant.kind.value,
        "applicant_name": applicant.name,
        "applicant_id_number": person.id_number if person else None,
        "applicant_credit_code": enterprise.credit_code if enterprise else None,
        "applicant_phone": person.phone if person else None,
        "applicant_address": applicant.address,
        "legal_representative": enterprise.legal_representative if enterprise else None,
        "contact_name": enterprise.contact_name if enterprise else None,
        "contact_phone": enterprise.contact_phone if enterprise else None,
        "agent_name": agent.name if agent else None,
        "agent_id_number": agent.id_number if agent else None,
        "agent_phone": agent.phone if agent else None,
        "delivery_method": case.delivery.method.value,
        "delivery_address": case.delivery.address,
        "delivery_postcode": case.delivery.postcode,
        "delivery_phone": case.delivery.recipient_phone,
        "division": routing.division,
        "hall": routing.hall,
        "window": routing.window,
        "terminal": routing.terminal,
        "staff_no": routing.staff_no,
        "department": routing.department,
        "jurisdiction": routing.jurisdiction,
        "originals": routing.originals.value,
        "tracking_no": routing.tracking_no,
        "created_at": timestamp(case.created_at),
        "expected_date": case.expected_date.isoformat() if case.expected_date else None,
        "expected_is_estimate": case.expected_is_estimate,
        "refusal_reason": case.refusal_reason,
        "bundle_id": case.bundle_id,
        "materials": [_material(m) for m in case.materials],
    }


def receipt_body(record: ReceiptRecord) -> Body:
    return {
        "case_no": record.case_no,
        "kind": record.kind.value,
        "output": record.output.value,
        "staff_no": record.staff_no,
        "printed_at": timestamp(record.printed_at),
        "reprint": record.reprint,
        "success": record.success,
        "error": record.error,
    }


def assist_body(assist: OnlineAssist) -> Body:
    """帮办 of an online filing (kind `assist`, issue 18): the applicant masked, never the name or number."""
    return {
        "assist_id": assist.record_id,
        "item_code": assist.item_code,
        "item_name": assist.item_name,
        "portal_app_no": assist.portal_app_no,
        "applicant_masked": assist.applicant_masked,
        "outcome": assist.outcome.value,
        "division": assist.division,
        "hall": assist.hall,
        "window": assist.window,
        "terminal": assist.terminal,
        "staff_no": assist.staff_no,
        "assisted_at": timestamp(assist.assisted_at),
    }


def rating_body(rating: Rating) -> Body:
    return {
        "rating_id": rating.rating_id,
        "service_act_id": rating.service_act_id,
        "case_no": rating.case_no,
        "item_code": rating.item_code,
        "division": rating.division,
        "hall": rating.hall,
        "window": rating.window,
        "staff_no": rating.staff_no,
        "terminal": rating.terminal,
        "channel": rating.channel.value,
        "outcome": rating.outcome.value,
        "level": int(rating.level) if rating.level is not None else None,
        "reasons": list(rating.reasons),
        "tags": list(rating.tags),
        "text": rating.text,
        "callback_consent": rating.callback_consent,
        "requested_at": timestamp(rating.requested_at),
        "rated_at": timestamp(rating.rated_at) if rating.rated_at else None,
    }


def personal_keys(body: Body) -> frozenset[str]:
    """The top-level keys of `body` that carry personal data."""
    return PERSONAL_FIELDS.intersection(body)
