"""Case-number sequences: per (terminal prefix, local date), allocated inside the case's own transaction.

The counter only moves forward, so a clock set back to a date already used continues after the highest
sequence used for that date, and numbers stay unique across restarts and crashes.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from offline_cache.errors import StoreError

if TYPE_CHECKING:  # annotations only: the sync engine uses this module without the case models (issue 13)
    from app.domain.models import Routing

#: Builds the final case number from the local date and the allocated sequence.
CaseNumberFactory = Callable[[dt.date, int], str]

MAX_SEQ = 99_999


def raise_counters(conn: sqlite3.Connection, counters: Iterable[tuple[str, str, int]]) -> None:
    """Each (prefix, yyyymmdd) counter becomes at least the value given (created if new; counters only rise).
    Call inside a write transaction."""
    conn.executemany(
        "INSERT INTO case_sequences (prefix, day, last_seq) VALUES (?, ?, ?)"
        " ON CONFLICT (prefix, day) DO UPDATE SET last_seq = max(last_seq, excluded.last_seq)",
        counters,
    )


def terminal_prefix(routing: Routing) -> str:
    """`{division:6}{hall:2}{terminal:3}` (DOMAIN.md "Case numbers")."""
    prefix = f"{routing.division}{routing.hall}{routing.terminal}"
    if len(prefix) != 11 or not prefix.isdigit():
        raise ValueError("division, hall and terminal must be 6, 2 and 3 digits")
    return prefix


def case_number(prefix: str, day: dt.date, seq: int) -> str:
    """26 digits: prefix, yyyymmdd, 5-digit seq, ISO 7064 MOD 97-10 check over the first 24."""
    body = f"{prefix}{day:%Y%m%d}{seq:05d}"
    from stdnum.iso7064 import mod_97_10  # imported when used: stdnum.util imports pydoc and ssl (start-up)

    return body + str(mod_97_10.calc_check_digits(body))


def default_factory(routing: Routing) -> CaseNumberFactory:
    prefix = terminal_prefix(routing)
    return lambda day, seq: case_number(prefix, day, seq)


#: After a damaged database whose counters could not be read: the first number of the days up to the recovery
#: day is this + 1 (numbers issued before the damage are unknown; no terminal takes in 50,000 cases a day).
RECOVERY_FLOOR = 50_000
#: `meta` key holding the last day (yyyymmdd) the floor applies to.
FLOOR_KEY = "case_seq_floor_through"


def set_recovery_floor(conn: sqlite3.Connection, through: dt.date) -> None:
    """Numbers of days up to `through` start after RECOVERY_FLOOR (see `allocate`)."""
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?)"
        " ON CONFLICT (key) DO UPDATE SET value = max(value, excluded.value)",
        (FLOOR_KEY, through.strftime("%Y%m%d")),
    )


def allocate(conn: sqlite3.Connection, prefix: str, day: dt.date) -> int:
    """Next sequence for (prefix, day). Call inside the write transaction that saves the case."""
    text = day.strftime("%Y%m%d")
    floor_row = conn.execute("SELECT value FROM meta WHERE key = ?", (FLOOR_KEY,)).fetchone()
    first = RECOVERY_FLOOR + 1 if floor_row is not None and text <= str(floor_row[0]) else 1
    rows = conn.execute(
        "INSERT INTO case_sequences (prefix, day, last_seq) VALUES (?, ?, ?)"
        " ON CONFLICT (prefix, day) DO UPDATE SET last_seq = last_seq + 1 RETURNING last_seq",
        (prefix, text, first),
    ).fetchall()
    seq = int(rows[0][0])
    if seq > MAX_SEQ:
        raise StoreError("本终端今日办件编号已用完（99999），请联系管理员。", code="case_seq_exhausted")
    return seq


#: After the platform answered `case_no_taken`: numbering moves on to the next multiple of this (10001, 20001 …).
TAKEN_STEP = 10_000


def move_on_after_taken(conn: sqlite3.Connection, case_no: str, *, today: dt.date | None = None) -> int:
    """The platform says `case_no` belongs to another case: move this terminal's counter for that number's prefix
    past it, on its day, on every later day already numbered and on `today` (the hall's day now, numbered or not),
    to the next multiple of TAKEN_STEP (so the next number is 10001, 20001 …; never beyond MAX_SEQ). Call inside a
    write transaction; returns the next sequence of the case's day."""
    prefix, day, seq = case_no[:11], case_no[11:19], int(case_no[19:24])
    row = conn.execute(
        "SELECT max(last_seq) FROM case_sequences WHERE prefix = ? AND day >= ?", (prefix, day)
    ).fetchone()
    highest = max(seq, int(row[0] or 0))
    target = min((highest // TAKEN_STEP + 1) * TAKEN_STEP, MAX_SEQ - 1)
    raise_counters(conn, [(prefix, day, target)])
    conn.execute(
        "UPDATE case_sequences SET last_seq = max(last_seq, ?) WHERE prefix = ? AND day > ?", (target, prefix, day)
    )
    if today is not None and today.strftime("%Y%m%d") > day:
        raise_counters(conn, [(prefix, today.strftime("%Y%m%d"), target)])
    return target + 1


def continue_after(conn: sqlite3.Connection, prefix: str, highest: dict[str, int]) -> None:
    """The platform already holds numbers up to `highest[yyyymmdd]` for this terminal prefix (a replacement PC
    enrolled as the same terminal, issue 22): numbering on those days continues after them. Counters only rise.
    Call inside a write transaction."""
    raise_counters(
        conn,
        [
            (prefix, day, min(int(seq), MAX_SEQ))
            for day, seq in highest.items()
            if len(day) == 8 and day.isdigit() and isinstance(seq, int) and seq > 0
        ],
    )
