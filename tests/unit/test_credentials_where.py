"""Under `TONGBAN_KEY_STORE=auto` the terminal notes where its device credentials are, so a terminal that is not
enrolled (or keeps them in the file) does not ask the OS keyring at every start (issue 13: ~100 ms of each start and
command), and one enrolled into the keyring by an earlier version is still found (asked once)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.sync import credentials
from app.sync.credentials import KEYRING_SERVICE, WHERE_FILE_NAME, Credentials, CredentialStore

CREDS = Credentials(
    device_id="dev-1",
    key_id="k1",
    secret="a" * 64,
    terminal="007",
    division="210802",
    hall="03",
    window="05",
)


class CountingKeyring:
    """An OS keyring in memory that counts how often it is asked."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], str] = {}
        self.reads = 0

    def get_password(self, service: str, username: str) -> str | None:
        self.reads += 1
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        del self.items[(service, username)]


@pytest.fixture
def ring(monkeypatch: pytest.MonkeyPatch) -> CountingKeyring:
    import keyring

    from offline_cache import keys

    backend = CountingKeyring()
    monkeypatch.setattr(keys, "keyring_usable", lambda: True)
    for name in ("get_password", "set_password", "delete_password"):
        monkeypatch.setattr(keyring, name, getattr(backend, name))
    monkeypatch.setenv("TONGBAN_KEY_STORE", "auto")
    return backend


def test_a_terminal_not_enrolled_asks_the_keyring_once_and_then_never(tmp_path: Path, ring: CountingKeyring) -> None:
    assert CredentialStore(tmp_path).load() is None
    assert ring.reads == 1
    assert (tmp_path / WHERE_FILE_NAME).read_text(encoding="ascii") == "none\n"
    for _ in range(3):  # later starts and commands
        assert CredentialStore(tmp_path).load() is None
    assert ring.reads == 1


def test_credentials_an_earlier_version_put_in_the_keyring_are_still_found(
    tmp_path: Path, ring: CountingKeyring
) -> None:
    import json
    from dataclasses import asdict

    ring.items[(KEYRING_SERVICE, f"device:{tmp_path.resolve()}")] = json.dumps(asdict(CREDS))
    assert CredentialStore(tmp_path).load() == CREDS
    assert (tmp_path / WHERE_FILE_NAME).read_text(encoding="ascii") == "keyring\n"
    assert CredentialStore(tmp_path).load() == CREDS


def test_enrolling_into_the_keyring_and_clearing_keep_the_note_true(tmp_path: Path, ring: CountingKeyring) -> None:
    assert CredentialStore(tmp_path).load() is None  # not enrolled yet: noted "none"
    CredentialStore(tmp_path).save(CREDS)
    assert not (tmp_path / credentials.FILE_NAME).exists()  # the secret went to the keyring, not to a file
    assert CredentialStore(tmp_path).load() == CREDS
    CredentialStore(tmp_path).clear()
    reads = ring.reads
    assert CredentialStore(tmp_path).load() is None
    assert ring.reads == reads


def test_a_credentials_file_is_read_without_the_keyring(tmp_path: Path, ring: CountingKeyring) -> None:
    CredentialStore(tmp_path, backend="file").save(CREDS)
    assert CredentialStore(tmp_path).load() == CREDS
    assert ring.reads == 0


def test_without_a_usable_keyring_a_new_terminal_is_not_enrolled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from offline_cache import keys

    monkeypatch.setattr(keys, "keyring_usable", lambda: False)
    monkeypatch.setenv("TONGBAN_KEY_STORE", "auto")
    assert CredentialStore(tmp_path).load() is None
    assert (tmp_path / WHERE_FILE_NAME).read_text(encoding="ascii") == "none\n"
