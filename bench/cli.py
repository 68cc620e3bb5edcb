"""How fast the CLI answers, as ratios to a bare PySide6 window's start in the same run (issue 13).

Run: .venv/bin/python bench/cli.py [--runs 5]

Each command runs as a fresh process (cold interpreter, warm disk cache) against one prepared data directory (a
store with one case, file key store); runs alternate between the programs so that machine noise hits all alike.
Figures: median wall time from spawn to exit, except `sync --once`, timed from spawn to its first request
arriving at a local HTTP server (which answers 503). The bare window (bench/startup.py's) is timed from spawn to
its `IDLE` line, offscreen. Targets (ratio to the bare window): --version <= 0.3, status --json <= 0.6,
sync --once first request <= 1, receipt --format escpos <= 1, receipt --format pdf <= 2. Figures only, no asserts.

Bytecode: by default the programs run from cached bytecode (a private PYTHONPYCACHEPREFIX per bench run, written by
the untimed warm-up; PYTHONDONTWRITEBYTECODE dropped), as bench/startup.py does: an installed terminal always runs
compiled modules (pip and PyInstaller write the .pyc files), so compiling our sources on every run would measure
the development checkout, not a counter PC. `--source`: the old mode, the environment as it is (where
PYTHONDONTWRITEBYTECODE is set, every run compiles the application's sources again, tens of milliseconds per
command that a user's installation never pays). `--bytecode` is kept as a no-op for old command lines.
"""

from __future__ import annotations

import argparse
import http.server
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.startup import BARE_WINDOW  # noqa: E402

TARGETS = {
    "--version": 0.3,
    "status --json": 0.6,
    "sync --once (1st request)": 1.0,
    "receipt --format escpos": 1.0,
    "receipt --format pdf": 2.0,
}


class _FirstRequest(http.server.BaseHTTPRequestHandler):
    arrived: float | None = None

    def _any(self) -> None:
        if _FirstRequest.arrived is None:
            _FirstRequest.arrived = time.perf_counter()
        self.send_response(503)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST = do_PUT = _any  # noqa: N815 - the names http.server dispatches to

    def log_message(self, *_args: object) -> None:
        return


def _prepare(home: Path, platform_url: str) -> tuple[dict[str, str], str]:
    """A data dir with one stored case and (fake) enrolment pointing at `platform_url`; returns env and case no."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("TONGBAN_")}
    env.update(
        QT_QPA_PLATFORM="offscreen",
        TONGBAN_DATA_DIR=str(home / "data"),
        TONGBAN_CONFIG=str(home / "config.toml"),
        TONGBAN_LOG_DIR=str(home / "logs"),
        TONGBAN_KEY_STORE="file",
    )
    code = f"""
import dataclasses, os, sys
sys.path.insert(0, {str(ROOT)!r})
from app.paths import resolve_paths
from app.sync.credentials import Credentials, CredentialStore
from offline_cache import open_store
from tests.integration.receipts_support import person_case
paths = resolve_paths().ensure()
with open_store(paths.database) as store:
    print(store.save_case(dataclasses.replace(person_case(), case_no=""), actor="S0042").case.case_no)
CredentialStore(paths.data_dir).save(Credentials(device_id="bench", key_id="k1", secret="0" * 64, terminal="003",
    division="210800", hall="01", window="07", platform_url={platform_url!r}))
"""
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    return env, out.strip().splitlines()[-1]


def _time_exit(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    result = subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    elapsed = (time.perf_counter() - started) * 1000
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({result.returncode}):\n{result.stderr}")
    return elapsed


def _time_first_request(argv: list[str], env: dict[str, str]) -> float:
    _FirstRequest.arrived = None
    started = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while _FirstRequest.arrived is None:
            if proc.poll() is not None:
                raise SystemExit(f"{' '.join(argv)} exited ({proc.returncode}) before sending a request")
            time.sleep(0.001)
        return (_FirstRequest.arrived - started) * 1000
    finally:
        proc.kill()
        proc.wait()


def _time_bare(script: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, str(script)], env=env, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    wall = float("nan")
    for line in proc.stdout:
        if line.startswith("IDLE "):
            wall = (time.perf_counter() - started) * 1000
    proc.wait()
    return wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--bytecode", action="store_true", help="cached bytecode (the default; see the module doc)")
    mode.add_argument("--source", action="store_true", help="bytecode as the environment has it (see the module doc)")
    args = parser.parse_args()

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _FirstRequest)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    with tempfile.TemporaryDirectory(prefix="tongban-bench-cli-") as tmp:
        env, case_no = _prepare(Path(tmp), url)
        if not args.source:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        bare = Path(tmp) / "bare_window.py"
        bare.write_text(BARE_WINDOW, encoding="utf-8")
        cli = [sys.executable, "-m", "app.cli"]
        out = Path(tmp) / "out"
        programs = {
            "bare window": lambda: _time_bare(bare, env),
            "--version": lambda: _time_exit([*cli, "--version"], env),
            "status --json": lambda: _time_exit([*cli, "status", "--json"], env),
            "sync --once (1st request)": lambda: _time_first_request(
                [*cli, "sync", "--once", "--max-seconds", "5"], env
            ),
            "receipt --format escpos": lambda: _time_exit(
                [*cli, "receipt", case_no, "--format", "escpos", "--out", str(out) + ".bin"], env
            ),
            "receipt --format pdf": lambda: _time_exit(
                [*cli, "receipt", case_no, "--format", "pdf", "--out", str(out) + ".pdf"], env
            ),
        }
        samples: dict[str, list[float]] = {name: [] for name in programs}
        for run in programs.values():  # one untimed warm-up each (page cache)
            run()
        for _ in range(args.runs):
            for name, run in programs.items():
                samples[name].append(run())
    server.shutdown()

    load = os.getloadavg()[0]
    bare_ms = statistics.median(samples["bare window"])
    compiled = "cached bytecode" if not args.source else "bytecode as the environment has it"
    print(f"CLI commands vs a bare window's start, {args.runs} runs each, median wall ms ({compiled}); load {load:.2f}")
    print(f"{'program':<28} {'median ms':>10} {'min..max':>14} {'ratio':>7} {'target':>7}")
    for name, values in samples.items():
        ratio = statistics.median(values) / bare_ms
        target = TARGETS.get(name)
        verdict = "" if target is None else ("meets" if ratio <= target else "misses")
        print(
            f"{name:<28} {statistics.median(values):>10.0f} {min(values):>6.0f}..{max(values):<7.0f}"
            f" {ratio:>6.2f}x {'' if target is None else f'{target:.1f}x':>7} {verdict}"
        )


if __name__ == "__main__":
    main()
