"""一件事 through sync (issue 17): member cases reach the real platform with their bundle link, the case page of any
member shows every member's progress, the supervisor figures count the bundle, and a department's decision on one
member comes back to the terminal for that member only."""

from __future__ import annotations

import dataclasses
import datetime as dt

import requests

from app.domain.models import CaseState
from app.services.case_list import STATE_LABELS, CaseListService
from central import reports
from central.db import open_engine
from offline_cache import Store
from offline_cache.samples import sample_case, sample_rating
from offline_cache.store import SavedBundle

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


DEPARTMENTS = ("营口市卫生健康委员会", "营口市公安局老边分局", "营口市医疗保障事务服务中心")


def _bundle(store: Store, bundle_id: str = "210800YJS001-00112233aabbccdd") -> SavedBundle:
    """A 新生儿出生一件事 of three members, each with its own department and promised date, saved with its parent."""
    now = dt.datetime.now(dt.UTC)
    members = [
        dataclasses.replace(
            sample_case(created_at=now),
            item_code=code,
            item_name=name,
            bundle_id=bundle_id,
            routing=dataclasses.replace(sample_case().routing, department=dept),
            expected_date=dt.date(2026, 12, 8 + i),
        )
        for i, ((code, name), dept) in enumerate(zip(MEMBERS, DEPARTMENTS, strict=True))
    ]
    return store.save_bundle(members, bundle_code="210800YJS001", bundle_name="新生儿出生一件事", actor="S0042")


def test_the_parent_number_reaches_the_platform_and_its_page_shows_every_member(
    central: Central, terminal: Terminal, qapp: object
) -> None:
    """The bundle's own number travels in its members' bodies; `/c/<parent>` lists each member department's stage
    and promised date; a member's page names the parent; a department's decision on one member reaches 今日办件."""
    store = terminal.store
    saved = _bundle(store)
    parent = saved.parent.case_no
    numbers = [m.case.case_no for m in saved.members]
    engine = make_engine(store, terminal.creds, central.url)

    report = engine.drain()

    assert report.dead == 0 and report.sent == 3
    assert central.rows("SELECT parent_case_no, bundle_name FROM bundles") == [(parent, "新生儿出生一件事")]
    assert central.rows("SELECT COUNT(*) FROM cases WHERE case_no = ?", parent) == [(0,)]  # not a case of its own
    page = requests.get(f"{central.url}/c/{parent}", timeout=10)
    assert page.status_code == 200
    assert "一件事办理进度" in page.text and "新生儿出生一件事" in page.text
    assert "各部门办理进度（3项）" in page.text and page.text.count('class="member-state"') == 3
    for (_code, name), dept in zip(MEMBERS, DEPARTMENTS, strict=True):
        assert name in page.text and dept in page.text
    assert "2026年" in page.text and "12月10日" in page.text  # the last member's promised date
    assert 'id="due"' not in page.text  # one date per member: no element id repeated
    for number in [*numbers, parent]:
        assert number not in page.text.replace(f"/r/{parent}", "")  # numbers masked
    member_page = requests.get(f"{central.url}/c/{numbers[0]}", timeout=10).text
    assert 'id="parent"' in member_page and f'href="/c/{parent}"' in member_page

    db = open_engine(f"sqlite:///{central.db}")
    try:
        today = dt.datetime.now(dt.UTC).date()
        period = reports.Period(today - dt.timedelta(days=1), today + dt.timedelta(days=1))
        assert reports.bundles(db, period) == {"bundles": 1, "cases": 3}  # the parent is not counted as a case
    finally:
        db.dispose()

    # The 公安 department accepts 出生登记: 今日办件 shows that member 已受理 and the others 已转审批部门.
    central.set_case_status(numbers[1], "accepted")
    assert engine.pull_updates() >= 1
    rows = {row.case_no: row.state_label for row in CaseListService(store=store).today()}
    assert rows[numbers[1]] == STATE_LABELS[CaseState.ACCEPTED]
    assert rows[numbers[0]] == rows[numbers[2]] == STATE_LABELS[CaseState.FORWARDED]
    after = requests.get(f"{central.url}/c/{parent}", timeout=10).text
    assert "已受理，正在办理" in after


def test_one_rating_through_the_parent_qr_rates_the_bundle_once(central: Central, terminal: Terminal) -> None:
    """一事一评 through the parent's QR: the bundle is rated once; no member's QR takes a second rating."""
    store = terminal.store
    saved = _bundle(store, "210800YJS001-99887766554433ff")
    make_engine(store, terminal.creds, central.url).drain()
    parent, first = saved.parent.case_no, saved.members[0].case.case_no

    form = requests.get(f"{central.url}/r/{parent}", timeout=10)
    assert form.status_code == 200 and "新生儿出生一件事" in form.text
    thanks = requests.post(f"{central.url}/r/{parent}", data={"level": "4", "tags": "办事高效"}, timeout=10)
    assert "感谢您的评价" in thanks.text
    again = requests.post(f"{central.url}/r/{first}", data={"level": "1", "reasons": "其他"}, timeout=10)
    assert "感谢您的评价" not in again.text
    twice = requests.post(f"{central.url}/r/{parent}", data={"level": "2", "reasons": "其他"}, timeout=10)
    assert "感谢您的评价" not in twice.text
    assert central.rows("SELECT case_no, item_code, level FROM ratings WHERE outcome = 'rated'") == [
        (parent, "210800YJS001", 4)
    ]
    assert 'id="rated"' in requests.get(f"{central.url}/c/{parent}", timeout=10).text
    assert 'id="rated"' in requests.get(f"{central.url}/c/{first}", timeout=10).text


def test_a_counter_rating_of_the_bundle_goes_under_the_parent_number(central: Central, terminal: Terminal) -> None:
    """The counter's 一事一评 rating names the parent; it reaches the platform after the members, and the parent's
    QR then offers no second rating."""
    store = terminal.store
    saved = _bundle(store, "210800YJS001-0000aaaa1111bbbb")
    parent = saved.parent.case_no
    rating = dataclasses.replace(sample_rating(parent), item_code="210800YJS001")
    store.save_rating(rating, actor="S0042")
    assert store.outbox.get(rating.rating_id).depends_on == saved.members[-1].case.record_id  # type: ignore[union-attr]

    report = make_engine(store, terminal.creds, central.url).drain()

    assert report.dead == 0
    assert central.rows("SELECT case_no FROM ratings") == [(parent,)]
    page = requests.get(f"{central.url}/r/{parent}", timeout=10)
    assert "该办件已评价" in page.text


def test_a_scan_taken_in_with_a_bundle_reaches_the_platform_with_every_member_that_received_it(
    central: Central, terminal: Terminal, qapp: object
) -> None:
    """The counter's 一件事 intake (`take_in_bundle`, as the bundle page calls it) with one stored scan of a shared
    document: every member case that receives the document references it, and sync uploads the file once."""
    from app.config import config_from_dict
    from app.services.catalogue import CatalogueService
    from app.services.intake import IntakeService
    from app.services.intake_cli import take_in_bundle
    from app.services.staff import StaffService
    from tests import pii_samples
    from tests.integration.intake_support import STAFF_NO, STAFF_PIN

    store = terminal.store
    StaffService(store=store).add(staff_no=STAFF_NO, display_name="王晓", pin=STAFF_PIN, actor="test")
    catalogue = CatalogueService(terminal.data_dir)
    config = config_from_dict({"division": "210800", "hall_code": "01", "window": "07", "terminal_code": "003"})
    service = IntakeService(store=store, config=config, item_lookup=catalogue.get)
    scan = store.blobs.put(
        b"%PDF-1.4 birth certificate " * 40, filename="出生医学证明.pdf", media_type="application/pdf"
    )
    stored = {"sha256": scan.sha256, "filename": scan.filename, "media_type": scan.media_type, "size": scan.size}
    outcome = take_in_bundle(
        {
            "bundle_code": "210800YJS001",
            "staff_no": STAFF_NO,
            "applicant": {
                "kind": "person",
                "name": pii_samples.NAME,
                "id_number": pii_samples.ID_NUMBER,
                "phone": pii_samples.PHONE,
            },
            "bundle_answers": {"social_card": "否"},
            "shared_materials": [{"code": "S03", "status": "original", "count": 1, "attachments": [stored]}],
        },
        store=store,
        service=service,
        catalogue=catalogue,
    )
    assert outcome.case_no, outcome.errors
    engine = make_engine(store, terminal.creds, central.url)

    report = engine.drain()

    assert report.dead == 0 and report.blobs_uploaded == 1
    assert central.rows("SELECT sha256 FROM blobs") == [(scan.sha256,)]
    bodies = [str(r[0]) for r in central.rows("SELECT body FROM records")]
    referencing = [b for b in bodies if scan.sha256 in b]
    assert len(referencing) == 2  # 出生登记 and 医保参保 receive 出生医学证明; 出生医学证明首次签发 does not
    # The counter intake's parent number reached the platform with its members; its page lists all three.
    assert central.rows("SELECT parent_case_no FROM bundles") == [(outcome.parent_case_no,)]
    page = requests.get(f"{central.url}/c/{outcome.parent_case_no}", timeout=10).text
    assert "各部门办理进度（3项）" in page
