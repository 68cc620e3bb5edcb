"""Attachment blobs (scans), content-addressed by the SHA-256 of their clear bytes.

Files live at `<blobs_dir>/ab/cdef…`, written atomically, deduplicated, encrypted like personal fields (a scan of
an ID card is personal data) and verified against their hash on every read. The `attachments` table indexes them.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from pathlib import Path

from app.domain.models import Attachment
from offline_cache.crypto import aad
from offline_cache.errors import StoreError
from offline_cache.session import Session

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


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
        sha = hashlib.sha256(data).hexdigest()
        path = self.path(sha)
        if not self._intact(path, sha):
            try:
                self._write(path, self._s.cipher.encrypt(data, _aad(sha)))
            except OSError as exc:
                raise StoreError("无法保存附件文件（磁盘已满或无写入权限），本次未保存。", code="blob_write") from exc
        with self._s.write() as conn:
            conn.execute(
                "INSERT INTO attachments (sha256, size, media_type, created_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (sha256) DO UPDATE SET purged_at = NULL",
                (sha, len(data), media_type, self._s.now()),
            )
        return Attachment(sha256=sha, filename=filename, media_type=media_type, size=len(data))

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
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
        try:
            with open(tmp, "wb") as fh:
                fh.write(sealed)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
