"""Central ingest throughput: records/s from batches of 500 over loopback with 4 concurrent clients, next to a bare
INSERT loop of the same rows into the same database in the same run (the ceiling).

    .venv/bin/python bench/central_ingest.py [--batches-per-client 10] [--backend sqlite|postgresql|both]
                                             [--instances 1|2|both]

With two instances (PostgreSQL only) the clients alternate between two `serve` processes on the one database.

Targets (the central platform's issue): ≥ 5,000 records/s on SQLite and ≥ 50 % of the ceiling.
PostgreSQL runs on a throwaway cluster from Debian's binaries (skipped when they are absent).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from central import devices
from central.db import open_engine
from central.migrations import migrate
from tests.integration.central.helpers import Client, case_record, enrol, start_server
from tests.integration.central.pg import start_cluster

CLIENTS = 4
BATCH = 500


def _payloads(client: Client, batches: int) -> list[bytes]:
    seq = 0
    out = []
    for _ in range(batches):
        records = []
        for _ in range(BATCH):
            seq += 1
            records.append(case_record(client.creds, seq))
        out.append(json.dumps({"records": records}).encode())
    return out


def _ingest(urls: list[str], db: str, batches: int) -> tuple[float, int, list[list[dict[str, object]]]]:
    engine = open_engine(db)
    clients = []
    for index in range(CLIENTS):
        url = urls[index % len(urls)]
        code = devices.create_enrol_code(engine, division="210800", hall="01", window="1")
        clients.append(Client(url, enrol(url, code.code)))
    engine.dispose()
    payloads = [_payloads(c, batches) for c in clients]
    bodies: list[list[dict[str, object]]] = []
    barrier = threading.Barrier(CLIENTS + 1)
    errors: list[str] = []

    def run(client: Client, mine: list[bytes]) -> None:
        barrier.wait()
        for payload in mine:
            answer = client.post_raw("/api/v1/records:batch", payload)
            if answer.status_code != 200:
                errors.append(f"{answer.status_code} {answer.text[:200]}")
                return
            results = answer.json()["results"]
            if any(r["status"] != "accepted" for r in results):
                errors.append("not all accepted")
                return
            bodies.append([json.loads(payload)["records"][0]])

    threads = [threading.Thread(target=run, args=(c, p)) for c, p in zip(clients, payloads, strict=True)]
    for t in threads:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    if errors:
        raise SystemExit(f"ingest failed: {errors[0]}")
    return elapsed, CLIENTS * batches * BATCH, [json.loads(p)["records"] for ps in payloads for p in ps]


def _ceiling(db: str, batches_of_records: list[list[dict[str, object]]]) -> float:
    """The same rows, inserted by a bare loop (one transaction per 500, one INSERT per row) into a copy table."""
    engine = open_engine(db)
    placeholder = "%s" if engine.dialect.name == "postgresql" else "?"
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS bench_records")
        conn.exec_driver_sql(
            "CREATE TABLE bench_records (record_id VARCHAR(36) PRIMARY KEY, terminal_key VARCHAR(11), "
            "terminal_seq BIGINT, kind VARCHAR(16), body_sha256 VARCHAR(64), body TEXT, received_at VARCHAR(40), "
            "UNIQUE (terminal_key, terminal_seq))"
        )
    sql = f"INSERT INTO bench_records VALUES ({', '.join([placeholder] * 7)})"
    raw = engine.raw_connection()
    try:
        start = time.perf_counter()
        for batch in batches_of_records:
            cur = raw.cursor()
            if engine.dialect.name == "sqlite":
                cur.execute("BEGIN IMMEDIATE")
            for record in batch:
                cur.execute(
                    sql,
                    (
                        record["record_id"],
                        f"21080001{record['terminal']}",  # the sending client's own terminal code
                        record["terminal_seq"],
                        record["kind"],
                        record["body_sha256"],
                        json.dumps(record["body"], ensure_ascii=False, sort_keys=True, separators=(",", ":")),
                        "2026-11-25T00:00:00.000000+00:00",
                    ),
                )
            raw.commit()
            cur.close()
        elapsed = time.perf_counter() - start
    finally:
        raw.close()
        engine.dispose()
    return sum(len(b) for b in batches_of_records) / elapsed


def bench(backend: str, batches: int, instances: int = 1) -> None:
    """One fresh database; `instances` `serve` processes on it, the clients spread over them round-robin."""
    home = Path(tempfile.mkdtemp(prefix="tb-bench-central-"))
    cluster = None
    if backend == "sqlite":
        db = f"sqlite:///{home / 'central.db'}"
    else:
        try:
            cluster = start_cluster()
        except FileNotFoundError as exc:
            print(f"{backend}: skipped ({exc})")
            return
        db = cluster.create_database("bench")
    engine = open_engine(db)
    migrate(engine)
    engine.dispose()
    servers = [start_server(db, home / f"server{i}.log") for i in range(instances)]
    try:
        elapsed, count, rows = _ingest([s.url for s in servers], db, batches)
    finally:
        for server in servers:
            server.stop()
    # The same rows under the same (terminal_key, terminal_seq) as in the real table.
    ceiling = _ceiling(db, [rows[i] for i in range(len(rows))])
    if cluster is not None:
        cluster.stop()
    rate = count / elapsed
    label = f"{backend} x{instances}"
    print(
        f"{label:13s} ingest {rate:8.0f} records/s ({count} records, {CLIENTS} clients, {elapsed:.2f} s)  "
        f"bare INSERT loop {ceiling:8.0f} records/s  ratio {rate / ceiling * 100:5.1f} %"
    )
    target = 5000 if backend == "sqlite" else None
    verdict = [f"≥50 % of ceiling: {'yes' if rate >= 0.5 * ceiling else 'NO'}"]
    if target:
        verdict.insert(0, f"≥{target} records/s: {'yes' if rate >= target else 'NO'}")
    print(" " * 14 + "; ".join(verdict))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--batches-per-client", type=int, default=10)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument(
        "--instances", choices=["1", "2", "both"], default="both", help="serve processes on one database"
    )
    args = parser.parse_args()
    counts = (1, 2) if args.instances == "both" else (int(args.instances),)
    for backend in ("sqlite", "postgresql") if args.backend == "both" else (args.backend,):
        for instances in counts:
            if instances > 1 and backend == "sqlite":
                continue  # several processes are a PostgreSQL deployment (docs/central.md)
            bench(backend, args.batches_per_client, instances)


if __name__ == "__main__":
    main()
