"""The counter's worst event-loop stall during the first retention purge after a long gap (issue 13, item 4).

Run: .venv/bin/python bench/purge_stall.py [--n 10000]

A store holds `--n` cases the platform acknowledged long ago (all past retention). In this process, as in the
terminal, the GUI thread runs a Qt event loop with a 10 ms timer; its worst lateness is the stall a clerk feels.
Two runs on copies of the same store, in the same process: the purge on the GUI thread's own connection (how the
terminal purged before issue 13, the baseline) and `RetentionService.run()` (the purge on its worker thread with
its own connection). Target: worst stall < 50 ms. Figures only, no asserts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("TONGBAN_KEY_STORE", "file")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QCoreApplication, QElapsedTimer, QTimer

from app.services.terminal import RetentionService
from offline_cache import Store, open_store
from offline_cache.keys import FileKeyProvider
from offline_cache.samples import sample_case

TICK_MS = 10
STALL_TARGET_MS = 50.0
RETENTION_DAYS = 30
LONG_AGO = dt.datetime(2026, 1, 5, 2, 0, tzinfo=dt.UTC)
NOW = LONG_AGO + dt.timedelta(days=200)


def _fill(path: Path, n: int) -> None:
    with open_store(path, key_provider=FileKeyProvider(), clock=lambda: LONG_AGO) as store:
        for start in range(0, n, 500):
            with store.transaction():
                for _ in range(min(500, n - start)):
                    saved = store.save_case(sample_case(created_at=LONG_AGO), actor="S0042").case
                    store.outbox.mark_sent(saved.record_id, None, accepted_at=LONG_AGO)


class StallMeter:
    """A 10 ms timer on the event loop; records how late each tick fires."""

    def __init__(self, app: QCoreApplication) -> None:
        self.worst_ms = 0.0
        self._clock = QElapsedTimer()
        self._timer = QTimer(app)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        self.worst_ms = 0.0
        self._clock.start()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _tick(self) -> None:
        late = self._clock.restart() - TICK_MS
        self.worst_ms = max(self.worst_ms, float(late))


def _on_gui_thread(app: QCoreApplication, meter: StallMeter, path: Path) -> tuple[float, float, int]:
    store = open_store(path, key_provider=FileKeyProvider(), clock=lambda: NOW)
    result: dict[str, object] = {}

    def purge() -> None:
        started = time.perf_counter()
        report = store.purge_personal_data(NOW, RETENTION_DAYS)
        result["ms"] = (time.perf_counter() - started) * 1000
        result["cases"] = report.cases
        QTimer.singleShot(3 * TICK_MS, app.quit)

    meter.start()
    QTimer.singleShot(5 * TICK_MS, purge)
    app.exec()
    meter.stop()
    store.close()
    return meter.worst_ms, float(result["ms"]), int(result["cases"])  # type: ignore[call-overload]


def _on_worker(app: QCoreApplication, meter: StallMeter, path: Path) -> tuple[float, float, int]:
    store: Store = open_store(path, key_provider=FileKeyProvider(), clock=lambda: NOW)
    service = RetentionService(store=store, retention_days=RETENTION_DAYS, clock=lambda: NOW, before=lambda: None)
    service.timer.stop()
    result: dict[str, object] = {}
    started = 0.0

    def done(report: object) -> None:
        result["ms"] = (time.perf_counter() - started) * 1000
        result["cases"] = getattr(report, "cases", 0)
        QTimer.singleShot(3 * TICK_MS, app.quit)

    def run() -> None:
        nonlocal started
        started = time.perf_counter()
        service.run()

    service.purged.connect(done)
    meter.start()
    QTimer.singleShot(5 * TICK_MS, run)
    app.exec()
    meter.stop()
    service.wait(60)
    store.close()
    return meter.worst_ms, float(result["ms"]), int(result["cases"])  # type: ignore[call-overload]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    args = parser.parse_args()
    app = QCoreApplication([sys.argv[0]])
    meter = StallMeter(app)
    with tempfile.TemporaryDirectory(prefix="tongban-bench-purge-") as tmp:
        base = Path(tmp) / "base"
        base.mkdir()
        _fill(base / "store.db", args.n)
        figures = {}
        for name, run in (("GUI thread (before)", _on_gui_thread), ("worker (RetentionService)", _on_worker)):
            copy = Path(tmp) / name.split()[0]
            shutil.copytree(base, copy)
            figures[name] = run(app, meter, copy / "store.db")
    print(f"first purge after a long gap, {args.n} cases past retention; load {os.getloadavg()[0]:.2f}")
    for name, (stall, took, cases) in figures.items():
        verdict = "meets" if stall < STALL_TARGET_MS else "misses"
        print(f"{name:<26} worst stall {stall:7.0f} ms   purge {took:7.0f} ms   cases {cases}   {verdict} < 50 ms")


if __name__ == "__main__":
    main()
