"""What a scan attachment may be: PDF, JPEG or PNG, recognised by content (magic bytes), up to a size limit.

A renamed executable (`scan.pdf` that starts with `MZ` or `\\x7fELF`) is refused whatever its name says; the size is
checked before the file is read, so a 500 MB file is never loaded.
"""

from __future__ import annotations

import os
from pathlib import Path

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)
_EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


class AttachmentError(Exception):
    """A refused attachment: `message` is plain Chinese for the clerk; `code` a short name for tests and logs."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def sniff_media_type(head: bytes) -> str | None:
    """The media type the first bytes prove, or None."""
    for magic, media_type in _SIGNATURES:
        if head.startswith(magic):
            return media_type
    return None


def check_content(data: bytes, *, limit: int = MAX_ATTACHMENT_BYTES) -> str:
    """The media type of `data`, or AttachmentError (empty, too large, not PDF/JPEG/PNG)."""
    if not data:
        raise AttachmentError("文件是空的", code="empty")
    if len(data) > limit:
        raise AttachmentError(_too_large(limit), code="too_large")
    media_type = sniff_media_type(data[:16])
    if media_type is None:
        raise AttachmentError("只能附加PDF、JPEG或PNG文件（按文件内容判断，与扩展名无关）", code="bad_type")
    return media_type


def read_checked(path: Path, *, limit: int = MAX_ATTACHMENT_BYTES) -> tuple[bytes, str]:
    """Read a file the clerk chose: (bytes, media type). Size is checked before reading."""
    try:
        size = os.stat(path).st_size
        if size > limit:
            raise AttachmentError(_too_large(limit), code="too_large")
        with open(path, "rb") as fh:
            data = fh.read(limit + 1)
    except AttachmentError:
        raise
    except OSError as exc:
        raise AttachmentError("无法读取该文件，请确认文件存在且有读取权限", code="unreadable") from exc
    return data, check_content(data, limit=limit)


def display_filename(path_or_name: str, media_type: str) -> str:
    """A tidy file name for the list (no folders, no control characters, the right extension)."""
    name = Path(path_or_name).name
    name = "".join(c for c in name if c.isprintable())[:80] or "scan"
    ext = _EXTENSIONS.get(media_type, "")
    return name if name.lower().endswith(ext) or (ext == ".jpg" and name.lower().endswith(".jpeg")) else name + ext


def _too_large(limit: int) -> str:
    return f"文件过大（最大{limit // (1024 * 1024)} MB），请降低扫描分辨率后重试"
