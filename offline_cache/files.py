"""Durable small-file writes: the one way the terminal replaces a file (catalogue, key, credentials, exports).

A file is written under a temporary name created exclusively with its final permissions, flushed and fsynced,
then moved into place and its folder fsynced, so that a crash or power cut leaves either the old file or the new
one — never a torn one — and a secret is never readable by others, not even for a moment.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path


def fsync_dir(directory: Path) -> None:
    """Make a rename in `directory` durable (POSIX); Windows cannot open a folder and does not need it."""
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomically(path: Path, data: bytes, *, mode: int = 0o600, overwrite: bool = True) -> bool:
    """Write `data` to `path` durably. With `overwrite=False` an existing file wins (a concurrent creator is never
    replaced) and False is returned; otherwise True. Raises OSError; the temporary file never stays behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    written = True
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if overwrite:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)
            except FileExistsError:
                written = False
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
    fsync_dir(path.parent)
    return written
