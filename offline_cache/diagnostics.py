"""Read-only looks at the store file for `tongban diagnose`: never opens it for writing, never moves or repairs it,
so it is safe beside a running terminal and on a damaged file. Counts and SQLite's own findings only."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def _connect_read_only(database: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True, timeout=5)


def integrity_report(database: Path, *, max_errors: int = 100) -> str:
    """`PRAGMA integrity_check` of `database` ("ok" when sound), or why it could not run."""
    if not database.exists():
        return f"no database at {database}\n"
    try:
        conn = _connect_read_only(database)
    except sqlite3.Error as exc:
        return f"cannot open {database}: {type(exc).__name__}\n"
    try:
        rows = [str(row[0]) for row in conn.execute(f"PRAGMA integrity_check({int(max_errors)})")]
    except sqlite3.Error as exc:
        return f"integrity_check failed: {type(exc).__name__}\n"
    finally:
        conn.close()
    return "\n".join(rows) + "\n"


def outbox_counts(database: Path) -> dict[str, int] | str:
    """Outbox entries by `state/kind` (e.g. `pending/case`), or the error class when the table cannot be read."""
    try:
        conn = _connect_read_only(database)
    except sqlite3.Error as exc:
        return f"error: {type(exc).__name__}"
    try:
        rows = conn.execute("SELECT state, kind, count(*) FROM outbox GROUP BY state, kind ORDER BY state, kind")
        return {f"{state}/{kind}": int(count) for state, kind, count in rows}
    except sqlite3.Error as exc:
        return f"error: {type(exc).__name__}"
    finally:
        conn.close()


def sqlite_version() -> str:
    return sqlite3.sqlite_version
