"""The fault harness: a real `tongban-central serve` subprocess on a SQLite file, a real terminal store, and the
ledger checks of FAULTS.md (lost = ledger − server; dup = server rows − distinct ids, plus shared seq or body)."""

from __future__ import annotations

import datetime as dt
import os
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import requests

from app.protocol import RecordKind
from app.sync.client import PlatformClient
from app.sync.credentials import Credentials, CredentialStore
from app.sync.engine import EngineSettings, SyncEngine
from central import devices
from central.db import open_engine
from central.migrations import migrate
from offline_cache import Store, open_store
from tests import platform_logs

REPO = Path(__file__).resolve().parents[3]
DIVISION, HALL, TERMINAL = "210800", "01", "003"  # offline_cache.samples.ROUTING


_SNAPSHOT: Path | None = None


def central_source() -> Path:
    """Where the server's code comes from: the working tree, or (while another engineer has uncommitted changes
    under central/) a snapshot of the last commit, so these tests exercise a consistent platform."""
    global _SNAPSHOT  # noqa: PLW0603 -- one snapshot per test session
    try:
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "central", "app/protocol.py"],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return REPO
    if not dirty:
        return REPO
    if _SNAPSHOT is None:
        import tempfile

        target = Path(tempfile.mkdtemp(prefix="tb-central-head-"))
        archive = subprocess.run(
            ["git", "archive", "HEAD", "central", "app/__init__.py", "app/protocol.py"],
            cwd=REPO,
            capture_output=True,
            timeout=30,
            check=True,
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True, timeout=30)
        _SNAPSHOT = target
    return _SNAPSHOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Central:
    """One reference platform process; `faults(...)` switches TB_FAULT_FILE faults without a restart."""

    home: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def db(self) -> Path:
        return self.home / "central.db"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.home / "server.log"

    @property
    def fault_file(self) -> Path:
        return self.home / "faults.txt"

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def faults(self, spec: str) -> None:
        tmp = self.fault_file.with_suffix(".tmp")
        tmp.write_text(spec, encoding="utf-8")
        os.replace(tmp, self.fault_file)

    def start(self, **env: str) -> Central:
        env_all = {
            **os.environ,
            "PYTHONPATH": str(central_source()),
            "TB_FAULT_FILE": str(self.fault_file),
            "TB_CENTRAL_RATE": "100000/100000",
            **self.extra_env,
            **env,
        }
        platform_logs.register(self.log_path)
        with self.log_path.open("ab") as log_file:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "central.cli",
                    "--db",
                    str(self.db),
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                ],
                stdout=log_file,
                stderr=subprocess.STDOUT,
                env=env_all,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"server exited early:\n{self.log()[-3000:]}")
            try:
                if requests.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return self
            except (requests.ConnectionError, requests.Timeout):  # not listening yet, or too busy to answer in 1 s
                pass
            time.sleep(0.03)
        self.stop()
        raise AssertionError("server did not become healthy")

    def stop(self) -> None:
        proc = self.process
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def wait_exit(self, timeout: float = 30) -> int:
        assert self.process is not None
        return self.process.wait(timeout=timeout)

    def enrol_code(self, terminal: str = TERMINAL) -> str:
        engine = open_engine(f"sqlite:///{self.db}")
        try:
            migrate(engine)
            return devices.create_enrol_code(engine, division=DIVISION, hall=HALL, window="07", terminal=terminal).code
        finally:
            engine.dispose()

    def rows(self, sql: str, *params: object) -> list[tuple[object, ...]]:
        conn = sqlite3.connect(self.db, timeout=10)
        try:
            return conn.execute(sql, params).fetchall()
        finally:
            conn.close()

    def record_ids(self) -> list[str]:
        return [str(r[0]) for r in self.rows("SELECT record_id FROM records")]

    def revoke(self, device_id: str) -> None:
        engine = open_engine(f"sqlite:///{self.db}")
        try:
            assert devices.revoke(engine, device_id)
        finally:
            engine.dispose()

    def set_case_status(self, case_no: str, status: str) -> None:
        from central import cases

        engine = open_engine(f"sqlite:///{self.db}")
        try:
            cases.set_status(engine, case_no, status)
        finally:
            engine.dispose()


def enrol(central: Central, data_dir: Path, url: str | None = None) -> Credentials:
    """Enrol through the terminal's own client and store the credentials as the terminal does."""
    client = PlatformClient(url or central.url, None)
    try:
        creds = client.enrol(central.enrol_code())
    finally:
        client.close()
    CredentialStore(data_dir).save(creds)
    return creds


def fast_settings(**overrides: object) -> EngineSettings:
    base: dict[str, object] = {
        "backoff_base_s": 0.01,
        "backoff_cap_s": 0.2,
        "reconnect_jitter_s": 0.0,
        "idle_poll_s": 0.2,
    }
    base.update(overrides)
    return EngineSettings(**base)  # type: ignore[arg-type]


def make_engine(
    store: Store,
    creds: Credentials,
    url: str,
    *,
    settings: EngineSettings | None = None,
    timeout: tuple[float, float] = (2.0, 5.0),
    compress: bool = False,
    **kwargs: object,
) -> SyncEngine:
    # Plain batches here: gzip makes the client ask /healthz before its first batch, which would shift the fault
    # proxy's per-connection faults onto that request. Compression has its own tests (test_sync_compression.py).
    client = PlatformClient(url, creds, timeout=timeout, compress=compress)
    return SyncEngine(store, client, settings=settings or fast_settings(), **kwargs)  # type: ignore[arg-type]


def queue_events(store: Store, count: int, *, depends_on: str | None = None) -> list[str]:
    """`count` small, distinct records in one transaction (kind `event`: any body is valid on the platform)."""
    ids: list[str] = []
    with store.transaction() as conn:
        for _ in range(count):
            rid = str(uuid.uuid4())
            store.outbox.add(
                conn, record_id=rid, kind=RecordKind.EVENT, body={"event": "test", "id": rid}, depends_on=depends_on
            )
            ids.append(rid)
    return ids


def open_terminal(data_dir: Path) -> Store:
    return open_store(data_dir / "terminal.sqlite3")


def local_states(store: Store) -> dict[str, str]:
    return {r[0]: r[1] for r in store.db.conn.execute("SELECT record_id, state FROM outbox").fetchall()}


def assert_exactly_once(central: Central, ledger: Iterable[str], *, absent: Iterable[str] = ()) -> None:
    """lost = 0 and dup = 0 (FAULTS.md), and `absent` ids were never stored."""
    rows = central.rows("SELECT record_id, terminal_key, terminal_seq, body_sha256 FROM records")
    ids = [str(r[0]) for r in rows]
    lost = set(ledger) - set(ids)
    assert not lost, f"lost {len(lost)} record(s)"
    assert len(ids) == len(set(ids)), "duplicate record ids on the platform"
    seqs = [(r[1], r[2]) for r in rows]
    assert len(seqs) == len(set(seqs)), "two records share (terminal, terminal_seq)"
    shas = [r[3] for r in rows]
    assert len(shas) == len(set(shas)), "two records share a body under different ids"
    stored_absent = set(absent) & set(ids)
    assert not stored_absent, f"{len(stored_absent)} record(s) stored that should not be"


def utc(seconds: float = 0) -> dt.datetime:
    return dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds)
