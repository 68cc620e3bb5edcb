"""The shipped CJK font for receipts, registered with Qt once and named explicitly in every layout.

fontconfig may offer no Chinese font at all, or DejaVu for `:lang=zh` (PLATFORM_NOTES.md), so receipts never rely
on the system's choice. Call `ensure_receipt_fonts()` on the GUI thread before rendering (ReceiptService does).
"""

from __future__ import annotations

import logging
import sys
import threading

from PySide6.QtGui import QFont, QFontDatabase

from resources import resource_path

log = logging.getLogger("tongban.printing")

FONT_FAMILY = "Tongban Sans"
FONT_FILES = ("TongbanSans-Regular.ttf", "TongbanSans-Bold.ttf")

_lock = threading.Lock()
_loaded = False
_app: object | None = None  # the QGuiApplication `rendering_app` made, kept for the life of the process


class FontMissingError(RuntimeError):
    """The shipped receipt font could not be loaded (a broken installation)."""


def rendering_app() -> object:
    """The process's QGuiApplication, made (offscreen: the CLI has no window) when there is none yet."""
    global _app  # noqa: PLW0603 - one application per process
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance()
    if app is None:
        app = QGuiApplication([sys.argv[0] if sys.argv else "tongban", "-platform", "offscreen"])
        _app = app
    return app


def ensure_receipt_fonts() -> str:
    """Register the shipped font files with Qt (idempotent); returns the family name. Needs a QGuiApplication."""
    global _loaded  # noqa: PLW0603 - one process-wide registration
    with _lock:
        if _loaded:
            return FONT_FAMILY
        if FONT_FAMILY not in QFontDatabase.families():
            for name in FONT_FILES:
                path = resource_path("fonts", name)
                if QFontDatabase.addApplicationFont(str(path)) < 0:
                    raise FontMissingError(f"cannot load receipt font {path}")
        if FONT_FAMILY not in QFontDatabase.families():
            raise FontMissingError(f"font family {FONT_FAMILY!r} not registered")
        _loaded = True
        log.debug("receipt font %s registered", FONT_FAMILY)
        return FONT_FAMILY


def receipt_font(pixel_size: int, *, bold: bool = False) -> QFont:
    """The receipt font at `pixel_size` layout units; hinting off so layout and output agree at any scale."""
    font = QFont(FONT_FAMILY)
    font.setPixelSize(max(1, pixel_size))
    font.setBold(bold)
    font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    font.setStyleStrategy(QFont.StyleStrategy.PreferOutline)
    # The font's `ccmp` joins "——" into one glyph that Qt's PDF writer cannot map back to text, so pdftotext
    # (and a citizen's screen reader) would lose the dashes; receipts do without the composed form.
    font.setFeature(QFont.Tag("ccmp"), 0)
    return font
