"""Commit latency of one case save (case + materials + outbox entry + audit, encrypted) against a bare insert.

Run: .venv/bin/python bench/store.py [--n 2000]
Both run in the same process on the same file system with the same pragmas (WAL, synchronous=FULL), interleaved
so that disk noise hits both alike. Targets: store p99 <= 10 ms and <= 1.5x the bare insert's p99.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from offline_cache import open_store, records, samples
from offline_cache.connection import connect
from offline_cache.keys import FileKeyProvider

P99_TARGET_MS = 10.0
RATIO_TARGET = 1.5


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=2000, help="saves per side")
    parser.add_argument("--dir", type=Path, default=None, help="where the temporary files go (default: system temp)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tongban-bench-", dir=args.dir) as tmp:
        directory = Path(tmp)
        store = open_store(directory / "store.db", key_provider=FileKeyProvider())
        bare = connect(directory / "bare.db")
        bare.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)")
        payload = json.dumps(records.case_body(dataclasses.replace(samples.sample_case(), case_no="0" * 26)))
        cases = [samples.sample_case() for _ in range(args.n)]
        store_ms: list[float] = []
        bare_ms: list[float] = []
        for case in cases:
            start = time.perf_counter()
            bare.execute("BEGIN IMMEDIATE")
            bare.execute("INSERT INTO t (payload) VALUES (?)", (payload,))
            bare.execute("COMMIT")
            bare_ms.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            store.save_case(case, actor="bench")
            store_ms.append((time.perf_counter() - start) * 1000)
        bare.close()
        store.close()
    _report(store_ms, bare_ms)


def _report(store_ms: list[float], bare_ms: list[float]) -> None:
    s50, s99 = statistics.median(store_ms), _percentile(store_ms, 0.99)
    b50, b99 = statistics.median(bare_ms), _percentile(bare_ms, 0.99)
    print(f"saves per side: {len(store_ms)} (interleaved; WAL, synchronous=FULL, BEGIN IMMEDIATE)")
    print(f"{'':28}{'p50 ms':>10}{'p99 ms':>10}")
    print(f"{'store.save_case':28}{s50:10.3f}{s99:10.3f}")
    print(f"{'bare sqlite3 insert':28}{b50:10.3f}{b99:10.3f}")
    print(f"{'ratio store/bare':28}{s50 / b50:10.2f}{s99 / b99:10.2f}")
    print(f"target p99 <= {P99_TARGET_MS} ms: {'met' if s99 <= P99_TARGET_MS else 'NOT met'}")
    print(f"target p99 <= {RATIO_TARGET}x bare: {'met' if s99 <= RATIO_TARGET * b99 else 'NOT met'}")


if __name__ == "__main__":
    main()
