"""What halls print (issue 15) and the 不予收件告知书 (issue 11), read back from the rendered output: pdftotext for
A4, the ESC/POS byte stream and its interpreted lines for 80 and 58 mm slips."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from app.domain.case_number import format_grouped
from app.domain.catalogue import CatalogueError, parse_catalogue
from app.domain.models import CaseState, EnterpriseApplicant, MaterialStatus, ReceivedMaterial, ServiceItem
from app.domain.workdays import load_holiday_calendar
from app.printing.build import HallContext, documents_for
from app.printing.document import ReceiptDocument
from app.printing.fonts import ensure_receipt_fonts
from app.printing.pdf import write_pdf
from app.printing.slip_view import render_slip
from app.printing.thermal import (
    NO_LINE_END,
    NO_LINE_START,
    char_columns,
    render_escpos,
    thermal_profile,
    wrap_columns,
)
from resources import resource_path
from tests import pii_samples
from tests.integration.receipts_support import CASE_NO, decode_qr, pdf_text, pdf_to_pngs, person_case, squash

NOW = dt.datetime(2026, 11, 24, 2, 0, tzinfo=dt.UTC)  # 10:00 in Yingkou
HALL = HallContext(
    "营口市鲅鱼圈区政务服务中心",
    platform_url="https://zwfw.yingkou.gov.cn/tb",
    address="营口市鲅鱼圈区平安大街东118号",
    phone="0417-6253345",
)
SEED = parse_catalogue(resource_path("catalogue", "seed.json").read_bytes())
ENTERPRISE = EnterpriseApplicant(
    name="营口辽河（集团）食品有限公司",
    credit_code=pii_samples.CREDIT_CODE,
    legal_representative="王建国",
    contact_name=pii_samples.NAME,
    contact_phone=pii_samples.PHONE,
)


@pytest.fixture
def fonts(qapp: QApplication) -> None:
    ensure_receipt_fonts()


def _pdf(docs: list[ReceiptDocument], path: Path) -> str:
    return squash(pdf_text(write_pdf(docs, path)))


def _slip(docs: list[ReceiptDocument], paper: int) -> list[str]:
    profile = thermal_profile("", paper)
    return render_slip(render_escpos(docs, profile), dots=profile.dots).text_lines


def _longest_item() -> ServiceItem:
    return max(SEED.items, key=lambda item: len(item.name) + len(item.department))


# --- 1. the fields halls print ----------------------------------------------------------------------------------


@pytest.mark.parametrize("paper", [80, 58])
def test_receipt_carries_clerk_hall_contact_print_time_qr_caption_and_signature(
    fonts: None, tmp_path: Path, paper: int
) -> None:
    docs = documents_for(person_case(), hall=HALL, item=None, calendar=None, now=NOW, clerk_name="李晓红")
    a4 = _pdf(docs, tmp_path / "r.pdf")
    slip = squash("".join(_slip(docs, paper)))
    for text in (a4, slip):
        assert "李晓红（工号S0042）" in text  # the clerk's name beside the number
        assert "平安大街东118号" in text and "0417-6253345" in text  # the hall's address and service phone
        assert "打印时间2026-11-2410:00" in text and "补打" not in text  # the original has its print time too
        assert "扫码查询办理进度、评价服务" in text
        assert "申请人（代办人）签字：" in text  # a line to sign, on paper of every width
    assert "（受理专用章）" in a4  # the seal area on A4


def test_enterprise_receipt_names_the_legal_representative_and_the_contact(fonts: None, tmp_path: Path) -> None:
    case = dataclasses.replace(person_case(), applicant=ENTERPRISE)
    docs = documents_for(case, hall=HALL, item=None, calendar=None, now=NOW)
    a4 = _pdf(docs, tmp_path / "e.pdf")
    slip = squash("".join(_slip(docs, 58)))
    for text in (a4, slip):
        assert "法定代表人：王建国" in text and f"联系人：{pii_samples.NAME}" in text
        assert "营口辽河（集团）食品有限公司" in text
        assert pii_samples.CREDIT_CODE not in text and pii_samples.PHONE not in text


def test_one_time_notice_prints_the_deadline_what_follows_and_the_legal_basis(fonts: None, tmp_path: Path) -> None:
    item = SEED.get("210800070402000")  # 二手房买卖 transfer: the seed gives a 10-working-day deadline
    assert item is not None and item.supplement_days == 10
    case = dataclasses.replace(person_case(), item_code=item.code, item_name=item.name)
    docs = documents_for(case, hall=HALL, item=item, calendar=load_holiday_calendar(), now=NOW)
    notice = squash(pdf_text(write_pdf(docs[1:], tmp_path / "n.pdf")))
    # Tuesday 24 Nov 2026 + 10 working days (the day itself not counted) = Tuesday 8 Dec.
    assert "补齐期限：请于告知之日起10个工作日内（2026年12月8日前）补齐" in notice
    assert "逾期处理：逾期未补齐的，本次收件终止" in notice
    assert "告知依据：《不动产登记暂行条例》第十七条" in notice
    slip = squash("".join(_slip(docs[1:], 58)))
    assert "2026年12月8日前" in slip and "《不动产登记暂行条例》第十七条" in slip
    # An item without these fields prints no such rows.
    plain = documents_for(case, hall=HALL, item=None, calendar=None, now=NOW)[1]
    assert "补齐期限" not in "".join(plain.texts())


def test_catalogue_refuses_a_deadline_without_its_consequence() -> None:
    raw = resource_path("catalogue", "seed.json").read_text(encoding="utf-8")
    broken = raw.replace(
        '"supplement_after": "逾期未补齐的，本次收件终止，已收材料退还申请人；补齐后可重新申请。",', "", 1
    )
    with pytest.raises(CatalogueError) as missing:
        parse_catalogue(broken.encode("utf-8"))
    assert "逾期处理" in missing.value.message_zh and "210800070402000" in missing.value.message_zh
    too_long = raw.replace('"supplement_days": 10', '"supplement_days": 400', 1)
    with pytest.raises(CatalogueError) as out_of_range:
        parse_catalogue(too_long.encode("utf-8"))
    assert "补齐期限" in out_of_range.value.message_zh


# --- 2. 58 mm and 80 mm line breaking ----------------------------------------------------------------------------


def test_wrap_keeps_numbers_ids_and_urls_whole_and_follows_kinsoku() -> None:
    # The breaks issue 15 saw: a masked ID split, "01" parted from "号窗口", a line ending with "（", a URL cut.
    assert wrap_columns("代办人身份证号码：210***********3522", 32, indent=2) == [
        "代办人身份证号码：",
        "  210***********3522",
    ]
    lines = wrap_columns("收件窗口：营口市鲅鱼圈区政务服务中心01号窗口", 32, indent=2)
    assert not any(line.rstrip().endswith("01") for line in lines)
    lines = wrap_columns("结果送达方式：窗口领取（营口市鲅鱼圈区政务服务中心）", 32, indent=2)
    assert all(line.rstrip()[-1] not in NO_LINE_END for line in lines)
    assert all(line.strip()[0] not in NO_LINE_START for line in lines)
    url = "https://zwfw.yingkou.gov.cn/tb"
    lines = wrap_columns(f"扫描二维码，或登录 {url} 输入办件编号", 32)
    assert any(url in line for line in lines)
    # A run longer than the line itself still prints, broken inside, with nothing lost.
    long = "A" * 70
    assert "".join(wrap_columns(long, 32)) == long


@pytest.mark.parametrize("paper", [58, 80])
def test_slips_with_the_longest_seed_values_break_only_where_chinese_rules_allow(fonts: None, paper: int) -> None:
    item = _longest_item()
    case = dataclasses.replace(
        person_case(),
        item_code=item.code,
        item_name=item.name,
        routing=dataclasses.replace(person_case().routing, department=item.department, window="01"),
    )
    docs = documents_for(case, hall=HALL, item=item, calendar=load_holiday_calendar(), now=NOW, clerk_name="李晓红")
    lines = [line for line in _slip(docs, paper) if line.strip() and set(line.strip()) - {"-", "_"}]
    columns = thermal_profile("", paper).columns
    assert max(sum(char_columns(ch) for ch in line) for line in lines) <= columns
    for before, after in itertools.pairwise(lines):
        assert after.strip()[0] not in NO_LINE_START, (before, after)
        assert before.rstrip()[-1] not in NO_LINE_END, (before, after)
    joined = "\n".join(lines)
    wholes = ["110***********002X", "210***********3719", "138****5678", format_grouped(CASE_NO)]
    wholes += ["https://zwfw.yingkou.gov.cn/tb", "0417-6253345", "2026-11-24", "01号窗口", "2026年12月"]
    for whole in wholes:
        assert any(whole in line for line in lines), whole  # on one line, never split
    assert squash(item.name) in squash(joined) and squash(item.department) in squash(joined)


# --- 3. every character in the PDF text layer --------------------------------------------------------------------


def test_pdf_text_layer_has_extension_b_characters(fonts: None, tmp_path: Path) -> None:
    name = "吉𠮷𪚥䶮堃喆"  # 𠮷 U+20BB7 is in the shipped font; 𪚥 U+2A6A5 comes from the system's fallback font
    case = person_case(name=name)
    docs = documents_for(case, hall=HALL, item=None, calendar=None, now=NOW)
    text = _pdf(docs, tmp_path / "rare.pdf")
    assert f"申请人：{name}" in text
    assert f"{name}：您申请办理的" in text  # the notice's salutation as well


# --- the 不予收件告知书 -------------------------------------------------------------------------------------------


def _refused() -> ReceiptDocument:
    case = dataclasses.replace(
        person_case(
            materials=(
                ReceivedMaterial("M01", "居民身份证", MaterialStatus.MISSING, 0, note="仅带复印件，需原件"),
                ReceivedMaterial("M02", "户口簿", MaterialStatus.ORIGINAL, 1),
            )
        ),
        state=CaseState.REFUSED,
        refusal_reason="申请人未携带居民身份证原件，无法核验身份",
    )
    docs = documents_for(case, hall=HALL, item=None, calendar=load_holiday_calendar(), now=NOW, clerk_name="李晓红")
    assert len(docs) == 1
    return docs[0]


def test_refusal_notice_on_a4_says_why_and_what_next_and_promises_nothing(fonts: None, tmp_path: Path) -> None:
    doc = _refused()
    pdf = write_pdf([doc], tmp_path / "refused.pdf")
    text = squash(pdf_text(pdf))
    assert "不予收件告知书" in text and "收件回执" not in text and "一次性告知书" not in text
    assert "申请人未携带居民身份证原件，无法核验身份" in text
    assert "居民身份证" in text and "仅带复印件，需原件" in text  # what to bring
    assert "营口市鲅鱼圈区政务服务中心或本市任一全市通办窗口重新申请" in text  # where
    assert "12345" in text and "0417-6253345" in text  # whom to call
    assert "李晓红（工号S0042）" in text and "告知日期：2026年11月24日" in text
    assert "110***********002X" in text and pii_samples.ID_NUMBER not in text
    assert "预计办结" not in text and "承诺时限" not in text and "已收材料" not in text
    assert len(pdf_to_pngs(pdf, dpi=50)) == 1  # one page


@pytest.mark.parametrize("paper", [80, 58])
def test_refusal_notice_on_thermal_paper(fonts: None, paper: int) -> None:
    slip = squash("".join(_slip([_refused()], paper)))
    assert "不予收件告知书" in slip and "申请人未携带居民身份证原件，无法核验身份" in slip
    assert "12345" in slip and "李晓红（工号S0042）" in slip and "预计办结" not in slip
    assert "申请人（代办人）签收：" in slip


def test_numbers_typed_into_a_reason_or_a_material_note_print_masked(fonts: None, tmp_path: Path) -> None:
    """The clerk's free text (refusal reason, why a material is missing) may hold an ID or phone number: paper
    shows it masked like the fields themselves (DOMAIN.md "Privacy")."""
    note = f"复印件上的号码{pii_samples.ID_NUMBER_2}与原件不符，已电话{pii_samples.PHONE_2}告知"
    missing = (ReceivedMaterial("M01", "居民身份证", MaterialStatus.MISSING, 0, note=note),)
    refused = dataclasses.replace(
        person_case(materials=missing),
        state=CaseState.REFUSED,
        refusal_reason=f"身份证{pii_samples.ID_NUMBER}已过期，联系电话{pii_samples.PHONE}",
    )
    received = person_case(materials=missing)
    calendar = load_holiday_calendar()
    for case in (refused, received):
        docs = documents_for(case, hall=HALL, item=None, calendar=calendar, now=NOW, clerk_name="李晓红")
        printed = _pdf(docs, tmp_path / f"{case.state.value}.pdf") + squash("".join(_slip(docs, 80)))
        for number in (pii_samples.ID_NUMBER, pii_samples.ID_NUMBER_2, pii_samples.PHONE, pii_samples.PHONE_2):
            assert number not in printed, (case.state, number)
        assert "210***********3719" in printed and "159****6633" in printed  # the note, masked, still there
        if case is refused:
            assert "身份证110***********002X已过期" in printed and "138****5678" in printed


# --- 4. speed: the fixed QR mask still scans ---------------------------------------------------------------------


def test_qr_with_the_fixed_mask_decodes_for_many_case_numbers(tmp_path: Path) -> None:
    """The QR uses one fixed data mask instead of trying all eight (issue 15's speed target); every symbol must
    still read back at the 58 mm module size, whatever the case number and platform URL."""
    from app.domain.case_number import make_case_number
    from app.printing.qr import qr_image, query_url

    bases = ("", "https://tb.example.cn", "https://zwfw.yingkou.gov.cn:8443/tongban-platform")
    for n in range(24):
        case_no = make_case_number(
            "210800", f"{n % 7 + 1:02d}", f"{n * 37 % 999 + 1:03d}", dt.date(2026, 11, 1 + n), n * 911 + 1
        )
        payload = query_url(bases[n % 3], case_no)
        png = tmp_path / f"qr{n}.png"
        qr_image(payload, module_px=6).save(png)
        assert decode_qr(png) == [payload]
