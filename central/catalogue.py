"""The service-item catalogue the platform hands out: imported from a file, served with an ETag."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from typing import Any

from sqlalchemy import Engine, delete, select

from app.protocol import json_depth
from central import schema
from central.db import iso, now_utc, read, write

log = logging.getLogger("tongban.central.catalogue")

MAX_CATALOGUE_BYTES = 16 * 1024 * 1024
_DIVISION_RE = re.compile(r"\A[0-9]{6}\Z")
_VERSION_RE = re.compile(r"\A[0-9A-Za-z][0-9A-Za-z._-]{0,39}\Z")


class CatalogueInvalidError(ValueError):
    pass


def validate_catalogue(data: bytes) -> int:
    """Check a catalogue file the way the terminal will before swapping; return its item count.

    Shape (`schema_version` 1, as in resources/catalogue/seed.json): an object with a `version` string and a
    non-empty `items` list; each item has a unique non-empty `code`, a `name`, and
    (when present) a 6-digit `jurisdiction`, non-negative integer `promised_days`/`legal_days`/`fee_fen` and a
    `materials` list of objects with a `name`. Errors name the item and the field.
    """
    if len(data) > MAX_CATALOGUE_BYTES:
        raise CatalogueInvalidError(f"catalogue exceeds {MAX_CATALOGUE_BYTES} bytes")
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise CatalogueInvalidError(f"not valid UTF-8 JSON: {exc}") from None
    if json_depth(doc) > 16:
        raise CatalogueInvalidError("catalogue nesting is too deep")
    if not isinstance(doc, dict) or not isinstance(doc.get("items"), list) or not doc["items"]:
        raise CatalogueInvalidError("catalogue must be an object with a non-empty 'items' list")
    if doc.get("schema_version") != 1 or isinstance(doc.get("schema_version"), bool):
        raise CatalogueInvalidError("field 'schema_version' must be 1")
    if not isinstance(doc.get("version"), str) or not _VERSION_RE.match(doc["version"]):
        raise CatalogueInvalidError("field 'version' must be a short version string")
    seen: set[str] = set()
    for index, item in enumerate(doc["items"]):
        where = f"item {index}"
        if not isinstance(item, dict):
            raise CatalogueInvalidError(f"{where}: must be an object")
        code = item.get("code")
        if not isinstance(code, str) or not code.strip() or len(code) > 64:
            raise CatalogueInvalidError(f"{where}: field 'code' must be a non-empty string of at most 64 characters")
        where = f"item {index} ({code})"
        if code in seen:
            raise CatalogueInvalidError(f"{where}: duplicate code")
        seen.add(code)
        _check_item(where, item)
    return len(doc["items"])


def _check_item(where: str, item: dict[str, Any]) -> None:
    name = item.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        raise CatalogueInvalidError(f"{where}: field 'name' must be a non-empty string")
    if "jurisdiction" in item and not (
        isinstance(item["jurisdiction"], str) and _DIVISION_RE.match(item["jurisdiction"])
    ):
        raise CatalogueInvalidError(f"{where}: field 'jurisdiction' must be a 6-digit division code")
    for key in ("promised_days", "legal_days", "fee_fen"):
        value = item.get(key, 0)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise CatalogueInvalidError(f"{where}: field '{key}' must be a non-negative integer")
    materials = item.get("materials", [])
    if not isinstance(materials, list):
        raise CatalogueInvalidError(f"{where}: field 'materials' must be a list")
    for m_index, material in enumerate(materials):
        if not isinstance(material, dict) or not isinstance(material.get("name"), str):
            raise CatalogueInvalidError(f"{where}: materials[{m_index}] must be an object with a 'name'")


def import_catalogue(engine: Engine, data: bytes) -> tuple[str, int]:
    """Validate and make `data` the current snapshot; return its ETag and item count."""
    count = validate_catalogue(data)
    etag = '"' + hashlib.sha256(data).hexdigest() + '"'
    with write(engine) as conn:
        conn.execute(delete(schema.catalogue))
        conn.execute(
            schema.catalogue.insert().values(id=1, etag=etag, data=data, item_count=count, imported_at=iso(now_utc()))
        )
    log.info("catalogue imported: %d items, etag %s", count, etag)
    return etag, count


def current_catalogue(engine: Engine) -> tuple[str, bytes] | None:
    with read(engine) as conn:
        row = conn.execute(select(schema.catalogue.c.etag, schema.catalogue.c.data)).first()
    return None if row is None else (row.etag, bytes(row.data))


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    candidates = [part.strip() for part in if_none_match.split(",")]
    return "*" in candidates or any(c.removeprefix("W/") == etag for c in candidates)
