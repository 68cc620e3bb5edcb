"""Retention: personal data of acknowledged cases is overwritten once the retention period has passed.

The period is timed from the platform's acknowledgement time (`outbox.accepted_at`), not from the terminal's
clock at the moment the answer arrived (`sent_at`, kept as the fallback): a terminal clock that was far behind
when the answer came would otherwise purge a case the day it was sent (issue 22).

Counts and non-personal fields stay for reports; `body_sha256` stays, so the record's identity is unchanged.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from offline_cache.audit import append_audit
from offline_cache.cases import PERSONAL_COLUMNS
from offline_cache.drafts import Drafts
from offline_cache.errors import StoreError
from offline_cache.outbox import purge_body
from offline_cache.session import Session, iso


@dataclass(frozen=True, slots=True)
class PurgeReport:
    cases: int
    drafts: int
    blobs: int
    orphans: int = 0  # scan files that had no index row (a kill or a full disk between file and row)


@dataclass(frozen=True, slots=True)
class InUse:
    """What an open form holds, which retention must not touch whatever the clock says (issue 22): its draft keys
    and the scans it references. Plain frozen sets, so a snapshot taken on the GUI thread can go to a worker."""

    drafts: frozenset[str] = frozenset()
    scans: frozenset[str] = frozenset()


def purge_personal_data(
    session: Session, *, now: dt.datetime, retention_days: int, actor: str, in_use: InUse | None = None
) -> tuple[list[str], int]:
    """Purge in one transaction; returns the purged cases' record ids and the number of drafts deleted.

    Blob files are removed by the caller after the commit.
    """
    if retention_days < 0:
        raise ValueError("retention_days must not be negative")
    cutoff = iso(now - dt.timedelta(days=retention_days))
    stamp = iso(now)
    with session.write() as conn:
        ids = [
            r[0]
            for r in conn.execute(
                "SELECT c.record_id FROM cases c JOIN outbox o ON o.record_id = c.record_id"
                " WHERE c.purged_at IS NULL AND o.state = 'sent' AND coalesce(o.accepted_at, o.sent_at) <= ?"
                " ORDER BY c.created_at",
                (cutoff,),
            ).fetchall()
        ]
        nulls = ", ".join(f"{c} = NULL" for c in PERSONAL_COLUMNS)
        for rid in ids:
            conn.execute(
                f"UPDATE cases SET {nulls}, purged_at = ?, updated_at = ? WHERE record_id = ?", (stamp, stamp, rid)
            )
            conn.execute("UPDATE case_attachments SET filename = NULL WHERE case_record_id = ?", (rid,))
            (body,) = conn.execute("SELECT body FROM outbox WHERE record_id = ?", (rid,)).fetchone()
            conn.execute(
                "UPDATE outbox SET body = ?, updated_at = ? WHERE record_id = ?", (purge_body(body), stamp, rid)
            )
            append_audit(conn, stamp, actor, "personal_data_purged", record_id=rid)
        in_use = in_use or InUse()
        keep_drafts = sorted(in_use.drafts)
        drafts = conn.execute(
            f"DELETE FROM drafts WHERE updated_at <= ? AND key NOT IN ({', '.join('?' * len(keep_drafts))})",
            (cutoff, *keep_drafts),
        ).rowcount
        if drafts:
            append_audit(conn, stamp, actor, "stale_drafts_deleted", record_id=None, detail=str(drafts))
        # Scans go once no unpurged case and no remaining draft uses them: those of purged cases, and those
        # attached to drafts that were discarded or went stale (older than the retention period).
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS purge_keep (sha256 TEXT PRIMARY KEY)")
        conn.execute("DELETE FROM purge_keep")
        conn.executemany(
            "INSERT OR IGNORE INTO purge_keep (sha256) VALUES (?)",
            [(sha,) for sha in _draft_scans(session) | in_use.scans],
        )
        conn.execute(
            "UPDATE attachments SET purged_at = ? WHERE purged_at IS NULL"
            " AND (sha256 IN (SELECT sha256 FROM case_attachments) OR created_at <= ?)"
            " AND sha256 NOT IN (SELECT sha256 FROM purge_keep) AND sha256 NOT IN"
            " (SELECT ca.sha256 FROM case_attachments ca JOIN cases c ON c.record_id = ca.case_record_id"
            "  WHERE c.purged_at IS NULL)",
            (stamp, cutoff),
        )
        conn.execute("DELETE FROM purge_keep")
    return ids, drafts


def _draft_scans(session: Session) -> set[str]:
    """SHA-256 of every scan a stored draft refers to (any `sha256` value in its payload, at any depth)."""
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key == "sha256" and isinstance(item, str):
                    found.add(item)
                else:
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    drafts = Drafts(session)
    for info in drafts.list():
        try:
            payload = drafts.get(info.key)
        except (StoreError, ValueError):  # unreadable: it cannot be restored either, so it keeps nothing
            continue
        walk(payload)
    return found
