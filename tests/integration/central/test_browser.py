"""The supervisor page in headless Chromium: log in, see a 差评 a terminal just synced, record a follow-up."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from central import devices
from central.db import open_engine

from .helpers import Client, Server, case_record, enrol, start_server
from .test_web import PASSWORD, _bad_rating, _set_password

CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None or CHROMEDRIVER is None, reason="Debian chromium and chromium-driver are not installed"
)


@pytest.fixture
def browser() -> Iterator[object]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--lang=zh-CN"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    driver.implicitly_wait(10)  # find_element waits for the next page to have the element
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def web_server(tmp_path: Path) -> Iterator[Server]:
    srv = start_server(f"sqlite:///{tmp_path / 'c.db'}", tmp_path / "server.log")
    try:
        yield srv
    finally:
        srv.stop()


def test_supervisor_sees_a_synced_bad_rating_and_records_a_follow_up(web_server: Server, browser: object) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.remote.webdriver import WebDriver
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.select import Select
    from selenium.webdriver.support.wait import WebDriverWait

    assert isinstance(browser, WebDriver)

    def submit(button: object) -> None:
        """Click and wait until the next page replaced this one (no sleeps)."""
        old_page = browser.find_element(By.TAG_NAME, "html")
        button.click()  # type: ignore[attr-defined]
        WebDriverWait(browser, 15).until(expected_conditions.staleness_of(old_page))

    _set_password(web_server)
    engine = open_engine(web_server.db)
    code = devices.create_enrol_code(engine, division="210800", hall="01", window="3")
    engine.dispose()
    client = Client(web_server.url, enrol(web_server.url, code.code))
    case = case_record(client.creds, 1)
    rating = _bad_rating(client, 2, case, "<script>document.title='pwned'</script>等了一个小时")
    assert [r["status"] for r in client.batch([case, rating]).json()["results"]] == ["accepted", "accepted"]

    browser.get(web_server.url + "/admin")
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    submit(browser.find_element(By.TAG_NAME, "button"))
    follow_ups = browser.find_element(By.ID, "follow-ups")
    assert "等了一个小时" in follow_ups.text
    assert "<script>document.title='pwned'</script>" in follow_ups.text  # shown as text, not run
    assert browser.title == "监管平台"
    assert browser.find_element(By.ID, "good-rate").text == "0.0%"

    submit(browser.find_element(By.LINK_TEXT, case["body"]["case_no"]))
    assert browser.find_element(By.ID, "state").text == "待分派"
    Select(browser.find_element(By.NAME, "action")).select_by_value("assign")
    browser.find_element(By.NAME, "assignee").send_keys("李科长")
    submit(browser.find_element(By.CSS_SELECTOR, "main form button"))
    assert browser.find_element(By.ID, "state").text == "已分派"

    Select(browser.find_element(By.NAME, "action")).select_by_value("call_back")
    browser.find_element(By.NAME, "note").send_keys("已电话回访，群众同意整改方案")
    submit(browser.find_element(By.CSS_SELECTOR, "main form button"))
    assert browser.find_element(By.ID, "state").text == "已回访"
    assert "已电话回访，群众同意整改方案" in browser.find_element(By.TAG_NAME, "table").text
