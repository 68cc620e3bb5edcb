"""Strict test discipline (STYLE.md lesson 10): isolated state, undeclared warnings fail, gui marker."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Widgets run offscreen in tests; set before any Qt import.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def isolated_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own data, config and log directories and never touches the user's."""
    home = tmp_path / "tongban-home"
    for sub in ("data", "config", "logs"):
        (home / sub).mkdir(parents=True)
    monkeypatch.setenv("TONGBAN_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("TONGBAN_LOG_DIR", str(home / "logs"))
    monkeypatch.setenv("TONGBAN_CONFIG", str(home / "config" / "config.toml"))
    # No OS keyring in tests: the key goes to a 0600 file in the data dir.
    monkeypatch.setenv("TONGBAN_KEY_STORE", "file")
    for name in list(os.environ):
        if name.startswith("TONGBAN_") and name not in {
            "TONGBAN_DATA_DIR",
            "TONGBAN_LOG_DIR",
            "TONGBAN_CONFIG",
            "TONGBAN_KEY_STORE",
        }:
            monkeypatch.delenv(name)
    return home


class _WarningCollector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(autouse=True)
def fail_on_undeclared_warning_logs(request: pytest.FixtureRequest) -> Iterator[None]:
    """A WARNING (or worse) log record fails the test unless the test declares it.

    Declare with `@pytest.mark.expected_log` or by using the `caplog` fixture and asserting on it.
    """
    collector = _WarningCollector()
    root = logging.getLogger()
    root.addHandler(collector)
    try:
        yield
    finally:
        root.removeHandler(collector)
    declared = "caplog" in request.fixturenames or request.node.get_closest_marker("expected_log")
    if collector.records and not declared:
        lines = "\n".join(f"{r.levelname} {r.name}: {r.getMessage()}" for r in collector.records)
        pytest.fail(f"undeclared warning/error log records:\n{lines}")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        fixturenames = getattr(item, "fixturenames", ())
        if "qtbot" in fixturenames or "qapp" in fixturenames:
            item.add_marker(pytest.mark.gui)
