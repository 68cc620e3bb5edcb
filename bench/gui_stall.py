"""The counter window's worst event-loop stall while a 10,000-record backlog drains (issue 7, FAULTS.md row 22).

Run: .venv/bin/python bench/gui_stall.py [--n 10000] [--batch 500] [--runs 1]
A reference platform (`tongban-central serve`) runs on loopback. In this process, as in the terminal: the GUI
thread runs a Qt event loop with a 10 ms timer (its lateness is the stall a user feels) and saves a case 20 times
a second on its own store connection; the sync engine drains the backlog in a QThread with its own connection.
Besides the stall it reports where a save's time goes: waiting for the write lock (BEGIN IMMEDIATE), COMMIT
(fsync), the save's own CPU, and the rest (mostly waiting for the GIL), and how long the engine holds the write
lock per transaction. Targets: worst stall < 50 ms; 0 busy errors; save p99 <= 10 ms (FAULTS.md row 22).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("TONGBAN_KEY_STORE", "file")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QCoreApplication, Qt, QThread, QTimer

from app.sync.client import PlatformClient
from app.sync.engine import EngineSettings, SyncEngine
from offline_cache import Store, StoreError, open_store
from offline_cache.samples import sample_case
from tests.integration.sync.harness import Central, enrol, queue_events

STALL_TARGET_MS = 50.0
SAVE_P99_TARGET_MS = 10.0
TICK_MS = 10
SAVE_EVERY_MS = 50  # 20 saves/s


@dataclass
class LockTimes:
    """Per-statement wall times of one connection, split by what they wait for."""

    begin: list[float] = field(default_factory=list)  # BEGIN IMMEDIATE: waiting for the write lock
    commit: list[float] = field(default_factory=list)  # COMMIT: WAL append + fsync
    held: list[float] = field(default_factory=list)  # BEGIN returned -> COMMIT returned: write lock held
    _since: float = 0.0


class TimedConnection:
    """Delegates to a sqlite3 connection, timing BEGIN/COMMIT (bench instrumentation only)."""

    def __init__(self, conn: Any, times: LockTimes) -> None:
        self._conn = conn
        self._times = times

    def execute(self, sql: str, *args: Any) -> Any:
        started = time.perf_counter()
        result = self._conn.execute(sql, *args)
        ended = time.perf_counter()
        if sql.startswith("BEGIN"):
            self._times.begin.append(ended - started)
            self._times._since = ended
        elif sql == "COMMIT":
            self._times.commit.append(ended - started)
            self._times.held.append(ended - self._times._since)
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


def instrument(store: Store) -> LockTimes:
    times = LockTimes()
    session = store._s  # bench instrumentation
    session.conn = TimedConnection(session.conn, times)  # type: ignore[assignment]
    return times


class DrainThread(QThread):
    """The sync worker's shape: its own store connection, the engine draining until nothing is due."""

    def __init__(self, db: Path, url: str, creds: Any, batch: int) -> None:
        super().__init__()
        self._db, self._url, self._creds, self._batch = db, url, creds, batch
        self.sent = 0
        self.seconds = 0.0
        self.times = LockTimes()

    def run(self) -> None:
        store = open_store(self._db, integrity_check=False, recover_corrupt=False)
        try:
            self.times = instrument(store)
            engine = SyncEngine(
                store, PlatformClient(self._url, self._creds), settings=EngineSettings(batch_records=self._batch)
            )
            started = time.perf_counter()
            self.sent = engine.drain().sent
            self.seconds = time.perf_counter() - started
            assert engine.client is not None
            engine.client.close()
        finally:
            store.close()


@dataclass
class RunResult:
    stalls_ms: list[float]
    save_ms: list[float]
    save_cpu_ms: list[float]
    busy_errors: int
    gui: LockTimes
    engine: LockTimes
    drained: int
    drain_s: float


def one_run(home: Path, central: Central, n: int, batch: int) -> RunResult:
    data_dir = home / f"t{time.monotonic_ns()}"
    creds = enrol(central, data_dir)
    db = data_dir / "terminal.sqlite3"
    app = QCoreApplication.instance() or QCoreApplication([])
    store = open_store(db)
    for start in range(0, n, 2000):
        queue_events(store, min(2000, n - start))
    store.save_case(sample_case(), actor="S0042")  # warm-up: first-use imports and caches are not a stall
    gui_times = instrument(store)
    stalls: list[float] = []
    saves: list[float] = []
    cpu: list[float] = []
    errors = 0
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        stalls.append(max(0.0, (now - last[0]) * 1000 - TICK_MS))
        last[0] = now

    def save() -> None:
        nonlocal errors
        case = sample_case()
        started, cpu_started = time.perf_counter(), time.thread_time()
        try:
            store.save_case(case, actor="S0042")
        except StoreError:
            errors += 1
        saves.append((time.perf_counter() - started) * 1000)
        cpu.append((time.thread_time() - cpu_started) * 1000)

    ticker = QTimer()
    ticker.setTimerType(Qt.TimerType.PreciseTimer)
    ticker.timeout.connect(tick)
    saver = QTimer()
    saver.setTimerType(Qt.TimerType.PreciseTimer)
    saver.timeout.connect(save)
    worker = DrainThread(db, central.url, creds, batch)
    worker.finished.connect(app.quit)
    ticker.start(TICK_MS)
    saver.start(SAVE_EVERY_MS)
    last[0] = time.perf_counter()
    worker.start()
    app.exec()
    ticker.stop()
    saver.stop()
    worker.wait()
    store.close()
    return RunResult(stalls, saves, cpu, errors, gui_times, worker.times, worker.sent, worker.seconds)


def _pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _ms(values: list[float]) -> list[float]:
    return [v * 1000 for v in values]


def report(r: RunResult) -> None:
    begin, commit = _ms(r.gui.begin), _ms(r.gui.commit)
    rest = [max(0.0, s - b - c - u) for s, b, c, u in zip(r.save_ms, begin, commit, r.save_cpu_ms, strict=False)]
    print(f"drained {r.drained} records in {r.drain_s:.1f} s; {len(r.save_ms)} saves; busy errors {r.busy_errors}")
    print(
        f"  event-loop stall (10 ms timer lateness): max {max(r.stalls_ms):6.1f} ms  p99 {_pct(r.stalls_ms, 0.99):6.1f}"
    )
    print(f"{'  save, ms':32}{'p50':>8}{'p99':>8}{'max':>8}")
    for name, values in (
        ("total", r.save_ms),
        ("BEGIN IMMEDIATE (lock wait)", begin),
        ("COMMIT (fsync)", commit),
        ("own CPU", r.save_cpu_ms),
        ("rest (GIL wait, I/O)", rest),
    ):
        print(f"  {name:30}{statistics.median(values):8.1f}{_pct(values, 0.99):8.1f}{max(values):8.1f}")
    held = _ms(r.engine.held)
    if held:
        print("  engine holds (ms, longest 8):", " ".join(f"{h:.1f}" for h in sorted(held)[-8:]))
        print(
            f"  engine write-lock hold: {len(held)} transactions, p50 {statistics.median(held):.1f} ms,"
            f" p99 {_pct(held, 0.99):.1f} ms, max {max(held):.1f} ms; of which COMMIT p50"
            f" {statistics.median(_ms(r.engine.commit)):.1f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--switch-ms", type=float, default=None, help="sys.setswitchinterval (default: as the app)")
    args = parser.parse_args()
    if args.switch_ms is not None:
        sys.setswitchinterval(args.switch_ms / 1000)
    print(f"GIL switch interval {sys.getswitchinterval() * 1000:.1f} ms")
    worst: list[float] = []
    saves: list[float] = []
    busy = 0
    with tempfile.TemporaryDirectory(prefix="tongban-stall-bench-") as tmp:
        for run in range(args.runs):
            home = Path(tmp) / f"run{run}"
            (home / "central").mkdir(parents=True)
            central = Central(home / "central").start()
            try:
                result = one_run(home, central, args.n, args.batch)
            finally:
                central.stop()
            report(result)
            worst.append(max(result.stalls_ms))
            saves.extend(result.save_ms)
            busy += result.busy_errors
    stall, p99 = statistics.median(worst), _pct(saves, 0.99)
    print(
        f"over {args.runs} run(s): median worst stall {stall:.1f} ms; save p99 {p99:.1f} ms over all"
        f" {len(saves)} saves; busy errors {busy}"
    )
    print(f"target worst stall < {STALL_TARGET_MS:.0f} ms: {'met' if stall < STALL_TARGET_MS else 'NOT met'}")
    print(f"target save p99 <= {SAVE_P99_TARGET_MS:.0f} ms: {'met' if p99 <= SAVE_P99_TARGET_MS else 'NOT met'}")
    print(f"target 0 busy errors: {'met' if busy == 0 else 'NOT met'}")


if __name__ == "__main__":
    main()
