"""The TB_FAULT hooks the sync engine's fault tests rely on, each against its own server process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from central import devices
from central.db import open_engine
from central.migrations import migrate

from .conftest import db_rows
from .helpers import Client, Server, case_record, cli, enrol, start_server


def _client(server: Server) -> Client:
    engine = open_engine(server.db)
    migrate(engine)
    code = devices.create_enrol_code(engine, division="210800", hall="01", window="1")
    engine.dispose()
    return Client(server.url, enrol(server.url, code.code))


@pytest.fixture
def fault_server(tmp_path: Path) -> Iterator[Server]:
    """A server whose faults are switched through TB_FAULT_FILE (starts with none)."""
    fault_file = tmp_path / "faults"
    fault_file.write_text("", encoding="utf-8")
    srv = start_server(f"sqlite:///{tmp_path / 'c.db'}", tmp_path / "server.log", {"TB_FAULT_FILE": str(fault_file)})
    try:
        yield srv
    finally:
        srv.stop()


def _set_fault(server: Server, spec: str) -> None:
    Path(server.env["TB_FAULT_FILE"]).write_text(spec, encoding="utf-8")


def test_status_faults_answer_with_retry_after_then_recover(fault_server: Server) -> None:
    client = _client(fault_server)
    _set_fault(fault_server, "status:429:ra=7:n=2")
    for _ in range(2):
        answer = client.batch([case_record(client.creds, 1)])
        assert answer.status_code == 429 and answer.headers["Retry-After"] == "7"
    assert client.batch([case_record(client.creds, 1)]).status_code == 200
    _set_fault(fault_server, "status:500")
    assert client.request("GET", "/api/v1/devices/me/summary").status_code == 500
    assert requests.get(fault_server.url + "/healthz", timeout=5).status_code == 200  # liveness unaffected
    _set_fault(fault_server, "")
    assert client.request("GET", "/api/v1/devices/me/summary").status_code == 200


def test_crash_on_poisons_the_whole_batch_and_reject_marks_one_record(fault_server: Server) -> None:
    client = _client(fault_server)
    good, poison = case_record(client.creds, 1), case_record(client.creds, 2)
    _set_fault(fault_server, f"crash_on:{poison['record_id']}")
    answer = client.batch([good, poison])
    assert (answer.status_code, answer.json()["error"]) == (500, "internal_error")
    assert db_rows(fault_server.db, "SELECT count(*) FROM records") == [(0,)]
    assert client.batch([good]).json()["results"][0]["status"] == "accepted"
    _set_fault(fault_server, f"reject:{poison['record_id']}")
    result = client.batch([poison]).json()["results"][0]
    assert (result["status"], result["code"]) == ("rejected", "bad_field")


def test_exit_after_commit_then_restart_answers_duplicate(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'c.db'}"
    srv = start_server(db, tmp_path / "server.log", {"TB_FAULT": "exit_after_commit"})
    try:
        client = _client(srv)
        record = case_record(client.creds, 1)
        with pytest.raises(requests.ConnectionError):
            client.batch([record])
        assert srv.process.wait(timeout=10) == 9
        assert "COMMITTED batch" in srv.log()
    finally:
        srv.stop()
    restarted = start_server(db, tmp_path / "server2.log")
    try:
        client.base_url = restarted.url
        result = client.batch([record]).json()["results"][0]
        assert result["status"] == "duplicate"
        assert db_rows(db, "SELECT count(*) FROM records") == [(1,)]
    finally:
        restarted.stop()


def test_a_device_over_its_rate_gets_429_with_retry_after(tmp_path: Path) -> None:
    srv = start_server(f"sqlite:///{tmp_path / 'c.db'}", tmp_path / "server.log", {"TB_CENTRAL_RATE": "1/3"})
    try:
        client = _client(srv)
        codes = [client.request("GET", "/api/v1/devices/me/summary").status_code for _ in range(5)]
        assert codes[:3] == [200, 200, 200]
        limited = client.request("GET", "/api/v1/devices/me/summary")
        assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
        assert limited.json()["error"] == "rate_limited"
        other = _client(srv)  # per device: another terminal is not slowed
        assert other.request("GET", "/api/v1/devices/me/summary").status_code == 200
    finally:
        srv.stop()


def test_pruned_change_log_sends_old_cursors_to_resync(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'c.db'}"
    srv = start_server(db, tmp_path / "server.log")
    try:
        uploader, client = _client(srv), _client(srv)  # the feed is read by another terminal of the hall
        uploader.batch([case_record(uploader.creds, seq) for seq in (1, 2, 3)])
        page = client.request("GET", "/api/v1/updates", params={"limit": 1}).json()
        db_rows(db, "UPDATE changes SET created_at = '2020-01-01T00:00:00.000000+00:00' WHERE seq <= 2")
        proc = cli(db, "prune-changes", "--days", "30")
        assert "pruned 2" in proc.stdout
        gone = client.request("GET", "/api/v1/updates", params={"cursor": page["next_cursor"]})
        assert (gone.status_code, gone.json()["error"]) == (410, "cursor_gone")
        fresh = client.request("GET", "/api/v1/updates").json()
        assert [c["seq"] for c in fresh["changes"]] == [3]
    finally:
        srv.stop()
