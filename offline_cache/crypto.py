"""AES-GCM for personal fields at rest.

Every value gets a fresh random 96-bit nonce and associated data naming its table, column and row, so a
ciphertext copied into another row or column fails to decrypt instead of showing the wrong person's data.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from typing import TYPE_CHECKING

from offline_cache.errors import StoreError, WrongKeyError

if TYPE_CHECKING:  # cryptography (~7 MB resident, ~15 ms) loads with the first value encrypted or decrypted
    from collections.abc import Callable

    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_BYTES = 32
_NONCE_BYTES = 12
#: Prefix of an encrypted value stored inside JSON text (outbox bodies).
TEXT_PREFIX = "enc:v1:"
_KEY_CHECK_PLAIN = b"tongban key check v1"
_KEY_CHECK_AAD = "meta/key_check"
_KEY_PROOF_LABEL = b"tongban key proof v2"


def aad(table: str, column: str, row_id: str) -> str:
    """Associated data binding a value to where it is stored."""
    return f"{table}/{column}/{row_id}"


class FieldCipher:
    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise ValueError("the database key must be 32 bytes")
        self._key = key
        self._cipher: AESGCM | None = None
        #: Called once, right after AES-GCM is first built (the store writes a new database's key_check then).
        self.on_first_use: Callable[[], None] | None = None

    @property
    def _aead(self) -> AESGCM:
        """AES-GCM under the key, built (and cryptography imported) on first use: the sign-in page needs none."""
        if self._cipher is None:
            from cryptography.hazmat.primitives.ciphers.aead import AESGCM

            self._cipher = AESGCM(self._key)
            first_use, self.on_first_use = self.on_first_use, None
            if first_use is not None:
                first_use()
        return self._cipher

    def encrypt(self, plain: bytes, associated: str) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, plain, associated.encode("utf-8"))

    def decrypt(self, blob: bytes, associated: str) -> bytes:
        from cryptography.exceptions import InvalidTag

        try:
            return self._aead.decrypt(blob[:_NONCE_BYTES], blob[_NONCE_BYTES:], associated.encode("utf-8"))
        except InvalidTag as exc:
            raise StoreError("本地数据解密失败，记录可能已损坏。", code="decrypt_failed") from exc

    def encrypt_str(self, value: str, associated: str) -> bytes:
        return self.encrypt(value.encode("utf-8"), associated)

    def decrypt_str(self, blob: bytes, associated: str) -> str:
        return self.decrypt(blob, associated).decode("utf-8")

    def encrypt_text(self, value: str, associated: str) -> str:
        """Encrypt into a JSON-safe string (`enc:v1:` + base64)."""
        token = base64.b64encode(self.encrypt_str(value, associated)).decode("ascii")
        return TEXT_PREFIX + token

    def decrypt_text(self, token: str, associated: str) -> str:
        return self.decrypt_str(base64.b64decode(token[len(TEXT_PREFIX) :]), associated)

    def key_check(self) -> bytes:
        """A value stored in the database at creation; it proves later that the same key is in use."""
        return self.encrypt(_KEY_CHECK_PLAIN, _KEY_CHECK_AAD)

    def verify_key_check(self, blob: bytes) -> None:
        try:
            self.decrypt(blob, _KEY_CHECK_AAD)
        except StoreError as exc:
            raise WrongKeyError("key check failed") from exc

    def key_proof(self) -> bytes:
        """HMAC-SHA256 of a fixed label under the key: proves the key like `key_check` does, checked with the
        standard library alone (`verify_key_proof`), so that opening the store needs no cryptography import."""
        return hmac.new(self._key, _KEY_PROOF_LABEL, hashlib.sha256).digest()

    def verify_key_proof(self, proof: bytes) -> None:
        if not hmac.compare_digest(bytes(proof), self.key_proof()):
            raise WrongKeyError("key proof failed")
