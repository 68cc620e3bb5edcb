"""The counter's worst event-loop stall while a 20 MB scan is attached (issue 13, item 4).

Run: .venv/bin/python bench/attach_stall.py [--n 10000] [--mb 20] [--runs 3]

A store holds `--n` cases. In this process, as in the terminal, the GUI thread runs a Qt event loop with a 10 ms
timer; its worst lateness is the stall a clerk feels. The same scan file (a fresh one per run, so every attach
writes) is attached two ways, alternately, in the same process: `IntakeService.attach_file` on the GUI thread
(how the form attached before issue 13, the baseline) and `start_attach_file` (read, check, encrypt and fsync on a
worker; the row and the draft on the GUI thread when `attach_finished` comes). Target: worst stall < 50 ms.
Figures only, no asserts.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("TONGBAN_KEY_STORE", "file")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QCoreApplication, QElapsedTimer, QTimer

from app.services.catalogue import CatalogueService
from app.services.intake import IntakeService
from offline_cache import Store, open_store
from offline_cache.keys import FileKeyProvider
from offline_cache.samples import sample_case
from tests.integration.intake_support import ITEM_CODE, make_service

TICK_MS = 10
STALL_TARGET_MS = 50.0


def _fill(store: Store, n: int) -> None:
    for start in range(0, n, 500):
        with store.transaction():
            for _ in range(min(500, n - start)):
                store.save_case(sample_case(), actor="S0042")


def _scan(directory: Path, mb: int, run: int) -> Path:
    path = directory / f"scan-{run}.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(mb * 1024 * 1024 - 4096))
    return path


def _measure(app: QCoreApplication, action: Callable[[Callable[[], None]], None]) -> tuple[float, float]:
    """Worst lateness of a 10 ms timer while `action(done)` runs (it calls `done()` when the scan is attached)."""
    clock, timer = QElapsedTimer(), QTimer()
    timer.setInterval(TICK_MS)
    worst = [0.0]
    started = [0.0]
    took = [0.0]

    def tick() -> None:
        worst[0] = max(worst[0], float(clock.restart() - TICK_MS))

    def done() -> None:
        took[0] = (time.perf_counter() - started[0]) * 1000
        QTimer.singleShot(3 * TICK_MS, app.quit)

    def go() -> None:
        started[0] = time.perf_counter()
        action(done)

    timer.timeout.connect(tick)
    clock.start()
    timer.start()
    QTimer.singleShot(5 * TICK_MS, go)
    app.exec()
    timer.stop()
    return worst[0], took[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--mb", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    app = QCoreApplication([sys.argv[0]])
    with tempfile.TemporaryDirectory(prefix="tongban-bench-attach-") as tmp:
        root = Path(tmp)
        store = open_store(root / "data" / "terminal.sqlite3", key_provider=FileKeyProvider())
        started = time.perf_counter()
        _fill(store, args.n)
        filled = time.perf_counter() - started
        service: IntakeService = make_service(store, CatalogueService(root / "data"))
        draft = service.start(item_code=ITEM_CODE)
        service.attach_scan(draft=draft, material_code="M01", data=b"%PDF-1.4\n%%EOF\n", filename="warm.pdf")
        service.flush_draft()

        def before(path: Path) -> Callable[[Callable[[], None]], None]:
            def action(done: Callable[[], None]) -> None:
                service.attach_file(draft=draft, material_code="M02", path=path)
                done()

            return action

        waiting: list[Callable[[], None]] = []
        service.attach_finished.connect(lambda _outcome: waiting.pop()() if waiting else None)

        def after(path: Path) -> Callable[[Callable[[], None]], None]:
            def action(done: Callable[[], None]) -> None:
                waiting.append(done)
                service.start_attach_file(draft=draft, material_code="M02", path=path)

            return action

        figures: dict[str, list[tuple[float, float]]] = {"GUI thread (before)": [], "worker (after)": []}
        serial = 0
        for _run in range(args.runs):
            for name, make in (("GUI thread (before)", before), ("worker (after)", after)):
                serial += 1
                scan = _scan(root, args.mb, serial)
                figures[name].append(_measure(app, make(scan)))
                service.flush_draft()
                scan.unlink()
        store.close()
    print(
        f"attaching a {args.mb} MB scan with {args.n} cases in the store (filled in {filled:.0f} s);"
        f" {args.runs} run(s) each, alternating; load {os.getloadavg()[0]:.2f}"
    )
    for name, values in figures.items():
        stalls = [s for s, _ in values]
        took = [t for _, t in values]
        worst = max(stalls)
        verdict = "meets" if worst < STALL_TARGET_MS else "misses"
        print(
            f"{name:<20} worst stall max {worst:6.0f} ms  median {statistics.median(stalls):6.0f} ms"
            f"   attach median {statistics.median(took):6.0f} ms   {verdict} < {STALL_TARGET_MS:.0f} ms"
        )


if __name__ == "__main__":
    main()
