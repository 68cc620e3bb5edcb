"""The compiled dataclass methods kept between runs (app/dataclass_cache.py, issue 13): a second run of a command
compiles none of them again, and the classes built from the cache are the classes `dataclasses` builds."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_PROBE = """
import dataclasses, json, sys
from app import dataclass_cache
if sys.argv[1] == "install":
    dataclass_cache.install()

@dataclasses.dataclass(frozen=True, slots=True)
class Slip:
    case_no: str
    lines: tuple[str, ...] = ()
    copies: int = 1
    extra: tuple[str, ...] = dataclasses.field(default_factory=tuple)
    note: str = dataclasses.field(default="", kw_only=True)

a, b = Slip("2108", ("x",), note="n"), Slip("2108", ("x",), note="n")
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
    "compiled_here": dataclass_cache.cache.compiled_here if dataclass_cache.cache else None,
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
    for facts in (first, second):
        assert {k: v for k, v in facts.items() if k != "compiled_here"} == {
            k: v for k, v in plain.items() if k != "compiled_here"
        }
    assert plain["frozen"] and plain["eq"] and plain["hash"]


def test_a_second_run_of_a_command_compiles_no_dataclass_method(tmp_path: Path) -> None:
    """`tongban receipt --format escpos` builds ~50 classes: from the second run on, none is compiled again (the
    first-run cost, ~1 ms a class, is what the cache saves every counter on every command)."""
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
        "import sys\nfrom app.cli import main\ncode = main(sys.argv[1:])\nfrom app import dataclass_cache\n"
        "print('COMPILED', dataclass_cache.cache.compiled_here)\nsys.exit(code)"
    )
    compiled = []
    for run in range(2):
        slip = tmp_path / f"slip{run}.bin"
        argv = [sys.executable, "-c", probe, "receipt", case_no, "--format", "escpos", "--out", str(slip)]
        result = subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stderr
        assert slip.read_bytes().startswith(b"\x1b@")  # the slip was written all the same
        compiled.append(int(result.stdout.split("COMPILED ")[1].split()[0]))
    assert compiled[0] >= 100 and compiled[1] == 0, compiled


def test_a_damaged_cache_is_started_afresh(tmp_path: Path) -> None:
    _facts(tmp_path, "install")
    (cache,) = (tmp_path / "pycache").rglob("dataclass_code.*.marshal")
    cache.write_bytes(cache.read_bytes()[:-7])  # a torn last record (a process killed while writing)
    assert _facts(tmp_path, "install")["compiled_here"] == 1  # the torn one only
    assert _facts(tmp_path, "install")["compiled_here"] == 0  # and the file was written whole again
    cache.write_bytes(b"not a cache")
    assert _facts(tmp_path, "install")["compiled_here"] == 6
    assert _facts(tmp_path, "install")["compiled_here"] == 0
