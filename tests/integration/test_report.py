"""日结: the report's figures against records the test inserts into a real store, and its CSV and PDF files."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import re
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from app.domain import hall_time
from app.domain.models import CaseState, RatingLevel, ReceiptKind, ReceiptOutput, ReceiptRecord
from app.paths import resolve_paths
from app.services.errors import UserFacingError
from app.services.ratings import RatingService
from app.services.report import build_daily_report, report_command, report_csv, write_report
from offline_cache import Store
from offline_cache.samples import sample_case
from tests.integration.rating_support import T0, Clock, make_service, open_test_store, save_case, terminal_config

CST = dt.timezone(dt.timedelta(hours=8))
DAY = dt.date(2026, 11, 25)
SCRIPT = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://x","点我")'


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> Iterator[Store]:
    with open_test_store(tmp_path, clock) as s:
        yield s


def receipt(case_no: str, *, at: dt.datetime, reprint: bool = False, success: bool = True) -> ReceiptRecord:
    return ReceiptRecord(
        record_id=str(uuid.uuid4()),
        case_no=case_no,
        kind=ReceiptKind.INTAKE_RECEIPT,
        output=ReceiptOutput.PDF,
        staff_no="S0042",
        printed_at=at,
        reprint=reprint,
        success=success,
    )


def rate(service: RatingService, level: int, **kwargs: object) -> None:
    device = service.register_citizen_screen()
    prompt = service.request_rating(case_no=None, item_code="210800-SB-0012", staff_no="S0042")
    service.submit(device=device, service_act_id=prompt.service_act_id, level=level, **kwargs)  # type: ignore[arg-type]


def fill_day(store: Store, clock: Clock, service: RatingService) -> str:
    """The day's records; also one case the evening before (local) that must not count. Returns a case number."""
    clock.now = dt.datetime(2026, 11, 24, 15, 59, tzinfo=dt.UTC)  # 23:59 on the 24th in Yingkou
    save_case(store, clock)
    rate(service, 1, reasons=("办理超时",))
    clock.now = T0  # 10:00 on the 25th
    first = save_case(store, clock)
    save_case(store, clock)
    save_case(store, clock, item_code="210800-GA-0003", item_name="居民身份证换领")
    refused = dataclasses.replace(sample_case(created_at=clock()), state=CaseState.REFUSED, refusal_reason="材料不全")
    store.save_case(refused, actor="S0042")
    store.save_receipt(receipt(first.case_no, at=clock()), actor="S0042")
    store.save_receipt(receipt(first.case_no, at=clock(), reprint=True), actor="S0042")
    store.save_receipt(receipt(first.case_no, at=clock(), success=False), actor="S0042")
    for level in (5, 5, 4):
        rate(service, level)
    rate(service, 3)
    rate(service, 2, reasons=("等候时间长", "系统故障"), text=SCRIPT, callback_consent=True)
    rate(service, 1, reasons=("其他",), text=FORMULA)
    service.request_rating(case_no=None, item_code=None, staff_no="S0042")
    clock.advance(61)
    service.expire_overdue()  # one 未评价
    service.request_rating(case_no=None, item_code=None, staff_no="S0042")  # still open at report time
    return first.case_no


def test_figures_match_the_records(store: Store, clock: Clock, qapp: QApplication) -> None:
    service = make_service(store, clock)
    fill_day(store, clock, service)
    report = build_daily_report(store, terminal_config(), DAY, now=clock(), tz=CST)
    by_item = {item.item_code: (item.received, item.refused) for item in report.items}
    assert by_item == {"210800-SB-0012": (2, 1), "210800-GA-0003": (1, 0)}
    assert (report.cases_received, report.cases_refused) == (3, 1)
    assert (report.receipts_printed, report.receipts_reprinted, report.receipts_failed) == (2, 1, 1)
    assert report.ratings_by_level == {
        RatingLevel.VERY_SATISFIED: 2,
        RatingLevel.SATISFIED: 1,
        RatingLevel.BASICALLY_SATISFIED: 1,
        RatingLevel.DISSATISFIED: 1,
        RatingLevel.VERY_DISSATISFIED: 1,
    }
    assert report.rated == 6 and report.good == 3 and report.good_rate == "50.0%"
    assert report.unrated == 1 and report.pending_requests == 1
    assert [(b.level, b.reasons) for b in report.bad_ratings] == [
        (RatingLevel.DISSATISFIED, ("等候时间长", "系统故障")),
        (RatingLevel.VERY_DISSATISFIED, ("其他",)),
    ]
    # nothing was synced, whatever its day: 5 cases, 3 receipts, 8 ratings (7 rated, 1 unrated; the open request
    # is no record yet), 3 差评 events
    assert report.unsynced_by_kind == {"case": 5, "event": 3, "rating": 8, "receipt": 3}
    assert report.dead_by_kind == {}


def test_an_empty_day_has_no_rate(store: Store, clock: Clock) -> None:
    report = build_daily_report(store, terminal_config(), DAY, now=clock(), tz=CST)
    assert report.rated == 0 and report.good_rate == "—" and report.items == ()


def test_csv_has_every_figure_and_text_never_runs_as_a_formula(store: Store, clock: Clock, qapp: QApplication) -> None:
    fill_day(store, clock, make_service(store, clock))
    report = build_daily_report(store, terminal_config(), DAY, now=clock(), tz=CST)
    rows = list(csv.reader(io.StringIO(report_csv(report))))
    assert rows[0] == ["部分", "代码", "名称", "数量", "比率", "详情"]
    assert all(len(row) == 6 for row in rows)
    assert ["办件", "210800-GA-0003", "居民身份证换领", "1", "", "不予收件 0"] in rows
    assert ["评价", "", "已评价合计", "6", "50.0%", "比率为好评率（非常满意与满意）"] in rows
    assert ["评价", "5", "非常满意", "2", "", ""] in rows
    assert ["评价", "", "未评价", "1", "", ""] in rows
    bad = [row for row in rows if row[0] == "差评"]
    assert len(bad) == 2
    # a consultation has no case to call back about, so its consent is not kept
    assert bad[0][5] == f"等候时间长；系统故障；留言：{SCRIPT}"
    assert bad[1][5] == f"其他；留言：{FORMULA}"  # inside the cell, not at its start
    assert not any(cell.startswith(("=", "+", "@")) for row in rows for cell in row)


def test_pdf_prints_the_figures_and_the_text_as_typed(
    store: Store, clock: Clock, qapp: QApplication, tmp_path: Path
) -> None:
    fill_day(store, clock, make_service(store, clock))
    report = build_daily_report(store, terminal_config(), DAY, now=clock(), tz=CST)
    out = write_report(report, "pdf", tmp_path / "out" / "report.pdf")
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True).stdout
    squashed = "".join(text.split())
    for expected in ("鲅鱼圈区政务服务中心日结报表", "好评率50.0%", "居民身份证换领", "非常不满意", "未评价1次"):
        assert expected in squashed
    assert SCRIPT in squashed  # escaped markup, shown as text
    # readable on A4: body text about 10 pt high (pdftotext's boxes are in points), the title larger
    boxes = subprocess.run(["pdftotext", "-bbox", str(out), "-"], capture_output=True, text=True, check=True).stdout
    heights = {
        m[2]: float(m[1]) - float(m[0])
        for m in re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]+)</word>', boxes)
    }
    assert heights["日结报表"] > 16 and 10 < heights["回执"] < heights["日结报表"]
    assert not list(tmp_path.glob("out/*.part"))


def test_report_command_writes_csv_and_pdf(tmp_path: Path, qapp: QApplication) -> None:
    paths = resolve_paths(data_dir=str(tmp_path / "data"))
    paths.ensure()
    clock = Clock(dt.datetime.now(dt.UTC))
    from offline_cache import open_store

    with open_store(paths.database, clock=clock) as store:
        service = make_service(store, clock)
        rate(service, 5)
        rate(service, 1, reasons=("其他",), text="\x00" + "长" * 10_000)
    today = hall_time.today(clock()).isoformat()
    assert report_command(config=terminal_config(), paths=paths, date=today, fmt="csv", out=tmp_path / "r.csv") == 0
    data = (tmp_path / "r.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: spreadsheet programs read the Chinese
    assert "50.0%" in data.decode("utf-8-sig")
    assert report_command(config=terminal_config(), paths=paths, date=today, fmt="pdf", out=tmp_path / "r.pdf") == 0
    text = subprocess.run(["pdftotext", str(tmp_path / "r.pdf"), "-"], capture_output=True, text=True, check=True)
    assert "日结报表" in text.stdout


@pytest.mark.parametrize(
    ("date", "fmt", "message"),
    [("2026-13-01", "csv", "日期格式有误"), ("yesterday", "pdf", "日期格式有误"), ("2026-11-25", "xlsx", "未知的格式")],
)
def test_report_command_refuses_bad_arguments(tmp_path: Path, date: str, fmt: str, message: str) -> None:
    paths = resolve_paths(data_dir=str(tmp_path / "data"))
    with pytest.raises(UserFacingError, match=message):
        report_command(config=terminal_config(), paths=paths, date=date, fmt=fmt, out=tmp_path / "r")
    assert not (tmp_path / "r").exists()
