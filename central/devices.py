"""Device enrolment with one-time codes, listing, revocation and two-step key rotation."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, and_, select, update

from central import schema
from central.auth import Device
from central.db import iso, lock_change_log, now_utc, read, write

log = logging.getLogger("tongban.central.devices")

CODE_TTL = dt.timedelta(hours=24)
# No 0/O, 1/I/L: the code is read aloud and typed.
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
_CODE_LEN = 16
DEFAULT_DIVISION = "210800"
_DIVISION_RE = re.compile(r"\A[0-9]{6}\Z")
_TERMINAL_RE = re.compile(r"\A[0-9]{3}\Z")
#: A hall or window code as an admin may type it: one or two digits ("3" is window 03).
_TWO_DIGITS_RE = re.compile(r"\A[0-9]{1,2}\Z")


class EnrolError(Exception):
    def __init__(self, error: str, message: str) -> None:
        super().__init__(message)
        self.error = error
        self.message = message


@dataclass(frozen=True)
class EnrolCode:
    code: str
    division: str
    hall: str
    window: str
    terminal: str
    expires_at: str


def two_digit_code(value: str, what: str) -> str:
    """A hall or window code in the form terminals number cases with: two ASCII digits ("3" → "03", " 07" →
    "07"). Raises ValueError naming `what` for anything else (letters, three digits, a dash)."""
    text = value.strip()
    if not _TWO_DIGITS_RE.match(text):
        raise ValueError(f"{what} must be one or two digits (issued as two, e.g. 3 -> 03), not {value!r}")
    return f"{int(text):02d}"


def normalise_code(code: str) -> str:
    return re.sub(r"[\s-]", "", code).upper()


def _code_hash(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode("ascii", "replace")).hexdigest()


def create_enrol_code(
    engine: Engine, *, division: str, hall: str, window: str, terminal: str | None = None
) -> EnrolCode:
    """A one-time code for one terminal of a hall, valid 24 h; the terminal code is the next free one if not given."""
    if not _DIVISION_RE.match(division):
        raise ValueError("division must be 6 digits")
    # Terminals number cases with two-digit hall and window codes: issue them in that form or not at all.
    hall = two_digit_code(hall, "hall")
    window = two_digit_code(window, "window")
    if terminal is not None and not _TERMINAL_RE.match(terminal):
        raise ValueError("terminal must be 3 digits")
    code = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(_CODE_LEN))
    now = now_utc()
    with write(engine) as conn:
        # Serialise code creation on PostgreSQL too, so two admins cannot be handed the same terminal code.
        lock_change_log(conn)
        if terminal is None:
            terminal = _next_terminal(conn, division, hall)
        else:
            active = conn.execute(
                select(schema.devices.c.device_id).where(
                    and_(
                        schema.devices.c.division == division,
                        schema.devices.c.hall == hall,
                        schema.devices.c.terminal == terminal,
                        schema.devices.c.revoked_at.is_(None),
                    )
                )
            ).first()
            if active is not None:
                raise ValueError(f"terminal {terminal} is enrolled and not revoked (device {active.device_id})")
        expires = iso(now + CODE_TTL)
        conn.execute(
            schema.enrol_codes.insert().values(
                code_sha256=_code_hash(code),
                division=division,
                hall=hall,
                window=window,
                terminal=terminal,
                created_at=iso(now),
                expires_at=expires,
            )
        )
    grouped = "-".join(code[i : i + 4] for i in range(0, _CODE_LEN, 4))
    return EnrolCode(grouped, division, hall, window, terminal, expires)


def _next_terminal(conn: Any, division: str, hall: str) -> str:
    used = set(
        conn.execute(
            select(schema.devices.c.terminal).where(
                and_(schema.devices.c.division == division, schema.devices.c.hall == hall)
            )
        ).scalars()
    )
    used |= set(
        conn.execute(
            select(schema.enrol_codes.c.terminal).where(
                and_(schema.enrol_codes.c.division == division, schema.enrol_codes.c.hall == hall)
            )
        ).scalars()
    )
    for number in range(1, 1000):
        candidate = f"{number:03d}"
        if candidate not in used:
            return candidate
    raise ValueError("this hall has no free terminal code left")


def enrol(engine: Engine, code: str) -> dict[str, str]:
    """Redeem a one-time code: a new device with a fresh 32-byte secret (returned once, never logged)."""
    now = now_utc()
    device_id = str(uuid.uuid4())
    key_id = str(uuid.uuid4())
    secret = secrets.token_hex(32)
    c = schema.enrol_codes.c
    with write(engine) as conn:
        row = conn.execute(select(schema.enrol_codes).where(c.code_sha256 == _code_hash(code))).first()
        if row is None:
            raise EnrolError("invalid_code", "unknown enrolment code")
        if row.used_at is not None:
            raise EnrolError("code_used", "this enrolment code was already used")
        if row.expires_at < iso(now):
            raise EnrolError("code_expired", "this enrolment code has expired")
        try:  # a code made before hall and window were checked at creation ("A3"): refused, not handed out
            hall, window = two_digit_code(row.hall, "hall"), two_digit_code(row.window, "window")
        except ValueError as exc:
            raise EnrolError("bad_identity", f"this enrolment code cannot be used: {exc}") from None
        # Conditional update: of two concurrent redemptions only one changes the row.
        claimed = conn.execute(
            update(schema.enrol_codes)
            .where(and_(c.code_sha256 == row.code_sha256, c.used_at.is_(None)))
            .values(used_at=iso(now), device_id=device_id)
        )
        if claimed.rowcount != 1:
            raise EnrolError("code_used", "this enrolment code was already used")
        conn.execute(
            schema.devices.insert().values(
                device_id=device_id,
                division=row.division,
                hall=hall,
                window=window,
                terminal=row.terminal,
                key_id=key_id,
                secret=secret,
                created_at=iso(now),
            )
        )
    log.info("enrolled device %s as terminal %s%s%s", device_id, row.division, row.hall, row.terminal)
    return {
        "device_id": device_id,
        "key_id": key_id,
        "secret": secret,
        "terminal": row.terminal,
        "division": row.division,
        "hall": hall,
        "window": window,
    }


def list_devices(engine: Engine) -> list[dict[str, Any]]:
    d = schema.devices.c
    with read(engine) as conn:
        rows = conn.execute(
            select(
                d.device_id, d.division, d.hall, d.window, d.terminal, d.created_at, d.last_seen_at, d.revoked_at
            ).order_by(d.division, d.hall, d.terminal, d.created_at)
        ).all()
    return [dict(row._mapping) for row in rows]


def revoke(engine: Engine, device_id: str) -> bool:
    with write(engine) as conn:
        result = conn.execute(
            update(schema.devices)
            .where(and_(schema.devices.c.device_id == device_id, schema.devices.c.revoked_at.is_(None)))
            .values(revoked_at=iso(now_utc()))
        )
    if result.rowcount == 1:
        log.info("revoked device %s", device_id)
    return result.rowcount == 1


def rotate(engine: Engine, device: Device) -> dict[str, str]:
    """Start a rotation: a pending key that works beside the current one until confirmed.

    Asking again before confirming replaces the pending key (the terminal may have crashed before storing it).
    """
    if device.signed_with_pending:
        raise EnrolError("rotate_with_pending_key", "sign rotate with the current key, or confirm the new one")
    key_id = str(uuid.uuid4())
    secret = secrets.token_hex(32)
    with write(engine) as conn:
        conn.execute(
            update(schema.devices)
            .where(schema.devices.c.device_id == device.device_id)
            .values(pending_key_id=key_id, pending_secret=secret)
        )
    log.info("device %s started a key rotation", device.device_id)
    return {"device_id": device.device_id, "key_id": key_id, "secret": secret}


def confirm_rotation(engine: Engine, device: Device) -> dict[str, str]:
    """Finish a rotation; must be signed with the new key. Repeating it with the (now current) key is harmless."""
    d = schema.devices.c
    if not device.signed_with_pending:
        with read(engine) as conn:
            pending = conn.execute(select(d.pending_key_id).where(d.device_id == device.device_id)).scalar()
        if pending is not None:
            raise EnrolError("confirm_with_new_key", "sign rotate/confirm with the new key")
        return {"device_id": device.device_id, "key_id": device.key_id}
    with write(engine) as conn:
        conn.execute(
            update(schema.devices)
            .where(and_(d.device_id == device.device_id, d.pending_key_id == device.key_id))
            .values(key_id=d.pending_key_id, secret=d.pending_secret, pending_key_id=None, pending_secret=None)
        )
    log.info("device %s confirmed its new key", device.device_id)
    return {"device_id": device.device_id, "key_id": device.key_id}
