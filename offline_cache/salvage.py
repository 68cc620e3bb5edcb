"""After a damaged database was moved aside: carry its counters over to the fresh one.

Case numbers are printed on receipts and `terminal_seq` values are held by the platform (a reused one is rejected
as `terminal_seq_taken`), so a fresh database must continue after the highest values the old file still shows.
Reading is best effort, table by table, on a read-only connection: whatever a damaged page hides is skipped.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from offline_cache import numbering
from offline_cache.connection import BUSY_TIMEOUT_MS

log = logging.getLogger("tongban.store")


@dataclass(slots=True)
class Counters:
    case_seqs: dict[tuple[str, str], int] = field(default_factory=dict)  # (prefix, yyyymmdd) → highest seq
    terminal_seq: int = 0
    unreadable: list[str] = field(default_factory=list)  # queries that failed on the damaged file
    case_floor_through: dt.date | None = None  # set when no case counter could be read

    def see_case_seq(self, prefix: str, day: str, seq: int) -> None:
        key = (prefix, day)
        self.case_seqs[key] = max(self.case_seqs.get(key, 0), seq)


_QUERIES = {
    "case_sequences": "SELECT prefix, day, last_seq FROM case_sequences",
    "cases": "SELECT case_no FROM cases",
    "terminal_seq": "SELECT last_seq FROM terminal_seq",
    "outbox": "SELECT max(terminal_seq) FROM outbox",
}


def read_counters(old_path: Path) -> Counters:
    """The highest case sequences and terminal_seq the moved-aside file still shows (zeros when none)."""
    found = Counters()
    try:
        conn = sqlite3.connect(f"{old_path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error:
        found.unreadable.extend(_QUERIES)
        return found
    try:
        for name, sql in _QUERIES.items():
            try:
                rows = conn.execute(sql).fetchall()
            except sqlite3.Error:
                found.unreadable.append(name)
                continue
            _take(found, name, rows)
    finally:
        conn.close()
    return found


def _take(found: Counters, name: str, rows: list[tuple[object, ...]]) -> None:
    if name == "case_sequences":
        for prefix, day, seq in rows:
            if isinstance(prefix, str) and isinstance(day, str) and isinstance(seq, int):
                found.see_case_seq(prefix, day, seq)
    elif name == "cases":
        for (case_no,) in rows:
            if isinstance(case_no, str) and len(case_no) == 26 and case_no.isdigit():
                found.see_case_seq(case_no[:11], case_no[11:19], int(case_no[19:24]))
    else:
        for (value,) in rows:
            if isinstance(value, int):
                found.terminal_seq = max(found.terminal_seq, value)


def carry_over(conn: sqlite3.Connection, old_path: Path, *, now: dt.datetime) -> Counters:
    """Raise the fresh database's counters to at least the old file's; one transaction. Returns what was read.

    What cannot be read is made safe instead: case numbers of days up to today continue after
    `numbering.RECOVERY_FLOOR`, and `terminal_seq` after the current time in milliseconds (above any count).
    """
    found = read_counters(old_path)
    if {"case_sequences", "cases"} <= set(found.unreadable):
        found.case_floor_through = now.astimezone().date()
    if {"terminal_seq", "outbox"} <= set(found.unreadable):
        found.terminal_seq = max(found.terminal_seq, int(now.timestamp() * 1000))
    conn.execute("BEGIN IMMEDIATE")
    try:
        if found.case_floor_through is not None:
            numbering.set_recovery_floor(conn, found.case_floor_through)
        conn.executemany(
            "INSERT INTO case_sequences (prefix, day, last_seq) VALUES (?, ?, ?)"
            " ON CONFLICT (prefix, day) DO UPDATE SET last_seq = max(last_seq, excluded.last_seq)",
            [(prefix, day, seq) for (prefix, day), seq in found.case_seqs.items()],
        )
        conn.execute("UPDATE terminal_seq SET last_seq = max(last_seq, ?) WHERE id = 1", (found.terminal_seq,))
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    if found.unreadable:
        # An administrator must know: the counters continue from safe floors where the old values were unreadable.
        log.error("counters of the damaged database only partly readable (%s)", ", ".join(found.unreadable))
    else:
        log.info(
            "counters carried over from the damaged database: %d day(s), terminal_seq %d",
            len(found.case_seqs),
            found.terminal_seq,
        )
    return found
