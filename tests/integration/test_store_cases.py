"""Saving cases, receipts and ratings: record + outbox + audit in one transaction, numbered inside it."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from stdnum.iso7064 import mod_97_10

from app.domain import hall_time
from app.domain.models import CaseState, RatingLevel
from app.protocol import RecordKind
from offline_cache import Store, StoreError, open_store, samples

DAY = dt.date(2026, 11, 24)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(tmp_path / "tb.db") as s:
        yield s


def _counts(store: Store) -> dict[str, int]:
    conn = store.db.conn
    tables = (
        "cases",
        "case_materials",
        "case_attachments",
        "outbox",
        "audit_log",
        "case_sequences",
        "receipts",
        "ratings",
    )
    return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}


def test_save_case_writes_case_outbox_and_audit_together(store: Store) -> None:
    scan = store.blobs.put(b"\x89PNG scan of an ID card", filename="身份证正面.png", media_type="image/png")
    saved = store.save_case(samples.sample_case(attachments=(scan,)), actor="S0042", day=DAY)
    number = saved.case.case_no
    assert len(number) == 26 and number.startswith("21080001003" + "20261124" + "00001")
    assert mod_97_10.is_valid(number)
    stored = store.cases.get_by_no(number)
    assert stored is not None
    assert stored.case == saved.case
    assert stored.case.materials[0].attachments == (scan,)
    entry = store.outbox.get(saved.case.record_id)
    assert entry is not None and entry.kind is RecordKind.CASE
    assert entry.body["case_no"] == number
    assert entry.body["applicant_name"] == samples.NAME
    [audit] = store.audit.list(record_id=saved.case.record_id)
    assert (audit.actor, audit.action, audit.detail) == ("S0042", "case_saved", "received")


def test_enterprise_cases_round_trip(store: Store) -> None:
    saved = store.save_case(samples.sample_enterprise_case(), actor="S0042")
    stored = store.cases.get(saved.case.record_id)
    assert stored is not None and stored.case == saved.case


def test_numbers_count_per_day_and_survive_restart(tmp_path: Path) -> None:
    path = tmp_path / "tb.db"
    with open_store(path) as store:
        seqs = [store.save_case(samples.sample_case(), actor="S0042", day=DAY).case_seq for _ in range(3)]
        next_day = store.save_case(samples.sample_case(), actor="S0042", day=DAY + dt.timedelta(days=1))
    assert seqs == [1, 2, 3]
    assert next_day.case_seq == 1
    with open_store(path) as store:
        # The clock went back to a day already used: numbering continues after the highest seq of that day.
        back = store.save_case(samples.sample_case(), actor="S0042", day=DAY)
        assert back.case_seq == 4
        assert back.terminal_seq == 5
        numbers = [c.case.case_no for c in store.cases.list_recent(limit=100)]
    assert len(numbers) == len(set(numbers)) == 5


def test_the_day_defaults_to_the_hall_date_of_intake(store: Store) -> None:
    created = dt.datetime(2026, 11, 24, 17, 0, tzinfo=dt.UTC)  # 01:00 on the 25th in the hall (Asia/Shanghai)
    saved = store.save_case(samples.sample_case(created_at=created), actor="S0042")
    assert saved.case.case_no[11:19] == "20261125" == hall_time.today(created).strftime("%Y%m%d")


def test_a_custom_number_factory_runs_inside_the_transaction(store: Store) -> None:
    calls: list[tuple[dt.date, int]] = []

    def factory(day: dt.date, seq: int) -> str:
        calls.append((day, seq))
        return f"X{day:%Y%m%d}{seq:05d}"

    saved = store.save_case(samples.sample_case(), actor="S0042", number_factory=factory, day=DAY)
    assert saved.case.case_no == "X2026112400001"
    assert calls == [(DAY, 1)]


def test_a_case_that_already_has_a_number_or_is_a_draft_is_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="case_no"):
        store.save_case(dataclasses.replace(samples.sample_case(), case_no="1" * 26), actor="S0042")
    with pytest.raises(ValueError, match="drafts"):
        store.save_case(samples.sample_case(state=CaseState.DRAFT), actor="S0042")
    assert store.cases.count() == 0


@pytest.mark.expected_log
def test_a_failed_save_leaves_nothing_behind_and_burns_no_number(store: Store) -> None:
    first = store.save_case(samples.sample_case(), actor="S0042", day=DAY)
    before = _counts(store)
    duplicate = dataclasses.replace(samples.sample_case(), record_id=first.case.record_id)
    with pytest.raises(StoreError) as info:
        store.save_case(duplicate, actor="S0042", day=DAY)
    assert info.value.message  # shown on screen
    assert _counts(store) == before

    def broken_factory(day: dt.date, seq: int) -> str:
        raise RuntimeError("bug in the factory")

    with pytest.raises(RuntimeError):
        store.save_case(samples.sample_case(), actor="S0042", day=DAY, number_factory=broken_factory)
    assert _counts(store) == before
    assert store.save_case(samples.sample_case(), actor="S0042", day=DAY).case_seq == 2


@pytest.mark.expected_log
def test_disk_full_is_a_clear_error_and_the_store_keeps_working(store: Store) -> None:
    store.save_case(samples.sample_case(), actor="S0042")
    conn = store.db.conn
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")
    error: StoreError | None = None
    for _ in range(200):  # fill the few free pages first
        before = _counts(store)
        try:
            store.save_case(samples.sample_case(), actor="S0042")
        except StoreError as exc:
            error = exc
            break
    assert error is not None
    assert error.code == "SQLITE_FULL"
    assert "磁盘空间已满" in error.message
    assert _counts(store) == before  # nothing partial
    assert not conn.in_transaction
    conn.execute("PRAGMA max_page_count = 1073741823")
    saved = store.save_case(samples.sample_case(), actor="S0042")
    assert store.outbox.get(saved.case.record_id) is not None


def test_list_recent_filters(store: Store) -> None:
    base = dt.datetime(2026, 11, 20, 1, 0, tzinfo=dt.UTC)
    ids = []
    for i in range(4):
        case = samples.sample_case(created_at=base + dt.timedelta(days=i))
        if i == 3:
            case = dataclasses.replace(case, state=CaseState.REFUSED, refusal_reason="材料不齐")
        ids.append(store.save_case(case, actor="S0042").case.record_id)
    recent = store.cases.list_recent()
    assert [c.case.record_id for c in recent] == ids[::-1]
    assert [c.case.record_id for c in store.cases.list_recent(states=[CaseState.REFUSED])] == [ids[3]]
    assert len(store.cases.list_recent(since=base + dt.timedelta(days=2))) == 2
    assert len(store.cases.list_recent(limit=1)) == 1
    assert store.cases.list_recent(item_code="nope") == []
    assert len(store.cases.list_recent(staff_no="S0042")) == 4


def test_platform_updates_change_state_and_are_audited(store: Store) -> None:
    saved = store.save_case(samples.sample_case(), actor="S0042")
    no = saved.case.case_no
    assert store.cases.apply_platform_update(no, state=CaseState.ACCEPTED, actor="sync", platform_case_no="P-9")
    stored = store.cases.get_by_no(no)
    assert stored is not None
    assert stored.case.state is CaseState.ACCEPTED
    assert stored.case.platform_case_no == "P-9"
    assert store.audit.list(action="case_state_updated")[0].detail == "accepted"
    assert not store.cases.apply_platform_update("0" * 26, state=CaseState.ACCEPTED, actor="sync")


def test_receipts_and_ratings_are_queued_after_their_case(store: Store) -> None:
    saved = store.save_case(samples.sample_case(), actor="S0042")
    no = saved.case.case_no
    receipt = samples.sample_receipt(no)
    reprint = samples.sample_receipt(no, reprint=True)
    rating = samples.sample_rating(no, level=RatingLevel.DISSATISFIED)
    r1 = store.save_receipt(receipt, actor="S0042")
    r2 = store.save_receipt(reprint, actor="S0042")
    r3 = store.save_rating(rating, actor="rating-screen")
    assert saved.terminal_seq < r1.terminal_seq < r2.terminal_seq < r3.terminal_seq
    assert store.receipts.for_case(no) == [receipt, reprint]
    assert store.ratings.get(rating.rating_id) == rating
    assert store.ratings.for_case(no) == [rating]
    assert store.ratings.for_service_act(rating.service_act_id) == [rating]
    for rid in (receipt.record_id, reprint.record_id, rating.rating_id):
        entry = store.outbox.get(rid)
        assert entry is not None and entry.depends_on == saved.case.record_id
    assert [e.action for e in store.audit.list()][:3] == ["rating_saved", "receipt_reprinted", "receipt_printed"]


def test_consultation_rating_without_a_case_depends_on_nothing(store: Store) -> None:
    unrated = samples.sample_rating(None, level=None)
    store.save_rating(unrated, actor="rating-screen")
    entry = store.outbox.get(unrated.rating_id)
    assert entry is not None and entry.depends_on is None
    assert entry.body["outcome"] == "unrated"
    assert store.ratings.get(unrated.rating_id) == unrated


def test_rating_requests_close_with_the_rating_or_expire(store: Store) -> None:
    saved = store.save_case(samples.sample_case(), actor="S0042")
    answered = samples.sample_rating(saved.case.case_no)
    ignored = samples.sample_rating(None, level=None)
    for rating in (answered, ignored):
        store.ratings.request(
            rating.service_act_id, case_no=rating.case_no, channel=rating.channel, requested_at=rating.requested_at
        )
    store.ratings.request(
        answered.service_act_id, case_no=None, channel=answered.channel, requested_at=answered.requested_at
    )  # asking twice keeps one request
    assert {r.service_act_id for r in store.ratings.pending_requests()} == {
        answered.service_act_id,
        ignored.service_act_id,
    }
    store.save_rating(answered, actor="rating-screen")
    assert [r.service_act_id for r in store.ratings.pending_requests()] == [ignored.service_act_id]
    assert store.ratings.expire_request(ignored.service_act_id)
    assert not store.ratings.expire_request(ignored.service_act_id)
    assert store.ratings.pending_requests() == []


@pytest.mark.expected_log
def test_a_failing_step_inside_a_larger_transaction_is_a_store_error_the_caller_can_handle(store: Store) -> None:
    first = store.save_case(samples.sample_case(), actor="S0042")
    with store.transaction():
        with pytest.raises(StoreError):
            store.save_case(dataclasses.replace(samples.sample_case(), record_id=first.case.record_id), actor="S0042")
        kept = store.save_case(samples.sample_case(), actor="S0042")
    assert store.cases.count() == 2
    assert kept.case_seq == 2  # the failed inner save gave its number back


def test_after_case_no_taken_numbering_moves_on_for_that_day_and_today(store: Store) -> None:
    """Issue 11: the platform said yesterday's 00003 belongs to another case; yesterday's counter and today's (not
    numbered yet) both continue from 10001, so this terminal does not collide with the other one again."""
    from offline_cache import numbering

    yesterday = dt.datetime(2026, 11, 24, 2, 0, tzinfo=dt.UTC)
    taken = [store.save_case(samples.sample_case(created_at=yesterday), actor="S0042") for _ in range(3)][-1]
    with store.transaction() as conn:
        assert numbering.move_on_after_taken(conn, taken.case.case_no, today=dt.date(2026, 11, 25)) == 10001
    again = store.save_case(samples.sample_case(created_at=yesterday), actor="S0042").case.case_no
    today = store.save_case(
        samples.sample_case(created_at=dt.datetime(2026, 11, 25, 2, 0, tzinfo=dt.UTC)), actor="S0042"
    ).case.case_no
    assert (again[11:24], today[11:24]) == ("2026112410001", "2026112510001")
