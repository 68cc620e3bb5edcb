"""The kiosk: tap → next page painted, start to home page idle, and resident memory, next to a bare PySide6 window
measured in the same run.

Run: .venv/bin/python bench/kiosk.py [--navigations 500] [--runs 3] [--platform offscreen|xcb]

Figures (no asserts):
- tap → painted: a tap on a tile, a list entry or 返回首页 (QTest press/release on the widget) until the page it
  opens has received its first paint event; p50/p99 over `--navigations` taps, 长辈模式 off and on. Target p99
  <= 100 ms.
- start: `python -m app.cli --mode kiosk --exit-when-idle` (config, store, services, kiosk window full screen)
  against the bare window of bench/startup.py, fresh processes, median of `--runs`. Target <= 1.5x.
- memory: VmRSS 10 s after the window is idle, and after 200 navigations with 长辈模式 off and on, against the
  bare window's VmRSS 10 s after it is idle. Target <= 2x. (A Chromium kiosk page takes ~3x the bare window's
  start and ~16x its memory, PLATFORM_NOTES.md.)
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from startup import BARE_WINDOW, _env, run_once  # noqa: E402 - after the path set-up (a script, not a package)

SETTLE_SECONDS = 10.0

BARE_RSS = """
import sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow
app = QApplication(sys.argv[:1])
window = QMainWindow()
window.setWindowTitle("通办终端")
window.setCentralWidget(QLabel("当前没有正在办理的业务", window))
window.statusBar().showMessage("离线  待同步 0 条")
window.resize(1080, 1920)
window.show()
def report():
    rss = [l for l in open("/proc/self/status") if l.startswith("VmRSS")][0].split()[1]
    print(f"RSS {int(rss) / 1024:.1f}", flush=True)
    app.quit()
timer = QTimer(app); timer.setSingleShot(True); timer.timeout.connect(report); timer.start(%d)
sys.exit(app.exec())
"""


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        line = next(line for line in status if line.startswith("VmRSS"))
    return int(line.split()[1]) / 1024


def child(navigations: int) -> None:  # noqa: PLR0915 - one measured scenario, read top to bottom
    """In a fresh process: the kiosk on a real terminal; prints `TAP ms…`, `RSS label MB` lines."""
    from PySide6.QtCore import QEvent, QObject, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QWidget

    from app.config import config_from_dict
    from app.paths import resolve_paths
    from app.services.terminal import open_terminal
    from ui.app import get_application, prepare_application
    from ui.kiosk.window import KioskWindow

    app = get_application()
    prepare_application(app)
    terminal = open_terminal(config=config_from_dict({"mode": "kiosk"}), paths=resolve_paths(), parent=app)
    window = KioskWindow(terminal=terminal)
    window.fit(1080, 1920)
    window.show()
    window.start()

    class PaintProbe(QObject):
        def __init__(self) -> None:
            super().__init__()
            self.target: QWidget | None = None
            self.painted = False

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
            if event.type() == QEvent.Type.Paint and watched is self.target:
                self.painted = True
            return False

    probe = PaintProbe()
    app.installEventFilter(probe)

    def settle(seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            app.processEvents()
            time.sleep(0.01)

    def tap(button: QWidget, opens: QWidget) -> float:
        probe.target, probe.painted = opens, False
        started = time.perf_counter()
        QTest.mouseClick(button, Qt.MouseButton.LeftButton, pos=button.rect().center())
        while not probe.painted:
            app.processEvents()
            if time.perf_counter() - started > 5.0:
                raise SystemExit(f"no paint of {opens.objectName()} after tapping {button.objectName()}")
        return (time.perf_counter() - started) * 1000

    def navigations_of(count: int) -> list[float]:
        """home → 进度查询 → home → 办事指南 → a department's items → home, over and over."""
        times: list[float] = []
        while len(times) < count:
            times.append(tap(window.home.tiles["progress"], window.progress))
            times.append(tap(window.home_button, window.home))
            times.append(tap(window.home.tiles["guide"], window.guide))
            times.append(tap(window.guide.departments.buttons[0], window.guide.items))
            times.append(tap(window.home_button, window.home))
        return times[:count]

    settle(SETTLE_SECONDS)
    print(f"RSS idle {rss_mb():.1f}", flush=True)
    for elder in (False, True):
        if elder:
            window.set_elder(True)
            settle(0.2)
        taps = navigations_of(navigations)
        print(f"TAP {'elder' if elder else 'standard'} " + " ".join(f"{t:.2f}" for t in taps), flush=True)
        print(f"RSS after-{navigations}-{'elder' if elder else 'standard'} {rss_mb():.1f}", flush=True)
    window.stop()
    window._may_close = True
    window.close()
    terminal.close()


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--navigations", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--platform", default=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.navigations)
        return

    base_env = {k: v for k, v in os.environ.items() if not k.startswith("TONGBAN_")}
    base_env["QT_QPA_PLATFORM"] = args.platform
    with tempfile.TemporaryDirectory(prefix="tongban-bench-kiosk-") as tmp:
        bare_script = Path(tmp) / "bare.py"
        bare_script.write_text(BARE_WINDOW, encoding="utf-8")
        programs = {
            "bare": [sys.executable, str(bare_script)],
            "kiosk": [sys.executable, "-m", "app.cli", "--mode", "kiosk", "--exit-when-idle"],
        }
        for name, argv in programs.items():  # warm the page cache
            run_once(argv, _env(base_env, Path(tmp) / f"warm-{name}"))
        start: dict[str, list[float]] = {name: [] for name in programs}
        for index in range(args.runs):
            for name, argv in programs.items():
                _reported, wall, _rss = run_once(argv, _env(base_env, Path(tmp) / f"{name}-{index}"))
                start[name].append(wall)

        bare_rss_script = Path(tmp) / "bare_rss.py"
        bare_rss_script.write_text(BARE_RSS % int(SETTLE_SECONDS * 1000), encoding="utf-8")
        bare_out = subprocess.run(
            [sys.executable, str(bare_rss_script)], env=base_env, capture_output=True, text=True, check=True
        ).stdout
        bare_rss = float(bare_out.split()[1])
        child_out = subprocess.run(
            [sys.executable, __file__, "--child", "--navigations", str(args.navigations)],
            env=_env(base_env, Path(tmp) / "child"),
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        ).stdout

    taps: dict[str, list[float]] = {}
    rss: dict[str, float] = {}
    for line in child_out.splitlines():
        if line.startswith("TAP "):
            _tag, mode, *values = line.split()
            taps[mode] = [float(v) for v in values]
        elif line.startswith("RSS "):
            _tag, label, value = line.split()
            rss[label] = float(value)

    print(f"kiosk benchmark, QT_QPA_PLATFORM={args.platform}")
    print(f"tap → next page painted, {args.navigations} navigations per mode (target p99 <= 100 ms):")
    for mode, values in taps.items():
        print(f"  {mode:<9} p50 {p(values, 0.5):6.1f} ms   p99 {p(values, 0.99):6.1f} ms   max {max(values):6.1f} ms")
    bare_ms, kiosk_ms = statistics.median(start["bare"]), statistics.median(start["kiosk"])
    print(
        f"start to window idle, median of {args.runs} (wall): bare {bare_ms:.0f} ms, kiosk {kiosk_ms:.0f} ms"
        f" = {kiosk_ms / bare_ms:.2f}x (target <= 1.5x)"
    )
    print(f"resident memory (target <= 2x the bare window's {bare_rss:.0f} MB, {SETTLE_SECONDS:.0f} s after idle):")
    for label, value in rss.items():
        print(f"  kiosk {label:<24} {value:6.1f} MB = {value / bare_rss:.2f}x")


if __name__ == "__main__":
    main()
