"""Process start to "window shown and idle": the terminal next to a bare PySide6 window, in the same run.

Run: .venv/bin/python bench/startup.py [--runs 5] [--platform offscreen|xcb] [--rss-after 15]

Each program is started as a fresh process (cold interpreter, warm disk cache) and prints `IDLE <ms>` when its
window is shown and the event loop is idle (a 0 ms single-shot timer after show), then exits. Two figures per run:
the program's own "ms since process start" (from /proc) and the wall time from spawn to reading that line. Peak
RSS comes from os.wait4 of each child. Runs alternate between the programs so that machine noise hits both
alike. Target: terminal median <= 1.5x the bare window. Figures only, no asserts.
With `--rss-after 15` it instead starts each program, lets it run 15 s (the terminal's search index is built by
then) and reads its resident memory from /proc; target terminal <= 2x the bare window (issue 13).
Each run starts with a fresh data directory (a first start: the database, its key and key proof are created)
unless `--restart`: then one untimed first start per program prepares a data directory that every timed run
reuses, as a counter PC restarts after a crash, a power cut or an update.

Programs:
  bare      a PySide6 QMainWindow with a title, a label and a status bar (the floor, PLATFORM_NOTES.md)
  bare+cfg  the bare window after `import app.config`: shows what the config layer alone costs
  terminal  `python -m app.cli --exit-when-idle` with a fresh temp data dir (config, logging, store, font, theme,
            translations, counter window)
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RATIO_TARGET = 1.5
RSS_RATIO_TARGET = 2.0

BARE_WINDOW = """
import os, sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

def uptime_ms():
    with open("/proc/self/stat") as f:
        start = int(f.read().rsplit(")", 1)[1].split()[19]) / os.sysconf("SC_CLK_TCK")
    return (time.clock_gettime(time.CLOCK_BOOTTIME) - start) * 1000

app = QApplication(sys.argv[:1])
window = QMainWindow()
window.setWindowTitle("通办终端 — 营口市政务服务中心 1号窗口")
window.setCentralWidget(QLabel("当前没有正在办理的业务", window))
window.statusBar().showMessage("离线  待同步 0 条")
window.resize(1280, 800)
window.show()

def idle():
    print(f"IDLE {uptime_ms():.0f}", flush=True)
    app.quit()

timer = QTimer(app)
timer.setSingleShot(True)
timer.timeout.connect(idle)
timer.start(0)
sys.exit(app.exec())
"""


@dataclass
class Samples:
    reported_ms: list[float] = field(default_factory=list)
    wall_ms: list[float] = field(default_factory=list)
    rss_mb: list[float] = field(default_factory=list)


def run_once(argv: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """(reported ms, wall ms to the IDLE line, peak RSS MB) of one fresh process."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT, text=True)
    assert proc.stdout is not None
    reported = wall = float("nan")
    for line in proc.stdout:
        if line.startswith("IDLE "):
            wall = (time.perf_counter() - started) * 1000
            reported = float(line.split()[1])
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    stderr = proc.stderr.read() if proc.stderr else ""
    if proc.returncode != 0 or math.isnan(reported):
        raise SystemExit(f"{' '.join(argv)} failed (exit {proc.returncode}):\n{stderr}")
    return reported, wall, usage.ru_maxrss / 1024  # ru_maxrss is in KiB on Linux


def rss_after(argv: list[str], env: dict[str, str], seconds: float) -> float:
    """Resident memory (MB) of a program `seconds` after its start (it keeps running until then)."""
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=ROOT)
    try:
        time.sleep(seconds)
        if proc.poll() is not None:
            raise SystemExit(f"{' '.join(argv)} exited early ({proc.returncode})")
        with open(f"/proc/{proc.pid}/status", encoding="ascii") as status:
            line = next(line for line in status if line.startswith("VmRSS:"))
        return int(line.split()[1]) / 1024
    finally:
        proc.terminate()
        proc.wait()


def main_rss(args: argparse.Namespace) -> None:
    """`--rss-after S`: each program's RSS S seconds after its start (the terminal's search index built)."""
    with tempfile.TemporaryDirectory(prefix="tongban-bench-rss-") as tmp:
        base_env = {key: value for key, value in os.environ.items() if not key.startswith("TONGBAN_")}
        base_env["QT_QPA_PLATFORM"] = args.platform
        bare_script = Path(tmp) / "bare_window_stays.py"
        bare_script.write_text(BARE_WINDOW.replace("    app.quit()\n", "    pass\n"), encoding="utf-8")
        programs = {"bare": [sys.executable, str(bare_script)], "terminal": [sys.executable, "-m", "app.cli"]}
        rss: dict[str, list[float]] = {name: [] for name in programs}
        homes = _homes(args, programs, base_env, Path(tmp))
        for index in range(args.runs):
            for name, argv in programs.items():
                env = homes[name] if name in homes else _env(base_env, Path(tmp) / f"{name}-{index}")
                rss[name].append(rss_after(argv, env, args.rss_after))
    load = os.getloadavg()[0]
    kind = "restart" if args.restart else "first start"
    print(
        f"RSS {args.rss_after:.0f} s after start ({kind}), {args.runs} runs each,"
        f" QT_QPA_PLATFORM={args.platform}, load {load:.2f}"
    )
    for name, values in rss.items():
        print(f"{name:<10} median {statistics.median(values):6.0f} MB  ({min(values):.0f}..{max(values):.0f})")
    ratio = statistics.median(rss["terminal"]) / statistics.median(rss["bare"])
    print(f"ratio terminal/bare: {ratio:.2f}x; {'meets' if ratio <= RSS_RATIO_TARGET else 'misses'} the 2x target")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--platform", default=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    parser.add_argument("--rss-after", type=float, default=0.0, help="measure RSS this many seconds after start")
    parser.add_argument("--restart", action="store_true", help="reuse a data directory made by a first start")
    args = parser.parse_args()
    if args.rss_after > 0:
        main_rss(args)
        return

    with tempfile.TemporaryDirectory(prefix="tongban-bench-startup-") as tmp:
        base_env = {**os.environ, "QT_QPA_PLATFORM": args.platform}
        for name in list(base_env):
            if name.startswith("TONGBAN_"):
                del base_env[name]
        bare_script = Path(tmp) / "bare_window.py"
        bare_script.write_text(BARE_WINDOW, encoding="utf-8")
        config_script = Path(tmp) / "bare_window_with_config.py"
        config_script.write_text(f"import sys\nsys.path.insert(0, {str(ROOT)!r})\nimport app.config\n" + BARE_WINDOW)
        programs = {
            "bare": [sys.executable, str(bare_script)],
            "bare+cfg": [sys.executable, str(config_script)],
            "terminal": [sys.executable, "-m", "app.cli", "--exit-when-idle"],
        }
        results = {name: Samples() for name in programs}
        # One untimed warm-up of each, so both read the libraries from the page cache.
        for name, argv in programs.items():
            run_once(argv, _env(base_env, Path(tmp) / f"warmup-{name}"))
        homes = _homes(args, programs, base_env, Path(tmp))
        for index in range(args.runs):
            for name, argv in programs.items():
                env = homes[name] if name in homes else _env(base_env, Path(tmp) / f"{name}-{index}")
                reported, wall, rss = run_once(argv, env)
                results[name].reported_ms.append(reported)
                results[name].wall_ms.append(wall)
                results[name].rss_mb.append(rss)

    kind = "restart" if args.restart else "first start"
    print(f"startup to window shown and idle ({kind}), {args.runs} runs each, QT_QPA_PLATFORM={args.platform}")
    print(f"{'program':<10} {'median ms (own)':>16} {'median ms (wall)':>17} {'min..max wall':>16} {'peak RSS MB':>12}")
    for name, samples in results.items():
        print(
            f"{name:<10} {statistics.median(samples.reported_ms):>16.0f} {statistics.median(samples.wall_ms):>17.0f}"
            f" {min(samples.wall_ms):>7.0f}..{max(samples.wall_ms):<7.0f} {max(samples.rss_mb):>12.0f}"
        )
    ratio_own = statistics.median(results["terminal"].reported_ms) / statistics.median(results["bare"].reported_ms)
    ratio_wall = statistics.median(results["terminal"].wall_ms) / statistics.median(results["bare"].wall_ms)
    ratio_rss = max(results["terminal"].rss_mb) / max(results["bare"].rss_mb)
    verdict = "meets" if ratio_wall <= RATIO_TARGET else "misses"
    print(f"load average {os.getloadavg()[0]:.2f}")
    print(
        f"ratio terminal/bare: {ratio_own:.2f}x (own clock), {ratio_wall:.2f}x (wall), RSS {ratio_rss:.2f}x;"
        f" {verdict} the {RATIO_TARGET}x target"
    )


def _homes(
    args: argparse.Namespace, programs: dict[str, list[str]], base: dict[str, str], tmp: Path
) -> dict[str, dict[str, str]]:
    """With `--restart`: one data directory per program, made by an untimed first start (run until idle)."""
    if not args.restart:
        return {}
    homes = {}
    for name, argv in programs.items():
        homes[name] = _env(base, tmp / f"home-{name}")
        first = [*argv, "--exit-when-idle"] if "--exit-when-idle" not in argv and "app.cli" in argv else argv
        if "app.cli" in argv:
            run_once(first, homes[name])
    return homes


def _env(base: dict[str, str], home: Path) -> dict[str, str]:
    """A fresh data dir, config path and log dir for one run of the terminal (ignored by the bare window).

    Bytecode is cached (in one folder per bench run, beside the runs' homes) even when the calling shell sets
    PYTHONDONTWRITEBYTECODE: an installed terminal always runs from .pyc files (pip and PyInstaller write them),
    and compiling ~120 of our modules from source on every start would measure the development checkout instead.
    The untimed warm-up run writes the cache.
    """
    home.mkdir(parents=True)
    base = {key: value for key, value in base.items() if key != "PYTHONDONTWRITEBYTECODE"}
    return {
        **base,
        "PYTHONPYCACHEPREFIX": str(home.parent / "pycache"),
        "TONGBAN_DATA_DIR": str(home / "data"),
        "TONGBAN_CONFIG": str(home / "config.toml"),
        "TONGBAN_LOG_DIR": str(home / "logs"),
        "TONGBAN_KEY_STORE": "file",
    }


if __name__ == "__main__":
    main()
