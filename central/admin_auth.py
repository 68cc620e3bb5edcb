"""The supervisor's login: one admin password (scrypt-hashed in `meta`), a signed session cookie, CSRF tokens.

At first start the server has no password; `serve` prints a one-time setup link (the token is stored hashed and
works once), or an operator runs `tongban-central admin-password`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

from sqlalchemy import Engine, delete, select

from central import schema
from central.db import read, write

SESSION_TTL_S = 8 * 3600
MIN_PASSWORD_CHARS = 10
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def _get(engine: Engine, key: str) -> str | None:
    with read(engine) as conn:
        value = conn.execute(select(schema.meta.c.value).where(schema.meta.c.key == key)).scalar()
    return None if value is None else str(value)


def _put(engine: Engine, key: str, value: str | None) -> None:
    with write(engine) as conn:
        conn.execute(delete(schema.meta).where(schema.meta.c.key == key))
        if value is not None:
            conn.execute(schema.meta.insert().values(key=key, value=value))


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, dklen=32, **_SCRYPT)
    return f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${salt.hex()}${digest.hex()}"


def _verify_hash(password: str, stored: str) -> bool:
    try:
        _scheme, n, r, p, salt_hex, digest_hex = stored.split("$")
        digest = hashlib.scrypt(
            password.encode("utf-8"), salt=bytes.fromhex(salt_hex), dklen=32, n=int(n), r=int(r), p=int(p)
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(digest.hex(), digest_hex)


def has_password(engine: Engine) -> bool:
    return _get(engine, "admin_password") is not None


def set_password(engine: Engine, password: str) -> None:
    if len(password) < MIN_PASSWORD_CHARS:
        raise ValueError(f"the password needs at least {MIN_PASSWORD_CHARS} characters")
    _put(engine, "admin_password", hash_password(password))
    _put(engine, "admin_setup_token", None)
    # A new password ends every existing session.
    _put(engine, "session_secret", secrets.token_hex(32))


def check_password(engine: Engine, password: str) -> bool:
    stored = _get(engine, "admin_password")
    return stored is not None and _verify_hash(password, stored)


def new_setup_token(engine: Engine) -> str:
    token = secrets.token_urlsafe(24)
    _put(engine, "admin_setup_token", hashlib.sha256(token.encode()).hexdigest())
    return token


def setup_token_valid(engine: Engine, token: str) -> bool:
    stored = _get(engine, "admin_setup_token")
    candidate = hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()
    return stored is not None and not has_password(engine) and hmac.compare_digest(stored, candidate)


def _secret(engine: Engine) -> bytes:
    value = _get(engine, "session_secret")
    if value is None:
        value = secrets.token_hex(32)
        _put(engine, "session_secret", value)
    return bytes.fromhex(value)


def new_session(engine: Engine) -> str:
    expires = str(int(time.time()) + SESSION_TTL_S)
    nonce = secrets.token_hex(8)
    mac = hmac.new(_secret(engine), f"{expires}.{nonce}".encode(), hashlib.sha256).hexdigest()
    return f"{expires}.{nonce}.{mac}"


def session_valid(engine: Engine, cookie: str | None) -> bool:
    if not cookie or cookie.count(".") != 2:
        return False
    expires, nonce, mac = cookie.split(".")
    if not expires.isdigit() or int(expires) < time.time():
        return False
    expected = hmac.new(_secret(engine), f"{expires}.{nonce}".encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, mac)


def csrf_token(engine: Engine, cookie: str) -> str:
    return hmac.new(_secret(engine), b"csrf:" + cookie.encode(), hashlib.sha256).hexdigest()


def csrf_valid(engine: Engine, cookie: str | None, token: str) -> bool:
    return bool(cookie) and hmac.compare_digest(csrf_token(engine, cookie or ""), token)
