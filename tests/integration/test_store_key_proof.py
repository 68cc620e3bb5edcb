"""The store proves its key by an HMAC (no cryptography import on open, issue 13) and still by AES-GCM for a
database made before the HMAC proof existed; either way a wrong key is refused before anything is read."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from offline_cache import WrongKeyError, open_store, samples
from offline_cache.keys import key_file_path

ROOT = Path(__file__).resolve().parents[2]


def _database_before_the_proof(path: Path) -> str:
    """A database with a case, as an earlier version left it: the AES-GCM key check only."""
    with open_store(path) as store:
        saved = store.save_case(samples.sample_case(), actor="S0042")
        store.complete_key_check()  # what the terminal writes after its first screen (and earlier versions at once)
    with sqlite3.connect(path) as conn:
        conn.execute("DELETE FROM meta WHERE key = 'key_proof'")
    return saved.case.record_id


def _proof(path: Path) -> bytes | None:
    with sqlite3.connect(path) as conn:
        row = conn.execute("SELECT value FROM meta WHERE key = 'key_proof'").fetchone()
    return None if row is None else bytes(row[0])


def test_an_older_database_opens_with_its_data_and_gains_the_proof(tmp_path: Path) -> None:
    path = tmp_path / "tb.db"
    record_id = _database_before_the_proof(path)

    with open_store(path) as store:
        case = store.cases.get(record_id)

    assert case is not None and case.case.applicant.name == samples.NAME  # decrypted with the same key
    assert _proof(path) is not None


def test_a_wrong_key_is_refused_by_either_proof(tmp_path: Path) -> None:
    older, newer = tmp_path / "older" / "tb.db", tmp_path / "newer" / "tb.db"
    older.parent.mkdir()
    newer.parent.mkdir()
    _database_before_the_proof(older)
    with open_store(newer) as store:
        store.save_case(samples.sample_case(), actor="S0042")
    for path in (older, newer):
        key_file_path(path).write_text(os.urandom(32).hex() + "\n")
        before = path.read_bytes()
        with pytest.raises(WrongKeyError):
            open_store(path)
        assert path.read_bytes() == before  # nothing written under the wrong key
    assert _proof(older) is None


def test_opening_a_database_with_the_proof_loads_no_cryptography(tmp_path: Path) -> None:
    path = tmp_path / "tb.db"
    with open_store(path):
        pass
    probe = (
        "import sys\nfrom pathlib import Path\nfrom offline_cache import open_store\n"
        f"store = open_store(Path({str(path)!r}))\nprint(len(store.staff.list()), 'cryptography' in sys.modules)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("TONGBAN_")}
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, env=env, check=True)
    assert out.stdout.split()[-1] == "False"


def test_a_new_database_opens_without_cryptography_and_gets_its_key_check_after(tmp_path: Path) -> None:
    """A first start's sign-in page needs no cryptography (~10 ms): the new database's AES-GCM key check, which
    earlier versions of the program prove the key by, is written by `complete_key_check` (after the first screen)."""
    path = tmp_path / "tb.db"
    probe = (
        "import sys\nfrom pathlib import Path\nfrom offline_cache import open_store\n"
        f"store = open_store(Path({str(path)!r}))\nprint('cryptography' in sys.modules)\n"
        "store.complete_key_check()\nstore.complete_key_check()\nstore.close()\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("TONGBAN_")}
    env["TONGBAN_KEY_STORE"] = "file"  # the keyring's own import brings cryptography (secretstorage)
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, env=env, check=True)
    assert out.stdout.split()[-1] == "False"
    assert _proof(path) is not None
    # As an earlier version sees it: the key check alone proves the key, and a wrong key is refused by it.
    with sqlite3.connect(path) as conn:
        conn.execute("DELETE FROM meta WHERE key = 'key_proof'")
    with open_store(path) as store:
        store.save_case(samples.sample_case(), actor="S0042")
    assert _proof(path) is not None  # proved by the key check, then given its proof again
    with sqlite3.connect(path) as conn:
        conn.execute("DELETE FROM meta WHERE key = 'key_proof'")
    key_file_path(path).write_text(os.urandom(32).hex() + "\n")
    with pytest.raises(WrongKeyError):
        open_store(path)


def _key_check(path: Path) -> bytes | None:
    with sqlite3.connect(path) as conn:
        row = conn.execute("SELECT value FROM meta WHERE key = 'key_check'").fetchone()
    return None if row is None else bytes(row[0])


def test_a_new_database_gets_its_key_check_with_its_first_encrypted_value_not_before(tmp_path: Path) -> None:
    """A terminal that only shows its sign-in page loads no cryptography (~10 MB resident, issue 13); the first
    personal value it encrypts writes the key check that earlier versions prove the key by, in the same process."""
    path = tmp_path / "tb.db"
    with open_store(path) as store:
        store.staff.list()
    assert _key_check(path) is None
    with open_store(path) as store:
        saved = store.save_case(samples.sample_case(), actor="S0042")
    assert _key_check(path) is not None
    # As an earlier version sees it: the key check alone proves the key, and the case reads back.
    with sqlite3.connect(path) as conn:
        conn.execute("DELETE FROM meta WHERE key = 'key_proof'")
    with open_store(path) as store:
        case = store.cases.get(saved.case.record_id)
    assert case is not None and case.case.applicant.name == samples.NAME
