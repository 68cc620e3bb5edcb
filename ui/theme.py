"""The shipped font and the QSS theme.

Chinese must render on a machine without any CJK font, and `fc-match ':lang=zh'` may pick a Latin-only font even
when one exists (PLATFORM_NOTES.md). So the font comes from resources/fonts/, is loaded with
`QFontDatabase.addApplicationFont`, set as the application font, and named again in the QSS theme.
"""

from __future__ import annotations

import logging

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from resources import resource_path

log = logging.getLogger("tongban.ui")

FONT_FILES = ("TongbanSans-Regular.ttf", "TongbanSans-Bold.ttf")
FONT_FAMILY = "Tongban Sans"
DEFAULT_POINT_SIZE = 12
THEMES = {"counter": "counter.qss"}


class FontMissingError(RuntimeError):
    """The shipped font could not be loaded: the installation is broken (Chinese would show as boxes)."""


def load_shipped_fonts() -> str:
    """Register the shipped font files with Qt; returns the family name they declare.

    Idempotent: Qt returns the same id for a file registered twice in one process.
    """
    families: list[str] = []
    for name in FONT_FILES:
        path = resource_path("fonts", name)
        if not path.exists():
            log.warning("shipped font file missing: %s", path)
            continue
        font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id < 0:
            log.warning("Qt could not load the shipped font %s", path)
            continue
        families.extend(QFontDatabase.applicationFontFamilies(font_id))
    if not families:
        raise FontMissingError(f"no shipped font could be loaded from {resource_path('fonts')}")
    return families[0]


def application_font(family: str) -> QFont:
    font = QFont(family, DEFAULT_POINT_SIZE)
    # Only our family: a fallback to a Latin-only system font for some characters would show boxes.
    font.setFamilies([family])
    font.setStyleStrategy(QFont.StyleStrategy.PreferAntialias)
    return font


def theme_stylesheet(name: str, family: str) -> str:
    """The QSS of theme `name` with the font family filled in."""
    text = resource_path("themes", THEMES[name]).read_text(encoding="utf-8")
    return text.replace("@FONT_FAMILY@", family.replace('"', ""))


def apply_theme(app: QApplication, *, name: str = "counter") -> str:
    """Load the shipped font, make it the application font, apply the QSS; returns the font family."""
    family = load_shipped_fonts()
    app.setFont(application_font(family))
    app.setStyleSheet(theme_stylesheet(name, family))
    return family
