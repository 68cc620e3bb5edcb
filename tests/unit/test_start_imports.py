"""Keep the start fast (issue 13): what a counter start imports before its first screen is idle is on an
allow-list, and `tongban --version` / `config` / `status` import no more than they need.

Not timed: a heavy import on the start path (pydantic, requests, keyring, pypinyin, printing, the sync engine, the
clerk's pages) fails here in review instead of costing every counter a slower start. When a new module really
belongs on the first screen, add it below, and check `bench/startup.py` before and after.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OWN = ("app", "ui", "offline_cache", "resources")

#: Our modules the counter window needs up to "shown and idle" on the sign-in page.
START_OWN = frozenset(
    {
        "app",
        "app.cli",
        "app.config",
        "app.domain",
        "app.domain.hall_time",  # the hall's clock (store numbering, config check)
        "app.domain.models",
        "app.logs",
        "app.paths",
        "app.protocol",
        "app.services",
        "app.services.errors",
        "app.services.staff",
        "app.services.status",
        "app.services.terminal",
        "app.sync",
        "app.sync.credentials",
        "offline_cache",
        "offline_cache.audit",
        "offline_cache.blobs",
        "offline_cache.case_events",
        "offline_cache.cases",
        "offline_cache.connection",
        "offline_cache.crypto",
        "offline_cache.drafts",
        "offline_cache.errors",
        "offline_cache.files",
        "offline_cache.keys",
        "offline_cache.numbering",
        "offline_cache.outbox",
        "offline_cache.print_queue",
        "offline_cache.purge",
        "offline_cache.ratings",
        "offline_cache.receipts",
        "offline_cache.records",
        "offline_cache.schema",
        "offline_cache.session",
        "offline_cache.settings",
        "offline_cache.staff",
        "offline_cache.store",
        "resources",
        "ui",
        "ui.app",
        "ui.counter_window",
        "ui.error_dialog",
        "ui.i18n",
        "ui.pages",
        "ui.pages.counter_flow",
        "ui.pages.sign_in",
        "ui.placeholder_window",
        "ui.status_bar",
        "ui.theme",
        "ui.widgets",
        "ui.widgets.style",
    }
)
#: What the kiosk's first screen (its home page, locked full screen) adds to the counter's list (issue 12): the
#: other kiosk pages, the kiosk and rating services and the pinyin keyboard are built after the first paint.
KIOSK_START_OWN = frozenset(
    {
        "ui.kiosk",
        "ui.kiosk.home",
        "ui.kiosk.idle",
        "ui.kiosk.page",
        "ui.kiosk.theme",
        "ui.kiosk.voice",
        "ui.kiosk.wedge",
        "ui.kiosk.widgets",
        "ui.kiosk.window",
        "ui.widgets.touch_button",
    }
)
#: Third-party top-level packages allowed at start (import hooks of the environment included).
START_THIRD_PARTY = frozenset(
    {
        "PySide6",
        "shiboken6",
        "shibokensupport",
        "signature_bootstrap",
        "__feature__",
        "cryptography",  # the field cipher's key check at open
        "_cffi_backend",
        "_openssl",
        "platformdirs",
        "__main__",
        "_distutils_hack",
        "__editable__",
    }
)
#: Standard-library packages that cost tens of milliseconds and nothing on the first screen needs.
HEAVY_STDLIB = frozenset(
    {"asyncio", "ssl", "email", "http", "xml", "pydoc", "multiprocessing", "concurrent", "unittest", "decimal"}
)

_PROBE = """
import json, sys
from app.cli import main
code = main(sys.argv[1:])
print("MODULES " + json.dumps(sorted(sys.modules)))
sys.exit(code)
"""


def _modules_after(tmp_path: Path, *argv: str) -> set[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("TONGBAN_")}
    env.update(
        QT_QPA_PLATFORM="offscreen",
        TONGBAN_DATA_DIR=str(tmp_path / "data"),
        TONGBAN_CONFIG=str(tmp_path / "config.toml"),
        TONGBAN_LOG_DIR=str(tmp_path / "logs"),
        TONGBAN_KEY_STORE="file",
    )
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, *argv],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith("MODULES "))
    return set(json.loads(line.removeprefix("MODULES ")))


def _top(name: str) -> str:
    top = name.split(".", 1)[0]
    if top.startswith("_sysconfigdata_"):  # the standard library's build data (zoneinfo reads it)
        return "sysconfig"
    return "__editable__" if top.startswith("__editable__") else top  # the development install's import hook


def test_counter_start_imports_only_the_allow_list(tmp_path: Path) -> None:
    modules = _modules_after(tmp_path, "--exit-when-idle")
    own = {m for m in modules if _top(m) in OWN}
    third = {_top(m) for m in modules if _top(m) not in OWN and _top(m) not in sys.stdlib_module_names}
    assert own - START_OWN == set(), "new modules of ours on the start path (build them after the first paint)"
    assert third - START_THIRD_PARTY == set(), "new third-party packages on the start path"
    assert {_top(m) for m in modules} & HEAVY_STDLIB == set()
    assert {"ui.counter_window", "ui.pages.sign_in", "offline_cache.store"} <= modules  # the probe really started


def test_kiosk_start_imports_only_the_allow_list(tmp_path: Path) -> None:
    modules = _modules_after(tmp_path, "--mode", "kiosk", "--exit-when-idle")
    own = {m for m in modules if _top(m) in OWN}
    third = {_top(m) for m in modules if _top(m) not in OWN and _top(m) not in sys.stdlib_module_names}
    assert own - START_OWN - KIOSK_START_OWN == set(), "new modules of ours on the kiosk's start path"
    assert third - START_THIRD_PARTY == set(), "new third-party packages on the kiosk's start path"
    assert {_top(m) for m in modules} & HEAVY_STDLIB == set()
    assert {"ui.kiosk.window", "ui.kiosk.home", "offline_cache.store"} <= modules  # the probe really started


def test_version_imports_nothing_of_the_application(tmp_path: Path) -> None:
    modules = _modules_after(tmp_path, "--version")
    assert {m for m in modules if _top(m) in OWN} <= {"app", "app.cli"}
    assert "logging" not in modules and "PySide6" not in modules


def test_status_and_config_leave_qt_validation_and_http_alone(tmp_path: Path) -> None:
    for argv in (("status", "--json"), ("config", "--json")):
        modules = _modules_after(tmp_path, *argv)
        tops = {_top(m) for m in modules}
        assert tops.isdisjoint({"PySide6", "pydantic", "requests", "keyring", "pypinyin", "escpos", "sqlite_utils"}), (
            argv,
            tops & {"PySide6", "pydantic", "requests", "keyring", "pypinyin", "escpos", "sqlite_utils"},
        )
