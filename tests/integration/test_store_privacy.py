"""Personal data never reaches the disk in clear: not in the database, not in its WAL, not in blob files."""

from __future__ import annotations

import shutil
from pathlib import Path

from app.domain.models import RatingLevel
from offline_cache import open_store, samples

PERSONAL = (
    samples.NAME,
    samples.ID_NUMBER,
    samples.PHONE,
    samples.ADDRESS,
    samples.AGENT_NAME,
    samples.AGENT_ID_NUMBER,
    samples.AGENT_PHONE,
    samples.DELIVERY_ADDRESS,
    samples.DELIVERY_PHONE,
    "上官婉清",  # enterprise contact
    "18641790011",
)
SCAN = b"JPEG scan showing " + samples.ID_NUMBER.encode() + b" " + samples.NAME.encode()


def _found(directory: Path) -> dict[str, list[str]]:
    hits: dict[str, list[str]] = {}
    for file in sorted(p for p in directory.rglob("*") if p.is_file()):
        data = file.read_bytes()
        for value in PERSONAL:
            if value.encode("utf-8") in data:
                hits.setdefault(file.name, []).append(value)
        if SCAN in data:
            hits.setdefault(file.name, []).append("scan")
    return hits


def test_copied_database_wal_and_blobs_hold_no_personal_value_in_clear(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with open_store(data_dir / "tb.db") as store:
        scan = store.blobs.put(SCAN, filename=f"{samples.NAME}身份证.jpg", media_type="image/jpeg")
        saved = store.save_case(samples.sample_case(attachments=(scan,)), actor="S0042")
        store.save_case(samples.sample_enterprise_case(), actor="S0042")
        store.save_receipt(samples.sample_receipt(saved.case.case_no), actor="S0042")
        store.save_rating(samples.sample_rating(saved.case.case_no, level=RatingLevel.DISSATISFIED), actor="r")
        store.drafts.put("intake:07", {"applicant": {"name": samples.NAME, "id_number": samples.ID_NUMBER}})
        store.outbox.pending()  # reading decrypts in memory only
        # Copy while open: the data is still in the WAL, not yet checkpointed.
        snapshot = tmp_path / "snapshot"
        shutil.copytree(data_dir, snapshot)
        assert (snapshot / "tb.db-wal").stat().st_size > 0
        # The values really are stored (the test can fail): they come back decrypted.
        assert store.cases.get(saved.case.record_id) is not None
        assert store.blobs.read(scan.sha256) == SCAN
    assert _found(snapshot) == {}
    assert _found(data_dir) == {}  # after close and checkpoint too


def test_the_grep_would_see_clear_text(tmp_path: Path) -> None:
    """Control: the same grep finds a value written in clear, so an empty result above means something."""
    with open_store(tmp_path / "tb.db") as store:
        store.audit.append("S0042", "note", detail=samples.PHONE)  # misuse on purpose
        snapshot = tmp_path / "snapshot"
        shutil.copytree(tmp_path, snapshot, ignore=shutil.ignore_patterns("snapshot"))
    assert samples.PHONE in _found(snapshot).get("tb.db-wal", [])
