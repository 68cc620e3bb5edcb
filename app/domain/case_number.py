"""Case numbers (办件编号, DOMAIN.md "Case numbers").

Layout: `{division:6}{hall:2}{terminal:3}{yyyymmdd:8}{seq:5}{check:2}`, 26 digits. `check` is ISO 7064
MOD 97-10 over the first 24 digits, which catches every single mistyped digit and every swap of two adjacent
digits, so a number typed at a kiosk is either right or refused.

How the store allocates `seq` (the rule lives here; the store applies it):

1. In the same transaction that inserts the case, read the highest `seq` used for `(terminal, yyyymmdd)` from
   a counter row keyed by both (not from "the last case": a deleted or refused case still used its number).
2. `seq = next_sequence(highest)` — 1 for a date never used, else highest + 1; `SequenceExhaustedError` past
   99999, which the counter reports to the clerk and logs (no case is written).
3. Write the new highest back and insert the case; commit both or neither.

Because the counter is keyed by the date printed in the number, a clock set back to a date that was already used
continues after the highest `seq` of that date, and numbers never repeat. (division, hall, terminal) is unique
per terminal (set at enrolment), so terminals never need to coordinate.

A damaged database moved aside at start hands its counters to the fresh one (`offline_cache.salvage`); when they
cannot be read, the days up to the recovery day continue after 50000 instead, so no number issued before repeats.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from app.domain.validation import Invalid

CASE_NUMBER_LENGTH = 26
SEQ_MIN = 1
SEQ_MAX = 99_999

#: Separators a person may type or a scanner may add between groups (hyphens, dashes, spaces, dots).
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―_.·/]+")
_RAW_LIMIT = 100


class SequenceExhaustedError(Exception):
    """All 99999 case numbers of one terminal and day are used."""

    message_zh = "本终端今日的办件编号已用完（每日最多99999件），请联系管理员"
    message_en = "case sequence for this terminal and date is exhausted (99999 per day)"

    def __init__(self) -> None:
        super().__init__(self.message_en)


@dataclass(frozen=True, slots=True)
class CaseNumber:
    """A valid case number and its parts (all digit strings keep their leading zeros)."""

    division: str
    hall: str
    terminal: str
    date: dt.date
    seq: int
    check: str

    @property
    def digits(self) -> str:
        """The 26 digits, as stored, typed and scanned."""
        return f"{self.division}{self.hall}{self.terminal}{self.date:%Y%m%d}{self.seq:05d}{self.check}"

    @property
    def grouped(self) -> str:
        """For reading: `210800-01-003-20261124-00017-42`."""
        return format_grouped(self.digits)


def _digits_field(value: str | int, width: int, label: str) -> str:
    if isinstance(value, bool):
        raise TypeError(f"{label} must be a string or an int, not bool")
    if isinstance(value, int):
        if not 0 <= value < 10**width:
            raise ValueError(f"{label} must have at most {width} digits, got {value}")
        return f"{value:0{width}d}"
    if len(value) != width or not (value.isascii() and value.isdigit()):
        raise ValueError(f"{label} must be exactly {width} ASCII digits, got {value!r}")
    return value


def _mod97(digits: str) -> int:
    """ISO 7064 MOD 97-10's checksum of a string of ASCII digits (python-stdnum's `mod_97_10.checksum`, whose
    import costs pydoc and ssl: the arithmetic is one line; tests check both agree)."""
    return int(digits) % 97


def check_digits(first24: str) -> str:
    """The two ISO 7064 MOD 97-10 check digits for the first 24 digits."""
    if not (first24.isascii() and first24.isdigit()):
        raise ValueError(f"check digits are made for ASCII digits only, got {first24!r}")
    return f"{98 - _mod97(first24 + '00'):02d}"


def make_case_number(division: str, hall: str | int, terminal: str | int, date: dt.date, seq: int) -> str:
    """Build the 26-digit case number; raises ValueError on out-of-range parts (a programming error)."""
    division = _digits_field(division, 6, "division")
    if division[:2] == "00":
        raise ValueError(f"division must be an administrative division code, got {division!r}")
    hall_s = _digits_field(hall, 2, "hall")
    terminal_s = _digits_field(terminal, 3, "terminal")
    if isinstance(date, dt.datetime):
        raise TypeError("date must be a datetime.date (the local business date), not a datetime")
    if not 1000 <= date.year <= 9999:
        raise ValueError(f"date year out of range: {date.year}")
    if isinstance(seq, bool) or not SEQ_MIN <= seq <= SEQ_MAX:
        raise ValueError(f"seq must be {SEQ_MIN}..{SEQ_MAX}, got {seq!r}")
    body = f"{division}{hall_s}{terminal_s}{date:%Y%m%d}{seq:05d}"
    return body + check_digits(body)


def _invalid(
    reason: Literal["EMPTY", "TOO_LONG", "BAD_CHARS", "BAD_LENGTH", "BAD_CHECK", "BAD_FORMAT"],
    message_zh: str,
    detail: str,
) -> Invalid:
    """The `Invalid` of a case number that does not read, with `Reason[reason]`. The validation module is
    imported here, for a number that does not read: a good one, the usual case, needs none of it (~3 ms of
    `tongban receipt`, issue 13)."""
    from app.domain.validation import Invalid, Reason

    return Invalid(Reason[reason], message_zh, detail)


def parse_case_number(text: str | None) -> CaseNumber | Invalid:  # noqa: PLR0911 - one return per rule
    """Read a typed or scanned case number: separators, spaces and full-width digits are accepted."""
    if text is None or not text.strip():
        return _invalid("EMPTY", "请输入办件编号", "case number is empty")
    if len(text) > _RAW_LIMIT:
        return _invalid(
            "TOO_LONG",
            "办件编号过长，应为26位数字",
            f"case number input is longer than {_RAW_LIMIT} characters",
        )
    compact = _SEPARATORS.sub("", unicodedata.normalize("NFKC", text))
    if not (compact.isascii() and compact.isdigit()):
        return _invalid("BAD_CHARS", "办件编号只能包含数字", "case number contains characters other than digits")
    if len(compact) != CASE_NUMBER_LENGTH:
        return _invalid(
            "BAD_LENGTH",
            f"办件编号应为26位数字，当前为{len(compact)}位",
            f"case number has {len(compact)} digits, expected 26",
        )
    if _mod97(compact) != 1:  # ISO 7064 MOD 97-10
        return _invalid(
            "BAD_CHECK",
            "办件编号校验不符，可能有数字输错，请逐位核对",
            "case number check digits mismatch",
        )
    try:
        date = dt.date(int(compact[11:15]), int(compact[15:17]), int(compact[17:19]))
    except ValueError:
        return _invalid("BAD_FORMAT", "办件编号中的日期无效", "case number date part is not a valid date")
    seq = int(compact[19:24])
    if seq < SEQ_MIN:
        return _invalid("BAD_FORMAT", "办件编号中的序号无效", "case number sequence part is zero")
    return CaseNumber(
        division=compact[:6],
        hall=compact[6:8],
        terminal=compact[8:11],
        date=date,
        seq=seq,
        check=compact[24:],
    )


def is_valid_case_number(text: str | None) -> bool:
    return isinstance(parse_case_number(text), CaseNumber)


def format_grouped(case_no: str) -> str:
    """`21080001003202611240001742` → `210800-01-003-20261124-00017-42`.

    Input that is not 26 digits is returned unchanged (display code must not fail on a bad stored value).
    """
    if len(case_no) != CASE_NUMBER_LENGTH or not (case_no.isascii() and case_no.isdigit()):
        return case_no
    bounds = (0, 6, 8, 11, 19, 24, 26)
    return "-".join(case_no[a:b] for a, b in itertools.pairwise(bounds))


def mask_case_no(case_no: str) -> str:
    """`21080001003202611240001742` → `210800****1742`: a 一件事 member's number where the whole bundle is shown (the
    kiosk's 进度查询, as the platform's `/c/` pages show it); anything not 26 digits is masked completely."""
    if len(case_no) != CASE_NUMBER_LENGTH or not (case_no.isascii() and case_no.isdigit()):
        return "*" * min(len(case_no), CASE_NUMBER_LENGTH)
    return f"{case_no[:6]}****{case_no[-4:]}"


def next_sequence(last_seq_for_date: int | None) -> int:
    """The seq for the next case of a (terminal, date), given the highest used so far (None or 0: none yet).

    Raises SequenceExhaustedError after 99999, and ValueError for a negative or out-of-range stored value.
    """
    last = 0 if last_seq_for_date is None else last_seq_for_date
    if isinstance(last, bool) or last < 0 or last > SEQ_MAX:
        raise ValueError(f"stored sequence out of range: {last_seq_for_date!r}")
    if last == SEQ_MAX:
        raise SequenceExhaustedError
    return last + 1
