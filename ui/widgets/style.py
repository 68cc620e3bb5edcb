"""Styles of the intake pages (kept beside the widgets that use these object names)."""

from PySide6.QtWidgets import QApplication

PAGE_QSS = """
QLabel[role="error"] { color: #b71c1c; font-size: 10pt; }
QLabel[role="section"] { font-size: 14pt; font-weight: bold; color: #1f2933; padding-top: 8px; }
QLabel[role="hint"] { color: #52606d; }
QLabel#case_number_big { font-size: 30pt; font-weight: bold; color: #0b3d91; }
QLabel#result_title { font-size: 20pt; font-weight: bold; }
QLabel#banner { background: #fff4ce; color: #5c4400; padding: 8px; border: 1px solid #e0c36a; }
QLabel#sign_in_title { font-size: 22pt; font-weight: bold; }
QLabel#form_hint[blocked="true"] { color: #b71c1c; font-size: 14pt; font-weight: bold; padding: 24px; }
QLineEdit[invalid="true"] { border: 2px solid #b71c1c; }
QPushButton#primary { background: #0b3d91; color: white; padding: 6px 18px; font-weight: bold; }
QFrame#guide { background: #ffffff; border: 1px solid #d9dee4; }
"""


def add_page_styles() -> None:
    """Append the pages' rules to the application's style sheet once (a style sheet set on a page would be
    re-applied to every child each time the page is shown)."""
    app = QApplication.instance()
    if isinstance(app, QApplication) and PAGE_QSS not in app.styleSheet():
        app.setStyleSheet(app.styleSheet() + PAGE_QSS)
