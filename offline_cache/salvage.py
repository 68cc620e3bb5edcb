"""After a damaged database was moved aside: copy what can still be read into the fresh one (FAULTS.md row 16).

What is copied, verbatim (values are encrypted with the same key and bound to their table, column and row id):
outbox rows (pending ones are what matters: they are sent again, and the platform answers `duplicate` for any it
already had), cases with their materials and attachment references, 一件事 parents (`bundles`: the parent's own
number, its name and its members' `bundle_id`; no personal data), receipts, ratings, rating requests, staff and
drafts. Each table is read on a read-only connection in rowid order; a damaged range is stepped over by
seeking past it, so one bad page loses only the rows on it. A pending outbox row is copied only when its body
still decrypts and hashes to its `body_sha256`: a damaged page never turns into a wrong record on the platform.

Counters: case numbers are printed on receipts and `terminal_seq` values are held by the platform (a reused one
is `terminal_seq_taken`), so the fresh database continues after the highest values the old file still shows.
When they cannot be read in full, the counters jump past any value that could have been used instead: case
numbers of the days up to today continue after `numbering.RECOVERY_FLOOR` (50000; a counter issues a few hundred a
day) and `terminal_seq` after the current time in milliseconds (above any count of records). Gaps are harmless,
repeats are not. A high-water-mark sidecar file would cost an fsync per save in the commit path for a rare event;
the jump costs nothing until it is needed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from app.domain import hall_time
from app.domain.models import CaseState
from app.protocol import canonical_json, is_case_no
from offline_cache.audit import append_audit
from offline_cache.cases import PERSONAL_COLUMNS, Cases
from offline_cache.connection import BUSY_TIMEOUT_MS
from offline_cache.crypto import FieldCipher, aad
from offline_cache.numbering import MAX_SEQ, RECOVERY_FLOOR, case_number, raise_counters, set_recovery_floor
from offline_cache.outbox import PARENT_DEAD, open_body, seal_body
from offline_cache.records import case_body
from offline_cache.salvage_pages import Column, as_row, leaf_records
from offline_cache.session import Session, iso

log = logging.getLogger("tongban.store")

#: Bound on statements per table, so a badly damaged file cannot stall the start.
_MAX_PROBES = 4000
_MAX_ROWID = 2**62
_PLAUSIBLE_SEQ = 10**15  # a "terminal_seq" above this is garbage read from a damaged cell


@dataclass(slots=True)
class Counters:
    case_seqs: dict[tuple[str, str], int] = field(default_factory=dict)  # (prefix, yyyymmdd) → highest seq
    terminal_seq: int = 0
    terminal_seq_sure: bool = False  # the terminal_seq row, or the outbox's terminal_seq index, was read
    case_seqs_sure: bool = False  # case_sequences, or every case row, was read
    unreadable: list[str] = field(default_factory=list)  # sources that failed on the damaged file

    def see_case_no(self, case_no: object) -> None:
        """Count a case number read from any row; its check digits keep garbage from a damaged cell out."""
        if not (isinstance(case_no, str) and len(case_no) == 26 and case_no.isdigit()):
            return
        try:
            day = dt.datetime.strptime(case_no[11:19], "%Y%m%d").date()
        except ValueError:
            return
        if case_number(case_no[:11], day, int(case_no[19:24])) == case_no:
            self.see_case_seq(case_no[:11], case_no[11:19], int(case_no[19:24]))

    def see_case_seq(self, prefix: str, day: str, seq: int) -> None:
        key = (prefix, day)
        self.case_seqs[key] = max(self.case_seqs.get(key, 0), seq)

    def see_terminal_seq(self, value: object) -> None:
        if isinstance(value, int) and 0 <= value < _PLAUSIBLE_SEQ:
            self.terminal_seq = max(self.terminal_seq, value)


@dataclass(slots=True)
class SalvageReport:
    """What was read from the moved-aside file and copied (counts of rows), for the notice and the audit log."""

    copied: dict[str, int] = field(default_factory=dict)
    pending: int = 0  # pending outbox rows copied: they will be sent again
    rebuilt: int = 0  # outbox entries rebuilt from their readable case (the stored body no longer opened)
    dead_lettered: int = 0  # cases whose upload could not be rebuilt faithfully: in the dead letters with a reason
    skipped: dict[str, int] = field(default_factory=dict)  # rows read but failing their checks
    from_pages: dict[str, int] = field(default_factory=dict)  # rows found only by reading pages
    incomplete: list[str] = field(default_factory=list)  # tables with unreadable ranges
    counters: Counters = field(default_factory=Counters)
    jumped: bool = False  # a counter jumped because the old one could not be read in full


# --- reading a damaged file ----------------------------------------------------------------------------------


@contextmanager
def _read_only(path: Path) -> Iterator[sqlite3.Connection | None]:
    """Read-only: never checkpoints or deletes the -wal, so the moved-aside files stay as found.

    Without a -wal the file is opened as immutable, so no empty -wal/-shm appear beside it either.
    """
    query = "mode=ro" if Path(f"{path}-wal").exists() else "mode=ro&immutable=1"
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?{query}", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error:
        yield None
        return
    try:
        yield conn
    finally:
        conn.close()


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    try:
        return [str(r[1]) for r in conn.execute(f"PRAGMA table_info({table})")]
    except sqlite3.Error:
        return []


class _Scanner:
    """Rows of one table in rowid order, stepping over ranges whose pages cannot be read."""

    def __init__(self, conn: sqlite3.Connection, table: str, columns: list[str]) -> None:
        self._conn = conn
        self._scan = f"SELECT rowid, {', '.join(columns)} FROM {table} WHERE rowid >= ? ORDER BY rowid"
        self._seek = f"SELECT rowid FROM {table} WHERE rowid >= ? ORDER BY rowid LIMIT 1"
        self._probes = 0
        self.complete = True

    def rows(self) -> list[tuple[Any, ...]]:
        found: list[tuple[Any, ...]] = []
        start: int | None = -_MAX_ROWID
        while start is not None and self._probes < _MAX_PROBES:
            self._probes += 1
            last: int | None = None
            try:
                for row in self._conn.execute(self._scan, (start,)):
                    found.append(tuple(row[1:]))
                    last = int(row[0])
                return found
            except sqlite3.DatabaseError:
                self.complete = False
            start = self._next_readable(start if last is None else last + 1)
        self.complete = False
        return found

    def _try_seek(self, at: int) -> tuple[bool, int | None]:
        self._probes += 1
        try:
            row = self._conn.execute(self._seek, (at,)).fetchone()
        except sqlite3.DatabaseError:
            return False, None
        return True, None if row is None else int(row[0])

    def _next_readable(self, bad: int) -> int | None:
        """The first rowid after `bad` that a seek reaches: exponential steps, then bisection back."""
        step = 1
        failed = bad
        while True:
            at = bad + step
            if at > _MAX_ROWID or self._probes >= _MAX_PROBES:
                return None
            ok, rowid = self._try_seek(at)
            if ok:
                break
            failed, step = at, step * 2
        lo, hi = failed, at  # seeking at lo fails, at hi works
        while hi - lo > 1 and self._probes < _MAX_PROBES:
            mid = (lo + hi) // 2
            ok_mid, rowid_mid = self._try_seek(mid)
            if ok_mid:
                hi, rowid = mid, rowid_mid
            else:
                lo = mid
        return rowid


def _read_table(conn: sqlite3.Connection, table: str, wanted: list[str], report: SalvageReport) -> list[dict[str, Any]]:
    old = set(_columns(conn, table))
    columns = [c for c in wanted if c in old]
    if not columns:
        report.incomplete.append(table)
        return []
    scanner = _Scanner(conn, table, columns)
    rows = [dict(zip(columns, row, strict=True)) for row in scanner.rows()]
    if not scanner.complete:
        report.incomplete.append(table)
    return rows


def _read_counters(conn: sqlite3.Connection, found: Counters) -> None:
    try:
        row = conn.execute("SELECT last_seq FROM terminal_seq WHERE id = 1").fetchone()
        if row is not None and isinstance(row[0], int):
            found.see_terminal_seq(row[0])
            found.terminal_seq_sure = True
    except sqlite3.DatabaseError:
        found.unreadable.append("terminal_seq")
    try:  # the UNIQUE index on terminal_seq is a separate b-tree; its max is the newest row's, the last issued
        highest = conn.execute("SELECT max(terminal_seq) FROM outbox").fetchone()[0]
        if isinstance(highest, int):  # an outbox emptied by retention says nothing
            found.see_terminal_seq(highest)
            found.terminal_seq_sure = True
    except sqlite3.DatabaseError:
        found.unreadable.append("outbox.terminal_seq")
    try:
        rows = conn.execute("SELECT prefix, day, last_seq FROM case_sequences").fetchall()
    except sqlite3.DatabaseError:
        found.unreadable.append("case_sequences")
    else:
        found.case_seqs_sure = True
        for prefix, day, seq in rows:
            if isinstance(prefix, str) and isinstance(day, str) and isinstance(seq, int):
                found.see_case_seq(prefix, day, seq)


# --- checks on rows read from damaged pages --------------------------------------------------------------------


def _outbox_ok(cipher: FieldCipher, row: dict[str, Any]) -> bool:
    rid, body = row.get("record_id"), row.get("body")
    if not isinstance(rid, str) or not isinstance(body, str) or not isinstance(row.get("terminal_seq"), int):
        return False
    if row.get("state") not in {"pending", "sent", "dead"}:
        return False
    try:
        if row["state"] != "pending":  # kept for reconciliation only; a purged one no longer matches its hash
            return isinstance(json.loads(body), dict)
        clear = open_body(cipher, rid, body)
    except Exception:  # any failure means a damaged row
        return False
    return hashlib.sha256(canonical_json(clear)).hexdigest() == row.get("body_sha256")


def _case_ok(cipher: FieldCipher, row: dict[str, Any]) -> bool:
    rid = row.get("record_id")
    if not isinstance(rid, str):
        return False
    try:
        for column in PERSONAL_COLUMNS:
            blob = row.get(column)
            if blob is not None:
                cipher.decrypt(blob, aad("cases", column, rid))
    except Exception:  # any failure means a damaged row
        return False
    return True


def _attachment_ok(cipher: FieldCipher, row: dict[str, Any]) -> bool:
    name = row.get("filename")
    if name is None:
        return True
    label = f"{row.get('case_record_id')}/{row.get('material_position')}/{row.get('position')}"
    try:
        cipher.decrypt(name, aad("case_attachments", "filename", label))
    except Exception:  # any failure means a damaged row
        return False
    return True


def _bundle_ok(_cipher: FieldCipher, row: dict[str, Any]) -> bool:
    """A 一件事 parent: a valid case number and its own bundle's id (a record of another table read from a page
    can have the same shape of columns)."""
    case_no, code, bundle_id = row.get("case_no"), row.get("bundle_code"), row.get("bundle_id")
    return (
        isinstance(case_no, str)
        and is_case_no(case_no)
        and isinstance(code, str)
        and bool(code)
        and isinstance(bundle_id, str)
        and bundle_id.startswith(f"{code}-")
        and row.get("case_seq") == int(case_no[19:24])
    )


def _draft_ok(cipher: FieldCipher, row: dict[str, Any]) -> bool:
    try:
        cipher.decrypt(row["payload"], aad("drafts", "payload", str(row["key"])))
    except Exception:  # any failure means a damaged row
        return False
    return True


# Tables copied, in this order; materials and attachment references only under a copied case.
_COPIED = (
    "attachments",
    "cases",
    "bundles",
    "case_materials",
    "case_attachments",
    "receipts",
    "ratings",
    "rating_requests",
    "staff",
    "drafts",
    "outbox",
)


# --- reading pages when the b-trees cannot be walked -------------------------------------------------------------

# Tables read from pages: rows are never deleted from these (drafts and staff, which change or go, are not).
_FROM_PAGES = (
    "attachments",
    "cases",
    "bundles",
    "case_materials",
    "case_attachments",
    "receipts",
    "ratings",
    "rating_requests",
    "outbox",
)


def _literal(text: object) -> Any:
    if not isinstance(text, str) or text.upper() == "NULL":
        return None
    if text.startswith("'") and text.endswith("'"):
        return text[1:-1].replace("''", "'")
    try:
        return int(text)
    except ValueError:
        return None


def _schema(conn: sqlite3.Connection, table: str) -> tuple[list[Column], list[str]]:
    info = conn.execute(f"PRAGMA table_info({table})").fetchall()
    keys = [str(r[1]) for r in sorted(info, key=lambda r: int(r[5])) if int(r[5]) > 0]
    columns = [
        Column(
            name=str(r[1]),
            type=str(r[2]).upper(),
            notnull=bool(r[3]) or int(r[5]) > 0,
            default=_literal(r[4]),
            rowid_alias=len(keys) == 1 and int(r[5]) == 1 and str(r[2]).upper() == "INTEGER",
        )
        for r in info
    ]
    return columns, keys


def _add_page_rows(
    conn: sqlite3.Connection, old_path: Path, rows: dict[str, list[dict[str, Any]]], report: SalvageReport
) -> None:
    """Rows the b-tree walk missed, read from the pages; the newest copy of a key wins, walked rows first."""
    schemas = {t: _schema(conn, t) for t in (*_FROM_PAGES, "case_sequences", "terminal_seq")}
    found: dict[str, dict[tuple[Any, ...], dict[str, Any]]] = {t: {} for t in _FROM_PAGES}
    for rowid, values in leaf_records(old_path):
        for table, (columns, keys) in schemas.items():
            row = as_row(columns, rowid, values)
            if row is None:
                continue
            if table == "terminal_seq":
                if rowid == 1:
                    report.counters.see_terminal_seq(row["last_seq"])
            elif table == "case_sequences":
                prefix, day, seq = row["prefix"], row["day"], row["last_seq"]
                if len(prefix) == 11 and prefix.isdigit() and len(day) == 8 and day.isdigit() and seq <= MAX_SEQ:
                    report.counters.see_case_seq(prefix, day, seq)
            else:
                key = tuple(row[k] for k in keys)
                seen = found[table].get(key)
                if seen is None or str(row.get("updated_at", "")) > str(seen.get("updated_at", "")):
                    found[table][key] = row
    for table, (_columns, keys) in schemas.items():
        if table not in found:
            continue
        have = {tuple(r[k] for k in keys) for r in rows.get(table, [])}
        extra = [r for key, r in found[table].items() if key not in have]
        rows.setdefault(table, []).extend(extra)
        if extra:
            report.from_pages[table] = len(extra)


# --- writing into the fresh database ---------------------------------------------------------------------------


def salvage(conn: sqlite3.Connection, old_path: Path, cipher: FieldCipher, now: dt.datetime) -> SalvageReport:
    """Copy what the moved-aside file still holds into the fresh database at `conn`, and raise its counters.

    One transaction. Foreign keys are off while copying: a pending record whose parent was on a lost page keeps
    its `depends_on` (the platform answers `retry_later` for an orphan, SYNC_PROTOCOL.md guarantee 4).
    """
    try:
        report, rows = _read(conn, old_path, cipher)
    except Exception as exc:  # salvage is best effort: the terminal must still start, with safe counters
        log.error("salvage of the damaged database failed (%s); only the counters are made safe", type(exc).__name__)
        report, rows = SalvageReport(), {}
        report.counters.unreadable.append("file")
        report.incomplete.extend(_COPIED)
    conn.execute("PRAGMA foreign_keys = OFF")
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            for table in _COPIED:
                report.copied[table] = _insert(conn, table, rows.get(table, []))
            report.jumped = _raise_counters(conn, report, now)
            _rebuild_outbox(conn, cipher, rows, report, now)
            report.pending = int(conn.execute("SELECT count(*) FROM outbox WHERE state = 'pending'").fetchone()[0])
            append_audit(conn, iso(now), "store", "store_salvaged", record_id=None, detail=_summary(report))
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    finally:
        conn.execute("PRAGMA foreign_keys = ON")
    _log(report)
    return report


def _read(
    conn: sqlite3.Connection, old_path: Path, cipher: FieldCipher
) -> tuple[SalvageReport, dict[str, list[dict[str, Any]]]]:
    report = SalvageReport()
    rows: dict[str, list[dict[str, Any]]] = {}
    with _read_only(old_path) as old:
        if old is None:
            report.counters.unreadable.append("file")
            report.incomplete.extend(_COPIED)
        else:
            _read_counters(old, report.counters)
            for table in _COPIED:
                rows[table] = _read_table(old, table, _columns(conn, table), report)
    if report.incomplete or not (report.counters.terminal_seq_sure and report.counters.case_seqs_sure):
        _add_page_rows(conn, old_path, rows, report)
    _see_case_numbers(rows, report.counters)
    _check_rows(cipher, rows, report)
    return report, rows


def _check_rows(cipher: FieldCipher, rows: dict[str, list[dict[str, Any]]], report: SalvageReport) -> None:
    checks: dict[str, Callable[[FieldCipher, dict[str, Any]], bool]] = {
        "outbox": _outbox_ok,
        "cases": _case_ok,
        "bundles": _bundle_ok,
        "case_attachments": _attachment_ok,
        "drafts": _draft_ok,
    }
    for table, check in checks.items():
        kept = [r for r in rows.get(table, []) if check(cipher, r)]
        if len(kept) != len(rows.get(table, [])):
            report.skipped[table] = len(rows[table]) - len(kept)
            if table == "outbox":  # what is left of them helps rebuild the entry from its case
                rows[_UNREADABLE_OUTBOX] = [r for r in rows[table] if not check(cipher, r)]
        rows[table] = kept
    cases = {r["record_id"] for r in rows.get("cases", [])}
    rows["case_materials"] = [r for r in rows.get("case_materials", []) if r.get("case_record_id") in cases]
    materials = {(r["case_record_id"], r.get("position")) for r in rows["case_materials"]}
    shas = {r.get("sha256") for r in rows.get("attachments", [])}
    rows["case_attachments"] = [
        r
        for r in rows.get("case_attachments", [])
        if (r.get("case_record_id"), r.get("material_position")) in materials and r.get("sha256") in shas
    ]


_UNREADABLE_OUTBOX = "outbox (unreadable)"
#: Dead-letter reasons of salvage (app/sync/dead_letters.py says them in Chinese).
SALVAGE_BODY_MISMATCH = "salvage:body_mismatch"
SALVAGE_UNVERIFIED = "salvage:unverified"


def _rebuild_outbox(
    conn: sqlite3.Connection,
    cipher: FieldCipher,
    rows: dict[str, list[dict[str, Any]]],
    report: SalvageReport,
    now: dt.datetime,
) -> None:
    """A copied case without its outbox entry (its body no longer decrypts, or its page was lost) gets one back.

    The body is rebuilt from the case as it was saved (state `received`, or `refused`). When the damaged entry
    still shows its `body_sha256`, the rebuilt body must hash to it: then the entry is restored as it was (same
    id, `terminal_seq`, hash), pending, and the platform answers `duplicate` if it already had it. When it does
    not match (the case changed at the counter since), or there is nothing to check it against and the case's
    materials were not all readable, the rebuilt entry goes to the dead letters with the reason, for an
    administrator: never a case kept for ever with no upload, never a wrong record on the platform.
    A case the platform had already acknowledged (`forwarded` and later) with no trace of its entry is left alone.
    """
    orphans = [
        str(r[0])
        for r in conn.execute(
            "SELECT record_id FROM cases c WHERE purged_at IS NULL"
            " AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.record_id = c.record_id) ORDER BY created_at"
        )
    ]
    if not orphans:
        return
    damaged = {r.get("record_id"): r for r in rows.get(_UNREADABLE_OUTBOX, []) if isinstance(r.get("record_id"), str)}
    materials_complete = "case_materials" not in report.incomplete and "case_attachments" not in report.incomplete
    session = Session(conn, cipher, lambda: now)
    stamp = iso(now)
    for rid in orphans:
        stored = Cases(session).get(rid)
        if stored is None:
            continue
        case = stored.case
        old = damaged.get(rid)
        saved_state = CaseState.REFUSED if case.state is CaseState.REFUSED else CaseState.RECEIVED
        if old is None and case.state is not saved_state:
            continue  # acknowledged before the damage: nothing to send
        body = case_body(replace(case, state=saved_state))
        digest = hashlib.sha256(canonical_json(body)).hexdigest()
        if old is not None:
            state, reason = ("pending", "") if digest == old.get("body_sha256") else ("dead", SALVAGE_BODY_MISMATCH)
        else:
            state, reason = ("pending", "") if materials_complete else ("dead", SALVAGE_UNVERIFIED)
        seq = old.get("terminal_seq") if old is not None else None
        taken = isinstance(seq, int) and conn.execute("SELECT 1 FROM outbox WHERE terminal_seq = ?", (seq,)).fetchone()
        if not isinstance(seq, int) or taken or not 0 < seq < _PLAUSIBLE_SEQ:
            seq = int(
                conn.execute(
                    "UPDATE terminal_seq SET last_seq = last_seq + 1 WHERE id = 1 RETURNING last_seq"
                ).fetchall()[0][0]
            )
        created = old.get("created_at") if old is not None else None
        if not isinstance(created, str):
            created = iso(case.created_at)
        conn.execute(
            "INSERT INTO outbox (record_id, kind, terminal_seq, depends_on, body, body_sha256, body_bytes, state,"
            " next_attempt_at, last_error, created_at, updated_at) VALUES (?, 'case', ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                rid,
                seq,
                seal_body(cipher, rid, body),
                digest,
                len(canonical_json(body)),
                state,
                stamp,
                reason,
                created,
                stamp,
            ),
        )
        if state == "pending":
            report.rebuilt += 1
            append_audit(conn, stamp, "store", "outbox_rebuilt", record_id=rid, detail="from the salvaged case")
        else:
            report.dead_lettered += 1
            append_audit(conn, stamp, "store", "outbox_dead", record_id=rid, detail=reason)
            dependants = conn.execute(
                "WITH RECURSIVE deps(id) AS ("
                "  SELECT record_id FROM outbox WHERE depends_on = ?"
                "  UNION SELECT o.record_id FROM outbox o JOIN deps ON o.depends_on = deps.id)"
                " UPDATE outbox SET state = 'dead', last_error = ?, updated_at = ?"
                " WHERE record_id IN (SELECT id FROM deps) AND state = 'pending' RETURNING record_id",
                (rid, PARENT_DEAD, stamp),
            ).fetchall()
            for (dep,) in dependants:
                append_audit(conn, stamp, "store", "outbox_dead", record_id=dep, detail=PARENT_DEAD)


def _see_case_numbers(rows: dict[str, list[dict[str, Any]]], found: Counters) -> None:
    """Case numbers in any row read (cases, receipts, ratings, requests, outbox bodies) raise the counters."""
    for table in ("cases", "bundles", "receipts", "ratings", "rating_requests"):
        for row in rows.get(table, []):
            found.see_case_no(row.get("case_no"))
    for row in rows.get("outbox", []):
        found.see_terminal_seq(row.get("terminal_seq"))
        try:
            body = json.loads(row["body"])
        except (TypeError, ValueError):
            continue
        if isinstance(body, dict):
            found.see_case_no(body.get("case_no"))


def _insert(conn: sqlite3.Connection, table: str, rows: list[dict[str, Any]]) -> int:
    copied = 0
    for row in rows:
        columns = ", ".join(row)
        try:
            cur = conn.execute(
                f"INSERT OR IGNORE INTO {table} ({columns}) VALUES ({', '.join('?' * len(row))})", tuple(row.values())
            )
        except sqlite3.IntegrityError:  # a CHECK or NOT NULL fails: a damaged row
            continue
        copied += cur.rowcount
    return copied


def _raise_counters(conn: sqlite3.Connection, report: SalvageReport, now: dt.datetime) -> bool:
    """Counters at least as high as the old file's; past any value it could have used where it did not read."""
    found = report.counters
    if "cases" not in report.incomplete:
        found.case_seqs_sure = True  # every case row was read: their numbers are the numbers issued
    jumped = False
    tseq = found.terminal_seq
    if not found.terminal_seq_sure:
        tseq = max(tseq, int(now.timestamp() * 1000))
        jumped = True
    conn.execute("UPDATE terminal_seq SET last_seq = max(last_seq, ?) WHERE id = 1", (tseq,))
    seqs = dict(found.case_seqs)
    if not found.case_seqs_sure:
        jumped = True
        today = hall_time.today(now)
        set_recovery_floor(conn, today)  # for terminal prefixes the old file no longer shows
        through = today.strftime("%Y%m%d")
        for key, seq in seqs.items():
            if key[1] <= through:
                seqs[key] = max(seq, RECOVERY_FLOOR)
    raise_counters(conn, [(prefix, day, min(seq, MAX_SEQ)) for (prefix, day), seq in seqs.items()])
    return jumped


def _summary(report: SalvageReport) -> str:
    parts = [f"pending={report.pending}", f"rebuilt={report.rebuilt}", f"dead_lettered={report.dead_lettered}"]
    parts += [f"{t}={n}" for t, n in report.copied.items() if n]
    parts += [f"{t}_skipped={n}" for t, n in report.skipped.items() if n]
    if report.incomplete:
        parts.append("incomplete=" + "+".join(report.incomplete))
    if report.jumped:
        parts.append("counters_jumped")
    return " ".join(parts)[:200]


def _log(report: SalvageReport) -> None:
    found = report.counters
    log.info(
        "salvaged from the damaged database: %s; terminal_seq read %d%s",
        _summary(report),
        found.terminal_seq,
        "" if found.terminal_seq_sure else " (counter unreadable)",
    )
    if report.jumped:
        # Numbers issued before the damage might not all be visible: the counters jumped past them. Gaps in
        # case numbers and terminal_seq follow, which an administrator may be asked about.
        log.error(
            "counters of the damaged database only partly readable (%s): case numbers and terminal_seq jumped ahead",
            ", ".join(found.unreadable + report.incomplete) or "partial",
        )
