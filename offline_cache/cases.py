"""Cases with their materials and attachment references; personal columns encrypted per value."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from app.domain.models import (
    Agent,
    Applicant,
    ApplicantKind,
    Attachment,
    Case,
    CaseState,
    DeliveryMethod,
    EnterpriseApplicant,
    MaterialStatus,
    OriginalsHandling,
    PersonApplicant,
    ReceivedMaterial,
    ResultDelivery,
    Routing,
)
from app.protocol import PERSONAL_FIELDS
from offline_cache.audit import append_audit
from offline_cache.crypto import aad
from offline_cache.session import Session, iso, parse_iso

#: Columns of `cases` holding personal data: the wire's personal keys, one column each (encrypted, purged).
PERSONAL_COLUMNS = tuple(sorted(PERSONAL_FIELDS))

_PLAIN_COLUMNS = (
    "record_id",
    "case_no",
    "case_seq",
    "item_code",
    "item_name",
    "state",
    "applicant_kind",
    "applicant_credit_code",
    "delivery_method",
    "delivery_postcode",
    "division",
    "hall",
    "window",
    "terminal",
    "staff_no",
    "department",
    "jurisdiction",
    "originals",
    "tracking_no",
    "created_at",
    "expected_date",
    "expected_is_estimate",
    "refusal_reason",
    "bundle_id",
    "platform_case_no",
    "updated_at",
    "purged_at",
)
_ALL = _PLAIN_COLUMNS + PERSONAL_COLUMNS
_SELECT = f"SELECT {', '.join(_ALL)} FROM cases"


@dataclass(frozen=True, slots=True)
class StoredCase:
    """A case as stored: the domain object plus what only the store knows."""

    case: Case
    case_seq: int
    updated_at: dt.datetime
    purged: bool  # personal fields were purged after retention (they read as "")


def _personal_values(case: Case) -> dict[str, str | None]:
    applicant = case.applicant
    person = applicant if isinstance(applicant, PersonApplicant) else None
    enterprise = applicant if isinstance(applicant, EnterpriseApplicant) else None
    agent = case.agent
    return {
        "applicant_name": applicant.name,
        "applicant_id_number": person.id_number if person else None,
        "applicant_phone": person.phone if person else None,
        "applicant_address": applicant.address,
        "legal_representative": enterprise.legal_representative if enterprise else None,
        "contact_name": enterprise.contact_name if enterprise else None,
        "contact_phone": enterprise.contact_phone if enterprise else None,
        "agent_name": agent.name if agent else None,
        "agent_id_number": agent.id_number if agent else None,
        "agent_phone": agent.phone if agent else None,
        "delivery_address": case.delivery.address,
        "delivery_phone": case.delivery.recipient_phone,
    }


def _attachment_aad(record_id: str, material: int, position: int) -> str:
    return aad("case_attachments", "filename", f"{record_id}/{material}/{position}")


class Cases:
    def __init__(self, session: Session) -> None:
        self._s = session

    def insert(self, conn: sqlite3.Connection, case: Case, *, case_seq: int) -> None:
        """Write the case, its materials and attachment references. Call inside `Session.write()`."""
        cipher = self._s.cipher
        rid = case.record_id
        r = case.routing
        applicant = case.applicant
        row: dict[str, Any] = {
            "record_id": rid,
            "case_no": case.case_no,
            "case_seq": case_seq,
            "item_code": case.item_code,
            "item_name": case.item_name,
            "state": case.state.value,
            "applicant_kind": applicant.kind.value,
            "applicant_credit_code": applicant.credit_code if isinstance(applicant, EnterpriseApplicant) else None,
            "delivery_method": case.delivery.method.value,
            "delivery_postcode": case.delivery.postcode,
            "division": r.division,
            "hall": r.hall,
            "window": r.window,
            "terminal": r.terminal,
            "staff_no": r.staff_no,
            "department": r.department,
            "jurisdiction": r.jurisdiction,
            "originals": r.originals.value,
            "tracking_no": r.tracking_no,
            "created_at": iso(case.created_at),
            "expected_date": case.expected_date.isoformat() if case.expected_date else None,
            "expected_is_estimate": int(case.expected_is_estimate),
            "refusal_reason": case.refusal_reason,
            "bundle_id": case.bundle_id,
            "platform_case_no": case.platform_case_no,
            "updated_at": self._s.now(),
            "purged_at": None,
        }
        for column, value in _personal_values(case).items():
            row[column] = None if value is None else cipher.encrypt_str(value, aad("cases", column, rid))
        conn.execute(f"INSERT INTO cases ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", tuple(row.values()))
        for mpos, material in enumerate(case.materials):
            conn.execute(
                "INSERT INTO case_materials"
                " (case_record_id, position, requirement_code, name, status, count, note, licence_no)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    rid,
                    mpos,
                    material.requirement_code,
                    material.name,
                    material.status.value,
                    material.count,
                    material.note,
                    material.licence_no,
                ),
            )
            for apos, att in enumerate(material.attachments):
                conn.execute(
                    "INSERT INTO case_attachments (case_record_id, material_position, position, sha256, filename,"
                    " media_type, size) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        rid,
                        mpos,
                        apos,
                        att.sha256,
                        cipher.encrypt_str(att.filename, _attachment_aad(rid, mpos, apos)),
                        att.media_type,
                        att.size,
                    ),
                )

    # --- reading ------------------------------------------------------------------------------------------

    def get(self, record_id: str) -> StoredCase | None:
        row = self._s.conn.execute(f"{_SELECT} WHERE record_id = ?", (record_id,)).fetchone()
        return self._load(row) if row else None

    def get_by_no(self, case_no: str) -> StoredCase | None:
        row = self._s.conn.execute(f"{_SELECT} WHERE case_no = ?", (case_no,)).fetchone()
        return self._load(row) if row else None

    def list_bundle(self, bundle_id: str) -> list[StoredCase]:
        """The cases of one 一件事 bundle (same `bundle_id`), in the order they were numbered."""
        rows = self._s.conn.execute(f"{_SELECT} WHERE bundle_id = ? ORDER BY case_no", (bundle_id,)).fetchall()
        return [self._load(row) for row in rows]

    def record_id_of(self, case_no: str) -> str | None:
        row = self._s.conn.execute("SELECT record_id FROM cases WHERE case_no = ?", (case_no,)).fetchone()
        return str(row[0]) if row else None

    def list_recent(
        self,
        *,
        limit: int = 50,
        states: Sequence[CaseState] = (),
        item_code: str | None = None,
        staff_no: str | None = None,
        since: dt.datetime | None = None,
    ) -> list[StoredCase]:
        """Newest first, filtered by state, item, clerk and intake time."""
        where: list[str] = []
        params: list[Any] = []
        if states:
            where.append(f"state IN ({', '.join('?' * len(states))})")
            params.extend(s.value for s in states)
        if item_code is not None:
            where.append("item_code = ?")
            params.append(item_code)
        if staff_no is not None:
            where.append("staff_no = ?")
            params.append(staff_no)
        if since is not None:
            where.append("created_at >= ?")
            params.append(iso(since))
        sql = _SELECT + (f" WHERE {' AND '.join(where)}" if where else "")
        sql += " ORDER BY created_at DESC, case_no DESC LIMIT ?"
        params.append(limit)
        return [self._load(row) for row in self._s.conn.execute(sql, params).fetchall()]

    def count(self) -> int:
        return int(self._s.conn.execute("SELECT count(*) FROM cases").fetchone()[0])

    # --- updates from the platform ------------------------------------------------------------------------

    def apply_platform_update(
        self,
        case_no: str,
        *,
        state: CaseState,
        actor: str,
        platform_case_no: str | None = None,
        tracking_no: str | None = None,
    ) -> bool:
        """A status change from the platform's updates feed, with its audit entry. False for an unknown case."""
        with self._s.write() as conn:
            rows = conn.execute(
                "UPDATE cases SET state = ?, platform_case_no = coalesce(?, platform_case_no),"
                " tracking_no = coalesce(?, tracking_no), updated_at = ? WHERE case_no = ? RETURNING record_id",
                (state.value, platform_case_no, tracking_no, self._s.now(), case_no),
            ).fetchall()
            if not rows:
                return False
            append_audit(conn, self._s.now(), actor, "case_state_updated", record_id=rows[0][0], detail=state.value)
        return True

    # --- mapping ------------------------------------------------------------------------------------------

    def _load(self, row: Sequence[Any]) -> StoredCase:
        values = dict(zip(_ALL, row, strict=True))
        rid: str = values["record_id"]
        cipher = self._s.cipher

        def personal(column: str) -> str:
            blob = values[column]
            return "" if blob is None else cipher.decrypt_str(blob, aad("cases", column, rid))

        applicant: Applicant
        if values["applicant_kind"] == ApplicantKind.ENTERPRISE.value:
            applicant = EnterpriseApplicant(
                name=personal("applicant_name"),
                credit_code=values["applicant_credit_code"] or "",
                legal_representative=personal("legal_representative"),
                contact_name=personal("contact_name"),
                contact_phone=personal("contact_phone"),
                address=personal("applicant_address"),
            )
        else:
            applicant = PersonApplicant(
                name=personal("applicant_name"),
                id_number=personal("applicant_id_number"),
                phone=personal("applicant_phone"),
                address=personal("applicant_address"),
            )
        agent = None
        if values["agent_name"] is not None or values["agent_id_number"] is not None:
            agent = Agent(
                name=personal("agent_name"), id_number=personal("agent_id_number"), phone=personal("agent_phone")
            )
        case = Case(
            record_id=rid,
            case_no=values["case_no"],
            item_code=values["item_code"],
            item_name=values["item_name"],
            state=CaseState(values["state"]),
            applicant=applicant,
            routing=Routing(
                division=values["division"],
                hall=values["hall"],
                window=values["window"],
                terminal=values["terminal"],
                staff_no=values["staff_no"],
                department=values["department"],
                jurisdiction=values["jurisdiction"],
                originals=OriginalsHandling(values["originals"]),
                tracking_no=values["tracking_no"],
            ),
            delivery=ResultDelivery(
                method=DeliveryMethod(values["delivery_method"]),
                address=personal("delivery_address"),
                postcode=values["delivery_postcode"],
                recipient_phone=personal("delivery_phone"),
            ),
            materials=self._materials(rid),
            agent=agent,
            created_at=parse_iso(values["created_at"]),
            expected_date=dt.date.fromisoformat(values["expected_date"]) if values["expected_date"] else None,
            expected_is_estimate=bool(values["expected_is_estimate"]),
            refusal_reason=values["refusal_reason"],
            bundle_id=values["bundle_id"],
            platform_case_no=values["platform_case_no"],
        )
        return StoredCase(
            case=case,
            case_seq=values["case_seq"],
            updated_at=parse_iso(values["updated_at"]),
            purged=values["purged_at"] is not None,
        )

    def _materials(self, rid: str) -> tuple[ReceivedMaterial, ...]:
        conn = self._s.conn
        attachments: dict[int, list[Attachment]] = {}
        for mpos, apos, sha, filename, media_type, size in conn.execute(
            "SELECT material_position, position, sha256, filename, media_type, size FROM case_attachments"
            " WHERE case_record_id = ? ORDER BY material_position, position",
            (rid,),
        ):
            name = "" if filename is None else self._s.cipher.decrypt_str(filename, _attachment_aad(rid, mpos, apos))
            attachments.setdefault(mpos, []).append(Attachment(sha, name, media_type, size))
        return tuple(
            ReceivedMaterial(
                requirement_code=code,
                name=name,
                status=MaterialStatus(status),
                count=count,
                note=note,
                attachments=tuple(attachments.get(mpos, ())),
                licence_no=licence_no,
            )
            for mpos, code, name, status, count, note, licence_no in conn.execute(
                "SELECT position, requirement_code, name, status, count, note, licence_no FROM case_materials"
                " WHERE case_record_id = ? ORDER BY position",
                (rid,),
            )
        )
