"""ARCHITECTURE.md: `central/` may import only `app.protocol` from the terminal's code."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PROJECT = ("app", "ui", "offline_cache", "resources", "tests", "bench")


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
                allowed = name == "app.protocol" or name.startswith("app.protocol.")
                if name.split(".")[0] in PROJECT and not allowed:
                    violations.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {name}")
    assert violations == []
