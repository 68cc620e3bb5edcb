"""Thermal (ESC/POS) rendering of receipt documents to bytes, for 80 mm and 58 mm Chinese receipt printers.

The recipe of PLATFORM_NOTES.md: `ESC @` (python-escpos never sends it), `FS &` (Chinese character mode), then every
line encoded as GB18030 and sent raw — `Escpos.text()` is not used because it falls back to `?` for lines without a
common ideograph. Characters outside GBK (4-byte GB18030, e.g. 𠮷) exist in no printer font, so a line holding one
is printed as a raster image (`GS v 0`) drawn with the shipped font instead of as garbage. The QR code is the
printer's native command when its python-escpos profile supports it, else a raster image with the full 4-module
quiet zone. The slip ends with a feed and a cut.

Rendering writes the few commands it uses itself (`ESC @`, `GS v 0`, `GS ( k`, `GS V`) into a byte buffer and
touches no device, so it is fast and safe off the GUI thread; `backends.py` sends the bytes through python-escpos's
device classes. python-escpos itself is not imported here: importing it parses its whole printer database (a YAML
file, 0.2-1.2 s in every process, issue 15). The three facts a profile gives the layout — width in dots, native QR,
cutter — ship in `resources/printers/escpos_profiles.json`, generated from python-escpos by
`scripts/gen_escpos_profiles.py` and checked against it by the tests.

Line breaking (`wrap_columns`) follows the Chinese rules (GB/T 15834 punctuation, 禁则): text breaks between
characters, but closing punctuation never starts a line, opening punctuation never ends one, and a number, a
masked ID, a case number, a date or a URL is never split when it fits on one line; a number stays with the
measure word after it (`01号`, `2份`, `12月`).
"""

from __future__ import annotations

import functools
import json
import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.printing.document import FieldsBlock, ReceiptDocument, SignatureBlock, TableBlock, TextBlock
from app.printing.qr import qr_raster
from resources import resource_path

if TYPE_CHECKING:
    from PIL import Image

log = logging.getLogger("tongban.printing")

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
FEED_6 = ESC + b"d\x06"  # ESC d 6: print and feed six lines (before a cut, so the text clears the blade)
CUT = {"full": GS + b"V\x00", "part": GS + b"V\x01"}
QR_EC_M = 49  # GS ( k error correction level M (python-escpos QR_ECLEVEL_M)
#: Dots of one text line in the printer's standard 24-dot font; image lines use the same height.
LINE_DOTS = 24
DOT_COLUMN = 12  # a half-width character is 12 dots wide (font A)


@dataclass(frozen=True, slots=True)
class ThermalProfile:
    profile: str  # python-escpos profile name ("default" when none is configured)
    paper_mm: int
    dots: int  # printable width in dots, a multiple of 8
    native_qr: bool
    cut: str | None = "full"  # "full", "part", or None for a printer without a cutter (tear-off)

    @property
    def columns(self) -> int:
        """Half-width characters per line (a Chinese character takes two)."""
        return self.dots // DOT_COLUMN

    @property
    def qr_module(self) -> int:
        """Dots per QR module: about 1 mm on 80 mm paper, 0.75 mm on 58 mm."""
        return 8 if self.dots >= 500 else 6


@functools.cache
def profile_facts() -> dict[str, dict[str, object]]:
    """The shipped facts of every python-escpos profile (see the module doc), read once per process."""
    data = json.loads(resource_path("printers", "escpos_profiles.json").read_text(encoding="utf-8"))
    profiles: dict[str, dict[str, object]] = data["profiles"]
    return profiles


def thermal_profile(profile: str, paper_width_mm: int) -> ThermalProfile:
    """The layout facts of a configured printer: width from its python-escpos profile when known, else from the
    paper width (80 mm → 576 dots, 58 mm → 384 dots); native QR when the named profile says the printer has it.

    No profile configured means an unknown printer: python-escpos's generic profile claims `GS ( k` QR support,
    but many cheap Chinese printers lack it and would print no QR at all, so the QR goes as a raster image (which
    every printer with `GS v 0` prints) unless a profile is named. An unknown profile name is treated like none.
    """
    name = profile or "default"
    facts = profile_facts().get(name)
    if facts is None:
        log.warning("unknown printer profile %r: using the generic one", name)
        facts = profile_facts()["default"]
    pixels = facts.get("pixels")
    dots = int(pixels) if isinstance(pixels, int) and pixels > 0 else (576 if paper_width_mm >= 80 else 384)
    cut = facts.get("cut")
    return ThermalProfile(
        name,
        paper_width_mm,
        dots - dots % 8,
        bool(profile) and bool(facts.get("qr")),
        cut if isinstance(cut, str) else None,
    )


def clean(text: str) -> str:
    """Text safe to send: control and format characters (which could act as printer commands) become spaces."""
    return "".join(" " if unicodedata.category(ch) in {"Cc", "Cf", "Cs"} else ch for ch in text)


def char_columns(ch: str) -> int:
    """Columns a character takes: single-byte GB18030 is half width, everything else full width."""
    return 1 if len(ch.encode("gb18030")) == 1 else 2


def needs_image(text: str) -> bool:
    """True when the line holds a character outside GBK (4-byte GB18030), which printer fonts lack."""
    return any(len(ch.encode("gb18030")) == 4 for ch in text)


#: Punctuation that must not begin a line (禁则): closing brackets and quotes, pause and stop marks.
NO_LINE_START = frozenset("，。、；：？！）】》」』〕〗〙〛”’…‥·—～,.;:?!)]}%")
#: Punctuation that must not end a line: opening brackets and quotes.
NO_LINE_END = frozenset("（【《「『〔〖〘〚“‘([{")
#: Measure words and units that stay with the number before them (`01号窗口` never breaks as `01` / `号窗口`).
MEASURE_WORDS = frozenset("号份个页年月日时分秒元件次位项条岁天")
#: Runs that are never split when they fit on a line: numbers, masked IDs (`110***********002X`), case numbers
#: (`210800-01-003-…`), dates, times, phone numbers, codes and URLs.
_ATOM = re.compile(r"[0-9A-Za-z*#@%&+=?/:._~\-]+")


def _units(text: str) -> list[str]:
    """`text` cut into the pieces a line may break between, after the Chinese line-breaking rules."""
    pieces: list[str] = []
    pos = 0
    for match in _ATOM.finditer(text):
        pieces.extend(text[pos : match.start()])
        atom = match.group()
        end = match.end()
        if atom[-1].isdigit() and end < len(text) and text[end] in MEASURE_WORDS:
            atom += text[end]
            end += 1
        pieces.append(atom)
        pos = end
    pieces.extend(text[pos:])
    units: list[str] = []
    for piece in pieces:
        if units and units[-1] != " " and piece != " " and (piece[0] in NO_LINE_START or units[-1][-1] in NO_LINE_END):
            units[-1] += piece
        else:
            units.append(piece)
    return units


def _width(text: str) -> int:
    return sum(char_columns(ch) for ch in text)


def wrap_columns(text: str, columns: int, indent: int = 0) -> list[str]:
    """Break `text` into lines of at most `columns` columns; continuation lines start with `indent` spaces.

    Breaks fall between the units of `_units`: closing punctuation never starts a line, opening punctuation never
    ends one, and a number, masked ID, case number or URL moves to the next line whole. Only a unit wider than a
    whole line is broken inside (it could not be printed otherwise); no character is ever lost."""
    lines: list[str] = []
    current, width = "", 0
    room = max(2, columns - indent)

    def flush() -> None:
        nonlocal current, width
        lines.append(current.rstrip())
        current, width = " " * indent, indent

    for unit in _units(text):
        w = _width(unit)
        if width + w > columns and current.strip():
            flush()
            if unit == " ":
                continue
        if w > room and width + w > columns:
            for ch in unit:  # longer than a line: break inside it, character by character
                cw = char_columns(ch)
                if width + cw > columns and current.strip():
                    flush()
                current += ch
                width += cw
            continue
        current += unit
        width += w
    if current.strip() or not lines:
        lines.append(current.rstrip())
    return lines


def _raster(image: Image.Image) -> bytes:
    """GS v 0 for a 1-bit PIL image (0 = black): the printer's 1 bits are black dots."""
    from PIL import ImageOps

    bits = ImageOps.invert(image.convert("L")).point(lambda v: 255 if v >= 128 else 0, mode="1")
    width_bytes = (bits.width + 7) // 8
    header = RASTER + width_bytes.to_bytes(2, "little") + bits.height.to_bytes(2, "little")
    return header + bits.tobytes()


def text_image(text: str, *, dots: int, align: str, double: bool = False, bold: bool = False) -> Image.Image:
    """One printed line as a 1-bit image `dots` wide, drawn with the shipped font (and Qt's fallback fonts).

    The only use of Qt in a slip (see the module doc): imported here, with an offscreen QGuiApplication when the
    process has none (`tongban receipt --format escpos` starts without Qt)."""
    from PIL import Image
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QColor, QImage, QPainter

    from app.printing.fonts import ensure_receipt_fonts, receipt_font, rendering_app

    rendering_app()
    ensure_receipt_fonts()
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


def _qr_native(payload: str, module: int) -> bytes:
    """`GS ( k` for a QR code (model 2, EC level M, `module` dots per module), as python-escpos sends it."""

    def block(fn: int, data: bytes, m: bytes = b"") -> bytes:
        return GS + b"(k" + (len(data) + len(m) + 2).to_bytes(2, "little") + b"1" + bytes((fn,)) + m + data

    return (
        block(65, bytes((50, 0)))  # model 2
        + block(67, bytes((module,)))
        + block(69, bytes((QR_EC_M,)))
        + block(80, payload.encode("utf-8"), b"0")  # store the data
        + block(81, b"", b"0")  # print it
    )


class _Slip:
    def __init__(self, profile: ThermalProfile) -> None:
        self.p = profile
        self.out = bytearray()

    def raw(self, data: bytes) -> None:
        self.out += data

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

    def cut(self) -> None:
        """Feed the last lines past the blade and cut (a printer without a cutter just feeds, for tearing off)."""
        self.raw(FEED_6 + (CUT[self.p.cut] if self.p.cut else b""))

    def qr(self, payload: str) -> None:
        if self.p.native_qr:
            self.raw(ALIGN["center"] + _qr_native(payload, self.p.qr_module) + b"\n" + ALIGN["left"])
            return
        rows = qr_raster(payload, module_px=self.p.qr_module, dots=self.p.dots)  # Pillow not needed
        width_bytes = self.p.dots // 8
        self.raw(
            ALIGN["left"]
            + RASTER
            + width_bytes.to_bytes(2, "little")
            + (len(rows) // width_bytes).to_bytes(2, "little")
            + rows
        )


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


def _signatures(slip: _Slip, block: SignatureBlock) -> None:
    """Signature lines one under the other, each with room to sign (the seal needs A4)."""
    slip.raw(b"\n")
    for label in block.labels:
        text = f"{label}："
        blank = slip.p.columns - _width(text)
        if blank < 12:  # no room for a signature after the label: sign on the next line
            slip.para(text)
            slip.line("_" * slip.p.columns)
        else:
            slip.line(text + "_" * blank)
        slip.raw(b"\n")


def _document(slip: _Slip, doc: ReceiptDocument) -> None:
    if doc.reprint_at is not None:
        slip.para(f"【{doc.reprint_label}】", align="center", bold=True)
    slip.para(doc.hall_name, align="center")
    if doc.hall_contact:
        for part in doc.hall_contact.split("  "):
            slip.para(part, align="center")
    slip.para(doc.title, align="center", double=True)
    if doc.case_no:  # a guide list is given before any case exists
        slip.para("办件编号", align="center")
        slip.para(doc.case_no_display, align="center", bold=True)
    slip.rule()
    signatures: list[SignatureBlock] = []
    for block in doc.blocks:
        if isinstance(block, SignatureBlock):
            signatures.append(block)  # signed at the foot of the slip, after the QR
            continue
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
    slip.para(doc.print_time_label, align="center")
    for signature in signatures:
        _signatures(slip, signature)


def render_escpos(docs: Sequence[ReceiptDocument], profile: ThermalProfile) -> bytes:
    """ESC/POS bytes for the documents, each on its own slip with a cut after it. Needs the receipt font only
    when a line has to be drawn as an image (fonts.ensure_receipt_fonts)."""
    slip = _Slip(profile)
    slip.raw(INIT + CHINESE_MODE)
    for doc in docs:
        _document(slip, doc)
        slip.cut()
    return bytes(slip.out)
