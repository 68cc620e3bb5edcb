"""app.protocol's wire validators: the terminal's real bodies pass; wrong ones get deterministic codes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.case_number import check_digits, make_case_number
from app.domain.models import (
    Case,
    CaseState,
    DeliveryMethod,
    PersonApplicant,
    Rating,
    RatingChannel,
    RatingLevel,
    RatingOutcome,
    ReceiptKind,
    ReceiptOutput,
    ReceiptRecord,
    ResultDelivery,
    Routing,
)
from app.protocol import (
    WireError,
    body_sha256,
    case_no_check_digits,
    is_case_no,
    is_rfc3339,
    json_depth,
    validate_body,
    validate_envelope,
)
from offline_cache.records import case_body, rating_body, receipt_body

NOW = dt.datetime(2026, 11, 24, 1, 30, tzinfo=dt.UTC)
CASE_NO = make_case_number("210800", "01", "003", dt.date(2026, 11, 24), 17)


def _case(state: CaseState = CaseState.RECEIVED) -> Case:
    return Case(
        record_id=str(uuid.uuid4()),
        case_no=CASE_NO,
        item_code="210800200101000",
        item_name="城乡居民养老保险参保登记",
        state=state,
        applicant=PersonApplicant(name="张三", id_number="21080219900101123X", phone="13800005678"),
        routing=Routing(
            division="210800",
            hall="01",
            window="3",
            terminal="003",
            staff_no="0042",
            department="营口市社会保险事业服务中心",
            jurisdiction="210800",
        ),
        delivery=ResultDelivery(method=DeliveryMethod.WINDOW_PICKUP),
        created_at=NOW,
    )


def _rating(level: RatingLevel | None) -> Rating:
    return Rating(
        rating_id=str(uuid.uuid4()),
        service_act_id=str(uuid.uuid4()),
        case_no=CASE_NO,
        item_code="210800200101000",
        division="210800",
        hall="01",
        window="3",
        staff_no="0042",
        terminal="003",
        channel=RatingChannel.COUNTER_DEVICE,
        outcome=RatingOutcome.RATED if level else RatingOutcome.UNRATED,
        level=level,
        requested_at=NOW,
        rated_at=NOW if level else None,
    )


def _envelope(kind: str, body: dict[str, Any]) -> dict[str, Any]:
    return {
        "record_id": str(uuid.uuid4()),
        "kind": kind,
        "schema": 1,
        "terminal": "003",
        "terminal_seq": 1,
        "created_at": "2026-11-24T01:30:00+08:00",
        "depends_on": None,
        "body_sha256": body_sha256(body),
        "body": body,
    }


def test_the_terminals_own_bodies_are_accepted() -> None:
    receipt = ReceiptRecord(
        record_id=str(uuid.uuid4()),
        case_no=CASE_NO,
        kind=ReceiptKind.INTAKE_RECEIPT,
        output=ReceiptOutput.THERMAL,
        staff_no="0042",
        printed_at=NOW,
    )
    for kind, body in (
        ("case", case_body(_case())),
        ("case", case_body(_case(CaseState.REFUSED))),
        ("receipt", receipt_body(receipt)),
        ("receipt", receipt_body(dataclasses.replace(receipt, kind=ReceiptKind.REFUSAL_NOTICE))),  # 不予收件告知书
        ("rating", rating_body(_rating(RatingLevel.DISSATISFIED))),
        ("rating", rating_body(_rating(None))),
    ):
        record = _envelope(kind, body)
        validate_envelope(record)
        validate_body(kind, body)


def test_case_number_check_agrees_with_the_domain() -> None:
    assert is_case_no(CASE_NO)
    assert case_no_check_digits(CASE_NO[:24]) == check_digits(CASE_NO[:24])
    typo = CASE_NO[:5] + str((int(CASE_NO[5]) + 1) % 10) + CASE_NO[6:]
    assert not is_case_no(typo)


@given(st.text(alphabet="0123456789", min_size=24, max_size=24))
def test_check_digits_match_the_domain_for_any_prefix(prefix: str) -> None:
    assert case_no_check_digits(prefix) == check_digits(prefix)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"record_id": "ABC"}, "bad_record_id"),
        ({"record_id": str(uuid.uuid4()).upper()}, "bad_record_id"),
        ({"kind": "payment"}, "bad_kind"),
        ({"schema": "1"}, "bad_envelope"),
        ({"terminal": "3"}, "bad_terminal"),
        ({"terminal_seq": -1}, "bad_terminal_seq"),
        ({"terminal_seq": True}, "bad_terminal_seq"),
        ({"terminal_seq": 2**63}, "bad_terminal_seq"),
        ({"created_at": "2026-11-24 01:30:00"}, "bad_created_at"),
        ({"created_at": "2026-11-24T01:30:00"}, "bad_created_at"),
        ({"depends_on": "parent"}, "bad_depends_on"),
        ({"body_sha256": "ABC"}, "bad_body_sha256"),
        ({"body": []}, "bad_body"),
    ],
)
def test_envelope_errors_have_deterministic_codes(change: dict[str, Any], code: str) -> None:
    record = {**_envelope("event", {}), **change}
    with pytest.raises(WireError) as raised:
        validate_envelope(record)
    assert raised.value.code == code


@pytest.mark.parametrize(
    ("kind", "body", "code"),
    [
        ("case", {"item_code": "x"}, "bad_case_no"),
        ("case", {"case_no": CASE_NO}, "bad_field"),
        ("case", {"case_no": CASE_NO, "item_code": "x", "state": "completed"}, "bad_field"),
        ("case", {"case_no": CASE_NO, "item_code": "x", "applicant_name": 7}, "bad_field"),
        ("receipt", {"case_no": CASE_NO, "kind": "poster"}, "bad_field"),
        ("rating", {"outcome": "rated", "level": 6, "channel": "kiosk"}, "bad_field"),
        ("rating", {"outcome": "rated", "level": True, "channel": "kiosk"}, "bad_field"),
        ("rating", {"outcome": "unrated", "level": 5, "channel": "kiosk"}, "bad_field"),
        ("rating", {"outcome": "rated", "channel": "kiosk"}, "bad_field"),
        ("rating", {"outcome": "rated", "level": 5, "channel": "fax"}, "bad_field"),
        ("event", {"note": "x" * 4097}, "string_too_long"),
        (
            "event",
            {
                "a": {
                    "b": {
                        "c": {
                            "d": {
                                "e": {
                                    "f": {"g": {"h": {"i": {"j": {"k": {"l": {"m": {"n": {"o": {"p": {"q": 1}}}}}}}}}}}
                                }
                            }
                        }
                    }
                }
            },
            "body_too_deep",
        ),
        ("event", {"amount": 1.5}, "float_in_body"),
    ],
)
def test_body_errors_have_deterministic_codes(kind: str, body: dict[str, Any], code: str) -> None:
    with pytest.raises(WireError) as raised:
        validate_body(kind, body)
    assert raised.value.code == code


def test_extra_keys_are_allowed() -> None:
    body = case_body(_case())
    body["future_field"] = {"anything": [1, 2, 3]}
    validate_body("case", body)


def test_helpers() -> None:
    assert json_depth(1) == 0 and json_depth([]) == 1 and json_depth({"a": [[]]}) == 3
    assert is_rfc3339("2026-11-24T01:30:00Z") and is_rfc3339("2026-11-24T01:30:00.5+08:00")
    assert not is_rfc3339("yesterday") and not is_rfc3339(20261124)


def test_nul_and_lone_surrogates_are_bad_text_in_keys_and_values() -> None:
    from app.protocol import WireError, check_text, clean_text, validate_body

    for body in ({"text": "a\x00"}, {"\ud800": 1}, {"x": [{"y": "\udfff"}]}, {"\x00": None}):
        with pytest.raises(WireError) as caught:
            check_text(body)
        assert caught.value.code == "bad_text"
        with pytest.raises(WireError) as caught:
            validate_body("event", body)
        assert caught.value.code == "bad_text"
    check_text({"text": "正常 😀 \\u0000", "n": 1})
    assert clean_text("太\x00慢\ud800") == "太慢\ufffd"
