"""The guide's 一次性告知单, rendered and read back: A4 PDF (pdftotext, QR by zbarimg) and a thermal slip."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from app.config import PrinterConfig
from app.domain.catalogue import load_catalogue_file
from app.printing.build import HallContext
from app.printing.slip_view import render_slip
from app.printing.thermal import render_escpos, thermal_profile
from app.services.guide import guide_document, guide_for, write_guide_document
from resources import resource_path
from tests.integration.receipts_support import decode_qr, pdf_text, pdf_to_pngs, save_png, squash

SEED = load_catalogue_file(resource_path("catalogue", "seed.json"))
HALL = HallContext(hall_name="营口市政务服务中心", platform_url="https://tb.example.cn", phone="0417-12345")
NOW = dt.datetime(2026, 12, 2, 2, 30, tzinfo=dt.UTC)
GIFT = {
    "donee": "其他",
    "house_type": "非住宅",
    "mortgaged": "是",
    "mortgagee_consent": "否，需要公证",
    "marital": "已婚",
}


@pytest.fixture
def doc():  # type: ignore[no-untyped-def]
    item = SEED.get("210800070413000")  # 房屋所有权转移登记（赠与）
    assert item is not None
    return guide_document(guide_for(item, GIFT), hall=HALL, now=NOW)


def test_the_a4_list_names_the_situation_materials_and_terms_and_its_qr_opens_the_guide(
    doc,
    tmp_path: Path,
    qapp: object,  # type: ignore[no-untyped-def]
) -> None:
    out = tmp_path / "guide.pdf"
    write_guide_document(doc, fmt="pdf", out=out, printer=PrinterConfig())
    text = squash(pdf_text(out))

    for expected in (
        "办事材料一次性告知单",
        "房屋所有权转移登记（赠与）",
        "营口市不动产登记中心",
        "法定时限：30个工作日",
        "承诺时限：5个工作日",
        "房屋是否有抵押：是",
        "抵押权人同意转移的公证意见",
        "土地出让合同及出让金缴纳凭证",
        "窗口领取、邮寄送达、电子证照",
    ):
        assert squash(expected) in text, expected
    assert "办件编号" not in text  # no case exists yet
    assert "直系亲属关系证明" not in text  # not this situation
    [url] = decode_qr(pdf_to_pngs(out)[0])
    parsed = urlparse(url)
    assert parsed.path == "/g/210800070413000"
    assert {k: v[0] for k, v in parse_qs(parsed.query).items()} == GIFT


@pytest.mark.parametrize("width", [80, 58])
def test_the_thermal_list_wraps_and_keeps_every_material(doc, width: int, tmp_path: Path, qapp: object) -> None:  # type: ignore[no-untyped-def]
    profile = thermal_profile("", width)
    view = render_slip(render_escpos([doc], profile), dots=profile.dots)
    text = "".join(view.text_lines)

    assert "办事材料一次性告知单" in text and "办件编号" not in text
    for name in ("不动产登记申请书", "抵押权人同意转移的公证意见", "结婚证"):
        assert name in squash(text), name
    assert view.image.width == profile.dots
    [url] = decode_qr(save_png(view.image, tmp_path / "slip.png"))
    assert url.startswith("https://tb.example.cn/g/210800070413000?")
