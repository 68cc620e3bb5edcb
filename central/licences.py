"""Electronic licence library (电子证照库): the licences, the holder's consent tokens, and the access audit.

A terminal first asks for a consent token for one holder (the applicant ticked consent at the counter, and where a
card reader exists the card was read); the token, not the holder's number, is what every later request carries, so
the number crosses the wire once, in a POST body, and is never in a URL or a log. Every request — consent, list,
fetch, verify, refused or not — writes one `licence_access` row (which terminal, window, clerk, case, when, what),
shown on the supervisor page. Holders are stored as the SHA-256 of their number plus a masked form.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import logging
import re
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, delete, desc, func, insert, select, update

from central import schema
from central.auth import Device
from central.db import iso, now_utc, write

log = logging.getLogger("tongban.central.licences")

#: The licence types the library holds; catalogue materials name one of these (`licence_type`).
LICENCE_TYPES = ("居民身份证", "居民户口簿", "结婚证", "不动产权证书", "营业执照", "出生医学证明")
#: Types whose holder is an enterprise (credit code); the others are held by a person (ID number).
ENTERPRISE_TYPES = ("营业执照",)
CONSENT_METHODS = ("tick", "tick_card", "declared")
CONSENT_TTL_S = 30 * 60
MAX_IMAGE_BYTES = 2 * 1024 * 1024
MEDIA_TYPES = ("image/svg+xml", "image/png", "image/jpeg", "application/pdf")

_ID_RE = re.compile(r"\A[0-9]{17}[0-9X]\Z")
_USCC_RE = re.compile(r"\A[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}\Z")
_LICENCE_NO_RE = re.compile(r"\A[0-9A-Za-z\-]{6,64}\Z")
_CASE_REF_RE = re.compile(r"\A[0-9A-Za-z\-]{1,40}\Z")
_STAFF_RE = re.compile(r"\A[0-9A-Za-z]{1,32}\Z")
_DATE_RE = re.compile(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")


class LicenceError(ValueError):
    """A request or data entry the library refuses; `field` names what is wrong."""

    def __init__(self, code: str, field: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.field = field
        self.message = message


def normalize_holder(value: str) -> str:
    return value.strip().upper()


def is_holder_id(value: object) -> bool:
    return isinstance(value, str) and bool(_ID_RE.match(value) or _USCC_RE.match(value))


def holder_key(holder: str) -> str:
    return hashlib.sha256(normalize_holder(holder).encode("ascii")).hexdigest()


def mask_holder(holder: str) -> str:
    """First 4 and last 4 characters, the rest as `*` (an ID number or a credit code)."""
    holder = normalize_holder(holder)
    return holder[:4] + "*" * (len(holder) - 8) + holder[-4:]


def mask_licence_no(licence_no: str) -> str:
    if len(licence_no) <= 8:
        return licence_no[:2] + "*" * (len(licence_no) - 2)
    return licence_no[:4] + "*" * (len(licence_no) - 8) + licence_no[-4:]


# --- loading ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LicenceEntry:
    licence_no: str
    licence_type: str
    holder: str
    issuer: str
    valid_from: str
    valid_until: str | None
    media_type: str
    image: bytes


def _date(value: Any, where: str, field: str, *, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str) or not _DATE_RE.match(value):
        raise LicenceError("bad_field", field, f"{where}: {field} must be a date YYYY-MM-DD")
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        raise LicenceError("bad_field", field, f"{where}: {field} is not a calendar date") from None
    return value


def parse_entries(data: Any, *, read_file: Any = None) -> list[LicenceEntry]:
    """Validate a sample-data document `{"licences": [...]}`; errors name the entry and the field.

    Each entry: licence_no, licence_type (one of LICENCE_TYPES), holder (ID number, or credit code for 营业执照),
    issuer, valid_from, valid_until (null = 长期), and optionally `image_file` (read with `read_file(name)` ->
    (bytes, media_type)); without one, a card image is rendered as SVG (holder shown masked).
    """
    if not isinstance(data, dict) or not isinstance(data.get("licences"), list):
        raise LicenceError("bad_file", "licences", 'the file must be an object {"licences": [...]}')
    entries: list[LicenceEntry] = []
    seen: set[str] = set()
    for index, raw in enumerate(data["licences"]):
        where = f"licences[{index}]"
        if not isinstance(raw, dict):
            raise LicenceError("bad_field", "", f"{where} must be an object")
        number = raw.get("licence_no")
        if not isinstance(number, str) or not _LICENCE_NO_RE.match(number):
            raise LicenceError("bad_field", "licence_no", f"{where}: licence_no must be 6-64 letters, digits or -")
        where = f"{where} ({number})"
        if number in seen:
            raise LicenceError("bad_field", "licence_no", f"{where}: licence_no appears twice")
        seen.add(number)
        kind = raw.get("licence_type")
        if kind not in LICENCE_TYPES:
            raise LicenceError("bad_field", "licence_type", f"{where}: licence_type must be one of {LICENCE_TYPES}")
        holder = normalize_holder(raw.get("holder", "")) if isinstance(raw.get("holder"), str) else ""
        wanted = _USCC_RE if kind in ENTERPRISE_TYPES else _ID_RE
        if not wanted.match(holder):
            what = "an 18-character credit code" if kind in ENTERPRISE_TYPES else "an 18-character ID number"
            raise LicenceError("bad_field", "holder", f"{where}: holder must be {what}")
        issuer = raw.get("issuer")
        if not isinstance(issuer, str) or not issuer.strip() or len(issuer) > 100:
            raise LicenceError("bad_field", "issuer", f"{where}: issuer must be 1-100 characters")
        valid_from = _date(raw.get("valid_from"), where, "valid_from")
        valid_until = _date(raw.get("valid_until"), where, "valid_until", optional=True)
        assert valid_from is not None
        if valid_until is not None and valid_until < valid_from:
            raise LicenceError("bad_field", "valid_until", f"{where}: valid_until is before valid_from")
        image, media_type = _image(raw, where, read_file, kind, number, holder, issuer.strip(), valid_from, valid_until)
        entries.append(LicenceEntry(number, kind, holder, issuer.strip(), valid_from, valid_until, media_type, image))
    return entries


def _image(raw: dict[str, Any], where: str, read_file: Any, *card: Any) -> tuple[bytes, str]:
    kind, number, holder, issuer, valid_from, valid_until = card
    image_file = raw.get("image_file")
    if image_file is not None:
        if not isinstance(image_file, str) or read_file is None:
            raise LicenceError("bad_field", "image_file", f"{where}: image_file must be a file name")
        image, media_type = read_file(image_file)
        if media_type not in MEDIA_TYPES:
            raise LicenceError("bad_field", "image_file", f"{where}: image_file must be SVG, PNG, JPEG or PDF")
    else:
        media_type = "image/svg+xml"
        image = render_card(
            kind, number=number, holder=holder, issuer=issuer, valid_from=valid_from, valid_until=valid_until
        )
    if len(image) > MAX_IMAGE_BYTES:
        raise LicenceError("bad_field", "image_file", f"{where}: image is larger than {MAX_IMAGE_BYTES} bytes")
    return image, media_type


def render_card(kind: str, *, number: str, holder: str, issuer: str, valid_from: str, valid_until: str | None) -> bytes:
    """A plain licence card as SVG (sample data has no scans); the holder appears masked only."""
    lines = [
        ("证照类型", kind),
        ("证照编号", number),
        ("持证主体", mask_holder(holder)),
        ("发证机关", issuer),
        ("有效期限", f"{valid_from} 至 {valid_until or '长期'}"),
    ]
    rows = "".join(
        f'<text x="24" y="{96 + 36 * i}" font-size="18">{html.escape(k)}：{html.escape(v)}</text>'
        for i, (k, v) in enumerate(lines)
    )
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="560" height="300" viewBox="0 0 560 300">'
        '<rect x="2" y="2" width="556" height="296" rx="12" fill="#fffdf5" stroke="#c8102e" stroke-width="3"/>'
        f'<text x="24" y="48" font-size="24" font-weight="bold" fill="#c8102e">电子证照 · {html.escape(kind)}</text>'
        f"{rows}</svg>"
    )
    return svg.encode("utf-8")


def load(engine: Engine, entries: list[LicenceEntry]) -> tuple[int, int]:
    """Insert or replace the entries (by licence number); returns (added, replaced)."""
    added = replaced = 0
    now = iso(now_utc())
    with write(engine) as conn:
        for e in entries:
            values = {
                "licence_type": e.licence_type,
                "holder_key": holder_key(e.holder),
                "holder_masked": mask_holder(e.holder),
                "issuer": e.issuer,
                "valid_from": e.valid_from,
                "valid_until": e.valid_until,
                "media_type": e.media_type,
                "image": e.image,
                "loaded_at": now,
            }
            t = schema.licences
            held = conn.execute(select(t.c.licence_no).where(t.c.licence_no == e.licence_no)).first()
            if held is None:
                conn.execute(insert(t).values(licence_no=e.licence_no, **values))
                added += 1
            else:
                conn.execute(update(t).where(t.c.licence_no == e.licence_no).values(**values))
                replaced += 1
    log.info("licence library loaded: %d added, %d replaced", added, replaced)
    return added, replaced


# --- the terminal API ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Consent:
    holder_key: str
    holder_masked: str
    case_ref: str
    staff_no: str


def _audit(
    conn: Any,
    device: Device,
    *,
    action: str,
    outcome: str,
    case_ref: str,
    staff_no: str,
    holder_masked: str = "",
    licence_no: str | None = None,
    licence_type: str | None = None,
) -> None:
    conn.execute(
        insert(schema.licence_access).values(
            at=iso(now_utc()),
            device_id=device.device_id,
            terminal_key=device.terminal_key,
            window=device.window,
            staff_no=staff_no,
            case_ref=case_ref,
            action=action,
            licence_no=licence_no,
            licence_type=licence_type,
            holder_masked=holder_masked,
            outcome=outcome,
        )
    )
    log.info(
        "licence access action=%s outcome=%s terminal=%s case=%s type=%s",
        action,
        outcome,
        device.terminal_key,
        case_ref,
        licence_type or "-",
    )


def _text(payload: dict[str, Any], field: str, pattern: re.Pattern[str], what: str) -> str:
    value = payload.get(field)
    if not isinstance(value, str) or not pattern.match(value):
        raise LicenceError("bad_field", field, f"{field} must be {what}")
    return value


def grant_consent(
    engine: Engine, device: Device, payload: dict[str, Any], *, now: float | None = None
) -> dict[str, Any]:
    """Record the holder's consent for this terminal and case; returns the token (valid CONSENT_TTL_S)."""
    case_ref = _text(payload, "case_ref", _CASE_REF_RE, "1-40 letters, digits or -")
    staff_no = _text(payload, "staff_no", _STAFF_RE, "1-32 letters or digits")
    holder = payload.get("holder_id")
    if not isinstance(holder, str) or not is_holder_id(normalize_holder(holder)):
        raise LicenceError("bad_field", "holder_id", "holder_id must be an 18-character ID number or credit code")
    method = payload.get("method")
    if method not in CONSENT_METHODS:
        raise LicenceError("bad_field", "method", f"method must be one of {CONSENT_METHODS}")
    token = secrets.token_urlsafe(32)
    expires = int(now if now is not None else time.time()) + CONSENT_TTL_S
    masked = mask_holder(holder)
    with write(engine) as conn:
        conn.execute(
            delete(schema.licence_consents).where(schema.licence_consents.c.expires_at < int(time.time()) - 86400)
        )
        conn.execute(
            insert(schema.licence_consents).values(
                token_sha256=hashlib.sha256(token.encode()).hexdigest(),
                holder_key=holder_key(holder),
                holder_masked=masked,
                device_id=device.device_id,
                case_ref=case_ref,
                staff_no=staff_no,
                method=method,
                created_at=iso(now_utc()),
                expires_at=expires,
            )
        )
        _audit(
            conn,
            device,
            action="consent",
            outcome=f"granted_{method}",
            case_ref=case_ref,
            staff_no=staff_no,
            holder_masked=masked,
        )
    return {"consent_token": token, "expires_at": expires}


@contextmanager
def _audited(engine: Engine) -> Iterator[Any]:
    """A write transaction that commits the audit row of a refused request before the refusal is raised."""
    refusal: LicenceError | None = None
    with write(engine) as conn:
        try:
            yield conn
        except LicenceError as exc:
            refusal = exc
    if refusal is not None:
        raise refusal


def _consent(conn: Any, device: Device, payload: dict[str, Any], action: str) -> Consent:
    token = payload.get("consent_token")
    row = None
    if isinstance(token, str) and 0 < len(token) <= 100:
        t = schema.licence_consents
        row = conn.execute(
            select(t.c.holder_key, t.c.holder_masked, t.c.case_ref, t.c.staff_no, t.c.device_id, t.c.expires_at).where(
                t.c.token_sha256 == hashlib.sha256(token.encode()).hexdigest()
            )
        ).first()
    if row is None or row.device_id != device.device_id or row.expires_at < int(time.time()):
        _audit(conn, device, action=action, outcome="consent_invalid", case_ref="-", staff_no="-")
        raise LicenceError("consent_required", "consent_token", "no valid consent token for this terminal")
    return Consent(row.holder_key, row.holder_masked, row.case_ref, row.staff_no)


def _valid(valid_from: str, valid_until: str | None, today: str) -> bool:
    return valid_from <= today and (valid_until is None or today <= valid_until)


def _summary(row: Any, today: str) -> dict[str, Any]:
    return {
        "licence_no": row.licence_no,
        "licence_type": row.licence_type,
        "issuer": row.issuer,
        "valid_from": row.valid_from,
        "valid_until": row.valid_until,
        "valid": _valid(row.valid_from, row.valid_until, today),
        "holder_masked": row.holder_masked,
    }


def _columns() -> list[Any]:
    t = schema.licences
    return [t.c.licence_no, t.c.licence_type, t.c.issuer, t.c.valid_from, t.c.valid_until, t.c.holder_masked]


def list_for_holder(engine: Engine, device: Device, payload: dict[str, Any], today: str) -> dict[str, Any]:
    """The licences of the consenting holder (optionally only `types`), without images."""
    types = payload.get("types")
    if types is not None and (not isinstance(types, list) or not all(t in LICENCE_TYPES for t in types)):
        raise LicenceError("bad_field", "types", f"types must be a list of {LICENCE_TYPES}")
    with _audited(engine) as conn:
        consent = _consent(conn, device, payload, "list")
        t = schema.licences
        query = select(*_columns()).where(t.c.holder_key == consent.holder_key).order_by(t.c.licence_no)
        if types:
            query = query.where(t.c.licence_type.in_(types))
        rows = conn.execute(query).all()
        found = [_summary(r, today) for r in rows]
        _audit(
            conn,
            device,
            action="list",
            outcome=f"found_{len(found)}",
            case_ref=consent.case_ref,
            staff_no=consent.staff_no,
            holder_masked=consent.holder_masked,
            licence_type=",".join(sorted({f["licence_type"] for f in found}))[:16] or None,
        )
    return {"licences": found}


def _one(engine: Engine, device: Device, payload: dict[str, Any], action: str, today: str) -> Any:
    number = payload.get("licence_no")
    with _audited(engine) as conn:
        consent = _consent(conn, device, payload, action)
        if not isinstance(number, str) or not _LICENCE_NO_RE.match(number):
            _audit(
                conn,
                device,
                action=action,
                outcome="bad_licence_no",
                case_ref=consent.case_ref,
                staff_no=consent.staff_no,
                holder_masked=consent.holder_masked,
            )
            raise LicenceError("bad_field", "licence_no", "licence_no must be 6-64 letters, digits or -")
        t = schema.licences
        row = conn.execute(
            select(*_columns(), t.c.media_type, t.c.image, t.c.holder_key).where(t.c.licence_no == number)
        ).first()
        # Another holder's licence is answered exactly like an unknown number.
        if row is None or row.holder_key != consent.holder_key:
            _audit(
                conn,
                device,
                action=action,
                outcome="not_found",
                case_ref=consent.case_ref,
                staff_no=consent.staff_no,
                holder_masked=consent.holder_masked,
                licence_no=number,
            )
            raise LicenceError("unknown_licence", "licence_no", "the holder has no licence with this number")
        outcome = "ok" if _valid(row.valid_from, row.valid_until, today) else "expired"
        _audit(
            conn,
            device,
            action=action,
            outcome=outcome,
            case_ref=consent.case_ref,
            staff_no=consent.staff_no,
            holder_masked=consent.holder_masked,
            licence_no=number,
            licence_type=row.licence_type,
        )
    return row


def fetch(engine: Engine, device: Device, payload: dict[str, Any], today: str) -> dict[str, Any]:
    """One licence of the consenting holder, with its image (base64)."""
    import base64

    row = _one(engine, device, payload, "fetch", today)
    return {
        **_summary(row, today),
        "media_type": row.media_type,
        "image_base64": base64.b64encode(row.image).decode("ascii"),
    }


def verify(engine: Engine, device: Device, payload: dict[str, Any], today: str) -> dict[str, Any]:
    """Whether the consenting holder has this licence number (no image)."""
    row = _one(engine, device, payload, "verify", today)
    return _summary(row, today)


# --- audit for the supervisor -------------------------------------------------------------------------------------

ACTION_LABELS = {"consent": "授权", "list": "查询", "fetch": "调取", "verify": "核验"}
_OUTCOME_LABELS = {
    "ok": "成功",
    "expired": "证照已过期",
    "not_found": "无此证照",
    "bad_licence_no": "编号格式错误",
    "consent_invalid": "无有效授权，已拒绝",
    "granted_tick": "已授权（勾选）",
    "granted_tick_card": "已授权（勾选并读卡）",
    "granted_declared": "已授权（批量录入声明）",
}


def outcome_label(outcome: str) -> str:
    if outcome.startswith("found_"):
        return f"查到{outcome.removeprefix('found_')}个"
    return _OUTCOME_LABELS.get(outcome, outcome)


def recent_access(engine: Engine, limit: int = 100) -> list[dict[str, Any]]:
    t = schema.licence_access
    with engine.connect() as conn:
        rows = conn.execute(select(t).order_by(desc(t.c.id)).limit(limit)).mappings().all()
    return [dict(r) for r in rows]


def access_counts(engine: Engine) -> dict[str, int]:
    t = schema.licence_access
    with engine.connect() as conn:
        rows = conn.execute(select(t.c.action, func.count()).group_by(t.c.action)).all()
    return {action: int(count) for action, count in rows}
