"""A small signing client and record factory for the central platform's tests.

The signing here is written from SYNC_PROTOCOL.md independently of `central.auth`, so the tests check the server
against the protocol rather than against itself.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from tests import platform_logs

REPO = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cli(db: str, *args: str, check: bool = True, db_last: bool = False) -> subprocess.CompletedProcess[str]:
    """`tongban-central --db DB ARGS` (or `ARGS --db DB` with `db_last`: both spellings are accepted)."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    argv = [*args, "--db", db] if db_last else ["--db", db, *args]
    proc = subprocess.run(
        [sys.executable, "-m", "central.cli", *argv],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"tongban-central {args} failed: {proc.stderr}")
    return proc


@dataclass
class Server:
    db: str  # database URL
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def start_server(
    db: str, log_path: Path, extra_env: dict[str, str] | None = None, *, port: int | None = None
) -> Server:
    """`tongban-central serve` as a real subprocess on a loopback port (random unless given); returns once /healthz
    answers."""
    port = port or free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO), **(extra_env or {})}
    with log_path.open("ab") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "central.cli", "--db", db, "serve", "--host", "127.0.0.1", "--port", str(port)],
            stdout=log_file,
            stderr=subprocess.STDOUT,
            env=env,
        )
    platform_logs.register(log_path)
    server = Server(db, port, process, log_path, extra_env or {})
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited early:\n{server.log()}")
        try:
            if requests.get(server.url + "/healthz", timeout=1).status_code == 200:
                return server
        except requests.ConnectionError:
            pass
        time.sleep(0.05)
    server.stop()
    raise AssertionError(f"server did not become healthy:\n{server.log()}")


@dataclass
class Credentials:
    device_id: str
    key_id: str
    secret: str
    terminal: str
    division: str
    hall: str


def signing_string(*, device: str, key_id: str, ts: str, nonce: str, method: str, url: str, body: bytes) -> bytes:
    parts = urlsplit(url)
    query = "&".join(sorted(p for p in parts.query.split("&") if p))
    path = parts.path + (f"?{query}" if query else "")
    text = "\n".join(["TB1", device, key_id, ts, nonce, method.upper(), path, hashlib.sha256(body).hexdigest()])
    return text.encode("utf-8")


class Signer(requests.auth.AuthBase):
    """Signs each prepared request with the device key (`clock_offset` simulates a wrong terminal clock)."""

    def __init__(self, creds: Credentials, clock_offset: int = 0) -> None:
        self.creds = creds
        self.clock_offset = clock_offset

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        body = r.body if isinstance(r.body, bytes) else (r.body or "").encode("utf-8")
        ts = str(int(time.time()) + self.clock_offset)
        nonce = secrets.token_hex(16)
        assert r.method is not None and r.url is not None
        message = signing_string(
            device=self.creds.device_id,
            key_id=self.creds.key_id,
            ts=ts,
            nonce=nonce,
            method=r.method,
            url=r.url,
            body=body,
        )
        r.headers["X-TB-Device"] = self.creds.device_id
        r.headers["X-TB-Key-Id"] = self.creds.key_id
        r.headers["X-TB-Timestamp"] = ts
        r.headers["X-TB-Nonce"] = nonce
        r.headers["X-TB-Signature"] = hmac.new(bytes.fromhex(self.creds.secret), message, hashlib.sha256).hexdigest()
        return r


class Client:
    def __init__(self, base_url: str, creds: Credentials) -> None:
        self.base_url = base_url
        self.creds = creds
        self.session = requests.Session()
        self.session.auth = Signer(creds)

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", (5, 30))
        return self.session.request(method, self.base_url + path, **kwargs)

    def batch(self, records: list[dict[str, Any]]) -> requests.Response:
        return self.request("POST", "/api/v1/records:batch", data=json.dumps({"records": records}).encode())

    def post_raw(self, path: str, data: bytes) -> requests.Response:
        return self.request("POST", path, data=data)


def enrol(base_url: str, code: str) -> Credentials:
    answer = requests.post(base_url + "/api/v1/devices/enrol", json={"code": code}, timeout=10)
    assert answer.status_code == 200, answer.text
    data = answer.json()
    return Credentials(
        data["device_id"], data["key_id"], data["secret"], data["terminal"], data["division"], data["hall"]
    )


def canonical(body: dict[str, Any]) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def case_no(hall: str, terminal: str, seq: int, division: str = "210800") -> str:
    first24 = f"{division}{hall}{terminal}20261124{seq:05d}"
    check = 98 - (int(first24) * 100) % 97
    return f"{first24}{check:02d}"


def now_rfc3339() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


def envelope(
    kind: str, body: dict[str, Any], *, terminal: str, seq: int, depends_on: str | None = None, schema: int = 1
) -> dict[str, Any]:
    return {
        "record_id": str(uuid.uuid4()),
        "kind": kind,
        "schema": schema,
        "terminal": terminal,
        "terminal_seq": seq,
        "created_at": now_rfc3339(),
        "depends_on": depends_on,
        "body_sha256": hashlib.sha256(canonical(body)).hexdigest(),
        "body": body,
    }


def case_record(creds: Credentials, seq: int, *, name: str = "张三") -> dict[str, Any]:
    body = {
        "case_no": case_no(creds.hall, creds.terminal, seq, creds.division),
        "item_code": "210800200101000",
        "item_name": "城乡居民养老保险参保登记",
        "state": "received",
        "applicant_kind": "person",
        "applicant_name": name,
        "applicant_id_number": "21080219900101123X",
        "applicant_phone": "13800005678",
        "materials": [{"requirement_code": "M01", "name": "身份证", "status": "original", "count": 1}],
        "fee_fen": 0,
    }
    return envelope("case", body, terminal=creds.terminal, seq=seq)


def rating_record(creds: Credentials, seq: int, case: dict[str, Any], level: int = 5) -> dict[str, Any]:
    body = {
        "rating_id": str(uuid.uuid4()),
        "case_no": case["body"]["case_no"],
        "channel": "counter_device",
        "outcome": "rated",
        "level": level,
        "reasons": [],
        "tags": ["办事高效"],
        "text": "",
    }
    return envelope("rating", body, terminal=creds.terminal, seq=seq, depends_on=case["record_id"])
