"""The receipt's QR code: the case query URL, and its module matrix (the `qrcode` package).

The payload is `<platform_url>/c/<case_no>`: it carries the case number only, never personal data, so anyone who
photographs a receipt learns nothing a receipt number alone would not tell them.

`qrcode` and Pillow are imported where a symbol is drawn: the URL helpers are used on the intake screen at start,
which must not pay for them (~50 ms). A thermal slip's raster QR is packed from the matrix directly (`qr_raster`),
without Pillow; `import_qrcode_without_pillow` lets a one-shot command (`tongban receipt --format escpos`) load
qrcode without the Pillow drawers it imports only as backward-compatible aliases (~50 ms, issue 13).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image

#: Query base printed when no platform URL is configured (an offline terminal): the city's government-service
#: portal path for 通办 case queries. Product decision; change it here and in DOMAIN.md together.
OFFLINE_QUERY_BASE = "https://zwfw.yingkou.gov.cn/tb"
#: The QR standard asks for a 4-module light margin around the symbol.
QUIET_ZONE_MODULES = 4
#: A fixed data mask. Any of the eight masks is a valid symbol that every reader decodes; choosing the "best" one
#: costs eight trial encodings (~10 ms of a 13 ms thermal slip, issue 15) to avoid rare large uniform areas,
#: which the receipt URL's short payload does not produce (tests decode every rendered QR with zbarimg).
MASK_PATTERN = 4


def query_base(platform_url: str) -> str:
    """The base URL citizens use to look a case up: the configured platform, else the offline default."""
    return platform_url.strip().rstrip("/") or OFFLINE_QUERY_BASE


def query_url(platform_url: str, case_no: str) -> str:
    return f"{query_base(platform_url)}/c/{case_no}"


def qr_matrix(payload: str) -> list[list[bool]]:
    """Dark (True) / light modules of the symbol, without quiet zone. Error correction M survives smudges."""
    import qrcode  # slow: only when a symbol is drawn (see module doc)
    import qrcode.constants

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0, mask_pattern=MASK_PATTERN)
    code.add_data(payload)
    code.make(fit=True)
    return [list(row) for row in code.get_matrix()]


def import_qrcode_without_pillow() -> None:
    """Import qrcode without Pillow, for a single-threaded command that draws no image (a slip's raster QR).

    qrcode 8's `image.styles.moduledrawers` imports its Pillow drawers only "for backwards compatibility", inside
    `except ImportError: pass`; nothing here uses them. Pillow is hidden from that one import (a `None` entry in
    sys.modules makes an import of it fail) and shown again at once. Call it before any other thread starts: a
    thread importing Pillow meanwhile would fail. Does nothing when qrcode or Pillow is already loaded; should a
    later qrcode need Pillow to import, the normal import runs instead.
    """
    if "qrcode" in sys.modules or "PIL" in sys.modules:
        return
    sys.modules["PIL"] = None  # type: ignore[assignment]  # the import system's "not importable" marker
    try:
        import qrcode.constants  # noqa: F401  # (the matrix needs qrcode.QRCode and its constants only)
    except ImportError:
        for name in [name for name in sys.modules if name == "qrcode" or name.startswith("qrcode.")]:
            del sys.modules[name]
    finally:
        del sys.modules["PIL"]


def qr_raster(payload: str, *, module_px: int, dots: int) -> bytes:
    """The symbol (full 4-module quiet zone, `module_px` dots per module) centred on a line `dots` wide, as the
    rows of an ESC/POS `GS v 0` image: each row `dots // 8` bytes, most significant bit first, 1 = a black dot.

    The same bytes as drawing `qr_image` on a white canvas of that width with Pillow (tested), without Pillow.
    """
    if dots % 8:
        raise ValueError("a raster line is a whole number of bytes")
    matrix = qr_matrix(payload)
    side = (len(matrix) + 2 * QUIET_ZONE_MODULES) * module_px
    left = (dots - side) // 2 + QUIET_ZONE_MODULES * module_px  # dots before the first module column
    if left < 0 or left + len(matrix) * module_px > dots:
        raise ValueError("the QR symbol is wider than the paper")
    block = (1 << module_px) - 1
    quiet = bytes(dots // 8) * (QUIET_ZONE_MODULES * module_px)
    rows = [quiet]
    for modules in matrix:
        bits = 0
        for x, dark in enumerate(modules):
            if dark:
                bits |= block << (dots - left - (x + 1) * module_px)
        rows.append(bits.to_bytes(dots // 8, "big") * module_px)
    rows.append(quiet)
    return b"".join(rows)


def qr_image(payload: str, *, module_px: int) -> Image.Image:
    """A 1-bit image of the symbol with the full 4-module quiet zone, `module_px` pixels per module."""
    from PIL import Image  # slow: only when a symbol is drawn (see module doc)

    matrix = qr_matrix(payload)
    n = len(matrix) + 2 * QUIET_ZONE_MODULES
    image = Image.new("1", (n, n), 1)
    pixels = image.load()
    assert pixels is not None
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                pixels[x + QUIET_ZONE_MODULES, y + QUIET_ZONE_MODULES] = 0
    return image.resize((n * module_px, n * module_px), Image.Resampling.NEAREST)
