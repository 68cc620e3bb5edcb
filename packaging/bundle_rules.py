"""What the frozen bundles leave out: shared by the PyInstaller specs and the tests that check the result."""

from __future__ import annotations

from pathlib import PurePosixPath

#: The reference platform's server stack: a counter PC never runs it (pyproject's `central` extra).
SERVER_MODULES = ("central", "fastapi", "starlette", "uvicorn", "sqlalchemy", "psycopg", "psycopg_binary")
#: Tests and development tools (pydantic and others import some of them optionally).
DEV_MODULES = (
    "tests",
    "pytest",
    "_pytest",
    "pytestqt",
    "hypothesis",
    "schemathesis",
    "selenium",
    "mypy",
    "mypy_extensions",
    "ruff",
    "chinese_calendar",
    "fontTools",
    "PyInstaller",
    "setuptools",
    "pip",
    "IPython",
    "tkinter",
    "_tkinter",
    "pydoc_data",
)
TERMINAL_EXCLUDES = [*SERVER_MODULES, *DEV_MODULES]
#: The platform bundle has no GUI.
CENTRAL_EXCLUDES = [*DEV_MODULES, "PySide6", "shiboken6", "ui", "PIL", "escpos", "qrcode", "pypinyin", "keyring"]

#: Folders of resources/ that only the reference platform reads (sample licences hold the test suite's sample ID
#: numbers): not shipped to a counter PC.
PLATFORM_ONLY_RESOURCES = ("licences",)

#: Qt plugins left out of the terminal: GTK theme (drags in GTK, cairo, pango: the app styles itself with QSS),
#: the on-screen keyboard (drags in Qt Quick/QML), and platforms for embedded boards without a desktop.
_DROPPED_PLUGINS = (
    "platformthemes/libqgtk3",
    "platforminputcontexts/libqtvirtualkeyboardplugin",
    "platforms/libqeglfs",
    "platforms/libqlinuxfb",
    "platforms/libqvnc",
    "platforms/libqvkkhrdisplay",
    "platforms/libqminimalegl",
    "egldeviceintegrations/",
)
#: Qt's own translations kept: Chinese (the UI language) and English.
_KEPT_QT_LANGUAGES = ("zh_CN", "en")


def keep_terminal_file(dest: str) -> bool:
    """False for a collected file (its path inside the bundle) that the terminal does not need."""
    path = PurePosixPath(dest.replace("\\", "/"))
    text = str(path)
    if "/Qt/plugins/" in f"/{text}" and any(part in text for part in _DROPPED_PLUGINS):
        return False
    if "/Qt/translations/" in f"/{text}" and path.suffix == ".qm":
        return any(path.stem.endswith(f"_{lang}") for lang in _KEPT_QT_LANGUAGES)
    return True
