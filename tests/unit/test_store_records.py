"""Outbox bodies: exact key sets, personal keys named as the protocol says, no floats, stable hashes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest

from app.protocol import PERSONAL_FIELDS, body_sha256, canonical_json
from offline_cache import records, samples


def _numbered(case_no: str = "21080001003202611240000127") -> records.Body:
    return records.case_body(dataclasses.replace(samples.sample_case(), case_no=case_no))


def test_case_body_has_exactly_the_documented_keys() -> None:
    body = _numbered()
    assert set(body) == records.CASE_KEYS
    assert body["applicant_id_number"] == samples.ID_NUMBER
    assert body["agent_phone"] == samples.AGENT_PHONE
    assert body["materials"][0]["requirement_code"] == "M01"
    assert body["expected_date"] == "2026-12-08"


def test_personal_values_appear_only_under_personal_keys() -> None:
    body = _numbered()
    personal = {
        samples.NAME,
        samples.ID_NUMBER,
        samples.PHONE,
        samples.ADDRESS,
        samples.AGENT_NAME,
        samples.AGENT_ID_NUMBER,
        samples.AGENT_PHONE,
        samples.DELIVERY_ADDRESS,
        samples.DELIVERY_PHONE,
    }
    for key, value in body.items():
        if key not in PERSONAL_FIELDS:
            assert not any(p in json.dumps(value, ensure_ascii=False) for p in personal), key
    assert {k for k, v in body.items() if isinstance(v, str) and v in personal} == PERSONAL_FIELDS - {
        "legal_representative",
        "contact_name",
        "contact_phone",
    }


def test_enterprise_body_uses_enterprise_keys_and_nulls_the_person_ones() -> None:
    case = dataclasses.replace(samples.sample_enterprise_case(), case_no="2" * 26)
    body = records.case_body(case)
    assert set(body) == records.CASE_KEYS
    assert body["applicant_kind"] == "enterprise"
    assert body["applicant_id_number"] is None
    assert body["applicant_credit_code"] == "91210800MA0XXXXX1K"
    assert body["contact_phone"] == "18641790011"
    assert body["agent_name"] is None


def test_bodies_are_canonicalisable_without_floats() -> None:
    case_no = "21080001003202611240000127"
    for body in (
        _numbered(case_no),
        records.rating_body(samples.sample_rating(case_no)),
        records.receipt_body(samples.sample_receipt(case_no)),
    ):
        canonical_json(body)  # raises TypeError on a float
        assert json.loads(canonical_json(body)) == body


def test_rating_and_receipt_bodies_carry_no_personal_keys() -> None:
    rating = records.rating_body(samples.sample_rating("1" * 26))
    receipt = records.receipt_body(samples.sample_receipt("1" * 26))
    assert set(rating) == records.RATING_KEYS
    assert set(receipt) == records.RECEIPT_KEYS
    assert not PERSONAL_FIELDS & (set(rating) | set(receipt))
    assert rating["level"] == 3
    assert rating["reasons"] == ["等候时间长"]


def test_unrated_rating_has_null_level_and_time() -> None:
    body = records.rating_body(samples.sample_rating(None, level=None))
    assert body["outcome"] == "unrated"
    assert body["level"] is None
    assert body["rated_at"] is None
    assert body["case_no"] is None


def test_timestamps_are_utc_with_offset_and_hash_is_independent_of_input_zone() -> None:
    shanghai = dt.timezone(dt.timedelta(hours=8))
    moment = dt.datetime(2026, 11, 24, 9, 30, tzinfo=shanghai)
    case = dataclasses.replace(samples.sample_case(created_at=moment), case_no="3" * 26)
    same = dataclasses.replace(case, created_at=moment.astimezone(dt.UTC))
    assert records.case_body(case)["created_at"] == "2026-11-24T01:30:00.000000+00:00"
    assert body_sha256(records.case_body(case)) == body_sha256(records.case_body(same))


def test_naive_datetimes_are_refused() -> None:
    case = dataclasses.replace(samples.sample_case(created_at=dt.datetime(2026, 11, 24, 9, 30)), case_no="3" * 26)
    with pytest.raises(ValueError, match="naive"):
        records.case_body(case)
