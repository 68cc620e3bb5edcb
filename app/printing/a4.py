"""A4 layout of receipt documents: blocks → pages of drawing operations, in tenths of a millimetre.

Layout and painting are separate so the same pages go to a PDF file (`QPdfWriter`), a system printer (`QPrinter`)
and preview images (`QImage`) unchanged; `pdf.py` does the painting. Long values wrap (CJK text breaks anywhere,
Latin at word boundaries), tables continue on a new page with their header repeated, and every page carries the
case number and "第 n 页 / 共 m 页", so nothing is cut off or drawn over something else.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtGui import QFont, QFontMetricsF, QTextLayout, QTextOption

from app.printing.document import (
    FieldRow,
    FieldsBlock,
    ReceiptDocument,
    SignatureBlock,
    TableBlock,
    TextBlock,
)
from app.printing.fonts import receipt_font
from app.printing.qr import QUIET_ZONE_MODULES, qr_matrix

UNITS_PER_MM = 10
PAGE_W = 210 * UNITS_PER_MM
PAGE_H = 297 * UNITS_PER_MM
MARGIN = 15 * UNITS_PER_MM
CONTENT_W = PAGE_W - 2 * MARGIN
FOOTER_H = 60
BOTTOM = PAGE_H - MARGIN - FOOTER_H
#: QR side including the quiet zone: 32 mm scans from a phone at arm's length and from a kiosk scanner.
QR_SIZE = 32 * UNITS_PER_MM
LABEL_W = 360
#: The framed seal area (a 受理专用章 is about 40 mm across).
SEAL_W = 420
SEAL_H = 230
SEAL_MIN_H = 160
CELL_PAD_X = 14
CELL_PAD_Y = 8
#: Line height as a multiple of the font's line spacing.
LINE_FACTOR = 1.12

# Pixel sizes in layout units (1 pt = 0.3528 mm).
TITLE_PX = 71  # 20 pt
SUBTITLE_PX = 42  # 12 pt
HEADING_PX = 42  # 12 pt
BODY_PX = 37  # 10.5 pt (五号)
SMALL_PX = 30  # 8.5 pt


@dataclass(frozen=True, slots=True)
class TextOp:
    x: float
    baseline: float
    text: str
    font: QFont


@dataclass(frozen=True, slots=True)
class RectOp:
    x: float
    y: float
    w: float
    h: float
    fill: int | None = None  # grey level 0-255, None for no fill
    stroke: bool = True


@dataclass(frozen=True, slots=True)
class LineOp:
    x1: float
    y1: float
    x2: float
    y2: float
    width: float = 3


@dataclass(frozen=True, slots=True)
class QrOp:
    x: float
    y: float
    size: float  # including the quiet zone
    matrix: list[list[bool]]


Op = TextOp | RectOp | LineOp | QrOp


@dataclass(slots=True)
class Page:
    ops: list[Op] = field(default_factory=list)


@dataclass(slots=True)
class LaidOut:
    document: ReceiptDocument
    pages: list[Page]


def wrap(text: str, font: QFont, width: float) -> list[str]:
    """Break `text` into lines no wider than `width` (explicit newlines respected; never loses a character)."""
    lines: list[str] = []
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    for paragraph in text.split("\n"):
        if not paragraph:
            lines.append("")
            continue
        layout = QTextLayout(paragraph, font)
        layout.setTextOption(option)
        # QTextLayout counts UTF-16 code units; slice the UTF-16 form so characters outside the BMP (𠮷) survive.
        utf16 = paragraph.encode("utf-16-le")
        layout.beginLayout()
        while True:
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(width)
            start, length = line.textStart(), line.textLength()
            lines.append(utf16[2 * start : 2 * (start + length)].decode("utf-16-le").rstrip(" "))
        layout.endLayout()
    return lines


class _Fonts:
    def __init__(self) -> None:
        self.title = receipt_font(TITLE_PX, bold=True)
        self.subtitle = receipt_font(SUBTITLE_PX)
        self.heading = receipt_font(HEADING_PX, bold=True)
        self.body = receipt_font(BODY_PX)
        self.body_bold = receipt_font(BODY_PX, bold=True)
        self.small = receipt_font(SMALL_PX)


def _line_h(font: QFont) -> float:
    return QFontMetricsF(font).lineSpacing() * LINE_FACTOR


def _ascent(font: QFont) -> float:
    metrics = QFontMetricsF(font)
    return metrics.ascent() + (metrics.lineSpacing() * (LINE_FACTOR - 1)) / 2


def text_width(text: str, font: QFont) -> float:
    return QFontMetricsF(font).horizontalAdvance(text)


def _caption_lines(text: str, font: QFont, width: float) -> list[str]:
    """The QR caption, broken after its enumeration comma when too wide (`扫码查询办理进度、` / `评价服务`)."""
    if text_width(text, font) <= width or "、" not in text:
        return wrap(text, font, width)
    head, tail = text.split("、", 1)
    return [*wrap(head + "、", font, width), *wrap(tail, font, width)]


class _Layouter:
    def __init__(self, doc: ReceiptDocument) -> None:
        self.doc = doc
        self.f = _Fonts()
        self.pages: list[Page] = [Page()]
        self.y: float = MARGIN

    @property
    def ops(self) -> list[Op]:
        return self.pages[-1].ops

    def text(self, x: float, top: float, text: str, font: QFont) -> None:
        self.ops.append(TextOp(x, top + _ascent(font), text, font))

    def new_page(self) -> None:
        self.pages.append(Page())
        self.y = MARGIN
        font = self.f.small
        number = f"  办件编号 {self.doc.case_no_display}" if self.doc.case_no else ""
        self.text(MARGIN, self.y, f"{self.doc.title}（续）{number}", font)
        self.y += _line_h(font)
        self.ops.append(LineOp(MARGIN, self.y, PAGE_W - MARGIN, self.y, 2))
        self.y += 30

    def ensure(self, height: float) -> None:
        if self.y + height > BOTTOM:
            self.new_page()

    # --- header ------------------------------------------------------------------------------------------

    def header(self) -> None:
        doc, f = self.doc, self.f
        qr_x = PAGE_W - MARGIN - QR_SIZE
        self.ops.append(QrOp(qr_x, MARGIN, QR_SIZE, qr_matrix(doc.qr_payload)))
        qr_bottom: float = MARGIN + QR_SIZE
        for line in _caption_lines(doc.qr_caption, f.small, QR_SIZE):
            self.text(qr_x + (QR_SIZE - text_width(line, f.small)) / 2, qr_bottom, line, f.small)
            qr_bottom += _line_h(f.small)

        side = QR_SIZE + 40
        centre_w = PAGE_W - 2 * (MARGIN + side)
        y: float = MARGIN + 20
        if doc.reprint_at is not None:
            # A framed 补打 mark in the top left corner, the reprint time under it.
            mark_font = receipt_font(SUBTITLE_PX, bold=True)
            box_w, box_h = text_width("补打", mark_font) + 40, _line_h(mark_font) + 10
            self.ops.append(RectOp(MARGIN, MARGIN, box_w, box_h, stroke=True))
            self.text(MARGIN + 20, MARGIN + 5, "补打", mark_font)
            self.text(MARGIN, MARGIN + box_h + 10, f"{doc.reprint_at:%Y-%m-%d %H:%M}", f.small)
        for line in wrap(doc.hall_name, f.subtitle, centre_w):
            self.text((PAGE_W - text_width(line, f.subtitle)) / 2, y, line, f.subtitle)
            y += _line_h(f.subtitle)
        for line in wrap(doc.hall_contact, f.small, centre_w) if doc.hall_contact else []:
            self.text((PAGE_W - text_width(line, f.small)) / 2, y, line, f.small)
            y += _line_h(f.small)
        y += 10
        for line in wrap(doc.title, f.title, centre_w):
            self.text((PAGE_W - text_width(line, f.title)) / 2, y, line, f.title)
            y += _line_h(f.title)
        y = max(y + 20, MARGIN + 220)
        if doc.case_no:  # a guide list is given before any case exists
            label = "办件编号："
            self.text(MARGIN, y, label, f.heading)
            self.text(MARGIN + text_width(label, f.heading), y, doc.case_no_display, f.heading)
            y += _line_h(f.heading)
        self.text(MARGIN, y, doc.print_time_label, f.small)  # on the original as on a 补打
        y += _line_h(f.small)
        self.y = max(y, qr_bottom) + 30

    # --- blocks ------------------------------------------------------------------------------------------

    def heading(self, text: str, keep_with: float) -> None:
        """A block's heading; `keep_with`: the height of what must follow it on the same page (a table's column
        header and first row, the first line of text), so that a heading never sits alone at the foot of a page."""
        font = self.f.heading
        self.ensure(15 + _line_h(font) + 12 + keep_with)
        self.y += 15
        self.ops.append(RectOp(MARGIN, self.y + 8, 12, _line_h(font) - 16, fill=60, stroke=False))
        self.text(MARGIN + 30, self.y, text, font)
        self.y += _line_h(font)
        self.ops.append(LineOp(MARGIN, self.y, PAGE_W - MARGIN, self.y, 2))
        self.y += 12

    def _fits_half(self, row: FieldRow) -> bool:
        return (
            text_width(f"{row.label}：", self.f.body_bold) <= LABEL_W - 20
            and text_width(row.value, self.f.body) <= CONTENT_W / 2 - LABEL_W - 30
        )

    def _field(self, row: FieldRow, x: float, width: float) -> int:
        """Draw one label/value row at the cursor; returns the number of lines it took."""
        body, bold = self.f.body, self.f.body_bold
        line_h = _line_h(body)
        label_lines = wrap(f"{row.label}：", bold, LABEL_W - 20)
        value_lines = wrap(row.value, body, width - LABEL_W)
        count = max(len(label_lines), len(value_lines))
        for i in range(count):
            if i:
                self.y += line_h
            self.ensure(line_h)
            if i < len(label_lines):
                self.text(x, self.y, label_lines[i], bold)
            if i < len(value_lines):
                self.text(x + LABEL_W, self.y, value_lines[i], body)
        return count

    def fields(self, block: FieldsBlock) -> None:
        """Rows two to a line when both are short (so a typical receipt fits one page), else one per line."""
        line_h = _line_h(self.f.body)
        self.heading(block.heading, keep_with=line_h)
        rows = list(block.rows)
        i = 0
        while i < len(rows):
            self.ensure(line_h)
            if i + 1 < len(rows) and self._fits_half(rows[i]) and self._fits_half(rows[i + 1]):
                self._field(rows[i], MARGIN, CONTENT_W / 2)
                self._field(rows[i + 1], MARGIN + CONTENT_W / 2, CONTENT_W / 2)
                i += 2
            else:
                self._field(rows[i], MARGIN, CONTENT_W)
                i += 1
            self.y += line_h
        self.y += 10

    def _table_row(self, cells: tuple[str, ...], widths: list[float], font: QFont, fill: int | None) -> None:
        line_h = _line_h(font)
        wrapped = [wrap(cell, font, w - 2 * CELL_PAD_X) for cell, w in zip(cells, widths, strict=True)]
        height = max(len(lines) for lines in wrapped) * line_h + 2 * CELL_PAD_Y
        x = float(MARGIN)
        for lines, w in zip(wrapped, widths, strict=True):
            self.ops.append(RectOp(x, self.y, w, height, fill=fill))
            for n, line in enumerate(lines):
                self.text(x + CELL_PAD_X, self.y + CELL_PAD_Y + n * line_h, line, font)
            x += w
        self.y += height

    def _row_height(self, cells: tuple[str, ...], widths: list[float], font: QFont) -> float:
        lines = max(len(wrap(c, font, w - 2 * CELL_PAD_X)) for c, w in zip(cells, widths, strict=True))
        return lines * _line_h(font) + 2 * CELL_PAD_Y

    def table(self, block: TableBlock) -> None:
        body, bold = self.f.body, self.f.body_bold
        total = sum(block.weights)
        widths = [CONTENT_W * w / total for w in block.weights]
        header_h = self._row_height(block.columns, widths, bold)
        first = block.rows[0] if block.rows else (block.empty_text,)
        first_w = widths if block.rows else [float(CONTENT_W)]
        self.heading(block.heading, keep_with=header_h + self._row_height(first, first_w, body))
        self._table_row(block.columns, widths, bold, fill=230)
        if not block.rows:
            self._table_row((block.empty_text,), [float(CONTENT_W)], body, fill=None)
        for cells in block.rows:
            if self.y + self._row_height(cells, widths, body) > BOTTOM:
                self.new_page()
                self._table_row(block.columns, widths, bold, fill=230)
            self._table_row(cells, widths, body, fill=None)
        if block.note:
            self.y += 8
            for line in wrap(block.note, body, CONTENT_W):
                self.ensure(_line_h(body))
                self.text(MARGIN, self.y, line, body)
                self.y += _line_h(body)
        self.y += 10

    def paragraphs(self, block: TextBlock) -> None:
        body = self.f.body
        self.heading(block.heading, keep_with=_line_h(body))
        for paragraph in block.paragraphs:
            for line in wrap(paragraph, body, CONTENT_W):
                self.ensure(_line_h(body))
                self.text(MARGIN, self.y, line, body)
                self.y += _line_h(body)
            self.y += 6
        self.y += 10

    def signatures(self, block: SignatureBlock) -> None:
        """Signature and date lines; with `block.seal`, a framed seal area (受理专用章) at the right beside them."""
        body = self.f.body_bold
        line_h = _line_h(body)
        seal_w = SEAL_W if block.seal else 0.0
        # The seal box shrinks (to SEAL_MIN_H) rather than push the signatures alone onto a page of their own.
        seal_h = float(min(SEAL_H, max(SEAL_MIN_H, BOTTOM - self.y - 15)))
        self.ensure(max(line_h * 3, seal_h + 15 if block.seal else 0))
        top = self.y + 5
        self.y = top + line_h * 1.5
        width = CONTENT_W - (seal_w + 60 if block.seal else 0)
        share = width / max(1, len(block.labels))
        x = float(MARGIN)
        for n, label in enumerate(block.labels):
            # The first label gets more room: a signature is wider than a date.
            w = share * (1.3 if n == 0 and len(block.labels) > 1 else 0.7 if len(block.labels) > 1 else 1)
            text = f"{label}："
            self.text(x, self.y, text, body)
            baseline = self.y + line_h - 6
            self.ops.append(LineOp(x + text_width(text, body) + 10, baseline, x + w - 40, baseline, 3))
            x += w
        self.y += line_h * 1.5
        if block.seal:
            seal_x = PAGE_W - MARGIN - seal_w
            self.ops.append(RectOp(seal_x, top, seal_w, seal_h, stroke=True))
            small = self.f.small
            label = f"（{block.seal}）"
            label_x = seal_x + (seal_w - text_width(label, small)) / 2
            self.text(label_x, top + seal_h - _line_h(small) - 10, label, small)
            self.y = max(self.y, top + seal_h + 10)

    def run(self) -> list[Page]:
        self.header()
        for block in self.doc.blocks:
            if isinstance(block, FieldsBlock):
                self.fields(block)
            elif isinstance(block, TableBlock):
                self.table(block)
            elif isinstance(block, TextBlock):
                self.paragraphs(block)
            else:
                self.signatures(block)
        return self.pages


def layout(doc: ReceiptDocument) -> LaidOut:
    """Lay `doc` out on A4 pages. Needs the receipt font registered (fonts.ensure_receipt_fonts)."""
    return LaidOut(doc, _Layouter(doc).run())


def footer_ops(doc: ReceiptDocument, number: int, total: int) -> list[Op]:
    """The footer of page `number` of `total`: case number, 补打 mark, page count."""
    font = receipt_font(SMALL_PX)
    y = PAGE_H - MARGIN - FOOTER_H + 20
    left = (f"办件编号 {doc.case_no_display}" if doc.case_no else doc.title) + (
        f"  （{doc.reprint_label}）" if doc.reprint_at else ""
    )
    right = f"第 {number} 页 / 共 {total} 页"
    return [
        LineOp(MARGIN, y, PAGE_W - MARGIN, y, 2),
        TextOp(MARGIN, y + 10 + _ascent(font), left, font),
        TextOp(PAGE_W - MARGIN - text_width(right, font), y + 10 + _ascent(font), right, font),
    ]


__all__ = ["PAGE_H", "PAGE_W", "QUIET_ZONE_MODULES", "LaidOut", "Op", "Page", "footer_ops", "layout", "wrap"]
