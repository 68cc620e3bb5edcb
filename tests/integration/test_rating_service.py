"""RatingService against a real SQLite store file: the 好差评 rules of DOMAIN.md and issue 5."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.domain.case_number import format_grouped
from app.domain.models import RATING_REASONS, RatingChannel, RatingLevel, RatingOutcome
from app.services.ratings import (
    MAX_TEXT_CHARS,
    CitizenDevice,
    RatingRefusedError,
    RatingService,
)
from offline_cache import Store
from tests.integration.rating_support import T0, Clock, make_service, open_test_store, save_case


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> Iterator[Store]:
    with open_test_store(tmp_path, clock) as s:
        yield s


@pytest.fixture
def service(store: Store, clock: Clock, qapp: QApplication) -> RatingService:
    return make_service(store, clock)


def outbox_body(store: Store, record_id: str) -> tuple[str, str | None]:
    row = store.db.conn.execute("SELECT kind, depends_on FROM outbox WHERE record_id = ?", (record_id,)).fetchone()
    assert row is not None, "the rating was not queued for sync"
    return row[0], row[1]


def test_request_for_a_case_shows_item_clerk_and_masked_phone(
    store: Store, clock: Clock, service: RatingService
) -> None:
    case = save_case(store, clock)
    prompt = service.request_rating(case_no=format_grouped(case.case_no), item_code=None, staff_no="S0042")
    assert prompt.case_no == case.case_no  # typed grouped, stored as digits
    assert prompt.item_code == case.item_code
    assert prompt.item_name == case.item_name
    assert prompt.staff_name == "李明"
    assert prompt.phone_masked == "138****1234"
    assert prompt.deadline - prompt.requested_at == dt.timedelta(seconds=60)
    assert [p.service_act_id for p in store.ratings.pending_requests()] == [prompt.service_act_id]


@pytest.mark.parametrize("level", list(RatingLevel))
def test_each_level_stores_one_record_with_every_field(
    store: Store, clock: Clock, service: RatingService, level: RatingLevel
) -> None:
    case = save_case(store, clock)
    device = service.register_citizen_screen()
    prompt = service.request_rating(case_no=case.case_no, item_code=None, staff_no="S0042")
    clock.advance(12)
    reasons = ("等候时间长", "不存在的原因", "办事指南不清楚") if level.needs_reasons else ()
    saved = service.submit(
        device=device,
        service_act_id=prompt.service_act_id,
        level=level,
        reasons=reasons,
        tags=("办事高效", "服务热情"),
        text="窗口\x00人员\n耐心" if level.needs_reasons else "",
        callback_consent=level.needs_reasons,
    )
    [stored] = store.ratings.for_case(case.case_no)
    assert stored == saved
    assert stored.level is level and stored.outcome is RatingOutcome.RATED
    assert (stored.division, stored.hall, stored.window, stored.terminal) == ("210804", "02", "07", "015")
    assert stored.staff_no == "S0042" and stored.item_code == case.item_code
    assert stored.channel is RatingChannel.COUNTER_DEVICE
    assert stored.requested_at == T0 and stored.rated_at == T0 + dt.timedelta(seconds=12)
    if level.needs_reasons:
        assert stored.reasons == ("办事指南不清楚", "等候时间长")  # standard list only, in its order
        assert stored.text == "窗口人员 耐心"
        assert stored.callback_consent is True and stored.tags == ()
    else:
        assert stored.tags == ("服务热情", "办事高效") and stored.reasons == () and stored.text == ""
    kind, depends_on = outbox_body(store, stored.rating_id)
    assert kind == "rating" and depends_on == store.cases.record_id_of(case.case_no)
    assert store.ratings.pending_requests() == []
    [audit] = store.audit.list(record_id=stored.rating_id)
    assert audit.actor == "citizen"  # never the clerk


def test_bad_rating_without_reason_is_refused_then_stored_with_a_supervisor_event(
    store: Store, clock: Clock, service: RatingService, qtbot: QtBot
) -> None:
    case = save_case(store, clock)
    device = service.register_citizen_screen()
    prompt = service.request_rating(case_no=case.case_no, item_code=None, staff_no="S0042")
    with pytest.raises(RatingRefusedError, match="原因"):
        service.submit(device=device, service_act_id=prompt.service_act_id, level=RatingLevel.DISSATISFIED)
    with pytest.raises(RatingRefusedError, match="原因"):
        service.submit(
            device=device, service_act_id=prompt.service_act_id, level=1, reasons=("随便写的",)
        )  # not on the standard list
    assert store.ratings.for_case(case.case_no) == []
    with qtbot.wait_signal(service.bad_rating_reported) as reported:
        rating = service.submit(
            device=device, service_act_id=prompt.service_act_id, level=1, reasons=(RATING_REASONS[5],)
        )
    assert reported.args == [rating]
    rows = store.db.conn.execute("SELECT record_id, depends_on, body FROM outbox WHERE kind = 'event'").fetchall()
    assert len(rows) == 1 and rows[0][1] == rating.rating_id
    body = json.loads(rows[0][2])
    assert body["event"] == "bad_rating" and body["level"] == 1 and body["reasons"] == ["工作人员态度不好"]
    assert body["staff_no"] == "S0042" and body["window"] == "07"


def test_double_tap_and_twenty_taps_store_exactly_one_rating(
    store: Store, clock: Clock, service: RatingService
) -> None:
    case = save_case(store, clock)
    device = service.register_citizen_screen()
    prompt = service.request_rating(case_no=case.case_no, item_code=None, staff_no="S0042")
    service.submit(device=device, service_act_id=prompt.service_act_id, level=5)
    refused = 0
    for level in [5, 1, 4, 3, 2] * 4:  # a second hand on the screen, and a change of mind: both too late
        with pytest.raises(RatingRefusedError, match="不能再次提交或修改"):
            service.submit(device=device, service_act_id=prompt.service_act_id, level=level, reasons=RATING_REASONS)
        refused += 1
    assert refused == 20
    assert [r.level for r in store.ratings.for_case(case.case_no)] == [RatingLevel.VERY_SATISFIED]
    assert store.db.conn.execute("SELECT count(*) FROM outbox WHERE kind = 'rating'").fetchone()[0] == 1


def test_only_the_citizen_screen_can_submit(store: Store, clock: Clock, service: RatingService) -> None:
    case = save_case(store, clock)
    service.register_citizen_screen()
    prompt = service.request_rating(case_no=case.case_no, item_code=None, staff_no="S0042")
    forged = CitizenDevice("clerk_window", RatingChannel.COUNTER_DEVICE)
    with pytest.raises(RatingRefusedError, match="工作人员不能代为评价"):
        service.submit(device=forged, service_act_id=prompt.service_act_id, level=5)
    assert store.ratings.for_case(case.case_no) == []
    assert service.active_prompt == prompt  # still waiting for the citizen


@pytest.mark.parametrize(
    ("case_no", "message"),
    [
        ("21080401015202611250000199", "办件编号有误"),  # wrong check digits
        ("abc", "办件编号有误"),
    ],
)
def test_a_malformed_case_number_is_refused(service: RatingService, case_no: str, message: str) -> None:
    with pytest.raises(RatingRefusedError, match=message):
        service.request_rating(case_no=case_no, item_code=None, staff_no="S0042")


def test_a_case_that_does_not_exist_is_refused(store: Store, service: RatingService) -> None:
    from app.domain.case_number import make_case_number

    missing = make_case_number("210804", "02", "015", dt.date(2026, 11, 25), 99)
    with pytest.raises(RatingRefusedError, match="未找到办件"):
        service.request_rating(case_no=missing, item_code=None, staff_no="S0042")
    assert store.ratings.pending_requests() == []


def test_one_rating_per_case_and_one_per_consultation(store: Store, clock: Clock, service: RatingService) -> None:
    case = save_case(store, clock)
    device = service.register_citizen_screen()
    first = service.request_rating(case_no=case.case_no, item_code=None, staff_no="S0042")
    again = service.request_rating(case_no=case.case_no, item_code=None, staff_no="S0042")
    assert again == first  # a double click on 请评价 asks once
    service.submit(device=device, service_act_id=first.service_act_id, level=4)
    with pytest.raises(RatingRefusedError, match="一事一评"):
        service.request_rating(case_no=case.case_no, item_code=None, staff_no="S0042")

    visit = service.request_rating(case_no=None, item_code=None, staff_no="S0042")
    assert visit.case_no is None and visit.phone_masked == ""
    service.submit(device=device, service_act_id=visit.service_act_id, level=5)
    with pytest.raises(RatingRefusedError, match="一次一评"):
        service.request_rating(case_no=None, item_code=None, staff_no="S0042", service_act_id=visit.service_act_id)
    [consultation] = store.ratings.for_service_act(visit.service_act_id)
    assert consultation.case_no is None and consultation.level is RatingLevel.VERY_SATISFIED


def test_timeout_records_unrated_never_a_good_default(
    store: Store, clock: Clock, service: RatingService, qtbot: QtBot
) -> None:
    case = save_case(store, clock)
    prompt = service.request_rating(case_no=case.case_no, item_code=None, staff_no="S0042")
    clock.advance(59)
    assert service.expire_overdue() is None  # not yet
    clock.advance(1)
    with qtbot.wait_signal(service.rating_saved) as saved:
        service.expire_overdue()
    [rating] = store.ratings.for_case(case.case_no)
    assert saved.args[0] == rating
    assert rating.outcome is RatingOutcome.UNRATED and rating.level is None and rating.rated_at is None
    assert rating.service_act_id == prompt.service_act_id and rating.staff_no == "S0042"
    assert service.active_prompt is None
    device = service.register_citizen_screen()
    with pytest.raises(RatingRefusedError):  # a late tap cannot turn 未评价 into a rating
        service.submit(device=device, service_act_id=prompt.service_act_id, level=5)


def test_the_timer_itself_records_unrated(store: Store, clock: Clock, qtbot: QtBot, qapp: QApplication) -> None:
    service = make_service(store, clock, timeout=dt.timedelta(milliseconds=50))
    prompt = service.request_rating(case_no=None, item_code="210800-SB-0012", staff_no="S0042")
    clock.advance(1)
    with qtbot.wait_signal(service.rating_saved, timeout=3000) as saved:
        pass
    rating = saved.args[0]
    assert rating.service_act_id == prompt.service_act_id and rating.outcome is RatingOutcome.UNRATED
    assert rating.item_code == "210800-SB-0012"


def test_a_new_request_records_the_open_one_as_unrated(store: Store, clock: Clock, service: RatingService) -> None:
    first_case = save_case(store, clock)
    second_case = save_case(store, clock)
    service.request_rating(case_no=first_case.case_no, item_code=None, staff_no="S0042")
    second = service.request_rating(case_no=second_case.case_no, item_code=None, staff_no="S0042")
    [first_rating] = store.ratings.for_case(first_case.case_no)
    assert first_rating.outcome is RatingOutcome.UNRATED
    assert service.active_prompt == second


def test_a_pending_request_survives_a_restart(tmp_path: Path, clock: Clock, qapp: QApplication) -> None:
    with open_test_store(tmp_path, clock) as store:
        case = save_case(store, clock)
        prompt = make_service(store, clock).request_rating(case_no=case.case_no, item_code=None, staff_no="S0042")
        # the process dies here: no answer, no timeout
    clock.advance(20)
    with open_test_store(tmp_path, clock) as store:
        service = make_service(store, clock)
        resumed = service.resume_pending()
        assert resumed is not None
        assert (resumed.service_act_id, resumed.case_no, resumed.item_code) == (
            prompt.service_act_id,
            case.case_no,
            case.item_code,
        )
        assert resumed.staff_name == "李明" and resumed.phone_masked == "138****1234"
        assert resumed.deadline == prompt.deadline  # the time already spent counts
        device = service.register_citizen_screen()
        service.submit(device=device, service_act_id=resumed.service_act_id, level=4)
        [rating] = store.ratings.for_case(case.case_no)
        assert rating.requested_at == prompt.requested_at and rating.staff_no == "S0042"


def test_a_request_that_ran_out_while_down_becomes_unrated(tmp_path: Path, clock: Clock, qapp: QApplication) -> None:
    with open_test_store(tmp_path, clock) as store:
        case = save_case(store, clock)
        make_service(store, clock).request_rating(case_no=case.case_no, item_code=None, staff_no="S0042")
    clock.advance(3600)
    with open_test_store(tmp_path, clock) as store:
        assert make_service(store, clock).resume_pending() is None
        [rating] = store.ratings.for_case(case.case_no)
        assert rating.outcome is RatingOutcome.UNRATED


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("态度\x07好\x1b[31m", "态度好[31m"),
        ("<script>alert('差评')</script>", "<script>alert('差评')</script>"),
        ("a\u202eb\u200bc\ufeff", "abc"),  # bidi override, zero-width space, BOM
        ("  多个\t\t空白\r\n换行  ", "多个 空白 换行"),
        ("𠮷" * 3, "𠮷𠮷𠮷"),
    ],
)
def test_free_text_is_cleaned(store: Store, clock: Clock, service: RatingService, text: str, expected: str) -> None:
    device = service.register_citizen_screen()
    prompt = service.request_rating(case_no=None, item_code=None, staff_no="S0042")
    rating = service.submit(device=device, service_act_id=prompt.service_act_id, level=2, reasons=("其他",), text=text)
    assert rating.text == expected
    assert store.ratings.get(rating.rating_id) == rating


def test_ten_thousand_characters_are_cut_to_the_limit(store: Store, clock: Clock, service: RatingService) -> None:
    device = service.register_citizen_screen()
    prompt = service.request_rating(case_no=None, item_code=None, staff_no="S0042")
    rating = service.submit(device=device, service_act_id=prompt.service_act_id, level=3, text="慢" * 10_000)
    assert rating.text == "慢" * MAX_TEXT_CHARS


def test_today_figures_count_good_share(store: Store, clock: Clock, service: RatingService) -> None:
    device = service.register_citizen_screen()
    for level in (5, 4, 4, 1):
        prompt = service.request_rating(case_no=None, item_code=None, staff_no="S0042")
        service.submit(device=device, service_act_id=prompt.service_act_id, level=level, reasons=("其他",))
    service.request_rating(case_no=None, item_code=None, staff_no="S0042")
    clock.advance(61)
    service.expire_overdue()
    figures = service.today_figures()
    assert (figures.rated, figures.good, figures.bad, figures.unrated) == (4, 3, 1, 1)
    assert figures.good_share == 0.75


def test_a_clerk_must_be_known(service: RatingService) -> None:
    with pytest.raises(RatingRefusedError, match="未登录"):
        service.request_rating(case_no=None, item_code=None, staff_no="  ")


def test_phone_and_id_numbers_typed_in_the_free_text_are_masked_before_storing(
    store: Store, clock: Clock, service: RatingService
) -> None:
    """DOMAIN.md: no ID number or phone in a rating record (the platform joins the case for a call-back)."""
    case = save_case(store, clock)
    device = service.register_citizen_screen()
    prompt = service.request_rating(case_no=case.case_no, item_code=None, staff_no="S0042")
    text = "等了两小时，请回电 13912345678 或 0417-2345678，身份证 21080219900101123X，办件 00017 号"
    saved = service.submit(
        device=device,
        service_act_id=prompt.service_act_id,
        level=RatingLevel.VERY_DISSATISFIED,
        reasons=("等候时间长",),
        text=text,
    )
    [stored] = store.ratings.for_case(case.case_no)
    queued = store.outbox.get(saved.rating_id)
    assert queued is not None
    for kept in (stored.text, queued.body["text"]):
        assert "13912345678" not in kept and "2345678" not in kept and "19900101" not in kept
        assert "139****5678" in kept and "210***********123X" in kept
        assert kept.startswith("等了两小时") and "00017" in kept  # the rest of the text is the citizen's
