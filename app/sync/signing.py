"""TB1 request signatures, exactly as SYNC_PROTOCOL.md "Precise details" spells them."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import urlsplit

SCHEME = "TB1"


def path_with_sorted_query(url: str) -> str:
    """The path as sent on the wire, plus `?` and the raw `k=v` pairs sorted and joined by `&` (no `?` if empty)."""
    parts = urlsplit(url)
    pairs = sorted(p for p in parts.query.split("&") if p)
    return (parts.path or "/") + ("?" + "&".join(pairs) if pairs else "")


def signing_string(
    *, device: str, key_id: str, timestamp: str, nonce: str, method: str, path_query: str, body: bytes
) -> bytes:
    digest = hashlib.sha256(body).hexdigest()
    return "\n".join([SCHEME, device, key_id, timestamp, nonce, method.upper(), path_query, digest]).encode("utf-8")


def sign_headers(
    *, device: str, key_id: str, secret_hex: str, method: str, url: str, body: bytes, unix_time: int
) -> dict[str, str]:
    """The five X-TB-* headers for one request; a fresh nonce every call (a retry is re-signed)."""
    timestamp = str(unix_time)
    nonce = secrets.token_hex(16)
    message = signing_string(
        device=device,
        key_id=key_id,
        timestamp=timestamp,
        nonce=nonce,
        method=method,
        path_query=path_with_sorted_query(url),
        body=body,
    )
    signature = hmac.new(bytes.fromhex(secret_hex), message, hashlib.sha256).hexdigest()
    return {
        "X-TB-Device": device,
        "X-TB-Key-Id": key_id,
        "X-TB-Timestamp": timestamp,
        "X-TB-Nonce": nonce,
        "X-TB-Signature": signature,
    }
