"""The figures of one day's 日结 (daily report), read from the store. No personal data is read.

Times are stored as UTC text of one format (session.iso), so a day is the half-open text range [start, end).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from app.domain.models import RatingLevel
from offline_cache.session import iso, parse_iso
from offline_cache.store import Store


@dataclass(frozen=True, slots=True)
class ItemCount:
    item_code: str
    item_name: str
    received: int
    refused: int


@dataclass(frozen=True, slots=True)
class BadRating:
    """One 差评 for the report: no personal data, only codes, reasons and the citizen's (sanitised) text."""

    rating_id: str
    case_no: str | None
    item_code: str | None
    staff_no: str
    level: RatingLevel
    reasons: tuple[str, ...]
    text: str
    callback_consent: bool
    rated_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class RawDailyFigures:
    items: tuple[ItemCount, ...]
    receipts_printed: int  # successful prints, first prints and reprints
    receipts_reprinted: int
    receipts_failed: int
    ratings_by_level: dict[RatingLevel, int]
    unrated: int
    bad_ratings: tuple[BadRating, ...]
    unsynced_by_kind: dict[str, int]  # outbox entries not acknowledged (pending), whatever their day
    dead_by_kind: dict[str, int]  # rejected by the platform, waiting for an administrator
    pending_requests: int  # ratings asked for and still open


def read_daily_figures(store: Store, start: dt.datetime, end: dt.datetime) -> RawDailyFigures:
    """Figures for records made in [start, end) (aware datetimes)."""
    lo, hi = iso(start), iso(end)
    conn = store.conn
    items = tuple(
        ItemCount(str(r[0]), str(r[1]), int(r[2]), int(r[3]))
        for r in conn.execute(
            "SELECT item_code, max(item_name), sum(state != 'refused'), sum(state = 'refused') FROM cases"
            " WHERE created_at >= ? AND created_at < ? GROUP BY item_code ORDER BY item_code",
            (lo, hi),
        )
    )
    printed, reprinted, failed = conn.execute(
        "SELECT coalesce(sum(success), 0), coalesce(sum(success AND reprint), 0), coalesce(sum(NOT success), 0)"
        " FROM receipts WHERE printed_at >= ? AND printed_at < ?",
        (lo, hi),
    ).fetchone()
    by_level = {level: 0 for level in RatingLevel}
    unrated = 0
    for level, count in conn.execute(
        "SELECT level, count(*) FROM ratings WHERE coalesce(rated_at, requested_at) >= ?"
        " AND coalesce(rated_at, requested_at) < ? AND duplicate_of IS NULL GROUP BY level",
        (lo, hi),
    ):
        if level is None:
            unrated = int(count)
        else:
            by_level[RatingLevel(level)] = int(count)
    bad = tuple(
        BadRating(
            rating_id=r[0],
            case_no=r[1],
            item_code=r[2],
            staff_no=r[3],
            level=RatingLevel(r[4]),
            reasons=tuple(json.loads(r[5])),
            text=r[6],
            callback_consent=bool(r[7]),
            rated_at=parse_iso(r[8]) if r[8] else None,
        )
        for r in conn.execute(
            "SELECT rating_id, case_no, item_code, staff_no, level, reasons, text, callback_consent, rated_at"
            " FROM ratings WHERE level <= ? AND rated_at >= ? AND rated_at < ? AND duplicate_of IS NULL"
            " ORDER BY rated_at, rowid",  # ties (same second) in the order they were stored
            (int(RatingLevel.DISSATISFIED), lo, hi),
        )
    )
    unsynced: dict[str, int] = {}
    dead: dict[str, int] = {}
    for kind, state, count in conn.execute(
        "SELECT kind, state, count(*) FROM outbox WHERE state != 'sent' GROUP BY kind, state ORDER BY kind"
    ):
        (unsynced if state == "pending" else dead)[str(kind)] = int(count)
    (pending,) = conn.execute("SELECT count(*) FROM rating_requests WHERE state = 'pending'").fetchone()
    return RawDailyFigures(
        items=items,
        receipts_printed=int(printed),
        receipts_reprinted=int(reprinted),
        receipts_failed=int(failed),
        ratings_by_level=by_level,
        unrated=unrated,
        bad_ratings=bad,
        unsynced_by_kind=unsynced,
        dead_by_kind=dead,
        pending_requests=int(pending),
    )


# --- 四减 (issue 18) ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CaseTrips:
    """One received case of the day as the 四减 figures need it (no personal data)."""

    item_code: str
    item_name: str
    delivery_method: str
    division: str  # where it was received
    jurisdiction: str  # who decides it: another district's department means 收受分离 forwarding
    bundle_id: str | None
    licence_materials: int  # materials satisfied by an electronic licence (status e_licence)
    received_names: tuple[str, ...]  # names of the materials received on paper (original or copy)


def read_case_trips(store: Store, start: dt.datetime, end: dt.datetime) -> tuple[CaseTrips, ...]:
    """The received (not refused) cases made in [start, end), oldest first, with their material figures."""
    conn = store.conn
    out: list[CaseTrips] = []
    for rid, code, name, method, division, jurisdiction, bundle_id in conn.execute(
        "SELECT record_id, item_code, item_name, delivery_method, division, jurisdiction, bundle_id FROM cases"
        " WHERE created_at >= ? AND created_at < ? AND state != 'refused' ORDER BY created_at, case_seq",
        (iso(start), iso(end)),
    ):
        materials = conn.execute(
            "SELECT name, status FROM case_materials WHERE case_record_id = ? ORDER BY position", (rid,)
        ).fetchall()
        out.append(
            CaseTrips(
                item_code=str(code),
                item_name=str(name),
                delivery_method=str(method),
                division=str(division),
                jurisdiction=str(jurisdiction),
                bundle_id=None if bundle_id is None else str(bundle_id),
                licence_materials=sum(1 for _n, status in materials if status == "e_licence"),
                received_names=tuple(str(n) for n, status in materials if status in ("original", "copy")),
            )
        )
    return tuple(out)


def read_assists_by_item(store: Store, start: dt.datetime, end: dt.datetime) -> dict[str, tuple[str, int]]:
    """item_code -> (item_name, 帮办 filings submitted online) in [start, end)."""
    rows = store.conn.execute(
        "SELECT item_code, max(item_name), count(*) FROM online_assists"
        " WHERE assisted_at >= ? AND assisted_at < ? AND outcome = 'submitted' GROUP BY item_code",
        (iso(start), iso(end)),
    )
    return {str(code): (str(name), int(n)) for code, name, n in rows}
