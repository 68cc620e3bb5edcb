"""Regenerate `v1.sqlite` (+ its key file): a database of schema version 1 holding one case, rating and receipt.

Run once per released schema version and commit the output; never regenerate an old version after the schema
has moved on (later migrations must upgrade the file exactly as an old terminal left it).
Usage: .venv/bin/python tests/data/db_versions/make_v1.py
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

import sqlite_utils

from offline_cache import schema
from offline_cache.connection import connect
from offline_cache.crypto import FieldCipher
from offline_cache.keys import FileKeyProvider
from offline_cache.samples import sample_case, sample_rating, sample_receipt
from offline_cache.session import Session
from offline_cache.store import Store

HERE = Path(__file__).resolve().parent
WHEN = dt.datetime(2026, 11, 24, 1, 30, tzinfo=dt.UTC)


def main() -> None:
    path = HERE / "v1.sqlite"
    for stale in (path, path.with_name(path.name + ".key")):
        stale.unlink(missing_ok=True)
    conn = connect(path)
    db = sqlite_utils.Database(conn, execute_plugins=False)
    conn.execute("BEGIN IMMEDIATE")
    schema.migrate(db, stop_before="0002_staff_and_rating_requests")
    conn.execute("COMMIT")
    cipher = FieldCipher(FileKeyProvider().load_key(path, create=True))
    conn.execute("INSERT INTO meta (key, value) VALUES ('key_check', ?)", (cipher.key_check(),))
    store = Store(path, Session(conn, cipher, lambda: WHEN), db, blobs_dir=HERE / "blobs", recovered_from=None)
    saved = store.save_case(sample_case(created_at=WHEN), actor="S0042", day=WHEN.date())
    store.save_receipt(sample_receipt(saved.case.case_no), actor="S0042")
    store.save_rating(sample_rating(saved.case.case_no), actor="rating")
    store.drafts.put("intake:07", {"applicant_name": "欧阳秀英"})
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA journal_mode = DELETE")
    store.close()
    print(f"wrote {path.name}: case {saved.case.case_no}, schema version 1")


if __name__ == "__main__":
    main()
