"""Purged means unreadable: after a purge, no personal value can be recovered from the database file, its WAL or
its free list, even with the key file that lies beside the database (issue 22 item 6)."""

from __future__ import annotations

import base64
import datetime as dt
import re
from pathlib import Path

from app.domain.models import Attachment
from offline_cache import open_store, samples
from offline_cache.crypto import TEXT_PREFIX, FieldCipher
from offline_cache.errors import StoreError
from offline_cache.keys import FileKeyProvider

T0 = dt.datetime(2026, 11, 1, 2, 0, tzinfo=dt.UTC)
_TOKEN = re.compile(rb"enc:v1:([A-Za-z0-9+/]{20,}={0,2})")


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> dt.datetime:
        return self.now


def _raw(data_dir: Path) -> bytes:
    """The database file and its WAL, byte for byte (free-list pages included)."""
    return b"".join(p.read_bytes() for p in sorted(data_dir.glob("tb.db*")) if p.is_file())


def test_after_a_purge_no_personal_value_is_recoverable_with_the_key(tmp_path: Path) -> None:
    """Extends FAULTS.md row 16's "nothing deleted" check from the other side: what retention deletes is gone.

    A case with 35 scans whose file names carry the applicant's name has a body larger than a page: its old
    overflow pages go to the free list when the purge rewrites the body. With `secure_delete = FAST` those pages
    kept the encrypted names, and the key file beside the database decrypted them.
    """
    clock = Clock()
    data = tmp_path / "data"
    db_path = data / "tb.db"
    with open_store(db_path, clock=clock) as store:
        scans = tuple(
            store.blobs.put(
                f"scan {i} of {samples.NAME}".encode(),
                filename=f"{samples.NAME}-身份证-{i:02d}.jpg",
                media_type="image/jpeg",
            )
            for i in range(35)
        )
        case = samples.sample_case(attachments=scans)
        saved = store.save_case(case, actor="S0042")
        store.outbox.mark_sent(saved.case.record_id, "SRV-1", accepted_at=T0)
        rid = saved.case.record_id
        conn = store.db.conn
        body_text = str(conn.execute("SELECT body FROM outbox WHERE record_id = ?", (rid,)).fetchone()[0])
        tokens = [m.group(0) for m in _TOKEN.finditer(body_text.encode())]
        blobs = [
            bytes(v)
            for row in conn.execute(
                "SELECT applicant_name, applicant_id_number, applicant_phone, applicant_address, agent_name,"
                " agent_id_number, agent_phone, delivery_address, delivery_phone FROM cases WHERE record_id = ?",
                (rid,),
            )
            for v in row
            if v is not None
        ]
        blobs += [bytes(r[0]) for r in conn.execute("SELECT filename FROM case_attachments WHERE filename IS NOT NULL")]
        assert len(tokens) >= 35 + 5 and len(blobs) >= 35 + 5
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        before = _raw(data)
        assert all(_seen(c, before) for c in tokens + blobs)  # control: the grep sees every one

        clock.now = T0 + dt.timedelta(days=31)
        report = store.purge_personal_data(clock.now, retention_days=30)
        assert report.cases == 1 and report.blobs == 35
        assert int(conn.execute("PRAGMA freelist_count").fetchone()[0]) > 0  # freed pages exist to look at
        open_raw = _raw(data)
    closed_raw = _raw(data)

    cipher = FieldCipher(FileKeyProvider().load_key(db_path, create=False))
    personal = {samples.NAME, samples.ID_NUMBER, samples.PHONE, samples.ADDRESS, samples.AGENT_NAME}
    personal |= {f"{samples.NAME}-身份证-{i:02d}.jpg" for i in range(35)}
    for raw in (open_raw, closed_raw):
        left = [c for c in tokens + blobs if _seen(c, raw)]
        assert left == [], f"{len(left)} ciphertext(s) of the purged case still on disk"
        # Any other encrypted text left anywhere must not open to a personal value with the key in hand.
        for match in _TOKEN.finditer(raw):
            sealed = base64.b64decode(match.group(1) + b"=" * (-len(match.group(1)) % 4))
            for path in _secret_paths(scans):
                try:
                    clear = cipher.decrypt(sealed, f"outbox/body.{path}/{rid}").decode()
                except (StoreError, ValueError):
                    continue
                assert clear not in personal, f"{path} recovered after the purge"
    for value in personal:
        assert value.encode() not in closed_raw
    assert TEXT_PREFIX  # the token pattern above is the cipher's own prefix


def _seen(ciphertext: bytes, raw: bytes) -> bool:
    """Whether a piece of `ciphertext` is on disk. Text that overflows a page is split by the next page's header,
    so the ciphertext is looked for in 16-byte pieces (a random 16-byte piece never matches by chance)."""
    body = ciphertext.removeprefix(b"enc:v1:")
    return any(body[i : i + 16] in raw for i in range(0, len(body) - 15, 16))


def _secret_paths(scans: tuple[Attachment, ...]) -> list[str]:
    """Where the case body holds personal values (the associated data each was sealed with)."""
    paths = [
        "applicant_name",
        "applicant_id_number",
        "applicant_phone",
        "applicant_address",
        "agent_name",
        "agent_id_number",
        "agent_phone",
        "delivery_address",
        "delivery_phone",
    ]
    paths += [f"materials.0.attachments.{i}.filename" for i in range(len(scans))]
    return paths
