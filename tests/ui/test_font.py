"""The shipped font: Chinese renders with it on screen and survives into a PDF as text."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPageSize, QPainter, QPdfWriter, QRawFont
from PySide6.QtWidgets import QApplication

from resources import resource_path
from ui.theme import FONT_FAMILY, FONT_FILES

SAMPLE = "收件回执 营口市政务服务中心 不动产登记（转移）：①②③ 鲅鱼圈区 窗口 ¥12.50 ā ǚ"
MAX_FACE_BYTES = 15 * 1024 * 1024


@pytest.mark.parametrize("name", FONT_FILES)
def test_font_file_is_truetype_within_budget(name: str) -> None:
    data = resource_path("fonts", name).read_bytes()
    assert data[:4] == b"\x00\x01\x00\x00", "glyf outlines (TrueType), not CFF, so PDFs embed it as CID TrueType"
    assert len(data) < MAX_FACE_BYTES


def test_licence_ships_with_the_font() -> None:
    text = resource_path("fonts", "OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in text
    assert "Adobe" in text  # the original copyright notice


@pytest.mark.parametrize(("name", "style"), [(FONT_FILES[0], "Regular"), (FONT_FILES[1], "Bold")])
def test_font_covers_the_characters_of_a_service_hall(gui_app: QApplication, name: str, style: str) -> None:
    raw = QRawFont(str(resource_path("fonts", name)), 12)
    assert (raw.familyName(), raw.styleName()) == (FONT_FAMILY, style)
    # Common and rare hanzi, full-width punctuation, enclosed numbers, pinyin, an Ext A character, ★ for ratings.
    # 𠮷 (U+20BB7, Ext B) stands for the rare name characters (生僻字) outside the BMP that names must show.
    needed = SAMPLE + "龘㐀★☆●→，。、《》【】“”—…𠮷"
    missing = [ch for ch in needed if ch != " " and not raw.supportsCharacter(ord(ch))]
    assert missing == []
    assert not raw.supportsCharacter(0x1F600)  # emoji are not in the subset: the check can fail


def _ink(image: QImage) -> set[tuple[int, int]]:
    return {
        (x, y) for y in range(image.height()) for x in range(image.width()) if image.pixelColor(x, y).lightness() < 128
    }


def _render(text: str, family: str) -> QImage:
    image = QImage(64, 64, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    font = QFont(family, 32)
    font.setFamilies([family])
    painter.setFont(font)
    painter.setPen(QColor("black"))
    painter.drawText(image.rect(), Qt.AlignmentFlag.AlignCenter, text)
    painter.end()
    return image


def test_chinese_renders_as_distinct_glyphs_offscreen(gui_app: QApplication) -> None:
    tong, ban = _render("通", FONT_FAMILY), _render("办", FONT_FAMILY)
    tong_ink, ban_ink = _ink(tong), _ink(ban)
    assert len(tong_ink) > 100 and len(ban_ink) > 100
    # Missing glyphs would all be the same box; real glyphs differ.
    assert len(tong_ink ^ ban_ink) > 100
    assert tong.pixelColor(QPoint(0, 0)) == QColor("white")


def test_pdf_with_chinese_keeps_the_text(gui_app: QApplication, tmp_path: Path) -> None:
    pdftotext = shutil.which("pdftotext")
    assert pdftotext is not None, "poppler-utils must be installed (scripts/setup.sh installs it)"
    pdf = tmp_path / "receipt.pdf"
    writer = QPdfWriter(str(pdf))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    painter = QPainter(writer)
    font = QFont(FONT_FAMILY, 14)
    font.setFamilies([FONT_FAMILY])
    painter.setFont(font)
    painter.drawText(300, 600, SAMPLE)
    font.setBold(True)
    painter.setFont(font)
    painter.drawText(300, 1200, "收件回执")
    painter.end()
    extracted = subprocess.run(
        [pdftotext, "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True, timeout=30
    ).stdout
    assert SAMPLE in extracted
    assert "收件回执" in extracted.replace(SAMPLE, "")
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True, timeout=30).stdout
    assert "TongbanSans-Regular" in fonts and "TongbanSans-Bold" in fonts
    assert "CID TrueType" in fonts
