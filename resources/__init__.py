"""Shipped data: fonts, catalogue, holiday calendar, themes, translations.

Always reach these files through `resource_path` so the same code works from a source checkout, an installed
wheel and a frozen bundle (PyInstaller sets `sys._MEIPASS`).
"""

from __future__ import annotations

import sys
from pathlib import Path


def resource_root() -> Path:
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root is not None:
        return Path(frozen_root) / "resources"
    return Path(__file__).resolve().parent


def resource_path(*parts: str) -> Path:
    """Path of a shipped resource file, e.g. `resource_path("catalogue", "seed.json")`."""
    return resource_root().joinpath(*parts)
