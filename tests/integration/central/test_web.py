"""Supervisor page and the receipt-QR rating page, over real HTTP (HTML checked as text)."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import requests

from .conftest import db_rows
from .helpers import REPO, Client, Server, case_record, envelope, start_server

PASSWORD = "correct horse battery"


def _set_password(server: Server) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "central.cli", "--db", server.db, "admin-password"],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
        timeout=60,
        check=True,
    )
    assert "password set" in proc.stdout


def _login(server: Server) -> requests.Session:
    session = requests.Session()
    answer = session.post(server.url + "/admin/login", data={"password": PASSWORD}, timeout=10)
    assert answer.status_code == 200 and "监管平台" in answer.text, answer.text[:300]
    return session


def _bad_rating(client: Client, seq: int, case: dict[str, object], text: str) -> dict[str, object]:
    body = {
        "rating_id": "r-1",
        "service_act_id": "a-1",
        "case_no": case["body"]["case_no"],  # type: ignore[index]
        "item_code": "210800200101000",
        "division": "210800",
        "hall": client.creds.hall,
        "window": "3",
        "staff_no": "0042",
        "terminal": client.creds.terminal,
        "channel": "counter_device",
        "outcome": "rated",
        "level": 1,
        "reasons": ["等候时间长", "其他"],
        "tags": [],
        "text": text,
        "callback_consent": True,
        "requested_at": "2026-11-25T01:00:00+00:00",
        "rated_at": "2026-11-25T01:00:05+00:00",
    }
    return envelope("rating", body, terminal=client.creds.terminal, seq=seq, depends_on=case["record_id"])  # type: ignore[arg-type]


def test_supervisor_login_dashboard_and_follow_up(server: Server, make_client: Callable[..., Client]) -> None:
    _set_password(server)
    assert requests.get(server.url + "/admin", timeout=5, allow_redirects=False).status_code == 303
    wrong = requests.post(server.url + "/admin/login", data={"password": "guess"}, timeout=5)
    assert wrong.status_code == 401 and "密码错误" in wrong.text

    client = make_client(hall="41")
    case = case_record(client.creds, 1, name="王小明")
    hostile = "<script>alert('x')</script> 排队太久"
    results = client.batch([case, _bad_rating(client, 2, case, hostile)]).json()["results"]
    assert [r["status"] for r in results] == ["accepted", "accepted"]

    session = _login(server)
    dashboard = session.get(server.url + "/admin", timeout=10).text
    assert "210800200101000" in dashboard  # today's intake shows the item
    assert "<script>alert" not in dashboard
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in dashboard
    assert "王小明" not in dashboard and "13800005678" not in dashboard  # no personal data
    assert client.creds.terminal in dashboard  # the device list
    rating_key = results[1]["record_id"]
    assert f"/admin/followups/{rating_key}" in dashboard

    detail_url = f"{server.url}/admin/followups/{rating_key}"
    detail = session.get(detail_url, timeout=10).text
    assert "待分派" in detail
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', detail)
    assert csrf is not None
    # Without the CSRF token nothing changes.
    forged = session.post(detail_url, data={"action": "assign", "assignee": "李科长"}, timeout=10)
    assert forged.status_code == 403
    steps = [
        {"action": "assign", "assignee": "李科长", "note": ""},
        {"action": "call_back", "note": "已电话回访，群众反映排队时间长"},
        {"action": "rectify", "note": "高峰期增开两个窗口"},
        {"action": "feed_back", "note": "已告知群众整改情况"},
    ]
    for step, label in zip(steps, ["已分派", "已回访", "已整改", "已反馈"], strict=True):
        page = session.post(detail_url, data={**step, "csrf": csrf.group(1)}, timeout=10)
        assert re.search(rf"<strong id='state'>{label}</strong>", page.text), page.text[:500]
    assert "高峰期增开两个窗口" in page.text
    # Skipping a step is refused with a reason.
    again = session.post(detail_url, data={"action": "rectify", "note": "x", "csrf": csrf.group(1)}, timeout=10)
    assert "不能执行此操作" in again.text
    events = db_rows(server.db, "SELECT count(*) FROM follow_up_events WHERE rating_key = ?", rating_key)
    assert events == [(5,)]


def test_overdue_follow_ups_are_highlighted(server: Server, make_client: Callable[..., Client]) -> None:
    _set_password(server)
    client = make_client(hall="42")
    case = case_record(client.creds, 1)
    rating = _bad_rating(client, 2, case, "")
    client.batch([case, rating])
    db_rows(server.db, "UPDATE follow_ups SET callback_due = '2020-01-02' WHERE rating_key = ?", rating["record_id"])
    dashboard = _login(server).get(server.url + "/admin", timeout=10).text
    row = re.search(rf'<tr class="overdue"><td><a href="/admin/followups/{rating["record_id"]}">', dashboard)
    assert row is not None
    assert "逾期" in dashboard


def test_phone_rating_once_per_case_reaches_the_updates_feed(
    server: Server, make_client: Callable[..., Client]
) -> None:
    client = make_client(hall="43")
    case = case_record(client.creds, 1, name="赵六")
    assert client.batch([case]).json()["results"][0]["status"] == "accepted"
    case_no = case["body"]["case_no"]
    url = f"{server.url}/r/{case_no}"

    form = requests.get(url, timeout=10)
    assert form.status_code == 200
    assert "城乡居民养老保险参保登记" in form.text
    assert "赵六" not in form.text and "13800005678" not in form.text
    assert f"{case_no[:6]}****{case_no[-4:]}" in form.text  # shown masked (it is in the URL anyway)
    # A low rating needs a reason; the page says so and stores nothing.
    refused = requests.post(url, data={"level": "2"}, timeout=10)
    assert "请至少选择一项" in refused.text
    done = requests.post(url, data={"level": "2", "reasons": ["办理超时", "其他"], "text": "<b>慢</b>"}, timeout=10)
    assert "感谢您的评价" in done.text
    assert "已评价" in requests.get(url, timeout=10).text
    second = requests.post(url, data={"level": "5"}, timeout=10)
    assert "已评价" in second.text
    assert db_rows(server.db, "SELECT count(*) FROM ratings WHERE case_no = ?", case_no) == [(1,)]

    changes = client.request("GET", "/api/v1/updates").json()["changes"]
    ratings = [c for c in changes if c["type"] == "rating" and c["case_no"] == case_no]
    assert len(ratings) == 1
    assert (ratings[0]["level"], ratings[0]["channel"], ratings[0]["reasons"]) == (
        2,
        "receipt_qr",
        ["办理超时", "其他"],
    )


def test_phone_rating_refused_when_rated_at_the_counter(server: Server, make_client: Callable[..., Client]) -> None:
    client = make_client(hall="44")
    case = case_record(client.creds, 1)
    client.batch([case, _bad_rating(client, 2, case, "")])
    url = f"{server.url}/r/{case['body']['case_no']}"
    assert "已评价" in requests.get(url, timeout=10).text
    requests.post(url, data={"level": "5"}, timeout=10)
    assert db_rows(
        server.db, "SELECT count(*) FROM ratings WHERE channel = 'receipt_qr' AND case_no = ?", case["body"]["case_no"]
    ) == [(0,)]
    assert requests.get(f"{server.url}/r/12345", timeout=10).status_code == 404
    unknown = case_record(client.creds, 50)["body"]["case_no"]
    assert requests.get(f"{server.url}/r/{unknown}", timeout=10).status_code == 404


def test_first_start_prints_a_one_time_setup_link(tmp_path: Path) -> None:
    srv = start_server(f"sqlite:///{tmp_path / 'c.db'}", tmp_path / "server.log")
    try:
        link = re.search(r"(/admin/setup\?token=[A-Za-z0-9_-]+)", srv.log())
        assert link is not None, srv.log()
        token = link.group(1).split("=", 1)[1]
        assert requests.get(srv.url + link.group(1), timeout=5).status_code == 200
        short = requests.post(srv.url + "/admin/setup", data={"token": token, "password": "short"}, timeout=5)
        assert short.status_code == 400
        requests.post(srv.url + "/admin/setup", data={"token": token, "password": PASSWORD}, timeout=5)
        assert requests.get(srv.url + link.group(1), timeout=5).status_code == 403  # used up
        stored = db_rows(srv.db, "SELECT value FROM meta WHERE key = 'admin_password'")[0][0]
        assert str(stored).startswith("scrypt$") and PASSWORD not in str(stored)
        assert "监管平台" in _login(srv).get(srv.url + "/admin", timeout=5).text
    finally:
        srv.stop()


def test_receipt_qr_page_shows_progress_and_leads_to_rating(server: Server, make_client: Callable[..., Client]) -> None:
    client = make_client(hall="45")
    case = case_record(client.creds, 1, name="赵六")
    assert client.batch([case]).json()["results"][0]["status"] == "accepted"
    case_no = case["body"]["case_no"]
    page = requests.get(f"{server.url}/c/{case_no}", timeout=10)
    assert page.status_code == 200
    assert "城乡居民养老保险参保登记" in page.text
    assert 'id="status">审批部门办理中<' in page.text  # accepted by the platform: forwarded to the department
    assert "赵六" not in page.text and "13800005678" not in page.text
    assert f'href="/r/{case_no}"' in page.text
    requests.post(f"{server.url}/r/{case_no}", data={"level": "5"}, timeout=10)
    rated = requests.get(f"{server.url}/c/{case_no}", timeout=10).text
    assert 'id="rated"' in rated and f'href="/r/{case_no}"' not in rated
    assert requests.get(f"{server.url}/c/12345", timeout=10).status_code == 404


def test_the_supervisor_page_counts_bundles_and_their_member_cases(
    server: Server, make_client: Callable[..., Client]
) -> None:
    """一件事 (issue 17): three member cases with one bundle_id are one bundle; a lone case is none."""
    _set_password(server)
    client = make_client(hall="43")
    records = []
    for seq in (1, 2, 3):
        body = dict(case_record(client.creds, seq)["body"], bundle_id="210800YJS001-00112233445566ff")
        records.append(envelope("case", body, terminal=client.creds.terminal, seq=seq))
    records.append(case_record(client.creds, 4))
    client.batch(records)

    dashboard = _login(server).get(server.url + "/admin", timeout=10).text

    assert '<p id="bundle-count">一件事 1 件，含成员办件 3 件（各部门分别办理）</p>' in dashboard
