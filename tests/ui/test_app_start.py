"""`run_gui` in a fresh process: every mode opens its window, reaches idle, and exits cleanly."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DRIVER = """
import sys
from app.config import Config, Mode
from app.paths import resolve_paths
from ui.app import run_gui
sys.exit(run_gui(config=Config(), paths=resolve_paths(), mode=Mode(sys.argv[1]), exit_when_idle=True))
"""


@pytest.mark.parametrize("mode", ["counter", "kiosk", "rating"])
def test_window_opens_reaches_idle_and_exits(mode: str) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-c", DRIVER, mode],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r"IDLE \d+\n", result.stdout), result.stdout
    assert 0 < int(result.stdout.split()[1]) < 60_000
    # No Qt warnings (missing font, bad QSS, missing translation) on the way, except the one the offscreen
    # platform may print because it has no window manager (see qt_log_ignore in pyproject.toml).
    noise = "This plugin does not support propagateSizeHints()"
    assert [line for line in result.stderr.splitlines() if line != noise] == []
