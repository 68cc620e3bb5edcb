"""Realistic sample records (fictional people) for tests, benchmarks and demos. Not used by the program itself."""

from __future__ import annotations

import datetime as dt
import uuid

from app.domain.models import (
    Agent,
    Attachment,
    Case,
    CaseState,
    DeliveryMethod,
    EnterpriseApplicant,
    MaterialStatus,
    PersonApplicant,
    Rating,
    RatingChannel,
    RatingLevel,
    RatingOutcome,
    ReceiptKind,
    ReceiptOutput,
    ReceiptRecord,
    ReceivedMaterial,
    ResultDelivery,
    Routing,
)

#: Personal values used by `sample_case`; tests grep stored bytes for them.
NAME = "欧阳秀英"
ID_NUMBER = "21080219850312402X"
PHONE = "13804171234"
ADDRESS = "辽宁省营口市站前区渤海大街西17号3单元502室"
AGENT_NAME = "司马建国"
AGENT_ID_NUMBER = "210803197607150018"
AGENT_PHONE = "15941760088"
DELIVERY_ADDRESS = "辽宁省营口市鲅鱼圈区平安大街88号"
DELIVERY_PHONE = "13998765432"

ROUTING = Routing(
    division="210800",
    hall="01",
    window="07",
    terminal="003",
    staff_no="S0042",
    department="营口市人力资源和社会保障局",
    jurisdiction="210800",
)


def sample_case(
    *,
    created_at: dt.datetime | None = None,
    attachments: tuple[Attachment, ...] = (),
    state: CaseState = CaseState.RECEIVED,
    with_agent: bool = True,
) -> Case:
    """A person's case without a number (the store assigns it)."""
    return Case(
        record_id=str(uuid.uuid4()),
        case_no="",
        item_code="210800-SB-0012",
        item_name="城乡居民养老保险参保登记",
        state=state,
        applicant=PersonApplicant(name=NAME, id_number=ID_NUMBER, phone=PHONE, address=ADDRESS),
        routing=ROUTING,
        delivery=ResultDelivery(
            method=DeliveryMethod.MAIL, address=DELIVERY_ADDRESS, postcode="115007", recipient_phone=DELIVERY_PHONE
        ),
        materials=(
            ReceivedMaterial("M01", "居民身份证", MaterialStatus.ORIGINAL, 1, attachments=attachments),
            ReceivedMaterial("M02", "户口簿", MaterialStatus.MISSING, 0, note="未携带"),
        ),
        agent=Agent(AGENT_NAME, AGENT_ID_NUMBER, AGENT_PHONE) if with_agent else None,
        created_at=created_at or dt.datetime.now(dt.UTC),
        expected_date=dt.date(2026, 12, 8),
    )


def sample_enterprise_case(*, created_at: dt.datetime | None = None) -> Case:
    return Case(
        record_id=str(uuid.uuid4()),
        case_no="",
        item_code="210800-SC-0003",
        item_name="食品经营许可",
        state=CaseState.RECEIVED,
        applicant=EnterpriseApplicant(
            name="营口海滨餐饮有限公司",
            credit_code="91210800MA0XXXXX1K",
            legal_representative="诸葛亮平",
            contact_name="上官婉清",
            contact_phone="18641790011",
            address="营口市西市区新华路2号",
        ),
        routing=ROUTING,
        delivery=ResultDelivery(method=DeliveryMethod.WINDOW_PICKUP),
        created_at=created_at or dt.datetime.now(dt.UTC),
    )


def sample_receipt(case_no: str, *, reprint: bool = False) -> ReceiptRecord:
    return ReceiptRecord(
        record_id=str(uuid.uuid4()),
        case_no=case_no,
        kind=ReceiptKind.INTAKE_RECEIPT,
        output=ReceiptOutput.THERMAL,
        staff_no=ROUTING.staff_no,
        printed_at=dt.datetime.now(dt.UTC),
        reprint=reprint,
    )


def sample_rating(case_no: str | None, *, level: RatingLevel | None = RatingLevel.BASICALLY_SATISFIED) -> Rating:
    now = dt.datetime.now(dt.UTC)
    return Rating(
        rating_id=str(uuid.uuid4()),
        service_act_id=str(uuid.uuid4()),
        case_no=case_no,
        item_code="210800-SB-0012",
        division=ROUTING.division,
        hall=ROUTING.hall,
        window=ROUTING.window,
        staff_no=ROUTING.staff_no,
        terminal=ROUTING.terminal,
        channel=RatingChannel.COUNTER_DEVICE,
        outcome=RatingOutcome.RATED if level is not None else RatingOutcome.UNRATED,
        level=level,
        requested_at=now,
        rated_at=now if level is not None else None,
        reasons=("等候时间长",) if level is not None and level.needs_reasons else (),
    )
