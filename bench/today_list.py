"""Today's list: the GUI thread's time per keystroke in its search box, with 10,000 cases today (issue 13).

Run: .venv/bin/python bench/today_list.py [--n 10000]

Before issue 13 each keystroke re-read and decrypted the whole listing (up to 500 rows); now a keystroke filters
the rows listed when the page opened. Both in the same run: a fresh `CaseListService` per keystroke reads the
store as the old code did (baseline); one service across the keystrokes is the terminal's way. The time of each
call is the event-loop stall a clerk feels while typing. Target: worst < 50 ms. Figures only, no asserts.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("TONGBAN_KEY_STORE", "file")

from app.services.case_list import CaseListService
from offline_cache import open_store
from offline_cache.samples import sample_case
from tests.integration.intake_support import FakeClock

TYPED = "2108000100"  # a clerk typing a case number, one digit at a time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    args = parser.parse_args()
    clock = FakeClock()
    with (
        tempfile.TemporaryDirectory(prefix="tongban-bench-today-") as tmp,
        open_store(Path(tmp) / "store.db", clock=clock) as store,
    ):
        for start in range(0, args.n, 500):
            with store.transaction():
                for _ in range(min(500, args.n - start)):
                    store.save_case(dataclasses.replace(sample_case(created_at=clock()), case_no=""), actor="S0042")
        figures: dict[str, list[float]] = {"re-read per keystroke (before)": [], "filter the listing (now)": []}
        kept = CaseListService(store=store, clock=clock)
        kept.today()  # the page opens
        for i in range(1, len(TYPED) + 1):
            started = time.perf_counter()
            CaseListService(store=store, clock=clock).today(text=TYPED[:i])
            figures["re-read per keystroke (before)"].append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            kept.today(text=TYPED[:i])
            figures["filter the listing (now)"].append((time.perf_counter() - started) * 1000)
    print(f"today's list search, {args.n} cases today (listing limit 500); load {os.getloadavg()[0]:.2f}")
    for name, values in figures.items():
        verdict = "meets" if max(values) < 50 else "misses"
        print(f"{name:<32} worst {max(values):7.1f} ms  median {sorted(values)[len(values) // 2]:7.1f} ms  {verdict}")


if __name__ == "__main__":
    main()
