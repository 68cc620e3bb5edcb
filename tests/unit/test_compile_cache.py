"""Dataclass methods and patterns compiled once and kept between runs (app/compile_cache.py, issue 13): a second
run of a command compiles none of them again, and the classes and patterns built from the cache are the ones
`dataclasses` and `re` build."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_PROBE = """
import dataclasses, json, re, sys, warnings
from app import compile_cache
ORIGINAL = re._compiler.compile
if sys.argv[1] == "install":
    compile_cache.install()

@dataclasses.dataclass(frozen=True, slots=True)
class Slip:
    case_no: str
    lines: tuple[str, ...] = ()
    copies: int = 1
    extra: tuple[str, ...] = dataclasses.field(default_factory=tuple)
    note: str = dataclasses.field(default="", kw_only=True)

a, b = Slip("2108", ("x",), note="n"), Slip("2108", ("x",), note="n")
SAMPLES = ["2108-0001 张三 13912345678", "ID 21080019900101123X", "", "a--b [[x]]"]
SPECS = [
    (r"(?P<area>\\d{4})-(?P<seq>\\d+)", 0),
    (r"(?<!\\d)1[3-9]\\d{9}(?!\\d)", re.ASCII),
    (r"\\d{17}[0-9xX]|(?i:id)", re.VERBOSE),
    (rb"[\\x00-\\x1f]+(?P<x>a)?", 0),
    (r"(?P<名>张)三", 0),
    (r"[[x]", 0),  # FutureWarning (possible nested set): never cached, so it warns on every run
]
with warnings.catch_warnings(record=True) as WARNED:
    warnings.simplefilter("always")
    PATTERNS = [re.compile(source, flags) for source, flags in SPECS]
try:
    a.copies = 2
    frozen = False
except dataclasses.FrozenInstanceError:
    frozen = True
import inspect
print("FACTS " + json.dumps({
    "repr": repr(a), "eq": a == b, "hash": hash(a) == hash(b), "frozen": frozen, "doc": Slip.__doc__,
    "signature": str(inspect.signature(Slip)), "init_annotations": repr(Slip.__init__.__annotations__),
    "qualnames": sorted(f.__qualname__ for f in vars(Slip).values() if callable(f) and hasattr(f, "__code__")),
    "code": {n: f.__code__.co_code.hex() for n, f in vars(Slip).items() if callable(f) and hasattr(f, "__code__")},
    "replace": repr(dataclasses.replace(a, copies=3)), "slots": Slip.__slots__,
    "patterns": [
        [str(p.pattern), p.flags, p.groups, dict(p.groupindex),
         [m.span() if m else None for m in (p.search(s if isinstance(p.pattern, str) else s.encode()) for s in SAMPLES)
         ]] for p in PATTERNS
    ],
    "same_pattern": all(p == ORIGINAL(source, flags) for (source, flags), p in zip(SPECS, PATTERNS)),
    "warned": [str(w.message) for w in WARNED],
    "compiled_here": compile_cache.dataclass_code.computed_here if compile_cache.dataclass_code else None,
    "regex_here": compile_cache.regex.computed_here if compile_cache.regex else None,
}))
"""


def _env(tmp_path: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("TONGBAN_")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # the cache is written where bytecode is
    env["PYTHONPYCACHEPREFIX"] = str(tmp_path / "pycache")
    return env


def _facts(tmp_path: Path, mode: str) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, mode], env=_env(tmp_path), cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith("FACTS "))
    return dict(json.loads(line.removeprefix("FACTS ")))


def test_classes_built_from_the_cache_are_the_ones_dataclasses_builds(tmp_path: Path) -> None:
    plain = _facts(tmp_path, "plain")
    first, second = _facts(tmp_path, "install"), _facts(tmp_path, "install")
    assert first["compiled_here"] == 6 and second["compiled_here"] == 0  # the second read all six from the file
    # (never cached: the one that warns, and the non-ASCII group name, which might in a bytes pattern)
    assert first["regex_here"] == 4 and second["regex_here"] == 0
    counters = {"compiled_here", "regex_here"}
    for facts in (first, second):
        assert {k: v for k, v in facts.items() if k not in counters} == {
            k: v for k, v in plain.items() if k not in counters
        }
    assert plain["frozen"] and plain["eq"] and plain["hash"] and plain["same_pattern"]
    assert second["warned"] == ["Possible nested set at position 1"]


def test_a_second_run_of_a_command_compiles_no_dataclass_method_or_pattern(tmp_path: Path) -> None:
    """`tongban receipt --format escpos` builds ~50 classes and ~60 patterns: from the second run on, none is
    compiled again (what the caches save every counter on every command: ~1 ms a class, ~0.2 ms a pattern)."""
    from tests.unit.test_start_imports import _store_with_a_case

    case_no = _store_with_a_case(tmp_path)
    env = _env(tmp_path) | {
        "QT_QPA_PLATFORM": "offscreen",
        "TONGBAN_DATA_DIR": str(tmp_path / "data"),
        "TONGBAN_CONFIG": str(tmp_path / "config.toml"),
        "TONGBAN_LOG_DIR": str(tmp_path / "logs"),
        "TONGBAN_KEY_STORE": "file",
    }
    probe = (
        "import sys\nfrom app.cli import main\ncode = main(sys.argv[1:])\nfrom app import compile_cache as c\n"
        "print('COMPILED', c.dataclass_code.computed_here, c.regex.computed_here)\nsys.exit(code)"
    )
    compiled = []
    for run in range(2):
        slip = tmp_path / f"slip{run}.bin"
        argv = [sys.executable, "-c", probe, "receipt", case_no, "--format", "escpos", "--out", str(slip)]
        result = subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stderr
        assert slip.read_bytes().startswith(b"\x1b@")  # the slip was written all the same
        compiled.append(tuple(int(n) for n in result.stdout.split("COMPILED ")[1].split()[:2]))
    assert compiled[0][0] >= 100 and compiled[0][1] >= 20 and compiled[1] == (0, 0), compiled


def test_a_damaged_cache_is_started_afresh(tmp_path: Path) -> None:
    _facts(tmp_path, "install")
    (cache,) = (tmp_path / "pycache").rglob("dataclass_code.*.marshal")
    cache.write_bytes(cache.read_bytes()[:-7])  # a torn last record (a process killed while writing)
    assert _facts(tmp_path, "install")["compiled_here"] == 1  # the torn one only
    assert _facts(tmp_path, "install")["compiled_here"] == 0  # and the file was written whole again
    cache.write_bytes(b"not a cache")
    assert _facts(tmp_path, "install")["compiled_here"] == 6
    assert _facts(tmp_path, "install")["compiled_here"] == 0


def test_the_installed_bundle_keeps_its_cache_in_the_users_cache_directory(tmp_path: Path) -> None:
    """A frozen bundle's folder is not the clerk's to write, and it never writes bytecode: the cache goes to the
    user's cache directory, so an installed terminal gains as the development checkout does."""
    probe = (
        "import sys\nsys.frozen = True\nfrom app import compile_cache\ncompile_cache.install()\n"
        "import dataclasses\n@dataclasses.dataclass(frozen=True)\nclass A:\n    x: int\n"
        "print('COMPUTED', compile_cache.dataclass_code.computed_here)\n"
    )
    env = _env(tmp_path) | {"PYTHONDONTWRITEBYTECODE": "1", "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    runs = [
        subprocess.run([sys.executable, "-c", probe], env=env, cwd=ROOT, capture_output=True, text=True, check=True)
        for _ in range(2)
    ]
    assert [run.stdout.split("COMPUTED ")[1].strip() for run in runs] == ["6", "0"], [r.stderr for r in runs]
    assert list((tmp_path / "xdg").rglob("compiled/dataclass_code.*.marshal"))
    assert not list((tmp_path / "pycache").rglob("*.marshal"))
