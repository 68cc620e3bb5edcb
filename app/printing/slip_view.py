"""Draw ESC/POS bytes as a picture of the printed slip: for the clerk's print preview and for tests.

Understands exactly the commands `thermal.py` emits (ESC @, FS &, ESC a, ESC E, GS !, FS !, GS v 0, GS ( k QR,
ESC d, GS V) and draws text with the shipped font, 12 × 24 dots per half-width character as a printer would.
An unknown command raises ValueError, so a test notices when the renderer emits something unexpected.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PIL import Image
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter

from app.printing.fonts import receipt_font
from app.printing.qr import qr_matrix
from app.printing.thermal import DOT_COLUMN, LINE_DOTS, char_columns


@dataclass(slots=True)
class SlipView:
    """What the interpreter saw, besides the picture."""

    image: Image.Image
    text_lines: list[str] = field(default_factory=list)
    raster_images: list[Image.Image] = field(default_factory=list)  # 1-bit, black = 0
    native_qr: list[str] = field(default_factory=list)
    cuts: int = 0


def _text_strip(text: str, dots: int, *, align: int, bold: bool, scale: int) -> Image.Image:
    height = LINE_DOTS * scale
    image = QImage(dots, height, QImage.Format.Format_Grayscale8)
    image.fill(QColor(255, 255, 255))
    painter = QPainter(image)
    painter.setPen(QColor(0, 0, 0))
    width = sum(char_columns(ch) for ch in text) * DOT_COLUMN * scale
    x = 0 if align == 0 else max(0, (dots - width) // 2) if align == 1 else max(0, dots - width)
    font_small = receipt_font(LINE_DOTS * scale - 2, bold=bold)
    painter.setFont(font_small)
    for ch in text:
        w = char_columns(ch) * DOT_COLUMN * scale
        painter.drawText(QRectF(x, 0, w, height), int(Qt.AlignmentFlag.AlignCenter), ch)
        x += w
    painter.end()
    data = bytes(image.constBits())[: image.bytesPerLine() * height]
    return Image.frombuffer("L", (dots, height), data, "raw", "L", image.bytesPerLine(), 1).copy()


def _native_qr(payload: str, module: int, dots: int, align: int) -> Image.Image:
    matrix = qr_matrix(payload)
    n = len(matrix) * module
    image = Image.new("L", (dots, n + 2 * 4 * module), 255)
    x0 = (dots - n) // 2 if align == 1 else 0
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                image.paste(
                    0, (x0 + x * module, 4 * module + y * module, x0 + (x + 1) * module, 4 * module + (y + 1) * module)
                )
    return image


def render_slip(data: bytes, *, dots: int) -> SlipView:  # noqa: PLR0912, PLR0915 - one branch per command
    strips: list[Image.Image] = []
    view = SlipView(Image.new("L", (dots, 1), 255))
    align, bold, scale = 0, False, 1
    qr_module, qr_payload = 3, ""
    i, text = 0, bytearray()

    def flush_text() -> None:
        line = bytes(text).decode("gb18030")
        view.text_lines.append(line)
        strips.append(_text_strip(line, dots, align=align, bold=bold, scale=scale))
        text.clear()

    while i < len(data):
        b = data[i]
        if b == 0x0A:
            flush_text()
            i += 1
        elif b == 0x1B:
            cmd = data[i + 1 : i + 2]
            if cmd == b"@":
                align, bold, scale = 0, False, 1
                i += 2
            elif cmd == b"a":
                align = data[i + 2] % 48
                i += 3
            elif cmd == b"E":
                bold = bool(data[i + 2] & 1)
                i += 3
            elif cmd == b"d":
                strips.append(Image.new("L", (dots, LINE_DOTS * data[i + 2]), 255))
                i += 3
            else:
                raise ValueError(f"unexpected ESC {cmd!r} at {i}")
        elif b == 0x1C:
            cmd = data[i + 1 : i + 2]
            if cmd == b"&":
                i += 2
            elif cmd == b"!":
                i += 3
            else:
                raise ValueError(f"unexpected FS {cmd!r} at {i}")
        elif b == 0x1D:
            cmd = data[i + 1 : i + 2]
            if cmd == b"!":
                scale = 2 if data[i + 2] & 0x0F else 1
                i += 3
            elif cmd == b"v":
                width_bytes = int.from_bytes(data[i + 4 : i + 6], "little")
                height = int.from_bytes(data[i + 6 : i + 8], "little")
                payload = data[i + 8 : i + 8 + width_bytes * height]
                bits = Image.frombytes("1", (width_bytes * 8, height), payload)
                printed = Image.eval(bits.convert("L"), lambda v: 255 - v)  # printer: 1 bits are black
                view.raster_images.append(printed.convert("1"))
                canvas = Image.new("L", (dots, height), 255)
                canvas.paste(printed.crop((0, 0, min(dots, printed.width), height)), (0, 0))
                strips.append(canvas)
                i += 8 + width_bytes * height
            elif cmd == b"(":
                length = int.from_bytes(data[i + 3 : i + 5], "little")
                body = data[i + 5 : i + 5 + length]
                fn = body[1]
                if fn == 67:
                    qr_module = body[2]
                elif fn == 80:
                    qr_payload = body[3:].decode("utf-8")
                elif fn == 81:
                    view.native_qr.append(qr_payload)
                    strips.append(_native_qr(qr_payload, qr_module, dots, align))
                i += 5 + length
            elif cmd == b"V":
                view.cuts += 1
                strips.append(Image.new("L", (dots, 4), 0))
                i += 3
            else:
                raise ValueError(f"unexpected GS {cmd!r} at {i}")
        else:
            text.append(b)
            i += 1
    if text:
        flush_text()
    height = sum(s.height for s in strips) or 1
    sheet = Image.new("L", (dots, height), 255)
    y = 0
    for strip in strips:
        sheet.paste(strip, (0, y))
        y += strip.height
    view.image = sheet
    return view
