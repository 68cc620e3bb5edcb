"""Case numbers: layout, check digits that catch typing mistakes, parsing of typed input, sequence rule."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.iso7064 import mod_97_10

from app.domain.case_number import (
    SEQ_MAX,
    CaseNumber,
    SequenceExhaustedError,
    check_digits,
    format_grouped,
    is_valid_case_number,
    make_case_number,
    next_sequence,
    parse_case_number,
)
from app.domain.validation import Invalid, Reason

DAY = dt.date(2026, 11, 24)


def test_layout_and_check_digits() -> None:
    number = make_case_number("210800", 1, 3, DAY, 17)
    assert len(number) == 26
    assert number[:24] == "210800" + "01" + "003" + "20261124" + "00017"
    assert mod_97_10.is_valid(number)
    assert format_grouped(number) == f"210800-01-003-20261124-00017-{number[-2:]}"


def test_string_and_int_parts_give_the_same_number() -> None:
    assert make_case_number("210800", "01", "003", DAY, 17) == make_case_number("210800", 1, 3, DAY, 17)


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("21080", 1, 3, DAY, 1), ValueError),
        (("210800", 100, 3, DAY, 1), ValueError),
        (("210800", 1, 1000, DAY, 1), ValueError),
        (("210800", "1", 3, DAY, 1), ValueError),
        (("210800", 1, "03", DAY, 1), ValueError),
        (("210800", 1, 3, DAY, 0), ValueError),
        (("210800", 1, 3, dt.date(999, 12, 31), 1), ValueError),
        (("210800", 1, 3, DAY, SEQ_MAX + 1), ValueError),
        (("21080a", 1, 3, DAY, 1), ValueError),
        (("000000", 1, 3, DAY, 1), ValueError),
        (("210800", True, 3, DAY, 1), TypeError),
        (("210800", 1, 3, dt.datetime(2026, 11, 24, 9, 30), 1), TypeError),
    ],
)
def test_out_of_range_parts_are_programming_errors(args: tuple[object, ...], error: type[Exception]) -> None:
    with pytest.raises(error):
        make_case_number(*args)  # type: ignore[arg-type]


def test_parse_returns_the_parts() -> None:
    number = make_case_number("210800", 1, 3, DAY, 17)
    assert parse_case_number(number) == CaseNumber("210800", "01", "003", DAY, 17, number[-2:])
    parsed = parse_case_number(number)
    assert isinstance(parsed, CaseNumber)
    assert parsed.digits == number
    assert parsed.grouped == format_grouped(number)


@pytest.mark.parametrize(
    "render",
    [
        format_grouped,
        lambda n: " ".join(n[i : i + 4] for i in range(0, 26, 4)),
        lambda n: n.translate(str.maketrans("0123456789", "０１２３４５６７８９")),
        lambda n: "  " + format_grouped(n).replace("-", "－") + "\n",
        lambda n: format_grouped(n).replace("-", " — "),
    ],
)
def test_parse_accepts_separators_spaces_and_full_width_digits(render: object) -> None:
    number = make_case_number("210882", 12, 101, DAY, 99999)
    assert callable(render)
    parsed = parse_case_number(render(number))
    assert isinstance(parsed, CaseNumber)
    assert parsed.digits == number


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (None, Reason.EMPTY),
        ("", Reason.EMPTY),
        ("   ", Reason.EMPTY),
        ("2108000100320261124000177", Reason.BAD_LENGTH),
        ("21080001003202611240001776a", Reason.BAD_CHARS),
        ("'; DROP TABLE cases;--", Reason.BAD_CHARS),
        ("2108000100320261124000\x0017", Reason.BAD_CHARS),
        ("😀" * 26, Reason.BAD_CHARS),
        ("1" * 10_000_000, Reason.TOO_LONG),
    ],
)
def test_parse_refuses_bad_input_with_reasons(text: str | None, reason: Reason) -> None:
    result = parse_case_number(text)
    assert isinstance(result, Invalid)
    assert result.reason is reason
    assert result.message_zh and result.message_en


def test_a_number_with_correct_check_but_impossible_parts_is_refused() -> None:
    for body, reason in (
        ("210800010032026133100017", Reason.BAD_FORMAT),
        ("210800010032026112400000", Reason.BAD_FORMAT),
    ):
        forged = body + str(mod_97_10.calc_check_digits(body))
        result = parse_case_number(forged)
        assert isinstance(result, Invalid)
        assert result.reason is reason


_numbers = st.builds(
    make_case_number,
    st.from_regex(r"[1-9][0-9]{5}", fullmatch=True),
    st.integers(0, 99),
    st.integers(0, 999),
    st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31)),
    st.integers(1, SEQ_MAX),
)


@given(_numbers)
def test_every_made_number_parses_back(number: str) -> None:
    parsed = parse_case_number(number)
    assert isinstance(parsed, CaseNumber)
    assert parsed.digits == number
    assert parse_case_number(parsed.grouped) == parsed


@given(_numbers, st.integers(0, 25), st.integers(1, 9))
def test_any_single_mistyped_digit_is_caught(number: str, pos: int, shift: int) -> None:
    typo = number[:pos] + str((int(number[pos]) + shift) % 10) + number[pos + 1 :]
    result = parse_case_number(typo)
    assert isinstance(result, Invalid)
    assert result.reason is Reason.BAD_CHECK
    assert not is_valid_case_number(typo)


@given(_numbers, st.integers(0, 24))
def test_any_swap_of_adjacent_digits_is_caught(number: str, pos: int) -> None:
    swapped = number[:pos] + number[pos + 1] + number[pos] + number[pos + 2 :]
    if swapped == number:
        return
    result = parse_case_number(swapped)
    assert isinstance(result, Invalid)
    assert result.reason is Reason.BAD_CHECK


def test_format_grouped_leaves_other_text_alone() -> None:
    assert format_grouped("12345") == "12345"
    assert format_grouped("") == ""


# --- sequence rule ----------------------------------------------------------------------------------------------


def test_first_case_of_a_day_is_one_and_then_increasing() -> None:
    assert next_sequence(None) == 1
    assert next_sequence(0) == 1
    assert next_sequence(17) == 18
    assert next_sequence(SEQ_MAX - 1) == SEQ_MAX


def test_clock_set_back_to_a_used_date_continues_after_its_highest_seq() -> None:
    # The store keeps the highest seq per (terminal, date); the numbers issued before the clock went back.
    highest: dict[dt.date, int] = {}
    issued: list[str] = []

    def receive(day: dt.date) -> None:
        seq = next_sequence(highest.get(day))
        highest[day] = seq
        issued.append(make_case_number("210800", 1, 3, day, seq))

    for day in (DAY, DAY, dt.date(2026, 11, 25), DAY, dt.date(2026, 11, 25)):
        receive(day)
    assert len(set(issued)) == len(issued)
    assert [parse_case_number(n).seq for n in issued] == [1, 2, 1, 3, 2]  # type: ignore[union-attr]


def test_sequence_overflow_is_a_clear_error() -> None:
    with pytest.raises(SequenceExhaustedError) as info:
        next_sequence(SEQ_MAX)
    assert "99999" in info.value.message_zh
    assert "exhausted" in str(info.value)


@pytest.mark.parametrize("stored", [-1, SEQ_MAX + 1, True])
def test_corrupt_stored_sequence_is_refused(stored: int) -> None:
    with pytest.raises(ValueError, match="out of range"):
        next_sequence(stored)


def test_check_digits_and_validation_agree_with_python_stdnum() -> None:
    """The MOD 97-10 arithmetic is ours (stdnum's import costs every CLI command pydoc and ssl, issue 13): the
    check digits are stdnum's, and parsing refuses for its check digits exactly the numbers stdnum refuses."""
    import random

    rng = random.Random(13)
    for _ in range(2000):
        body = "".join(rng.choice("0123456789") for _ in range(24))
        assert check_digits(body) == mod_97_10.calc_check_digits(body)
        for number in (body + check_digits(body), body + f"{rng.randrange(100):02d}"):
            parsed = parse_case_number(number)
            refused_for_check = isinstance(parsed, Invalid) and parsed.reason is Reason.BAD_CHECK
            assert refused_for_check is not mod_97_10.is_valid(number), number


def test_mask_case_no_keeps_the_division_and_the_last_four() -> None:
    from app.domain.case_number import mask_case_no

    assert mask_case_no("21080001003202611240001742") == "210800****1742"
    assert mask_case_no("2108000100320261124000174") == "*" * 25  # not a case number: nothing of it shown
    assert mask_case_no("") == ""
