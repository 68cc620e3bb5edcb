"""The validated form of a catalogue file, cached as JSON beside the data, so that reading it needs no pydantic.

Validating a catalogue (`app.domain.catalogue.parse_catalogue`) imports pydantic: ~150 ms and ~20 MB resident,
once per process — on the counter's and the kiosk's start, in the search index and in every CLI command that
reads the catalogue (issue 13). The catalogue changes rarely, so the domain objects that validation built are
written once to `<data_dir>/catalogue/cache/<name>.validated.json` and read back on the next start with the
standard library's `json` alone.

The cache is used only when all of these hold, else the file is validated again and the cache rewritten:
- its key matches: the sha256 of the catalogue file's bytes now, and the code version (the program version, this
  cache's format number and a hash of the validating and modelling sources) — a changed file or changed rules
  always go through validation again;
- its payload hashes to the sha256 in its header (a torn or edited cache is ignored);
- the payload decodes into exactly the expected shape (every key present, no unknown key, every value of its
  type; an enum value must be one of the enum's).
It is JSON, never pickle: reading it runs no code. A cache that cannot be written (read-only data directory, full
disk) is logged and skipped: the catalogue in use is the validated one either way. No fsync: the cache holds
nothing that cannot be rebuilt, and a cache torn by a power cut fails its payload hash.

No Qt here: the CLI uses it as well (`load_catalogue`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import json
import logging
import os
import secrets
from collections.abc import Callable
from dataclasses import fields, is_dataclass
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

from app import __version__
from app.domain import catalogue as catalogue_module
from app.domain.catalogue import Catalogue, CatalogueError, read_catalogue_bytes
from app.domain.models import (
    Bundle,
    BundleMember,
    Condition,
    DeliveryMethod,
    ItemKind,
    MaterialForm,
    MaterialRequirement,
    ScenarioQuestion,
    ServiceItem,
    SharedMaterial,
)

log = logging.getLogger("tongban.catalogue")

#: Bump when the payload's layout changes (the sources' hash below catches most changes by itself).
CACHE_FORMAT = 1
CACHE_DIR = "cache"
SUFFIX = ".validated.json"
#: The code version written in the validated seed shipped with the program (see `load_catalogue(shipped=True)`).
SHIPPED_CODE = "shipped"
#: The sources whose rules or shapes decide what a validated catalogue is (relative to the `app` package).
_CODE_SOURCES = ("domain/catalogue.py", "domain/catalogue_schema.py", "domain/models.py", "services/catalogue_cache.py")


@functools.cache
def code_version() -> str:
    """The program version, the cache format and a hash of the validating sources (when they are readable: an
    installed bundle without sources relies on the program version)."""
    digest = hashlib.sha256(f"{__version__}\0{CACHE_FORMAT}".encode())
    root = Path(__file__).resolve().parents[1]
    for name in _CODE_SOURCES:
        with contextlib.suppress(OSError):
            digest.update(b"\0" + name.encode() + b"\0" + (root / name).read_bytes())
    return f"{__version__}+{CACHE_FORMAT}+{digest.hexdigest()[:32]}"


def cache_path(cache_dir: Path, catalogue_path: Path) -> Path:
    return cache_dir / f"{catalogue_path.stem}{SUFFIX}"


def shipped_path(catalogue_path: Path) -> Path:
    """Where the validated form of a shipped catalogue lies beside it: `seed.json` -> `seed.validated.json`."""
    return catalogue_path.with_name(f"{catalogue_path.stem}{SUFFIX}")


def load_catalogue(path: Path, cache_dir: Path | None, *, shipped: bool = False) -> Catalogue:
    """The catalogue in `path`, validated: from the cache when this code validated these very bytes before, else
    validated now (raises `CatalogueError` as `load_catalogue_file` does) and cached. `cache_dir` None: no cache.

    `shipped`: `path` is the seed shipped with the program, whose validated form ships beside it
    (`shipped_path`, written by scripts/build_pinyin_forms.py; a test keeps it equal to what validation builds):
    a fresh data directory then needs no validation either. It is used only for these very bytes.
    """
    data = read_catalogue_bytes(path)
    if cache_dir is None:
        return catalogue_module.parse_catalogue(data)
    sha = hashlib.sha256(data).hexdigest()
    cached = read_cache(cache_path(cache_dir, path), sha)
    if cached is None and shipped:
        cached = read_cache(shipped_path(path), sha, shipped=True)
    if cached is not None:
        return cached
    catalogue = catalogue_module.parse_catalogue(data)  # a CatalogueError leaves any old cache as it was
    write_cache(cache_path(cache_dir, path), sha, catalogue)
    return catalogue


def store_validated(cache_dir: Path, catalogue_path: Path, data: bytes, catalogue: Catalogue) -> None:
    """Cache `catalogue`, just validated from `data` (the bytes now stored at `catalogue_path`)."""
    write_cache(cache_path(cache_dir, catalogue_path), hashlib.sha256(data).hexdigest(), catalogue)


def read_cache(path: Path, source_sha256: str, *, shipped: bool = False) -> Catalogue | None:
    """The cached catalogue if `path` holds a sound cache for these source bytes and this code; else None.
    `shipped`: the program's own validated seed, written for these bytes by the build (any code version)."""
    try:
        blob = path.read_bytes()
    except OSError:
        return None
    try:
        header_line, payload = blob.split(b"\n", 1)
        header = json.loads(header_line)
        if not isinstance(header, dict):
            raise TypeError("no cache header")
        if header.get("format") != CACHE_FORMAT:
            return None
        code_ok = header.get("code") == (SHIPPED_CODE if shipped else code_version())
        if not code_ok or header.get("source_sha256") != source_sha256:
            return None  # another program version or another file: validate again
        if header.get("payload_sha256") != hashlib.sha256(payload).hexdigest():
            raise ValueError("payload does not match its hash")
        return _decode_catalogue(json.loads(payload))
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:  # ValueError: JSON, enums
        log.warning("catalogue cache %s unusable, validating the catalogue again: %s", path.name, exc)
        return None


class CachedLookup:
    """`get` and `bundle` of a cached catalogue, decoding only the entries asked for (a receipt needs one item of
    hundreds: issue 13). Built by `cached_lookup` from a cache that passed every check of `read_cache` but the
    decoding of the entries nobody asks for; an entry that does not decode hands over to `fallback` (the whole
    catalogue, read as `load_catalogue` reads it: the cache is then found unusable and rebuilt)."""

    def __init__(self, raw: object, fallback: Callable[[], Catalogue]) -> None:
        d = _obj(raw, _CATALOGUE)
        self._items = {_str(_obj(v, _ITEM)["code"]): v for v in _list_raw(d["items"])}
        self._bundles = {_str(_obj(v, _BUNDLE)["code"]): v for v in _list_raw(d["bundles"])}
        self._fallback = fallback
        self._whole: Catalogue | None = None

    def _decode(self, decode: Callable[[Any], _T], raw: object) -> _T | None:
        try:
            return decode(raw)
        except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
            log.warning("catalogue cache entry unusable, reading the whole catalogue: %s", exc)
            return None

    def _catalogue(self) -> Catalogue:
        if self._whole is None:
            self._whole = self._fallback()
        return self._whole

    def get(self, code: str) -> ServiceItem | None:
        if self._whole is None:
            if code not in self._items:
                return None
            item = self._decode(_item, self._items[code])
            if item is not None:
                return item
        return self._catalogue().get(code)

    def bundle(self, code: str) -> Bundle | None:
        if self._whole is None:
            if code not in self._bundles:
                return None
            bundle = self._decode(_bundle, self._bundles[code])
            if bundle is not None:
                return bundle
        return self._catalogue().bundle(code)


def _list_raw(raw: object) -> list[Any]:
    if not isinstance(raw, list):
        raise TypeError("expected a list")
    return raw


def cached_lookup(path: Path, cache_dir: Path, fallback: Callable[[], Catalogue]) -> CachedLookup | None:
    """A `CachedLookup` of the catalogue in `path` when this code's sound cache of these very bytes exists (the
    checks of `read_cache`); else None (the caller reads the catalogue as `load_catalogue` does)."""
    try:
        data = read_catalogue_bytes(path)
        blob = cache_path(cache_dir, path).read_bytes()
    except (OSError, CatalogueError):
        return None
    try:
        header_line, payload = blob.split(b"\n", 1)
        header = json.loads(header_line)
        sound = (
            isinstance(header, dict)
            and header.get("format") == CACHE_FORMAT
            and header.get("code") == code_version()
            and header.get("source_sha256") == hashlib.sha256(data).hexdigest()
            and header.get("payload_sha256") == hashlib.sha256(payload).hexdigest()
        )
        return CachedLookup(json.loads(payload), fallback) if sound else None
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
        return None  # read_cache, on the fallback's way, says why


def write_shipped(catalogue_path: Path) -> Path:
    """Validate a shipped catalogue and write its validated form beside it (`shipped_path`); raises on failure."""
    data = read_catalogue_bytes(catalogue_path)
    catalogue = catalogue_module.parse_catalogue(data)
    target = shipped_path(catalogue_path)
    target.write_bytes(_cache_blob(hashlib.sha256(data).hexdigest(), catalogue, code=SHIPPED_CODE))
    return target


def write_cache(path: Path, source_sha256: str, catalogue: Catalogue) -> None:
    blob = _cache_blob(source_sha256, catalogue, code=code_version())
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(blob)
        os.replace(tmp, path)
    except OSError as exc:
        log.warning("cannot cache the validated catalogue (%s): %s", path.name, exc.strerror or exc)
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


def _cache_blob(source_sha256: str, catalogue: Catalogue, *, code: str) -> bytes:
    payload = json.dumps(_encode(catalogue), ensure_ascii=False, separators=(",", ":")).encode()
    header = {
        "format": CACHE_FORMAT,
        "code": code,
        "source_sha256": source_sha256,
        "payload_sha256": hashlib.sha256(payload).hexdigest(),
    }
    return json.dumps(header).encode() + b"\n" + payload


# --- encoding: every init field of every dataclass, so that nothing a model gains is left out -------------


def _encode(value: object) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _encode(getattr(value, f.name)) for f in fields(value) if f.init}
    if isinstance(value, tuple):
        return [_encode(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None or isinstance(value, str | int):  # bool is an int
        return value
    raise TypeError(f"cannot cache a {type(value).__name__}")


# --- decoding: explicit and strict (the exact keys, each value of its type) --------------------------------

_T = TypeVar("_T")


def _obj(raw: object, keys: frozenset[str]) -> dict[str, Any]:
    if not isinstance(raw, dict) or raw.keys() != keys:
        raise ValueError(f"unexpected object {sorted(raw) if isinstance(raw, dict) else type(raw).__name__}")
    return raw


def _keys(cls: type) -> frozenset[str]:
    return frozenset(f.name for f in fields(cls) if f.init)


def _str(raw: object) -> str:
    if not isinstance(raw, str):
        raise TypeError("expected text")
    return raw


def _opt_str(raw: object) -> str | None:
    return None if raw is None else _str(raw)


def _int(raw: object) -> int:
    if not isinstance(raw, int) or isinstance(raw, bool):
        raise TypeError("expected an integer")
    return raw


def _opt_int(raw: object) -> int | None:
    return None if raw is None else _int(raw)


def _bool(raw: object) -> bool:
    if not isinstance(raw, bool):
        raise TypeError("expected true or false")
    return raw


def _list(raw: object, decode: Callable[[Any], _T]) -> tuple[_T, ...]:
    if not isinstance(raw, list):
        raise TypeError("expected a list")
    return tuple(decode(v) for v in raw)


_CONDITION = _keys(Condition)
_QUESTION = _keys(ScenarioQuestion)
_MATERIAL = _keys(MaterialRequirement)
_ITEM = _keys(ServiceItem)
_MEMBER = _keys(BundleMember)
_SHARED = _keys(SharedMaterial)
_BUNDLE = _keys(Bundle)
_CATALOGUE = _keys(Catalogue)


def _condition(raw: object) -> Condition | None:
    if raw is None:
        return None
    d = _obj(raw, _CONDITION)
    return Condition(question_id=_str(d["question_id"]), answers=_list(d["answers"], _str))


def _question(raw: object) -> ScenarioQuestion:
    d = _obj(raw, _QUESTION)
    return ScenarioQuestion(
        id=_str(d["id"]),
        text=_str(d["text"]),
        options=_list(d["options"], _str),
        condition=_condition(d["condition"]),
    )


def _material(raw: object) -> MaterialRequirement:
    d = _obj(raw, _MATERIAL)
    return MaterialRequirement(
        code=_str(d["code"]),
        name=_str(d["name"]),
        form=MaterialForm(_str(d["form"])),
        copies=_int(d["copies"]),
        required=_bool(d["required"]),
        condition_text=_opt_str(d["condition_text"]),
        condition=_condition(d["condition"]),
        licence_type=_opt_str(d["licence_type"]),
    )


def _item(raw: object) -> ServiceItem:
    d = _obj(raw, _ITEM)
    return ServiceItem(
        code=_str(d["code"]),
        name=_str(d["name"]),
        category=_str(d["category"]),
        department=_str(d["department"]),
        jurisdiction=_str(d["jurisdiction"]),
        kind=ItemKind(_str(d["kind"])),
        immediate=_bool(d["immediate"]),
        promised_days=_int(d["promised_days"]),
        legal_days=_int(d["legal_days"]),
        fee_fen=_int(d["fee_fen"]),
        materials=_list(d["materials"], _material),
        delivery_methods=_list(d["delivery_methods"], lambda v: DeliveryMethod(_str(v))),
        citywide=_bool(d["citywide"]),
        kiosk_allowed=_bool(d["kiosk_allowed"]),
        originals_required=_bool(d["originals_required"]),
        questions=_list(d["questions"], _question),
        fee_note=_str(d["fee_note"]),
        guide=_str(d["guide"]),
        supplement_days=_opt_int(d["supplement_days"]),
        supplement_after=_str(d["supplement_after"]),
        legal_basis=_str(d["legal_basis"]),
    )


def _member(raw: object) -> BundleMember:
    d = _obj(raw, _MEMBER)
    return BundleMember(item_code=_str(d["item_code"]), condition=_condition(d["condition"]))


def _cover(raw: object) -> tuple[str, str]:
    pair = _list(raw, _str)
    if len(pair) != 2:
        raise ValueError("a covered material is (item code, material code)")
    return pair[0], pair[1]


def _shared(raw: object) -> SharedMaterial:
    d = _obj(raw, _SHARED)
    return SharedMaterial(
        code=_str(d["code"]),
        name=_str(d["name"]),
        form=MaterialForm(_str(d["form"])),
        covers=_list(d["covers"], _cover),
        copies=_int(d["copies"]),
    )


def _bundle(raw: object) -> Bundle:
    d = _obj(raw, _BUNDLE)
    return Bundle(
        code=_str(d["code"]),
        name=_str(d["name"]),
        members=_list(d["members"], _member),
        questions=_list(d["questions"], _question),
        shared_materials=_list(d["shared_materials"], _shared),
        guide=_str(d["guide"]),
    )


def _decode_catalogue(raw: object) -> Catalogue:
    d = _obj(raw, _CATALOGUE)
    return Catalogue(
        schema_version=_int(d["schema_version"]),
        version=_str(d["version"]),
        published=dt.date.fromisoformat(_str(d["published"])),
        division=_str(d["division"]),
        items=_list(d["items"], _item),
        sample=_bool(d["sample"]),
        bundles=_list(d["bundles"], _bundle),
    )


__all__ = [
    "CachedLookup",
    "CatalogueError",
    "cached_lookup",
    "code_version",
    "load_catalogue",
    "read_cache",
    "shipped_path",
    "store_validated",
    "write_cache",
    "write_shipped",
]
