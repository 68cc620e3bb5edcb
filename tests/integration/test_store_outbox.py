"""The outbox API the sync engine uses."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.domain.models import CaseState
from app.protocol import SCHEMA_VERSION, OutboxState, RecordKind, body_sha256, check_text, validate_body
from offline_cache import Store, open_store, samples
from offline_cache.outbox import PARENT_DEAD

T0 = dt.datetime(2026, 11, 24, 1, 0, tzinfo=dt.UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> Iterator[Store]:
    with open_store(tmp_path / "tb.db", clock=clock) as s:
        yield s


def _case_with_dependants(store: Store) -> tuple[str, str, str]:
    saved = store.save_case(samples.sample_case(), actor="S0042")
    receipt = samples.sample_receipt(saved.case.case_no)
    rating = samples.sample_rating(saved.case.case_no)
    store.save_receipt(receipt, actor="S0042")
    store.save_rating(rating, actor="rating")
    return saved.case.record_id, receipt.record_id, rating.rating_id


def test_pending_is_in_terminal_seq_order_with_clear_bodies_and_matching_hashes(store: Store) -> None:
    case_id, receipt_id, rating_id = _case_with_dependants(store)
    pending = store.outbox.pending()
    assert [e.record_id for e in pending] == [case_id, receipt_id, rating_id]
    assert [e.terminal_seq for e in pending] == [1, 2, 3]
    assert pending[0].body["applicant_id_number"] == samples.ID_NUMBER
    assert all(body_sha256(e.body) == e.body_sha256 for e in pending)
    envelope = pending[1].envelope("21080001003")
    assert envelope["schema"] == SCHEMA_VERSION
    assert envelope["terminal"] == "21080001003"
    assert envelope["depends_on"] == case_id
    assert envelope["kind"] == "receipt"
    assert dt.datetime.fromisoformat(envelope["created_at"]) == T0


def test_pending_respects_limit_and_byte_budget(store: Store) -> None:
    for _ in range(5):
        store.save_case(samples.sample_case(), actor="S0042")
    assert len(store.outbox.pending(limit=2)) == 2
    one = store.outbox.pending(limit=1)[0]
    budget = (one.body_bytes + 400) * 3
    assert len(store.outbox.pending(max_bytes=budget)) == 3
    assert len(store.outbox.pending(max_bytes=1)) == 1  # one large record never stalls the queue


def test_mark_sent_moves_the_case_to_forwarded(store: Store, clock: Clock) -> None:
    case_id, receipt_id, _ = _case_with_dependants(store)
    clock.now = T0 + dt.timedelta(minutes=5)
    assert store.outbox.mark_sent(case_id, "SRV-1", accepted_at=T0 + dt.timedelta(minutes=4))
    entry = store.outbox.get(case_id)
    assert entry is not None
    assert (entry.state, entry.server_ref, entry.sent_at) == (OutboxState.SENT, "SRV-1", clock.now)
    stored = store.cases.get(case_id)
    assert stored is not None and stored.case.state is CaseState.FORWARDED
    assert store.outbox.depth() == 2
    assert next(e.record_id for e in store.outbox.pending()) == receipt_id
    assert store.outbox.mark_sent(case_id, "SRV-1", accepted_at=T0)  # a duplicate ack is harmless
    assert not store.outbox.mark_sent("unknown", "SRV-2", accepted_at=T0)


def test_mark_dead_cascades_to_dependants_only(store: Store) -> None:
    case_id, receipt_id, rating_id = _case_with_dependants(store)
    other = store.save_case(samples.sample_case(), actor="S0042").case.record_id
    assert store.outbox.mark_dead(case_id, "rejected:bad_field") == [case_id, receipt_id, rating_id]
    dead = {e.record_id: e for e in store.outbox.dead_letters()}
    assert dead[case_id].last_error == "rejected:bad_field"
    assert dead[rating_id].last_error == dead[receipt_id].last_error == PARENT_DEAD
    assert [e.record_id for e in store.outbox.pending()] == [other]
    assert not store.outbox.mark_sent(case_id, "late", accepted_at=T0)  # dead stays dead
    assert store.outbox.mark_dead(case_id, "again") == []
    assert {e.record_id for e in store.audit.list(action="outbox_dead")} == {case_id, receipt_id, rating_id}


def test_a_dead_letter_can_be_requeued_by_an_administrator(store: Store) -> None:
    case_id, _, _ = _case_with_dependants(store)
    store.outbox.mark_dead(case_id, "rejected:bad_field")
    assert store.outbox.requeue([case_id]) == 1
    entry = store.outbox.get(case_id)
    assert entry is not None and entry.state is OutboxState.PENDING


def test_reschedule_counts_attempts_and_delays_the_record(store: Store, clock: Clock) -> None:
    first = store.save_case(samples.sample_case(), actor="S0042").case.record_id
    second = store.save_case(samples.sample_case(), actor="S0042").case.record_id
    store.outbox.reschedule(first, next_attempt_at=T0 + dt.timedelta(seconds=30), error="retry_later")
    entry = store.outbox.get(first)
    assert entry is not None and (entry.attempts, entry.last_error) == (1, "retry_later")
    assert [e.record_id for e in store.outbox.pending(due_at=T0)] == [second]
    assert [e.record_id for e in store.outbox.pending(due_at=T0 + dt.timedelta(seconds=30))] == [first, second]


def test_depth_and_oldest_pending_age(store: Store, clock: Clock) -> None:
    assert store.outbox.depth() == 0
    assert store.outbox.oldest_pending_age() is None
    store.save_case(samples.sample_case(), actor="S0042")
    clock.now = T0 + dt.timedelta(hours=2)
    store.save_case(samples.sample_case(), actor="S0042")
    assert store.outbox.depth() == 2
    assert store.outbox.oldest_pending_age() == dt.timedelta(hours=2)


def test_a_batch_result_can_be_applied_in_one_transaction(store: Store) -> None:
    case_id, receipt_id, rating_id = _case_with_dependants(store)
    with pytest.raises(RuntimeError), store.transaction():
        store.outbox.mark_sent(case_id, "S1", accepted_at=T0)
        store.outbox.mark_sent(receipt_id, "S2", accepted_at=T0)
        raise RuntimeError("crash while applying the response")
    assert store.outbox.depth() == 3  # nothing applied
    with store.transaction():
        store.outbox.mark_sent(case_id, "S1", accepted_at=T0)
        store.outbox.mark_dead(rating_id, "rejected:x")
    assert [e.record_id for e in store.outbox.pending()] == [receipt_id]


def test_terminal_seq_is_monotonic_across_restarts(tmp_path: Path) -> None:
    path = tmp_path / "tb.db"
    with open_store(path) as store:
        a = store.save_case(samples.sample_case(), actor="S0042").terminal_seq
    with open_store(path) as store:
        rating = samples.sample_rating(None)
        b = store.save_rating(rating, actor="rating").terminal_seq
        entry = store.outbox.get(rating.rating_id)
        assert entry is not None and entry.kind is RecordKind.RATING
    assert (a, b) == (1, 2)


def test_gui_and_sync_connections_work_side_by_side_without_busy_errors(tmp_path: Path) -> None:
    """Two owners, two connections (GUI thread saving, sync thread acknowledging), as ARCHITECTURE.md runs them."""
    import threading

    path = tmp_path / "tb.db"
    open_store(path).close()
    errors: list[BaseException] = []
    done = threading.Event()
    acked: list[str] = []

    def gui() -> None:
        try:
            with open_store(path) as store:
                for _ in range(60):
                    store.save_case(samples.sample_case(), actor="S0042")
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            done.set()

    def sync() -> None:
        try:
            with open_store(path, integrity_check=False) as store:
                while True:
                    finished = done.is_set()
                    batch = store.outbox.pending(limit=10)
                    if not batch:
                        if finished:
                            return
                        done.wait(0.005)  # idle poll; a real engine waits for a wake-up signal
                        continue
                    with store.transaction():
                        for entry in batch:
                            store.outbox.mark_sent(entry.record_id, f"S-{entry.terminal_seq}", accepted_at=T0)
                            acked.append(entry.record_id)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=gui), threading.Thread(target=sync)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    with open_store(path) as store:
        assert store.outbox.depth() == 0
        assert len(acked) == len(set(acked)) == 60
        assert len(store.cases.list_recent(states=[CaseState.FORWARDED], limit=100)) == 60


def test_nul_and_lone_surrogates_never_enter_the_outbox(store: Store) -> None:
    """SYNC_PROTOCOL.md "Revisions": the platform refuses such text as bad_text, so the terminal never queues it."""
    case = dataclasses.replace(samples.sample_case(), item_name="城乡\x00居民养老保险参保登记\ud800")
    saved = store.save_case(case, actor="S0042")
    rating = dataclasses.replace(samples.sample_rating(saved.case.case_no), text="太慢\x00了\udc80")
    store.save_rating(rating, actor="rating")
    pending = store.outbox.pending()
    assert [e.record_id for e in pending] == [saved.case.record_id, rating.rating_id]
    assert pending[0].body["item_name"] == "城乡居民养老保险参保登记\ufffd"
    assert pending[1].body["text"] == "太慢了\ufffd"
    for entry in pending:
        check_text(entry.body)  # raises WireError("bad_text") on NUL or a lone surrogate
        validate_body(entry.kind, entry.body)
        assert body_sha256(entry.body) == entry.body_sha256
