"""Today's list (issue 13): typing in its search box filters the listing instead of reading and decrypting every
row again; a case submitted or changed meanwhile shows at once."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from app.domain.models import CaseState
from app.services.case_list import CaseListService
from offline_cache import open_store
from offline_cache.samples import sample_case
from tests.integration.intake_support import FakeClock


def test_search_filters_the_listing_and_changes_show_at_once(tmp_path: Path) -> None:
    clock = FakeClock()
    with open_store(tmp_path / "store.db", clock=clock) as store:
        first = store.save_case(dataclasses.replace(sample_case(created_at=clock()), case_no=""), actor="S0042").case
        service = CaseListService(store=store, clock=clock)
        listed = service.today()
        assert [row.case_no for row in listed] == [first.case_no]
        digits = first.case_no[-6:]
        assert [row.case_no for row in service.today(text=digits)] == [first.case_no]
        assert service.today(text="0000000000000") == []
        assert service.today(text=listed[0].applicant_masked) == listed  # the masked name as shown

        # What a keystroke reads is the listing: a row read once is not read (or decrypted) again ...
        store.cases.list_recent = None  # type: ignore[method-assign]
        assert [row.case_no for row in service.today(text=digits[:3])] == [first.case_no]
        del store.cases.list_recent

        # ... until a case is added or changes: the intake and sync signals call notify_changed.
        second = store.save_case(dataclasses.replace(sample_case(created_at=clock()), case_no=""), actor="S0042").case
        service.notify_changed()
        assert {row.case_no for row in service.today(text=second.case_no[-6:])} >= {second.case_no}
        # a state filter is a new listing
        assert service.today(state=CaseState.RECEIVED, text=first.case_no[-6:])[0].case_no == first.case_no
