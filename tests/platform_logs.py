"""Log files of the platform processes (`tongban-central serve`) started during the run.

Servers run as subprocesses, so their records never reach the run-wide capture in conftest.py; the fixtures that
start them register the file here, and the session check greps every registered file for the personal values of
`tests/pii_samples.py` as well (issue 16: nothing personal in the platform's logs either).
"""

from __future__ import annotations

from pathlib import Path

LOG_FILES: list[Path] = []


def register(path: Path) -> None:
    if path not in LOG_FILES:
        LOG_FILES.append(path)


def lines() -> list[str]:
    """Every line of every registered file that still exists."""
    out: list[str] = []
    for path in LOG_FILES:
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        out.extend(f"platform log {path.name}: {line}" for line in text.splitlines())
    return out
