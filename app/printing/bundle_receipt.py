"""One 收件回执 for a 一件事 bundle (issue 17): every member with its department, case number and expected date on
one document; each shared document listed once. A4 continues onto further pages like any receipt; the thermal
slip wraps. The header shows the parent case's own number and the QR opens the parent's page on the platform
(every member's progress, one rating for the bundle). A bundle taken in before parents existed has none: its header
shows no number (the members table lists them all) and its QR opens the first member's page, as it always did."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from app.domain.case_number import format_grouped
from app.domain.models import Case, ReceiptKind, ServiceItem
from app.domain.workdays import HolidayCalendar
from app.printing.build import (
    _STATUS_LABELS,
    QR_CAPTION,
    SEAL_LABEL,
    HallContext,
    _applicant_rows,
    _delivery_rows,
    _expected,
    _note,
    _query_text,
    _window,
    clerk_text,
    local_time,
)
from app.printing.document import Block, FieldRow, FieldsBlock, ReceiptDocument, SignatureBlock, TableBlock, TextBlock
from app.printing.qr import query_url

BUNDLE_RECEIPT_TITLE = "一件事收件回执"


def build_bundle_receipt(
    cases: Sequence[Case],
    *,
    bundle_name: str,
    items: Mapping[str, ServiceItem | None],
    shared: Mapping[tuple[str, str], str] | None = None,
    hall: HallContext,
    calendar: HolidayCalendar | None,
    now: dt.datetime,
    reprint: bool = False,
    clerk_name: str = "",
    parent_case_no: str = "",
) -> ReceiptDocument:
    """`cases`: the members, in number order (all with the same `bundle_id`); `items` by item code; `shared`: the
    shared document's name for each (item code, material code) it covers, so it is listed once under that name;
    `parent_case_no`: the bundle's own number ("" for a bundle taken in before parents existed)."""
    shared = shared or {}
    first = cases[0]
    member_rows = []
    for index, case in enumerate(cases, start=1):
        limit, expected = _expected(case, items.get(case.item_code), calendar)
        member_rows.append(
            (str(index), case.item_name, case.routing.department, format_grouped(case.case_no), f"{limit}\n{expected}")
        )
    received: dict[str, tuple[str, str]] = {}  # one line per document, however many members it counts for
    missing: list[tuple[str, str, str]] = []
    for case in cases:
        for m in case.materials:
            if m.status in _STATUS_LABELS:
                name = shared.get((case.item_code, m.requirement_code), m.name)
                received.setdefault(name, (_STATUS_LABELS[m.status], str(m.count)))
        missing += [(case.item_name, m.name, _note(m)) for m in case.missing_materials]
    blocks: list[Block] = [
        FieldsBlock(
            "一件事信息",
            (
                FieldRow("一件事名称", bundle_name),
                FieldRow("一件事办件编号", format_grouped(parent_case_no))
                if parent_case_no
                else FieldRow("一件事编号", first.bundle_id or ""),
                FieldRow("成员事项", f"{len(cases)} 项，分别送各审批部门办理"),
                FieldRow("收件窗口", _window(first, hall)),
                FieldRow("收件人员", clerk_text(first.routing.staff_no, clerk_name)),
                FieldRow("收件时间", f"{local_time(first.created_at):%Y-%m-%d %H:%M}"),
            ),
        ),
        FieldsBlock("申请人信息", tuple(_applicant_rows(first))),
        TableBlock(
            "成员办件",
            ("序号", "事项名称", "审批部门", "办件编号", "承诺时限 / 预计办结"),
            tuple(member_rows),
            (1, 4, 4, 7, 4),
        ),
        TableBlock(
            "已收材料（共享材料只收一次）",
            ("序号", "材料名称", "形式", "份数"),
            tuple((str(i), name, form, count) for i, (name, (form, count)) in enumerate(received.items(), 1)),
            (1, 9, 2, 1),
        ),
    ]
    if missing:
        blocks.append(
            TableBlock(
                "待补材料",
                ("序号", "事项", "材料名称", "说明"),
                tuple((str(i), item, name, note) for i, (item, name, note) in enumerate(missing, 1)),
                (1, 4, 5, 3),
            )
        )
    blocks += [
        FieldsBlock("结果送达", tuple(_delivery_rows(first, hall))),
        TextBlock(
            "进度查询",
            (
                _query_text(hall),
                "各成员办件分别办理、分别送达；扫码或用一件事办件编号可查看全部成员进度，任一办件编号均可查询。"
                if parent_case_no
                else "各成员办件分别办理、分别送达；任一办件编号均可查询。",
            ),
        ),
        SignatureBlock(("申请人（代办人）签字", "日期"), seal=SEAL_LABEL),
    ]
    return ReceiptDocument(
        kind=ReceiptKind.INTAKE_RECEIPT,
        hall_name=hall.hall_name,
        # The parent's own number; none for an older bundle (the members table lists every number).
        case_no=parent_case_no,
        case_no_display=format_grouped(parent_case_no) if parent_case_no else "",
        qr_payload=query_url(hall.platform_url, parent_case_no or first.case_no),
        qr_caption=QR_CAPTION,
        blocks=tuple(blocks),
        issued_at=local_time(now),
        reprint_at=local_time(now) if reprint else None,
        hall_contact=hall.contact,
        title_text=BUNDLE_RECEIPT_TITLE,
    )
