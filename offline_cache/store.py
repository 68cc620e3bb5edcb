"""The terminal's store: `open_store()` and the use-case writes that must be one transaction each."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import logging
import sqlite3
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from app.protocol import RecordKind, clean_text
from offline_cache import schema
from offline_cache.audit import AuditLog, append_audit
from offline_cache.connection import CorruptDatabaseError, move_aside, open_checked
from offline_cache.crypto import FieldCipher
from offline_cache.errors import RatingAlreadyRecordedError, StoreError, from_sqlite
from offline_cache.keys import KeyProvider, default_key_provider
from offline_cache.outbox import Outbox
from offline_cache.session import Clock, Session, iso, utc_now
from offline_cache.settings import Settings
from offline_cache.staff import StaffRepository

if TYPE_CHECKING:
    import sqlite_utils

    from app.domain.models import Case, OnlineAssist, Rating, ReceiptRecord
    from offline_cache import salvage
    from offline_cache.blobs import Blobs
    from offline_cache.bundles import BundleParent, Bundles
    from offline_cache.case_events import CaseEvents
    from offline_cache.cases import Cases
    from offline_cache.drafts import Drafts
    from offline_cache.licence_checks import LicenceChecks
    from offline_cache.numbering import CaseNumberFactory
    from offline_cache.print_queue import PrintQueueRepository
    from offline_cache.purge import InUse, PurgeReport
    from offline_cache.ratings import Ratings
    from offline_cache.receipts import Receipts

log = logging.getLogger("tongban.store")

_KEY_CHECK = "key_check"
_KEY_PROOF = "key_proof"


@dataclass(frozen=True, slots=True)
class SavedCase:
    case: Case  # with its case number
    case_seq: int
    terminal_seq: int


@dataclass(frozen=True, slots=True)
class SavedBundle:
    parent: BundleParent  # the parent case with its own number
    members: tuple[SavedCase, ...]  # in number order, each after the parent's


@dataclass(frozen=True, slots=True)
class SavedRecord:
    record_id: str
    terminal_seq: int


_T = TypeVar("_T")


def without_bad_text(value: _T) -> _T:
    """`value` with NUL removed and lone surrogates replaced in every string, nested dataclasses included.

    SYNC_PROTOCOL.md "Revisions": such text has no UTF-8 form (surrogates) or no place in PostgreSQL (NUL) and is
    refused by the platform as `bad_text`; the terminal keeps it out of its tables and its outbox. Unchanged
    values come back as the same objects.
    """
    cleaned: object = value
    if isinstance(value, str):
        cleaned = clean_text(value)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes: dict[str, object] = {}
        for f in dataclasses.fields(value):
            if f.init:
                old = getattr(value, f.name)
                new = without_bad_text(old)
                if new is not old:
                    changes[f.name] = new
        if changes:
            cleaned = dataclasses.replace(value, **changes)
    elif isinstance(value, tuple | list):
        items = [without_bad_text(v) for v in value]
        if any(a is not b for a, b in zip(items, value, strict=True)):
            cleaned = type(value)(items)
    elif isinstance(value, dict):
        pairs = [(without_bad_text(k), without_bad_text(v)) for k, v in value.items()]
        if any(a is not k or b is not v for (a, b), (k, v) in zip(pairs, value.items(), strict=True)):
            cleaned = dict(pairs)
    return cast(_T, cleaned)


class Store:
    """One connection, owned by the thread that opened it. Open one Store per thread (GUI, sync worker).

    Attributes: `cases`, `receipts`, `ratings`, `outbox`, `blobs`, `drafts`, `audit`, `settings`, `staff`,
    `print_queue`, `case_events`, `bundles` (repositories); `recovered_from` is where a damaged database was moved
    at open (None normally) for the UI to report.
    """

    def __init__(self, path: Path, session: Session, db: Any, *, blobs_dir: Path, recovered_from: Path | None) -> None:
        """`db`: the sqlite3 connection (or sqlite-utils' Database around it)."""
        self.path = path
        self.conn: sqlite3.Connection = db if isinstance(db, sqlite3.Connection) else db.conn
        self._db: sqlite_utils.Database | None = None if isinstance(db, sqlite3.Connection) else db
        self.recovered_from = recovered_from
        #: What was copied from the damaged file (with `recovered_from`), e.g. `salvaged.pending` records to resend.
        self.salvaged: salvage.SalvageReport | None = None
        self._s = session
        self._s.cipher.on_first_use = self._complete_key_check_quietly
        self._blobs_dir = blobs_dir
        # What the sign-in page needs (staff, audit, the outbox's counts, settings) is built here; the other
        # repositories, with their modules and the domain models, on first use (start-up time, issue 13).
        self.outbox = Outbox(session)
        self.audit = AuditLog(session)
        self.settings = Settings(session)
        self.staff = StaffRepository(session)
        self._licence_checks: LicenceChecks | None = None

    def complete_key_check(self) -> None:
        """Write the AES-GCM `key_check` of a database that has only the HMAC proof (made by this version: see
        `_cipher`), so that an earlier version of the program can still prove its key. Nothing when present.

        The store calls it when this connection first encrypts or decrypts a value (cryptography is loaded then
        anyway): a terminal that has only shown its sign-in page never loads it (~10 MB resident, issue 13)."""
        if self.conn.execute("SELECT 1 FROM meta WHERE key = ?", (_KEY_CHECK,)).fetchone() is not None:
            return
        try:
            self.conn.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", (_KEY_CHECK, self._s.cipher.key_check())
            )
        except sqlite3.Error as exc:
            raise from_sqlite(exc) from exc

    def _complete_key_check_quietly(self) -> None:
        """`complete_key_check` at the cipher's first use; a failure (read-only file, busy) only defers it: the
        next start tries again, and an earlier version writes its own key_check into a database without one."""
        try:
            self.complete_key_check()
        except (StoreError, sqlite3.Error) as exc:
            log.info("the database's key_check is written later (%s)", type(exc).__name__)

    @functools.cached_property
    def cases(self) -> Cases:
        from offline_cache.cases import Cases

        return Cases(self._s)

    @functools.cached_property
    def receipts(self) -> Receipts:
        from offline_cache.receipts import Receipts

        return Receipts(self._s)

    @functools.cached_property
    def ratings(self) -> Ratings:
        from offline_cache.ratings import Ratings

        return Ratings(self._s)

    @functools.cached_property
    def blobs(self) -> Blobs:
        from offline_cache.blobs import Blobs

        return Blobs(self._s, self._blobs_dir)

    @functools.cached_property
    def drafts(self) -> Drafts:
        from offline_cache.drafts import Drafts

        return Drafts(self._s)

    @functools.cached_property
    def print_queue(self) -> PrintQueueRepository:
        from offline_cache.print_queue import PrintQueueRepository

        return PrintQueueRepository(self._s)

    @functools.cached_property
    def case_events(self) -> CaseEvents:
        from offline_cache.case_events import CaseEvents

        return CaseEvents(self._s, self.outbox)

    @functools.cached_property
    def bundles(self) -> Bundles:
        """一件事 parent cases."""
        from offline_cache.bundles import Bundles

        return Bundles(self._s)

    @property
    def licence_checks(self) -> LicenceChecks:
        """Declared e-licences still to verify (imported on first use: only sync and scripted intake need it)."""
        if self._licence_checks is None:
            from offline_cache.licence_checks import LicenceChecks

            self._licence_checks = LicenceChecks(self._s)
        return self._licence_checks

    @property
    def db(self) -> sqlite_utils.Database:
        """sqlite-utils' view of the connection, for tools and tests (imported on first use: start-up time)."""
        if self._db is None:
            import sqlite_utils

            self._db = sqlite_utils.Database(self.conn, execute_plugins=False)
        return self._db

    @property
    def schema_version(self) -> int:
        return schema.schema_version(self.conn)

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        """One write transaction around several store calls (e.g. applying one batch result)."""
        return self._s.write()

    # --- use cases: record + outbox + audit, one transaction each ------------------------------------------

    def save_case(
        self, case: Case, *, actor: str, number_factory: CaseNumberFactory | None = None, day: dt.date | None = None
    ) -> SavedCase:
        """Number and save a new case with its outbox entry and audit entry, all or nothing.

        `case.case_no` must be empty: the number is made inside the transaction by `number_factory(day, seq)`
        (default: DOMAIN.md's 26-digit number from the routing), `seq` counting per terminal and local `day`
        (default: the hall's date of `case.created_at`, `app.domain.hall_time`).
        """
        from app.domain import hall_time
        from app.domain.models import CaseState
        from offline_cache import numbering, records

        if case.case_no:
            raise ValueError("the store assigns case numbers: pass the case with case_no=''")
        if case.state not in {CaseState.RECEIVED, CaseState.REFUSED}:
            raise ValueError("only received or refused cases are saved; drafts go to store.drafts")
        case = without_bad_text(case)
        r = case.routing
        factory = number_factory or numbering.default_factory(r)
        prefix = f"{r.division}{r.hall}{r.terminal}"
        on_day = day or hall_time.today(case.created_at)  # the hall's day, whatever the PC's zone
        with self._s.write() as conn:
            seq = numbering.allocate(conn, prefix, on_day)
            numbered = dataclasses.replace(case, case_no=factory(on_day, seq))
            self.cases.insert(conn, numbered, case_seq=seq)
            tseq = self.outbox.add(
                conn, record_id=case.record_id, kind=RecordKind.CASE, body=records.case_body(numbered), depends_on=None
            )
            append_audit(conn, self._s.now(), actor, "case_saved", record_id=case.record_id, detail=case.state.value)
        return SavedCase(case=numbered, case_seq=seq, terminal_seq=tseq)

    def save_bundle(
        self, cases: Sequence[Case], *, bundle_code: str, bundle_name: str, actor: str, day: dt.date | None = None
    ) -> SavedBundle:
        """Number and save a 一件事: its parent case and every member, all or nothing (issue 17).

        The members (`case_no` empty, state received, one shared `bundle_id`, one terminal's routing) are saved as
        `save_case` saves a case. The parent takes the first number of the same day sequence, so it is unique
        across terminals exactly as a case number is, and never equal to a member's. Each member's outbox body
        carries the link: `parent_case_no` and `bundle_name` (docs/central.md "一件事 bundles").
        """
        from app.domain import hall_time
        from app.domain.models import CaseState
        from offline_cache import numbering, records
        from offline_cache.bundles import BundleParent

        if not cases:
            raise ValueError("a bundle has at least one member")
        bundle_ids = {c.bundle_id for c in cases}
        if len(bundle_ids) != 1 or not next(iter(bundle_ids)):
            raise ValueError("the members of a bundle share one bundle_id")
        if any(c.case_no or c.state is not CaseState.RECEIVED for c in cases):
            raise ValueError("bundle members are received cases without a number")
        cases = [without_bad_text(c) for c in cases]
        r = cases[0].routing
        prefixes = {f"{c.routing.division}{c.routing.hall}{c.routing.terminal}" for c in cases}
        if len(prefixes) != 1:
            raise ValueError("the members of a bundle are numbered by one terminal")
        factory = numbering.default_factory(r)
        prefix = prefixes.pop()
        on_day = day or hall_time.today(cases[0].created_at)
        bundle_id = str(cases[0].bundle_id)
        saved: list[SavedCase] = []
        with self._s.write() as conn:
            parent_seq = numbering.allocate(conn, prefix, on_day)
            parent = BundleParent(
                case_no=factory(on_day, parent_seq),
                case_seq=parent_seq,
                bundle_id=bundle_id,
                bundle_code=bundle_code,
                bundle_name=clean_text(bundle_name),
                staff_no=r.staff_no,
                created_at=cases[0].created_at,
            )
            self.bundles.insert(conn, parent)
            for case in cases:
                seq = numbering.allocate(conn, prefix, on_day)
                numbered = dataclasses.replace(case, case_no=factory(on_day, seq))
                self.cases.insert(conn, numbered, case_seq=seq)
                body = records.case_body(numbered)
                body.update(parent_case_no=parent.case_no, bundle_name=parent.bundle_name)
                tseq = self.outbox.add(conn, record_id=case.record_id, kind=RecordKind.CASE, body=body, depends_on=None)
                append_audit(conn, self._s.now(), actor, "case_saved", record_id=case.record_id, detail="received")
                saved.append(SavedCase(case=numbered, case_seq=seq, terminal_seq=tseq))
            append_audit(conn, self._s.now(), actor, "bundle_saved", record_id=parent.case_no, detail=str(len(saved)))
        return SavedBundle(parent=parent, members=tuple(saved))

    def save_receipt(self, record: ReceiptRecord, *, actor: str) -> SavedRecord:
        """Log a print (or failed print / reprint) and queue it; depends on its case when the case is local."""
        from offline_cache import records

        record = without_bad_text(record)
        with self._s.write() as conn:
            self.receipts.insert(conn, record)
            tseq = self.outbox.add(
                conn,
                record_id=record.record_id,
                kind=RecordKind.RECEIPT,
                body=records.receipt_body(record),
                depends_on=self.cases.record_id_of(record.case_no),
            )
            action = "receipt_reprinted" if record.reprint else "receipt_printed"
            append_audit(
                conn,
                self._s.now(),
                actor,
                action,
                record_id=record.record_id,
                detail="ok" if record.success else "failed",
            )
        return SavedRecord(record.record_id, tseq)

    def save_rating(self, rating: Rating, *, actor: str) -> SavedRecord:
        """Save a rating and queue it; depends on its case when the case is local.

        Raises `RatingAlreadyRecordedError` (nothing stored) when the service act already has its rating: its
        request is no longer pending, or a rating for the act exists.
        """
        from offline_cache import records

        rating = without_bad_text(rating)
        with self._s.write() as conn:
            # The claim and the insert are one BEGIN IMMEDIATE transaction: of two rating screens (two processes)
            # answering the same act, only the first stores anything (issue 11).
            if not self.ratings.claim_request(conn, rating.service_act_id, now=self._s.now()):
                raise RatingAlreadyRecordedError(rating.service_act_id)
            parent = self.cases.record_id_of(rating.case_no) if rating.case_no else None
            bundle = self.bundles.get(rating.case_no) if rating.case_no and parent is None else None
            if bundle is not None:  # 一事一评 of a 一件事 (its parent's number): after every member
                parent = self.bundles.last_member(bundle.bundle_id)
            try:
                self.ratings.insert(conn, rating)
            except sqlite3.IntegrityError as exc:  # the unique index: this act already has its rating
                raise RatingAlreadyRecordedError(rating.service_act_id) from exc
            tseq = self.outbox.add(
                conn,
                record_id=rating.rating_id,
                kind=RecordKind.RATING,
                body=records.rating_body(rating),
                depends_on=parent,
            )
            append_audit(
                conn, self._s.now(), actor, "rating_saved", record_id=rating.rating_id, detail=rating.outcome.value
            )
        return SavedRecord(rating.rating_id, tseq)

    def save_assist(self, assist: OnlineAssist, *, actor: str) -> SavedRecord:
        """Store a 帮办 record and queue it (kind `assist`) in one transaction."""
        from offline_cache import records

        with self._s.write() as conn:
            conn.execute(
                "INSERT INTO online_assists (record_id, item_code, item_name, portal_app_no, applicant_masked,"
                " outcome, division, hall, window, terminal, staff_no, assisted_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    assist.record_id,
                    assist.item_code,
                    assist.item_name,
                    assist.portal_app_no,
                    assist.applicant_masked,
                    assist.outcome.value,
                    assist.division,
                    assist.hall,
                    assist.window,
                    assist.terminal,
                    assist.staff_no,
                    iso(assist.assisted_at),
                ),
            )
            tseq = self.outbox.add(
                conn,
                record_id=assist.record_id,
                kind=RecordKind.ASSIST,
                body=records.assist_body(assist),
                depends_on=None,
            )
            append_audit(
                conn, self._s.now(), actor, "assist_saved", record_id=assist.record_id, detail=assist.outcome.value
            )
        return SavedRecord(assist.record_id, tseq)

    def assists_between(self, start: dt.datetime, end: dt.datetime) -> list[tuple[str, str, str, str]]:
        """(item_code, outcome, window, staff_no) of the 帮办 records with start <= assisted_at < end."""
        rows = self._s.conn.execute(
            "SELECT item_code, outcome, window, staff_no FROM online_assists"
            " WHERE assisted_at >= ? AND assisted_at < ? ORDER BY assisted_at",
            (iso(start), iso(end)),
        )
        return [(str(r[0]), str(r[1]), str(r[2]), str(r[3])) for r in rows]

    def purge_personal_data(
        self, now: dt.datetime, retention_days: int, *, actor: str = "retention", in_use: InUse | None = None
    ) -> PurgeReport:
        """Overwrite personal data of cases acknowledged more than `retention_days` ago; drop stale drafts (never
        those in `in_use`, nor the scans it names); remove scan files no index row points at."""
        from offline_cache.purge import InUse, PurgeReport, purge_personal_data

        ids, drafts = purge_personal_data(
            self._s, now=now, retention_days=retention_days, actor=actor, in_use=in_use or InUse()
        )
        blobs = self.blobs.remove_purged_files()
        orphans = self.blobs.remove_orphan_files(now)
        if ids:
            # Old page images in the WAL still hold the ciphertext: copy the new pages back and empty the WAL.
            # Best effort (a reader can hold the WAL); the next purge run tries again.
            self._s.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
            log.info("purged personal data of %d case(s) past retention", len(ids))
        return PurgeReport(cases=len(ids), drafts=drafts, blobs=blobs, orphans=orphans)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_store(
    path: Path | str,
    *,
    key_provider: KeyProvider | None = None,
    clock: Clock = utc_now,
    blobs_dir: Path | None = None,
    integrity_check: bool = True,
    recover_corrupt: bool = True,
) -> Store:
    """Open (creating, migrating or recovering) the store at `path`.

    A file that is not a database or fails `integrity_check` is moved aside to `<name>.corrupt-<timestamp>` and a
    fresh database is started (`Store.recovered_from`). Raises NewerSchemaError for a database from a newer
    program, WrongKeyError when the key does not fit, StoreError for other environment trouble.
    A second connection in the same process (the sync worker's) may pass `integrity_check=False`: the first
    open already checked the file. Tools that run beside a live terminal (e.g. `tongban status`) pass
    `recover_corrupt=False`: a damaged file is then reported as StoreError(code="corrupt") and left in place,
    because moving it under a running terminal would split its database from its WAL.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError("无法创建本地数据目录，请联系管理员检查磁盘和权限。", code="data_dir") from exc
    recovered_from: Path | None = None
    try:
        conn = open_checked(path, integrity_check=integrity_check)
    except CorruptDatabaseError as exc:
        if not recover_corrupt:
            raise StoreError("本地数据库已损坏，请关闭并重新启动通办终端以自动修复。", code="corrupt") from exc
        recovered_from = move_aside(path, clock())
        conn = open_checked(path)
    try:
        _migrate(conn)
        cipher = _cipher(conn, path, key_provider or default_key_provider())
        salvaged = _salvage(conn, recovered_from, cipher, clock()) if recovered_from is not None else None
    except BaseException:
        conn.close()
        raise
    session = Session(conn, cipher, clock)
    store = Store(path, session, conn, blobs_dir=blobs_dir or path.parent / "blobs", recovered_from=recovered_from)
    store.salvaged = salvaged
    return store


def _migrate(conn: sqlite3.Connection) -> None:
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            schema.migrate(conn)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    except sqlite3.Error as exc:
        raise from_sqlite(exc) from exc


def _salvage(conn: sqlite3.Connection, old_path: Path, cipher: FieldCipher, now: dt.datetime) -> salvage.SalvageReport:
    """Pending records and counters of the moved-aside file into the fresh database (same key: same path)."""
    from offline_cache import salvage  # only after a damaged file was moved aside (start-up time)

    try:
        return salvage.salvage(conn, old_path, cipher, now)
    except sqlite3.Error as exc:
        raise from_sqlite(exc) from exc


def _cipher(conn: sqlite3.Connection, path: Path, provider: KeyProvider) -> FieldCipher:
    """Load the key and prove it fits this database (or record the proof for a new database).

    Two proofs: `key_check` (AES-GCM of a fixed text, since the first schema) and `key_proof` (an HMAC, added
    for start-up time: checking it needs no cryptography import, issue 13). A database with the HMAC proof is
    checked by it; one without it (made before) by `key_check`, and gets its HMAC proof once that check passed.
    A new database gets the HMAC proof here and its `key_check` (which earlier versions check) from
    `Store.complete_key_check` when the store first encrypts or decrypts a value: writing it imports cryptography
    (~10 ms, ~10 MB resident), which a terminal showing only its sign-in page does not otherwise need.
    """
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (_KEY_CHECK,)).fetchone()
    proof = conn.execute("SELECT value FROM meta WHERE key = ?", (_KEY_PROOF,)).fetchone()
    cipher = FieldCipher(provider.load_key(path, create=row is None and proof is None))
    if proof is not None:
        cipher.verify_key_proof(proof[0])
        return cipher
    if row is None:  # a new database
        try:
            conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", (_KEY_PROOF, cipher.key_proof()))
        except sqlite3.Error as exc:
            raise from_sqlite(exc) from exc
        return cipher
    cipher.verify_key_check(row[0])
    # Only after the check passed; a proof that cannot be written now (read-only file, busy) is written next time.
    with contextlib.suppress(sqlite3.Error):
        conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", (_KEY_PROOF, cipher.key_proof()))
    return cipher
