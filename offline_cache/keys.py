"""Where the database key lives: outside the database file.

`TONGBAN_KEY_STORE` chooses: `file` (a 0600 key file next to the database), `keyring` or `auto` (the default:
the OS keyring when a real backend exists, else the key file). A key already stored in a key file keeps being
used from there even when a keyring appears later, so a key is never silently replaced.
"""

from __future__ import annotations

import logging
import os
import secrets
import stat
from pathlib import Path
from typing import Protocol

from offline_cache.crypto import KEY_BYTES
from offline_cache.errors import StoreError, WrongKeyError
from offline_cache.files import write_atomically

log = logging.getLogger("tongban.store")

KEYRING_SERVICE = "tongban-terminal"


class KeyProvider(Protocol):
    def load_key(self, db_path: Path, *, create: bool) -> bytes:
        """Return the key for `db_path`; make and store a new one only when `create` (a new database)."""
        ...


def key_file_path(db_path: Path) -> Path:
    """The key file beside (never inside) the database: `<name>.key`."""
    return db_path.with_name(db_path.name + ".key")


def _parse(text: str) -> bytes:
    try:
        key = bytes.fromhex(text.strip())
    except ValueError as exc:
        raise WrongKeyError("key is not hex") from exc
    if len(key) != KEY_BYTES:
        raise WrongKeyError("key has the wrong length")
    return key


class FileKeyProvider:
    """A 0600 file holding the key in hex, written atomically and never overwritten."""

    def __init__(self, path: Path | None = None) -> None:
        self._path = path

    def load_key(self, db_path: Path, *, create: bool) -> bytes:
        path = self._path or key_file_path(db_path)
        if path.exists():
            return self._read(path)
        if not create:
            raise WrongKeyError("key file missing")
        _write_new_key_file(path, secrets.token_bytes(KEY_BYTES))
        log.info("new database key stored in a key file beside the database")
        return self._read(path)

    @staticmethod
    def _read(path: Path) -> bytes:
        if os.name == "posix" and stat.S_IMODE(path.stat().st_mode) & 0o077:
            log.info("key file permissions tightened to 0600")
            path.chmod(0o600)
        return _parse(path.read_text(encoding="ascii"))


def _write_new_key_file(path: Path, key: bytes) -> None:
    """Create the key file; if a concurrent creator got there first, theirs wins (it is never overwritten)."""
    write_atomically(path, (key.hex() + "\n").encode("ascii"), overwrite=False)


def keyring_usable() -> bool:
    """True when keyring has a real backend (its fail and null backends do not count)."""
    try:
        import keyring
        from keyring.backends import chainer, fail, null
    except ImportError:  # pragma: no cover - keyring is a dependency
        return False
    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring | null.Keyring):
        return False
    if isinstance(backend, chainer.ChainerBackend):
        return bool(backend.backends)
    return True


class KeyringKeyProvider:
    """The OS keyring (Secret Service, Windows Credential Manager ...), one entry per database path."""

    def load_key(self, db_path: Path, *, create: bool) -> bytes:
        import keyring
        from keyring.errors import KeyringError

        user = f"db-key:{db_path.resolve()}"
        try:
            stored = keyring.get_password(KEYRING_SERVICE, user)
            if stored is not None:
                return _parse(stored)
            if not create:
                raise WrongKeyError("keyring entry missing")
            keyring.set_password(KEYRING_SERVICE, user, secrets.token_bytes(KEY_BYTES).hex())
            log.info("new database key stored in the OS keyring")
            again = keyring.get_password(KEYRING_SERVICE, user)
        except KeyringError as exc:
            raise StoreError("无法访问系统密钥环，请联系管理员。", code="keyring_error") from exc
        if again is None:
            raise StoreError("系统密钥环未能保存数据库密钥，请联系管理员。", code="keyring_error")
        return _parse(again)


class AutoKeyProvider:
    """An existing key file first; else the keyring when usable; else a new key file."""

    def __init__(self, *, prefer_keyring: bool = True) -> None:
        self._prefer_keyring = prefer_keyring

    def load_key(self, db_path: Path, *, create: bool) -> bytes:
        if key_file_path(db_path).exists() or not (self._prefer_keyring and keyring_usable()):
            return FileKeyProvider().load_key(db_path, create=create)
        return KeyringKeyProvider().load_key(db_path, create=create)


def default_key_provider() -> KeyProvider:
    """The provider chosen by `TONGBAN_KEY_STORE` (`auto`, `keyring` or `file`)."""
    choice = os.environ.get("TONGBAN_KEY_STORE", "auto").strip().lower()
    if choice == "file":
        return FileKeyProvider()
    if choice in {"auto", "keyring"}:
        return AutoKeyProvider()
    raise StoreError(f"TONGBAN_KEY_STORE 的值无效：{choice}（应为 auto、keyring 或 file）", code="bad_key_store")
