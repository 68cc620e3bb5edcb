"""四减 in the 日结 (issue 18): a scripted day of 50 cases (and six 帮办 records) with known answers; the CSV's 四减
rows equal the table computed by hand below, and the PDF carries the same figures."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from app.config import config_from_dict
from app.domain.models import (
    AssistOutcome,
    Case,
    CaseState,
    DeliveryMethod,
    MaterialStatus,
    OnlineAssist,
    PersonApplicant,
    ReceivedMaterial,
    ResultDelivery,
    Routing,
)
from app.services.catalogue import CatalogueService
from app.services.report import ReportService, report_csv, write_report
from offline_cache import Store, open_store
from tests import pii_samples
from tests.integration.receipts_support import pdf_text, squash

DAY = dt.date(2026, 11, 24)
START = dt.datetime(2026, 11, 24, 1, 0, tzinfo=dt.UTC)  # 09:00 in Yingkou
A = ("210800200101000", "城乡居民养老保险参保登记", "210800")  # promised 0, legal 20 working days
B = ("210800050205000", "生育医疗费用支付", "210800")  # promised 10, legal 20
C = ("210882070405000", "不动产权证书补证", "210882")  # promised 5, legal 30; decided in 老边区: forwarded
D = ("210804070504000", "户口迁移（市内迁移）", "210804")  # promised 3, legal 20; decided in 西市区: forwarded

#: Hand-computed from the day below: (收件, 电子证照免交, 一件事共享免交, 邮寄送达, 收受分离转办, 承诺时限合计,
#: 法定时限合计, 压缩工作日, 帮办网上提交) per item code, then the day's total.
EXPECTED = {
    # B: 12 + 2 received (3 refused left out); 出生医学证明 by licence in 3; mailed 7, e-licence result 2.
    "210800050205000": (14, 3, 0, 9, 0, 140, 280, 140, 0),
    # A: 15 alone (10 ID cards and 4 户口簿 by licence) + 4 as the first member of a bundle; 2 filed online.
    "210800200101000": (19, 14, 0, 0, 0, 0, 380, 380, 2),
    # D: 4 second members of a bundle: their ID card and 户口簿 were collected once for the bundle (2 each).
    "210804070504000": (4, 0, 8, 0, 4, 12, 80, 68, 0),
    # C: 10 forwarded, 4 mailed; 3 filed online with a clerk's help (the 4th, unfinished, does not count).
    "210882070405000": (10, 0, 0, 4, 10, 50, 300, 250, 3),
    "合计": (47, 17, 8, 13, 14, 202, 1040, 838, 5),
}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(tmp_path / "data" / "terminal.sqlite3") as s:
        yield s


def _material(name: str, licence_no: str = "") -> ReceivedMaterial:
    if licence_no:
        return ReceivedMaterial("M", name, MaterialStatus.E_LICENCE, 0, licence_no=licence_no)
    return ReceivedMaterial("M", name, MaterialStatus.ORIGINAL, 1)


def _case(
    n: int,
    item: tuple[str, str, str],
    materials: list[ReceivedMaterial],
    *,
    delivery: DeliveryMethod = DeliveryMethod.WINDOW_PICKUP,
    state: CaseState = CaseState.RECEIVED,
    bundle_id: str | None = None,
) -> Case:
    code, name, jurisdiction = item
    numbered = tuple(
        ReceivedMaterial(f"M{i + 1:02d}", m.name, m.status, m.count, licence_no=m.licence_no)
        for i, m in enumerate(materials)
    )
    return Case(
        record_id=str(uuid.uuid4()),
        case_no="",
        item_code=code,
        item_name=name,
        state=state,
        applicant=PersonApplicant(pii_samples.NAME, pii_samples.ID_NUMBER, pii_samples.PHONE),
        routing=Routing("210800", "01", "07", "003", "S0042", "审批部门", jurisdiction),
        delivery=ResultDelivery(delivery, pii_samples.ADDRESS if delivery is DeliveryMethod.MAIL else "", "115000"),
        materials=numbered,
        created_at=START + dt.timedelta(minutes=5 * n),
        refusal_reason="材料不属于本事项" if state is CaseState.REFUSED else "",
        bundle_id=bundle_id,
    )


def scripted_day() -> list[Case]:
    cases: list[Case] = []
    for i in range(15):  # A alone: ID card by licence in the first 10, 户口簿 by licence in the first 4
        cases.append(
            _case(
                len(cases),
                A,
                [
                    _material("申请人居民身份证", "210802-SFZ-0000001" if i < 10 else ""),
                    _material("居民户口簿", "210802-HKB-0000001" if i < 4 else ""),
                ],
            )
        )
    for i in range(12):  # B: 7 mailed; 出生医学证明 by licence in 3
        cases.append(
            _case(
                len(cases),
                B,
                [_material("申请人居民身份证"), _material("出生医学证明", "210802-CSZ-2024-0007788" if i < 3 else "")],
                delivery=DeliveryMethod.MAIL if i < 7 else DeliveryMethod.WINDOW_PICKUP,
            )
        )
    for i in range(10):  # C: all forwarded to 老边区, 4 mailed
        cases.append(
            _case(
                len(cases),
                C,
                [_material("申请人居民身份证"), _material("不动产权证书遗失声明")],
                delivery=DeliveryMethod.MAIL if i < 4 else DeliveryMethod.WINDOW_PICKUP,
            )
        )
    for _ in range(4):  # 4 bundles: A then D, sharing the ID card and the 户口簿
        bundle = str(uuid.uuid4())
        cases.append(_case(len(cases), A, [_material("申请人居民身份证"), _material("居民户口簿")], bundle_id=bundle))
        cases.append(
            _case(
                len(cases),
                D,
                [_material("居民户口簿"), _material("申请人居民身份证"), _material("不动产权证书")],
                bundle_id=bundle,
            )
        )
    for _ in range(3):  # B refused at the counter: no figure
        cases.append(_case(len(cases), B, [_material("申请人居民身份证")], state=CaseState.REFUSED))
    for _ in range(2):  # B with the result sent as an e-licence: no pickup trip
        cases.append(_case(len(cases), B, [_material("申请人居民身份证")], delivery=DeliveryMethod.E_LICENCE))
    # One case the day before and one the day after: outside the report.
    cases.append(_case(-300, A, [_material("申请人居民身份证", "210802-SFZ-0000001")]))
    cases.append(_case(300, C, [_material("申请人居民身份证")], delivery=DeliveryMethod.MAIL))
    return cases


def _assist(n: int, item: tuple[str, str, str], outcome: AssistOutcome) -> OnlineAssist:
    return OnlineAssist(
        record_id=str(uuid.uuid4()),
        item_code=item[0],
        item_name=item[1],
        portal_app_no=f"LN20261124{n:08d}",
        applicant_masked="欧阳** 110***********002X",
        outcome=outcome,
        division="210800",
        hall="01",
        window="07",
        terminal="003",
        staff_no="S0042",
        assisted_at=START + dt.timedelta(minutes=7 * n),
    )


def test_sijian_figures_of_a_scripted_day_equal_the_hand_computed_table(
    qapp: QApplication, store: Store, tmp_path: Path
) -> None:
    day = scripted_day()
    assert len([c for c in day if START <= c.created_at < START + dt.timedelta(hours=12)]) == 50
    for case in day:
        store.save_case(case, actor="S0042")
    for n, (item, outcome) in enumerate(
        [
            (C, AssistOutcome.SUBMITTED),
            (C, AssistOutcome.SUBMITTED),
            (C, AssistOutcome.SUBMITTED),
            (C, AssistOutcome.INCOMPLETE),
            (A, AssistOutcome.SUBMITTED),
            (A, AssistOutcome.SUBMITTED),
        ]
    ):
        store.save_assist(_assist(n, item, outcome), actor="S0042")

    config = config_from_dict({"window": "07", "terminal_code": "003"})
    catalogue = CatalogueService(tmp_path / "catalogue")
    service = ReportService(
        store=store, config=config, clock=lambda: START + dt.timedelta(hours=9), item_lookup=catalogue.get
    )
    report = service.report(day=DAY)
    rows = list(csv.reader(io.StringIO(report_csv(report))))
    table: dict[str, list[int]] = {}
    for part, code, _name, value, _rate, _label in rows[1:]:
        if part == "四减":
            table.setdefault(code, []).append(int(value))
    assert {code: tuple(values) for code, values in table.items()} == EXPECTED
    labels = [r[5] for r in rows if r[0] == "四减"][:9]
    assert labels == [
        "收件",
        "电子证照免交",
        "一件事共享免交",
        "邮寄送达",
        "收受分离转办",
        "承诺时限合计",
        "法定时限合计",
        "压缩工作日",
        "帮办网上提交",
    ]

    pdf = write_report(report, "pdf", tmp_path / "rijie.pdf")
    text = squash(pdf_text(pdf))
    assert "四减" in text and "电子证照免交" in text
    assert squash("合计 47 17 8 13 14 202 1040 838 5") in text
    assert pii_samples.ID_NUMBER not in text
