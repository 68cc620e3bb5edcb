"""The item's guide beside the picker: department, jurisdiction, materials, promised time limit, fee, delivery."""

from __future__ import annotations

from html import escape

from PySide6.QtWidgets import QFrame, QTextBrowser, QVBoxLayout, QWidget

from app.domain.models import DeliveryMethod, MaterialForm, ServiceItem

DELIVERY_ZH = {
    DeliveryMethod.WINDOW_PICKUP: "窗口领取",
    DeliveryMethod.MAIL: "邮寄送达",
    DeliveryMethod.E_LICENCE: "电子证照",
}
FORM_ZH = {
    MaterialForm.ORIGINAL: "原件",
    MaterialForm.COPY: "复印件",
    MaterialForm.ORIGINAL_AND_COPY: "原件及复印件",
    MaterialForm.ELECTRONIC: "电子材料",
}


def guide_html(item: ServiceItem) -> str:
    """The guide as simple HTML (Chinese content comes from the catalogue)."""
    limit = (
        "即办件（当场办结）" if item.immediate else f"承诺{item.promised_days}个工作日（法定{item.legal_days}个工作日）"
    )
    fee = item.fee_note or ("不收费" if item.fee_fen == 0 else f"{item.fee_fen / 100:.2f}元")
    rows = [
        ("审批部门", item.department),
        ("管辖区划", item.jurisdiction),
        ("办理时限", limit),
        ("收费", fee),
        ("送达方式", "、".join(DELIVERY_ZH[m] for m in item.delivery_methods)),
        ("原件", "需邮寄原件至审批部门" if item.originals_required else "扫描件即可，原件退还申请人"),
    ]
    mats = []
    for m in item.materials:
        cond = "" if m.required else f"（{escape(m.condition_text or '视情况提供')}）"
        mats.append(f"<li>{escape(m.name)} · {FORM_ZH[m.form]} {m.copies}份{cond}</li>")
    table = "".join(f"<tr><td><b>{k}</b></td><td>{escape(v)}</td></tr>" for k, v in rows)
    return (
        f"<h3>{escape(item.name)}</h3><p>{escape(item.code)}</p><table cellspacing=4>{table}</table>"
        f"<p><b>申请材料</b></p><ol>{''.join(mats)}</ol><p>{escape(item.guide)}</p>"
    )


class ItemGuide(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("guide")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.view = QTextBrowser(self)
        self.view.setObjectName("guide_text")
        self.view.setAccessibleName(self.tr("Item guide"))
        self.view.setOpenLinks(False)
        layout.addWidget(self.view)

    def show_item(self, item: ServiceItem | None) -> None:
        self.view.setHtml(guide_html(item) if item else "")
