"""The terminal's install does not pull the reference platform's server stack (pyproject's `central` extra)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SERVER_STACK = {"fastapi", "uvicorn", "sqlalchemy", "psycopg", "starlette"}


def _names(requirements: list[str]) -> set[str]:
    return {re.split(r"[\[<>=!~ ;]", req, maxsplit=1)[0].lower() for req in requirements}


def test_server_stack_is_only_in_the_central_extra() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert not _names(project["dependencies"]) & SERVER_STACK
    assert {"fastapi", "uvicorn", "sqlalchemy", "psycopg"} <= _names(project["optional-dependencies"]["central"])
    assert "pyinstaller" in _names(project["optional-dependencies"]["build"])


def test_the_test_setup_installs_the_platform_and_build_extras() -> None:
    setup = (ROOT / "scripts" / "setup.sh").read_text(encoding="utf-8")
    assert 'extras="[test,central,build]"' in setup
