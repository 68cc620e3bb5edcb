"""Field encryption and where the key lives."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from offline_cache import keys
from offline_cache.crypto import FieldCipher
from offline_cache.errors import StoreError, WrongKeyError


def test_values_round_trip_and_never_repeat_ciphertext() -> None:
    cipher = FieldCipher(os.urandom(32))
    a = cipher.encrypt_str("欧阳秀英", "cases/applicant_name/r1")
    b = cipher.encrypt_str("欧阳秀英", "cases/applicant_name/r1")
    assert a != b  # fresh nonce per value
    assert cipher.decrypt_str(a, "cases/applicant_name/r1") == "欧阳秀英"
    assert "欧阳秀英".encode() not in a


def test_a_value_moved_to_another_row_or_column_does_not_decrypt() -> None:
    cipher = FieldCipher(os.urandom(32))
    blob = cipher.encrypt_str("13804171234", "cases/applicant_phone/r1")
    with pytest.raises(StoreError):
        cipher.decrypt_str(blob, "cases/applicant_phone/r2")
    with pytest.raises(StoreError):
        cipher.decrypt_str(blob, "cases/agent_phone/r1")


def test_text_tokens_round_trip() -> None:
    cipher = FieldCipher(os.urandom(32))
    token = cipher.encrypt_text("辽宁省营口市", "outbox/body.applicant_address/r1")
    assert token.startswith("enc:v1:")
    assert cipher.decrypt_text(token, "outbox/body.applicant_address/r1") == "辽宁省营口市"


def test_key_check_detects_another_key() -> None:
    check = FieldCipher(os.urandom(32)).key_check()
    with pytest.raises(WrongKeyError) as info:
        FieldCipher(os.urandom(32)).verify_key_check(check)
    assert "密钥" in info.value.message


def test_key_file_is_private_next_to_the_database_and_stable(tmp_path: Path) -> None:
    db = tmp_path / "tb.db"
    key = keys.FileKeyProvider().load_key(db, create=True)
    path = tmp_path / "tb.db.key"
    assert path.exists()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(key) == 32
    assert keys.FileKeyProvider().load_key(db, create=True) == key  # never overwritten
    assert not list(tmp_path.glob(".*.tmp"))


def test_missing_key_file_for_an_existing_database_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(WrongKeyError):
        keys.FileKeyProvider().load_key(tmp_path / "tb.db", create=False)


def test_loose_key_file_permissions_are_tightened(tmp_path: Path) -> None:
    db = tmp_path / "tb.db"
    key = keys.FileKeyProvider().load_key(db, create=True)
    path = keys.key_file_path(db)
    path.chmod(0o644)
    assert keys.FileKeyProvider().load_key(db, create=False) == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_garbled_key_file_is_a_key_error(tmp_path: Path) -> None:
    db = tmp_path / "tb.db"
    keys.key_file_path(db).write_text("not hex\n")
    with pytest.raises(WrongKeyError):
        keys.FileKeyProvider().load_key(db, create=False)


def test_fail_backend_does_not_count_as_a_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring
    from keyring.backends import fail

    monkeypatch.setattr(keyring, "get_keyring", fail.Keyring)
    assert not keys.keyring_usable()


def test_auto_without_keyring_falls_back_to_the_key_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TONGBAN_KEY_STORE", "auto")
    monkeypatch.setattr(keys, "keyring_usable", lambda: False)
    provider = keys.default_key_provider()
    provider.load_key(tmp_path / "tb.db", create=True)
    assert (tmp_path / "tb.db.key").exists()


def test_auto_uses_a_working_keyring_and_reuses_its_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring
    from keyring.backend import KeyringBackend

    class MemoryKeyring(KeyringBackend):
        priority = 1
        items: dict[tuple[str, str], str]

        def get_password(self, service: str, username: str) -> str | None:
            return self.items.get((service, username))

        def set_password(self, service: str, username: str, password: str) -> None:
            self.items[(service, username)] = password

        def delete_password(self, service: str, username: str) -> None:
            del self.items[(service, username)]

    backend = MemoryKeyring()
    backend.items = {}
    monkeypatch.setattr(keyring, "get_keyring", lambda: backend)
    monkeypatch.setattr(keyring, "get_password", backend.get_password)
    monkeypatch.setattr(keyring, "set_password", backend.set_password)
    monkeypatch.setenv("TONGBAN_KEY_STORE", "keyring")
    db = tmp_path / "tb.db"
    key = keys.default_key_provider().load_key(db, create=True)
    assert not (tmp_path / "tb.db.key").exists()
    assert len(backend.items) == 1
    assert keys.default_key_provider().load_key(db, create=False) == key


def test_unknown_key_store_setting_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TONGBAN_KEY_STORE", "floppy")
    with pytest.raises(StoreError, match="TONGBAN_KEY_STORE"):
        keys.default_key_provider()
