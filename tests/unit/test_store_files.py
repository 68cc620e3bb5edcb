"""Durable small-file writes: permissions from the first byte, the old or the new file after a failure."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from offline_cache.files import write_atomically


def test_new_file_is_private_and_complete(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "secret.key"
    assert write_atomically(target, b"abc") is True
    assert target.read_bytes() == b"abc"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in target.parent.iterdir()] == ["secret.key"]  # no temporary file left


def test_overwrite_replaces_and_no_overwrite_keeps_the_first(tmp_path: Path) -> None:
    target = tmp_path / "f"
    write_atomically(target, b"one")
    write_atomically(target, b"two")
    assert target.read_bytes() == b"two"
    assert write_atomically(target, b"three", overwrite=False) is False
    assert target.read_bytes() == b"two"


def test_failure_leaves_the_old_file_and_no_temporary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "f"
    write_atomically(target, b"old")

    def disk_gone(*_: object) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "replace", disk_gone)
    with pytest.raises(OSError):
        write_atomically(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in target.parent.iterdir() if p.name != "tongban-home"] == ["f"]
