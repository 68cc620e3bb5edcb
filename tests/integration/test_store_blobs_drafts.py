"""Attachment blobs and autosaved drafts on real files."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from offline_cache import Store, StoreError, open_store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(tmp_path / "tb.db") as s:
        yield s


def test_blobs_are_content_addressed_deduplicated_and_verified(store: Store, tmp_path: Path) -> None:
    data = b"%PDF-1.7 scanned household register" * 100
    first = store.blobs.put(data, filename="户口簿.pdf", media_type="application/pdf")
    second = store.blobs.put(data, filename="copy.pdf", media_type="application/pdf")
    sha = hashlib.sha256(data).hexdigest()
    assert first.sha256 == second.sha256 == sha
    assert (first.size, first.filename, second.filename) == (len(data), "户口簿.pdf", "copy.pdf")
    path = tmp_path / "blobs" / sha[:2] / sha[2:]
    assert store.blobs.path(sha) == path
    assert [p for p in (tmp_path / "blobs").rglob("*") if p.is_file()] == [path]  # one file, no temp leftovers
    assert store.blobs.read(sha) == data
    assert store.db.conn.execute("SELECT count(*) FROM attachments").fetchone()[0] == 1


def test_a_damaged_blob_is_detected_and_a_new_put_repairs_it(store: Store) -> None:
    data = b"scan" * 1000
    att = store.blobs.put(data, filename="a.jpg", media_type="image/jpeg")
    path = store.blobs.path(att.sha256)
    damaged = bytearray(path.read_bytes())
    damaged[100] ^= 0xFF
    path.write_bytes(bytes(damaged))
    with pytest.raises(StoreError) as info:
        store.blobs.read(att.sha256)
    assert info.value.message
    store.blobs.put(data, filename="a.jpg", media_type="image/jpeg")
    assert store.blobs.read(att.sha256) == data


def test_a_missing_blob_is_a_store_error(store: Store) -> None:
    with pytest.raises(StoreError, match="附件"):
        store.blobs.read("0" * 64)
    with pytest.raises(ValueError):
        store.blobs.path("../../etc/passwd")


def test_upload_bookkeeping_for_the_sync_engine(store: Store) -> None:
    a = store.blobs.put(b"a", filename="a", media_type="image/jpeg").sha256
    b = store.blobs.put(b"b", filename="b", media_type="image/jpeg").sha256
    assert store.blobs.not_uploaded([a, b]) == [a, b]
    store.blobs.mark_uploaded(a)
    assert store.blobs.not_uploaded([a, b]) == [b]
    assert store.blobs.not_uploaded([]) == []


def test_drafts_put_get_list_delete(store: Store) -> None:
    assert store.drafts.get("intake:07") is None
    store.drafts.put("intake:07", {"item": "210800-SB-0012", "name": "张三", "materials": ["M01"]})
    store.drafts.put("intake:08", {"item": "x"})
    store.drafts.put("intake:07", {"item": "210800-SB-0012", "name": "张三丰"})
    assert store.drafts.get("intake:07") == {"item": "210800-SB-0012", "name": "张三丰"}
    assert {d.key for d in store.drafts.list()} == {"intake:07", "intake:08"}
    assert store.drafts.delete("intake:08")
    assert not store.drafts.delete("intake:08")
    assert [d.key for d in store.drafts.list()] == ["intake:07"]


def test_drafts_survive_a_restart(tmp_path: Path) -> None:
    with open_store(tmp_path / "tb.db") as store:
        store.drafts.put("kiosk", {"step": 3})
    with open_store(tmp_path / "tb.db") as store:
        assert store.drafts.get("kiosk") == {"step": 3}


def test_settings_persist_and_commit_with_the_surrounding_transaction(tmp_path: Path) -> None:
    with open_store(tmp_path / "tb.db") as store:
        assert store.settings.get("updates_cursor") is None
        assert store.settings.get("updates_cursor", "0") == "0"
        store.settings.set("updates_cursor", "c-41")
        with pytest.raises(RuntimeError), store.transaction():
            store.settings.set("updates_cursor", "c-42")
            raise RuntimeError("page not stored")
        assert store.settings.get("updates_cursor") == "c-41"
        with pytest.raises(ValueError):
            store.settings.set("key_check", "x")
    with open_store(tmp_path / "tb.db") as store:
        assert store.settings.get("updates_cursor") == "c-41"
