"""Keep the start fast (issue 13): what a counter start imports before its first screen is idle is on an
allow-list, and `tongban --version` / `config` / `status` import no more than they need.

Not timed: a heavy import on the start path (pydantic, requests, keyring, pypinyin, printing, the sync engine, the
clerk's pages) fails here in review instead of costing every counter a slower start. When a new module really
belongs on the first screen, add it below, and check `bench/startup.py` before and after.
"""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
OWN = ("app", "ui", "offline_cache", "resources")

#: Our modules the counter window needs up to "shown and idle" on the sign-in page.
START_OWN = frozenset(
    {
        "app",
        "app.cli",
        "app.compile_cache",  # dataclass methods and patterns compiled before, read before the first is built
        "app.config",
        "app.domain",
        "app.domain.hall_time",  # the hall's clock (store numbering, config check)
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
        "offline_cache.connection",
        "offline_cache.crypto",
        "offline_cache.errors",
        "offline_cache.files",
        "offline_cache.keys",
        "offline_cache.outbox",
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
        "ui.qt_imports",
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
import enum, gc, json, linecache, sys
from app.cli import main
code = main(sys.argv[1:])
print("MODULES " + json.dumps(sorted(sys.modules)))
print("SOURCES " + json.dumps(sorted(linecache.cache)))
enums = [o for o in gc.get_objects() if isinstance(o, enum.EnumType) and o.__module__.startswith("PySide6")]
print("QT_ENUMS " + json.dumps(sorted(e.__qualname__ for e in enums)))
sys.exit(code)
"""


def _probe_output(tmp_path: Path, probe: str, *argv: str, exit_codes: tuple[int, ...] = (0,), gui: bool = True) -> str:
    """Run `probe` (a `python -c` program) with `argv` against a terminal whose data lives in `tmp_path`; its
    standard output."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("TONGBAN_")}
    if gui:
        env["QT_QPA_PLATFORM"] = "offscreen"
    env.update(
        TONGBAN_DATA_DIR=str(tmp_path / "data"),
        TONGBAN_CONFIG=str(tmp_path / "config.toml"),
        TONGBAN_LOG_DIR=str(tmp_path / "logs"),
        TONGBAN_KEY_STORE="file",
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, *argv],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert result.returncode in exit_codes, result.stderr
    return result.stdout


def _json_line(output: str, key: str) -> Any:
    """The JSON that the output line `<key> ...` carries."""
    line = next(line for line in output.splitlines() if line.startswith(key + " "))
    return json.loads(line.removeprefix(key + " "))


def _probe_line(
    tmp_path: Path, probe: str, *argv: str, key: str, exit_codes: tuple[int, ...] = (0,), gui: bool = True
) -> Any:
    """`_probe_output`'s line `<key> ...`, read as JSON."""
    return _json_line(_probe_output(tmp_path, probe, *argv, exit_codes=exit_codes, gui=gui), key)


#: The modules loaded when the first screen is idle (IDLE printed): a kiosk's `--exit-when-idle` goes on through its
#: deferred start (which opens the store) before it exits.
_AT_IDLE_PROBE = """
import json, sys
import ui.app
report = ui.app._IdleProbe._report
def at_idle(self):
    print("MODULES " + json.dumps(sorted(sys.modules)), flush=True)
    report(self)
ui.app._IdleProbe._report = at_idle
from app.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _modules_after(tmp_path: Path, *argv: str, exit_codes: tuple[int, ...] = (0,)) -> set[str]:
    return set(_probe_line(tmp_path, _PROBE, *argv, key="MODULES", exit_codes=exit_codes))


def _modules_at_idle(tmp_path: Path, *argv: str) -> set[str]:
    return set(_probe_line(tmp_path, _AT_IDLE_PROBE, *argv, key="MODULES"))


def _sources_read(tmp_path: Path, *argv: str, key: str = "SOURCES") -> set[str]:
    """The source files held in `linecache` after the probe (read for tracebacks, or by PySide6's scan); with
    `key="QT_ENUMS"`, the PySide6 enum types built by then (`Qt.GlobalColor`, `QPainter.RenderHint` ...)."""
    return set(_probe_line(tmp_path, _PROBE, *argv, key=key))


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
    modules = _modules_at_idle(tmp_path, "--mode", "kiosk", "--exit-when-idle")
    own = {m for m in modules if _top(m) in OWN}
    third = {_top(m) for m in modules if _top(m) not in OWN and _top(m) not in sys.stdlib_module_names}
    assert own - START_OWN - KIOSK_START_OWN == set(), "new modules of ours on the kiosk's start path"
    assert third - START_THIRD_PARTY == set(), "new third-party packages on the kiosk's start path"
    assert {_top(m) for m in modules} & HEAVY_STDLIB == set()
    assert {"ui.kiosk.window", "ui.kiosk.home"} <= modules  # the probe really started
    # The home page needs no store: the services and the database open right after its first paint (issue 12).
    assert {"app.services.terminal", "offline_cache.store", "sqlite3"} & modules == set()


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
        if argv[0] == "status":  # it shows no wall-clock time and its command line needs no parser
            assert tops.isdisjoint({"zoneinfo", "argparse", "gettext"}), tops & {"zoneinfo", "argparse", "gettext"}


#: Heavy or GUI packages no command line tool below needs (the window's toolkit, validation, keyring, pinyin,
#: python-escpos's printer database, sqlite-utils).
_NOT_FOR_TOOLS = frozenset({"PySide6", "pydantic", "keyring", "pypinyin", "escpos", "sqlite_utils", "stdnum"})


def _store_with_a_case(tmp_path: Path, *, note: str = "照片不符合要求（需白底）") -> str:
    """A store in the probe's data dir holding one case (its file key beside it), and the catalogue validated once
    (as any earlier start or command leaves it: the first reading validates with pydantic and caches the result);
    returns the case number."""
    import dataclasses

    from app.domain.models import MaterialStatus, ReceivedMaterial
    from app.services.receipt_cli import active_catalogue
    from offline_cache import open_store
    from offline_cache.keys import FileKeyProvider
    from tests.integration.receipts_support import person_case

    materials = (
        ReceivedMaterial("M01", "居民身份证", MaterialStatus.ORIGINAL, 1),
        ReceivedMaterial("M03", "近期一寸免冠照片", MaterialStatus.MISSING, 0, note=note),
    )
    with open_store(tmp_path / "data" / "terminal.sqlite3", key_provider=FileKeyProvider()) as store:
        case = dataclasses.replace(person_case(materials=materials), case_no="")
        case_no = store.save_case(case, actor="S0042").case.case_no
    active_catalogue(tmp_path / "data")
    return case_no


def test_receipt_escpos_needs_neither_qt_nor_pydantic(tmp_path: Path) -> None:
    case_no = _store_with_a_case(tmp_path)
    slip = tmp_path / "slip.bin"
    modules = _modules_after(tmp_path, "receipt", case_no, "--format", "escpos", "--out", str(slip))
    tops = {_top(m) for m in modules}
    assert tops.isdisjoint(_NOT_FOR_TOOLS | {"requests"}), tops & (_NOT_FOR_TOOLS | {"requests"})
    assert tops & HEAVY_STDLIB == set()
    own = {m for m in modules if _top(m) in OWN}
    assert own.isdisjoint({"app.services.receipts", "app.services.catalogue", "app.services.errors", "app.sync.engine"})
    assert "qrcode" in tops and "PIL" not in tops  # the raster QR is packed from qrcode's matrix without Pillow
    assert tops.isdisjoint({"argparse", "gettext"}), tops & {"argparse", "gettext"}  # its command line is plain
    assert slip.read_bytes().startswith(b"\x1b@\x1c&")  # ESC @, FS &: a slip was written


def test_receipt_escpos_draws_a_rare_character_with_qt_it_starts_itself(tmp_path: Path) -> None:
    """A line holding a character no printer font has (𠮷, outside GBK) is a raster image drawn by Qt: the
    command then imports Qt (and only QtCore/QtGui) and starts an offscreen application of its own."""
    case_no = _store_with_a_case(tmp_path, note="申请人姓名为𠮷字，照片需白底")
    slip = tmp_path / "slip.bin"
    modules = _modules_after(tmp_path, "receipt", case_no, "--format", "escpos", "--out", str(slip))
    assert {"PySide6.QtGui", "app.printing.fonts"} <= modules
    assert "PySide6.QtWidgets" not in modules and "pydantic" not in modules
    assert b"\x1dv0\x00" in slip.read_bytes()  # GS v 0: the line went as an image


def test_receipt_pdf_needs_qt_gui_only_and_no_pydantic(tmp_path: Path) -> None:
    case_no = _store_with_a_case(tmp_path)
    pdf = tmp_path / "r.pdf"
    modules = _modules_after(tmp_path, "receipt", case_no, "--format", "pdf", "--out", str(pdf))
    tops = {_top(m) for m in modules}
    assert tops.isdisjoint((_NOT_FOR_TOOLS - {"PySide6"}) | {"requests"})
    assert "PySide6.QtWidgets" not in modules
    assert "qrcode" in tops and "PIL" not in tops  # the A4 page paints qrcode's matrix with Qt
    assert "app.domain.validation" not in modules  # a case number that reads needs none of it (~3 ms)
    assert "uuid" not in modules and "platform" not in modules  # the print's record id needs neither (~3 ms)
    assert pdf.read_bytes().startswith(b"%PDF")


def test_sync_once_needs_requests_but_no_gui_or_validation(tmp_path: Path) -> None:
    from app.sync.credentials import Credentials, CredentialStore

    _store_with_a_case(tmp_path)
    creds = Credentials("probe", "k1", "0" * 64, "003", "210800", "01", "07", platform_url="http://127.0.0.1:9")
    CredentialStore(tmp_path / "data", backend="file").save(creds)
    # Nothing listens on the discard port: the record stays pending (exit 3), after a first attempt to send.
    modules = _modules_after(tmp_path, "sync", "--once", "--max-seconds", "0.2", exit_codes=(3,))
    tops = {_top(m) for m in modules}
    assert "requests" in tops and "app.sync.engine" in modules  # the probe really tried to send
    assert tops.isdisjoint(_NOT_FOR_TOOLS), tops & _NOT_FOR_TOOLS
    assert {m for m in modules if _top(m) in {"ui", "resources"}} == set()
    assert "app.domain.models" not in modules  # the outbox goes as stored: no case models (~20 ms) to send it
    assert tops.isdisjoint({"argparse", "gettext"}), tops & {"argparse", "gettext"}  # its command line is plain


def test_the_start_reads_no_module_sources(tmp_path: Path) -> None:
    """PySide6's `__feature__` scan read the source of every module imported after it (~120 files, ~1.7 MB kept in
    memory, ~10 % of the start): ui.qt_imports replaces it; a handful read before that is all that may remain."""
    sources = _sources_read(tmp_path / "counter", "--exit-when-idle")
    assert not {s for s in sources if s.startswith(str(ROOT / "offline_cache")) or "/app/" in s}, sources
    assert len(sources) <= 10, sorted(sources)
    assert len(_sources_read(tmp_path / "kiosk", "--mode", "kiosk", "--exit-when-idle")) <= 10


def test_a_pdf_receipt_reads_no_module_sources(tmp_path: Path) -> None:
    """`tongban receipt --format pdf` loads Qt before the printing modules: without ui.qt_imports PySide6's scan
    read ~75 sources (~40 % of the command)."""
    case_no = _store_with_a_case(tmp_path)
    sources = _sources_read(tmp_path, "receipt", case_no, "--format", "pdf", "--out", str(tmp_path / "r.pdf"))
    assert len(sources) <= 10, sorted(sources)
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")


def test_a_pdf_receipt_builds_none_of_the_qt_namespace_enums(tmp_path: Path) -> None:
    """The A4 page is painted with calls that never check an argument against a `Qt.*` enum: the first such call
    (setPen, setBrush, fillRect ...) built all 93 of the namespace's enum types, ~45 ms of the command (issue 13).
    The receipt still reads and scans as before."""
    from app.printing.qr import query_url
    from tests.integration.receipts_support import decode_qr, pdf_text, pdf_to_pngs, squash

    case_no = _store_with_a_case(tmp_path)
    pdf = tmp_path / "r.pdf"
    built = _sources_read(tmp_path, "receipt", case_no, "--format", "pdf", "--out", str(pdf), key="QT_ENUMS")
    assert {name for name in built if name.startswith("Qt.")} == set()
    assert built, "the probe saw no PySide6 enum type at all"  # (QPainter's own are built: it really painted)
    text = squash(pdf_text(pdf))
    assert "收件回执" in text and "照片不符合要求（需白底）" in text
    assert decode_qr(pdf_to_pngs(pdf, dpi=100)[0]) == [query_url("", case_no)]  # no platform configured


_GC_PROBE = """
import atexit, gc, json, sys
from app.cli import main
collections = []
gc.callbacks.append(lambda phase, info: collections.append(info["generation"]) if phase == "start" else None)
code = main()  # the process's own command line, as the `tongban` script runs it
atexit._run_exitfuncs()  # what the interpreter's exit runs first
print("GC " + json.dumps({"collections": len(collections), "frozen": gc.get_freeze_count()}), flush=True)
sys.exit(code)
"""


def test_a_receipt_leaves_its_garbage_to_the_end_of_the_process(tmp_path: Path) -> None:
    """`tongban receipt` runs no cycle collection (each walked every object PySide6, the models and the printing
    modules made: ~15 ms of a PDF receipt) and freezes its objects before the interpreter's exit (whose own full
    collections cost ~30 ms more); the receipt is written all the same."""
    case_no = _store_with_a_case(tmp_path)
    pdf = tmp_path / "r.pdf"
    state = _probe_line(tmp_path, _GC_PROBE, "receipt", case_no, "--format", "pdf", "--out", str(pdf), key="GC")
    assert state["collections"] == 0, state
    assert state["frozen"] > 10_000, state  # everything the command made
    assert pdf.read_bytes().startswith(b"%PDF")
    assert gc.isenabled()  # (this process keeps its collector: main() with arguments leaves it alone)


_SYNC_GC_PROBE = """
import gc, json, socket, sys
from app.cli import main
before_send = []  # (collections before the start's objects were frozen, frozen objects, collector on) at sending
collections = []
gc.callbacks.append(lambda phase, info: collections.append(gc.get_freeze_count()) if phase == "start" else None)
connect = socket.socket.connect

def first(self, address):
    if not before_send:
        before_send.append((collections.count(0), gc.get_freeze_count(), gc.isenabled()))
    return connect(self, address)

socket.socket.connect = first
code = main()  # the process's own command line, as the `tongban` script runs it
print("GC " + json.dumps({"before_send": before_send, "enabled": gc.isenabled()}), flush=True)
sys.exit(code)
"""


def test_sync_once_starts_without_cycle_collections_and_collects_while_it_sends(tmp_path: Path) -> None:
    """`tongban sync --once` runs no cycle collection while it imports (each walked every object requests, the
    engine and the store made), and has the collector back, with what its start made frozen, before it sends: a
    long drain still frees its cyclic garbage."""
    from app.sync.credentials import Credentials, CredentialStore

    _store_with_a_case(tmp_path)
    creds = Credentials("probe", "k1", "0" * 64, "003", "210800", "01", "07", platform_url="http://127.0.0.1:9")
    CredentialStore(tmp_path / "data", backend="file").save(creds)
    argv = ["sync", "--once", "--max-seconds", "0.2"]
    # Exit 3: it tried to send, and the record stays pending.
    state = _probe_line(tmp_path, _SYNC_GC_PROBE, *argv, key="GC", exit_codes=(3,), gui=False)
    ((collections, frozen, enabled),) = state["before_send"]
    assert collections == 0 and enabled and frozen > 10_000, state
    assert state["enabled"], state


_KIOSK_IDLE_PROBE = """
import enum, gc, json, sys
import ui.app
from PySide6.QtWidgets import QApplication

def report(self):
    window = next(w for w in QApplication.topLevelWidgets() if w.objectName() == "kiosk_window")
    types = [o for o in gc.get_objects() if isinstance(o, enum.EnumType) and o.__module__.startswith("PySide6")]
    qt_namespace_built = any(o.__qualname__.startswith("Qt.") for o in types)
    from PySide6.QtCore import Qt
    state = {
        "enum_types": len(types),
        "qt_namespace_built": qt_namespace_built,
        "full_screen": window.isFullScreen(),
        # what the window system is told: the native window's flags (the widget's own agree after start())
        "frameless": bool(window.windowHandle().flags() & Qt.WindowType.FramelessWindowHint),
        "closed": window.close(),
        "idle_ticker": window.idle.ticker.isActive(),
    }
    print("STATE " + json.dumps(state), flush=True)

    def later():
        frameless = bool(window.windowFlags() & Qt.WindowType.FramelessWindowHint)
        later = {
            "idle_ticker": window.idle.ticker.isActive(),
            "widget_frameless": frameless,
            "store_open": "offline_cache.store" in sys.modules and hasattr(window, "progress"),  # and the pages
        }
        print("LATER " + json.dumps(later), flush=True)

    # --exit-when-idle ends a kiosk once its deferred start (50 ms after the first turn) has run
    self._app.aboutToQuit.connect(later)

ui.app._IdleProbe._report = report
from app.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_the_kiosk_is_locked_at_its_first_idle_turn_and_builds_few_qt_enum_types(tmp_path: Path) -> None:
    """The first frame is already locked (full screen, frameless, a close refused); the application-wide event
    filters (idle watch, scanner wedge, admin gesture) come after it: with them every event's object reached Python
    and wrapping Qt's own objects built ~170 more PySide6 enum types (340 in all, ~1 enum type per 0.3 ms). The
    frameless flag goes to the native window by number, so the `Qt` namespace's enums are not built either."""
    output = _probe_output(tmp_path, _KIOSK_IDLE_PROBE, "--mode", "kiosk", "--exit-when-idle")
    state = _json_line(output, "STATE")
    assert state["full_screen"] and state["frameless"] and not state["closed"], state
    assert not state["idle_ticker"], state  # started with the rest, right after the first paint
    # No `Qt` namespace (~93 enum types, ~45 ms) before the first frame: 168 enum types before, 87 now, 40 for a
    # bare window (issue 13).
    assert not state["qt_namespace_built"], state
    assert state["enum_types"] <= 100, state
    later = _json_line(output, "LATER")
    assert later["idle_ticker"]  # and the idle watch runs right after
    assert later["widget_frameless"]  # the widget's own flags agree with its native window's after start()
    assert later["store_open"]  # the store and the other pages, right after the first paint
