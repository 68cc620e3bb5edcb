"""The daily report printed on an A4 system printer: refused clearly without one, spooled through CUPS with one."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from app.config import config_from_dict
from app.services.errors import UserFacingError
from app.services.report import ReportService
from tests.integration.rating_support import Clock, make_service, open_test_store
from tests.integration.receipts_support import pdf_pages
from tests.integration.test_receipts_cups import CupsPdfQueue, cups_pdf  # noqa: F401 - the fixture, reused

DAY = dt.date(2026, 11, 25)


@pytest.mark.parametrize(
    ("printer", "message"),
    [
        ({"kind": "none"}, "未配置A4系统打印机"),
        ({"kind": "escpos_network", "host": "127.0.0.1"}, "未配置A4系统打印机"),
        ({"kind": "system", "system_printer": "no-such-printer"}, "未找到“no-such-printer”"),
    ],
)
def test_printing_without_an_a4_printer_says_why(
    tmp_path: Path, qapp: QApplication, printer: dict[str, str], message: str
) -> None:
    clock = Clock()
    with open_test_store(tmp_path, clock) as store:
        service = ReportService(store=store, config=config_from_dict({"printer": printer}), clock=clock)
        with pytest.raises(UserFacingError, match=message):
            service.print(day=DAY)


def test_report_goes_through_cups(
    tmp_path: Path,
    qapp: QApplication,
    cups_pdf: CupsPdfQueue,  # noqa: F811 - the imported fixture, requested by name
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CUPS_SERVER", str(cups_pdf.socket))
    before = set(cups_pdf.out_dir.glob("*.pdf"))
    clock = Clock()
    config = config_from_dict({"printer": {"kind": "system", "system_printer": cups_pdf.name, "timeout_seconds": 30}})
    with open_test_store(tmp_path, clock) as store:
        ratings = make_service(store, clock)
        device = ratings.register_citizen_screen()
        prompt = ratings.request_rating(case_no=None, item_code=None, staff_no="S0042")
        ratings.submit(device=device, service_act_id=prompt.service_act_id, level=5)
        assert ReportService(store=store, config=config, clock=clock).print(day=DAY) == cups_pdf.name
    deadline = time.monotonic() + 60
    while not (new := sorted(set(cups_pdf.out_dir.glob("*.pdf")) - before)):
        assert time.monotonic() < deadline, "cups-pdf wrote no PDF"
        time.sleep(0.2)
    time.sleep(0.5)  # let cups-pdf close the file
    assert pdf_pages(new[-1]) == 1  # the report fits one A4 page
