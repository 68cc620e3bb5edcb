"""Retention: personal data of acknowledged cases is purged after the retention period; counts stay."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from app.domain.models import CaseState
from app.protocol import PERSONAL_FIELDS, body_sha256
from offline_cache import Store, StoreError, open_store, samples
from offline_cache.outbox import PURGED

T0 = dt.datetime(2026, 11, 1, 2, 0, tzinfo=dt.UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> dt.datetime:
        return self.now


def test_purge_after_retention_keeps_counts_and_non_personal_fields(tmp_path: Path) -> None:
    clock = Clock()
    with open_store(tmp_path / "tb.db", clock=clock) as store:
        scan = store.blobs.put(b"scan of the ID card", filename="id.jpg", media_type="image/jpeg")
        shared = store.blobs.put(b"scan used by both cases", filename="form.pdf", media_type="application/pdf")
        acked = store.save_case(samples.sample_case(attachments=(scan, shared)), actor="S0042")
        waiting = store.save_case(samples.sample_case(attachments=(shared,)), actor="S0042")
        store.drafts.put("old", {"name": samples.NAME})
        original = store.outbox.get(acked.case.record_id)
        assert original is not None
        store.outbox.mark_sent(acked.case.record_id, "SRV-1", accepted_at=T0)

        clock.now = T0 + dt.timedelta(days=29)
        store.drafts.put("fresh", {"name": samples.NAME})
        early = store.purge_personal_data(clock.now, retention_days=30)
        assert (early.cases, early.drafts) == (0, 0)

        clock.now = T0 + dt.timedelta(days=31)
        report = store.purge_personal_data(clock.now, retention_days=30)
        assert (report.cases, report.drafts, report.blobs) == (1, 1, 1)

        purged = store.cases.get(acked.case.record_id)
        assert purged is not None and purged.purged
        case = purged.case
        assert (case.applicant.name, case.delivery.address, case.agent) == ("", "", None)
        assert getattr(case.applicant, "id_number", None) == ""
        # Non-personal fields and counts stay for reports.
        assert (case.case_no, case.item_code, case.state) == (
            acked.case.case_no,
            acked.case.item_code,
            CaseState.FORWARDED,
        )
        assert [m.requirement_code for m in case.materials] == ["M01", "M02"]
        assert store.cases.count() == 2
        # The outbox body: personal keys overwritten, the hash (the record's identity) unchanged.
        entry = store.outbox.get(acked.case.record_id)
        assert entry is not None
        assert entry.body_sha256 == original.body_sha256 == body_sha256(original.body)
        for key in PERSONAL_FIELDS & set(entry.body):
            assert entry.body[key] in (None, PURGED)
        assert entry.body["materials"][0]["attachments"][0]["filename"] == PURGED
        assert entry.body["item_code"] == original.body["item_code"]
        # The pending case is untouched, and so is the scan it still references.
        kept = store.cases.get(waiting.case.record_id)
        assert kept is not None and kept.case == waiting.case
        assert store.blobs.read(shared.sha256) == b"scan used by both cases"
        with pytest.raises(StoreError):
            store.blobs.read(scan.sha256)
        assert store.drafts.get("old") is None
        assert store.drafts.get("fresh") == {"name": samples.NAME}
        assert len(store.audit.list(action="personal_data_purged")) == 1
        # Reconciliation cannot resend a purged record (its body no longer matches its hash).
        assert store.outbox.requeue([acked.case.record_id]) == 0
        # Running again changes nothing.
        again = store.purge_personal_data(clock.now, retention_days=30)
        assert (again.cases, again.drafts, again.blobs) == (0, 0, 0)


def test_purged_columns_hold_no_ciphertext(tmp_path: Path) -> None:
    """Purge removes the ciphertext itself (rows, freed cells, WAL), so even the key cannot bring values back."""
    clock = Clock()
    data = tmp_path / "data"
    with open_store(data / "tb.db", clock=clock) as store:
        saved = store.save_case(samples.sample_enterprise_case(), actor="S0042")
        store.outbox.mark_sent(saved.case.record_id, "SRV-1", accepted_at=T0)
        clock.now = T0 + dt.timedelta(days=40)
        ciphertexts = [
            bytes(v)
            for v in store.db.conn.execute(
                "SELECT applicant_name, contact_phone, legal_representative FROM cases WHERE record_id = ?",
                (saved.case.record_id,),
            ).fetchone()
        ]
        assert all(_on_disk(data, c) for c in ciphertexts)  # control: the grep sees them before the purge
        assert store.purge_personal_data(clock.now, retention_days=30).cases == 1
        _assert_unreadable(store, saved.case.record_id)
        assert not any(_on_disk(data, c) for c in ciphertexts)  # not in the file, not in the WAL


def _on_disk(directory: Path, needle: bytes) -> bool:
    return any(needle in p.read_bytes() for p in directory.rglob("*") if p.is_file())


def _assert_unreadable(store: Store, record_id: str) -> None:
    row = store.db.conn.execute(
        "SELECT applicant_name, contact_phone, legal_representative FROM cases WHERE record_id = ?", (record_id,)
    ).fetchone()
    assert row == (None, None, None)
    body = store.db.conn.execute("SELECT body FROM outbox WHERE record_id = ?", (record_id,)).fetchone()[0]
    assert "enc:v1:" not in body


def test_negative_retention_is_refused(tmp_path: Path) -> None:
    with open_store(tmp_path / "tb.db") as store, pytest.raises(ValueError):
        store.purge_personal_data(T0, retention_days=-1)


def test_purge_keeps_scans_a_live_draft_uses_and_removes_scans_only_old_drafts_used(tmp_path: Path) -> None:
    clock = Clock()
    with open_store(tmp_path / "tb.db", clock=clock) as store:
        shared = store.blobs.put(b"same ID card scan, old case and today's draft", filename="id.jpg", media_type="x")
        abandoned = store.blobs.put(b"scan of a draft the clerk discarded", filename="hk.jpg", media_type="x")
        acked = store.save_case(samples.sample_case(attachments=(shared,)), actor="S0042")
        store.outbox.mark_sent(acked.case.record_id, "SRV-1", accepted_at=T0)
        clock.now = T0 + dt.timedelta(days=31)
        store.drafts.put("intake/current", {"materials": [{"attachments": [{"sha256": shared.sha256}]}]})

        assert store.purge_personal_data(clock.now, retention_days=30).cases == 1
        assert store.blobs.read(shared.sha256) == b"same ID card scan, old case and today's draft"
        assert not store.blobs.path(abandoned.sha256).exists()
