"""Paint A4 receipt pages to a PDF (`QPdfWriter`), a system printer (`QPrinter`) or preview images (`QImage`).

QPdfWriter embeds the shipped font as CID TrueType with a ToUnicode map, so the PDF's text can be searched and
checked with `pdftotext`; `pdf_text` completes that map for characters outside the BMP (Qt leaves them out).
Painting on these devices is allowed off the GUI thread (only widgets are not).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QPointF
from PySide6.QtGui import (
    QBrush,
    QColor,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPainterPath,
    QPdfWriter,
    QPen,
)

from app.printing.a4 import (
    PAGE_H,
    PAGE_W,
    QUIET_ZONE_MODULES,
    LaidOut,
    LineOp,
    Op,
    QrOp,
    RectOp,
    TextOp,
    footer_ops,
    layout,
)
from app.printing.document import ReceiptDocument
from app.printing.pdf_text import complete_to_unicode, needs_completion

if TYPE_CHECKING:
    from PySide6.QtGui import QImage

PDF_RESOLUTION = 300
PDF_CREATOR = "通办终端 Tongban Terminal"


class RenderError(RuntimeError):
    """A page could not be painted (device refused to start, disk full …)."""


# The painting below calls only QPainter methods whose overloads take no `Qt` namespace enum: the first call that
# must check an argument against one (setPen, setBrush, fillRect, QPen(QColor), QBrush(QColor), QBrush.setColor)
# makes PySide6 create all 93 of the namespace's Python enum types (1,195 members, Qt.Key alone 471): ~45 ms of a
# `tongban receipt --format pdf` that uses none of them (issue 13). So the painter keeps its default pen (solid
# black, width 1: the text's colour), lines and frames are stroked with `strokePath` and a pen made by QPen() (solid
# black, square caps, bevel joins: what QPen(QColor(0, 0, 0), width) made), and areas are filled with `fillPath`
# and a solid brush taken from such a pen after QPen.setColor. tests/unit/test_start_imports.py keeps it that way.


def _pen(width: float) -> QPen:
    """A solid black pen `width` wide (as QPen(QColor(0, 0, 0), width), without the Qt enums)."""
    pen = QPen()
    pen.setWidthF(width)
    return pen


def _solid(grey: int) -> QBrush:
    """A solid brush of grey level `grey` (as QBrush(QColor(grey, grey, grey)), without the Qt enums)."""
    pen = QPen()  # its brush is solid (black)
    pen.setColor(QColor(grey, grey, grey))
    return pen.brush()


def _rect_path(x: float, y: float, w: float, h: float) -> QPainterPath:
    path = QPainterPath()
    path.addRect(x, y, w, h)
    return path


def _paint_ops(painter: QPainter, ops: Sequence[Op]) -> None:
    """Paint `ops` with the painter's default pen (solid black) in place: its pen and brush are never changed."""
    for op in ops:
        if isinstance(op, TextOp):
            painter.setFont(op.font)
            painter.drawText(QPointF(op.x, op.baseline), op.text)
        elif isinstance(op, RectOp):
            rect = _rect_path(op.x, op.y, op.w, op.h)
            if op.fill is not None:
                painter.fillPath(rect, _solid(op.fill))
            if op.stroke:
                painter.strokePath(rect, _pen(3))
        elif isinstance(op, LineOp):
            line = QPainterPath(QPointF(op.x1, op.y1))
            line.lineTo(op.x2, op.y2)
            painter.strokePath(line, _pen(op.width))
        else:
            _paint_qr(painter, op)


def _paint_qr(painter: QPainter, op: QrOp) -> None:
    n = len(op.matrix) + 2 * QUIET_ZONE_MODULES
    module = op.size / n
    painter.fillPath(_rect_path(op.x, op.y, op.size, op.size), _solid(255))
    black = _solid(0)
    for row, cells in enumerate(op.matrix):
        y = op.y + (row + QUIET_ZONE_MODULES) * module
        col = 0
        while col < len(cells):
            if not cells[col]:
                col += 1
                continue
            end = col + 1
            while end < len(cells) and cells[end]:
                end += 1
            # One rectangle per run of dark modules in a row (their union: ~3 times fewer calls than a square per
            # module). Each is a path of its own: a viewer snaps a lone rectangle to its pixel grid (pdftoppm does),
            # a path of several would show hairlines between the rows. Slight overlap (0.3) so no hairline gaps
            # appear between modules at any resolution.
            x = op.x + (col + QUIET_ZONE_MODULES) * module
            painter.fillPath(_rect_path(x, y, (end - col) * module + 0.3, module + 0.3), black)
            col = end


def _page_ops(laid: LaidOut) -> list[list[Op]]:
    total = len(laid.pages)
    return [page.ops + footer_ops(laid.document, n, total) for n, page in enumerate(laid.pages, 1)]


def paint_documents(docs: Sequence[ReceiptDocument], device: QPagedPaintDevice) -> int:
    """Paint every document on `device` (a QPdfWriter or QPrinter set up for A4); returns the pages painted."""
    pages = [ops for doc in docs for ops in _page_ops(layout(doc))]
    if not pages:
        return 0
    painter = QPainter()
    if not painter.begin(device):
        raise RenderError("无法开始输出（打印设备或文件不可用）")
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        scale = device.logicalDpiX() / (25.4 * 10)  # layout units are 0.1 mm
        for n, ops in enumerate(pages):
            if n and not device.newPage():
                raise RenderError("无法新建页面")
            painter.save()
            painter.scale(scale, scale)
            _paint_ops(painter, ops)
            painter.restore()
    finally:
        painter.end()
    return len(pages)


def setup_a4(device: QPagedPaintDevice) -> None:
    device.setPageLayout(
        QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0))
    )


def _writer(target: str | QIODevice, title: str) -> QPdfWriter:
    writer = QPdfWriter(target)
    writer.setResolution(PDF_RESOLUTION)
    writer.setCreator(PDF_CREATOR)
    writer.setTitle(title)
    setup_a4(writer)
    return writer


def pdf_bytes(docs: Sequence[ReceiptDocument]) -> bytes:
    """The documents as one PDF (each document starts on a new page)."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = _writer(buffer, " / ".join(doc.title for doc in docs))
    paint_documents(docs, writer)
    del writer  # flushes the PDF trailer into the buffer
    buffer.close()
    pdf = bytes(data.data())
    if any(needs_completion(text) for doc in docs for text in doc.texts()):
        # Qt leaves characters outside the BMP (𠮷) out of the text layer: add them (see pdf_text).
        drawn = [
            (op.text, op.font)
            for doc in docs
            for page in layout(doc).pages
            for op in page.ops
            if isinstance(op, TextOp)
        ]
        pdf = complete_to_unicode(pdf, drawn)
    return pdf


def write_pdf(docs: Sequence[ReceiptDocument], path: Path) -> Path:
    """Write the documents to `path` atomically (a half-written receipt PDF is never left behind)."""
    data = pdf_bytes(docs)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(path)
    return path


def render_images(doc: ReceiptDocument, *, dpi: int = 110) -> list[QImage]:
    """The document's pages as white RGB images at `dpi`, for the preview dialog and for looking at."""
    from PySide6.QtGui import QImage  # (the PDF and the printer need none: ~1 ms of the command line's PDF)

    laid = layout(doc)
    scale = dpi / (25.4 * 10)
    width, height = round(PAGE_W * scale), round(PAGE_H * scale)
    images: list[QImage] = []
    for ops in _page_ops(laid):
        image = QImage(width, height, QImage.Format.Format_RGB32)
        image.setDotsPerMeterX(round(dpi / 0.0254))
        image.setDotsPerMeterY(round(dpi / 0.0254))
        image.fill(QColor(255, 255, 255))
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        painter.scale(scale, scale)
        _paint_ops(painter, ops)
        painter.end()
        images.append(image)
    return images
