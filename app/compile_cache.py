"""What the standard library compiles at every import, compiled once and kept beside our bytecode (issue 13).

Two things are compiled afresh by every process, from the same texts each time, before a command does anything:

- **dataclass methods**: each `@dataclass(frozen=True, slots=True)` class makes `dataclasses` write the source of
  six methods (`__init__`, `__repr__`, `__eq__`, `__hash__`, `__setattr__`, `__delattr__`) and compile each with
  `exec`: about 1 ms a class on Python 3.11; `tongban receipt` builds 48 classes, `sync --once` 20 before its
  first request.
- **regular expressions**: modules compile their patterns at import (requests' urllib3, http.cookies, email,
  qrcode, ours): ~100 patterns, 15-25 ms of `sync --once` before its first request.

`install()` gives `dataclasses` an `exec` that looks the source text up first, and `re` a compiler that looks the
pattern and flags up first. The text (or the pattern and flags) is the key, and what the cache holds is what the
standard library computes from it: the code object the builtin `exec` compiles (same source, flags and file name),
the arguments `re` hands to `_sre.compile` (its own parser and code generator run on a miss). The class and the
pattern object are then built as before. Only `dataclasses`' own `exec` (a module global shadowing the builtin:
every Python from 3.11 to 3.13 calls it as `exec(text, globals, namespace)`) and `re._compiler.compile` (on
Python 3.11 and 3.12 only, whose compiler this module follows line by line) are replaced. A pattern whose parse
may warn (a possible nested set or set operation, a non-ASCII group name) is never cached, so it warns as before.

The caches are files in the `__pycache__` folder of this package (or under `PYTHONPYCACHEPREFIX`; in the installed
bundle, whose folder a clerk cannot write, in the user's cache directory, `compiled/`), tagged with the
interpreter's bytecode magic number (and the regex engine's), written as bytecode is: not at all under
`PYTHONDONTWRITEBYTECODE` (except in the bundle, which never writes bytecode), and never an error (an unwritable
or unreadable cache only means compiling, as before). Records are appended one by one as they are compiled, so a
process that is killed (or exits without `atexit`) keeps what it compiled; a file from another interpreter, a
torn record or a file grown past `MAX_BYTES` is written afresh.
"""

from __future__ import annotations

import _thread
import builtins
import marshal
import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

#: A cache larger than this (entries of code no longer in use accumulate over upgrades) is started afresh.
MAX_BYTES = 4 * 1024 * 1024
#: The Pythons whose `re._compiler.compile` `_regex_arguments` follows.
_RE_VERSIONS = {(3, 11), (3, 12)}


def cache_file(kind: str) -> str | None:
    """Where this interpreter keeps the cache of `kind` (None when it keeps no bytecode)."""
    import importlib.util

    tag: str | None = sys.implementation.cache_tag
    if tag is None:
        return None
    if getattr(sys, "frozen", False):  # the installed bundle, whose folder the clerk cannot write: the user's cache
        import platformdirs

        from app.paths import APP_AUTHOR, APP_NAME

        folder = os.path.join(platformdirs.user_cache_dir(APP_NAME, APP_AUTHOR), "compiled")
    else:
        try:
            folder = os.path.dirname(importlib.util.cache_from_source(__file__))
        except (NotImplementedError, ValueError):
            return None
    optimized = f".opt-{sys.flags.optimize}" if sys.flags.optimize else ""  # as bytecode files are named
    return os.path.join(folder, f"{kind}.{tag}{optimized}.marshal")


class _Cache:
    """Marshalled values by key, read from a file and appended to it as they are computed."""

    def __init__(self, path: str | None, header: tuple[Any, ...]) -> None:
        import importlib.util

        self.path = path  # None once the file cannot be written
        self.header = marshal.dumps((*header, importlib.util.MAGIC_NUMBER))
        self.values: dict[Any, bytes] = {}
        self.sound = False  # whether the file read had the right header and only whole records
        self.fd: int | None = None
        self._writing = _thread.allocate_lock()  # one record at a time (threads import too)
        #: How many values this process computed (not found in the cache).
        self.computed_here = 0
        if path is not None:
            self._read(path)

    def _read(self, path: str) -> None:
        try:
            with open(path, "rb") as file:
                data = file.read(MAX_BYTES + 1)
        except OSError:
            return
        if len(data) > MAX_BYTES or not data.startswith(self.header):
            return
        import io

        stream = io.BytesIO(data)
        stream.seek(len(self.header))
        while stream.tell() < len(data):
            try:
                key, value = marshal.load(stream)
            except (EOFError, ValueError, TypeError):
                return  # a torn record: the file is written afresh on the next miss
            if not isinstance(value, bytes):
                return
            self.values[key] = value
        self.sound = True

    def get(self, key: Any, compute: Callable[[], Any]) -> Any:
        """The cached value of `key`, else `compute()` (kept, unless it is None: then nothing is cached)."""
        cached = self.values.get(key)
        if cached is not None:
            try:
                return marshal.loads(cached)
            except (EOFError, ValueError, TypeError):
                pass
        self.computed_here += 1
        value = compute()
        if value is not None:
            self.values[key] = marshal.dumps(value)
            self._append(key, self.values[key])
        return value

    def _append(self, key: Any, value: bytes) -> None:
        """Add one record to the file; a file that was not sound is written afresh with every record known."""
        if self.path is None or (sys.dont_write_bytecode and not getattr(sys, "frozen", False)):
            return  # (a bundle never writes bytecode: its modules come compiled; the cache is the user's)
        with self._writing:
            self._append_locked(key, value)

    def _append_locked(self, key: Any, value: bytes) -> None:
        if self.path is None:  # another thread found it unwritable
            return
        try:
            if self.fd is None and not self.sound:
                os.makedirs(os.path.dirname(self.path), exist_ok=True)
                fresh = f"{self.path}.{os.getpid()}.tmp"
                with open(fresh, "wb") as file:  # this record included
                    file.write(self.header + b"".join(marshal.dumps(item) for item in list(self.values.items())))
                os.replace(fresh, self.path)
                self.sound = True
                self.fd = os.open(self.path, os.O_WRONLY | os.O_APPEND)
                return
            if self.fd is None:
                self.fd = os.open(self.path, os.O_WRONLY | os.O_APPEND)
            os.write(self.fd, marshal.dumps((key, value)))
        except OSError:
            self.path = None  # a read-only installation: compile as before, quietly


#: The caches `install()` made (None before; `regex` stays None on a Python whose `re` it does not follow).
dataclass_code: _Cache | None = None
regex: _Cache | None = None


def install() -> None:
    """Let `dataclasses` and `re` compile each text once per interpreter (see the module doc). Idempotent."""
    global dataclass_code  # noqa: PLW0603 - one cache each per process, made on first use
    if dataclass_code is not None:
        return
    import dataclasses

    code_cache = dataclass_code = _Cache(cache_file("dataclass_code"), ("tongban dataclass code", 1))

    def cached_exec(source: Any, globals: Any = None, locals: Any = None, /) -> None:
        """`exec` for `dataclasses`: each source text compiled once per interpreter, then read from the cache."""
        if isinstance(source, str):
            # As the builtin compiles the text it is given there (a module without __future__ imports).
            source = code_cache.get(source, lambda: compile(source, "<string>", "exec", dont_inherit=True))
        builtins.exec(source, globals, locals)

    dataclasses.exec = cached_exec  # type: ignore[attr-defined]  # a module global, found before the builtin
    if sys.version_info[:2] in _RE_VERSIONS:
        _install_regex()


def _install_regex() -> None:
    global regex  # noqa: PLW0603 - see install()
    import _sre  # type: ignore[import-not-found]  # the regex engine (no stubs)
    import re

    compiler = re._compiler  # type: ignore[attr-defined]
    original = compiler.compile
    patterns = regex = _Cache(cache_file("regex_code"), ("tongban regex code", 1, _sre.MAGIC))

    def cached_compile(p: Any, flags: int = 0) -> Any:
        """`re._compiler.compile` for a pattern string: `_sre.compile`'s arguments from the cache."""
        if not isinstance(p, str | bytes) or flags & compiler.SRE_FLAG_DEBUG or _may_warn(p):
            return original(p, flags)
        final, code, groups, groupindex, indexgroup = patterns.get((p, int(flags)), lambda: _regex_arguments(p, flags))
        return _sre.compile(p, final, code, groups, groupindex, indexgroup)

    compiler.compile = cached_compile


def _regex_arguments(pattern: str | bytes, flags: int) -> tuple[Any, ...]:
    """What `re._compiler.compile` (3.11, 3.12) passes to `_sre.compile` after the pattern, computed as it does."""
    import re

    compiler, parser = re._compiler, re._parser  # type: ignore[attr-defined]
    parsed = parser.parse(pattern, flags)
    code = compiler._code(parsed, flags)
    groupindex = parsed.state.groupdict
    indexgroup: list[str | None] = [None] * parsed.state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    # The opcodes are int subclasses (named constants); `_sre.compile` reads each as the int it is.
    opcodes = [int(op) for op in code]
    return int(flags | parsed.state.flags), opcodes, parsed.state.groups - 1, groupindex, tuple(indexgroup)


_WARNING_SIGNS = ("[[", "--", "&&", "~~", "||")


def _may_warn(pattern: str | bytes) -> bool:
    """Whether parsing `pattern` might warn (re's FutureWarnings on sets, non-ASCII group names): not cached."""
    text = pattern if isinstance(pattern, str) else pattern.decode("latin-1")
    return any(sign in text for sign in _WARNING_SIGNS) or (not text.isascii() and ("(?P" in text or "(?(" in text))
