"""A QR symbol drawn for the screen: the counter guide page and the kiosk 办事指南 show one for a phone."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPixmap


def qr_pixmap(matrix: list[list[bool]], side_px: int) -> QPixmap:
    """A QR symbol with its 4-module quiet zone, about `side_px` pixels wide."""
    modules = len(matrix) + 8
    scale = max(1, side_px // max(1, modules))
    image = QImage(QSize(modules * scale, modules * scale), QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("black"))
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                painter.drawRect((x + 4) * scale, (y + 4) * scale, scale, scale)
    painter.end()
    return QPixmap.fromImage(image)
