"""Thermal (ESC/POS) rendering of receipt documents to bytes, for 80 mm and 58 mm Chinese receipt printers.

The recipe of PLATFORM_NOTES.md: `ESC @` (python-escpos never sends it), `FS &` (Chinese character mode), then every
line encoded as GB18030 and sent raw — `Escpos.text()` is not used because it falls back to `?` for lines without a
common ideograph. Characters outside GBK (4-byte GB18030, e.g. 𠮷) exist in no printer font, so a line holding one
is printed as a raster image (`GS v 0`) drawn with the shipped font instead of as garbage. The QR code is the
printer's native command when its python-escpos profile supports it, else a raster image with the full 4-module
quiet zone. The slip ends with a feed and a cut.

Rendering goes through python-escpos's `Dummy` printer: it produces bytes and touches no device, so it is fast and
safe off the GUI thread; `backends.py` sends the bytes.

python-escpos is imported inside the functions that need it: importing it parses its whole printer-profile YAML
(~170 ms), which the first screen must not wait for. The layout helpers (`char_columns`, `wrap_columns`, ...) stay
import-cheap.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PIL import Image, ImageOps
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter

from app.printing.document import FieldsBlock, ReceiptDocument, SignatureBlock, TableBlock, TextBlock
from app.printing.fonts import receipt_font
from app.printing.qr import qr_image

if TYPE_CHECKING:
    from escpos.printer import Dummy

ESC = b"\x1b"
GS = b"\x1d"
FS = b"\x1c"
INIT = ESC + b"@"
CHINESE_MODE = FS + b"&"  # FS &: select Chinese character mode (GB18030 double-byte text)
ALIGN = {"left": ESC + b"a\x00", "center": ESC + b"a\x01"}
BOLD_ON, BOLD_OFF = ESC + b"E\x01", ESC + b"E\x00"
DOUBLE_ON = GS + b"!\x11" + FS + b"!\x0c"  # double width and height, for ASCII (GS !) and Chinese (FS !)
DOUBLE_OFF = GS + b"!\x00" + FS + b"!\x00"
RASTER = GS + b"v0\x00"  # GS v 0, normal density
#: Dots of one text line in the printer's standard 24-dot font; image lines use the same height.
LINE_DOTS = 24
DOT_COLUMN = 12  # a half-width character is 12 dots wide (font A)


@dataclass(frozen=True, slots=True)
class ThermalProfile:
    profile: str  # python-escpos profile name ("default" when none is configured)
    paper_mm: int
    dots: int  # printable width in dots, a multiple of 8
    native_qr: bool

    @property
    def columns(self) -> int:
        """Half-width characters per line (a Chinese character takes two)."""
        return self.dots // DOT_COLUMN

    @property
    def qr_module(self) -> int:
        """Dots per QR module: about 1 mm on 80 mm paper, 0.75 mm on 58 mm."""
        return 8 if self.dots >= 500 else 6


def thermal_profile(profile: str, paper_width_mm: int) -> ThermalProfile:
    """The layout facts of a configured printer: width from its python-escpos profile when known, else from the
    paper width (80 mm → 576 dots, 58 mm → 384 dots); native QR when the named profile says the printer has it.

    No profile configured means an unknown printer: python-escpos's generic profile claims `GS ( k` QR support,
    but many cheap Chinese printers lack it and would print no QR at all, so the QR goes as a raster image (which
    every printer with `GS v 0` prints) unless a profile is named.
    """
    from escpos.capabilities import get_profile  # slow: printing only (see module doc)

    name = profile or "default"
    caps = get_profile(name)
    pixels = caps.profile_data.get("media", {}).get("width", {}).get("pixels")
    dots = int(pixels) if isinstance(pixels, int) and pixels > 0 else (576 if paper_width_mm >= 80 else 384)
    return ThermalProfile(name, paper_width_mm, dots - dots % 8, bool(profile) and bool(caps.supports("qrCode")))


def clean(text: str) -> str:
    """Text safe to send: control and format characters (which could act as printer commands) become spaces."""
    return "".join(" " if unicodedata.category(ch) in {"Cc", "Cf", "Cs"} else ch for ch in text)


def char_columns(ch: str) -> int:
    """Columns a character takes: single-byte GB18030 is half width, everything else full width."""
    return 1 if len(ch.encode("gb18030")) == 1 else 2


def needs_image(text: str) -> bool:
    """True when the line holds a character outside GBK (4-byte GB18030), which printer fonts lack."""
    return any(len(ch.encode("gb18030")) == 4 for ch in text)


#: Punctuation that must not begin a line (禁则): it takes the previous character down with it.
NO_LINE_START = frozenset("，。、；：？！）】》」』”’,.;:?!)]%")


def wrap_columns(text: str, columns: int, indent: int = 0) -> list[str]:
    """Break `text` into lines of at most `columns` columns; continuation lines start with `indent` spaces.
    A closing bracket or punctuation mark never starts a line."""
    lines: list[str] = []
    current, width = "", 0
    for ch in text:
        w = char_columns(ch)
        if width + w > columns and current.strip():
            carry = ""
            if ch in NO_LINE_START and len(current.strip()) > 1 and current[-1] not in NO_LINE_START:
                current, carry = current[:-1], current[-1]
            lines.append(current.rstrip())
            current = " " * indent + carry
            width = indent + sum(char_columns(c) for c in carry)
            if ch == " " and not carry:
                continue
        current += ch
        width += w
    if current.strip() or not lines:
        lines.append(current.rstrip())
    return lines


def _raster(image: Image.Image) -> bytes:
    """GS v 0 for a 1-bit PIL image (0 = black): the printer's 1 bits are black dots."""
    bits = ImageOps.invert(image.convert("L")).point(lambda v: 255 if v >= 128 else 0, mode="1")
    width_bytes = (bits.width + 7) // 8
    header = RASTER + width_bytes.to_bytes(2, "little") + bits.height.to_bytes(2, "little")
    return header + bits.tobytes()


def text_image(text: str, *, dots: int, align: str, double: bool = False, bold: bool = False) -> Image.Image:
    """One printed line as a 1-bit image `dots` wide, drawn with the shipped font (and Qt's fallback fonts)."""
    height = LINE_DOTS * (2 if double else 1)
    image = QImage(dots, height, QImage.Format.Format_Grayscale8)
    image.fill(QColor(255, 255, 255))
    painter = QPainter(image)
    painter.setFont(receipt_font(height - 2, bold=bold or double))
    painter.setPen(QColor(0, 0, 0))
    flags = Qt.AlignmentFlag.AlignVCenter | (
        Qt.AlignmentFlag.AlignHCenter if align == "center" else Qt.AlignmentFlag.AlignLeft
    )
    painter.drawText(QRectF(0, 0, dots, height), int(flags), text)
    painter.end()
    data = bytes(image.constBits())[: image.bytesPerLine() * height]
    gray = Image.frombuffer("L", (dots, height), data, "raw", "L", image.bytesPerLine(), 1)
    return gray.point(lambda v: 0 if v < 140 else 255, mode="1")


class _Slip:
    def __init__(self, profile: ThermalProfile) -> None:
        from escpos.printer import Dummy  # slow: printing only (see module doc)

        self.p = profile
        self.out: Dummy = Dummy(profile=profile.profile)

    def raw(self, data: bytes) -> None:
        self.out._raw(data)

    def line(self, text: str, *, align: str = "left", double: bool = False, bold: bool = False) -> None:
        text = clean(text)
        if needs_image(text):
            self.raw(ALIGN["left"] + _raster(text_image(text, dots=self.p.dots, align=align, double=double, bold=bold)))
            return
        self.raw(
            ALIGN[align]
            + (DOUBLE_ON if double else b"")
            + (BOLD_ON if bold else b"")
            + text.encode("gb18030")
            + b"\n"
            + (BOLD_OFF if bold else b"")
            + (DOUBLE_OFF if double else b"")
        )

    def para(
        self, text: str, *, indent: int = 0, align: str = "left", double: bool = False, bold: bool = False
    ) -> None:
        columns = self.p.columns // (2 if double else 1)
        for line in wrap_columns(clean(text), columns, indent):
            self.line(line, align=align, double=double, bold=bold)

    def rule(self) -> None:
        self.line("-" * self.p.columns)

    def qr(self, payload: str) -> None:
        if self.p.native_qr:
            from escpos.constants import QR_ECLEVEL_M  # slow: printing only (see module doc)

            self.raw(ALIGN["center"])
            self.out.qr(payload, ec=QR_ECLEVEL_M, size=self.p.qr_module, native=True)
            self.raw(b"\n" + ALIGN["left"])
            return
        symbol = qr_image(payload, module_px=self.p.qr_module)
        canvas = Image.new("1", (self.p.dots, symbol.height), 1)
        canvas.paste(symbol, ((self.p.dots - symbol.width) // 2, 0))
        self.raw(ALIGN["left"] + _raster(canvas))


def _table(slip: _Slip, block: TableBlock) -> None:
    if not block.rows:
        slip.para(block.empty_text, indent=2)
    for cells in block.rows:
        slip.para(f"{cells[0]}. {cells[1]}", indent=3)
        details = "，".join(
            f"{col}：{val}" for col, val in zip(block.columns[2:], cells[2:], strict=True) if val not in {"", "—"}
        )
        if details:
            slip.para(f"   {details}", indent=3)
    if block.note:
        slip.para(block.note)


def _document(slip: _Slip, doc: ReceiptDocument) -> None:
    if doc.reprint_at is not None:
        slip.para(f"【{doc.reprint_label}】", align="center", bold=True)
    slip.para(doc.hall_name, align="center")
    slip.para(doc.title, align="center", double=True)
    slip.para("办件编号", align="center")
    slip.para(doc.case_no_display, align="center", bold=True)
    slip.rule()
    for block in doc.blocks:
        if isinstance(block, SignatureBlock):
            continue  # nobody signs a thermal slip
        slip.para(f"【{block.heading}】", bold=True)
        if isinstance(block, FieldsBlock):
            for row in block.rows:
                slip.para(f"{row.label}：{row.value}", indent=2)
        elif isinstance(block, TableBlock):
            _table(slip, block)
        elif isinstance(block, TextBlock):
            for paragraph in block.paragraphs:
                slip.para(paragraph)
    slip.rule()
    slip.qr(doc.qr_payload)
    slip.para(doc.qr_caption, align="center")
    slip.para(f"打印时间 {doc.issued_at:%Y-%m-%d %H:%M}", align="center")


def render_escpos(docs: Sequence[ReceiptDocument], profile: ThermalProfile) -> bytes:
    """ESC/POS bytes for the documents, each on its own slip with a cut after it. Needs the receipt font only
    when a line has to be drawn as an image (fonts.ensure_receipt_fonts)."""
    slip = _Slip(profile)
    slip.out.hw("INIT")
    slip.raw(CHINESE_MODE)
    for doc in docs:
        _document(slip, doc)
        slip.out.cut()
    return bytes(slip.out.output)
