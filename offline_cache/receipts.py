"""The print log: every print and reprint of a receipt, successful or not."""

from __future__ import annotations

import sqlite3

from app.domain.models import ReceiptKind, ReceiptOutput, ReceiptRecord
from offline_cache.session import Session, iso, parse_iso


class Receipts:
    def __init__(self, session: Session) -> None:
        self._s = session

    def insert(self, conn: sqlite3.Connection, record: ReceiptRecord) -> None:
        conn.execute(
            "INSERT INTO receipts (record_id, case_no, kind, output, staff_no, printed_at, reprint, success, error)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                record.record_id,
                record.case_no,
                record.kind.value,
                record.output.value,
                record.staff_no,
                iso(record.printed_at),
                int(record.reprint),
                int(record.success),
                record.error,
            ),
        )

    def for_case(self, case_no: str) -> list[ReceiptRecord]:
        """Oldest first."""
        rows = self._s.conn.execute(
            "SELECT record_id, case_no, kind, output, staff_no, printed_at, reprint, success, error FROM receipts"
            " WHERE case_no = ? ORDER BY printed_at, rowid",
            (case_no,),
        )
        return [
            ReceiptRecord(
                record_id=r[0],
                case_no=r[1],
                kind=ReceiptKind(r[2]),
                output=ReceiptOutput(r[3]),
                staff_no=r[4],
                printed_at=parse_iso(r[5]),
                reprint=bool(r[6]),
                success=bool(r[7]),
                error=r[8],
            )
            for r in rows
        ]
