"""Two `tongban-central serve` processes on one PostgreSQL behind Debian's nginx, with the shipped config
(deploy/nginx/tongban-central.conf; only the ports are replaced). Issue 16 item 4.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from app.sync.client import PlatformClient
from app.sync.engine import EngineSettings, SyncEngine
from central import devices
from central.db import open_engine
from central.migrations import migrate
from offline_cache import open_store
from offline_cache.samples import sample_case
from tests.integration.sync.harness import queue_events

from .conftest import db_rows
from .helpers import REPO, Client, Server, case_record, enrol, free_port, start_server
from .pg import Cluster

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
SHIPPED = REPO / "deploy" / "nginx" / "tongban-central.conf"


@dataclass
class Deployment:
    db: str
    a: Server
    b: Server
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self, hall: str = "81", base: str | None = None, terminal: str | None = None) -> Client:
        engine = open_engine(self.db)
        try:
            code = devices.create_enrol_code(engine, division="210800", hall=hall, window="1", terminal=terminal)
        finally:
            engine.dispose()
        return Client(base or self.url, enrol(self.url, code.code))

    def committed(self, server: Server) -> int:
        return server.log().count("COMMITTED batch")


def _nginx_conf(prefix: Path, port: int, upstreams: tuple[int, int]) -> Path:
    site = SHIPPED.read_text(encoding="utf-8")
    site, listens = re.subn(r"(?m)^    listen 8700;", f"    listen 127.0.0.1:{port};", site)
    site, first = re.subn(r"server 127\.0\.0\.1:8701 ", f"server 127.0.0.1:{upstreams[0]} ", site)
    site, second = re.subn(r"server 127\.0\.0\.1:8702 ", f"server 127.0.0.1:{upstreams[1]} ", site)
    assert (listens, first, second) == (1, 1, 1), "the shipped config changed shape"
    (prefix / "tongban-central.conf").write_text(site, encoding="utf-8")
    user = "user root root;\n" if os.geteuid() == 0 else ""
    temp = "\n".join(
        f"    {kind}_temp_path {prefix / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    conf = prefix / "nginx.conf"
    conf.write_text(
        f"{user}worker_processes 1;\npid {prefix / 'nginx.pid'};\nerror_log {prefix / 'error.log'} info;\n"
        f"events {{ worker_connections 512; }}\nhttp {{\n    access_log {prefix / 'access.log'};\n{temp}\n"
        f"    include {prefix / 'tongban-central.conf'};\n}}\n",
        encoding="utf-8",
    )
    return conf


@pytest.fixture(scope="module")
def deployment(pg_cluster: Cluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    if NGINX is None:
        pytest.skip("nginx (Debian package nginx) is not installed")
    home = tmp_path_factory.mktemp("multi")
    db = pg_cluster.create_database(f"tb_{uuid.uuid4().hex[:12]}")
    engine = open_engine(db)
    migrate(engine)
    engine.dispose()
    env = {
        "TB_CENTRAL_TRUSTED_PROXIES": "127.0.0.1",
        "TB_CENTRAL_RATE": "100000/100000",
        "TB_CENTRAL_MIN_BODY_RATE": "1024/3",  # the shipped default is 1024/10; shorter here to keep the test short
    }
    a = start_server(db, home / "a.log", env)
    b = start_server(db, home / "b.log", env)
    prefix = Path(tempfile.mkdtemp(prefix="tb-nginx-"))
    port = free_port()
    conf = _nginx_conf(prefix, port, (a.port, b.port))
    with (prefix / "stderr.log").open("wb") as stderr:
        proc = subprocess.Popen(
            [NGINX, "-p", str(prefix), "-c", str(conf), "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=stderr
        )
    try:
        deadline = time.monotonic() + 20
        while True:
            if proc.poll() is not None:
                raise AssertionError((prefix / "stderr.log").read_text() + (prefix / "error.log").read_text())
            try:
                if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, "nginx did not start"
            time.sleep(0.05)
        yield Deployment(db, a, b, port)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        a.stop()
        b.stop()
        shutil.rmtree(prefix, ignore_errors=True)


def test_both_instances_share_one_instance_id_and_answer_through_the_proxy(deployment: Deployment) -> None:
    ids = {requests.get(u + "/healthz", timeout=5).json()["instance_id"] for u in (deployment.a.url, deployment.b.url)}
    assert len(ids) == 1
    assert requests.get(deployment.url + "/healthz", timeout=5).json()["instance_id"] in ids


def test_a_terminal_alternating_between_instances_keeps_exactly_once_effect(
    deployment: Deployment, isolated_state: Path
) -> None:
    engine = open_engine(deployment.db)
    try:
        code = devices.create_enrol_code(engine, division="210800", hall="01", window="07", terminal="003").code
    finally:
        engine.dispose()
    setup = PlatformClient(deployment.url, None)
    creds = setup.enrol(code)
    setup.close()
    a_before, b_before = deployment.committed(deployment.a), deployment.committed(deployment.b)
    with open_store(isolated_state / "data" / "terminal.sqlite3") as store:
        ids = [store.save_case(sample_case(), actor="S0042").case.record_id for _ in range(10)]
        ids += queue_events(store, 290)
        sync = SyncEngine(store, PlatformClient(deployment.url, creds), settings=EngineSettings(batch_records=25))
        report = sync.drain()
        assert report.sent == 300 and store.outbox.depth() == 0
        # Every answer "lost": the terminal sends everything again, through both instances in turn.
        assert store.outbox.requeue(ids) == 300
        again = sync.drain()
        assert (again.sent, again.duplicates, again.dead) == (0, 300, 0)
        assert sync.client is not None
        sync.client.close()
    # The 24 batches were spread over both processes.
    assert deployment.committed(deployment.a) - a_before >= 6
    assert deployment.committed(deployment.b) - b_before >= 6
    key = f"210800{creds.hall}{creds.terminal}"
    rows = db_rows(deployment.db, "SELECT record_id, terminal_seq FROM records WHERE terminal_key = ?", key)
    assert sorted(str(r[0]) for r in rows) == sorted(ids)
    assert len({r[1] for r in rows}) == 300

    # The same new batch posted to both instances at the same moment: one row per record, one accepted answer.
    client = deployment.client(hall="82")
    batch = [case_record(client.creds, seq) for seq in range(1, 21)]
    to_b = Client(deployment.b.url, client.creds)
    answers: list[list[str]] = []
    start = threading.Barrier(2)

    def post(c: Client) -> None:
        start.wait()
        answers.append([r["status"] for r in c.batch(batch).json()["results"]])

    threads = [threading.Thread(target=post, args=(c,)) for c in (Client(deployment.a.url, client.creds), to_b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(s for statuses in answers for s in statuses) == ["accepted"] * 20 + ["duplicate"] * 20
    assert db_rows(deployment.db, "SELECT count(*) FROM records WHERE terminal_key LIKE ?", "%82%") == [(20,)]


def test_a_nonce_used_on_one_instance_is_refused_by_the_other(deployment: Deployment) -> None:
    client = deployment.client(hall="83")
    prepared = client.session.prepare_request(
        requests.Request("GET", deployment.a.url + "/api/v1/devices/me/summary", auth=client.session.auth)
    )
    first = requests.Session().send(prepared, timeout=10)
    assert first.status_code == 200
    replay = requests.get(deployment.b.url + "/api/v1/devices/me/summary", headers=dict(prepared.headers), timeout=10)
    assert (replay.status_code, replay.json()["error"]) == (401, "replay")


def test_an_enrolment_code_works_once_across_both_instances(deployment: Deployment) -> None:
    engine = open_engine(deployment.db)
    try:
        code = devices.create_enrol_code(engine, division="210800", hall="84", window="1").code
    finally:
        engine.dispose()
    answers: list[tuple[int, str]] = []
    start = threading.Barrier(2)

    def redeem(base: str) -> None:
        start.wait()
        answer = requests.post(base + "/api/v1/devices/enrol", json={"code": code}, timeout=10)
        answers.append((answer.status_code, answer.json().get("error", "")))

    threads = [threading.Thread(target=redeem, args=(u,)) for u in (deployment.a.url, deployment.b.url)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(answers) == [(200, ""), (400, "code_used")]


def test_the_updates_feed_has_no_gaps_while_both_instances_take_uploads(deployment: Deployment) -> None:
    uploaders = [deployment.client(hall="85") for _ in range(3)]
    reader = deployment.client(hall="85")  # another terminal of the hall: it gets every acceptance
    done = threading.Event()
    errors: list[str] = []

    def upload(client: Client) -> None:
        for batch in range(8):
            records = [case_record(client.creds, batch * 15 + i) for i in range(1, 16)]
            answer = client.batch(records)
            if answer.status_code != 200 or any(r["status"] != "accepted" for r in answer.json()["results"]):
                errors.append(answer.text[:200])

    seen: list[int] = []
    cursor = ""

    def pull() -> bool:
        nonlocal cursor
        page = reader.request("GET", "/api/v1/updates" + (f"?cursor={cursor}" if cursor else "")).json()
        seen.extend(c["seq"] for c in page["changes"])
        cursor = page["next_cursor"]
        return bool(page["has_more"])

    threads = [threading.Thread(target=upload, args=(c,)) for c in uploaders]
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):
        pull()  # concurrent with the uploads, alternating between the instances
    for t in threads:
        t.join()
    done.set()
    while pull():
        pass
    pull()
    assert errors == []
    expected = [
        int(r[0]) for r in db_rows(deployment.db, "SELECT seq FROM changes WHERE hall_key = ? ORDER BY seq", "21080085")
    ]
    assert len(expected) == 3 * 8 * 15
    assert seen == expected  # every change once, in order: nothing skipped while others were still committing


def test_a_body_trickling_at_one_byte_per_second_is_cut_off_while_others_are_served(deployment: Deployment) -> None:
    client = deployment.client(hall="86")
    with socket.create_connection(("127.0.0.1", deployment.port), timeout=5) as slow:
        slow.sendall(
            b"POST /api/v1/records:batch HTTP/1.1\r\nHost: platform\r\nContent-Type: application/json\r\n"
            b"Content-Length: 2000\r\n\r\n{"
        )
        # While it trickles, other terminals are served through the same proxy and instances.
        served = [client.batch([case_record(client.creds, seq)]).status_code for seq in range(1, 4)]
        assert served == [200, 200, 200]
        answer = b""
        slow.settimeout(1.0)
        for _ in range(120):  # at most two minutes; not cut off, the body would take over half an hour
            try:
                slow.sendall(b" ")
            except OSError:
                break
            try:
                chunk = slow.recv(4096)
            except TimeoutError:
                continue  # one second passed: the next byte
            if not chunk:
                break
            answer += chunk
            if b"\r\n\r\n" in answer:
                break
    status = answer.split(b"\r\n", 1)[0]
    assert status.startswith(b"HTTP/1.1 408"), answer[:300]
    assert json.loads(answer.split(b"\r\n\r\n", 1)[1] or b"{}").get("error") in {"body_too_slow", None}
    assert "cut off" in deployment.a.log() + deployment.b.log()
