"""Styles of the intake pages (kept beside the widgets that use these object names).

The keyboard focus ring is a 2 px dark-blue border on fields, lists, buttons, check boxes and radio buttons, amber
on the dark-blue primary button (the style's own 1 px dotted line was invisible on the agent check box, issue 11);
check boxes carry a transparent border when not focused so they do not move when focus arrives. The form's error
summary is 13 pt bold on a pale red band.
"""

from PySide6.QtWidgets import QApplication

PAGE_QSS = """
QLabel[role="error"] { color: #b71c1c; font-size: 10pt; }
QLabel[role="section"] { font-size: 14pt; font-weight: bold; color: #1f2933; padding-top: 8px; }
QLabel[role="hint"] { color: #52606d; }
QLabel#case_number_big { font-size: 30pt; font-weight: bold; color: #0b3d91; }
QLabel#result_title { font-size: 20pt; font-weight: bold; }
QLabel#banner { background: #fff4ce; color: #5c4400; padding: 8px; border: 1px solid #e0c36a; }
QLabel#sign_in_title { font-size: 22pt; font-weight: bold; qproperty-alignment: AlignCenter; }
QLabel#form_hint[blocked="true"] { color: #b71c1c; font-size: 14pt; font-weight: bold; padding: 24px; }
QLabel#submit_errors { font-size: 13pt; font-weight: bold; background: #fdecea; border: 1px solid #f5c2c0;
    padding: 6px 10px; }
QLineEdit:focus, QComboBox:focus, QSpinBox:focus, QDateEdit:focus, QPlainTextEdit:focus, QTextEdit:focus,
QListView:focus, QListWidget:focus, QTableView:focus, QTableWidget:focus { border: 2px solid #0b3d91; }
QCheckBox:focus, QRadioButton:focus { border: 2px solid #0b3d91; border-radius: 3px; }
QCheckBox, QRadioButton { border: 2px solid transparent; padding: 2px 4px; }
QLineEdit[invalid="true"] { border: 2px solid #b71c1c; }
#counter_window QPushButton { border: 1px solid #9aa5b1; border-radius: 3px; background: #ffffff; padding: 5px 14px; }
#counter_window QPushButton:hover { background: #eef2f7; }
#counter_window QPushButton:disabled { color: #9aa5b1; }
#counter_window QPushButton:focus { border: 2px solid #0b3d91; padding: 4px 13px; }
QPushButton#primary { background: #0b3d91; color: white; padding: 6px 18px; font-weight: bold; }
#counter_window QPushButton#primary:focus { border: 2px solid #f9a825; padding: 5px 17px; }
QFrame#guide { background: #ffffff; border: 1px solid #d9dee4; }
"""


def add_page_styles() -> None:
    """Append the pages' rules to the application's style sheet once (a style sheet set on a page would be
    re-applied to every child each time the page is shown)."""
    app = QApplication.instance()
    if isinstance(app, QApplication) and PAGE_QSS not in app.styleSheet():
        app.setStyleSheet(app.styleSheet() + PAGE_QSS)
