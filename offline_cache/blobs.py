"""Attachment blobs (scans), content-addressed by the SHA-256 of their clear bytes.

Files live at `<blobs_dir>/ab/cdef…`, written atomically, deduplicated, encrypted like personal fields (a scan of
an ID card is personal data) and verified against their hash on every read. The `attachments` table indexes them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from offline_cache.crypto import aad
from offline_cache.errors import StoreError
from offline_cache.files import fsync_dir, write_atomically
from offline_cache.session import Session

if TYPE_CHECKING:
    from app.domain.models import Attachment

log = logging.getLogger("tongban.store")

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_SHARD = re.compile(r"^[0-9a-f]{2}$")
#: A file without its index row is left alone this long (by the purge's clock): another process may be between
#: writing it and committing its row.
ORPHAN_GRACE = dt.timedelta(minutes=10)

# Scans being stored by this process (GUI thread or a worker): the purge, on whatever thread, never removes one of
# them between its file write and its row commit. One lock orders registration against the purge's check+delete.
_LOCK = threading.Lock()
_IN_FLIGHT: dict[Path, int] = {}


@dataclass(frozen=True, slots=True)
class StagedBlob:
    """A scan file written durably whose index row is not committed yet (`Blobs.stage` → `Blobs.index`)."""

    sha256: str
    size: int
    media_type: str
    path: Path
    written: bool  # False: an intact copy was already there (same content attached before)


def _release(path: Path) -> None:
    with _LOCK:
        left = _IN_FLIGHT.pop(path) - 1
        if left:
            _IN_FLIGHT[path] = left


def _aad(sha256: str) -> str:
    return aad("blobs", "content", sha256)


class Blobs:
    def __init__(self, session: Session, directory: Path) -> None:
        self._s = session
        self.directory = directory

    def path(self, sha256: str) -> Path:
        if not _SHA256.match(sha256):
            raise ValueError("not a lowercase hex SHA-256")
        return self.directory / sha256[:2] / sha256[2:]

    def put(self, data: bytes, *, filename: str, media_type: str) -> Attachment:
        """Store `data` (once per content) and index it; returns the reference a case material carries."""
        return self.index(self.stage(data, media_type=media_type), filename=filename)

    def stage(self, data: bytes, *, media_type: str) -> StagedBlob:
        """The heavy half of `put`: hash, encrypt and durably write the file (file and folder fsynced, issue 22).

        Touches no SQLite connection, so it may run on a worker thread (issue 13); `index` then commits the row on
        the connection's own thread. Until `index` runs the file counts as being stored: the purge leaves it alone.
        """
        sha = hashlib.sha256(data).hexdigest()
        path = self.path(sha)
        with _LOCK:
            _IN_FLIGHT[path] = _IN_FLIGHT.get(path, 0) + 1
        written = False
        try:
            if not self._intact(path, sha):
                try:
                    self._write(path, self._s.cipher.encrypt(data, _aad(sha)))
                except OSError as exc:
                    raise StoreError(
                        "无法保存附件文件（磁盘已满或无写入权限），本次未保存。", code="blob_write"
                    ) from exc
                written = True
        except BaseException:
            _release(path)
            raise
        return StagedBlob(sha256=sha, size=len(data), media_type=media_type, path=path, written=written)

    def index(self, staged: StagedBlob, *, filename: str) -> Attachment:
        """Commit the row of a staged file (the file is already durable); a failure removes a file it wrote."""
        try:
            try:
                with self._s.write() as conn:
                    conn.execute(
                        "INSERT INTO attachments (sha256, size, media_type, created_at) VALUES (?, ?, ?, ?)"
                        " ON CONFLICT (sha256) DO UPDATE SET purged_at = NULL",
                        (staged.sha256, staged.size, staged.media_type, self._s.now()),
                    )
            except StoreError:
                if staged.written:  # no row will point at it (disk full, busy): do not leave an orphan behind
                    staged.path.unlink(missing_ok=True)
                raise
        finally:
            _release(staged.path)
        from app.domain.models import Attachment  # `sync --once` reads blobs without the case models (issue 13)

        return Attachment(sha256=staged.sha256, filename=filename, media_type=staged.media_type, size=staged.size)

    def read(self, sha256: str) -> bytes:
        """The clear bytes, checked against their hash; a damaged or missing file is a StoreError."""
        path = self.path(sha256)
        try:
            sealed = path.read_bytes()
        except FileNotFoundError as exc:
            raise StoreError("附件文件不存在（可能已按保存期限清除）。", code="blob_missing") from exc
        data = self._s.cipher.decrypt(sealed, _aad(sha256))
        if hashlib.sha256(data).hexdigest() != sha256:
            raise StoreError("附件文件已损坏。", code="blob_corrupt")
        return data

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).exists()

    def intact(self, sha256: str) -> bool:
        """The file is there, opens with the key and matches its hash (what an upload will need)."""
        return self._intact(self.path(sha256), sha256)

    def forget_uploaded(self, sha256s: list[str]) -> None:
        """The platform says it does not hold these after all (`retry_later(blob_missing)`): HEAD them again."""
        if not sha256s:
            return
        with self._s.write() as conn:
            conn.executemany("UPDATE attachments SET uploaded_at = NULL WHERE sha256 = ?", [(s,) for s in sha256s])

    def mark_uploaded(self, sha256: str) -> None:
        """The platform holds this blob (HEAD found it, or PUT succeeded)."""
        with self._s.write() as conn:
            conn.execute(
                "UPDATE attachments SET uploaded_at = coalesce(uploaded_at, ?) WHERE sha256 = ?",
                (self._s.now(), sha256),
            )

    def forget_uploads(self) -> int:
        """A platform restored from backup may lack any blob: check each again (HEAD) before its next record."""
        with self._s.write() as conn:
            return conn.execute("UPDATE attachments SET uploaded_at = NULL WHERE uploaded_at IS NOT NULL").rowcount

    def not_uploaded(self, sha256s: list[str]) -> list[str]:
        """Which of these blobs still need uploading (in the given order)."""
        if not sha256s:
            return []
        rows = self._s.conn.execute(
            f"SELECT sha256 FROM attachments WHERE uploaded_at IS NOT NULL"
            f" AND sha256 IN ({', '.join('?' * len(sha256s))})",
            sha256s,
        ).fetchall()
        done = {r[0] for r in rows}
        return [s for s in sha256s if s not in done]

    def remove_purged_files(self) -> int:
        """Delete the files of blobs whose index row is marked purged; returns how many files went."""
        removed = 0
        for (sha,) in self._s.conn.execute("SELECT sha256 FROM attachments WHERE purged_at IS NOT NULL").fetchall():
            path = self.path(sha)
            if path.exists():
                path.unlink()
                removed += 1
        return removed

    def remove_orphan_files(self, now: dt.datetime, grace: dt.timedelta = ORPHAN_GRACE) -> int:
        """Delete scan files that no index row points at (a kill, a busy database or a full disk between the file
        write and the row commit), and leftover temporary files; returns how many went.

        A file being stored right now by this process is never touched; one written within `grace` before `now`
        is left for the next run (another process may still commit its row). Safe from any thread.
        """
        if not self.directory.is_dir():
            return 0
        cutoff = (now - grace).timestamp()
        indexed = {r[0] for r in self._s.conn.execute("SELECT sha256 FROM attachments")}
        removed = 0
        for shard in self.directory.iterdir():
            if not (shard.is_dir() and _SHARD.match(shard.name)):
                continue
            for file in shard.iterdir():
                sha = shard.name + file.name
                temporary = file.name.startswith(".") and file.name.endswith(".tmp")
                if not temporary and (sha in indexed or not _SHA256.match(sha)):
                    continue
                try:
                    if file.stat().st_mtime > cutoff:
                        continue
                except FileNotFoundError:
                    continue
                with _LOCK:
                    if temporary:
                        busy = any(p.parent == shard and file.name.startswith(f".{p.name}.") for p in _IN_FLIGHT)
                    else:  # indexed meanwhile (another connection committed its row since the list above)?
                        busy = file in _IN_FLIGHT or self._indexed(sha)
                    if busy:
                        continue
                    file.unlink(missing_ok=True)
                removed += 1
        if removed:
            log.info("retention: %d scan file(s) without an index row removed", removed)
        return removed

    def _indexed(self, sha: str) -> bool:
        return self._s.conn.execute("SELECT 1 FROM attachments WHERE sha256 = ?", (sha,)).fetchone() is not None

    def _intact(self, path: Path, sha: str) -> bool:
        if not path.exists():
            return False
        try:
            self.read(sha)
        except StoreError:
            return False
        return True

    @staticmethod
    def _write(path: Path, sealed: bytes) -> None:
        """Durably: the file's bytes, its name in the shard folder and a new shard folder's own name are synced
        before this returns (a power cut must not keep the row and lose the file, issue 22)."""
        created = not path.parent.is_dir()
        path.parent.mkdir(parents=True, exist_ok=True)
        if created:
            fsync_dir(path.parent.parent)
        write_atomically(path, sealed)
