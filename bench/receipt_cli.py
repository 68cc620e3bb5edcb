"""Whole-process time of `tongban receipt` (ESC/POS and PDF) next to `tongban --version`, in the same run.

Run: .venv/bin/python bench/receipt_cli.py [--runs 7]

A temp data dir gets one stored case; then each command runs as a fresh process (cold interpreter, warm disk
cache), alternating so machine noise hits all alike. `--version` is the floor: the interpreter and the CLI's
imports with no work. Issue 15 measured `receipt --format escpos` at about 4 s, 1.2 s of it python-escpos parsing
its printer database; the renderer no longer imports python-escpos. Figures only, no asserts.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TONGBAN = [sys.executable, "-m", "app.cli"]


def _stored_case(data_dir: Path) -> str:
    from app.paths import resolve_paths
    from offline_cache import open_store
    from offline_cache.samples import sample_case

    paths = resolve_paths(data_dir=str(data_dir)).ensure()
    with open_store(paths.database) as store:
        return store.save_case(dataclasses.replace(sample_case(), case_no=""), actor="S0042").case.case_no


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        env = dict(
            os.environ,
            TONGBAN_DATA_DIR=str(root / "data"),
            TONGBAN_CONFIG=str(root / "none.toml"),
            TONGBAN_LOG_DIR=str(root / "logs"),
            TONGBAN_KEY_STORE="file",
            QT_QPA_PLATFORM="offscreen",
        )
        os.environ.update({k: v for k, v in env.items() if k.startswith("TONGBAN_")})
        case_no = _stored_case(root / "data")
        commands = {
            "tongban --version": ["--version"],
            "tongban receipt --format escpos": ["receipt", case_no, "--format", "escpos", "--out", str(root / "r.bin")],
            "tongban receipt --format pdf": ["receipt", case_no, "--format", "pdf", "--out", str(root / "r.pdf")],
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, argv in commands.items():
                start = time.perf_counter()
                result = subprocess.run([*TONGBAN, *argv], env=env, cwd=ROOT, capture_output=True, check=False)
                times[name].append((time.perf_counter() - start) * 1000)
                if result.returncode != 0:
                    raise SystemExit(f"{name} failed: {result.stderr.decode(errors='replace')}")
    print(f"whole-process time, {args.runs} runs each (ms, median / max)")
    for name, values in times.items():
        print(f"  {name:34} {statistics.median(values):7.0f}  {max(values):7.0f}")


if __name__ == "__main__":
    main()
