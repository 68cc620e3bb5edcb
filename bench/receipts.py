"""Receipt rendering time: a 收件回执 to PDF bytes and to ESC/POS bytes, p50/p99 over 200 renders each, next to a
blank A4 page through the same QPdfWriter in the same run (the floor). Targets: PDF <= 100 ms, ESC/POS <= 20 ms.

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python bench/receipts.py [--runs 200]

Figures only, no asserts. ESC/POS is measured twice: a printer with native QR (TM-T88V profile) and one that
needs the QR as a raster image (POS-5890, 58 mm).

Then a hung network printer (accepts, never answers) with a 1 s timeout: the time from 打印 until the job is
reported failed (baseline: the configured timeout) and the longest gap between 20 ms GUI timer ticks meanwhile
(baseline: the same timer on an idle event loop for as long). tests/integration/test_receipts_service.py checks
the behaviour (failure message, the GUI handling events during the hang) without timing it.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import itertools

from PySide6.QtCore import QBuffer, QByteArray, QEventLoop, QIODevice, QTimer
from PySide6.QtGui import QGuiApplication, QPainter, QPdfWriter

from app.config import config_from_dict
from app.printing.build import HallContext, build_intake_receipt
from app.printing.fonts import ensure_receipt_fonts
from app.printing.pdf import pdf_bytes, setup_a4
from app.printing.thermal import render_escpos, thermal_profile
from app.services.receipts import ReceiptService
from offline_cache import open_store
from offline_cache.samples import sample_case

TARGETS_MS = {"pdf": 100.0, "escpos": 20.0}


def blank_pdf() -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setResolution(300)
    setup_a4(writer)
    painter = QPainter(writer)
    painter.end()
    del writer
    buffer.close()
    return bytes(data.data())


def measure(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    fn()  # warm up (font loading, capability tables)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, round(0.99 * (len(times) - 1)))]


def run_loop(seconds: float | None, until: Any = None) -> tuple[float, float]:
    """Spin the event loop with a 20 ms timer for `seconds` or until the signal `until`: (elapsed s, max gap ms)."""
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    loop = QEventLoop()
    if until is not None:
        until.connect(loop.quit)
    if seconds is not None:
        QTimer.singleShot(round(seconds * 1000), loop.quit)
    started = time.perf_counter()
    timer.start()
    loop.exec()
    timer.stop()
    marks = [started, *ticks, time.perf_counter()]
    return marks[-1] - started, max(b - a for a, b in itertools.pairwise(marks)) * 1000


def hung_printer() -> None:
    with tempfile.TemporaryDirectory() as tmp, socket.create_server(("127.0.0.1", 0)) as silent:
        config = config_from_dict(
            {
                "hall_name": "营口市政务服务中心",
                "printer": {"kind": "escpos_network", "host": "127.0.0.1", "port": silent.getsockname()[1]}
                | {"timeout_seconds": 1},
            }
        )
        with open_store(Path(tmp) / "tb.db") as store:
            case = store.save_case(dataclasses.replace(sample_case(), case_no=""), actor="S0042").case
            service = ReceiptService(config=config, store=store, pdf_dir=Path(tmp) / "receipts")
            service.print_case(case=case, staff_no="S0042")
            to_fail, gap = run_loop(30, service.failed)
            service.wait_for_idle(10_000)
            _idle, idle_gap = run_loop(to_fail)
    print("hung network printer, 1 s timeout")
    print(f"  reported failed after {to_fail * 1000:7.0f} ms  (baseline: the timeout, 1000 ms)")
    print(f"  longest GUI timer gap {gap:7.1f} ms  (baseline: idle loop, {idle_gap:.1f} ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    app = QGuiApplication(sys.argv[:1])
    ensure_receipt_fonts()
    case = dataclasses.replace(sample_case(), case_no="21080001003202611240001742")
    doc = build_intake_receipt(
        case, hall=HallContext("营口市政务服务中心"), item=None, calendar=None, now=dt.datetime.now(dt.UTC)
    )
    native, raster = thermal_profile("TM-T88V", 80), thermal_profile("POS-5890", 58)
    rows = [
        ("blank A4 page (QPdfWriter)", "", measure(blank_pdf, args.runs)),
        ("收件回执 → PDF", "pdf", measure(lambda: pdf_bytes([doc]), args.runs)),
        ("收件回执 → ESC/POS, native QR", "escpos", measure(lambda: render_escpos([doc], native), args.runs)),
        ("收件回执 → ESC/POS, image QR", "escpos", measure(lambda: render_escpos([doc], raster), args.runs)),
    ]
    print(f"receipt rendering, {args.runs} runs each (ms)")
    for name, kind, (p50, p99) in rows:
        target = f"target <= {TARGETS_MS[kind]:.0f}" if kind else "floor"
        print(f"  {name:32} p50 {p50:7.2f}  p99 {p99:7.2f}  ({target})")
    hung_printer()
    del app


if __name__ == "__main__":
    main()
