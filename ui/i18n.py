"""User-interface language: English source strings, Simplified Chinese translation (resources/translations/).

Widgets write `self.tr("...")`; the zh_CN catalogue is `tongban_zh_CN.ts` (edit it with Qt Linguist or by hand,
then run scripts/update_translations.py, which also compiles the `.qm` loaded here). Qt's own strings (dialog
buttons such as OK) come from the `qtbase_zh_CN.qm` that ships with the PySide6 wheel.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QLibraryInfo, QLocale, QTranslator

from resources import resource_path

log = logging.getLogger("tongban.ui")

LOCALE = "zh_CN"
CATALOGUE = "tongban"

# Strings of Qt's own dialogs that the wheel's qtbase_zh_CN.qm lacks (Qt 6 gave them mnemonics; the catalogue still
# has only the old forms), so the clerk's file dialog said "Look in:" and "Files of type:". Listed here, our
# catalogue translates them; Qt's catalogue is asked first and falls through to ours.
QT_GAPS = (
    QT_TRANSLATE_NOOP("QFileDialog", "&Look in:"),
    QT_TRANSLATE_NOOP("QFileDialog", "Files of &type:"),
)


def install_translators(app: QCoreApplication, *, locale: str = LOCALE) -> list[QTranslator]:
    """Install our catalogue and Qt's own for `locale`; returns the translators (parented to `app`)."""
    QLocale.setDefault(QLocale(locale))
    installed: list[QTranslator] = []
    ours = QTranslator(app)
    path = resource_path("translations", f"{CATALOGUE}_{locale}.qm")
    if ours.load(str(path)):
        app.installTranslator(ours)
        installed.append(ours)
    else:
        log.warning("translation catalogue missing or unreadable: %s", path)
    qt_own = QTranslator(app)
    if qt_own.load(f"qtbase_{locale}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt_own)
        installed.append(qt_own)
    return installed
