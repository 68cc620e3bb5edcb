"""Paint A4 receipt pages to a PDF (`QPdfWriter`), a system printer (`QPrinter`) or preview images (`QImage`).

QPdfWriter embeds the shipped font as CID TrueType with a ToUnicode map, so the PDF's text can be searched and
checked with `pdftotext`; `pdf_text` completes that map for characters outside the BMP (Qt leaves them out).
Painting on these devices is allowed off the GUI thread (only widgets are not).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QPointF, QRectF
from PySide6.QtGui import (
    QBrush,
    QColor,
    QImage,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
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

PDF_RESOLUTION = 300
PDF_CREATOR = "通办终端 Tongban Terminal"


class RenderError(RuntimeError):
    """A page could not be painted (device refused to start, disk full …)."""


def _paint_ops(painter: QPainter, ops: Sequence[Op]) -> None:
    for op in ops:
        if isinstance(op, TextOp):
            painter.setFont(op.font)
            painter.setPen(QPen(QColor(0, 0, 0)))
            painter.drawText(QPointF(op.x, op.baseline), op.text)
        elif isinstance(op, RectOp):
            rect = QRectF(op.x, op.y, op.w, op.h)
            if op.fill is not None:
                painter.fillRect(rect, QColor(op.fill, op.fill, op.fill))
            if op.stroke:
                painter.setPen(QPen(QColor(0, 0, 0), 3))
                painter.setBrush(QBrush())  # no brush (as Qt.BrushStyle.NoBrush, without building Qt's ~1,200 enums)
                painter.drawRect(rect)
        elif isinstance(op, LineOp):
            painter.setPen(QPen(QColor(0, 0, 0), op.width))
            painter.drawLine(QPointF(op.x1, op.y1), QPointF(op.x2, op.y2))
        else:
            _paint_qr(painter, op)


def _paint_qr(painter: QPainter, op: QrOp) -> None:
    n = len(op.matrix) + 2 * QUIET_ZONE_MODULES
    module = op.size / n
    painter.fillRect(QRectF(op.x, op.y, op.size, op.size), QColor(255, 255, 255))
    black = QColor(0, 0, 0)
    for row, cells in enumerate(op.matrix):
        for col, dark in enumerate(cells):
            if dark:
                # Slight overlap so no hairline gaps appear between modules at any resolution.
                x = op.x + (col + QUIET_ZONE_MODULES) * module
                y = op.y + (row + QUIET_ZONE_MODULES) * module
                painter.fillRect(QRectF(x, y, module + 0.3, module + 0.3), black)


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
