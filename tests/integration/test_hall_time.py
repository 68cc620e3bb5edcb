"""Issue 11 item 7: one hall time zone decides every time shown, printed and reported, whatever the PC's zone.

On a PC set to UTC, 今日办件 and the 日结 showed 06:10 for a case whose receipt said 14:10. Each test runs with the
PC's zone (the TZ variable) set to UTC and to America/New_York; the hall is in Asia/Shanghai (the default).
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.config import config_from_dict
from app.domain import hall_time
from app.paths import AppPaths
from app.services.receipts import receipt_command
from app.services.terminal import Terminal, open_terminal
from tests.integration.intake_support import ITEM_CODE, STAFF_NO, FakeClock, fill_person, receive_all
from tests.integration.receipts_support import pdf_text, squash

#: 14:10 on 24 November 2026 in the hall (06:10 UTC, 01:10 in New York).
AFTERNOON = dt.datetime(2026, 11, 24, 6, 10, tzinfo=dt.UTC)
#: 01:30 on 25 November in the hall — still the 24th in UTC (17:30) and in New York (12:30).
AFTER_MIDNIGHT = dt.datetime(2026, 11, 24, 17, 30, tzinfo=dt.UTC)


@pytest.fixture(params=["UTC", "America/New_York"])
def pc_zone(request: pytest.FixtureRequest) -> Iterator[str]:
    """The PC's own time zone, as the operating system gives it to the program."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = request.param
    time.tzset()
    try:
        yield request.param
    finally:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()
        hall_time.configure(hall_time.DEFAULT_ZONE)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(AFTERNOON)


@pytest.fixture
def terminal(pc_zone: str, clock: FakeClock, tmp_path: Path, qapp: QApplication) -> Iterator[Terminal]:
    paths = AppPaths(data_dir=tmp_path / "data", config_file=tmp_path / "c.toml", log_dir=tmp_path / "logs")
    config = config_from_dict(
        {"window": "07", "terminal_code": "003", "printer": {"kind": "pdf", "pdf_dir": str(tmp_path / "pdf")}}
    )
    term = open_terminal(config=config, paths=paths, clock=clock)
    term.staff.add(staff_no=STAFF_NO, display_name="王晓", pin="246810", actor="test")
    yield term
    term.receipts.wait_for_idle()
    QApplication.processEvents()
    term.close()


def _take_case(term: Terminal) -> str:
    draft = receive_all(fill_person(term.intake.start(item_code=ITEM_CODE)))
    return term.intake.submit(draft=draft, staff_no=STAFF_NO, print_receipt=False).case.case_no


def test_list_report_receipt_and_case_number_all_use_hall_time(
    terminal: Terminal, clock: FakeClock, qtbot: QtBot, tmp_path: Path
) -> None:
    from ui.pages.today_cases import TodayCasesPage

    first = _take_case(terminal)
    assert first[11:19] == "20261124"
    page = TodayCasesPage(terminal.case_list, terminal.intake, terminal.staff)
    qtbot.add_widget(page)
    page.refresh()
    assert [page.table.item(r, 3).text() for r in range(page.table.rowCount())] == ["14:10"]

    out = tmp_path / "receipt.pdf"
    assert receipt_command(config=terminal.config, paths=terminal.paths, case_no=first, fmt="pdf", out=out) == 0
    printed = squash(pdf_text(out))
    assert "14:10" in printed and "06:10" not in printed and "01:10" not in printed

    # After the hall's midnight (not the PC's): a new day in the number, the list and the report.
    clock.now = AFTER_MIDNIGHT
    second = _take_case(terminal)
    assert second[11:19] == "20261125" and second[19:24] == "00001"
    page.refresh()
    assert [page.table.item(r, 3).text() for r in range(page.table.rowCount())] == ["01:30"]

    assert terminal.reports.today() == dt.date(2026, 11, 25)
    day_24 = terminal.reports.report(day=dt.date(2026, 11, 24))
    day_25 = terminal.reports.report(day=dt.date(2026, 11, 25))
    assert (day_24.cases_received, day_25.cases_received) == (1, 1)
    assert hall_time.clock_text(day_25.generated_at) == "01:30"


def test_the_hall_zone_is_a_config_key(pc_zone: str) -> None:
    from app.config import ConfigError

    assert config_from_dict({}).hall_timezone == "Asia/Shanghai"
    assert config_from_dict({"hall_timezone": "Asia/Urumqi"}).hall_timezone == "Asia/Urumqi"
    with pytest.raises(ConfigError, match="hall_timezone"):
        config_from_dict({"hall_timezone": "Beijing"})
    hall_time.configure("Asia/Urumqi")  # a hall that keeps Xinjiang time (UTC+6)
    assert hall_time.clock_text(AFTERNOON) == "12:10"
