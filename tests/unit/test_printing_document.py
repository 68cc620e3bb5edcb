"""Receipt documents built from a case: DOMAIN.md's required content, masking, 预计 dates, 补打 and the QR payload."""

from __future__ import annotations

import dataclasses
import datetime as dt

from app.domain.case_number import format_grouped
from app.domain.models import (
    DeliveryMethod,
    EnterpriseApplicant,
    ItemKind,
    MaterialForm,
    MaterialRequirement,
    ReceiptKind,
    ServiceItem,
)
from app.domain.workdays import HolidayCalendar, load_holiday_calendar
from app.printing.build import HallContext, build_intake_receipt, build_one_time_notice, documents_for
from app.printing.document import FieldsBlock, ReceiptDocument, TableBlock
from app.printing.qr import OFFLINE_QUERY_BASE, query_url
from tests import pii_samples
from tests.integration.receipts_support import CASE_NO, person_case

HALL = HallContext(hall_name="营口市政务服务中心")
NOW = dt.datetime(2026, 11, 24, 2, 0, tzinfo=dt.UTC)
ITEM = ServiceItem(
    code="210800-SB-0012",
    name="城乡居民养老保险参保登记",
    category="社保",
    department="营口市人力资源和社会保障局",
    jurisdiction="210800",
    kind=ItemKind.PUBLIC_SERVICE,
    immediate=False,
    promised_days=5,
    legal_days=20,
    fee_fen=0,
    materials=(
        MaterialRequirement("M01", "居民身份证", MaterialForm.ORIGINAL),
        MaterialRequirement("M03", "近期一寸免冠照片", MaterialForm.ORIGINAL, copies=2),
    ),
    delivery_methods=(DeliveryMethod.MAIL,),
)


def _rows(doc: ReceiptDocument) -> dict[str, str]:
    return {row.label: row.value for block in doc.blocks if isinstance(block, FieldsBlock) for row in block.rows}


def _table(doc: ReceiptDocument, heading: str) -> TableBlock:
    return next(b for b in doc.blocks if isinstance(b, TableBlock) and b.heading == heading)


def test_intake_receipt_has_every_field_domain_md_requires() -> None:
    doc = build_intake_receipt(person_case(), hall=HALL, item=ITEM, calendar=load_holiday_calendar(), now=NOW)
    rows = _rows(doc)
    assert doc.title == "收件回执"
    assert doc.case_no_display == format_grouped(CASE_NO)
    assert rows["收件窗口"] == "营口市政务服务中心 07号窗口"
    assert rows["收件人员"] == "工号 S0042"  # no name on record: the number alone
    assert rows["事项名称"] == "城乡居民养老保险参保登记"
    assert rows["事项编码"] == "210800-SB-0012"
    assert rows["审批部门"] == "营口市人力资源和社会保障局"
    assert rows["申请人"] == pii_samples.NAME  # the citizen's own receipt shows the full name
    assert rows["身份证号码"] == "110***********002X"
    assert rows["联系电话"] == "138****5678"
    assert rows["承诺时限"] == "5个工作日"
    # Tuesday 24 Nov 2026 + 5 working days (intake day not counted) = Tuesday 1 Dec.
    assert rows["预计办结日期"] == "2026年12月1日"
    assert rows["结果送达方式"] == "邮寄送达"
    assert rows["邮寄地址"].endswith("***") and "501" not in rows["邮寄地址"]
    assert rows["收件时间"] == "2026-11-24 09:30"  # local time (UTC+8)
    received = _table(doc, "已收材料")
    assert received.rows == (("1", "居民身份证", "原件", "1"), ("2", "户口簿", "复印件", "2"))
    missing = _table(doc, "待补材料")
    assert missing.rows == (("1", "近期一寸免冠照片", "照片不符合要求（需白底）"),)
    query = " ".join(doc.texts())
    assert "12345" in query and OFFLINE_QUERY_BASE in query
    assert doc.reprint_at is None and "补打" not in query


def test_no_full_identifier_anywhere_in_the_documents() -> None:
    docs = documents_for(person_case(), hall=HALL, item=ITEM, calendar=None, now=NOW)
    text = "\n".join(t for doc in docs for t in doc.texts())
    for secret in (
        pii_samples.ID_NUMBER,
        pii_samples.ID_NUMBER_2,
        pii_samples.PHONE,
        pii_samples.PHONE_2,
        pii_samples.ADDRESS,
    ):
        assert secret not in text
    assert pii_samples.ID_NUMBER[-4:] in text  # masked, not dropped


def test_qr_payload_is_the_case_query_url_and_nothing_personal() -> None:
    doc = build_intake_receipt(
        person_case(),
        hall=HallContext("营口市政务服务中心", "https://tb.example.cn/"),
        item=None,
        calendar=None,
        now=NOW,
    )
    assert doc.qr_payload == f"https://tb.example.cn/c/{CASE_NO}"
    offline = build_intake_receipt(person_case(), hall=HALL, item=None, calendar=None, now=NOW)
    assert offline.qr_payload == query_url("", CASE_NO) == f"{OFFLINE_QUERY_BASE}/c/{CASE_NO}"


def test_due_date_in_an_unknown_year_is_printed_as_estimate() -> None:
    calendar = HolidayCalendar([])  # knows no year at all
    doc = build_intake_receipt(person_case(), hall=HALL, item=ITEM, calendar=calendar, now=NOW)
    assert _rows(doc)["预计办结日期"].startswith("预计2026年12月1日")


def test_estimate_stored_on_the_case_is_recomputed_with_a_calendar_that_knows_the_year() -> None:
    case = person_case(expected_date=dt.date(2026, 12, 2))
    case = dataclasses.replace(case, expected_is_estimate=True)
    doc = build_intake_receipt(case, hall=HALL, item=ITEM, calendar=load_holiday_calendar(), now=NOW)
    assert _rows(doc)["预计办结日期"] == "2026年12月1日"


def test_immediate_item_and_unknown_item() -> None:
    immediate = dataclasses.replace(ITEM, immediate=True, promised_days=0)
    rows = _rows(build_intake_receipt(person_case(), hall=HALL, item=immediate, calendar=None, now=NOW))
    assert (rows["承诺时限"], rows["预计办结日期"]) == ("即办件", "2026年11月24日")
    rows = _rows(build_intake_receipt(person_case(), hall=HALL, item=None, calendar=None, now=NOW))
    assert rows["承诺时限"] == "以办事指南为准"


def test_reprint_is_marked_with_the_reprint_time() -> None:
    later = dt.datetime(2026, 11, 25, 6, 5, tzinfo=dt.UTC)
    doc = build_intake_receipt(person_case(), hall=HALL, item=ITEM, calendar=None, now=later, reprint=True)
    assert doc.reprint_label == "补打 2026-11-25 14:05"
    assert doc.reprint_label in doc.texts()


def test_one_time_notice_lists_every_missing_material_with_reason_and_where_to_bring_it() -> None:
    doc = build_one_time_notice(person_case(), hall=HALL, item=ITEM, now=NOW)
    assert doc.kind is ReceiptKind.ONE_TIME_NOTICE and doc.title == "一次性告知书"
    table = _table(doc, "需补齐的材料")
    assert table.rows == (("1", "近期一寸免冠照片", "原件 2份", "照片不符合要求（需白底）"),)
    text = " ".join(doc.texts())
    assert "营口市政务服务中心 07号窗口" in text
    assert _rows(doc)["告知人员"] == "工号 S0042"
    assert _rows(doc)["告知日期"] == "2026年11月24日"


def test_notice_only_when_something_is_missing() -> None:
    complete = person_case(materials=())
    assert [d.kind for d in documents_for(complete, hall=HALL, item=ITEM, calendar=None, now=NOW)] == [
        ReceiptKind.INTAKE_RECEIPT
    ]
    assert [d.kind for d in documents_for(person_case(), hall=HALL, item=ITEM, calendar=None, now=NOW)] == [
        ReceiptKind.INTAKE_RECEIPT,
        ReceiptKind.ONE_TIME_NOTICE,
    ]


def test_enterprise_applicant_shows_masked_credit_code() -> None:
    case = dataclasses.replace(
        person_case(),
        applicant=EnterpriseApplicant(
            name="营口海滨餐饮有限公司",
            credit_code=pii_samples.CREDIT_CODE,
            legal_representative=pii_samples.NAME_2,
            contact_name=pii_samples.NAME_2,
            contact_phone=pii_samples.PHONE_2,
        ),
        agent=None,
    )
    rows = _rows(build_intake_receipt(case, hall=HALL, item=ITEM, calendar=None, now=NOW))
    assert rows["申请单位"] == "营口海滨餐饮有限公司"
    assert rows["统一社会信用代码"] == "913***********0Y43"
    assert rows["联系电话"] == "159****6633"
