"""The receipt document model: what a printed 收件回执 or 一次性告知书 says, independent of the output.

A document is a title, a header (hall, case number, QR payload, 补打 mark) and a sequence of blocks. Every string
in it is final display text: personal values are already masked (`build.py` does that with the domain's masking
helper), so a renderer never sees a full ID number or phone and cannot print one by mistake.
Renderers (`pdf.py` for A4, `escpos.py` for thermal paper) lay the same blocks out for their medium.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app.domain.models import ReceiptKind

#: Printed titles of each document kind.
TITLES: dict[ReceiptKind, str] = {
    ReceiptKind.INTAKE_RECEIPT: "收件回执",
    ReceiptKind.ONE_TIME_NOTICE: "一次性告知书",
    ReceiptKind.REFUSAL_NOTICE: "不予收件告知书",
    ReceiptKind.GUIDE_LIST: "办事材料一次性告知单",
}

#: The 补打 mark printed on every reprint, followed by the reprint time.
REPRINT_MARK = "补打"


@dataclass(frozen=True, slots=True)
class FieldRow:
    """One `label：value` line; the value may be long and wraps under itself."""

    label: str
    value: str


@dataclass(frozen=True, slots=True)
class FieldsBlock:
    heading: str
    rows: tuple[FieldRow, ...]


@dataclass(frozen=True, slots=True)
class TableBlock:
    """A table such as the materials list. `weights` are relative column widths on A4."""

    heading: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    weights: tuple[int, ...]
    empty_text: str = "无"
    note: str = ""  # a line printed under the table


@dataclass(frozen=True, slots=True)
class TextBlock:
    heading: str
    paragraphs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SignatureBlock:
    """Lines for handwritten signatures and dates, and on A4 a framed area for the hall's seal (`seal`, e.g.
    受理专用章; empty for none). A thermal slip prints the signature lines one under the other, without the seal."""

    labels: tuple[str, ...]
    seal: str = ""


Block = FieldsBlock | TableBlock | TextBlock | SignatureBlock


@dataclass(frozen=True, slots=True)
class ReceiptDocument:
    kind: ReceiptKind
    hall_name: str
    case_no: str  # 26 digits, as typed and scanned; "" for a guide list given before any case exists
    case_no_display: str  # grouped for reading ("" without a case)
    qr_payload: str  # the case query URL; never personal data
    qr_caption: str
    blocks: tuple[Block, ...]
    issued_at: dt.datetime  # local time the document was produced
    reprint_at: dt.datetime | None = None  # set on a reprint (补打)
    hall_contact: str = ""  # `地址：… 服务电话：…` under the hall name; empty when neither is configured
    title_text: str = ""  # a title other than the kind's (一件事收件回执); "" for the kind's own

    @property
    def title(self) -> str:
        return self.title_text or TITLES[self.kind]

    @property
    def reprint_label(self) -> str:
        """`补打 2026-11-25 14:03`, or "" for a first print."""
        if self.reprint_at is None:
            return ""
        return f"{REPRINT_MARK} {self.reprint_at:%Y-%m-%d %H:%M}"

    @property
    def print_time_label(self) -> str:
        """`打印时间 2026-11-25 14:03`: printed on the original and on every 补打."""
        return f"打印时间 {self.issued_at:%Y-%m-%d %H:%M}"

    def texts(self) -> list[str]:
        """Every piece of text the document prints, in order (tests check each appears in the output)."""
        out = [self.title, self.hall_name, self.hall_contact, self.case_no_display, self.qr_caption]
        out.append(self.print_time_label)
        if self.reprint_at is not None:
            out.append(self.reprint_label)
        for block in self.blocks:
            if isinstance(block, FieldsBlock):
                out.append(block.heading)
                for row in block.rows:
                    out += [row.label, row.value]
            elif isinstance(block, TableBlock):
                out += [block.heading, *block.columns]
                for cells in block.rows:
                    out += list(cells)
                if not block.rows:
                    out.append(block.empty_text)
                if block.note:
                    out.append(block.note)
            elif isinstance(block, TextBlock):
                out += [block.heading, *block.paragraphs]
            else:
                out += [*block.labels, block.seal]
        return [text for text in out if text]
