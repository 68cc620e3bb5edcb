"""Submit latency through the real counter window (offscreen): click → committed → number shown, and RSS.

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python bench/intake.py [--n 500] [--rss-n 1000]
Each case goes through the window as a clerk's would: choose the item, fill the form, click 提交; the time is from
the click until the result page shows the case number. The same number of bare `Store.save_case` calls on the
same store (no UI, no checks) are the baseline measured in the same run. Targets: p99 <= 50 ms; RSS after
`--rss-n` cases <= 200 MB. Receipts go to a PDF printer on the print worker (off the measured path).
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TONGBAN_KEY_STORE", "file")

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app.config import config_from_dict
from app.domain.models import MaterialStatus
from app.paths import AppPaths
from app.services.terminal import open_terminal
from ui.app import prepare_application
from ui.counter_window import CounterWindow

ITEM = "210882070405000"
P99_TARGET_MS = 50.0
RSS_TARGET_MB = 200.0
STAFF = ("B0001", "13579246")


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _rss_mb() -> float:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:  # noqa: PLR0915 - one linear script
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=500, help="cases timed through the window")
    parser.add_argument("--rss-n", type=int, default=1000, help="cases submitted before RSS is read")
    args = parser.parse_args()
    logging.getLogger("tongban").setLevel(logging.ERROR)
    app = QApplication([sys.argv[0]])
    prepare_application(app)
    with tempfile.TemporaryDirectory(prefix="tongban-bench-intake-") as tmp:
        data = Path(tmp)
        paths = AppPaths(data_dir=data, config_file=data / "c.toml", log_dir=data / "logs")
        config = config_from_dict({"terminal_code": "001", "printer": {"kind": "pdf", "pdf_dir": str(data / "pdf")}})
        terminal = open_terminal(config=config, paths=paths)
        terminal.staff.add(staff_no=STAFF[0], display_name="基准", pin=STAFF[1], actor="bench")
        window = CounterWindow(config=terminal.config, status=terminal.status, terminal=terminal)
        window.show()
        flow = window.flow
        assert flow is not None
        flow.sign_in.staff_no.setText(STAFF[0])
        flow.sign_in.pin.setText(STAFF[1])
        flow.sign_in.submit()
        form = flow.session.form
        result = flow.session.result
        rss_start = _rss_mb()
        ui_ms: list[float] = []
        template = None
        total = max(args.n, args.rss_n)
        for i in range(total):
            flow.new_case()
            flow.choose_item(ITEM)
            draft = form.draft
            assert draft is not None
            a = draft.applicant
            a.name, a.id_number, a.phone = "张三", "11010519491231002X", "13812345678"
            for m in draft.materials:
                if m.status is MaterialStatus.MISSING:
                    m.status, m.count = MaterialStatus.ORIGINAL, 1
            form.load(draft)
            app.processEvents()
            start = time.perf_counter()
            QTest.mouseClick(form.submit_button, Qt.MouseButton.LeftButton)
            while flow.session.views.currentWidget() is not result or not result.number.text():
                app.processEvents()
            elapsed = (time.perf_counter() - start) * 1000
            if i < args.n:
                ui_ms.append(elapsed)
            if template is None:
                stored = terminal.store.cases.list_recent(limit=1)[0].case
                template = dataclasses.replace(stored, case_no="")
            if i % 50 == 0:
                terminal.receipts.wait_for_idle()
                app.processEvents()
        terminal.receipts.wait_for_idle()
        app.processEvents()
        rss_end = _rss_mb()
        assert template is not None
        base_ms: list[float] = []
        for _ in range(args.n):
            case = dataclasses.replace(template, record_id=str(uuid.uuid4()))
            start = time.perf_counter()
            terminal.store.save_case(case, actor="bench")
            base_ms.append((time.perf_counter() - start) * 1000)
        cases = terminal.store.cases.count()
        window.close()
        terminal.close()
    p50, p99 = statistics.median(ui_ms), _percentile(ui_ms, 0.99)
    b50, b99 = statistics.median(base_ms), _percentile(base_ms, 0.99)
    print(f"cases stored: {cases}")
    print(
        f"submit through the window (n={args.n}): p50 {p50:.1f} ms  p99 {p99:.1f} ms  (target p99 <= {P99_TARGET_MS})"
    )
    print(f"baseline Store.save_case       (n={args.n}): p50 {b50:.1f} ms  p99 {b99:.1f} ms")
    print(f"RSS: {rss_start:.0f} MB after sign-in, {rss_end:.0f} MB after {total} cases (target <= {RSS_TARGET_MB})")
    ok = p99 <= P99_TARGET_MS and rss_end <= RSS_TARGET_MB
    print("OK" if ok else "OVER TARGET")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
