"""The citizen's free text and the report's cells: cleaned once, safe in every output (no store, no Qt)."""

from __future__ import annotations

import datetime as dt
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from app.domain.models import Rating, RatingChannel, RatingLevel, RatingOutcome
from app.services.ratings import MAX_TEXT_CHARS, bad_rating_event_body, sanitize_text
from app.services.report import DailyReport, report_csv, report_html
from offline_cache.daily_figures import BadRating


@given(st.text(max_size=3000))
def test_cleaned_text_has_no_control_or_format_characters_and_fits(text: str) -> None:
    cleaned = sanitize_text(text)
    assert len(cleaned) <= MAX_TEXT_CHARS
    assert not any(unicodedata.category(c) in {"Cc", "Cf", "Co", "Cs"} for c in cleaned)
    assert cleaned == cleaned.strip() and "  " not in cleaned
    assert sanitize_text(cleaned) == cleaned  # cleaning twice changes nothing


def test_a_cut_never_ends_in_a_space() -> None:
    assert sanitize_text("慢" * (MAX_TEXT_CHARS - 1) + " 还有") == "慢" * (MAX_TEXT_CHARS - 1)


def test_chinese_and_punctuation_survive() -> None:
    text = "窗口人员态度很好，但是等了４０分钟！（建议增加窗口）"
    assert sanitize_text(text) == text  # full-width forms are the citizen's text: no NFKC folding


def _report(text: str) -> DailyReport:
    bad = BadRating(
        rating_id="r1",
        case_no=None,
        item_code="210800-SB-0012",
        staff_no="S0042",
        level=RatingLevel.VERY_DISSATISFIED,
        reasons=("其他",),
        text=text,
        callback_consent=False,
        rated_at=dt.datetime(2026, 11, 25, 2, 0, tzinfo=dt.UTC),
    )
    return DailyReport(
        day=dt.date(2026, 11, 25),
        hall_name="=营口市政务服务中心",
        window="07",
        terminal="210800-01-003",
        generated_at=dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC),
        items=(),
        receipts_printed=0,
        receipts_reprinted=0,
        receipts_failed=0,
        ratings_by_level={level: 0 for level in RatingLevel} | {RatingLevel.VERY_DISSATISFIED: 1},
        unrated=0,
        bad_ratings=(bad,),
        unsynced_by_kind={},
        dead_by_kind={},
        pending_requests=0,
    )


def test_html_escapes_markup_from_the_citizen_and_the_config() -> None:
    page = report_html(_report("</td></table><script>alert(1)</script>&amp;"))
    assert "<script>" not in page and "</td></table><script>" not in page
    assert "&lt;/td&gt;&lt;/table&gt;&lt;script&gt;alert(1)&lt;/script&gt;&amp;amp;" in page


def test_csv_cells_never_start_a_formula() -> None:
    text = report_csv(_report("=1+1"))
    assert ",'=营口市政务服务中心," in text  # a hall name starting with = is shown, not run
    assert "留言：=1+1" in text  # inside the cell, not at its start: harmless
    for line in text.splitlines():
        for cell in line.split(","):
            assert not cell.startswith(("=", "+", "-", "@"))


def test_bad_rating_event_has_no_free_text() -> None:
    rating = Rating(
        rating_id="r1",
        service_act_id="a1",
        case_no=None,
        item_code=None,
        division="210800",
        hall="01",
        window="07",
        staff_no="S0042",
        terminal="003",
        channel=RatingChannel.COUNTER_DEVICE,
        outcome=RatingOutcome.RATED,
        level=RatingLevel.DISSATISFIED,
        requested_at=dt.datetime(2026, 11, 25, 2, 0, tzinfo=dt.UTC),
        rated_at=dt.datetime(2026, 11, 25, 2, 1, tzinfo=dt.UTC),
        reasons=("等候时间长",),
        text="张三 13804171234",
    )
    body = bad_rating_event_body(rating)
    assert body["event"] == "bad_rating" and body["level"] == 2 and body["reasons"] == ["等候时间长"]
    assert "text" not in body and "13804171234" not in str(body)
    assert body["occurred_at"] == "2026-11-25T02:01:00.000000+00:00"
