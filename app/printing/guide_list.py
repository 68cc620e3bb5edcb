"""The 向导式 guide's 一次性告知单: the materials for one applicant's situation, printed (A4 or thermal) or shown as a
QR before any case exists. Same document model and renderers as the receipts; no case number, so the header and
footer show none, and the QR opens the guide for the same item and answers on a phone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from urllib.parse import quote, urlencode

from app.domain.models import DeliveryMethod, MaterialForm, MaterialRequirement, ReceiptKind, ServiceItem
from app.printing.build import HallContext, local_time
from app.printing.document import FieldRow, FieldsBlock, ReceiptDocument, TableBlock, TextBlock
from app.printing.qr import query_base

GUIDE_QR_CAPTION = "扫码在手机上查看本清单"
_FORMS = {
    MaterialForm.ORIGINAL: "原件",
    MaterialForm.COPY: "复印件",
    MaterialForm.ORIGINAL_AND_COPY: "原件及复印件",
    MaterialForm.ELECTRONIC: "电子材料",
}
_DELIVERY = {
    DeliveryMethod.WINDOW_PICKUP: "窗口领取",
    DeliveryMethod.MAIL: "邮寄送达",
    DeliveryMethod.E_LICENCE: "电子证照",
}


def guide_url(platform_url: str, item_code: str, answers: Mapping[str, str]) -> str:
    """`{platform}/g/{item_code}?qid=option&…`: the item and the situation only, never personal data."""
    base = f"{query_base(platform_url)}/g/{quote(item_code, safe='')}"
    return f"{base}?{urlencode(list(answers.items()))}" if answers else base


def _fee(item: ServiceItem) -> str:
    if item.fee_fen == 0:
        return item.fee_note or "不收费"
    yuan = f"{item.fee_fen // 100}.{item.fee_fen % 100:02d}".removesuffix(".00")
    return f"{yuan} 元（{item.fee_note}）" if item.fee_note else f"{yuan} 元"


def build_guide_list(
    item: ServiceItem,
    *,
    situation: Sequence[tuple[str, str]],
    materials: Sequence[MaterialRequirement],
    answers: Mapping[str, str],
    hall: HallContext,
    now: dt.datetime,
) -> ReceiptDocument:
    """`situation`: (question text, answer) pairs as asked; `materials`: the list for that situation."""
    terms = FieldsBlock(
        "事项信息",
        (
            FieldRow("事项名称", item.name),
            FieldRow("事项编码", item.code),
            FieldRow("实施部门", item.department),
            FieldRow("法定时限", f"{item.legal_days} 个工作日"),
            FieldRow("承诺时限", "即办件（当场办结）" if item.immediate else f"{item.promised_days} 个工作日"),
            FieldRow("收费", _fee(item)),
            FieldRow("送达方式", "、".join(_DELIVERY[d] for d in item.delivery_methods)),
        ),
    )
    blocks: list[FieldsBlock | TableBlock | TextBlock] = [terms]
    if situation:
        blocks.append(FieldsBlock("办事情形", tuple(FieldRow(q.rstrip("？?"), a) for q, a in situation)))
    blocks.append(
        TableBlock(
            "所需材料",
            ("序号", "材料名称", "形式", "份数", "说明"),
            tuple(
                (str(i), m.name, _FORMS[m.form], str(m.copies), "" if m.required else (m.condition_text or ""))
                for i, m in enumerate(materials, start=1)
            ),
            (1, 6, 2, 1, 4),
        )
    )
    notes = ["本单按您所述情形一次性告知所需材料；情形有变时所需材料可能不同。可到全市任一通办窗口办理。"]
    if item.guide:
        notes.append(item.guide)
    blocks.append(TextBlock("温馨提示", tuple(notes)))
    return ReceiptDocument(
        kind=ReceiptKind.GUIDE_LIST,
        hall_name=hall.hall_name,
        case_no="",
        case_no_display="",
        qr_payload=guide_url(hall.platform_url, item.code, answers),
        qr_caption=GUIDE_QR_CAPTION,
        blocks=tuple(blocks),
        issued_at=local_time(now),
        hall_contact=hall.contact,
    )


def build_bundle_guide_list(
    bundle_name: str,
    bundle_code: str,
    *,
    situation: Sequence[tuple[str, str]],
    shared: Sequence[tuple[str, MaterialForm, int, Sequence[str]]],
    members: Sequence[tuple[ServiceItem, Sequence[MaterialRequirement]]],
    answers: Mapping[str, str],
    hall: HallContext,
    now: dt.datetime,
) -> ReceiptDocument:
    """The 一次性告知单 of a 一件事: every chosen member with its department and terms, then the shared documents
    (once, with the members they stand for) and each member's own documents for the situation.

    `shared`: (name, form, copies, member names) per shared document; `members`: (item, its own materials)."""
    terms = TableBlock(
        f"{bundle_name}（{bundle_code}）办理事项",
        ("序号", "事项", "实施部门", "法定时限", "承诺时限", "收费", "送达方式"),
        tuple(
            (
                str(n),
                item.name,
                item.department,
                f"{item.legal_days} 个工作日",
                "即办" if item.immediate else f"{item.promised_days} 个工作日",
                _fee(item),
                "、".join(_DELIVERY[d] for d in item.delivery_methods),
            )
            for n, (item, _own) in enumerate(members, start=1)
        ),
        (1, 4, 3, 2, 2, 2, 2),
    )
    blocks: list[FieldsBlock | TableBlock | TextBlock] = [terms]
    if situation:
        blocks.append(FieldsBlock("办事情形", tuple(FieldRow(q.rstrip("？?"), a) for q, a in situation)))
    rows: list[tuple[str, ...]] = []
    for name, form, copies, used_by in shared:
        rows.append((str(len(rows) + 1), name, _FORMS[form], str(copies), "共享，只交一次：" + "、".join(used_by)))
    for item, own in members:
        for m in own:
            note = item.name + ("" if m.required else f"；{m.condition_text}" if m.condition_text else "")
            rows.append((str(len(rows) + 1), m.name, _FORMS[m.form], str(m.copies), note))
    blocks.append(TableBlock("所需材料", ("序号", "材料名称", "形式", "份数", "用于"), tuple(rows), (1, 6, 2, 1, 5)))
    notes = (
        "本单按您所述情形一次性告知一件事所需材料；共享材料只需提交一次。情形有变时所需材料可能不同。"
        "可到全市任一通办窗口一次办理。",
    )
    blocks.append(TextBlock("温馨提示", notes))
    return ReceiptDocument(
        kind=ReceiptKind.GUIDE_LIST,
        hall_name=hall.hall_name,
        case_no="",
        case_no_display="",
        qr_payload=guide_url(hall.platform_url, bundle_code, answers),
        qr_caption=GUIDE_QR_CAPTION,
        blocks=tuple(blocks),
        issued_at=local_time(now),
        hall_contact=hall.contact,
    )
