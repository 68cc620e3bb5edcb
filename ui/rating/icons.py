"""Face icons for the five rating levels, drawn with QPainter (no image files to ship).

Each level differs in shape — the mouth's curve, and brows on the lowest — not only in colour, so the levels can
be told apart in greyscale and by people who do not see colour (issue 5: "not colour alone").
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap

from app.domain.models import RatingLevel

#: Fill colours (a second cue only; the face shape is the first).
LEVEL_COLOURS: dict[RatingLevel, str] = {
    RatingLevel.VERY_SATISFIED: "#2e7d32",
    RatingLevel.SATISFIED: "#558b2f",
    RatingLevel.BASICALLY_SATISFIED: "#f9a825",
    RatingLevel.DISSATISFIED: "#ef6c00",
    RatingLevel.VERY_DISSATISFIED: "#c62828",
}

#: Mouth curvature per level: positive smiles, negative frowns.
_CURVE: dict[RatingLevel, float] = {
    RatingLevel.VERY_SATISFIED: 0.34,
    RatingLevel.SATISFIED: 0.18,
    RatingLevel.BASICALLY_SATISFIED: 0.0,
    RatingLevel.DISSATISFIED: -0.16,
    RatingLevel.VERY_DISSATISFIED: -0.3,
}


def face_pixmap(level: RatingLevel, size: int = 96) -> QPixmap:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        line = max(2.0, size / 22)
        ink = QPen(QColor("#1f2933"), line)
        ink.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(ink)
        painter.setBrush(QColor(LEVEL_COLOURS[level]))
        margin = line
        painter.drawEllipse(QRectF(margin, margin, size - 2 * margin, size - 2 * margin))
        painter.setBrush(QColor("#1f2933"))
        eye = size * 0.07
        for x in (0.35, 0.65):
            painter.drawEllipse(QPointF(size * x, size * 0.4), eye / 2, eye / 2)
        if level is RatingLevel.VERY_DISSATISFIED:  # slanted brows
            painter.drawLine(QPointF(size * 0.24, size * 0.26), QPointF(size * 0.42, size * 0.32))
            painter.drawLine(QPointF(size * 0.76, size * 0.26), QPointF(size * 0.58, size * 0.32))
        curve = _CURVE[level]
        mouth = QPainterPath(QPointF(size * 0.3, size * 0.66))
        mouth.quadTo(QPointF(size * 0.5, size * (0.66 + curve)), QPointF(size * 0.7, size * 0.66))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(mouth)
    finally:
        painter.end()
    return pixmap


def face_icon(level: RatingLevel, size: int = 96) -> QIcon:
    return QIcon(face_pixmap(level, size))
