"""TB1 request signatures (SYNC_PROTOCOL.md "Identity and authentication" and "Precise details").

Check order: signature → revoked (403) → timestamp window (±300 s) → nonce (kept 600 s, per device, recorded only
after the signature verified).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from dataclasses import dataclass

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.exc import IntegrityError

from central import schema
from central.db import iso, now_utc, write

SCHEME = "TB1"
TIMESTAMP_WINDOW_S = 300
NONCE_TTL_S = 600
_NONCE_RE = re.compile(r"\A[0-9a-f]{32}\Z")
_HEX64_RE = re.compile(r"\A[0-9a-f]{64}\Z")
_TS_RE = re.compile(r"\A[0-9]{1,12}\Z")
_ID_RE = re.compile(r"\A[0-9a-f-]{1,36}\Z")


def canonical_query(raw_query: str) -> str:
    """The query's raw `k=v` pairs sorted and joined by `&` (no `?`; empty when there is no query)."""
    return "&".join(sorted(part for part in raw_query.split("&") if part))


def signing_string(
    *, device: str, key_id: str, timestamp: str, nonce: str, method: str, path: str, query: str, body: bytes
) -> bytes:
    path_with_query = path + ("?" + canonical_query(query) if canonical_query(query) else "")
    parts = [SCHEME, device, key_id, timestamp, nonce, method.upper(), path_with_query]
    parts.append(hashlib.sha256(body).hexdigest())
    return "\n".join(parts).encode("utf-8")


def sign(secret_hex: str, message: bytes) -> str:
    return hmac.new(bytes.fromhex(secret_hex), message, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Device:
    device_id: str
    division: str
    hall: str
    window: str
    terminal: str
    key_id: str  # the key that signed this request
    signed_with_pending: bool

    @property
    def terminal_key(self) -> str:
        return self.division + self.hall + self.terminal

    @property
    def hall_key(self) -> str:
        return self.division + self.hall


class AuthError(Exception):
    """`status` 401 or 403; `error` is the protocol's code."""

    def __init__(self, status: int, error: str) -> None:
        super().__init__(error)
        self.status = status
        self.error = error


@dataclass(frozen=True)
class SignedRequest:
    device: str | None
    key_id: str | None
    timestamp: str | None
    nonce: str | None
    signature: str | None
    method: str
    path: str
    query: str
    body: bytes


def authenticate(engine: Engine, req: SignedRequest, *, now: float | None = None) -> Device:
    """Verify a signed request in the protocol's order; record the nonce and the device's last-seen time."""
    now = time.time() if now is None else now
    if not (req.device and req.key_id and _ID_RE.match(req.device) and _ID_RE.match(req.key_id)):
        raise AuthError(401, "unknown_device")
    if not (req.signature and _HEX64_RE.match(req.signature)):
        raise AuthError(401, "bad_signature")
    if not (req.timestamp and _TS_RE.match(req.timestamp) and req.nonce and _NONCE_RE.match(req.nonce)):
        raise AuthError(401, "bad_signature")
    with engine.connect() as conn:
        row = conn.execute(select(schema.devices).where(schema.devices.c.device_id == req.device)).first()
    if row is None:
        raise AuthError(401, "unknown_device")
    if req.key_id == row.key_id:
        secret, pending = row.secret, False
    elif row.pending_key_id is not None and req.key_id == row.pending_key_id:
        secret, pending = row.pending_secret, True
    else:
        raise AuthError(401, "unknown_device")
    message = signing_string(
        device=req.device,
        key_id=req.key_id,
        timestamp=req.timestamp,
        nonce=req.nonce,
        method=req.method,
        path=req.path,
        query=req.query,
        body=req.body,
    )
    if not hmac.compare_digest(sign(secret, message), req.signature):
        raise AuthError(401, "bad_signature")
    if row.revoked_at is not None:
        raise AuthError(403, "revoked")
    if abs(int(req.timestamp) - now) > TIMESTAMP_WINDOW_S:
        raise AuthError(401, "clock_skew")
    _record_nonce(engine, req.device, req.nonce, int(now))
    return Device(
        device_id=row.device_id,
        division=row.division,
        hall=row.hall,
        window=row.window,
        terminal=row.terminal,
        key_id=req.key_id,
        signed_with_pending=pending,
    )


def _record_nonce(engine: Engine, device_id: str, nonce: str, now: int) -> None:
    try:
        with write(engine, durable=False) as conn:
            conn.execute(schema.nonces.insert().values(device_id=device_id, nonce=nonce, seen_at=now))
            conn.execute(
                update(schema.devices)
                .where(schema.devices.c.device_id == device_id)
                .values(last_seen_at=iso(now_utc()))
            )
            # Cheap housekeeping on a fraction of requests: forget nonces older than their window.
            if int(nonce[:2], 16) < 8:
                conn.execute(delete(schema.nonces).where(schema.nonces.c.seen_at < now - NONCE_TTL_S))
    except IntegrityError:
        raise AuthError(401, "replay") from None
