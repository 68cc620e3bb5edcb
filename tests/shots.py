"""Where tests put what a person looks at afterwards (screenshots, page reports), never a fixed /tmp path.

`TONGBAN_TEST_SHOTS=<dir>` chooses the folder; otherwise each test run gets its own folder under the system
temp dir (shared by the xdist workers of one run), so two copies of the suite running at once on one machine
never overwrite each other's files.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def shots_root() -> Path:
    chosen = os.environ.get("TONGBAN_TEST_SHOTS")
    if chosen:
        return Path(chosen)
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID") or str(os.getpid())
    return Path(tempfile.gettempdir()) / f"tongban-test-shots-{run}"


def shot_dir(name: str) -> Path:
    """`<root>/<name>`, created if missing."""
    path = shots_root() / name
    path.mkdir(parents=True, exist_ok=True)
    return path
