"""Sizes and style of the kiosk, in its two modes: standard and 长辈模式 (large type, high contrast).

Every size is in pixels so that the figures the issue asks for (body ≥ 24 px in 长辈模式, ≥ 1.5× the standard
body, targets ≥ 60×60 px in both) can be read back from the widgets.
"""

from __future__ import annotations

from dataclasses import dataclass

from resources import resource_path


@dataclass(frozen=True, slots=True)
class KioskSizes:
    body_px: int
    title_px: int
    tile_px: int  # text on the home tiles
    target_px: int  # smallest side of anything one taps
    key_px: int  # digit-pad and keyboard keys
    list_page: int  # entries per page of a list (fewer in 长辈模式)


STANDARD = KioskSizes(body_px=18, title_px=32, tile_px=26, target_px=64, key_px=72, list_page=6)
ELDER = KioskSizes(body_px=28, title_px=44, tile_px=36, target_px=96, key_px=96, list_page=3)


def sizes(elder: bool) -> KioskSizes:
    return ELDER if elder else STANDARD


#: The smallest side of anything one taps, in both modes (issue 12): keys sized from a small screen's height
#: stop here.
TARGET_MIN_PX = 60


def border_px(elder: bool) -> int:
    return 4 if elder else 2


def key_height_css(elder: bool, role: str, height: int) -> str:
    """A style sheet (for a keyboard or digit pad) that makes its `role` keys `height` px tall, borders included
    (`key` keys have 4 px of padding above and below, `kbkey` keys none)."""
    padding = 8 if role == "key" else 0
    content = max(TARGET_MIN_PX, height) - 2 * border_px(elder) - padding
    return f'QPushButton[role="{role}"] {{ min-height: {content}px; max-height: {content}px; }}'


def stylesheet(elder: bool, family: str = "Tongban Sans") -> str:
    """The kiosk window's style sheet (set on the window; it reaches every page and overlay)."""
    s = sizes(elder)
    # Qt's own box is a pale grey outline: a heavy border and a black tick, seen by everyone (the 实名回访 consent).
    check = resource_path("themes", "check.png").as_posix()
    if elder:  # high contrast: black on white, heavy borders, yellow focus
        bg, fg, panel, accent, accent_fg, border, muted, focus = (
            "#ffffff",
            "#000000",
            "#ffffff",
            "#000000",
            "#ffff00",
            "#000000",
            "#000000",
            "#ffd500",
        )
        border_w = border_px(True)
    else:
        bg, fg, panel, accent, accent_fg, border, muted, focus = (
            "#eef2f7",
            "#1f2933",
            "#ffffff",
            "#0b3d91",
            "#ffffff",
            "#9aa5b1",
            "#52606d",
            "#f0a400",
        )
        border_w = border_px(False)
    return f"""
QWidget {{ font-family: "{family}"; font-size: {s.body_px}px; color: {fg}; }}
QMainWindow#kiosk_window, QWidget#kiosk_central, QStackedWidget#kiosk_pages {{ background: {bg}; }}
QFrame#kiosk_top_bar {{ background: {accent}; }}
QLabel#kiosk_hall {{ color: {accent_fg}; font-size: {s.title_px}px; font-weight: bold; }}
QLabel[role="title"] {{ font-size: {s.title_px}px; font-weight: bold; }}
QLabel[role="hint"] {{ color: {muted}; }}
QLabel[role="message"] {{ color: #b71c1c; font-weight: bold; }}
QLabel[role="value"] {{ font-weight: bold; }}
QLabel#progress_state {{ font-size: {s.title_px}px; font-weight: bold; color: {accent}; }}
QFrame#progress_member {{ background: {panel}; border: {border_w}px solid {border}; border-radius: 12px; }}
QLabel#progress_member_state {{ font-weight: bold; color: {accent}; }}
QLineEdit {{ background: {panel}; border: {border_w}px solid {border}; border-radius: 8px; padding: 6px;
             min-height: {s.target_px}px; font-size: {s.title_px}px; }}
QLineEdit:focus {{ border: {border_w + 2}px solid {focus}; }}
QPushButton, QToolButton {{ background: {panel}; border: {border_w}px solid {border}; border-radius: 12px;
             min-height: {s.target_px}px; min-width: {s.target_px}px; padding: 4px 12px; }}
QPushButton:focus, QToolButton:focus {{ border: {border_w + 3}px solid {focus}; }}
QPushButton:pressed, QToolButton:pressed {{ background: #d9e2ec; }}
QPushButton:disabled {{ color: #7b8794; background: #e4e7eb; }}
QPushButton:checked {{ background: {accent}; color: {accent_fg}; }}
QPushButton[role="tile"] {{ font-size: {s.tile_px}px; font-weight: bold; border-radius: 20px; }}
QPushButton[role="choice"] {{ font-size: {s.body_px + 6}px; text-align: left; padding-left: 24px; }}
QPushButton[role="primary"] {{ background: {accent}; color: {accent_fg}; font-weight: bold; }}
QPushButton[role="bar"], QPushButton[role="bar"]:checked {{ background: {panel}; color: {fg}; }}
QPushButton[role="key"] {{ font-size: {s.title_px}px; min-width: {s.key_px}px; min-height: {s.key_px}px; }}
QPushButton[role="kbkey"] {{ font-size: {s.body_px + 4}px; min-width: {TARGET_MIN_PX - 2 * border_w}px;
                            min-height: {s.key_px - 8}px;
                            padding: 0px; }}
QPushButton#key_enter, QPushButton[role="primary"] {{ font-size: {s.title_px}px; }}
QPushButton#key_enter {{ background: {accent}; color: {accent_fg}; font-weight: bold; }}
QListWidget {{ background: {panel}; border: {border_w}px solid {border}; }}
QPushButton[role="tile"]:disabled {{ background: {panel}; color: {muted}; border-style: dashed; }}
QLabel#rating_question, QLabel#reasons_title {{ font-size: {s.title_px}px; font-weight: bold; }}
QLabel#rating_context {{ color: {muted}; }}
QLabel#thanks_title {{ font-size: {s.title_px * 3 // 2}px; font-weight: bold; color: #2e7d32; }}
QLabel#thanks_detail {{ font-size: {s.title_px}px; }}
QLabel#rating_message {{ color: #b71c1c; font-weight: bold; }}
QToolButton {{ font-size: {s.tile_px - 4}px; font-weight: bold; }}
QPushButton#reason:checked {{ background: {"#ffff00" if elder else "#ffe0b2"}; color: #000000;
                              border: {border_w + 2}px solid {"#000000" if elder else "#ef6c00"}; font-weight: bold; }}
QCheckBox {{ spacing: 16px; }}
QCheckBox::indicator {{ width: {s.target_px - 6 - 2 * border_w}px; height: {s.target_px - 6 - 2 * border_w}px;
                       border: {border_w + 3}px solid {fg}; border-radius: 8px; background: {panel}; }}
QCheckBox::indicator:checked {{ image: url({check}); }}
QCheckBox::indicator:focus {{ border-color: {focus}; }}
QLineEdit#rating_text {{ font-size: {s.body_px + 4}px; }}
QFrame#idle_overlay {{ background: rgba(0, 0, 0, 160); }}
QFrame#idle_card, QFrame#kiosk_card {{ background: {panel}; border: {border_w}px solid {border}; border-radius: 16px; }}
QLabel#idle_seconds {{ font-size: {s.title_px * 2}px; font-weight: bold; color: {accent}; }}
"""
