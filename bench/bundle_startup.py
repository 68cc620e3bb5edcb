"""Cold start of the frozen bundle next to a bare PySide6 window and the terminal run from source, same run.

Run: .venv/bin/python bench/bundle_startup.py [--bundle dist/bundle/tongban/tongban] [--runs 5]
(build the bundle first: python build_installer.py --targets bundle)

Each program is a fresh process printing `IDLE <ms>` once its window is shown and idle (offscreen by default);
runs alternate between the programs. "cold" here is a cold interpreter with a warm page cache (one untimed
warm-up each), as on a counter PC that has started the program before. Figures only, no asserts.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("bench_startup", ROOT / "bench" / "startup.py")
assert _spec is not None and _spec.loader is not None
startup = importlib.util.module_from_spec(_spec)
sys.modules["bench_startup"] = startup
_spec.loader.exec_module(startup)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, default=ROOT / "dist" / "bundle" / "tongban" / "tongban")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--platform", default=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    args = parser.parse_args()
    if not args.bundle.exists():
        raise SystemExit(f"no bundle at {args.bundle}: run `python build_installer.py --targets bundle` first")

    with tempfile.TemporaryDirectory(prefix="tongban-bench-bundle-") as tmp:
        base_env = {k: v for k, v in os.environ.items() if not k.startswith("TONGBAN_")}
        base_env["QT_QPA_PLATFORM"] = args.platform
        bare_script = Path(tmp) / "bare_window.py"
        bare_script.write_text(startup.BARE_WINDOW, encoding="utf-8")
        programs = {
            "bare": [sys.executable, str(bare_script)],
            "source": [sys.executable, "-m", "app.cli", "--exit-when-idle"],
            "bundle": [str(args.bundle), "--exit-when-idle"],
        }
        results = {name: startup.Samples() for name in programs}
        for name, argv in programs.items():
            startup.run_once(argv, startup._env(base_env, Path(tmp) / f"warmup-{name}"))
        for index in range(args.runs):
            for name, argv in programs.items():
                reported, wall, rss = startup.run_once(argv, startup._env(base_env, Path(tmp) / f"{name}-{index}"))
                results[name].reported_ms.append(reported)
                results[name].wall_ms.append(wall)
                results[name].rss_mb.append(rss)

    print(f"start to window shown and idle, {args.runs} runs each, QT_QPA_PLATFORM={args.platform}")
    print(f"{'program':<8} {'median ms (own)':>16} {'median ms (wall)':>17} {'min..max wall':>16} {'peak RSS MB':>12}")
    for name, samples in results.items():
        print(
            f"{name:<8} {statistics.median(samples.reported_ms):>16.0f} {statistics.median(samples.wall_ms):>17.0f}"
            f" {min(samples.wall_ms):>7.0f}..{max(samples.wall_ms):<7.0f} {max(samples.rss_mb):>12.0f}"
        )
    bare = statistics.median(results["bare"].wall_ms)
    for name in ("source", "bundle"):
        print(f"ratio {name}/bare (wall): {statistics.median(results[name].wall_ms) / bare:.2f}x")


if __name__ == "__main__":
    main()
