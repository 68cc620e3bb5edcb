"""Counter staff: numbers, display names, PIN hashes, lock-out state. Every change writes an audit entry.

PINs are never stored: `pin_hash` holds `scrypt$<n>$<r>$<p>$<hex digest>` of the PIN with a random 16-byte
`pin_salt` (a slow, salted hash; the parameters travel with the hash so they can be raised later).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import sqlite3
from dataclasses import dataclass

from offline_cache.audit import append_audit
from offline_cache.session import Session, iso, parse_iso

#: scrypt cost: about 50 ms per check on the project's machines, 16 MB of memory.
SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
_SALT_BYTES = 16

#: Staff roles (migration 0004): a clerk takes cases; an admin may also do the hall administrator's work.
ROLE_CLERK = "clerk"
ROLE_ADMIN = "admin"
ROLES = (ROLE_CLERK, ROLE_ADMIN)


@dataclass(frozen=True, slots=True)
class StaffMember:
    staff_no: str
    display_name: str
    disabled: bool
    failed_tries: int
    locked_until: dt.datetime | None
    has_pin: bool
    created_at: dt.datetime
    role: str = ROLE_CLERK

    @property
    def is_admin(self) -> bool:
        return self.role == ROLE_ADMIN


def hash_pin(pin: str, salt: bytes, *, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> str:
    digest = hashlib.scrypt(pin.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=64 * 1024 * 1024, dklen=32)
    return f"scrypt${n}${r}${p}${digest.hex()}"


def verify_pin(pin: str, salt: bytes, stored: str) -> bool:
    """Constant-time comparison against a stored `hash_pin` value; False for a malformed one."""
    try:
        scheme, n, r, p, _digest = stored.split("$")
        if scheme != "scrypt":
            return False
        candidate = hash_pin(pin, salt, n=int(n), r=int(r), p=int(p))
    except ValueError:
        return False
    return hmac.compare_digest(candidate, stored)


_COLUMNS = "staff_no, display_name, disabled, failed_tries, locked_until, pin_hash IS NOT NULL, created_at, role"


def _member(row: tuple[object, ...]) -> StaffMember:
    staff_no, name, disabled, tries, locked, has_pin, created, role = row
    return StaffMember(
        staff_no=str(staff_no),
        display_name=str(name),
        disabled=bool(disabled),
        failed_tries=int(str(tries)),
        locked_until=parse_iso(str(locked)) if locked else None,
        has_pin=bool(has_pin),
        created_at=parse_iso(str(created)),
        role=str(role),
    )


class StaffRepository:
    """The `staff` table. `actor` on each write is who made the change (an admin at the CLI, or the clerk)."""

    def __init__(self, session: Session) -> None:
        self._s = session

    def get(self, staff_no: str) -> StaffMember | None:
        row = self._s.conn.execute(f"SELECT {_COLUMNS} FROM staff WHERE staff_no = ?", (staff_no,)).fetchone()
        return _member(row) if row else None

    def list(self) -> list[StaffMember]:
        rows = self._s.conn.execute(f"SELECT {_COLUMNS} FROM staff ORDER BY staff_no").fetchall()
        return [_member(r) for r in rows]

    def credentials(self, staff_no: str) -> tuple[bytes, str] | None:
        """(salt, stored hash) for checking a PIN; None when the member or their PIN does not exist."""
        row = self._s.conn.execute("SELECT pin_salt, pin_hash FROM staff WHERE staff_no = ?", (staff_no,)).fetchone()
        if row is None or row[0] is None or row[1] is None:
            return None
        return bytes(row[0]), str(row[1])

    def add(self, staff_no: str, display_name: str, pin: str, *, actor: str, role: str = ROLE_CLERK) -> StaffMember:
        """Add a member with a PIN; raises ValueError when the number exists already or the role is unknown."""
        if role not in ROLES:
            raise ValueError(f"unknown role {role}")
        salt = secrets.token_bytes(_SALT_BYTES)
        stored = hash_pin(pin, salt)
        now = self._s.now()
        with self._s.write() as conn:
            try:
                conn.execute(
                    "INSERT INTO staff (staff_no, display_name, pin_hash, pin_salt, created_at, updated_at, role)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (staff_no, display_name, stored, salt, now, now, role),
                )
            except sqlite3.IntegrityError as exc:
                raise ValueError(f"staff number {staff_no} exists") from exc
            append_audit(conn, now, actor, "staff_added", record_id=None, detail=f"{staff_no}:{role}")
        member = self.get(staff_no)
        assert member is not None
        return member

    def set_disabled(self, staff_no: str, disabled: bool, *, actor: str) -> bool:
        now = self._s.now()
        with self._s.write() as conn:
            changed = conn.execute(
                "UPDATE staff SET disabled = ?, updated_at = ? WHERE staff_no = ?", (int(disabled), now, staff_no)
            ).rowcount
            if changed:
                action = "staff_disabled" if disabled else "staff_enabled"
                append_audit(conn, now, actor, action, record_id=None, detail=staff_no)
        return changed > 0

    def set_role(self, staff_no: str, role: str, *, actor: str) -> bool:
        """Change a member's role (audited); False when there is no such member."""
        if role not in ROLES:
            raise ValueError(f"unknown role {role}")
        now = self._s.now()
        with self._s.write() as conn:
            changed = conn.execute(
                "UPDATE staff SET role = ?, updated_at = ? WHERE staff_no = ?", (role, now, staff_no)
            ).rowcount
            if changed:
                append_audit(conn, now, actor, "staff_role_set", record_id=None, detail=f"{staff_no}:{role}")
        return changed > 0

    def has_active_admin(self) -> bool:
        """Whether an admin who can sign in exists (not disabled, with a PIN)."""
        row = self._s.conn.execute(
            "SELECT 1 FROM staff WHERE role = ? AND disabled = 0 AND pin_hash IS NOT NULL LIMIT 1", (ROLE_ADMIN,)
        ).fetchone()
        return row is not None

    def record_failure(self, staff_no: str, *, lock_after: int, lock_until: dt.datetime) -> StaffMember | None:
        """Count a wrong PIN; the `lock_after`-th wrong try in a row locks the member until `lock_until`."""
        now = self._s.now()
        with self._s.write() as conn:
            row = conn.execute(
                "UPDATE staff SET failed_tries = failed_tries + 1, updated_at = ? WHERE staff_no = ?"
                " RETURNING failed_tries",
                (now, staff_no),
            ).fetchone()
            if row is None:
                append_audit(conn, now, "unknown", "sign_in_failed", record_id=None, detail="unknown_staff")
                return None
            append_audit(conn, now, staff_no, "sign_in_failed", record_id=None, detail="wrong_pin")
            if int(row[0]) >= lock_after:
                conn.execute(
                    "UPDATE staff SET failed_tries = 0, locked_until = ? WHERE staff_no = ?",
                    (iso(lock_until), staff_no),
                )
                append_audit(conn, now, staff_no, "staff_locked", record_id=None, detail=f"{lock_after}_tries")
        return self.get(staff_no)

    def record_sign_in(self, staff_no: str) -> None:
        now = self._s.now()
        with self._s.write() as conn:
            conn.execute(
                "UPDATE staff SET failed_tries = 0, locked_until = NULL, updated_at = ? WHERE staff_no = ?",
                (now, staff_no),
            )
            append_audit(conn, now, staff_no, "signed_in", record_id=None)

    def record_sign_out(self, staff_no: str, *, reason: str) -> None:
        with self._s.write() as conn:
            append_audit(conn, self._s.now(), staff_no, "signed_out", record_id=None, detail=reason)
