"""A4 / PDF receipts, read back with real tools: pdftotext for every field, pdftoppm + zbarimg for the QR code."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest
from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import QApplication

from app.domain.models import MaterialStatus, ReceivedMaterial
from app.printing.a4 import MARGIN, PAGE_H, PAGE_W, TextOp, layout
from app.printing.build import HallContext, documents_for
from app.printing.document import ReceiptDocument
from app.printing.fonts import FONT_FAMILY, ensure_receipt_fonts
from app.printing.pdf import render_images, write_pdf
from tests import pii_samples
from tests.integration.receipts_support import (
    CASE_NO,
    decode_qr,
    need_tool,
    pdf_pages,
    pdf_text,
    pdf_to_pngs,
    person_case,
    squash,
)

HALL = HallContext("营口市政务服务中心")
NOW = dt.datetime(2026, 11, 24, 2, 0, tzinfo=dt.UTC)
URL = f"https://zwfw.yingkou.gov.cn/tb/c/{CASE_NO}"
SECRETS = (pii_samples.ID_NUMBER, pii_samples.ID_NUMBER_2, pii_samples.PHONE, pii_samples.PHONE_2, pii_samples.ADDRESS)


@pytest.fixture
def fonts(qapp: QApplication) -> None:
    ensure_receipt_fonts()


def _check_text(docs: list[ReceiptDocument], pdf: Path) -> str:
    text = squash(pdf_text(pdf))
    missing = [t for doc in docs for t in doc.texts() if squash(t) not in text]  # 𠮷 included
    assert missing == [], f"not in the PDF text: {missing}"
    for secret in SECRETS:
        assert secret not in text
    return text


def test_receipt_and_notice_pdf_have_every_field_and_a_scannable_qr(fonts: None, tmp_path: Path) -> None:
    docs = documents_for(person_case(), hall=HALL, item=None, calendar=None, now=NOW)
    pdf = write_pdf(docs, tmp_path / "receipt.pdf")
    text = _check_text(docs, pdf)
    assert "收件回执" in text and "一次性告知书" in text
    assert "申请人（代办人）签字" in text  # the signature line on A4
    pages = pdf_to_pngs(pdf)
    assert len(pages) == pdf_pages(pdf) == 2  # one page each
    for page in pages:
        assert decode_qr(page) == [URL]


def test_shipped_font_is_embedded(fonts: None, tmp_path: Path) -> None:
    pdf = write_pdf(documents_for(person_case(), hall=HALL, item=None, calendar=None, now=NOW), tmp_path / "r.pdf")
    report = subprocess.run([need_tool("pdffonts"), str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in report.splitlines() if line.startswith("TongbanSans")]
    assert rows, report
    assert all(row[-5] == "yes" and row[-3] == "yes" for row in rows)  # embedded, with a ToUnicode map
    assert pdf.stat().st_size < 400_000  # subset, not the 9 MB font files


def _hostile_case() -> ReceiptDocument:
    name = "阿卜杜拉·买买提·" + "𠮷" + "艾力" * 20  # long, with the ethnic-name dot and a rare character
    address = "辽宁省营口市鲅鱼圈区红旗大街道" + "幸福家园小区" * 8 + "12号楼3单元501室"
    materials = tuple(
        ReceivedMaterial(
            f"M{i:02d}",
            f"第{i}项材料：《营口市××证明》（2026年版）& <附件> {'说明' * (i % 7)}",
            MaterialStatus.ORIGINAL if i % 3 else MaterialStatus.MISSING,
            i % 4 + 1,
            note="" if i % 3 else "未携带原件，请补交加盖公章的复印件" * 2,
        )
        for i in range(1, 31)
    )
    case = person_case(
        name=name,
        address=address,
        item_name="食品经营许可（新办/变更/延续）——含“网络经营”&特殊食品销售【承诺制】" * 2,
        materials=materials,
    )
    return documents_for(case, hall=HALL, item=None, calendar=None, now=NOW)[0]


def test_hostile_input_stays_readable_and_complete(fonts: None, tmp_path: Path) -> None:
    doc = _hostile_case()
    pdf = write_pdf([doc], tmp_path / "hostile.pdf")
    text = _check_text([doc], pdf)
    assert "阿卜杜拉·买买提·𠮷艾力艾力" in text  # the rare character is in the text layer too
    pages = pdf_pages(pdf)
    assert pages >= 2
    assert f"第{pages}页/共{pages}页" in text
    assert decode_qr(pdf_to_pngs(pdf, dpi=120)[0]) == [URL]


def test_nothing_overlaps_and_nothing_leaves_the_page(fonts: None) -> None:
    laid = layout(_hostile_case())
    for number, page in enumerate(laid.pages, 1):
        boxes = []
        for op in page.ops:
            if not isinstance(op, TextOp):
                continue
            metrics = QFontMetricsF(op.font)
            box = (op.x, op.baseline - metrics.ascent(), op.x + metrics.horizontalAdvance(op.text), op.baseline)
            assert box[0] >= MARGIN - 1 and box[2] <= PAGE_W - MARGIN + 1, (number, op.text)
            assert box[1] >= MARGIN - 1 and box[3] <= PAGE_H - MARGIN, (number, op.text)
            boxes.append((box, op.text))
        for i, (a, text_a) in enumerate(boxes):
            for b, text_b in boxes[i + 1 :]:
                overlap = a[0] < b[2] - 1 and b[0] < a[2] - 1 and a[1] < b[3] - 1 and b[1] < a[3] - 1
                assert not overlap, f"page {number}: {text_a!r} overlaps {text_b!r}"


def test_preview_images_show_the_font_and_the_qr(fonts: None, tmp_path: Path) -> None:
    doc = documents_for(person_case(), hall=HALL, item=None, calendar=None, now=NOW, reprint=True)[0]
    images = render_images(doc, dpi=110)
    assert len(images) == 1
    png = tmp_path / "preview.png"
    assert images[0].save(str(png))
    assert decode_qr(png) == [URL]
    assert FONT_FAMILY == "Tongban Sans"


def _page_of(laid: object, text: str) -> int:
    pages = laid.pages  # type: ignore[attr-defined]
    return next(n for n, page in enumerate(pages) for op in page.ops if isinstance(op, TextOp) and op.text == text)


def test_a_heading_never_sits_alone_at_the_foot_of_a_page(fonts: None) -> None:
    """Whatever comes before it, the 所需材料 heading is on the page of its table's column header and first row
    (and a text block's heading with its first line): a heading alone at the foot of page 1 sent the citizen
    looking for the list that only began on page 2."""
    from app.domain.models import ReceiptKind
    from app.printing.document import TableBlock, TextBlock

    checked = 0
    for lines in range(0, 60):
        doc = ReceiptDocument(
            kind=ReceiptKind.GUIDE_LIST,
            hall_name="营口市政务服务中心",
            case_no="",
            case_no_display="",
            qr_payload="https://example.invalid/guide",
            qr_caption="扫码查看办事指南",
            blocks=(
                TextBlock("办理须知", tuple(f"第{n + 1}条须知" for n in range(lines))),
                TableBlock("所需材料", ("序号", "材料名称"), (("1", "居民身份证"), ("2", "户口簿")), (1, 6)),
                TextBlock("温馨提示", ("情形有变时所需材料可能不同。",)),
            ),
            issued_at=dt.datetime(2026, 12, 2, 9, 30),
        )
        laid = layout(doc)
        assert _page_of(laid, "所需材料") == _page_of(laid, "材料名称") == _page_of(laid, "居民身份证")
        assert _page_of(laid, "温馨提示") == _page_of(laid, "情形有变时所需材料可能不同。")
        checked += len(laid.pages) > 1
    assert checked  # some of these documents did break across pages
