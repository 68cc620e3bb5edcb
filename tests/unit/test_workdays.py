"""Working days: the shipped holiday table, its validation, and expected completion dates on receipts."""

from __future__ import annotations

import copy
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.workdays import (
    MAX_PROMISED_DAYS,
    Completion,
    HolidayCalendar,
    HolidayTableError,
    default_table_path,
    load_holiday_calendar,
)

ROOT = Path(__file__).resolve().parents[2]
D = dt.date


@pytest.fixture(scope="module")
def cal() -> HolidayCalendar:
    return load_holiday_calendar()


def _shipped() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(default_table_path().read_text(encoding="utf-8"))
    return data


def _days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(i) for i in range((end - start).days + 1)]


# --- the shipped table against the State Council notices ------------------------------------------------------


def test_shipped_table_covers_2004_to_2026_and_not_2027(cal: HolidayCalendar) -> None:
    assert cal.known_years == frozenset(range(2004, 2027))
    assert not cal.knows(D(2027, 1, 1))


# 国务院办公厅关于2026年部分节假日安排的通知: (days off, make-up working days)
NOTICE_2026 = (
    [
        (D(2026, 1, 1), D(2026, 1, 3)),  # 元旦
        (D(2026, 2, 15), D(2026, 2, 23)),  # 春节, 9 days
        (D(2026, 4, 4), D(2026, 4, 6)),  # 清明
        (D(2026, 5, 1), D(2026, 5, 5)),  # 劳动节
        (D(2026, 6, 19), D(2026, 6, 21)),  # 端午
        (D(2026, 9, 25), D(2026, 9, 27)),  # 中秋
        (D(2026, 10, 1), D(2026, 10, 7)),  # 国庆节
    ],
    [D(2026, 1, 4), D(2026, 2, 14), D(2026, 2, 28), D(2026, 5, 9), D(2026, 9, 20), D(2026, 10, 10)],
)
# 2025 (国办发明电〔2024〕12号)
NOTICE_2025 = (
    [
        (D(2025, 1, 1), D(2025, 1, 1)),
        (D(2025, 1, 28), D(2025, 2, 4)),
        (D(2025, 4, 4), D(2025, 4, 6)),
        (D(2025, 5, 1), D(2025, 5, 5)),
        (D(2025, 5, 31), D(2025, 6, 2)),
        (D(2025, 10, 1), D(2025, 10, 8)),  # 国庆节 and 中秋 together
    ],
    [D(2025, 1, 26), D(2025, 2, 8), D(2025, 4, 27), D(2025, 9, 28), D(2025, 10, 11)],
)
# 2024 (国办发明电〔2023〕7号)
NOTICE_2024 = (
    [
        (D(2024, 1, 1), D(2024, 1, 1)),
        (D(2024, 2, 10), D(2024, 2, 17)),
        (D(2024, 4, 4), D(2024, 4, 6)),
        (D(2024, 5, 1), D(2024, 5, 5)),
        (D(2024, 6, 10), D(2024, 6, 10)),
        (D(2024, 9, 15), D(2024, 9, 17)),
        (D(2024, 10, 1), D(2024, 10, 7)),
    ],
    [D(2024, 2, 4), D(2024, 2, 18), D(2024, 4, 7), D(2024, 4, 28), D(2024, 5, 11), D(2024, 9, 14),
     D(2024, 9, 29), D(2024, 10, 12)],
)  # fmt: skip


@pytest.mark.parametrize(("year", "notice"), [(2024, NOTICE_2024), (2025, NOTICE_2025), (2026, NOTICE_2026)])
def test_table_matches_the_state_council_notice(
    cal: HolidayCalendar, year: int, notice: tuple[list[tuple[dt.date, dt.date]], list[dt.date]]
) -> None:
    periods, makeup = notice
    off = {d for start, end in periods for d in _days(start, end)}
    for day in _days(D(year, 1, 1), D(year, 12, 31)):
        expected = day in makeup or (day.weekday() < 5 and day not in off)
        assert cal.is_working_day(day) is expected, day


def test_holiday_names(cal: HolidayCalendar) -> None:
    assert cal.holiday_name(D(2026, 2, 17)) == "春节"
    assert cal.holiday_name(D(2025, 10, 6)) == "中秋"
    assert cal.holiday_name(D(2026, 2, 14)) is None  # a make-up working day
    assert cal.holiday_name(D(2026, 3, 7)) is None  # an ordinary Saturday


def test_shipped_table_is_what_the_generator_produces() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_holidays.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_shipped_table_agrees_with_chinese_calendar_day_by_day(cal: HolidayCalendar) -> None:
    for day in _days(D(2004, 1, 1), D(2026, 12, 31)):
        assert cal.is_working_day(day) is chinese_calendar.is_workday(day), day


# --- expected completion --------------------------------------------------------------------------------------


def test_intake_day_is_not_counted_and_weekends_are_skipped(cal: HolidayCalendar) -> None:
    # Thursday 2026-11-26 + 1 working day = Friday; + 2 = Monday.
    assert cal.expected_completion(D(2026, 11, 26), 1) == Completion(D(2026, 11, 27), False)
    assert cal.expected_completion(D(2026, 11, 26), 2) == Completion(D(2026, 11, 30), False)
    assert cal.expected_completion(D(2026, 11, 27), 5) == Completion(D(2026, 12, 4), False)


def test_immediate_item_completes_on_the_intake_date(cal: HolidayCalendar) -> None:
    assert cal.expected_completion(D(2026, 11, 28), 0) == Completion(D(2026, 11, 28), False)
    assert cal.expected_completion(D(2030, 1, 1), 0) == Completion(D(2030, 1, 1), False)


def test_holidays_are_skipped_and_make_up_days_count(cal: HolidayCalendar) -> None:
    # Thursday 2026-02-12: Fri 13 (1), Sat 14 is a make-up working day (2), then 春节 15..23, Tue 24 (3).
    assert cal.expected_completion(D(2026, 2, 12), 1).date == D(2026, 2, 13)
    assert cal.expected_completion(D(2026, 2, 12), 2).date == D(2026, 2, 14)
    assert cal.expected_completion(D(2026, 2, 12), 3).date == D(2026, 2, 24)
    # 国庆: Wed 2026-09-30 + 1 → Thu 10-08 (1..7 off); + 3 → Sat 10-10 (make-up day).
    assert cal.expected_completion(D(2026, 9, 30), 1).date == D(2026, 10, 8)
    assert cal.expected_completion(D(2026, 9, 30), 3).date == D(2026, 10, 10)


def test_intake_on_a_holiday_counts_from_the_next_working_day(cal: HolidayCalendar) -> None:
    assert cal.expected_completion(D(2026, 10, 3), 1) == Completion(D(2026, 10, 8), False)


def test_a_due_date_in_an_unknown_year_is_an_estimate_counting_monday_to_friday(cal: HolidayCalendar) -> None:
    # Thursday 2026-12-31 + 1: 2027-01-01 is a Friday; its 元旦 is not known yet, so it counts — as an estimate.
    assert cal.expected_completion(D(2026, 12, 31), 1) == Completion(D(2027, 1, 1), True)
    assert cal.expected_completion(D(2026, 12, 30), 1) == Completion(D(2026, 12, 31), False)
    assert cal.expected_completion(D(2027, 3, 5), 1) == Completion(D(2027, 3, 8), True)  # Fri → Mon
    assert cal.is_working_day(D(2027, 1, 1)) is True
    assert cal.is_working_day(D(2027, 1, 2)) is False


def test_a_year_before_the_table_is_also_an_estimate(cal: HolidayCalendar) -> None:
    assert cal.expected_completion(D(2003, 5, 6), 2).is_estimate is True


def test_datetime_intake_is_treated_as_its_date(cal: HolidayCalendar) -> None:
    assert cal.expected_completion(dt.datetime(2026, 11, 26, 16, 59), 1) == Completion(D(2026, 11, 27), False)


@pytest.mark.parametrize("days", [-1, MAX_PROMISED_DAYS + 1])
def test_promised_days_out_of_range_is_refused(cal: HolidayCalendar, days: int) -> None:
    with pytest.raises(ValueError, match="working days"):
        cal.expected_completion(D(2026, 11, 26), days)


@given(
    st.dates(min_value=D(2004, 1, 1), max_value=D(2026, 6, 30)),
    st.integers(min_value=0, max_value=60),
)
def test_completion_properties(intake: dt.date, days: int) -> None:
    cal = _CAL
    done, estimate = cal.expected_completion(intake, days)
    assert done >= intake
    counted = [d for d in _days(intake + dt.timedelta(1), done) if cal.is_working_day(d)]
    assert len(counted) == days
    if days:
        assert cal.is_working_day(done)
    assert estimate is any(not cal.knows(d) for d in _days(intake + dt.timedelta(1), done))


_CAL = load_holiday_calendar()


# --- loading, validation and replacement ----------------------------------------------------------------------


def _with(mutate: Any) -> dict[str, Any]:
    data = copy.deepcopy(_shipped())
    mutate(data)
    return data


@pytest.mark.parametrize(
    ("mutate", "fragment"),
    [
        (lambda d: d.pop("years"), "missing field(s): years"),
        (lambda d: d.update(extra=1), "unknown field(s): extra"),
        (lambda d: d.update(version=2), "version"),
        (lambda d: d.update(format="other"), "format"),
        (lambda d: d.update(source=["x"]), "source: expected a string"),
        (lambda d: d.update(years={}), "years"),
        (lambda d: d["years"].update({"26": d["years"]["2026"]}), "key '26' is not a year"),
        (lambda d: d["years"]["2026"]["holidays"][1].update(start="2026/02/15"), "year 2026, holidays[1].start"),
        (lambda d: d["years"]["2026"]["holidays"][1].update(end="2026-02-30"), "year 2026, holidays[1].end"),
        (lambda d: d["years"]["2026"]["holidays"][1].update(end="2026-02-01"), "ends before it starts"),
        (lambda d: d["years"]["2026"]["holidays"][1].update(start="2025-02-15"), "is not in 2026"),
        (lambda d: d["years"]["2026"]["holidays"][2].update(name=""), "year 2026, holidays[2].name"),
        (lambda d: d["years"]["2026"]["holidays"][2].pop("end"), "year 2026, holidays[2]: missing field(s): end"),
        (lambda d: d["years"]["2026"]["holidays"].clear(), "year 2026, holidays: empty"),
        (lambda d: d["years"]["2026"]["holidays"][1].update(end="2026-04-05"), "longer than"),
        (
            lambda d: d["years"]["2026"]["holidays"].append({"name": "x", "start": "2026-02-20", "end": "2026-02-25"}),
            "year 2026, holidays: periods overlap on 2026-02-20",
        ),
        (lambda d: d["years"]["2026"]["workdays"][0].update(date="2026-01-05"), "not a Saturday or Sunday"),
        (lambda d: d["years"]["2026"]["workdays"][0].update(date="2026-02-21"), "inside a holiday period"),
        (lambda d: d["years"]["2026"]["workdays"].append(d["years"]["2026"]["workdays"][0]), "listed twice"),
        (lambda d: d["years"]["2025"].update(holidays="none"), "year 2025, holidays: expected a list"),
        (lambda d: d["years"].update({"2024": []}), "year 2024: expected an object"),
    ],
)
def test_malformed_table_names_the_year_and_field(mutate: Any, fragment: str) -> None:
    with pytest.raises(HolidayTableError) as info:
        HolidayCalendar.from_dict(_with(mutate))
    assert fragment in str(info.value)
    assert "节假日数据无效" in info.value.message_zh


@pytest.mark.parametrize("data", [None, [], "x", 3])
def test_table_that_is_not_an_object_is_refused(data: object) -> None:
    with pytest.raises(HolidayTableError, match="top level: expected an object"):
        HolidayCalendar.from_dict(data)


def test_file_errors_are_holiday_table_errors(tmp_path: Path) -> None:
    with pytest.raises(HolidayTableError, match="cannot read"):
        load_holiday_calendar(tmp_path / "missing.json")
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "tongban-holidays",', encoding="utf-8")
    with pytest.raises(HolidayTableError, match="not valid JSON"):
        load_holiday_calendar(broken)
    twice = tmp_path / "twice.json"
    twice.write_text('{"version": 1, "version": 1}', encoding="utf-8")
    with pytest.raises(HolidayTableError, match="duplicate key 'version'"):
        load_holiday_calendar(twice)
    latin = tmp_path / "latin.json"
    latin.write_bytes(b'{"source": "\xff"}')
    with pytest.raises(HolidayTableError, match="not UTF-8"):
        load_holiday_calendar(latin)


PLATFORM_2027: dict[str, Any] = {
    "format": "tongban-holidays",
    "version": 1,
    "source": "platform",
    "years": {
        "2027": {
            "holidays": [{"name": "元旦", "start": "2027-01-01", "end": "2027-01-03"}],
            "workdays": [{"date": "2027-01-09", "name": "元旦"}],
        }
    },
}


def test_platform_table_replaces_or_extends_the_shipped_one(cal: HolidayCalendar) -> None:
    platform = HolidayCalendar.from_dict(PLATFORM_2027)
    assert platform.known_years == {2027}
    merged = cal.merged_with(platform)
    assert merged.known_years == frozenset(range(2004, 2028))
    # Once 2027 is known, the due date is no longer an estimate and 元旦 2027 is skipped.
    assert merged.expected_completion(D(2026, 12, 31), 1) == Completion(D(2027, 1, 4), False)
    assert merged.is_working_day(D(2027, 1, 9)) is True
    # The shipped calendar object itself is unchanged.
    assert cal.expected_completion(D(2026, 12, 31), 1) == Completion(D(2027, 1, 1), True)


def test_to_dict_round_trips(cal: HolidayCalendar) -> None:
    again = HolidayCalendar.from_dict(cal.to_dict())
    assert again.to_dict() == cal.to_dict()
    assert again.to_dict()["years"]["2026"] == _shipped()["years"]["2026"]
    assert again.source == cal.source
