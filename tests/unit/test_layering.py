"""The import layering of ARCHITECTURE.md, checked mechanically, plus a few house rules (STYLE.md lessons 1, 15)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# folder (relative to ROOT) -> import prefixes it must never use
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "app/domain": (
        "PySide6",
        "requests",
        "sqlite3",
        "sqlite_utils",
        "offline_cache",
        "ui",
        "central",
        "app.services",
        "app.sync",
        "app.printing",
        "app.devices",
        "app.config",
    ),
    "offline_cache": (
        "PySide6",
        "requests",
        "ui",
        "central",
        "app.services",
        "app.sync",
        "app.printing",
        "app.devices",
    ),
    "app/sync": ("PySide6.QtWidgets", "ui", "central", "app.services", "app.printing", "app.devices"),
    "app/printing": (
        "PySide6.QtWidgets",
        "ui",
        "central",
        "offline_cache",
        "requests",
        "app.services",
        "app.sync",
    ),
    "app/devices": (
        "PySide6.QtWidgets",
        "ui",
        "central",
        "offline_cache",
        "requests",
        "app.services",
        "app.sync",
    ),
    "app/services": ("PySide6.QtWidgets", "ui", "central", "requests", "sqlite3", "sqlite_utils"),
    "ui": (
        "sqlite3",
        "sqlite_utils",
        "requests",
        "offline_cache",
        "app.sync",
        "app.devices",  # devices run off the GUI thread behind app.services.devices
        "app.printing",  # printing runs behind app.services.receipts
        "central",
        "urllib",
        "http.client",
    ),
    "central": ("PySide6", "ui", "offline_cache", "app.domain", "app.services", "app.sync", "app.config"),
}
#: Exceptions to FORBIDDEN, each with its reason: central counts 差评 deadlines with the terminal's holiday table
#: and loader (stdlib only; tests/unit/central/test_central_layering.py keeps it so).
ALLOWED: dict[str, tuple[str, ...]] = {"central": ("app.domain.workdays",)}
# single modules with their own rules
FORBIDDEN_MODULES: dict[str, tuple[str, ...]] = {
    "app/protocol.py": ("PySide6", "requests", "sqlite3", "sqlite_utils", "offline_cache", "ui", "central"),
    "app/config.py": ("PySide6", "requests", "sqlite3", "sqlite_utils", "offline_cache", "ui", "central"),
}


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def _matches(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def _violations(path: Path, forbidden: tuple[str, ...], allowed: tuple[str, ...] = ()) -> list[str]:
    return [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for line, module in _imports(path)
        for prefix in forbidden
        if _matches(module, prefix) and module not in allowed
    ]


def test_layers_import_only_downward() -> None:
    problems: list[str] = []
    for folder, forbidden in FORBIDDEN.items():
        for path in sorted((ROOT / folder).rglob("*.py")):
            problems.extend(_violations(path, forbidden, ALLOWED.get(folder, ())))
    for module, forbidden in FORBIDDEN_MODULES.items():
        problems.extend(_violations(ROOT / module, forbidden))
    assert problems == [], "layering violations (ARCHITECTURE.md):\n" + "\n".join(problems)


def test_the_layering_check_can_fail(tmp_path: Path) -> None:
    """Negative control: a module that imports sqlite3 is reported for ui/."""
    bad = ROOT / "ui" / "_layering_probe_tmp.py"
    try:
        bad.write_text("import sqlite3\nfrom offline_cache import store\n", encoding="utf-8")
        assert len(_violations(bad, FORBIDDEN["ui"])) == 2
    finally:
        bad.unlink()


def _python_files(*folders: str) -> list[Path]:
    return [p for folder in folders for p in sorted((ROOT / folder).rglob("*.py"))]


SOURCE_FOLDERS = ("app", "ui", "offline_cache", "central", "resources", "bench", "scripts")


@pytest.mark.parametrize(
    ("rule", "pattern", "folders"),
    [
        (
            "a blanket noqa hides every lint; name the rule",
            re.compile(r"#\s*noqa(?!:)"),
            (*SOURCE_FOLDERS, "tests"),
        ),
        (
            "a bare type: ignore hides every type error; name the code",
            re.compile(r"#\s*type:\s*ignore(?!\[)"),
            SOURCE_FOLDERS,
        ),
        ("a QTimer needs a parent (leaks otherwise)", re.compile(r"\bQTimer\(\s*\)"), ("app", "ui")),
        (
            "use pytest-qt's snake_case API",
            re.compile(
                r"qtbot\.(waitSignal|waitSignals|waitUntil|addWidget|assertNotEmitted|waitActive|waitCallback)\b"
            ),
            ("tests",),
        ),
        ("no sleeps to wait for Qt in UI tests", re.compile(r"\btime\.sleep\("), ("tests/ui",)),
        (
            "print() is not logging",
            re.compile(r"^\s*print\("),
            ("app/domain", "offline_cache", "app/services"),
        ),
    ],
)
def test_house_rules(rule: str, pattern: re.Pattern[str], folders: tuple[str, ...]) -> None:
    problems = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in _python_files(*folders)
        if path.name != "test_layering.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if pattern.search(line)
    ]
    assert problems == [], f"{rule}:\n" + "\n".join(problems)
