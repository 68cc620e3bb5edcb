"""Build receipt documents from a case: what DOMAIN.md "Receipts" requires, masked as "Privacy" says.

Pure functions of their inputs (no Qt, no I/O): the same case, item, hall and time always give the same document.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from app.domain import hall_time
from app.domain.case_number import format_grouped
from app.domain.masking import Field, Surface, mask_for, mask_numbers_in_text
from app.domain.models import (
    Case,
    CaseState,
    DeliveryMethod,
    EnterpriseApplicant,
    MaterialForm,
    MaterialStatus,
    ReceiptKind,
    ReceivedMaterial,
    ServiceItem,
)
from app.domain.workdays import HolidayCalendar
from app.printing.document import (
    Block,
    FieldRow,
    FieldsBlock,
    ReceiptDocument,
    SignatureBlock,
    TableBlock,
    TextBlock,
)
from app.printing.qr import query_base, query_url

#: UTC+8 (China's zone); kept for callers and tests. What paper shows follows `app.domain.hall_time`.
CHINA_TZ = dt.timezone(dt.timedelta(hours=8), "CST")
HOTLINE = "12345"

_STATUS_LABELS = {MaterialStatus.ORIGINAL: "原件", MaterialStatus.COPY: "复印件"}
_FORM_LABELS = {
    MaterialForm.ORIGINAL: "原件",
    MaterialForm.COPY: "复印件",
    MaterialForm.ORIGINAL_AND_COPY: "原件及复印件",
    MaterialForm.ELECTRONIC: "电子材料",
}
_DELIVERY_LABELS = {
    DeliveryMethod.WINDOW_PICKUP: "窗口领取",
    DeliveryMethod.MAIL: "邮寄送达",
    DeliveryMethod.E_LICENCE: "电子证照",
}


#: Under the QR: the `/c/` page it opens shows the case's progress and offers the rating, so one QR serves both.
QR_CAPTION = "扫码查询办理进度、评价服务"
#: The seal area on A4 documents.
SEAL_LABEL = "受理专用章"


@dataclass(frozen=True, slots=True)
class HallContext:
    """What the document needs to know about where it is printed (from the terminal's config)."""

    hall_name: str
    platform_url: str = ""
    address: str = ""  # the hall's address, printed under its name
    phone: str = ""  # the hall's service phone

    @property
    def contact(self) -> str:
        parts = [f"地址：{self.address}" if self.address else "", f"服务电话：{self.phone}" if self.phone else ""]
        return "  ".join(part for part in parts if part)


def local_time(moment: dt.datetime) -> dt.datetime:
    """A time on paper: in the hall's time zone (`hall_timezone`, default Asia/Shanghai), as the screens show it."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime on a receipt")
    return hall_time.local(moment)


def _date_zh(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _window(case: Case, hall: HallContext) -> str:
    return f"{hall.hall_name} {case.routing.window}号窗口"


def _applicant_rows(case: Case) -> list[FieldRow]:
    applicant = case.applicant
    rows: list[FieldRow]
    if isinstance(applicant, EnterpriseApplicant):
        rows = [
            FieldRow("申请单位", applicant.name),
            FieldRow("统一社会信用代码", mask_for(Surface.RECEIPT, Field.CREDIT_CODE, applicant.credit_code)),
            FieldRow("法定代表人", mask_for(Surface.RECEIPT, Field.NAME, applicant.legal_representative)),
            FieldRow("联系人", mask_for(Surface.RECEIPT, Field.NAME, applicant.contact_name)),
            FieldRow("联系电话", mask_for(Surface.RECEIPT, Field.PHONE, applicant.contact_phone)),
        ]
    else:
        rows = [
            FieldRow("申请人", mask_for(Surface.RECEIPT, Field.NAME, applicant.name)),
            FieldRow("身份证号码", mask_for(Surface.RECEIPT, Field.ID_NUMBER, applicant.id_number)),
            FieldRow("联系电话", mask_for(Surface.RECEIPT, Field.PHONE, applicant.phone)),
        ]
    if case.agent is not None:
        agent = case.agent
        rows += [
            FieldRow("代办人", mask_for(Surface.RECEIPT, Field.NAME, agent.name)),
            FieldRow("代办人身份证号码", mask_for(Surface.RECEIPT, Field.ID_NUMBER, agent.id_number)),
        ]
    return [row for row in rows if row.value]


def _expected(case: Case, item: ServiceItem | None, calendar: HolidayCalendar | None) -> tuple[str, str]:
    """(承诺时限, 预计办结日期) texts. A date in a year the holiday table does not know is printed as 预计."""
    if item is not None and item.immediate:
        return "即办件", _date_zh(local_time(case.created_at).date())
    limit = f"{item.promised_days}个工作日" if item is not None else "以办事指南为准"
    day, estimate = case.expected_date, case.expected_is_estimate
    if item is not None and calendar is not None and (day is None or estimate):
        # Recompute: the calendar may have learnt the year since the case was taken in.
        day, estimate = calendar.expected_completion(local_time(case.created_at).date(), item.promised_days)
    if day is None:
        return limit, "以审批部门通知为准"
    if estimate:
        return limit, f"预计{_date_zh(day)}（该年度节假日安排尚未公布，按周一至周五估算）"
    return limit, _date_zh(day)


def _delivery_rows(case: Case, hall: HallContext) -> list[FieldRow]:
    method = case.delivery.method
    label = _DELIVERY_LABELS[method]
    if method is DeliveryMethod.WINDOW_PICKUP:
        label = f"{label}（{hall.hall_name}）"
    rows = [FieldRow("结果送达方式", label)]
    if method is DeliveryMethod.MAIL:
        rows.append(FieldRow("邮寄地址", mask_for(Surface.RECEIPT, Field.ADDRESS, case.delivery.address)))
        if case.delivery.recipient_phone:
            rows.append(FieldRow("收件电话", mask_for(Surface.RECEIPT, Field.PHONE, case.delivery.recipient_phone)))
    return rows


def _query_text(hall: HallContext) -> str:
    phone = f"或本大厅服务电话 {hall.phone}" if hall.phone else ""
    return (
        f"扫描二维码，或登录 {query_base(hall.platform_url)} 输入办件编号，即可查询办理进度、评价服务；"
        f"咨询、投诉请拨打政务服务便民热线 {HOTLINE}{phone}。"
    )


def clerk_text(staff_no: str, clerk_name: str) -> str:
    """`张三（工号 S0042）`, or the number alone when the name is not on record."""
    return f"{clerk_name}（工号 {staff_no}）" if clerk_name else f"工号 {staff_no}"


def _case_rows(
    case: Case, hall: HallContext, *, time_label: str, clerk_name: str, clerk_label: str = "收件人员"
) -> list[FieldRow]:
    return [
        FieldRow("事项名称", case.item_name),
        FieldRow("事项编码", case.item_code),
        FieldRow("审批部门", case.routing.department),
        FieldRow("收件窗口", _window(case, hall)),
        FieldRow(clerk_label, clerk_text(case.routing.staff_no, clerk_name)),
        FieldRow(time_label, f"{local_time(case.created_at):%Y-%m-%d %H:%M}"),
    ]


def _document(
    kind: ReceiptKind,
    case: Case,
    hall: HallContext,
    blocks: list[Block],
    *,
    now: dt.datetime,
    reprint: bool,
) -> ReceiptDocument:
    return ReceiptDocument(
        kind=kind,
        hall_name=hall.hall_name,
        case_no=case.case_no,
        case_no_display=format_grouped(case.case_no),
        qr_payload=query_url(hall.platform_url, case.case_no),
        qr_caption=QR_CAPTION,
        blocks=tuple(blocks),
        issued_at=local_time(now),
        reprint_at=local_time(now) if reprint else None,
        hall_contact=hall.contact,
    )


def build_intake_receipt(
    case: Case,
    *,
    hall: HallContext,
    item: ServiceItem | None,
    calendar: HolidayCalendar | None,
    now: dt.datetime,
    reprint: bool = False,
    clerk_name: str = "",
) -> ReceiptDocument:
    """收件回执 for a received case. `item` (for the time limit) and `calendar` may be None when unavailable;
    `clerk_name` is the receiving clerk's name on record (printed beside the staff number)."""
    received = [m for m in case.materials if m.status in _STATUS_LABELS]
    missing = case.missing_materials
    limit, expected = _expected(case, item, calendar)
    blocks: list[Block] = [
        FieldsBlock("办件信息", tuple(_case_rows(case, hall, time_label="收件时间", clerk_name=clerk_name))),
        FieldsBlock("申请人信息", tuple(_applicant_rows(case))),
        TableBlock(
            "已收材料",
            ("序号", "材料名称", "形式", "份数"),
            tuple((str(i), m.name, _STATUS_LABELS[m.status], str(m.count)) for i, m in enumerate(received, 1)),
            (1, 9, 2, 1),
        ),
    ]
    licensed = [m for m in case.materials if m.status is MaterialStatus.E_LICENCE]
    if licensed:
        blocks.append(
            TableBlock(
                "电子证照（免交纸质材料）",
                ("序号", "材料名称", "证照编号", "状态"),
                tuple(
                    (str(i), m.name, _masked_licence_no(m.licence_no), "电子证照已调取")
                    for i, m in enumerate(licensed, 1)
                ),
                (1, 6, 4, 3),
            )
        )
    if missing:
        blocks.append(
            TableBlock(
                "待补材料",
                ("序号", "材料名称", "说明"),
                tuple((str(i), m.name, _note(m)) for i, m in enumerate(missing, 1)),
                (1, 7, 5),
                note="详见一次性告知书。",
            )
        )
    blocks += [
        FieldsBlock(
            "办理时限与结果送达",
            (FieldRow("承诺时限", limit), FieldRow("预计办结日期", expected), *_delivery_rows(case, hall)),
        ),
        TextBlock("进度查询", (_query_text(hall),)),
        SignatureBlock(("申请人（代办人）签字", "日期"), seal=SEAL_LABEL),
    ]
    return _document(ReceiptKind.INTAKE_RECEIPT, case, hall, blocks, now=now, reprint=reprint)


def _masked_licence_no(number: str) -> str:
    """A licence number on a citizen-visible surface: first and last four characters."""
    if len(number) <= 8:
        return number[:2] + "*" * max(len(number) - 2, 0)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def _requirement_text(code: str, item: ServiceItem | None) -> str:
    if item is None:
        return ""
    for requirement in item.materials:
        if requirement.code == code:
            return f"{_FORM_LABELS[requirement.form]} {requirement.copies}份"
    return ""


def _deadline_rows(case: Case, item: ServiceItem | None, calendar: HolidayCalendar | None) -> list[FieldRow]:
    """补齐期限 / 逾期处理 / 告知依据 of an item that defines them (catalogue fields, all optional)."""
    if item is None:
        return []
    rows: list[FieldRow] = []
    if item.supplement_days:
        start = local_time(case.created_at).date()
        day, estimate = (
            calendar.expected_completion(start, item.supplement_days) if calendar is not None else (None, False)
        )
        when = f"{item.supplement_days}个工作日内"
        if day is not None:
            when += f"（{'预计' if estimate else ''}{_date_zh(day)}前）"
        rows.append(FieldRow("补齐期限", f"请于告知之日起{when}补齐"))
        if item.supplement_after:
            rows.append(FieldRow("逾期处理", item.supplement_after))
    if item.legal_basis:
        rows.append(FieldRow("告知依据", item.legal_basis))
    return rows


def _note(material: ReceivedMaterial) -> str:
    """Why a material is missing, as the clerk typed it, with any ID or phone number in it masked."""
    return mask_numbers_in_text(material.note) or "未提供"


def _missing_rows(missing: Sequence[ReceivedMaterial], item: ServiceItem | None) -> tuple[tuple[str, ...], ...]:
    """序号 / 材料名称 / 要求 / 原因 of each missing material (a notice's table of what to bring)."""
    return tuple(
        (str(i), m.name, _requirement_text(m.requirement_code, item) or "—", _note(m)) for i, m in enumerate(missing, 1)
    )


def _notice_footer(case: Case, clerk_name: str) -> tuple[Block, ...]:
    """The foot of a 告知书: who told the applicant and when, then the applicant's receipt signature and the seal."""
    return (
        FieldsBlock(
            "告知",
            (
                FieldRow("告知人员", clerk_text(case.routing.staff_no, clerk_name)),
                FieldRow("告知日期", _date_zh(local_time(case.created_at).date())),
            ),
        ),
        SignatureBlock(("申请人（代办人）签收", "日期"), seal=SEAL_LABEL),
    )


def build_one_time_notice(
    case: Case,
    *,
    hall: HallContext,
    item: ServiceItem | None,
    now: dt.datetime,
    reprint: bool = False,
    calendar: HolidayCalendar | None = None,
    clerk_name: str = "",
) -> ReceiptDocument:
    """一次性告知书: every missing material with the reason, in one notice, where to bring it, and — when the
    catalogue item defines them — the deadline, what happens after it and the legal basis."""
    missing = case.missing_materials
    name = mask_for(Surface.RECEIPT, Field.NAME, case.applicant.name)
    intro = (
        f"{name}：您申请办理的“{case.item_name}”事项，尚需补齐以下材料。"
        "根据一次性告知制度，现将需补齐的全部材料一次性告知如下。"
    )
    where = f"请携带上述材料到 {_window(case, hall)} 补齐，出示本告知书或报办件编号即可，已提交的材料无需重复提交。"
    blocks: list[Block] = [
        TextBlock("告知事项", (intro,)),
        FieldsBlock("办件信息", tuple(_case_rows(case, hall, time_label="收件时间", clerk_name=clerk_name))),
        FieldsBlock("申请人信息", tuple(_applicant_rows(case))),
        TableBlock(
            "需补齐的材料",
            ("序号", "材料名称", "要求", "原因"),
            _missing_rows(missing, item),
            (1, 6, 3, 4),
        ),
    ]
    deadline = _deadline_rows(case, item, calendar)
    if deadline:
        blocks.append(FieldsBlock("补齐期限与依据", tuple(deadline)))
    blocks += [
        TextBlock("补齐方式", (where, _query_text(hall))),
        *_notice_footer(case, clerk_name),
    ]
    return _document(ReceiptKind.ONE_TIME_NOTICE, case, hall, blocks, now=now, reprint=reprint)


def build_refusal_notice(
    case: Case,
    *,
    hall: HallContext,
    item: ServiceItem | None,
    now: dt.datetime,
    reprint: bool = False,
    clerk_name: str = "",
) -> ReceiptDocument:
    """不予收件告知书 for a refused case: the item, the applicant (masked), the reason, what to do next (what to
    bring, where, 12345), the hall, the clerk and the date. No completion date: nothing was taken in."""
    name = mask_for(Surface.RECEIPT, Field.NAME, case.applicant.name)
    intro = (
        f"{name}：您申请办理的“{case.item_name}”事项，经窗口审查，不符合收件条件，决定不予收件。"
        "您提交的材料已当场退还。理由及后续办理方式告知如下。"
    )
    missing = case.missing_materials
    if missing:
        bring: TableBlock = TableBlock(
            "再次申请需备齐的材料",
            ("序号", "材料名称", "要求", "说明"),
            _missing_rows(missing, item),
            (1, 6, 3, 4),
        )
    else:
        required = [r for r in item.materials if r.required] if item is not None else []
        bring = TableBlock(
            "再次申请需备齐的材料",
            ("序号", "材料名称", "要求", "说明"),
            tuple((str(i), r.name, f"{_FORM_LABELS[r.form]} {r.copies}份", "必需") for i, r in enumerate(required, 1)),
            (1, 6, 3, 4),
            empty_text="以办事指南为准",
        )
    where = (
        f"请按不予收件理由和上述材料要求备齐后，到 {hall.hall_name} 或本市任一全市通办窗口重新申请"
        + (f"（地址：{hall.address}）" if hall.address else "")
        + "。"
    )
    blocks: list[Block] = [
        TextBlock("告知事项", (intro,)),
        FieldsBlock(
            "办件信息",
            tuple(_case_rows(case, hall, time_label="告知时间", clerk_name=clerk_name, clerk_label="经办人员")),
        ),
        FieldsBlock("申请人信息", tuple(_applicant_rows(case))),
        TextBlock("不予收件理由", (mask_numbers_in_text(case.refusal_reason) or "（未填写）",)),
        bring,
        TextBlock(
            "下一步",
            (
                where,
                f"如有疑问或对本告知有异议，可向窗口工作人员咨询，或拨打政务服务便民热线 {HOTLINE}"
                + (f"、本大厅服务电话 {hall.phone}" if hall.phone else "")
                + "。",
            ),
        ),
        *_notice_footer(case, clerk_name),
    ]
    return _document(ReceiptKind.REFUSAL_NOTICE, case, hall, blocks, now=now, reprint=reprint)


def documents_for(
    case: Case,
    *,
    hall: HallContext,
    item: ServiceItem | None,
    calendar: HolidayCalendar | None,
    now: dt.datetime,
    reprinted: frozenset[ReceiptKind] | set[ReceiptKind] = frozenset(),
    clerk_name: str = "",
    reprint: bool = False,
) -> list[ReceiptDocument]:
    """The documents a case gets: a refused case its 不予收件告知书 only; a received one the 收件回执, plus the
    一次性告知书 when materials are missing. Kinds in `reprinted` (every kind with `reprint`) were printed before
    and say 补打."""
    if reprint:
        reprinted = frozenset(ReceiptKind)
    if case.state is CaseState.REFUSED:
        return [
            build_refusal_notice(
                case,
                hall=hall,
                item=item,
                now=now,
                reprint=ReceiptKind.REFUSAL_NOTICE in reprinted,
                clerk_name=clerk_name,
            )
        ]
    docs = [
        build_intake_receipt(
            case,
            hall=hall,
            item=item,
            calendar=calendar,
            now=now,
            reprint=ReceiptKind.INTAKE_RECEIPT in reprinted,
            clerk_name=clerk_name,
        )
    ]
    if case.missing_materials:
        docs.append(
            build_one_time_notice(
                case,
                hall=hall,
                item=item,
                now=now,
                reprint=ReceiptKind.ONE_TIME_NOTICE in reprinted,
                calendar=calendar,
                clerk_name=clerk_name,
            )
        )
    return docs
