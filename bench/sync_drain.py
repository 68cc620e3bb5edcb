"""Outbox drain throughput: the sync engine against a bare `requests` loop, same server, same run.

Run: .venv/bin/python bench/sync_drain.py [--n 10000] [--batch 500]
A reference platform (`tongban-central serve`, SQLite file) runs on loopback. Side A: N queued records drained by
`SyncEngine` (read pending, encrypt-at-rest bodies decrypted, envelopes, signed POST, one local transaction per
batch result). Side B: N other records (another enrolled terminal) POSTed in the same batch sizes by a bare
signed `requests` loop that keeps no local state. Targets: engine >= 2,000 records/s and >= 70 % of the bare loop.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("TONGBAN_KEY_STORE", "file")

import requests

from app.sync.client import PlatformClient
from app.sync.engine import EngineSettings, SyncEngine
from app.sync.signing import sign_headers
from offline_cache import open_store
from tests.integration.sync.harness import Central, enrol, queue_events

RATE_TARGET = 2000.0
RATIO_TARGET = 0.70


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tongban-sync-bench-") as tmp:
        home = Path(tmp)
        (home / "central").mkdir()
        central = Central(home / "central").start()
        try:
            engine_rate = _engine_side(central, home / "a", args.n, args.batch)
            bare_rate = _bare_side(central, home / "b", args.n, args.batch)
        finally:
            central.stop()
    ratio = engine_rate / bare_rate
    print(f"engine: {engine_rate:,.0f} records/s   bare requests loop: {bare_rate:,.0f} records/s   ratio {ratio:.0%}")
    ok = engine_rate >= RATE_TARGET and ratio >= RATIO_TARGET
    print(f"targets: >= {RATE_TARGET:,.0f} records/s and >= {RATIO_TARGET:.0%} of bare: {'met' if ok else 'NOT met'}")


def _engine_side(central: Central, data_dir: Path, n: int, batch: int) -> float:
    creds = enrol(central, data_dir)
    with open_store(data_dir / "terminal.sqlite3") as store:
        for start in range(0, n, 2000):
            queue_events(store, min(2000, n - start))
        engine = SyncEngine(store, PlatformClient(central.url, creds), settings=EngineSettings(batch_records=batch))
        started = time.perf_counter()
        report = engine.drain()
        elapsed = time.perf_counter() - started
        assert report.sent == n and store.outbox.depth() == 0, report
    return n / elapsed


def _bare_side(central: Central, data_dir: Path, n: int, batch: int) -> float:
    data_dir.mkdir()
    client = PlatformClient(central.url, None)
    creds = client.enrol(central.enrol_code(terminal="004"))
    client.close()
    batches: list[bytes] = []
    for start in range(0, n, batch):
        records = []
        for seq in range(start + 1, min(n, start + batch) + 1):
            rid = str(uuid.uuid4())
            body = {"event": "test", "id": rid}
            records.append(
                {
                    "record_id": rid,
                    "kind": "event",
                    "schema": 1,
                    "terminal": creds.terminal,
                    "terminal_seq": seq,
                    "created_at": "2026-11-25T08:00:00+00:00",
                    "depends_on": None,
                    "body_sha256": _sha(body),
                    "body": body,
                }
            )
        batches.append(json.dumps({"records": records}, ensure_ascii=False, separators=(",", ":")).encode())
    session = requests.Session()
    url = central.url + "/api/v1/records:batch"
    started = time.perf_counter()
    for payload in batches:
        headers = sign_headers(
            device=creds.device_id,
            key_id=creds.key_id,
            secret_hex=creds.secret,
            method="POST",
            url=url,
            body=payload,
            unix_time=int(time.time()),
        )
        resp = session.post(url, data=payload, headers={**headers, "Content-Type": "application/json"}, timeout=(5, 30))
        resp.raise_for_status()
        resp.json()
    elapsed = time.perf_counter() - started
    return n / elapsed


def _sha(body: dict[str, str]) -> str:
    from app.protocol import body_sha256

    return body_sha256(body)


if __name__ == "__main__":
    main()
