"""好差评 ratings as given (no personal data in them)."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from app.domain.models import Rating, RatingChannel, RatingLevel, RatingOutcome
from offline_cache.session import Session, iso, parse_iso

_COLUMNS = (
    "rating_id, service_act_id, case_no, item_code, division, hall, window, staff_no, terminal, channel, outcome,"
    " level, requested_at, rated_at, reasons, tags, text, callback_consent"
)


class Ratings:
    def __init__(self, session: Session) -> None:
        self._s = session

    def insert(self, conn: sqlite3.Connection, r: Rating) -> None:
        conn.execute(
            f"INSERT INTO ratings ({_COLUMNS}) VALUES ({', '.join('?' * 18)})",
            (
                r.rating_id,
                r.service_act_id,
                r.case_no,
                r.item_code,
                r.division,
                r.hall,
                r.window,
                r.staff_no,
                r.terminal,
                r.channel.value,
                r.outcome.value,
                None if r.level is None else int(r.level),
                iso(r.requested_at),
                iso(r.rated_at) if r.rated_at else None,
                json.dumps(list(r.reasons), ensure_ascii=False),
                json.dumps(list(r.tags), ensure_ascii=False),
                r.text,
                int(r.callback_consent),
            ),
        )

    # --- rating requests: asked, not yet answered ---------------------------------------------------------

    def request(
        self, service_act_id: str, *, case_no: str | None, channel: RatingChannel, requested_at: dt.datetime
    ) -> None:
        """Remember that a rating was asked for this service act (idempotent)."""
        now = self._s.now()
        with self._s.write() as conn:
            conn.execute(
                "INSERT INTO rating_requests (service_act_id, case_no, channel, requested_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (service_act_id) DO NOTHING",
                (service_act_id, case_no, channel.value, iso(requested_at), now),
            )

    def pending_requests(self) -> list[RatingRequest]:
        """Oldest first."""
        rows = self._s.conn.execute(
            "SELECT service_act_id, case_no, channel, requested_at FROM rating_requests WHERE state = 'pending'"
            " ORDER BY requested_at"
        )
        return [RatingRequest(r[0], r[1], RatingChannel(r[2]), parse_iso(r[3])) for r in rows]

    def expire_request(self, service_act_id: str) -> bool:
        """Give up on a request (the caller records the 未评价 rating itself if one is due)."""
        with self._s.write() as conn:
            return self._set_request(conn, service_act_id, "expired", self._s.now())

    def close_request(self, conn: sqlite3.Connection, service_act_id: str, *, now: str) -> None:
        """Inside the rating's own transaction: its request (if any) is done."""
        self._set_request(conn, service_act_id, "done", now)

    def claim_request(self, conn: sqlite3.Connection, service_act_id: str, *, now: str) -> bool:
        """Inside the rating's own write transaction: take the act's pending request (it becomes done). False when
        the act was asked for and is no longer pending (answered, or expired), or already has a rating; True for a
        pending request, or for an act never asked for (the unique index still allows one rating)."""
        if self._set_request(conn, service_act_id, "done", now):
            return True
        asked = conn.execute("SELECT 1 FROM rating_requests WHERE service_act_id = ?", (service_act_id,)).fetchone()
        return asked is None

    @staticmethod
    def _set_request(conn: sqlite3.Connection, service_act_id: str, state: str, now: str) -> bool:
        cur = conn.execute(
            "UPDATE rating_requests SET state = ?, updated_at = ? WHERE service_act_id = ? AND state = 'pending'",
            (state, now, service_act_id),
        )
        return cur.rowcount > 0

    def get(self, rating_id: str) -> Rating | None:
        row = self._s.conn.execute(f"SELECT {_COLUMNS} FROM ratings WHERE rating_id = ?", (rating_id,)).fetchone()
        return _rating(row) if row else None

    def for_case(self, case_no: str) -> list[Rating]:
        """Ratings of one case (一事一评: a receipt-QR rating is refused when one exists)."""
        rows = self._s.conn.execute(
            f"SELECT {_COLUMNS} FROM ratings WHERE case_no = ? ORDER BY requested_at", (case_no,)
        )
        return [_rating(r) for r in rows]

    def for_service_act(self, service_act_id: str) -> list[Rating]:
        rows = self._s.conn.execute(
            f"SELECT {_COLUMNS} FROM ratings WHERE service_act_id = ? ORDER BY requested_at", (service_act_id,)
        )
        return [_rating(r) for r in rows]


@dataclass(frozen=True, slots=True)
class RatingRequest:
    """A rating asked for and not yet answered (e.g. the rating screen was busy, or the QR is still open)."""

    service_act_id: str
    case_no: str | None
    channel: RatingChannel
    requested_at: dt.datetime


def _rating(r: Sequence[Any]) -> Rating:
    return Rating(
        rating_id=r[0],
        service_act_id=r[1],
        case_no=r[2],
        item_code=r[3],
        division=r[4],
        hall=r[5],
        window=r[6],
        staff_no=r[7],
        terminal=r[8],
        channel=RatingChannel(r[9]),
        outcome=RatingOutcome(r[10]),
        level=None if r[11] is None else RatingLevel(r[11]),
        requested_at=parse_iso(r[12]),
        rated_at=parse_iso(r[13]) if r[13] else None,
        reasons=tuple(json.loads(r[14])),
        tags=tuple(json.loads(r[15])),
        text=r[16],
        callback_consent=bool(r[17]),
    )
