"""Content-addressed attachment blobs: stored once under their SHA-256, verified on upload."""

from __future__ import annotations

import hashlib
import logging

from sqlalchemy import Engine, select
from sqlalchemy.dialects import postgresql, sqlite

from central import schema
from central.db import iso, now_utc, read, write

log = logging.getLogger("tongban.central.blobs")

MAX_BLOB_BYTES = 20 * 1024 * 1024


class BlobMismatchError(ValueError):
    pass


def blob_exists(engine: Engine, sha256: str) -> int | None:
    """The stored size, or None when absent."""
    with read(engine) as conn:
        size = conn.execute(select(schema.blobs.c.size).where(schema.blobs.c.sha256 == sha256)).scalar()
    return None if size is None else int(size)


def put_blob(engine: Engine, sha256: str, data: bytes, device_id: str) -> bool:
    """Store `data` if its hash is `sha256`; True when newly stored, False when it was already there."""
    if hashlib.sha256(data).hexdigest() != sha256:
        raise BlobMismatchError(sha256)
    with write(engine) as conn:
        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        inserted = conn.execute(
            dialect.insert(schema.blobs)
            .values(sha256=sha256, size=len(data), data=data, device_id=device_id, received_at=iso(now_utc()))
            .on_conflict_do_nothing()
            .returning(schema.blobs.c.sha256)
        ).first()
    if inserted is not None:
        log.info("blob %s stored (%d bytes)", sha256, len(data))
    return inserted is not None


def get_blob(engine: Engine, sha256: str) -> bytes | None:
    with read(engine) as conn:
        data = conn.execute(select(schema.blobs.c.data).where(schema.blobs.c.sha256 == sha256)).scalar()
    return None if data is None else bytes(data)
