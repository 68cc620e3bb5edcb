"""Rows read straight from the pages of a damaged SQLite file, for when its schema or b-tree cannot be walked.

A file truncated to half usually loses part of `sqlite_master`, and then SQLite reads nothing at all (and the
Debian `sqlite3` 3.40 CLI's `.recover` fails the same way). So this reads every table-leaf page of the file, with
the newest committed page images of its -wal laid over them, decodes the records (following overflow chains), and
sorts them into tables by shape: the column count and the type of each column, checked against the fresh
database's schema. Stale copies (on freed pages) are possible: callers keep the newest copy per key and check
what they copy (bodies against their hash, encrypted columns against their key).
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_HEADER = b"SQLite format 3\x00"
_WAL_MAGIC = (0x377F0682, 0x377F0683)
_LEAF_TABLE = 0x0D
_MAX_OVERFLOW_PAGES = 4096


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: str  # declared type, upper case
    notnull: bool
    default: Any
    rowid_alias: bool  # INTEGER PRIMARY KEY: stored as NULL in the record, the value is the rowid


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    value = 0
    for i in range(8):
        byte = buf[pos + i]
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, pos + i + 1
    return (value << 8) | buf[pos + 8], pos + 9


def _wal_checksum(data: bytes, big: bool, s0: int, s1: int) -> tuple[int, int]:
    words = struct.unpack(f"{'>' if big else '<'}{len(data) // 4}I", data)
    for i in range(0, len(words), 2):
        s0 = (s0 + words[i] + s1) & 0xFFFFFFFF
        s1 = (s1 + words[i + 1] + s0) & 0xFFFFFFFF
    return s0, s1


def _wal_pages(wal: Path, page_size: int) -> dict[int, bytes]:
    """Page images of the committed frames of the current WAL generation (salts and checksums verified)."""
    try:
        data = wal.read_bytes()
    except OSError:
        return {}
    if len(data) < 32:
        return {}
    magic, _version, size, _ckpt, salt1, salt2, c0, c1 = struct.unpack(">8I", data[:32])
    if magic not in _WAL_MAGIC or size != page_size:
        return {}
    big = magic == 0x377F0683
    s0, s1 = _wal_checksum(data[:24], big, 0, 0)
    if (s0, s1) != (c0, c1):
        return {}
    committed: dict[int, bytes] = {}
    pending: dict[int, bytes] = {}
    pos = 32
    while pos + 24 + page_size <= len(data):
        pgno, commit, fs1, fs2, f0, f1 = struct.unpack(">6I", data[pos : pos + 24])
        page = data[pos + 24 : pos + 24 + page_size]
        if (fs1, fs2) != (salt1, salt2):
            break
        s0, s1 = _wal_checksum(data[pos : pos + 8], big, s0, s1)
        s0, s1 = _wal_checksum(page, big, s0, s1)
        if (s0, s1) != (f0, f1):
            break
        pending[pgno] = page
        if commit:
            committed.update(pending)
            pending.clear()
        pos += 24 + page_size
    return committed


def read_pages(path: Path) -> tuple[int, int, dict[int, bytes]]:
    """(page size, usable size, {page number: image}) of the file with its WAL laid over; empty when unreadable."""
    try:
        data = path.read_bytes()
    except OSError:
        return 4096, 4096, {}
    page_size, reserved = 4096, 0
    if data.startswith(_HEADER) and len(data) >= 100:
        raw = int.from_bytes(data[16:18], "big")
        candidate = 65536 if raw == 1 else raw
        if candidate >= 512 and candidate & (candidate - 1) == 0:
            page_size, reserved = candidate, data[20]
    pages = {n + 1: data[n * page_size : (n + 1) * page_size] for n in range(len(data) // page_size)}
    pages.update(_wal_pages(Path(f"{path}-wal"), page_size))
    return page_size, page_size - reserved, pages


def _payload(pages: dict[int, bytes], page: bytes, pos: int, size: int, usable: int) -> bytes | None:
    """The cell payload starting at `pos`, with its overflow chain; None when a page of the chain is missing."""
    max_local = usable - 35
    if size <= max_local:
        return page[pos : pos + size]
    min_local = (usable - 12) * 32 // 255 - 23
    local = min_local + (size - min_local) % (usable - 4)
    if local > max_local:
        local = min_local
    parts = [page[pos : pos + local]]
    got = local
    nxt = int.from_bytes(page[pos + local : pos + local + 4], "big")
    hops = 0
    while got < size:
        hops += 1
        over = pages.get(nxt)
        if over is None or hops > _MAX_OVERFLOW_PAGES:
            return None
        chunk = over[4 : 4 + min(usable - 4, size - got)]
        parts.append(chunk)
        got += len(chunk)
        nxt = int.from_bytes(over[:4], "big")
    payload = b"".join(parts)
    return payload if len(payload) == size else None


def _record(payload: bytes) -> list[Any] | None:
    """Values of one record, or None when the bytes do not form one."""
    try:
        header_size, pos = _varint(payload, 0)
        if header_size > len(payload):
            return None
        types: list[int] = []
        while pos < header_size:
            t, pos = _varint(payload, pos)
            types.append(t)
        body = header_size
        values: list[Any] = []
        for t in types:
            if t == 0:
                values.append(None)
            elif 1 <= t <= 6:
                n = (1, 2, 3, 4, 6, 8)[t - 1]
                values.append(int.from_bytes(payload[body : body + n], "big", signed=True))
                body += n
            elif t == 7:
                values.append(struct.unpack(">d", payload[body : body + 8])[0])
                body += 8
            elif t in (8, 9):
                values.append(t - 8)
            elif t >= 12:
                n = (t - 12) // 2
                raw = payload[body : body + n]
                values.append(raw if t % 2 == 0 else raw.decode("utf-8"))
                body += n
            else:
                return None
        return values if body == len(payload) else None
    except (IndexError, UnicodeDecodeError, struct.error):
        return None


def leaf_records(path: Path) -> Iterator[tuple[int, list[Any]]]:
    """(rowid, values) of every cell on every table-leaf page that decodes."""
    _size, usable, pages = read_pages(path)
    for number, page in pages.items():
        start = 100 if number == 1 else 0
        if len(page) < start + 8 or page[start] != _LEAF_TABLE:
            continue
        cells = int.from_bytes(page[start + 3 : start + 5], "big")
        for i in range(cells):
            at = start + 8 + 2 * i
            try:
                cell = int.from_bytes(page[at : at + 2], "big")
                size, pos = _varint(page, cell)
                rowid, pos = _varint(page, pos)
            except IndexError:
                continue
            if not 0 < cell < len(page) or size > 1 << 30:
                continue
            payload = _payload(pages, page, pos, size, usable)
            values = None if payload is None else _record(payload)
            if values is not None:
                yield rowid, values


def _fits(column: Column, value: Any) -> bool:
    if value is None:
        return not column.notnull or column.rowid_alias
    if column.type == "TEXT":
        return isinstance(value, str)
    if column.type == "INTEGER":
        return isinstance(value, int)
    return True  # BLOB and untyped columns take anything


def as_row(columns: list[Column], rowid: int, values: list[Any]) -> dict[str, Any] | None:
    """The record as a row of a table with `columns`, or None when its shape does not fit."""
    if not values or len(values) > len(columns):
        return None
    padded = values + [c.default for c in columns[len(values) :]]
    row: dict[str, Any] = {}
    for column, stored in zip(columns, padded, strict=True):
        value = rowid if column.rowid_alias and stored is None else stored
        if not _fits(column, value):
            return None
        row[column.name] = value
    return row
