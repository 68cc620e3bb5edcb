"""Versioned schema migrations, recorded in the `schema_version` table.

Each step runs in its own transaction (PostgreSQL and SQLite both have transactional DDL). A database whose
version is newer than this code knows is refused: an old server must not write to a newer schema.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, inspect, select

from central import schema
from central.db import iso, now_utc, write

log = logging.getLogger("tongban.central.migrations")


class SchemaTooNewError(RuntimeError):
    pass


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    apply: Callable[[Connection], None]


def _v1(conn: Connection) -> None:
    # The first schema: these tables are unchanged since, so their current definitions are the version-1 ones.
    schema.metadata.create_all(conn, tables=list(schema.V1_TABLES))


def _v2(conn: Connection) -> None:
    schema.metadata.create_all(conn, tables=list(schema.V2_TABLES))


def _v3(conn: Connection) -> None:
    schema.metadata.create_all(conn, tables=list(schema.V3_TABLES))


def _v4(conn: Connection) -> None:
    schema.metadata.create_all(conn, tables=list(schema.V4_TABLES))


def _v5(conn: Connection) -> None:
    schema.metadata.create_all(conn, tables=list(schema.V5_TABLES))


def _v6(conn: Connection) -> None:
    schema.metadata.create_all(conn, tables=list(schema.V6_TABLES))


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "initial schema", _v1),
    Migration(2, "ratings and 差评 follow-up", _v2),
    Migration(3, "electronic licence library and access audit", _v3),
    Migration(4, "一件事 bundle members", _v4),
    Migration(5, "帮办 of online filing", _v5),
    Migration(6, "一件事 parent cases", _v6),
)
LATEST = MIGRATIONS[-1].version


def current_version(engine: Engine) -> int:
    with engine.connect() as conn:
        if not inspect(conn).has_table("schema_version"):
            return 0
        versions = conn.execute(select(schema.schema_version.c.version)).scalars().all()
    return max(versions, default=0)


def migrate(engine: Engine, *, target: int | None = None) -> list[int]:
    """Bring the database to LATEST (or `target`); return the versions applied (empty when already current)."""
    version = current_version(engine)
    if version > LATEST:
        raise SchemaTooNewError(f"database schema version {version} is newer than this server knows ({LATEST})")
    applied: list[int] = []
    for step in MIGRATIONS:
        if step.version <= version or (target is not None and step.version > target):
            continue
        with write(engine) as conn:
            step.apply(conn)
            conn.execute(
                schema.schema_version.insert().values(
                    version=step.version, applied_at=iso(now_utc()), description=step.description
                )
            )
        log.info("applied schema migration %d (%s)", step.version, step.description)
        applied.append(step.version)
    return applied
