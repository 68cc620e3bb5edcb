"""The schema, as migrations in one set named "tongban" (recorded as sqlite-utils' migrations record them).

Migrations are append-only: never edit one that has shipped; add the next. The schema version is the number of
the newest applied migration; a database carrying a migration this program does not know is refused.

The migration set is a few lines of our own with sqlite-migrate's decorator and its `_sqlite_migrations` table
(databases written by either read the same), so that opening the store does not import sqlite-utils (issue 13:
about 60 ms of every start and every CLI command). A migration function receives the sqlite3 connection.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from offline_cache.errors import NewerSchemaError

MIGRATION_SET = "tongban"
MIGRATIONS_TABLE = "_sqlite_migrations"

Db = sqlite3.Connection
_MigrationFn = Callable[[sqlite3.Connection], None]


@dataclass(frozen=True, slots=True)
class AppliedMigration:
    name: str
    applied_at: str


@dataclass(frozen=True, slots=True)
class Migration:
    name: str
    fn: _MigrationFn


def _conn(db: Any) -> sqlite3.Connection:
    """A sqlite3 connection, or sqlite-utils' Database around one (tests and tools pass either)."""
    return db if isinstance(db, sqlite3.Connection) else db.conn


class MigrationSet:
    """An ordered set of named migrations: `@migrations(name="0005_x")` registers one."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._migrations: list[Migration] = []

    def __call__(self, *, name: str) -> Callable[[_MigrationFn], _MigrationFn]:
        def register(fn: _MigrationFn) -> _MigrationFn:
            if any(m.name == name for m in self._migrations):
                raise ValueError(f"migration {name!r} is already registered in set {self.name!r}")
            self._migrations.append(Migration(name, fn))
            return fn

        return register

    def applied(self, db: Any) -> list[AppliedMigration]:
        conn = _conn(db)
        exists = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (MIGRATIONS_TABLE,)
        ).fetchone()
        if exists is None:
            return []
        rows = conn.execute(
            f"SELECT name, applied_at FROM {MIGRATIONS_TABLE} WHERE migration_set = ? ORDER BY rowid", (self.name,)
        ).fetchall()
        return [AppliedMigration(str(name), str(applied_at)) for name, applied_at in rows]

    def pending(self, db: Any) -> list[Migration]:
        done = {m.name for m in self.applied(db)}
        return [m for m in self._migrations if m.name not in done]

    def apply(self, db: Any, *, stop_before: str | None = None) -> None:
        """Apply pending migrations in order, each with its record in one savepoint."""
        conn = _conn(db)
        pending = self.pending(conn)
        if not pending:
            return
        if stop_before is not None and stop_before in {m.name for m in self.applied(conn)}:
            raise ValueError(f"cannot stop before migration {stop_before!r}: already applied")
        conn.execute(
            f"CREATE TABLE IF NOT EXISTS {MIGRATIONS_TABLE} "
            "([id] INTEGER PRIMARY KEY, [migration_set] TEXT, [name] TEXT, [applied_at] TEXT)"
        )
        conn.execute(
            f"CREATE UNIQUE INDEX IF NOT EXISTS [idx_{MIGRATIONS_TABLE}_migration_set_name] "
            f"ON {MIGRATIONS_TABLE} ([migration_set], [name])"
        )
        for migration in pending:
            if migration.name == stop_before:
                return
            conn.execute("SAVEPOINT migration")
            try:
                migration.fn(conn)
                conn.execute(
                    f"INSERT INTO {MIGRATIONS_TABLE} (migration_set, name, applied_at) VALUES (?, ?, ?)",
                    (self.name, migration.name, str(dt.datetime.now(dt.UTC))),
                )
            except BaseException:
                conn.execute("ROLLBACK TO migration")
                conn.execute("RELEASE migration")
                raise
            conn.execute("RELEASE migration")


migrations = MigrationSet(MIGRATION_SET)

_V1 = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL)",
    """CREATE TABLE attachments (
        sha256 TEXT PRIMARY KEY CHECK (length(sha256) = 64),
        size INTEGER NOT NULL CHECK (size >= 0),
        media_type TEXT NOT NULL,
        created_at TEXT NOT NULL,
        uploaded_at TEXT,
        purged_at TEXT
    )""",
    """CREATE TABLE cases (
        record_id TEXT PRIMARY KEY,
        case_no TEXT NOT NULL UNIQUE,
        case_seq INTEGER NOT NULL,
        item_code TEXT NOT NULL,
        item_name TEXT NOT NULL,
        state TEXT NOT NULL,
        applicant_kind TEXT NOT NULL CHECK (applicant_kind IN ('person', 'enterprise')),
        applicant_name BLOB,
        applicant_id_number BLOB,
        applicant_credit_code TEXT,
        applicant_phone BLOB,
        applicant_address BLOB,
        legal_representative BLOB,
        contact_name BLOB,
        contact_phone BLOB,
        agent_name BLOB,
        agent_id_number BLOB,
        agent_phone BLOB,
        delivery_method TEXT NOT NULL,
        delivery_address BLOB,
        delivery_postcode TEXT NOT NULL DEFAULT '',
        delivery_phone BLOB,
        division TEXT NOT NULL,
        hall TEXT NOT NULL,
        window TEXT NOT NULL,
        terminal TEXT NOT NULL,
        staff_no TEXT NOT NULL,
        department TEXT NOT NULL,
        jurisdiction TEXT NOT NULL,
        originals TEXT NOT NULL,
        tracking_no TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        expected_date TEXT,
        expected_is_estimate INTEGER NOT NULL DEFAULT 0,
        refusal_reason TEXT NOT NULL DEFAULT '',
        bundle_id TEXT,
        platform_case_no TEXT,
        updated_at TEXT NOT NULL,
        purged_at TEXT
    )""",
    "CREATE INDEX cases_created_at ON cases (created_at)",
    "CREATE INDEX cases_bundle ON cases (bundle_id) WHERE bundle_id IS NOT NULL",
    """CREATE TABLE case_materials (
        case_record_id TEXT NOT NULL REFERENCES cases (record_id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        requirement_code TEXT NOT NULL,
        name TEXT NOT NULL,
        status TEXT NOT NULL,
        count INTEGER NOT NULL DEFAULT 0,
        note TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (case_record_id, position)
    )""",
    """CREATE TABLE case_attachments (
        case_record_id TEXT NOT NULL,
        material_position INTEGER NOT NULL,
        position INTEGER NOT NULL,
        sha256 TEXT NOT NULL REFERENCES attachments (sha256),
        filename BLOB,
        media_type TEXT NOT NULL,
        size INTEGER NOT NULL,
        PRIMARY KEY (case_record_id, material_position, position),
        FOREIGN KEY (case_record_id, material_position)
            REFERENCES case_materials (case_record_id, position) ON DELETE CASCADE
    )""",
    "CREATE INDEX case_attachments_sha ON case_attachments (sha256)",
    """CREATE TABLE receipts (
        record_id TEXT PRIMARY KEY,
        case_no TEXT NOT NULL,
        kind TEXT NOT NULL,
        output TEXT NOT NULL,
        staff_no TEXT NOT NULL,
        printed_at TEXT NOT NULL,
        reprint INTEGER NOT NULL,
        success INTEGER NOT NULL,
        error TEXT NOT NULL DEFAULT ''
    )""",
    "CREATE INDEX receipts_case_no ON receipts (case_no)",
    """CREATE TABLE ratings (
        rating_id TEXT PRIMARY KEY,
        service_act_id TEXT NOT NULL,
        case_no TEXT,
        item_code TEXT,
        division TEXT NOT NULL,
        hall TEXT NOT NULL,
        window TEXT NOT NULL,
        staff_no TEXT NOT NULL,
        terminal TEXT NOT NULL,
        channel TEXT NOT NULL,
        outcome TEXT NOT NULL CHECK (outcome IN ('rated', 'unrated')),
        level INTEGER CHECK (level BETWEEN 1 AND 5),
        requested_at TEXT NOT NULL,
        rated_at TEXT,
        reasons TEXT NOT NULL DEFAULT '[]',
        tags TEXT NOT NULL DEFAULT '[]',
        text TEXT NOT NULL DEFAULT '',
        callback_consent INTEGER NOT NULL DEFAULT 0,
        CHECK ((outcome = 'rated') = (level IS NOT NULL))
    )""",
    "CREATE INDEX ratings_case_no ON ratings (case_no) WHERE case_no IS NOT NULL",
    "CREATE INDEX ratings_service_act ON ratings (service_act_id)",
    """CREATE TABLE outbox (
        record_id TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('case', 'receipt', 'rating', 'event')),
        terminal_seq INTEGER NOT NULL UNIQUE,
        depends_on TEXT REFERENCES outbox (record_id),
        body TEXT NOT NULL,
        body_sha256 TEXT NOT NULL CHECK (length(body_sha256) = 64),
        body_bytes INTEGER NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'dead')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT NOT NULL,
        last_error TEXT NOT NULL DEFAULT '',
        server_ref TEXT,
        accepted_at TEXT,
        sent_at TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    "CREATE INDEX outbox_state_seq ON outbox (state, terminal_seq)",
    "CREATE INDEX outbox_depends_on ON outbox (depends_on) WHERE depends_on IS NOT NULL",
    """CREATE TABLE drafts (
        key TEXT PRIMARY KEY,
        payload BLOB NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    """CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        record_id TEXT,
        detail TEXT NOT NULL DEFAULT ''
    )""",
    "CREATE INDEX audit_log_record ON audit_log (record_id) WHERE record_id IS NOT NULL",
    """CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
    """CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
    """CREATE TABLE case_sequences (
        prefix TEXT NOT NULL,
        day TEXT NOT NULL,
        last_seq INTEGER NOT NULL CHECK (last_seq >= 0),
        PRIMARY KEY (prefix, day)
    )""",
    """CREATE TABLE terminal_seq (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        last_seq INTEGER NOT NULL CHECK (last_seq >= 0)
    )""",
    "INSERT INTO terminal_seq (id, last_seq) VALUES (1, 0)",
)

_V2 = (
    """CREATE TABLE staff (
        staff_no TEXT PRIMARY KEY,
        display_name TEXT NOT NULL,
        pin_hash BLOB,
        pin_salt BLOB,
        disabled INTEGER NOT NULL DEFAULT 0,
        failed_tries INTEGER NOT NULL DEFAULT 0,
        locked_until TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    """CREATE TABLE rating_requests (
        service_act_id TEXT PRIMARY KEY,
        case_no TEXT,
        channel TEXT NOT NULL,
        requested_at TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'expired')),
        updated_at TEXT NOT NULL
    )""",
    "CREATE INDEX rating_requests_pending ON rating_requests (state) WHERE state = 'pending'",
)


def _run(db: Db, statements: Sequence[str]) -> None:
    for sql in statements:
        db.execute(sql)


@migrations(name="0001_initial")
def _m0001_initial(db: Db) -> None:
    _run(db, _V1)


@migrations(name="0002_staff_and_rating_requests")
def _m0002_staff_and_rating_requests(db: Db) -> None:
    _run(db, _V2)


_V3_RATING_REQUEST_CONTEXT = (
    # What a pending request needs to be resumed after a restart (the item and the clerk it rates).
    "ALTER TABLE rating_requests ADD COLUMN item_code TEXT",
    "ALTER TABLE rating_requests ADD COLUMN staff_no TEXT NOT NULL DEFAULT ''",
)


@migrations(name="0003_rating_request_context")
def _m0003_rating_request_context(db: Db) -> None:
    _run(db, _V3_RATING_REQUEST_CONTEXT)


_V4_STAFF_ROLES = (
    # Issue 11: a clerk takes cases; an admin may also enrol the terminal, change its key, change settings,
    # export dead letters and manage staff. Existing staff become clerks.
    "ALTER TABLE staff ADD COLUMN role TEXT NOT NULL DEFAULT 'clerk' CHECK (role IN ('clerk', 'admin'))",
)


@migrations(name="0004_staff_roles")
def _m0004_staff_roles(db: Db) -> None:
    _run(db, _V4_STAFF_ROLES)


_V5_ONE_RATING_PER_ACT = (
    # Issue 11: one rating per service act, also when two rating screens (processes) share the data dir. Ratings
    # stored twice before this migration stay (they may have been uploaded) but the later ones are marked as
    # duplicates of the first and no longer count; the index keeps any new second one out.
    "ALTER TABLE ratings ADD COLUMN duplicate_of TEXT",
    """UPDATE ratings SET duplicate_of = (
            SELECT first.rating_id FROM ratings AS first
            WHERE first.service_act_id = ratings.service_act_id ORDER BY first.rowid LIMIT 1)
        WHERE rowid NOT IN (SELECT min(rowid) FROM ratings GROUP BY service_act_id)""",
    "CREATE UNIQUE INDEX ratings_one_per_act ON ratings (service_act_id) WHERE duplicate_of IS NULL",
)


@migrations(name="0005_one_rating_per_act")
def _m0005_one_rating_per_act(db: Db) -> None:
    _run(db, _V5_ONE_RATING_PER_ACT)


_V6_PRINT_QUEUE = (
    # Issue 11 item 4: a print that failed stays listed after a restart until it is retried, redirected or
    # dismissed. No personal data: the documents are rebuilt from the stored case.
    """CREATE TABLE print_queue (
        job_id TEXT PRIMARY KEY,
        case_no TEXT NOT NULL,
        output TEXT NOT NULL CHECK (output IN ('thermal', 'printer', 'pdf')),
        staff_no TEXT NOT NULL,
        created_at TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        error TEXT NOT NULL DEFAULT ''
    )""",
)


@migrations(name="0006_print_queue")
def _m0006_print_queue(db: Db) -> None:
    _run(db, _V6_PRINT_QUEUE)


@migrations(name="0007_material_licence_no")
def _m0007_material_licence_no(db: Db) -> None:
    # Issue 18: a material satisfied by an electronic licence (status e_licence) keeps the licence's number.
    _run(db, ("ALTER TABLE case_materials ADD COLUMN licence_no TEXT NOT NULL DEFAULT ''",))


@migrations(name="0008_online_assists")
def _m0008_online_assists(db: Db) -> None:
    # Issue 18: 帮办 of online filing, its own record kind; the applicant is stored masked only.
    _run(
        db,
        (
            """CREATE TABLE online_assists (
                record_id TEXT PRIMARY KEY,
                item_code TEXT NOT NULL,
                item_name TEXT NOT NULL,
                portal_app_no TEXT NOT NULL,
                applicant_masked TEXT NOT NULL,
                outcome TEXT NOT NULL CHECK (outcome IN ('submitted', 'incomplete', 'failed')),
                division TEXT NOT NULL,
                hall TEXT NOT NULL,
                window TEXT NOT NULL,
                terminal TEXT NOT NULL,
                staff_no TEXT NOT NULL,
                assisted_at TEXT NOT NULL
            )""",
            "CREATE INDEX online_assists_at ON online_assists (assisted_at)",
        ),
    )
    _allow_outbox_kind(db, "assist")


@migrations(name="0009_licence_checks")
def _m0009_licence_checks(db: Db) -> None:
    # Issue 18: declared e-licence numbers stored unverified (platform unreachable), checked on sync; a failed
    # check is the clerk's follow-up.
    _run(
        db,
        (
            """CREATE TABLE licence_checks (
                case_record_id TEXT NOT NULL REFERENCES cases (record_id) ON DELETE CASCADE,
                material_code TEXT NOT NULL,
                licence_type TEXT NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('unverified', 'verified', 'failed')),
                reason TEXT NOT NULL DEFAULT '',
                created_at TEXT NOT NULL,
                checked_at TEXT,
                PRIMARY KEY (case_record_id, material_code)
            )""",
            "CREATE INDEX licence_checks_state ON licence_checks (state)",
        ),
    )


@migrations(name="0010_bundle_parents")
def _m0010_bundle_parents(db: Db) -> None:
    # Issue 17: a 一件事 bundle's parent case, with a case number of its own from the same day sequence as cases.
    # The members keep their shared `bundle_id` (cases.bundle_id); the parent row holds no personal data.
    _run(
        db,
        (
            """CREATE TABLE bundles (
                case_no TEXT PRIMARY KEY,
                case_seq INTEGER NOT NULL,
                bundle_id TEXT NOT NULL UNIQUE,
                bundle_code TEXT NOT NULL,
                bundle_name TEXT NOT NULL,
                staff_no TEXT NOT NULL,
                created_at TEXT NOT NULL
            )""",
        ),
    )


def _allow_outbox_kind(db: Db, kind: str) -> None:
    """Widen the outbox's CHECK on `kind` to one more record kind, in place.

    SQLite cannot ALTER a CHECK constraint; widening one changes nothing stored, so the table definition is edited
    in `sqlite_schema` (the procedure of https://sqlite.org/lang_altertable.html, "Making Other Kinds Of Table
    Schema Changes", for changes that do not affect the on-disk content) rather than copying the whole queue.
    """
    conn = db
    (sql,) = conn.execute("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'outbox'").fetchone()
    old = "CHECK (kind IN ('case', 'receipt', 'rating', 'event'"
    if old not in sql or f"'{kind}'" in sql:
        raise RuntimeError("outbox kind constraint is not the one this migration knows")
    (version,) = conn.execute("PRAGMA schema_version").fetchone()
    conn.execute("PRAGMA writable_schema = ON")
    try:
        conn.execute(
            "UPDATE sqlite_schema SET sql = ? WHERE type = 'table' AND name = 'outbox'",
            (sql.replace(old, f"{old}, '{kind}'"),),
        )
        conn.execute(f"PRAGMA schema_version = {int(version) + 1}")
    finally:
        conn.execute("PRAGMA writable_schema = OFF")


MIGRATION_NAMES: tuple[str, ...] = (
    "0001_initial",
    "0002_staff_and_rating_requests",
    "0003_rating_request_context",
    "0004_staff_roles",
    "0005_one_rating_per_act",
    "0006_print_queue",
    "0007_material_licence_no",
    "0008_online_assists",
    "0009_licence_checks",
    "0010_bundle_parents",
)
SCHEMA_VERSION = len(MIGRATION_NAMES)

_NUMBER = re.compile(r"^(\d+)_")


def _number(name: str) -> int:
    match = _NUMBER.match(name)
    return int(match.group(1)) if match else 0


def schema_version(db: Any) -> int:
    """Number of the newest applied migration of our set (0 for an empty database)."""
    return max((_number(m.name) for m in migrations.applied(db)), default=0)


def check_not_newer(db: Any) -> None:
    unknown = [m.name for m in migrations.applied(db) if m.name not in MIGRATION_NAMES]
    if unknown:
        raise NewerSchemaError(max(schema_version(db), SCHEMA_VERSION + 1), SCHEMA_VERSION)


def migrate(db: Any, *, stop_before: str | None = None) -> None:
    """Apply pending migrations. The caller holds a write transaction, so concurrent openers serialise."""
    check_not_newer(db)
    migrations.apply(db, stop_before=stop_before)
