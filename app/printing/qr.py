"""The receipt's QR code: the case query URL, and its module matrix (the `qrcode` package).

The payload is `<platform_url>/c/<case_no>`: it carries the case number only, never personal data, so anyone who
photographs a receipt learns nothing a receipt number alone would not tell them.

`qrcode` and Pillow are imported where a symbol is drawn: the URL helpers are used on the intake screen at start,
which must not pay for them (~50 ms).
"""

from __future__ import annotations

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
