"""Receipt PDFs carry the applicant's full name: the retention run deletes those older than the period."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from app.services.receipts import purge_receipt_files


def _pdf(directory: Path, name: str, age_days: float, now: dt.datetime) -> Path:
    path = directory / name
    path.write_bytes(b"%PDF-1.4 receipt")
    stamp = (now - dt.timedelta(days=age_days)).timestamp()
    os.utime(path, (stamp, stamp))
    return path


def test_old_receipt_pdfs_go_recent_ones_stay(tmp_path: Path) -> None:
    now = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)
    old = _pdf(tmp_path, "old.pdf", 31, now)
    recent = _pdf(tmp_path, "recent.pdf", 29, now)
    other = tmp_path / "notes.txt"
    other.write_text("not a receipt", encoding="utf-8")
    os.utime(other, (0, 0))
    assert purge_receipt_files(tmp_path, now=now, retention_days=30) == 1
    assert not old.exists()
    assert recent.exists()
    assert other.exists()


def test_missing_directory_is_nothing_to_do(tmp_path: Path) -> None:
    now = dt.datetime(2026, 11, 25, tzinfo=dt.UTC)
    assert purge_receipt_files(tmp_path / "absent", now=now, retention_days=30) == 0
