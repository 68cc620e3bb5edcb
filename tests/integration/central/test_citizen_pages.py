"""The receipt QR's pages on a citizen's phone (issue 21), in headless Chromium: progress `/c/` and rating `/r/` at
320, 390 and 768 px and at 200 % text size — no sideways scrolling, every control at least 60 px tall, no reason
broken inside a word, times on the hall's clock, an automated accessibility check (axe-core), a rating tapped with
JavaScript off that reaches the supervisor page. Screenshots go to tests.shots.shot_dir("citizen_shots") (looked at).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests

from central import devices
from central.db import open_engine
from tests.shots import shot_dir

from .conftest import db_rows
from .helpers import Client, Server, case_no, enrol, envelope, start_server
from .test_web import PASSWORD, _set_password

CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None or CHROMEDRIVER is None, reason="Debian chromium and chromium-driver are not installed"
)
SHOTS = shot_dir("citizen_shots")
WIDTHS = (320, 390, 768)
TEXT_ZOOMS = (1, 2)  # 100 % and 200 % text size (a phone's or WeChat's font-size setting)
HALL_PHONE = "0417-2825800"
SHANGHAI = ZoneInfo("Asia/Shanghai")
MIN_TARGET_PX = 60
MAX_PAGE_BYTES = 50 * 1024


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    home = tmp_path_factory.mktemp("citizen")
    srv = start_server(
        f"sqlite:///{home / 'c.db'}", home / "server.log", {"TB_CENTRAL_HALL_PHONES": f"21080001={HALL_PHONE}"}
    )
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def client(platform: Server) -> Client:
    engine = open_engine(platform.db)
    try:
        code = devices.create_enrol_code(engine, division="210800", hall="01", window="3")
    finally:
        engine.dispose()
    return Client(platform.url, enrol(platform.url, code.code))


def _case(client: Client, seq: int) -> str:
    """A case as the counter sends it, with its promised date; returns its number."""
    number = case_no(client.creds.hall, client.creds.terminal, seq, client.creds.division)
    body = {
        "case_no": number,
        "item_code": "210800200101000",
        "item_name": "城乡居民养老保险参保登记",
        "state": "received",
        "applicant_kind": "person",
        "applicant_name": "欧阳娜娜",
        "applicant_id_number": "21080219900101123X",
        "applicant_phone": "13800005678",
        "materials": [{"requirement_code": "M01", "name": "身份证", "status": "original", "count": 1}],
        "fee_fen": 0,
        "expected_date": "2026-12-09",
        "expected_is_estimate": False,
    }
    record = envelope("case", body, terminal=client.creds.terminal, seq=seq)
    assert client.batch([record]).json()["results"][0]["status"] == "accepted"
    return number


def _browser(*, javascript: bool = True) -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--lang=zh-CN"):
        options.add_argument(arg)
    if not javascript:
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(60)
    return driver


@pytest.fixture
def browser() -> Iterator[Any]:
    driver = _browser()
    try:
        yield driver
    finally:
        driver.quit()


def _phone_view(driver: Any, width: int, height: int = 800) -> None:
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": True},
    )


def _open(driver: Any, url: str, width: int, zoom: int) -> None:
    _phone_view(driver, width)
    driver.get(url)
    if zoom != 1:  # text size only, as a phone's font setting does (layout px stay px)
        driver.execute_script("document.documentElement.style.fontSize = (112.5 * arguments[0]) + '%';", zoom)


#: Measures what a citizen meets: sideways overflow, tap targets, words split across lines.
_MEASURE = """
const controls = [...document.querySelectorAll('a[href], button, input:not([type=hidden]), textarea, select')]
  .filter(e => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden');
return {
  scrollWidth: document.documentElement.scrollWidth,
  innerWidth: window.innerWidth,
  wide: [...document.querySelectorAll('body *')].filter(e => {
      const r = e.getBoundingClientRect();
      return r.right > window.innerWidth + 1 || r.left < -1 || e.scrollWidth > e.clientWidth + 1;
    }).map(e => e.tagName + '#' + e.id + '.' + e.className + ' ' + e.textContent.trim().slice(0, 12)).slice(0, 5),
  small: controls.filter(e => e.getBoundingClientRect().height < arguments[0])
    .map(e => `${e.tagName} ${e.id || e.name || e.textContent.trim()} ${Math.round(e.getBoundingClientRect().height)}`),
  controls: controls.length,
  broken: [...document.querySelectorAll('.w')].filter(e => e.getClientRects().length > 1).map(e => e.textContent),
  height: document.documentElement.scrollHeight,
};
"""


def _check_layout(driver: Any, name: str, width: int, zoom: int) -> dict[str, Any]:
    found: dict[str, Any] = driver.execute_script(_MEASURE, MIN_TARGET_PX)
    where = f"{name} at {width} px, text {zoom * 100}%"
    # innerWidth: a phone's browser widens the layout to fit content too wide for it
    assert found["innerWidth"] == width and found["scrollWidth"] <= width, (where, found["wide"])
    assert found["wide"] == [], where
    assert found["small"] == [], where
    assert found["broken"] == [], where
    SHOTS.mkdir(exist_ok=True)
    _phone_view(driver, width, min(found["height"], 6000))  # the whole page in one picture
    driver.save_screenshot(str(SHOTS / f"{name}_{width}_{zoom * 100}.png"))
    _phone_view(driver, width)
    return found


def _axe(driver: Any) -> list[str]:
    """axe-core (shipped inside selenium-axe-python) run in the page: WCAG 2.1 A/AA and best practices."""
    import selenium_axe_python

    source = (Path(selenium_axe_python.__file__).parent / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
    driver.execute_script(source)
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', "
        "'best-practice']}}).then(r => done(JSON.stringify(r.violations)), e => done(JSON.stringify([{id: "
        "'axe-error', help: String(e), nodes: []}])));"
    )
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])})" for v in json.loads(result)]


def test_progress_page_on_phones_in_hall_time(platform: Server, client: Client, browser: Any) -> None:
    number = _case(client, 1)
    url = f"{platform.url}/c/{number}"
    answer = requests.get(url, timeout=10)
    assert answer.status_code == 200 and len(answer.content) < MAX_PAGE_BYTES
    shown = re.sub(r'href="[^"]*"', "", answer.text)  # the number is in the QR's link anyway
    for secret in ("欧阳娜娜", "21080219900101123X", "13800005678", number):
        assert secret not in shown  # no personal data; the case number only masked
    assert "@font-face" not in answer.text and "<script" not in answer.text

    for width in WIDTHS:
        for zoom in TEXT_ZOOMS:
            _open(browser, url, width, zoom)
            _check_layout(browser, "progress", width, zoom)
    from selenium.webdriver.common.by import By

    _open(browser, url, 390, 1)
    assert browser.find_element(By.ID, "status").text == "审批部门办理中"
    assert "2026年12月9日" in browser.find_element(By.ID, "next").text  # what next, and by when
    assert browser.find_element(By.ID, "phone").get_attribute("href") == "tel:04172825800"
    assert browser.find_element(By.ID, "rate").text == "评价本次服务"
    # A time shown is the hall-zone time of the event (stored in UTC).
    [(stored,)] = db_rows(platform.db, "SELECT at FROM case_history WHERE case_no = ? ORDER BY id LIMIT 1", number)
    local = dt.datetime.fromisoformat(str(stored)).astimezone(SHANGHAI)
    assert browser.find_element(By.ID, "received").text == local.strftime("%Y-%m-%d %H:%M")
    steps = browser.find_element(By.ID, "steps").text
    assert local.strftime("%Y-%m-%d %H:%M") in steps and "北京时间" in browser.page_source
    assert browser.find_element(By.CSS_SELECTOR, "html").get_attribute("lang") == "zh-CN"
    assert _axe(browser) == []

    # 长辈 mode: a link away; larger type, and still no sideways scrolling at 320 px.
    size = "return parseFloat(getComputedStyle(document.querySelector('p')).fontSize)"
    normal = float(browser.execute_script(size))
    browser.find_element(By.PARTIAL_LINK_TEXT, "长辈模式").click()
    assert "mode=elder" in browser.current_url
    elder = float(browser.execute_script(size))
    assert elder >= normal * 1.2
    _check_layout(browser, "progress_elder", 390, 1)
    _open(browser, url + "?mode=elder", 320, 2)
    _check_layout(browser, "progress_elder", 320, 2)
    assert _axe(browser) == []


def test_rating_page_on_phones(platform: Server, client: Client, browser: Any) -> None:
    number = _case(client, 2)
    url = f"{platform.url}/r/{number}"
    answer = requests.get(url, timeout=10)
    assert answer.status_code == 200 and len(answer.content) < MAX_PAGE_BYTES
    assert "@font-face" not in answer.text and number not in re.sub(r'(href|action)="[^"]*"', "", answer.text)
    from selenium.webdriver.common.by import By

    for width in WIDTHS:
        for zoom in TEXT_ZOOMS:
            _open(browser, url, width, zoom)
            found = _check_layout(browser, "rating", width, zoom)
            assert found["controls"] >= 5 + 10 + 4 + 2  # five faces, ten reasons, four tags, text, submit
    _open(browser, url, 390, 1)
    # The counter's five faces and words, best first.
    words = [e.text for e in browser.find_elements(By.CSS_SELECTOR, ".levels label")]
    assert words == ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]
    assert len(browser.find_elements(By.CSS_SELECTOR, ".levels label svg")) == 5
    assert "最多 500 字" in browser.find_element(By.ID, "text-limit").text  # the limit is on screen
    assert _axe(browser) == []
    # An error after a refused post is shown by code, politely, and is checked too.
    _open(browser, url + "?error=reasons_needed", 320, 2)
    assert browser.find_element(By.ID, "error").text == "请至少选择一项不满意的原因"
    _check_layout(browser, "rating_error", 320, 2)
    assert _axe(browser) == []


def test_a_tapped_rating_without_javascript_reaches_the_supervisor(platform: Server, client: Client) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.wait import WebDriverWait

    number = _case(client, 3)
    _set_password(platform)
    driver = _browser(javascript=False)
    try:

        def tap_and_wait(element: Any) -> None:
            old = driver.find_element(By.TAG_NAME, "html")
            element.click()
            WebDriverWait(driver, 15).until(expected_conditions.staleness_of(old))

        _phone_view(driver, 390)
        driver.get(f"{platform.url}/c/{number}")
        tap_and_wait(driver.find_element(By.ID, "rate"))
        # Taps land on the tiles (the control fills its tile: face and words, or the reason's words).
        driver.find_element(By.ID, "level-2").click()  # 不满意
        driver.find_element(By.CSS_SELECTOR, "input[name=reasons][value='多次跑动']").click()
        driver.find_element(By.CSS_SELECTOR, "input[name=reasons][value='等候时间长']").click()
        driver.find_element(By.ID, "text").send_keys("叫号屏看不清")
        assert driver.find_element(By.ID, "level-2").is_selected()
        tap_and_wait(driver.find_element(By.ID, "submit"))
        assert driver.find_element(By.ID, "thanks").text == "感谢您的评价！"
        assert "不满意" in driver.find_element(By.TAG_NAME, "main").text
        _check_layout(driver, "thanks", 390, 1)
        tap_and_wait(driver.find_element(By.LINK_TEXT, "查看办件进度"))
        assert driver.find_element(By.ID, "rated").text == "已评价：不满意"
        _phone_view(driver, 320)
        driver.get(f"{platform.url}/r/{number}")  # the same QR again: a clear page, no second rating
        assert driver.find_element(By.TAG_NAME, "h1").text == "该办件已评价"
        _check_layout(driver, "already_rated", 320, 1)

        driver.get(platform.url + "/admin/login")
        driver.find_element(By.NAME, "password").send_keys(PASSWORD)
        tap_and_wait(driver.find_element(By.TAG_NAME, "button"))
        follow_ups = driver.find_element(By.ID, "follow-ups").text
        assert number in follow_ups and "叫号屏看不清" in follow_ups and "多次跑动" in follow_ups
        assert "北京时间" in driver.find_element(By.ID, "zone-note").text
        # The supervisor's follow-up page shows when the rating came in, on the hall's clock.
        tap_and_wait(driver.find_element(By.LINK_TEXT, number))
        [(received,)] = db_rows(platform.db, "SELECT received_at FROM ratings WHERE case_no = ?", number)
        local = dt.datetime.fromisoformat(str(received)).astimezone(SHANGHAI)
        assert f"收到 {local:%Y-%m-%d %H:%M:%S}（北京时间）" in driver.find_element(By.TAG_NAME, "main").text
    finally:
        driver.quit()
    rows = db_rows(platform.db, "SELECT level, channel FROM ratings WHERE case_no = ?", number)
    assert rows == [(2, "receipt_qr")]
