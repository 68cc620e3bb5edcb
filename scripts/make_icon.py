"""Draw the application icon (packaging/icons/): 通 in the shipped font on a rounded blue square.

Run once when the icon changes and commit the output: .venv/bin/python scripts/make_icon.py
Writes tongban-256.png and tongban-48.png (desktop entry, hicolor theme) and tongban.ico (Windows: the program,
its shortcuts and the installer).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402
from PySide6.QtCore import QRectF, Qt  # noqa: E402
from PySide6.QtGui import QColor, QFont, QFontDatabase, QGuiApplication, QImage, QPainter, QPainterPath  # noqa: E402

from resources import resource_path  # noqa: E402

OUT = ROOT / "packaging" / "icons"


def draw(size: int, family: str) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    margin = size * 0.04
    rect = QRectF(margin, margin, size - 2 * margin, size - 2 * margin)
    path = QPainterPath()
    path.addRoundedRect(rect, size * 0.18, size * 0.18)
    painter.fillPath(path, QColor("#1f5fa8"))
    font = QFont(family)
    font.setBold(True)
    font.setPixelSize(int(size * 0.66))
    painter.setFont(font)
    painter.setPen(QColor("#ffffff"))
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, "通")
    painter.end()
    return image


def main() -> None:
    app = QGuiApplication(sys.argv[:1])
    font_id = QFontDatabase.addApplicationFont(str(resource_path("fonts", "TongbanSans-Bold.ttf")))
    family = QFontDatabase.applicationFontFamilies(font_id)[0]
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (256, 48):
        draw(size, family).save(str(OUT / f"tongban-{size}.png"))
    Image.open(OUT / "tongban-256.png").save(OUT / "tongban.ico", sizes=[(16, 16), (32, 32), (48, 48), (256, 256)])
    del app
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
