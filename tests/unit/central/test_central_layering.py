"""ARCHITECTURE.md: `central/` may import only `app.protocol` from the terminal's code, and (issue 16) the shared
stdlib-only holiday-table loader `app.domain.workdays` with the `resources` package that locates its data file."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PROJECT = ("app", "ui", "offline_cache", "resources", "tests", "bench")
#: What the terminal and the platform share: the wire schema and the working-day calendar (one table, one loader).
SHARED = ("app.protocol", "app.domain.workdays", "resources")


def test_central_imports_only_app_protocol_from_the_project() -> None:
    files = sorted((ROOT / "central").rglob("*.py"))
    assert len(files) > 10
    violations = []
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                # `from app import protocol` names the module in the alias; `from app.x import y` in `module`.
                parents = {"app", "tests", "bench"}
                names = [f"{node.module}.{a.name}" for a in node.names] if node.module in parents else [node.module]
            for name in names:
                allowed = name in SHARED or any(name.startswith(f"{m}.") for m in SHARED)
                if name.split(".")[0] in PROJECT and not allowed:
                    violations.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {name}")
    assert violations == []


def test_the_shared_modules_use_only_the_standard_library() -> None:
    """What central imports from the terminal must not drag in Qt, HTTP or the store."""
    import sys

    for module in ("app/protocol.py", "app/domain/workdays.py", "resources/__init__.py"):
        tree = ast.parse((ROOT / module).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                assert top in sys.stdlib_module_names or top in {"__future__", "resources"}, f"{module} imports {name}"
