"""一件事 parent cases (issue 17): one row per bundle taken in, keyed by the parent's own case number.

The parent's number comes from the same per-terminal day sequence as case numbers, allocated in the transaction
that stores the members (`Store.save_bundle`), so it is unique across terminals exactly as a case number is. The
members are ordinary cases sharing the parent's `bundle_id`. No personal data lives here: the applicant is on the
members (encrypted, purged after retention like any case's).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass

from offline_cache.session import Session, iso, parse_iso


@dataclass(frozen=True, slots=True)
class BundleParent:
    case_no: str  # the parent's own 26-digit number
    case_seq: int
    bundle_id: str  # `{bundle_code}-{16 hex}`, the members' shared `bundle_id`
    bundle_code: str
    bundle_name: str
    staff_no: str
    created_at: dt.datetime


_SELECT = "SELECT case_no, case_seq, bundle_id, bundle_code, bundle_name, staff_no, created_at FROM bundles"


class Bundles:
    def __init__(self, session: Session) -> None:
        self._s = session

    def insert(self, conn: sqlite3.Connection, parent: BundleParent) -> None:
        """Call inside `Session.write()` (the members' transaction)."""
        conn.execute(
            "INSERT INTO bundles (case_no, case_seq, bundle_id, bundle_code, bundle_name, staff_no, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                parent.case_no,
                parent.case_seq,
                parent.bundle_id,
                parent.bundle_code,
                parent.bundle_name,
                parent.staff_no,
                iso(parent.created_at),
            ),
        )

    def get(self, case_no: str) -> BundleParent | None:
        """The bundle whose parent number is `case_no`, or None (a member's or an unknown number)."""
        row = self._s.conn.execute(f"{_SELECT} WHERE case_no = ?", (case_no,)).fetchone()
        return _load(row) if row else None

    def of_bundle(self, bundle_id: str | None) -> BundleParent | None:
        """The parent of the members sharing `bundle_id`; None for bundles taken in before parents existed."""
        if not bundle_id:
            return None
        row = self._s.conn.execute(f"{_SELECT} WHERE bundle_id = ?", (bundle_id,)).fetchone()
        return _load(row) if row else None

    def last_member(self, bundle_id: str) -> str | None:
        """The record id of the member numbered last (a record about the whole bundle depends on it)."""
        row = self._s.conn.execute(
            "SELECT record_id FROM cases WHERE bundle_id = ? ORDER BY case_no DESC LIMIT 1", (bundle_id,)
        ).fetchone()
        return str(row[0]) if row else None


def _load(row: sqlite3.Row | tuple[object, ...]) -> BundleParent:
    return BundleParent(
        case_no=str(row[0]),
        case_seq=int(str(row[1])),
        bundle_id=str(row[2]),
        bundle_code=str(row[3]),
        bundle_name=str(row[4]),
        staff_no=str(row[5]),
        created_at=parse_iso(str(row[6])),
    )
