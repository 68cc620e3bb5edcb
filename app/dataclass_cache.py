"""The code `dataclasses` generates, compiled once and kept beside our bytecode (issue 13).

Each `@dataclass(frozen=True, slots=True)` class makes the standard library write the source of six methods
(`__init__`, `__repr__`, `__eq__`, `__hash__`, `__setattr__`, `__delattr__`) and compile each with `exec` when the
module is imported: about 1 ms a class on Python 3.11, 40-50 ms of `tongban receipt` (48 classes) and ~20 ms of
`tongban sync --once` on a counter PC, every run, for the same few hundred texts. `install()` gives `dataclasses` an
`exec` that looks the text up in a cache of compiled code first; the text is the key, so what runs is exactly what
`exec` would have compiled from it (same source, same flags, same file name), and the class is built by
`dataclasses` as before. Only `dataclasses`' own `exec` is replaced (a module global shadowing the builtin: every
Python from 3.11 to 3.13 calls it as `exec(text, globals, namespace)`), nothing else of the standard library.

The cache is a file in the `__pycache__` folder of this package (or under `PYTHONPYCACHEPREFIX`), tagged with the
interpreter's bytecode magic number, written like bytecode is: not at all under `PYTHONDONTWRITEBYTECODE`, and
never an error (an unwritable or unreadable cache only means compiling, as before). Records are appended one by
one as they are compiled, so a process that is killed (or exits without `atexit`) keeps what it compiled; a file
from another interpreter, a torn record or a file grown past `MAX_BYTES` is started afresh.
"""

from __future__ import annotations

import builtins
import marshal
import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import CodeType
    from typing import Any

#: The first record of a cache file: what it is and for which bytecode.
_FORMAT = "tongban dataclass code 1"
#: A cache larger than this (texts of classes no longer in the code accumulate over upgrades) is started afresh.
MAX_BYTES = 4 * 1024 * 1024


def cache_file() -> str | None:
    """Where this interpreter keeps the cache (None when it keeps no bytecode)."""
    import importlib.util

    tag: str | None = sys.implementation.cache_tag
    if tag is None:
        return None
    try:
        beside = importlib.util.cache_from_source(__file__)
    except (NotImplementedError, ValueError):
        return None
    optimized = f".opt-{sys.flags.optimize}" if sys.flags.optimize else ""  # as bytecode files are named
    return os.path.join(os.path.dirname(beside), f"dataclass_code.{tag}{optimized}.marshal")


def _header() -> bytes:
    import importlib.util

    return marshal.dumps((_FORMAT, importlib.util.MAGIC_NUMBER))


def _read(path: str) -> tuple[dict[str, bytes], bool]:
    """The records of `path` and whether the file is sound (right header, every record whole)."""
    try:
        with open(path, "rb") as file:
            data = file.read(MAX_BYTES + 1)
    except OSError:
        return {}, False
    header = _header()
    if len(data) > MAX_BYTES or not data.startswith(header):
        return {}, False
    import io

    stream, records = io.BytesIO(data), dict[str, bytes]()
    stream.seek(len(header))
    while stream.tell() < len(data):
        try:
            text, code = marshal.load(stream)
        except (EOFError, ValueError, TypeError):
            return records, False
        if not isinstance(text, str) or not isinstance(code, bytes):
            return records, False
        records[text] = code
    return records, True


class _Cache:
    """The texts compiled so far (marshalled code by source text) and the file they are appended to."""

    def __init__(self, path: str | None) -> None:
        self.path = path  # None once the file cannot be written
        self.compiled: dict[str, bytes] = {}
        self.sound = False  # whether the file read had the right header and only whole records
        self.fd: int | None = None
        #: How many texts this process compiled (not found in the cache).
        self.compiled_here = 0
        if path is not None:
            self.compiled, self.sound = _read(path)

    def code(self, source: str) -> CodeType:
        cached = self.compiled.get(source)
        if cached is not None:
            try:
                return marshal.loads(cached)  # type: ignore[no-any-return]
            except (EOFError, ValueError, TypeError):
                pass
        self.compiled_here += 1
        # As the builtin compiles the text it is given in dataclasses (a module without __future__ imports).
        code = compile(source, "<string>", "exec", dont_inherit=True)
        self.compiled[source] = marshal.dumps(code)
        self._append(source, self.compiled[source])
        return code

    def _append(self, source: str, code: bytes) -> None:
        """Add one record to the file; a file that was not sound is written afresh with every record known."""
        if self.path is None or sys.dont_write_bytecode:
            return
        try:
            if self.fd is None and not self.sound:
                os.makedirs(os.path.dirname(self.path), exist_ok=True)
                fresh = f"{self.path}.{os.getpid()}.tmp"
                with open(fresh, "wb") as file:  # this record included
                    file.write(_header() + b"".join(marshal.dumps(item) for item in self.compiled.items()))
                os.replace(fresh, self.path)
                self.sound = True
                self.fd = os.open(self.path, os.O_WRONLY | os.O_APPEND)
                return
            if self.fd is None:
                self.fd = os.open(self.path, os.O_WRONLY | os.O_APPEND)
            os.write(self.fd, marshal.dumps((source, code)))
        except OSError:
            self.path = None  # a read-only installation: compile as before, quietly


#: The cache `install()` made (None before).
cache: _Cache | None = None


def install() -> None:
    """Let `dataclasses` compile each generated method once (see the module doc). Idempotent."""
    global cache  # noqa: PLW0603 - one cache per process, made on first use
    if cache is not None:
        return
    import dataclasses

    cache = made = _Cache(cache_file())

    def cached_exec(source: Any, globals: Any = None, locals: Any = None, /) -> None:
        """`exec` for `dataclasses`: each source text compiled once per interpreter, then read from the cache."""
        builtins.exec(made.code(source) if isinstance(source, str) else source, globals, locals)

    dataclasses.exec = cached_exec  # type: ignore[attr-defined]  # a module global, found before the builtin
