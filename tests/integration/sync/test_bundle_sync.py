"""一件事 through sync (issue 17): member cases reach the real platform with their bundle link, the case page of any
member shows every member's progress, the supervisor figures count the bundle, and a department's decision on one
member comes back to the terminal for that member only."""

from __future__ import annotations

import dataclasses
import datetime as dt

import requests

from app.domain.models import CaseState
from central import reports
from central.db import open_engine
from offline_cache.samples import sample_case

from .conftest import Terminal
from .harness import Central, make_engine

MEMBERS = (
    ("210800200507000", "出生医学证明首次签发"),
    ("210811070505000", "出生登记"),
    ("210800200202000", "城乡居民基本医疗保险参保登记"),
)


def test_bundle_members_sync_show_together_and_take_their_own_decisions(central: Central, terminal: Terminal) -> None:
    store = terminal.store
    bundle_id = "210800YJS001-0123456789abcdef"
    saved = [
        store.save_case(
            dataclasses.replace(sample_case(), item_code=code, item_name=name, bundle_id=bundle_id), actor="S0042"
        )
        for code, name in MEMBERS
    ]
    alone = store.save_case(sample_case(), actor="S0042")  # not part of the bundle
    numbers = [s.case.case_no for s in saved]
    engine = make_engine(store, terminal.creds, central.url)

    report = engine.drain()

    assert report.dead == 0
    assert central.rows("SELECT COUNT(*) FROM bundle_members WHERE bundle_id = ?", bundle_id) == [(3,)]
    page = requests.get(f"{central.url}/c/{numbers[1]}", timeout=10)
    assert page.status_code == 200
    assert "同一件事的全部办件（3项）" in page.text
    for _code, name in MEMBERS:
        assert name in page.text
    for number in numbers:
        assert number not in page.text.replace(f"/r/{numbers[1]}", "")  # other members' numbers are masked
    single = requests.get(f"{central.url}/c/{alone.case.case_no}", timeout=10)
    assert "同一件事" not in single.text

    db = open_engine(f"sqlite:///{central.db}")
    try:
        today = dt.datetime.now(dt.UTC).date()  # a window of three days: whatever the hall's day is now
        period = reports.Period(today - dt.timedelta(days=1), today + dt.timedelta(days=1))
        assert reports.bundles(db, period) == {"bundles": 1, "cases": 3}
    finally:
        db.dispose()

    # The 医保 department accepts its member: the terminal's 今日办件 shows that member accepted, the rest forwarded.
    central.set_case_status(numbers[2], "accepted")
    assert engine.pull_updates() >= 1
    states = {s.case.case_no: store.cases.get(s.case.record_id).case.state for s in saved}  # type: ignore[union-attr]
    assert states == {numbers[0]: CaseState.FORWARDED, numbers[1]: CaseState.FORWARDED, numbers[2]: CaseState.ACCEPTED}
    after = requests.get(f"{central.url}/c/{numbers[0]}", timeout=10).text
    assert after.count('class="member-state"') == 3


def test_one_rating_covers_the_whole_bundle(central: Central, terminal: Terminal) -> None:
    """一事一评: rated through one member's receipt QR, the bundle is rated; another member's QR offers no second
    rating, while a case outside the bundle still can be rated."""
    store = terminal.store
    bundle_id = "210800YJS001-fedcba9876543210"
    saved = [
        store.save_case(
            dataclasses.replace(sample_case(), item_code=code, item_name=name, bundle_id=bundle_id), actor="S0042"
        )
        for code, name in MEMBERS
    ]
    alone = store.save_case(sample_case(), actor="S0042")
    make_engine(store, terminal.creds, central.url).drain()
    first, second = saved[0].case.case_no, saved[1].case.case_no

    thanks = requests.post(f"{central.url}/r/{first}", data={"level": "5", "tags": "办事高效"}, timeout=10)
    assert thanks.status_code == 200 and "感谢您的评价" in thanks.text
    again = requests.post(f"{central.url}/r/{second}", data={"level": "1", "reasons": "其他"}, timeout=10)
    assert "感谢您的评价" not in again.text  # sent back to the already-rated page
    assert central.rows("SELECT COUNT(*) FROM ratings WHERE outcome = 'rated'") == [(1,)]
    assert 'id="rated"' in requests.get(f"{central.url}/c/{second}", timeout=10).text
    other = requests.post(f"{central.url}/r/{alone.case.case_no}", data={"level": "4", "tags": "服务热情"}, timeout=10)
    assert "感谢您的评价" in other.text
