"""Document camera / scanner (高拍仪) behind a small interface, with a simulator.

`DocumentScanner.scan(timeout=...)` blocks until one page is captured and returns its bytes as JPEG, PNG or PDF;
it runs on a device worker thread (see `app.devices.runner`).

Adapter point for document cameras: vendors (良田, 紫光, 方正 …) ship either a UVC camera (capture a frame with
`QMediaCaptureSession` + `QImageCapture`, or OpenCV) or an SDK/ActiveX/local HTTP service with calls like
`OpenDevice`, `SetResolution`, `CaptureToFile`/`CaptureBase64`. Wrap it in a class with `scan(*, timeout)` that
returns `ScannedPage`, maps "device not found" to `ScannerErrorKind.ABSENT` and other failures to `FAILED`, and
register it in `app.services.terminal` instead of `SimulatedScanner`.
"""

from __future__ import annotations

import struct
import time
import zlib
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Protocol


class ScannerErrorKind(StrEnum):
    ABSENT = "absent"
    FAILED = "failed"
    TIMEOUT = "timeout"


ERROR_MESSAGES: dict[ScannerErrorKind, str] = {
    ScannerErrorKind.ABSENT: "未连接高拍仪/扫描仪，请检查设备，或从文件添加扫描件",
    ScannerErrorKind.FAILED: "扫描失败，请重试，或从文件添加扫描件",
    ScannerErrorKind.TIMEOUT: "扫描超时，请重试，或从文件添加扫描件",
}


class ScannerError(Exception):
    def __init__(self, kind: ScannerErrorKind, detail: str = "") -> None:
        super().__init__(f"{kind.value}: {detail}" if detail else kind.value)
        self.kind = kind
        self.message = ERROR_MESSAGES[kind]


@dataclass(frozen=True, slots=True)
class ScannedPage:
    data: bytes
    filename: str


class DocumentScanner(Protocol):
    def scan(self, *, timeout: float) -> ScannedPage: ...


def blank_page_png(width: int = 210, height: int = 297) -> bytes:
    """A small grey page as PNG, made without any image library (the simulator's default capture)."""
    row = b"\x00" + b"\xee" * width
    raw = row * height

    def chunk(tag: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", zlib.crc32(tag + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


class SimulatedScanner:
    """Returns the oldest unused file of `folder` (then deletes nothing; it cycles), or a generated blank page."""

    def __init__(
        self, *, folder: Path | None = None, delay: float = 0.0, error: ScannerErrorKind | None = None
    ) -> None:
        self.folder = folder
        self.delay = delay
        self.error = error
        self._count = 0

    def scan(self, *, timeout: float) -> ScannedPage:
        if self.delay:
            time.sleep(min(self.delay, timeout))
            if self.delay > timeout:
                raise ScannerError(ScannerErrorKind.TIMEOUT)
        if self.error is not None:
            raise ScannerError(self.error)
        self._count += 1
        files = sorted(p for p in self.folder.iterdir() if p.is_file()) if self.folder and self.folder.is_dir() else []
        if files:
            path = files[(self._count - 1) % len(files)]
            try:
                return ScannedPage(path.read_bytes(), path.name)
            except OSError as exc:
                raise ScannerError(ScannerErrorKind.FAILED, type(exc).__name__) from exc
        return ScannedPage(blank_page_png(), f"scan-{self._count:03d}.png")
