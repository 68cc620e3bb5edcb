"""Working days and expected completion dates (DOMAIN.md "Working days").

Rule: time limits count working days — weekends and statutory holidays excluded, make-up working days (调休上班的周末)
included. Product decision: the calendar is data (resources/holidays/cn.json, replaceable by the platform);
a year missing from the table is counted Monday-Friday and the result is marked as an estimate (预计), never
silently treated as known.

The only I/O here is `load_holiday_calendar`, which reads the shipped table (or a given file).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from resources import resource_path

TABLE_FORMAT = "tongban-holidays"
TABLE_VERSION = 1
#: Longest promised time limit accepted (working days); guards against a corrupt catalogue value.
MAX_PROMISED_DAYS = 2000
#: A single holiday period longer than this is a data error.
_MAX_PERIOD_DAYS = 31
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_YEAR_KEY = re.compile(r"[0-9]{4}")


class HolidayTableError(ValueError):
    """The holiday table is malformed; the message names the year and field (no personal data involved)."""

    def __init__(self, where: str, problem: str) -> None:
        self.where = where
        self.problem = problem
        super().__init__(f"holiday table: {where}: {problem}" if where else f"holiday table: {problem}")

    @property
    def message_zh(self) -> str:
        return f"节假日数据无效，已保留原有数据（{self.where or 'file'}）"


@dataclass(frozen=True, slots=True)
class HolidayPeriod:
    name: str
    start: dt.date
    end: dt.date  # inclusive


@dataclass(frozen=True, slots=True)
class MakeUpWorkday:
    """A Saturday or Sunday that is a working day (调休上班)."""

    date: dt.date
    name: str  # the holiday it makes up for


@dataclass(frozen=True, slots=True)
class YearTable:
    year: int
    holidays: tuple[HolidayPeriod, ...]
    workdays: tuple[MakeUpWorkday, ...]


class Completion(NamedTuple):
    """An expected completion date; `is_estimate` when it depends on a year the table does not know (预计)."""

    date: dt.date
    is_estimate: bool


class HolidayCalendar:
    """Holidays and make-up working days per year, from a validated table."""

    def __init__(self, years: Iterable[YearTable], *, source: str = "") -> None:
        self._years: dict[int, YearTable] = {}
        self._holiday_names: dict[dt.date, str] = {}
        self._workday_names: dict[dt.date, str] = {}
        self.source = source
        for table in sorted(years, key=lambda t: t.year):
            self._years[table.year] = table
            for period in table.holidays:
                day = period.start
                while day <= period.end:
                    self._holiday_names[day] = period.name
                    day += dt.timedelta(days=1)
            for workday in table.workdays:
                self._workday_names[workday.date] = workday.name

    # --- construction --------------------------------------------------------------------------------------

    @classmethod
    def from_dict(cls, data: object) -> HolidayCalendar:
        """Build from the JSON structure (the shipped file or a platform-supplied table); raises
        HolidayTableError naming the year and field of the first problem."""
        tables, source = _parse_table(data)
        return cls(tables, source=source)

    def to_dict(self) -> dict[str, Any]:
        """The JSON structure `from_dict` reads (to persist a platform-supplied table)."""
        return {
            "format": TABLE_FORMAT,
            "version": TABLE_VERSION,
            "source": self.source,
            "years": {
                str(t.year): {
                    "holidays": [
                        {"name": p.name, "start": p.start.isoformat(), "end": p.end.isoformat()} for p in t.holidays
                    ],
                    "workdays": [{"date": w.date.isoformat(), "name": w.name} for w in t.workdays],
                }
                for t in self._years.values()
            },
        }

    def merged_with(self, newer: HolidayCalendar) -> HolidayCalendar:
        """This calendar with every year `newer` knows replaced by (or added from) `newer`."""
        years = {**self._years, **newer._years}
        return HolidayCalendar(years.values(), source=newer.source or self.source)

    # --- queries -------------------------------------------------------------------------------------------

    @property
    def known_years(self) -> frozenset[int]:
        return frozenset(self._years)

    def knows(self, day: dt.date) -> bool:
        """Whether `day`'s year is in the table (else is_working_day is Monday-Friday, an estimate)."""
        return day.year in self._years

    def holiday_name(self, day: dt.date) -> str | None:
        return self._holiday_names.get(_as_date(day))

    def is_working_day(self, day: dt.date) -> bool:
        day = _as_date(day)
        if day in self._workday_names:
            return True
        if day in self._holiday_names:
            return False
        return day.weekday() < 5

    def add_working_days(self, start: dt.date, days: int) -> Completion:
        """The date `days` working days after `start` (`start` itself not counted)."""
        if isinstance(days, bool) or not 0 <= days <= MAX_PROMISED_DAYS:
            raise ValueError(f"working days must be 0..{MAX_PROMISED_DAYS}, got {days!r}")
        day = _as_date(start)
        estimate = False
        remaining = days
        while remaining > 0:
            day += dt.timedelta(days=1)
            if day.year not in self._years:
                estimate = True
            if self.is_working_day(day):
                remaining -= 1
        return Completion(day, estimate)

    def expected_completion(self, intake_date: dt.date, promised_days: int) -> Completion:
        """Intake date + 承诺时限 working days, the intake day itself not counted (DOMAIN.md).

        `promised_days` 0 (即办件) gives the intake date itself. Raises ValueError for a negative value or one above
        MAX_PROMISED_DAYS.
        """
        return self.add_working_days(intake_date, promised_days)


def _as_date(day: dt.date) -> dt.date:
    return day.date() if isinstance(day, dt.datetime) else day


# --- loading and validation ------------------------------------------------------------------------------------


def default_table_path() -> Path:
    return resource_path("holidays", "cn.json")


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise HolidayTableError("", f"duplicate key {key!r}")
        out[key] = value
    return out


def load_holiday_calendar(path: Path | None = None) -> HolidayCalendar:
    """Read and validate a holiday table file (default: the shipped resources/holidays/cn.json)."""
    path = default_table_path() if path is None else path
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise HolidayTableError("", f"cannot read {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise HolidayTableError("", f"{path} is not UTF-8") from exc
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicate_keys)
    except json.JSONDecodeError as exc:
        raise HolidayTableError("", f"{path} is not valid JSON (line {exc.lineno}, column {exc.colno})") from exc
    return HolidayCalendar.from_dict(data)


def _keys(obj: object, where: str, required: set[str], optional: frozenset[str] = frozenset()) -> Mapping[str, Any]:
    if not isinstance(obj, Mapping):
        raise HolidayTableError(where, f"expected an object, got {type(obj).__name__}")
    missing = required - obj.keys()
    if missing:
        raise HolidayTableError(where, f"missing field(s): {', '.join(sorted(missing))}")
    unknown = obj.keys() - required - optional
    if unknown:
        raise HolidayTableError(where, f"unknown field(s): {', '.join(sorted(map(str, unknown)))}")
    return obj


def _date(value: object, where: str, year: int) -> dt.date:
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise HolidayTableError(where, f"expected a date like {year}-01-01, got {value!r:.40}")
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise HolidayTableError(where, f"not a calendar date: {value!r}") from None
    if day.year != year:
        raise HolidayTableError(where, f"date {value} is not in {year}")
    return day


def _name(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 100:
        raise HolidayTableError(where, "expected a non-empty name of at most 100 characters")
    return value.strip()


def _list(value: object, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise HolidayTableError(where, f"expected a list, got {type(value).__name__}")
    return value


def _parse_year(year: int, obj: object) -> YearTable:
    where = f"year {year}"
    fields = _keys(obj, where, {"holidays", "workdays"})
    raw_holidays = _list(fields["holidays"], f"{where}, holidays")
    if not raw_holidays:
        raise HolidayTableError(f"{where}, holidays", "empty: a known year has at least one holiday")
    periods: list[HolidayPeriod] = []
    for i, raw in enumerate(raw_holidays):
        at = f"{where}, holidays[{i}]"
        entry = _keys(raw, at, {"name", "start", "end"})
        start = _date(entry["start"], f"{at}.start", year)
        end = _date(entry["end"], f"{at}.end", year)
        if end < start:
            raise HolidayTableError(f"{at}.end", "ends before it starts")
        if (end - start).days >= _MAX_PERIOD_DAYS:
            raise HolidayTableError(at, f"longer than {_MAX_PERIOD_DAYS} days")
        periods.append(HolidayPeriod(_name(entry["name"], f"{at}.name"), start, end))
    periods.sort(key=lambda p: p.start)
    for before, after in itertools.pairwise(periods):
        if after.start <= before.end:
            raise HolidayTableError(f"{where}, holidays", f"periods overlap on {after.start.isoformat()}")
    workdays: list[MakeUpWorkday] = []
    seen: set[dt.date] = set()
    for i, raw in enumerate(_list(fields["workdays"], f"{where}, workdays")):
        at = f"{where}, workdays[{i}]"
        entry = _keys(raw, at, {"date", "name"})
        day = _date(entry["date"], f"{at}.date", year)
        if day.weekday() < 5:
            raise HolidayTableError(f"{at}.date", f"{day.isoformat()} is not a Saturday or Sunday")
        if day in seen:
            raise HolidayTableError(f"{at}.date", f"{day.isoformat()} is listed twice")
        if any(p.start <= day <= p.end for p in periods):
            raise HolidayTableError(f"{at}.date", f"{day.isoformat()} is also inside a holiday period")
        seen.add(day)
        workdays.append(MakeUpWorkday(day, _name(entry["name"], f"{at}.name")))
    workdays.sort(key=lambda w: w.date)
    return YearTable(year, tuple(periods), tuple(workdays))


def _parse_table(data: object) -> tuple[list[YearTable], str]:
    """The year tables and the `source` note of a table in the JSON structure."""
    top = _keys(data, "top level", {"format", "version", "years"}, frozenset({"source"}))
    if top["format"] != TABLE_FORMAT:
        raise HolidayTableError("format", f"expected {TABLE_FORMAT!r}, got {top['format']!r:.40}")
    if top["version"] != TABLE_VERSION or isinstance(top["version"], bool):
        raise HolidayTableError("version", f"expected {TABLE_VERSION}, got {top['version']!r:.40}")
    if "source" in top and not isinstance(top["source"], str):
        raise HolidayTableError("source", "expected a string")
    years = top["years"]
    if not isinstance(years, Mapping) or not years:
        raise HolidayTableError("years", "expected a non-empty object keyed by year")
    tables: list[YearTable] = []
    for key, value in years.items():
        if not isinstance(key, str) or not _YEAR_KEY.fullmatch(key) or not 1949 <= int(key) <= 2200:
            raise HolidayTableError("years", f"key {key!r:.20} is not a year (1949..2200)")
        tables.append(_parse_year(int(key), value))
    return tables, top.get("source", "")
