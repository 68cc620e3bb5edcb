"""Identity and data checks: what a clerk typing (or a hostile paste) gets back."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable
from typing import Literal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric, uscc
from stdnum.iso7064 import mod_11_2

from app.domain import validation
from app.domain.validation import (
    PROVINCE_CODES,
    USCC_ALPHABET,
    Invalid,
    MailingAddress,
    Reason,
    ResidentId,
    Sex,
    Valid,
    ValidationResult,
    credit_code_check_char,
    parse_resident_id,
    resident_id_check_char,
    validate_address,
    validate_credit_code,
    validate_landline,
    validate_mailing_address,
    validate_mobile,
    validate_person_name,
    validate_phone,
    validate_postcode,
    validate_resident_id,
)

TODAY = dt.date(2026, 11, 25)
SAMPLE_ID = "11010519491231002X"  # the GB 11643-1999 sample
SAMPLE_USCC = "91350100M000100Y43"


def _invalid(result: object) -> Invalid:
    assert isinstance(result, Invalid), f"expected Invalid, got {result!r}"
    return result


def _valid(result: ValidationResult) -> str:
    assert isinstance(result, Valid), f"expected Valid, got {result!r}"
    return result.value


# --- resident ID ----------------------------------------------------------------------------------------------


def test_results_say_whether_they_are_ok() -> None:
    assert validate_postcode("115000").ok is True
    assert validate_postcode("1150").ok is False


def test_gb_sample_id_is_valid_with_birth_date_and_sex() -> None:
    parsed = parse_resident_id(SAMPLE_ID, today=TODAY)
    assert parsed == ResidentId(SAMPLE_ID, "11", dt.date(1949, 12, 31), Sex.FEMALE)
    assert _valid(validate_resident_id(SAMPLE_ID, today=TODAY)) == SAMPLE_ID


@pytest.mark.parametrize(
    "typed",
    ["11010519491231002x", "  11010519491231002X\t", "１１０１０５１９４９１２３１００２ｘ", "110105 19491231 002X"],
)
def test_id_typing_is_normalised(typed: str) -> None:
    assert _valid(validate_resident_id(typed, today=TODAY)) == SAMPLE_ID


def test_id_check_digit_mismatch_is_reported_without_the_number() -> None:
    bad = _invalid(validate_resident_id("110105194912310021", today=TODAY))
    assert bad.reason is Reason.BAD_CHECK
    assert "校验" in bad.message_zh
    assert "110105" not in bad.message_en and "1949" not in bad.message_en


def test_legacy_15_digit_id_asks_for_18_digits() -> None:
    bad = _invalid(validate_resident_id("110105491231002", today=TODAY))
    assert bad.reason is Reason.LEGACY_15_DIGIT
    assert "18位" in bad.message_zh


def _with_check(first17: str) -> str:
    return first17 + resident_id_check_char(first17)


def test_future_birth_date_is_refused_even_with_a_correct_check_digit() -> None:
    number = _with_check("21080220261126001")  # born the day after TODAY
    assert ric.is_valid(number)  # python-stdnum alone would accept it
    bad = _invalid(validate_resident_id(number, today=TODAY))
    assert bad.reason is Reason.FUTURE_BIRTH_DATE
    assert _valid(validate_resident_id(number, today=dt.date(2026, 11, 26))) == number


@pytest.mark.parametrize("birth", ["19490230", "19491301", "18991231", "00000000"])
def test_impossible_birth_dates_are_refused(birth: str) -> None:
    bad = _invalid(validate_resident_id(_with_check("110105" + birth + "002"), today=TODAY))
    assert bad.reason is Reason.BAD_BIRTH_DATE


@pytest.mark.parametrize("province", ["00", "10", "19", "20", "39", "55", "66", "70", "80", "84", "99"])
def test_unknown_province_codes_are_refused(province: str) -> None:
    bad = _invalid(validate_resident_id(_with_check(province + "010519491231002"), today=TODAY))
    assert bad.reason is Reason.BAD_PROVINCE


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("1101051949123100", Reason.BAD_LENGTH),
        ("11010519491231002XX", Reason.BAD_CHARS),
        ("1101051949123100211", Reason.BAD_LENGTH),
        ("11010519491231002Y", Reason.BAD_CHARS),
        ("X1010519491231002X", Reason.BAD_CHARS),
        ("110105-19491231-002X", Reason.BAD_CHARS),
        ("11010519491231X02X", Reason.BAD_CHARS),
        ("11010519491231X", Reason.BAD_LENGTH),  # a legacy number never ends in X
        ("11010519491231002\x00", Reason.CONTROL_CHARS),
    ],
)
def test_malformed_ids(typed: str, reason: Reason) -> None:
    assert _invalid(validate_resident_id(typed, today=TODAY)).reason is reason


def test_today_defaults_to_the_local_date() -> None:
    assert _valid(validate_resident_id(SAMPLE_ID)) == SAMPLE_ID


_dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY)
_provinces = st.sampled_from(sorted(PROVINCE_CODES))


@st.composite
def valid_ids(draw: st.DrawFn) -> str:
    birth = draw(_dates)
    county = draw(st.text("0123456789", min_size=4, max_size=4))
    order = draw(st.text("0123456789", min_size=3, max_size=3))
    return _with_check(f"{draw(_provinces)}{county}{birth:%Y%m%d}{order}")


@given(valid_ids())
def test_generated_ids_round_trip_and_agree_with_stdnum(number: str) -> None:
    parsed = parse_resident_id(number.lower(), today=TODAY)
    assert isinstance(parsed, ResidentId)
    assert parsed.number == number
    assert parsed.birth_date == dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    assert parsed.sex is (Sex.MALE if int(number[16]) % 2 else Sex.FEMALE)
    # Our MOD 11-2 agrees with python-stdnum's.
    assert mod_11_2.is_valid(number)


@given(valid_ids(), st.integers(0, 17), st.integers(1, 10))
def test_any_single_character_change_to_an_id_is_rejected(number: str, pos: int, shift: int) -> None:
    alphabet = "0123456789X" if pos == 17 else "0123456789"
    old = alphabet.index(number[pos])
    changed = number[:pos] + alphabet[(old + shift) % len(alphabet)] + number[pos + 1 :]
    if changed == number:
        return
    assert isinstance(validate_resident_id(changed, today=TODAY), Invalid)


@given(valid_ids(), st.integers(0, 16))
def test_swapping_adjacent_id_digits_is_rejected(number: str, pos: int) -> None:
    swapped = number[:pos] + number[pos + 1] + number[pos] + number[pos + 2 :]
    if swapped == number:
        return
    assert isinstance(validate_resident_id(swapped, today=TODAY), Invalid)


# --- credit code ----------------------------------------------------------------------------------------------


def test_sample_credit_code_is_valid_and_lower_case_is_upper_cased() -> None:
    assert _valid(validate_credit_code(SAMPLE_USCC)) == SAMPLE_USCC
    assert _valid(validate_credit_code(" 91350100m000100y43 ")) == SAMPLE_USCC
    assert _valid(validate_credit_code("９１３５０１００Ｍ０００１００Ｙ４３")) == SAMPLE_USCC


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("91350100M000100Y44", Reason.BAD_CHECK),
        ("91350100M000100Y4", Reason.BAD_LENGTH),
        ("91350100I000100Y43", Reason.BAD_CHARS),  # I, O, S, V, Z are not in the alphabet
        ("91350100O000100Y43", Reason.BAD_CHARS),
        ("9135010-M000100Y43", Reason.BAD_CHARS),
    ],
)
def test_bad_credit_codes(typed: str, reason: Reason) -> None:
    bad = _invalid(validate_credit_code(typed))
    assert bad.reason is reason
    assert "9135" not in bad.message_en


_uscc_body = st.text(USCC_ALPHABET, min_size=17, max_size=17)


@given(_uscc_body)
def test_credit_code_check_agrees_with_stdnum(body: str) -> None:
    code = body + credit_code_check_char(body)
    assert _valid(validate_credit_code(code)) == code
    assert uscc.calc_check_digit(code) == code[-1]


@given(_uscc_body, st.integers(0, 17), st.integers(1, len(USCC_ALPHABET) - 1))
def test_any_single_character_change_to_a_credit_code_is_rejected(body: str, pos: int, shift: int) -> None:
    code = body + credit_code_check_char(body)
    changed_char = USCC_ALPHABET[(USCC_ALPHABET.index(code[pos]) + shift) % len(USCC_ALPHABET)]
    changed = code[:pos] + changed_char + code[pos + 1 :]
    assert _invalid(validate_credit_code(changed)).reason is Reason.BAD_CHECK


# --- phones and postcode --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    ["13812345678", "138 1234 5678", "138-1234-5678", "+86 138 1234 5678", "+8613812345678", "008613812345678",
     "8613812345678", "１３８１２３４５６７８"],
)  # fmt: skip
def test_mobile_forms_normalise_to_11_digits(typed: str) -> None:
    assert _valid(validate_mobile(typed)) == "13812345678"


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("12812345678", Reason.BAD_FORMAT),
        ("23812345678", Reason.BAD_FORMAT),
        ("1381234567", Reason.BAD_LENGTH),
        ("138123456789", Reason.BAD_LENGTH),
        ("138a2345678", Reason.BAD_CHARS),
        ("+1 138 1234 5678", Reason.BAD_FORMAT),
        ("138+12345678", Reason.BAD_FORMAT),
    ],
)
def test_bad_mobiles(typed: str, reason: Reason) -> None:
    bad = _invalid(validate_mobile(typed))
    assert bad.reason is reason
    assert "1381234" not in bad.message_en


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("0417-2345678", "0417-2345678"),
        ("04172345678", "0417-2345678"),
        ("(0417)2345678", "0417-2345678"),
        ("0417 2345678", "0417-2345678"),
        ("010-62345678", "010-62345678"),
        ("02162345678", "021-62345678"),
        ("+86 417 2345678", "0417-2345678"),
        ("010-62345678 转 123", "010-62345678-123"),
        ("010-62345678-123", "010-62345678-123"),
        ("０４１７－２３４５６７８", "0417-2345678"),
    ],
)
def test_landline_forms(typed: str, expected: str) -> None:
    assert _valid(validate_landline(typed)) == expected


@pytest.mark.parametrize(
    "typed", ["2345678", "0417-1234567", "0417-234567", "0417-234567890", "0417-abc5678", "+1 417 2345678"]
)
def test_bad_landlines(typed: str) -> None:
    assert isinstance(validate_landline(typed), Invalid)


def test_contact_phone_accepts_either_kind() -> None:
    assert _valid(validate_phone("138 1234 5678")) == "13812345678"
    assert _valid(validate_phone("0417-2345678")) == "0417-2345678"
    assert _invalid(validate_phone("12345")).reason is Reason.BAD_FORMAT
    assert _invalid(validate_phone("")).reason is Reason.EMPTY


def test_postcode() -> None:
    assert _valid(validate_postcode(" 115000 ")) == "115000"
    assert _valid(validate_postcode("１１５０００")) == "115000"
    assert _invalid(validate_postcode("11500")).reason is Reason.BAD_LENGTH
    assert _invalid(validate_postcode("11500a")).reason is Reason.BAD_CHARS


# --- address and names ----------------------------------------------------------------------------------------


def test_address_is_trimmed_and_collapsed() -> None:
    assert _valid(validate_address("  辽宁省营口市站前区   渤海大街西12号 ")) == "辽宁省营口市站前区 渤海大街西12号"
    assert _invalid(validate_address("营口")).reason is Reason.TOO_SHORT
    assert _invalid(validate_address("营" * 201)).reason is Reason.TOO_LONG
    assert _invalid(validate_address("营口市站前区渤海大街🏠12号")).reason is Reason.BAD_CHARS
    assert _invalid(validate_address("营口市'; DELETE FROM cases;--")).reason is Reason.BAD_CHARS
    assert _invalid(validate_address("12 Main Street, Springfield")).reason is Reason.BAD_FORMAT
    assert _valid(validate_address("营口市\U00031350家村5号")) == "营口市\U00031350家村5号"  # extension H
    # Everyday address punctuation, full-width included, is fine — and kept as typed (issue 11: NFKC is for
    # identifiers only).
    assert (
        _valid(validate_address("营口市站前区（八田地）幸福路3-2号，1单元"))
        == "营口市站前区（八田地）幸福路3-2号，1单元"
    )
    assert _valid(validate_address("营口市站前区渤海大街西１２号")) == "营口市站前区渤海大街西１２号"


def test_mailing_address_with_optional_postcode() -> None:
    assert validate_mailing_address("营口市站前区渤海大街西12号", "115000") == MailingAddress(
        "营口市站前区渤海大街西12号", "115000"
    )
    assert validate_mailing_address("营口市站前区渤海大街西12号") == MailingAddress("营口市站前区渤海大街西12号", "")
    assert validate_mailing_address("营口市站前区渤海大街西12号", "  ") == MailingAddress(
        "营口市站前区渤海大街西12号", ""
    )
    bad = _invalid(validate_mailing_address("营口市站前区渤海大街西12号", "1150"))
    assert "邮政编码" in bad.message_zh


@pytest.mark.parametrize(
    "typed",
    [
        "１１５０００ 营口市站前区渤海大街西12号",
        "营口市站前区渤海大街西12号（邮编：１１５０００）",
        "115000 营口市站前区渤海大街西12号",
        "营口市站前区渤海大街西12号 115000",
        "营口市站前区渤海大街西12号（邮编：115000）",
        "邮编115000 营口市站前区渤海大街西12号",
    ],
)
def test_postcode_written_into_the_address_is_split_off(typed: str) -> None:
    assert validate_mailing_address(typed) == MailingAddress("营口市站前区渤海大街西12号", "115000")


def test_six_digits_glued_to_the_address_are_not_a_postcode() -> None:
    assert validate_mailing_address("营口市站前区渤海大街西115000号") == MailingAddress(
        "营口市站前区渤海大街西115000号", ""
    )


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("张三", "张三"),
        ("欧阳娜娜", "欧阳娜娜"),
        ("买买提·艾力", "买买提·艾力"),
        ("买买提・艾力", "买买提·艾力"),  # katakana middle dot typed by some IMEs
        ("买买提 · 艾力", "买买提·艾力"),
        ("张 三", "张三"),  # spaces only separate Latin name parts
        ("John  Smith", "John Smith"),
        ("𠮷田", "𠮷田"),  # outside the BMP and GB2312
        ("王䶮", "王䶮"),  # extension A
        ("王\U00031350", "王\U00031350"),  # extension H: newer than Python 3.11's Unicode tables
        ("葛\U000e0100", "葛\U000e0100"),  # ideographic variation sequence kept
        ("张" + "三" * 49, "张" + "三" * 49),
        ("John Smith", "John Smith"),
        ("Ｊｏｈｎ", "Ｊｏｈｎ"),  # as typed: NFKC is for identifiers only (issue 11)
        ("金\uf90a", "金\uf90a"),  # a compatibility ideograph stays the character that was typed
    ],
)
def test_names_accepted(typed: str, expected: str) -> None:
    assert _valid(validate_person_name(typed)) == expected


@pytest.mark.parametrize(
    ("typed", "reason", "zh_fragment"),
    [
        ("张三1", Reason.BAD_CHARS, "数字"),
        ("张三①", Reason.BAD_CHARS, "数字"),
        ("张😀", Reason.BAD_CHARS, "表情"),
        ("张\u200b三", Reason.CONTROL_CHARS, "控制字符"),
        ("张\x07三", Reason.CONTROL_CHARS, "控制字符"),
        ("·艾力", Reason.BAD_FORMAT, "间隔号"),
        ("艾力·", Reason.BAD_FORMAT, "间隔号"),
        ("艾力··江", Reason.BAD_FORMAT, "间隔号"),
        ("张" * 51, Reason.TOO_LONG, "过长"),
        ("Robert'); DROP TABLE cases;--", Reason.BAD_CHARS, "汉字"),
        ("\U000e0100张", Reason.BAD_CHARS, "汉字"),
    ],
)
def test_names_refused(typed: str, reason: Reason, zh_fragment: str) -> None:
    bad = _invalid(validate_person_name(typed))
    assert bad.reason is reason
    assert zh_fragment in bad.message_zh
    assert "张" not in bad.message_en and "艾力" not in bad.message_en


# --- hostile input, every validator -------------------------------------------------------------------------

VALIDATORS: dict[str, Callable[[str | None], object]] = {
    "resident_id": lambda t: validate_resident_id(t, today=TODAY),
    "credit_code": validate_credit_code,
    "mobile": validate_mobile,
    "landline": validate_landline,
    "phone": validate_phone,
    "postcode": validate_postcode,
    "address": validate_address,
    "name": validate_person_name,
    "mailing": validate_mailing_address,
}

HOSTILE: dict[str, str | None] = {
    "none": None,
    "empty": "",
    "blank": " \t\u3000\n",
    "control": "1381234\x005678",
    "escape": "\x1b[31m13812345678",
    "emoji": "😀😀😀😀😀😀",
    "sql": "' OR 1=1; DROP TABLE cases;--",
    "rtl_override": "\u202e13812345678",
    "lone_surrogate": "138\ud80012345678",
}


@pytest.mark.parametrize("kind", sorted(VALIDATORS))
@pytest.mark.parametrize("hostile", sorted(HOSTILE))
def test_hostile_input_gets_a_clear_refusal(kind: str, hostile: str) -> None:
    result = VALIDATORS[kind](HOSTILE[hostile])
    bad = _invalid(result)
    assert bad.message_zh and bad.message_en
    if hostile in {"none", "empty", "blank"}:
        assert bad.reason is Reason.EMPTY
        assert "请输入" in bad.message_zh
    # The English (log) text never repeats the input.
    for fragment in ("13812345678", "DROP", "😀", "1381234"):
        assert fragment not in bad.message_en


@pytest.mark.parametrize("kind", sorted(VALIDATORS))
def test_ten_megabyte_input_is_refused_without_being_scanned(kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    examined: list[int] = []  # characters handed to unicodedata: normalising or classifying them is a scan

    class _Unicodedata:
        @staticmethod
        def normalize(form: Literal["NFC", "NFD", "NFKC", "NFKD"], text: str) -> str:
            examined.append(len(text))
            return unicodedata.normalize(form, text)

        @staticmethod
        def category(ch: str) -> str:
            examined.append(len(ch))
            return unicodedata.category(ch)

    monkeypatch.setattr(validation, "unicodedata", _Unicodedata)
    huge = "1" * 10_000_000

    bad = _invalid(VALIDATORS[kind](huge))

    assert bad.reason is Reason.TOO_LONG
    assert "过长" in bad.message_zh
    # Refused on len() alone (its cost is printed by bench/validation.py next to an ordinary value).
    assert sum(examined) <= 1000, sum(examined)


@given(st.text(max_size=300))
def test_no_validator_raises_on_any_text(text: str) -> None:
    for validate in VALIDATORS.values():
        result = validate(text)
        assert isinstance(result, Valid | Invalid | MailingAddress)


_TRICKY = st.sampled_from(
    [
        *"0123456789xX+-() ·・.转#号张三𠮷\u3000\u200b\u202e\x00\ufe0f\u200d😀",
        "\U000e0100",
        "+86",
        "0086",
        "ext",
        "\ud800",
    ]
)


@given(st.lists(_TRICKY, max_size=40).map("".join))
def test_no_validator_raises_on_tricky_mixtures(text: str) -> None:
    for validate in VALIDATORS.values():
        result = validate(text)
        assert isinstance(result, Valid | Invalid | MailingAddress)


def test_identifiers_are_normalised_but_names_and_addresses_keep_what_was_typed() -> None:
    """Issue 11: NFKC turns full-width punctuation into ASCII; only identifiers get it."""
    assert _valid(validate_postcode("１１５０００")) == "115000"
    assert _valid(validate_mobile("１３８１２３４５６７８")) == "13812345678"
    address = "营口市站前区（八田地）幸福路３-２号，１单元"
    assert _valid(validate_address(address)) == address
    assert validate_mailing_address(address + "（邮编：１１５０００）") == MailingAddress(address, "115000")
