"""四减 on the supervisor page (issue 18): the scripted day of 50 cases and six 帮办 records, synced by a real terminal
to the real platform, shows in headless Chromium as the same hand-computed totals as the terminal's 日结 CSV."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.config import Config
from app.domain.models import AssistOutcome
from app.paths import resolve_paths
from app.sync.cli_handlers import EXIT_OK, enrol_command, sync_once_command
from tests.integration.central.test_browser import CHROMEDRIVER, CHROMIUM, browser
from tests.integration.test_sijian_report import DAY, EXPECTED, A, C, _assist, scripted_day
from tests.shots import shot_dir

from .harness import Central, central_source, open_terminal

__all__ = ["browser"]  # the fixture, used by name
pytestmark = pytest.mark.skipif(
    CHROMIUM is None or CHROMEDRIVER is None, reason="Debian chromium and chromium-driver are not installed"
)
PASSWORD = "correct horse battery"
SEED = Path(__file__).resolve().parents[3] / "resources" / "catalogue" / "seed.json"


def _central_cli(central: Central, *args: str, stdin: str = "") -> None:
    subprocess.run(
        [sys.executable, "-m", "central.cli", "--db", str(central.db), *args],
        input=stdin,
        text=True,
        env={**os.environ, "PYTHONPATH": str(central_source())},
        capture_output=True,
        check=True,
        timeout=60,
    )


def test_sijian_by_hall_and_month_on_the_supervisor_page(
    central: Central, isolated_state: Path, browser: object
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.remote.webdriver import WebDriver
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.wait import WebDriverWait

    assert isinstance(browser, WebDriver)
    _central_cli(central, "catalogue", "import", str(SEED))  # the items' promised and legal days
    _central_cli(central, "admin-password", stdin=PASSWORD + "\n")
    config, paths = Config(), resolve_paths()
    out, err = io.StringIO(), io.StringIO()
    assert enrol_command(config=config, paths=paths, url=central.url, code=central.enrol_code(), out=out, err=err) == 0
    with open_terminal(paths.data_dir) as store:
        for case in scripted_day():
            if case.created_at.date() == DAY:  # the day's 50 (the day before and after stay on the terminal)
                store.save_case(case, actor="S0042")
        outcomes = [AssistOutcome.SUBMITTED] * 3 + [AssistOutcome.INCOMPLETE] + [AssistOutcome.SUBMITTED] * 2
        for n, outcome in enumerate(outcomes):
            store.save_assist(_assist(n, C if n < 4 else A, outcome), actor="S0042")
    assert sync_once_command(config=config, paths=paths, out=out, err=err) == EXIT_OK

    browser.get(central.url + "/admin/login")
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    old_page = browser.find_element(By.TAG_NAME, "html")
    browser.find_element(By.TAG_NAME, "button").click()
    WebDriverWait(browser, 15).until(expected_conditions.staleness_of(old_page))
    browser.get(central.url + "/admin?start=2026-11-01&end=2026-11-30")
    table = browser.find_element(By.ID, "sijian")
    cells = [
        [td.text for td in tr.find_elements(By.TAG_NAME, "td")] for tr in table.find_elements(By.TAG_NAME, "tr")[1:]
    ]
    # One hall, one month: the day's totals, as computed by hand for the terminal's CSV.
    assert cells == [["21080001", "2026-11", *(str(v) for v in EXPECTED["合计"])]]
    chart = browser.find_element(By.ID, "sijian-chart")
    assert chart.get_attribute("aria-label") == "四减按大厅和月份"
    assert "减材料（件）" in chart.text and "25" in chart.text  # 17 by licence + 8 shared
    assert browser.find_element(By.ID, "online-filing").text
    browser.set_window_size(1400, 900)
    browser.execute_script("arguments[0].scrollIntoView()", chart)
    browser.save_screenshot(str(shot_dir("sijian") / "sijian_supervisor.png"))  # looked at by a person
