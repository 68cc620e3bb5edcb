"""The platform's tables (SQLAlchemy Core), shared by SQLite and PostgreSQL.

These describe the current schema; `migrations.py` creates and upgrades a database to it. A change here needs a
new migration step, never an edit of an old one.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

# BigInteger is INTEGER on SQLite (so an INTEGER PRIMARY KEY stays the rowid alias) and BIGINT on PostgreSQL.
Seq = BigInteger().with_variant(Integer(), "sqlite")

schema_version = Table(
    "schema_version",
    metadata,
    Column("version", Integer, primary_key=True),
    Column("applied_at", String(40), nullable=False),
    Column("description", Text, nullable=False),
)

meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

devices = Table(
    "devices",
    metadata,
    Column("device_id", String(36), primary_key=True),
    Column("division", String(6), nullable=False),
    Column("hall", String(2), nullable=False),
    Column("window", String(16), nullable=False),
    Column("terminal", String(3), nullable=False),
    # The secret must be readable to verify HMACs; protect the database file like a key store.
    Column("key_id", String(36), nullable=False),
    Column("secret", String(64), nullable=False),
    Column("pending_key_id", String(36)),
    Column("pending_secret", String(64)),
    Column("created_at", String(40), nullable=False),
    Column("last_seen_at", String(40)),
    Column("revoked_at", String(40)),
)
Index("ix_devices_terminal", devices.c.division, devices.c.hall, devices.c.terminal)

enrol_codes = Table(
    "enrol_codes",
    metadata,
    Column("code_sha256", String(64), primary_key=True),
    Column("division", String(6), nullable=False),
    Column("hall", String(2), nullable=False),
    Column("window", String(16), nullable=False),
    Column("terminal", String(3), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("expires_at", String(40), nullable=False),
    Column("used_at", String(40)),
    Column("device_id", String(36)),
)

nonces = Table(
    "nonces",
    metadata,
    Column("device_id", String(36), primary_key=True),
    Column("nonce", String(64), primary_key=True),
    Column("seen_at", BigInteger, nullable=False),
)
Index("ix_nonces_seen_at", nonces.c.seen_at)

records = Table(
    "records",
    metadata,
    Column("record_id", String(36), primary_key=True),
    # division + hall + terminal code: the terminal's identity across re-enrolments.
    Column("terminal_key", String(11), nullable=False),
    Column("terminal_seq", BigInteger, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("schema", Integer, nullable=False),
    Column("device_id", String(36), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("depends_on", String(36)),
    Column("body_sha256", String(64), nullable=False),
    Column("body", Text, nullable=False),
    Column("server_ref", String(40), nullable=False),
    Column("received_at", String(40), nullable=False),
    UniqueConstraint("terminal_key", "terminal_seq", name="uq_records_terminal_seq"),
)
Index("ix_records_received_at", records.c.received_at)

cases = Table(
    "cases",
    metadata,
    Column("case_no", String(26), primary_key=True),
    Column("record_id", String(36), nullable=False),
    Column("hall_key", String(8), nullable=False),
    Column("item_code", String(64), nullable=False),
    Column("item_name", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("updated_at", String(40), nullable=False),
)

case_history = Table(
    "case_history",
    metadata,
    Column("id", Seq, primary_key=True, autoincrement=True),
    Column("case_no", String(26), ForeignKey("cases.case_no"), nullable=False),
    Column("status", String(16), nullable=False),
    Column("at", String(40), nullable=False),
    Column("note", Text, nullable=False),
    Column("source", String(16), nullable=False),
)
Index("ix_case_history_case", case_history.c.case_no)

#: The updates feed: a server-assigned sequence, never a timestamp (SYNC_PROTOCOL.md).
changes = Table(
    "changes",
    metadata,
    Column("seq", Seq, primary_key=True, autoincrement=True),
    Column("hall_key", String(8), nullable=False),
    Column("case_no", String(26), nullable=False),
    Column("type", String(16), nullable=False),
    Column("payload", Text, nullable=False),
    Column("created_at", String(40), nullable=False),
)
Index("ix_changes_hall_seq", changes.c.hall_key, changes.c.seq)

blobs = Table(
    "blobs",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("device_id", String(36), nullable=False),
    Column("received_at", String(40), nullable=False),
)

catalogue = Table(
    "catalogue",
    metadata,
    Column("id", Integer, primary_key=True),  # always 1: the current snapshot
    Column("etag", String(80), nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("item_count", Integer, nullable=False),
    Column("imported_at", String(40), nullable=False),
)


# --- version 2: ratings, 差评 follow-up, supervisor login -------------------------------------------------------

ratings = Table(
    "ratings",
    metadata,
    # The rating's record_id (terminal ratings) or `qr-<uuid>` (ratings from the receipt QR page).
    Column("rating_key", String(40), primary_key=True),
    Column("case_no", String(26)),
    Column("hall_key", String(8), nullable=False),
    Column("window", String(16), nullable=False),
    Column("staff_no", String(32), nullable=False),
    Column("item_code", String(64), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("outcome", String(8), nullable=False),
    Column("level", Integer),
    Column("reasons", Text, nullable=False),  # JSON list
    Column("tags", Text, nullable=False),  # JSON list
    Column("text", Text, nullable=False),
    Column("callback_consent", Integer, nullable=False),
    Column("rated_at", String(40)),
    Column("received_at", String(40), nullable=False),
)
Index("ix_ratings_received_at", ratings.c.received_at)
Index("ix_ratings_case_no", ratings.c.case_no)
# One rating per case through the receipt QR (一事一评), enforced by the database.
Index(
    "uq_ratings_qr_case",
    ratings.c.case_no,
    unique=True,
    sqlite_where=ratings.c.channel == "receipt_qr",
    postgresql_where=ratings.c.channel == "receipt_qr",
)

follow_ups = Table(
    "follow_ups",
    metadata,
    Column("rating_key", String(40), ForeignKey("ratings.rating_key"), primary_key=True),
    Column("state", String(16), nullable=False),
    Column("assignee", Text, nullable=False),
    Column("callback_due", String(10), nullable=False),  # ISO date
    Column("feedback_due", String(10), nullable=False),
    Column("updated_at", String(40), nullable=False),
)

follow_up_events = Table(
    "follow_up_events",
    metadata,
    Column("id", Seq, primary_key=True, autoincrement=True),
    Column("rating_key", String(40), ForeignKey("follow_ups.rating_key"), nullable=False),
    Column("state", String(16), nullable=False),
    Column("note", Text, nullable=False),
    Column("at", String(40), nullable=False),
)
Index("ix_follow_up_events_key", follow_up_events.c.rating_key)

V1_TABLES = (
    schema_version,
    meta,
    devices,
    enrol_codes,
    nonces,
    records,
    cases,
    case_history,
    changes,
    blobs,
    catalogue,
)
V2_TABLES = (ratings, follow_ups, follow_up_events)


# --- version 3: electronic licence library (电子证照) and its access audit ----------------------------------------

licences = Table(
    "licences",
    metadata,
    Column("licence_no", String(64), primary_key=True),
    Column("licence_type", String(16), nullable=False),
    # SHA-256 of the holder's ID number or credit code (upper case): lookups never need the number itself.
    Column("holder_key", String(64), nullable=False),
    Column("holder_masked", String(32), nullable=False),
    Column("issuer", Text, nullable=False),
    Column("valid_from", String(10), nullable=False),  # ISO date
    Column("valid_until", String(10)),  # ISO date; NULL = 长期
    Column("media_type", String(40), nullable=False),
    Column("image", LargeBinary, nullable=False),
    Column("loaded_at", String(40), nullable=False),
)
Index("ix_licences_holder", licences.c.holder_key)

licence_consents = Table(
    "licence_consents",
    metadata,
    Column("token_sha256", String(64), primary_key=True),
    Column("holder_key", String(64), nullable=False),
    Column("holder_masked", String(32), nullable=False),
    Column("device_id", String(36), nullable=False),
    Column("case_ref", String(40), nullable=False),
    Column("staff_no", String(32), nullable=False),
    Column("method", String(16), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("expires_at", BigInteger, nullable=False),  # Unix seconds
)

licence_access = Table(
    "licence_access",
    metadata,
    Column("id", Seq, primary_key=True, autoincrement=True),
    Column("at", String(40), nullable=False),
    Column("device_id", String(36), nullable=False),
    Column("terminal_key", String(11), nullable=False),
    Column("window", String(16), nullable=False),
    Column("staff_no", String(32), nullable=False),
    Column("case_ref", String(40), nullable=False),
    Column("action", String(16), nullable=False),  # consent | list | fetch | verify
    Column("licence_no", String(64)),
    Column("licence_type", String(16)),
    Column("holder_masked", String(32), nullable=False),
    Column("outcome", String(24), nullable=False),
)
Index("ix_licence_access_at", licence_access.c.at)

V3_TABLES = (licences, licence_consents, licence_access)


# --- version 4: 一件事 bundles -----------------------------------------------------------------------------------

#: Which cases were taken in together as one 一件事 (the case body's `bundle_id`, issue 17).
bundle_members = Table(
    "bundle_members",
    metadata,
    Column("case_no", String(26), ForeignKey("cases.case_no"), primary_key=True),
    Column("bundle_id", String(64), nullable=False),
    Column("hall_key", String(8), nullable=False),
    Column("created_at", String(40), nullable=False),
)
Index("ix_bundle_members_bundle", bundle_members.c.bundle_id)

V4_TABLES = (bundle_members,)


# --- version 5: 帮办 of online filing (issue 18) -------------------------------------------------------------------

assists = Table(
    "assists",
    metadata,
    Column("record_id", String(36), primary_key=True),
    Column("hall_key", String(8), nullable=False),
    Column("window", String(16), nullable=False),
    Column("staff_no", String(32), nullable=False),
    Column("item_code", String(64), nullable=False),
    Column("portal_app_no", String(32), nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("assisted_at", String(40), nullable=False),  # the terminal's created_at
    Column("received_at", String(40), nullable=False),
)
Index("ix_assists_assisted_at", assists.c.assisted_at)

V5_TABLES = (assists,)


# --- version 6: 一件事 parent cases (issue 17) --------------------------------------------------------------------

#: A 一件事's parent case: the number of its own the terminal gave it (same numbering as case numbers), filled at
#: ingest from the members' `parent_case_no`; the members are linked by `bundle_id` (bundle_members).
bundles = Table(
    "bundles",
    metadata,
    Column("parent_case_no", String(26), primary_key=True),
    Column("bundle_id", String(64), nullable=False, unique=True),
    Column("bundle_name", Text, nullable=False),
    Column("hall_key", String(8), nullable=False),
    Column("created_at", String(40), nullable=False),
)

V6_TABLES = (bundles,)
