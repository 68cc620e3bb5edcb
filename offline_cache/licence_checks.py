"""Declared electronic licences awaiting the platform's check (issue 18, migration 0009).

Scripted intake stores a declared `e_licence` number unverified when the platform cannot be asked; the sync engine
checks it later. One row per (case, material): `unverified` until checked, then `verified` or `failed` with a
Chinese reason — a failed one is the clerk's follow-up (collect paper instead), shown until the clerk clears it.
The licence number stays in `case_materials`; the holder's number is read from the case (encrypted there).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from offline_cache.audit import append_audit
from offline_cache.session import Session

UNVERIFIED, VERIFIED, FAILED = "unverified", "verified", "failed"


@dataclass(frozen=True, slots=True)
class LicenceCheck:
    case_record_id: str
    case_no: str
    material_code: str
    material_name: str
    licence_type: str
    licence_no: str
    state: str
    reason: str

    def __repr__(self) -> str:  # never the licence number
        return f"LicenceCheck({self.case_no!r}, {self.material_code!r}, {self.state!r})"

    @property
    def follow_up_zh(self) -> str:
        """What the clerk reads for a failed check: which case and material, why, and what to do."""
        return f"办件 {self.case_no}“{self.material_name}”电子证照核验未通过：{self.reason}，请联系申请人补交纸质材料"


_SELECT = (
    "SELECT l.case_record_id, c.case_no, l.material_code, m.name, l.licence_type, m.licence_no, l.state, l.reason"
    " FROM licence_checks l JOIN cases c ON c.record_id = l.case_record_id"
    " JOIN case_materials m ON m.case_record_id = l.case_record_id AND m.requirement_code = l.material_code"
)


def failed_checks(conn: sqlite3.Connection) -> list[LicenceCheck]:
    """The clerk's follow-ups: checks that failed, oldest first (also read by `tongban status` without a store)."""
    rows = conn.execute(f"{_SELECT} WHERE l.state = 'failed' ORDER BY l.checked_at").fetchall()
    return [LicenceCheck(*row) for row in rows]


class LicenceChecks:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add_unverified(self, case_record_id: str, materials: list[tuple[str, str]], *, actor: str) -> None:
        """`materials`: (material code, the licence type it names) of a stored case, declared but not checked."""
        with self._s.write() as conn:
            now = self._s.now()
            conn.executemany(
                "INSERT OR REPLACE INTO licence_checks (case_record_id, material_code, licence_type, state, reason,"
                " created_at, checked_at) VALUES (?, ?, ?, 'unverified', '', ?, NULL)",
                [(case_record_id, code, kind, now) for code, kind in materials],
            )
            append_audit(conn, now, actor, "licence.unverified", record_id=case_record_id, detail=str(len(materials)))

    def unverified(self) -> list[LicenceCheck]:
        rows = self._s.conn.execute(f"{_SELECT} WHERE l.state = 'unverified' ORDER BY l.created_at").fetchall()
        return [LicenceCheck(*row) for row in rows]

    def follow_ups(self) -> list[LicenceCheck]:
        return failed_checks(self._s.conn)

    def mark(self, case_record_id: str, material_code: str, state: str, reason: str = "") -> None:
        with self._s.write() as conn:
            now = self._s.now()
            conn.execute(
                "UPDATE licence_checks SET state = ?, reason = ?, checked_at = ?"
                " WHERE case_record_id = ? AND material_code = ?",
                (state, reason, now, case_record_id, material_code),
            )
            append_audit(conn, now, "sync", f"licence.{state}", record_id=case_record_id, detail=material_code)
