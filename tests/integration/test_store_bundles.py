"""一件事 parent cases in the store (issue 17): the parent's own number from the case numbering, in the members'
transaction; all or nothing; no personal data on the parent; one rating for the bundle under the parent's number."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from app.domain.case_number import format_grouped
from app.domain.models import Case, CaseState, RatingLevel
from app.protocol import is_case_no
from app.services.case_list import CaseListService
from app.services.ratings import RatingRefusedError
from offline_cache import Store, StoreError
from offline_cache.samples import ID_NUMBER, NAME, PHONE, sample_case
from offline_cache.store import SavedBundle
from tests.integration.rating_support import Clock, make_service, open_test_store

CODE, NAME_ZH = "210800YJS001", "新生儿出生一件事"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> Iterator[Store]:
    with open_test_store(tmp_path, clock) as s:
        yield s


def _members(clock: Clock, n: int = 3, bundle_id: str = f"{CODE}-0123456789abcdef") -> list[Case]:
    return [
        dataclasses.replace(
            sample_case(created_at=clock()), item_code=f"ITEM{i}", item_name=f"成员{i}", bundle_id=bundle_id
        )
        for i in range(n)
    ]


def _save(store: Store, clock: Clock, **kwargs: object) -> SavedBundle:
    return store.save_bundle(_members(clock, **kwargs), bundle_code=CODE, bundle_name=NAME_ZH, actor="S0042")  # type: ignore[arg-type]


def test_the_parent_takes_the_first_number_of_the_day_sequence(store: Store, clock: Clock) -> None:
    single = store.save_case(sample_case(created_at=clock()), actor="S0042").case.case_no
    saved = _save(store, clock)
    parent = saved.parent.case_no
    members = [m.case.case_no for m in saved.members]

    assert is_case_no(parent) and all(is_case_no(n) for n in members)
    assert [int(n[19:24]) for n in (single, parent, *members)] == [1, 2, 3, 4, 5]
    assert {n[:19] for n in (parent, *members)} == {single[:19]}  # same terminal, same hall day
    assert store.bundles.get(parent) == saved.parent
    assert store.bundles.of_bundle(saved.members[0].case.bundle_id) == saved.parent
    assert store.cases.get_by_no(parent) is None  # the parent is not one of the cases
    assert [s.case.case_no for s in store.cases.list_bundle(saved.parent.bundle_id)] == members


def test_numbers_continue_after_a_restart(tmp_path: Path, clock: Clock) -> None:
    with open_test_store(tmp_path, clock) as first:
        one = _save(first, clock)
    with open_test_store(tmp_path, clock) as second:
        two = _save(second, clock, bundle_id=f"{CODE}-fedcba9876543210")
        assert second.bundles.get(one.parent.case_no) == one.parent
    numbers = [b.parent.case_no for b in (one, two)] + [m.case.case_no for b in (one, two) for m in b.members]
    assert len(set(numbers)) == 8
    assert int(two.parent.case_no[19:24]) == int(one.members[-1].case.case_no[19:24]) + 1


@pytest.mark.expected_log  # the store logs the rolled-back write
def test_a_member_that_cannot_be_stored_stores_nothing_of_the_bundle(store: Store, clock: Clock) -> None:
    taken = store.save_case(sample_case(created_at=clock()), actor="S0042").case
    members = _members(clock)
    members[2] = dataclasses.replace(members[2], record_id=taken.record_id)  # the store refuses this one

    with pytest.raises(StoreError):
        store.save_bundle(members, bundle_code=CODE, bundle_name=NAME_ZH, actor="S0042")

    assert store.cases.count() == 1 and store.outbox.depth() == 1
    assert store.conn.execute("SELECT COUNT(*) FROM bundles").fetchone() == (0,)
    # The numbers the failed bundle would have used are used again (the counter rolled back with it).
    again = _save(store, clock, bundle_id=f"{CODE}-aaaaaaaaaaaaaaaa")
    assert int(again.parent.case_no[19:24]) == 2


def test_members_of_two_bundles_or_unnumbered_are_refused(store: Store, clock: Clock) -> None:
    mixed = [*_members(clock, 1), *_members(clock, 1, bundle_id=f"{CODE}-1111111111111111")]
    with pytest.raises(ValueError, match="share one bundle_id"):
        store.save_bundle(mixed, bundle_code=CODE, bundle_name=NAME_ZH, actor="S0042")
    with pytest.raises(ValueError):
        store.save_bundle(_members(clock, 1, bundle_id=""), bundle_code=CODE, bundle_name=NAME_ZH, actor="S0042")
    assert store.cases.count() == 0


def test_the_parent_row_holds_no_personal_data(store: Store, clock: Clock) -> None:
    saved = _save(store, clock)
    row = store.conn.execute("SELECT * FROM bundles").fetchone()
    text = " ".join(str(v) for v in row)
    for value in (NAME, ID_NUMBER, PHONE):
        assert value not in text
    assert saved.parent.staff_no == "S0042" and saved.parent.bundle_name == NAME_ZH
    # Each member's body names its parent (and the bundle) for the platform.
    bodies = [store.outbox.get(m.case.record_id).body for m in saved.members]  # type: ignore[union-attr]
    assert {(b["parent_case_no"], b["bundle_name"]) for b in bodies} == {(saved.parent.case_no, NAME_ZH)}
    # A single case's body is as before: no parent key.
    alone = store.save_case(sample_case(created_at=clock()), actor="S0042").case
    assert "parent_case_no" not in store.outbox.get(alone.record_id).body  # type: ignore[union-attr]


def test_one_rating_for_the_bundle_under_the_parent_number(store: Store, clock: Clock, qapp: QApplication) -> None:
    """一事一评 at the counter: asked for any member (each member's intake asks), the request names the parent and
    the bundle; once rated, no member and not the parent can be rated again; 今日办件 shows every member rated."""
    saved = _save(store, clock)
    service = make_service(store, clock)
    device = service.register_citizen_screen()
    members = [m.case for m in saved.members]

    prompts = [service.request_rating(case_no=c.case_no, item_code=c.item_code, staff_no="S0042") for c in members]

    assert {p.case_no for p in prompts} == {saved.parent.case_no}
    assert len({p.service_act_id for p in prompts}) == 1  # one service act, not one per member
    assert prompts[0].item_code == CODE and prompts[0].item_name == NAME_ZH
    service.submit(device=device, service_act_id=prompts[0].service_act_id, level=RatingLevel.VERY_SATISFIED)
    [rating] = store.ratings.for_case(saved.parent.case_no)
    assert rating.level is RatingLevel.VERY_SATISFIED and rating.item_code == CODE
    assert all(not store.ratings.for_case(c.case_no) for c in members)
    with pytest.raises(RatingRefusedError, match="一事一评"):
        service.request_rating(case_no=members[1].case_no, item_code=None, staff_no="S0042")
    with pytest.raises(RatingRefusedError, match="一事一评"):
        service.request_rating(case_no=format_grouped(saved.parent.case_no), item_code=None, staff_no="S0042")
    rows = CaseListService(store=store, clock=clock).today()
    assert {r.rating_label for r in rows if r.case_no in {c.case_no for c in members}} == {"已评价（5分）"}
    assert all(r.state is CaseState.RECEIVED for r in rows)


def test_a_bundle_from_before_parents_is_rated_under_a_member_number(
    store: Store, clock: Clock, qapp: QApplication
) -> None:
    """Members without a parent (taken in before this change) are rated as before: under the member's number."""
    members = [store.save_case(c, actor="S0042").case for c in _members(clock, 2)]
    service = make_service(store, clock)

    prompt = service.request_rating(case_no=members[0].case_no, item_code=None, staff_no="S0042")

    assert prompt.case_no == members[0].case_no and prompt.item_name == members[0].item_name
