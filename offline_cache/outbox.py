"""The outbox (SYNC_PROTOCOL.md "Outbox columns"): what the sync engine uploads, in `terminal_seq` order.

Bodies are stored as JSON with personal values encrypted; `body_sha256` is over the clear canonical body, so
re-encryption never changes it. There is no in-flight state: pending rows are simply sent again after a crash.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from app.protocol import (
    MAX_BATCH_BYTES,
    PERSONAL_FIELDS,
    SCHEMA_VERSION,
    OutboxState,
    RecordKind,
    canonical_json,
    clean_body_text,
)
from offline_cache.audit import append_audit
from offline_cache.crypto import TEXT_PREFIX, FieldCipher, aad
from offline_cache.session import Session, iso, parse_iso

log = logging.getLogger("tongban.store")

#: What a purged personal value reads as in a stored body.
PURGED = "[purged]"
#: Reason given to records that depend on a dead record.
PARENT_DEAD = "parent_dead"
#: Rough size of an envelope without its body, for the batch byte budget.
_ENVELOPE_OVERHEAD = 400


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    record_id: str
    kind: RecordKind
    terminal_seq: int
    depends_on: str | None
    body: dict[str, Any]  # personal fields in clear (or "[purged]")
    body_sha256: str
    body_bytes: int
    state: OutboxState
    attempts: int
    next_attempt_at: dt.datetime
    last_error: str
    server_ref: str | None
    accepted_at: dt.datetime | None
    sent_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime

    def envelope(self, terminal: str) -> dict[str, Any]:
        """The wire record (SYNC_PROTOCOL.md "Record envelope"); `terminal` is the enrolled terminal code."""
        return {
            "record_id": self.record_id,
            "kind": self.kind.value,
            "schema": SCHEMA_VERSION,
            "terminal": terminal,
            "terminal_seq": self.terminal_seq,
            "created_at": self.created_at.isoformat(),
            "depends_on": self.depends_on,
            "body_sha256": self.body_sha256,
            "body": self.body,
        }


#: Keys encrypted at rest besides PERSONAL_FIELDS: scan file names often carry the applicant's name.
AT_REST_EXTRA = frozenset({"filename"})
_SECRET_KEYS = PERSONAL_FIELDS | AT_REST_EXTRA


def _aad(record_id: str, path: str) -> str:
    return aad("outbox", f"body.{path}", record_id)


def _transform(value: Any, path: str, leaf: Callable[[str, Any], Any]) -> Any:
    """Copy of `value` with `leaf(path, v)` applied to every value stored under a secret key, at any depth."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key in _SECRET_KEYS:
                out[key] = leaf(f"{path}.{key}" if path else key, item)
            elif isinstance(item, dict | list):
                out[key] = _transform(item, f"{path}.{key}" if path else key, leaf)
            else:
                out[key] = item
        return out
    if isinstance(value, list):
        return [_transform(item, f"{path}.{i}", leaf) for i, item in enumerate(value)]
    return value


def _dumps(body: dict[str, Any]) -> str:
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def seal_body(cipher: FieldCipher, record_id: str, body: dict[str, Any]) -> str:
    """JSON for storage: personal string values encrypted, each bound to this record and its path in the body."""

    def seal(path: str, value: Any) -> Any:
        return cipher.encrypt_text(value, _aad(record_id, path)) if isinstance(value, str) else value

    return _dumps(_transform(body, "", seal))


def open_body(cipher: FieldCipher, record_id: str, text: str) -> dict[str, Any]:
    def unseal(path: str, value: Any) -> Any:
        if isinstance(value, str) and value.startswith(TEXT_PREFIX):
            return cipher.decrypt_text(value, _aad(record_id, path))
        return value

    body: dict[str, Any] = _transform(json.loads(text), "", unseal)
    return body


def purge_body(text: str) -> str:
    """The stored body with every non-null personal value replaced by "[purged]" (no key needed)."""
    body: dict[str, Any] = _transform(json.loads(text), "", lambda _p, v: v if v is None else PURGED)
    return _dumps(body)


_COLUMNS = (
    "record_id, kind, terminal_seq, depends_on, body, body_sha256, body_bytes, state, attempts, next_attempt_at,"
    " last_error, server_ref, accepted_at, sent_at, created_at, updated_at"
)


#: What "due" means for a pending entry, so that a clock corrected backwards cannot hold records back (issue 22):
#: never tried yet (new records and records saved while the clock was fast are sent at once, whatever their
#: stored time), or its time has come, or its time lies further ahead than any delay the engine ever sets (the
#: `horizon`): such a time was computed by a clock that was fast, and waiting for it would wait for nothing.
_DUE = "(attempts = 0 OR next_attempt_at <= ? OR next_attempt_at > ?)"
#: Default horizon: the backoff cap (300 s) plus a margin.
DEFAULT_HORIZON = dt.timedelta(minutes=10)


def _due_params(now: dt.datetime, horizon: dt.timedelta | None) -> tuple[str, str]:
    return iso(now), iso(now + (horizon if horizon is not None else DEFAULT_HORIZON))


def _opt_time(text: str | None) -> dt.datetime | None:
    return parse_iso(text) if text else None


def _held(kinds: Sequence[str]) -> tuple[str, list[Any]]:
    """SQL true for a row of one of `kinds`, or depending on a pending row of one of them."""
    marks = ", ".join("?" * len(kinds))
    sql = (
        f"(kind IN ({marks}) OR coalesce(depends_on IN"
        f" (SELECT o.record_id FROM outbox o WHERE o.state = 'pending' AND o.kind IN ({marks})), 0))"
    )
    return sql, [*kinds, *kinds]


class Outbox:
    def __init__(self, session: Session) -> None:
        self._s = session

    # --- writing (inside the caller's transaction) -------------------------------------------------------

    def add(
        self,
        conn: sqlite3.Connection,
        *,
        record_id: str,
        kind: RecordKind,
        body: dict[str, Any],
        depends_on: str | None,
    ) -> int:
        """Queue a record; returns its terminal_seq. Call inside `Session.write()`."""
        row = conn.execute("UPDATE terminal_seq SET last_seq = last_seq + 1 WHERE id = 1 RETURNING last_seq")
        seq = int(row.fetchall()[0][0])
        now = self._s.now()
        clean = clean_body_text(body)
        if clean != body:
            # SYNC_PROTOCOL.md "Revisions": NUL and lone surrogates never enter the outbox (the platform would
            # refuse the record as bad_text). Removed here, the one door into the queue; values are never logged.
            log.warning("record %s (%s): removed NUL or lone surrogates from its text", record_id, kind.value)
            body = clean
        canonical = canonical_json(body)  # what body_sha256 is over (app.protocol.body_sha256)
        conn.execute(
            "INSERT INTO outbox (record_id, kind, terminal_seq, depends_on, body, body_sha256, body_bytes,"
            " next_attempt_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                record_id,
                kind.value,
                seq,
                depends_on,
                seal_body(self._s.cipher, record_id, body),
                hashlib.sha256(canonical).hexdigest(),
                len(canonical),
                now,
                now,
                now,
            ),
        )
        return seq

    def continue_above(self, conn: sqlite3.Connection, floor: int) -> int:
        """The platform holds this terminal's `terminal_seq` values up to `floor` (a replacement PC, issue 22): the
        counter continues above it, and when a pending record's number is at or below it, every pending record is
        numbered again above it, in its order (the body and its hash do not change; a record the platform already
        holds is still answered `duplicate` by its id). Call inside `Session.write()`; returns how many moved."""
        last = int(conn.execute("SELECT last_seq FROM terminal_seq WHERE id = 1").fetchone()[0])
        start = max(last, floor)
        clash = conn.execute(
            "SELECT 1 FROM outbox WHERE state = 'pending' AND terminal_seq <= ? LIMIT 1", (floor,)
        ).fetchone()
        moved = 0
        if clash is not None:
            pending = [
                r[0] for r in conn.execute("SELECT record_id FROM outbox WHERE state = 'pending' ORDER BY terminal_seq")
            ]
            now = self._s.now()
            conn.executemany(
                "UPDATE outbox SET terminal_seq = ?, updated_at = ? WHERE record_id = ?",
                [(start + 1 + i, now, rid) for i, rid in enumerate(pending)],
            )
            moved = len(pending)
            start += moved
        conn.execute("UPDATE terminal_seq SET last_seq = max(last_seq, ?) WHERE id = 1", (start,))
        return moved

    # --- the sync engine's API ------------------------------------------------------------------------------

    def pending(
        self,
        limit: int = 500,
        max_bytes: int = MAX_BATCH_BYTES,
        *,
        due_at: dt.datetime | None = None,
        horizon: dt.timedelta | None = None,
        hold_kinds: Sequence[str] = (),
    ) -> list[OutboxEntry]:
        """Pending entries in terminal_seq order, at most `limit` and about `max_bytes` of envelopes.

        The first entry is always included so that one large record cannot stall the queue. With `due_at`,
        entries rescheduled to a later time are skipped (see `_DUE` for what counts as due). Entries of the
        `hold_kinds` (a kind the platform does not take yet) and their dependants are left out: they stay pending.
        """
        sql = f"SELECT {_COLUMNS} FROM outbox WHERE state = 'pending'"
        params: list[Any] = []
        if hold_kinds:
            held, held_params = _held(hold_kinds)
            sql += f" AND NOT {held}"
            params += held_params
        if due_at is not None:
            sql += f" AND {_DUE}"
            params += _due_params(due_at, horizon)
        sql += " ORDER BY terminal_seq LIMIT ?"
        params.append(limit)
        entries: list[OutboxEntry] = []
        total = 0
        for row in self._s.conn.execute(sql, params):
            size = int(row[6]) + _ENVELOPE_OVERHEAD
            if entries and total + size > max_bytes:
                break
            total += size
            entries.append(self._entry(row))
        return entries

    def next_due_at(
        self, now: dt.datetime, horizon: dt.timedelta | None = None, *, hold_kinds: Sequence[str] = ()
    ) -> dt.datetime | None:
        """When the next pending entry falls due (`now` when one is due already); None when nothing is pending
        (entries of `hold_kinds` and their dependants not counted, as in `pending`)."""
        conn = self._s.conn
        held, held_params = _held(hold_kinds) if hold_kinds else ("0", [])
        due = conn.execute(
            f"SELECT 1 FROM outbox WHERE state = 'pending' AND NOT {held} AND {_DUE} LIMIT 1",
            [*held_params, *_due_params(now, horizon)],
        )
        if due.fetchone() is not None:
            return now
        row = conn.execute(
            f"SELECT min(next_attempt_at) FROM outbox WHERE state = 'pending' AND NOT {held}", held_params
        ).fetchone()
        return None if row[0] is None else parse_iso(row[0])

    def get(self, record_id: str) -> OutboxEntry | None:
        row = self._s.conn.execute(f"SELECT {_COLUMNS} FROM outbox WHERE record_id = ?", (record_id,)).fetchone()
        return self._entry(row) if row else None

    def mark_sent(self, record_id: str, server_ref: str | None, accepted_at: dt.datetime) -> bool:
        """An `accepted`/`duplicate` answer. A case's state moves received → forwarded in the same transaction.

        Returns False when the record is unknown or dead (nothing changes then).
        """
        now = self._s.now()
        with self._s.write() as conn:
            cur = conn.execute(
                "UPDATE outbox SET state = 'sent', server_ref = ?, accepted_at = ?,"
                " sent_at = coalesce(sent_at, ?), last_error = '', updated_at = ?"
                " WHERE record_id = ? AND state IN ('pending', 'sent') RETURNING kind",
                (server_ref, iso(accepted_at), now, now, record_id),
            )
            rows = cur.fetchall()
            if not rows:
                return False
            if rows[0][0] == RecordKind.CASE.value:
                conn.execute(
                    "UPDATE cases SET state = 'forwarded', updated_at = ? WHERE record_id = ? AND state = 'received'",
                    (now, record_id),
                )
        return True

    def mark_sent_many(self, acks: Sequence[tuple[str, str | None, dt.datetime]]) -> None:
        """`mark_sent` for a whole batch result: `(record_id, server_ref, accepted_at)` per acked record.

        Same effect per row as `mark_sent`, all in one transaction (the caller's, if any). The parameters are built
        before `BEGIN IMMEDIATE` and the statements run as two `executemany` loops in C, so the write lock that
        the counter's saves wait for is held for milliseconds, not for hundreds of Python-level round trips.
        """
        if not acks:
            return
        now = self._s.now()
        sent = [(server_ref, iso(accepted_at), now, now, record_id) for record_id, server_ref, accepted_at in acks]
        forwarded = [(now, record_id, record_id) for record_id, _ref, _at in acks]
        with self._s.write() as conn:
            conn.executemany(
                "UPDATE outbox SET state = 'sent', server_ref = ?, accepted_at = ?,"
                " sent_at = coalesce(sent_at, ?), last_error = '', updated_at = ?"
                " WHERE record_id = ? AND state IN ('pending', 'sent')",
                sent,
            )
            # A case moves received -> forwarded only when its outbox row is now sent (not unknown, not dead).
            conn.executemany(
                "UPDATE cases SET state = 'forwarded', updated_at = ? WHERE record_id = ? AND state = 'received'"
                " AND EXISTS (SELECT 1 FROM outbox WHERE record_id = ? AND state = 'sent')",
                forwarded,
            )

    def mark_dead(self, record_id: str, reason: str) -> list[str]:
        """A permanent rejection: the record and every pending record depending on it (transitively) go dead.

        Returns the ids made dead, the record itself first.
        """
        now = self._s.now()
        with self._s.write() as conn:
            cur = conn.execute(
                "UPDATE outbox SET state = 'dead', last_error = ?, updated_at = ?"
                " WHERE record_id = ? AND state = 'pending' RETURNING record_id",
                (reason, now, record_id),
            )
            dead = [r[0] for r in cur.fetchall()]
            if not dead:
                return []
            cur = conn.execute(
                "WITH RECURSIVE deps(id) AS ("
                "  SELECT record_id FROM outbox WHERE depends_on = ?"
                "  UNION SELECT o.record_id FROM outbox o JOIN deps ON o.depends_on = deps.id)"
                " UPDATE outbox SET state = 'dead', last_error = ?, updated_at = ?"
                " WHERE record_id IN (SELECT id FROM deps) AND state = 'pending' RETURNING record_id, terminal_seq",
                (record_id, PARENT_DEAD, now),
            )
            dead.extend(r[0] for r in sorted(cur.fetchall(), key=lambda r: r[1]))
            for rid in dead:
                append_audit(
                    conn,
                    now,
                    "sync",
                    "outbox_dead",
                    record_id=rid,
                    detail=reason[:80] if rid == record_id else PARENT_DEAD,
                )
        return dead

    def reschedule(self, record_id: str, *, next_attempt_at: dt.datetime, error: str) -> None:
        """A `retry_later` or a failed attempt: count it and wait until `next_attempt_at`."""
        with self._s.write() as conn:
            conn.execute(
                "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?, updated_at = ?"
                " WHERE record_id = ? AND state = 'pending'",
                (iso(next_attempt_at), error, self._s.now(), record_id),
            )

    def requeue(self, record_ids: Sequence[str]) -> int:
        """Back to pending (an administrator resolving a dead letter, or reconciliation resending sent rows).

        Purged cases are skipped: their stored body no longer matches its hash. Returns how many changed.
        """
        now = self._s.now()
        with self._s.write() as conn:
            changed = 0
            for record_id in record_ids:
                cur = conn.execute(
                    "UPDATE outbox SET state = 'pending', next_attempt_at = ?, updated_at = ?"
                    " WHERE record_id = ? AND state != 'pending'"
                    " AND NOT EXISTS (SELECT 1 FROM cases WHERE record_id = ? AND purged_at IS NOT NULL)",
                    (now, now, record_id, record_id),
                )
                changed += cur.rowcount
        return changed

    def requeue_missing(self, record_ids: Sequence[str]) -> tuple[list[str], list[str]]:
        """Reconciliation: sent records the platform lacks go back to pending, due now (issue 20).

        Returns (requeued, lost), both in terminal_seq order. A record whose case was purged past retention
        cannot be resent (its stored body no longer matches its hash), nor can a record depending on one: those
        stay `sent` and are returned as `lost`. Pending records that depend on a requeued one are made due now,
        so that they follow their parent in the same pass.
        """
        now = self._s.now()
        ids = list(dict.fromkeys(record_ids))
        requeued: list[str] = []
        lost: list[str] = []
        with self._s.write() as conn:
            rows: list[tuple[int, str, str | None, str]] = []
            purged: set[str] = set()
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                marks = ", ".join("?" * len(chunk))
                rows += conn.execute(
                    f"SELECT terminal_seq, record_id, depends_on, state FROM outbox WHERE record_id IN ({marks})",
                    chunk,
                ).fetchall()
                purged.update(
                    r[0]
                    for r in conn.execute(
                        f"SELECT record_id FROM cases WHERE purged_at IS NOT NULL AND record_id IN ({marks})", chunk
                    )
                )
            lost_set: set[str] = set()
            for _seq, record_id, depends_on, state in sorted(rows):
                if state != OutboxState.SENT:
                    continue
                if record_id in purged or depends_on in lost_set:
                    lost_set.add(record_id)
                    lost.append(record_id)
                    continue
                conn.execute(
                    "UPDATE outbox SET state = 'pending', next_attempt_at = ?, updated_at = ? WHERE record_id = ?",
                    (now, now, record_id),
                )
                requeued.append(record_id)
            for start in range(0, len(requeued), 500):
                chunk = requeued[start : start + 500]
                conn.execute(
                    f"UPDATE outbox SET next_attempt_at = ? WHERE state = 'pending'"
                    f" AND depends_on IN ({', '.join('?' * len(chunk))})",
                    [now, *chunk],
                )
        return requeued, lost

    def depth(self) -> int:
        return int(self._s.conn.execute("SELECT count(*) FROM outbox WHERE state = 'pending'").fetchone()[0])

    def oldest_pending_age(self, now: dt.datetime | None = None) -> dt.timedelta | None:
        row = self._s.conn.execute("SELECT min(created_at) FROM outbox WHERE state = 'pending'").fetchone()
        if row[0] is None:
            return None
        return (now or self._s.clock()) - parse_iso(row[0])

    def dead_letters(self, limit: int = 1000) -> list[OutboxEntry]:
        rows = self._s.conn.execute(
            f"SELECT {_COLUMNS} FROM outbox WHERE state = 'dead' ORDER BY terminal_seq LIMIT ?", (limit,)
        )
        return [self._entry(r) for r in rows]

    def _entry(self, row: Sequence[Any]) -> OutboxEntry:
        return OutboxEntry(
            record_id=row[0],
            kind=RecordKind(row[1]),
            terminal_seq=row[2],
            depends_on=row[3],
            body=open_body(self._s.cipher, row[0], row[4]),
            body_sha256=row[5],
            body_bytes=row[6],
            state=OutboxState(row[7]),
            attempts=row[8],
            next_attempt_at=parse_iso(row[9]),
            last_error=row[10],
            server_ref=row[11],
            accepted_at=_opt_time(row[12]),
            sent_at=_opt_time(row[13]),
            created_at=parse_iso(row[14]),
            updated_at=parse_iso(row[15]),
        )
