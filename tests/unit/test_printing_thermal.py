"""ESC/POS output: the byte stream a Chinese thermal printer gets, checked byte by byte and by reading the QR back."""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib.util
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

from app.domain.models import MaterialStatus, ReceivedMaterial
from app.printing.build import HallContext, documents_for
from app.printing.fonts import ensure_receipt_fonts
from app.printing.slip_view import render_slip
from app.printing.thermal import (
    CHINESE_MODE,
    INIT,
    RASTER,
    char_columns,
    clean,
    profile_facts,
    render_escpos,
    thermal_profile,
    wrap_columns,
)
from tests import pii_samples
from tests.integration.receipts_support import CASE_NO, decode_qr, person_case, save_png

HALL = HallContext("营口市政务服务中心")
NOW = dt.datetime(2026, 11, 24, 2, 0, tzinfo=dt.UTC)
URL = f"https://zwfw.yingkou.gov.cn/tb/c/{CASE_NO}"
CUT = b"\x1dV\x00"


@pytest.fixture
def fonts(qapp: QApplication) -> None:
    ensure_receipt_fonts()


def _bytes(case_kwargs: dict[str, Any] | None = None, *, profile: str = "", paper: int = 80) -> bytes:
    docs = documents_for(person_case(**(case_kwargs or {})), hall=HALL, item=None, calendar=None, now=NOW)
    return render_escpos(docs, thermal_profile(profile, paper))


def test_stream_starts_with_init_and_chinese_mode_and_ends_with_cut(fonts: None) -> None:
    data = _bytes()
    assert data.startswith(INIT + CHINESE_MODE)
    assert data.endswith(CUT)
    assert data.count(CUT) == 2  # one slip per document: 收件回执 and 一次性告知书
    assert b"\x1bd\x06" + CUT in data  # python-escpos feeds six lines before cutting


def test_text_is_gb18030_and_personal_values_are_masked(fonts: None) -> None:
    data = _bytes()
    assert "收件回执".encode("gb18030") in data
    assert "一次性告知书".encode("gb18030") in data
    assert f"申请人：{pii_samples.NAME}".encode("gb18030") in data
    assert "身份证号码：110***********002X".encode("gb18030") in data
    assert "联系电话：138****5678".encode("gb18030") in data
    for secret in (pii_samples.ID_NUMBER, pii_samples.PHONE, pii_samples.ID_NUMBER_2, pii_samples.PHONE_2):
        assert secret.encode("ascii") not in data
    assert "收件回执".encode() not in data  # no UTF-8 text: the printer would print garbage


def test_native_qr_carries_the_case_url(fonts: None) -> None:
    data = _bytes(profile="TM-T88V")
    store_cmd = b"\x1d(k" + (len(URL) + 3).to_bytes(2, "little") + b"1P0" + URL.encode()
    assert store_cmd in data
    assert b"\x1d(k\x03\x001Q0" in data  # print the stored symbol
    assert b"\x1d(k\x03\x001C\x08" in data  # 8 dots per module on 80 mm paper


def test_image_qr_for_a_printer_without_native_qr_decodes_with_zbarimg(fonts: None, tmp_path: Path) -> None:
    profile = thermal_profile("POS-5890", 58)
    assert not profile.native_qr
    docs = documents_for(person_case(), hall=HALL, item=None, calendar=None, now=NOW)
    data = render_escpos(docs[:1], profile)
    assert b"\x1d(k" not in data
    view = render_slip(data, dots=profile.dots)
    symbols = [img for img in view.raster_images if img.height > 150]
    assert len(symbols) == 1
    # The raster alone (as the printer gets it) must scan, quiet zone included.
    assert decode_qr(save_png(symbols[0], tmp_path / "qr.png")) == [URL]
    assert decode_qr(save_png(view.image, tmp_path / "slip.png")) == [URL]


def test_quiet_zone_of_image_qr_is_four_modules(fonts: None) -> None:
    profile = thermal_profile("POS-5890", 58)
    docs = documents_for(person_case(), hall=HALL, item=None, calendar=None, now=NOW)
    view = render_slip(render_escpos(docs[:1], profile), dots=profile.dots)
    symbol = next(img for img in view.raster_images if img.height > 150)
    module = profile.qr_module
    bbox = symbol.point(lambda v: 255 - v).getbbox()  # the dark modules
    assert bbox is not None
    assert bbox[1] >= 4 * module and symbol.height - bbox[3] >= 4 * module


@pytest.mark.parametrize(("module", "dots"), [(8, 576), (6, 384), (8, 512)])
def test_the_raster_qr_is_what_pillow_draws_for_it(module: int, dots: int) -> None:
    """The slip's QR rows are packed from the matrix without Pillow: the very bytes Pillow's drawing gave before
    (the symbol with its quiet zone, centred on a white line, inverted to the printer's 1 = black)."""
    from PIL import Image, ImageOps

    from app.printing.qr import qr_image, qr_raster

    for payload in (URL, "https://zwfw.yingkou.gov.cn/tb/g/210800-SB-0012?a=q1%3D2", "x"):
        symbol = qr_image(payload, module_px=module)
        canvas = Image.new("1", (dots, symbol.height), 1)
        canvas.paste(symbol, ((dots - symbol.width) // 2, 0))
        drawn = ImageOps.invert(canvas.convert("L")).point(lambda v: 255 if v >= 128 else 0, mode="1")
        assert qr_raster(payload, module_px=module, dots=dots) == drawn.tobytes(), payload


def test_qrcode_imported_without_pillow_draws_the_same_symbol() -> None:
    """`tongban receipt --format escpos` loads qrcode with Pillow hidden (its drawers are only aliases)."""
    code = (
        "import sys\n"
        "from app.printing.qr import import_qrcode_without_pillow, qr_matrix\n"
        "import_qrcode_without_pillow()\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] == 'PIL'), qr_matrix({URL!r}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    from app.printing.qr import qr_matrix

    assert out.strip() == f"[] {qr_matrix(URL)}"


def test_rare_character_line_is_printed_as_an_image_not_as_garbage(fonts: None, tmp_path: Path) -> None:
    data = _bytes({"name": "吉𠮷祥"})
    assert "𠮷".encode("gb18030") not in data  # a 4-byte sequence no printer font has
    assert "申请人：吉".encode("gb18030") not in data
    view = render_slip(data, dots=576)
    assert any(img.height == 24 for img in view.raster_images)  # one text line drawn as image
    assert data.count(RASTER) == len(view.raster_images)


def test_characters_outside_gb2312_but_inside_gbk_stay_text(fonts: None) -> None:
    # 喆 and 镕 are GBK (2-byte GB18030): every Chinese printer font has them.
    data = _bytes({"name": "王喆镕"})
    assert "申请人：王喆镕".encode("gb18030") in data


def test_control_characters_in_user_text_cannot_become_printer_commands(fonts: None) -> None:
    evil = "张三\x1bd\x7f\x1dV\x00"
    assert clean(evil) == "张三 d  V "
    data = _bytes({"name": evil})
    assert data.count(CUT) == 2


@pytest.mark.parametrize(("paper", "columns"), [(80, 48), (58, 32)])
def test_no_text_line_is_wider_than_the_paper(fonts: None, paper: int, columns: int) -> None:
    long_name = "营口市" + "很长的事项名称（含符号&<>%#）" * 6
    materials = tuple(
        ReceivedMaterial(f"M{i:02d}", f"材料{i}：{'证明文件' * 5}", MaterialStatus.COPY, 1) for i in range(30)
    )
    data = _bytes({"item_name": long_name, "materials": materials}, paper=paper)
    view = render_slip(data, dots=thermal_profile("", paper).dots)
    widths = [sum(char_columns(ch) for ch in line) for line in view.text_lines]
    assert max(widths) <= columns
    assert sum("材料29" in line for line in view.text_lines) == 1  # the 30th material is there
    joined = "".join(view.text_lines).replace(" ", "")
    assert long_name.replace(" ", "") in joined  # wrapped, not cut off


def test_wrap_columns_keeps_every_character() -> None:
    text = "ABC中文混排，" * 9
    lines = wrap_columns(text, 10, indent=2)
    assert all(sum(char_columns(c) for c in line) <= 10 for line in lines)
    assert "".join(line.strip() for line in lines) == text.replace(" ", "")


def test_closing_punctuation_never_starts_a_line() -> None:
    lines = wrap_columns("说明：照片不符合要求（需白底）", 28, indent=3)
    assert lines == ["说明：照片不符合要求（需白", "   底）"]
    assert all(line.strip()[0] not in "）。，" for line in wrap_columns("甲乙丙。" * 20, 12))


def test_thermal_profiles() -> None:
    assert thermal_profile("", 80).dots == 576 and thermal_profile("", 80).columns == 48
    assert thermal_profile("", 58).dots == 384 and thermal_profile("", 58).columns == 32
    assert not thermal_profile("", 80).native_qr  # unknown printer: raster QR, which every printer prints
    assert thermal_profile("TM-T88V", 80).native_qr
    assert not thermal_profile("ZJ-5870", 58).native_qr


def test_shipped_profile_facts_agree_with_python_escpos() -> None:
    """The renderer reads three facts per profile from resources/ instead of importing python-escpos (whose
    printer database costs 0.2-1.2 s per process); they must be what python-escpos says."""
    script = Path(__file__).parents[2] / "scripts" / "gen_escpos_profiles.py"
    spec = importlib.util.spec_from_file_location("gen_escpos_profiles", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert profile_facts() == module.profile_facts()


def test_rendering_a_slip_does_not_import_python_escpos(tmp_path: Path) -> None:
    code = (
        "import sys, datetime as dt\n"
        "from PySide6.QtGui import QGuiApplication\n"
        "app = QGuiApplication(['x', '-platform', 'offscreen'])\n"
        "from app.printing.fonts import ensure_receipt_fonts\n"
        "ensure_receipt_fonts()\n"
        "from app.printing.build import HallContext, documents_for\n"
        "from app.printing.thermal import render_escpos, thermal_profile\n"
        "from tests.integration.receipts_support import person_case\n"
        "docs = documents_for(person_case(), hall=HallContext('厅'), item=None, calendar=None,"
        " now=dt.datetime(2026, 11, 24, tzinfo=dt.UTC))\n"
        "for name, paper in (('TM-T88V', 80), ('', 58)):\n"
        "    assert render_escpos(docs, thermal_profile(name, paper))\n"
        "print(sorted(m for m in sys.modules if m.startswith('escpos')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=Path(__file__).parents[2]
    )
    assert result.stdout.strip() == "[]"


def test_look_at_the_slips(fonts: None, tmp_path: Path) -> None:
    """Renders both paper widths to PNG (kept in the test's tmp dir for a human to look at) and scans them."""
    for profile_name, paper in (("", 80), ("POS-5890", 58)):
        profile = thermal_profile(profile_name, paper)
        docs = documents_for(
            dataclasses.replace(person_case(), item_name="城乡居民养老保险参保登记"),
            hall=HALL,
            item=None,
            calendar=None,
            now=NOW,
        )
        view = render_slip(render_escpos(docs, profile), dots=profile.dots)
        png = save_png(view.image, tmp_path / f"slip-{paper}.png")
        assert decode_qr(png) == [URL, URL]
        assert view.cuts == (2 if profile_name == "" else 0)  # the POS-5890 has no cutter: tear-off
