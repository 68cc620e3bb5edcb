"""The 向导式 guide (issue 17): answers to an item's 情形 questions → the exact materials for that situation, with the
legal and promised time limits, the fee and the delivery options — or the next question still to answer.

No store, no Qt, no I/O: the counter's guide pages, the kiosk's 办事指南 and `tongban guide` all call `guide_for`
with a catalogue item and the answers so far, and render the `Guide` it returns (`as_json`, `as_lines`). Answers
carry into intake unchanged (`Guide.answers` is what the intake draft's `answers` takes).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.domain.models import (
    Bundle,
    DeliveryMethod,
    MaterialForm,
    MaterialRequirement,
    ScenarioQuestion,
    ServiceItem,
    SharedMaterial,
)
from app.domain.scenarios import asked_questions, chosen_members, effective_answers, materials_for, next_question
from app.printing.build import HallContext
from app.printing.guide_list import build_guide_list
from app.services.errors import UserFacingError

if TYPE_CHECKING:
    from app.config import Config, PrinterConfig
    from app.printing.document import ReceiptDocument

FORM_LABELS: dict[MaterialForm, str] = {
    MaterialForm.ORIGINAL: "原件",
    MaterialForm.COPY: "复印件",
    MaterialForm.ORIGINAL_AND_COPY: "原件及复印件",
    MaterialForm.ELECTRONIC: "电子材料",
}
DELIVERY_LABELS: dict[DeliveryMethod, str] = {
    DeliveryMethod.WINDOW_PICKUP: "窗口领取",
    DeliveryMethod.MAIL: "邮寄送达",
    DeliveryMethod.E_LICENCE: "电子证照",
}


class GuideAnswerError(UserFacingError):
    """An answer names no question of the item, or an option the question does not have (message in Chinese)."""

    def __init__(self, message: str, *, question_id: str) -> None:
        super().__init__(message, detail=f"guide answer refused for question {question_id[:32]!r}")
        self.question_id = question_id


@dataclass(frozen=True, slots=True)
class Guide:
    """Where the guide stands for one item and one set of answers."""

    item: ServiceItem
    #: The answers that count (to questions that are asked), in question order: what intake takes.
    answers: Mapping[str, str]
    #: Questions asked for these answers, in order (answered and not).
    asked: tuple[ScenarioQuestion, ...]
    #: The next question to put to the applicant; None when the situation is fully known.
    next_question: ScenarioQuestion | None
    #: Materials for the situation (complete once `next_question` is None; before that, what is known so far).
    materials: tuple[MaterialRequirement, ...]

    @property
    def complete(self) -> bool:
        return self.next_question is None

    @property
    def code(self) -> str:
        return self.item.code

    @property
    def fee_text(self) -> str:
        if self.item.fee_fen == 0:
            return self.item.fee_note or "不收费"
        yuan = f"{self.item.fee_fen // 100}.{self.item.fee_fen % 100:02d}".removesuffix(".00")
        return f"{yuan} 元（{self.item.fee_note}）" if self.item.fee_note else f"{yuan} 元"

    @property
    def promised_text(self) -> str:
        return "即办件（当场办结）" if self.item.immediate else f"{self.item.promised_days} 个工作日"

    def as_json(self) -> dict[str, Any]:
        item = self.item
        return {
            "item_code": item.code,
            "item_name": item.name,
            "department": item.department,
            "complete": self.complete,
            "answers": dict(self.answers),
            "next_question": _question_json(self.next_question),
            "materials": [
                {
                    "code": m.code,
                    "name": m.name,
                    "form": m.form.value,
                    "form_label": FORM_LABELS[m.form],
                    "copies": m.copies,
                    "required": m.required,
                    "condition_text": m.condition_text,
                }
                for m in self.materials
            ],
            "legal_days": item.legal_days,
            "promised_days": item.promised_days,
            "immediate": item.immediate,
            "fee_fen": item.fee_fen,
            "fee_note": item.fee_note,
            "delivery_methods": [d.value for d in item.delivery_methods],
        }

    @property
    def situation(self) -> tuple[tuple[str, str], ...]:
        """(question text, answer) for each asked question answered, in order."""
        return tuple((q.text, self.answers[q.id]) for q in self.asked if q.id in self.answers)

    def as_lines(self) -> list[str]:
        """Plain Chinese text: the questions answered, then the next question or the materials and terms."""
        item = self.item
        lines = [f"{item.name}（{item.code}）", f"实施部门：{item.department}"]
        for question in self.asked:
            if question.id in self.answers:
                lines.append(f"{question.text} {self.answers[question.id]}")
        if self.next_question is not None:
            q = self.next_question
            lines.append("")
            lines.append(f"请回答：{q.text}")
            lines.extend(f"  {q.id}={option}" for option in q.options)
            return lines
        lines.append("")
        lines.append("申请材料：")
        for index, m in enumerate(self.materials, start=1):
            note = "" if m.required else f"（{m.condition_text}）"
            lines.append(f"  {index}. {m.name} {FORM_LABELS[m.form]} {m.copies} 份{note}")
        lines.append(f"法定时限：{item.legal_days} 个工作日")
        lines.append(f"承诺时限：{self.promised_text}")
        lines.append(f"收费：{self.fee_text}")
        lines.append("送达方式：" + "、".join(DELIVERY_LABELS[d] for d in item.delivery_methods))
        return lines


def check_answers(item: ServiceItem, answers: Mapping[str, str]) -> None:
    """Refuse answers that name no question of the item or an option it does not have."""
    questions = {q.id: q for q in item.questions}
    for qid, answer in answers.items():
        question = questions.get(qid)
        if question is None:
            known = "、".join(questions) or "无"
            raise GuideAnswerError(
                f"事项“{item.name}”没有情形问题 {qid[:32]}（该事项的问题：{known}）", question_id=qid
            )
        if answer not in question.options:
            raise GuideAnswerError(
                f"“{question.text}”的回答应为以下之一：{'、'.join(question.options)}（收到 {answer[:32]}）",
                question_id=qid,
            )


def guide_for(item: ServiceItem, answers: Mapping[str, str]) -> Guide:
    """The guide for `item` given `answers` (question id → option). Raises `GuideAnswerError` on a bad answer;
    answers to questions that the other answers make moot are dropped, not refused (the applicant changed an
    earlier answer)."""
    check_answers(item, answers)
    kept = effective_answers(item, answers)
    ordered = {q.id: kept[q.id] for q in item.questions if q.id in kept}
    return Guide(
        item=item,
        answers=ordered,
        asked=asked_questions(item, kept),
        next_question=next_question(item, kept),
        materials=materials_for(item, kept),
    )


def guide_document(guide: Guide, *, hall: HallContext, now: dt.datetime) -> ReceiptDocument:
    """The 一次性告知单 of a complete guide (A4 or thermal through the receipt renderers)."""
    return build_guide_list(
        guide.item,
        situation=guide.situation,
        materials=guide.materials,
        answers=guide.answers,
        hall=hall,
        now=now,
    )


def write_guide_document(doc: ReceiptDocument, *, fmt: str, out: Path, printer: PrinterConfig) -> None:
    """Render the list to a file: `pdf` (A4) or `escpos` (thermal bytes for `printer`'s profile and width)."""
    from app.printing.pdf import write_pdf  # renderers load on first use (start-up time)
    from app.printing.thermal import render_escpos, thermal_profile
    from app.services.receipts import qt_app

    _keep = qt_app()  # fonts need a (offscreen) QGuiApplication; the CLI has none
    if fmt == "pdf":
        write_pdf([doc], out)
        return
    data = render_escpos([doc], thermal_profile(printer.profile, printer.paper_width_mm))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)


def parse_answer_args(values: list[str]) -> dict[str, str]:
    """`QID=OPTION` strings (the CLI's `--answer`) → a dict; raises `UserFacingError` on a malformed one."""
    answers: dict[str, str] = {}
    for value in values:
        qid, sep, option = value.partition("=")
        qid, option = qid.strip(), option.strip()
        if not sep or not qid or not option:
            raise UserFacingError(f"--answer 应写成 问题编号=选项（收到 {value[:40]}）", detail="malformed --answer")
        answers[qid] = option
    return answers


def print_guide_document(
    doc: ReceiptDocument,
    *,
    item_code: str,
    printer: PrinterConfig,
    pdf_dir: Path,
    to_pdf: bool = False,
    prefix: str = "guide",
) -> str:
    """Print the list on the configured printer (A4 system printer or thermal), or write a PDF (`to_pdf`, or a
    printer configured as PDF). Returns where it went (printer kind or PDF path); raises `UserFacingError` with a
    Chinese reason when it cannot print. One short page: done on the caller's thread."""
    from app.config import PrinterKind
    from app.printing.backends import ESCPOS_KINDS, PrintError, print_a4, send_escpos
    from app.printing.pdf import write_pdf
    from app.printing.thermal import render_escpos, thermal_profile

    try:
        if to_pdf or printer.kind is PrinterKind.PDF:
            stamp = doc.issued_at.strftime("%Y%m%dT%H%M%S")
            return str(write_pdf([doc], pdf_dir / f"{prefix}-{item_code}-{stamp}.pdf"))
        if printer.kind is PrinterKind.SYSTEM:
            return print_a4([doc], printer)
        if printer.kind in ESCPOS_KINDS:
            send_escpos(render_escpos([doc], thermal_profile(printer.profile, printer.paper_width_mm)), printer)
            return printer.kind.value
    except PrintError as exc:
        raise UserFacingError(exc.message_zh, detail=str(exc)) from None
    except OSError as exc:
        raise UserFacingError("无法写入打印文件，请检查磁盘空间和权限。", detail=type(exc).__name__) from None
    raise UserFacingError("未配置打印机，请联系管理员设置打印机，或先输出为PDF。", detail="no printer configured")


def qr_matrix(payload: str) -> list[list[bool]]:
    """The QR modules of `payload`, for a screen to draw."""
    from app.printing.qr import qr_matrix as matrix

    return matrix(payload)


def phone_url(guide: Guide | BundleGuide, platform_url: str) -> str:
    """Where a phone shows the same list (the QR): the item or bundle and the answers, never personal data."""
    from app.printing.guide_list import guide_url

    return guide_url(platform_url, guide.code, guide.answers)


def print_guide(guide: Guide | BundleGuide, *, config: Config, pdf_dir: Path, to_pdf: bool = False) -> str:
    """Build the 一次性告知单 of a complete guide (an item's or a 一件事's) for this hall and print it (see
    `print_guide_document`)."""
    from app.services.receipts import hall_context

    hall, now = hall_context(config), dt.datetime.now(dt.UTC)
    doc = guide_document(guide, hall=hall, now=now) if isinstance(guide, Guide) else guide.document(hall=hall, now=now)
    return print_guide_document(doc, item_code=guide.code, printer=config.printer, pdf_dir=pdf_dir, to_pdf=to_pdf)


# --- 一件事 bundles --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BundleGuide:
    """The guide of a 一件事: its questions (which members) and each member's, asked once; then the shared documents
    once and each member's own documents for the situation."""

    bundle: Bundle
    answers: Mapping[str, str]
    next_question: ScenarioQuestion | None
    #: (shared material, the chosen members' names it stands for).
    shared: tuple[tuple[SharedMaterial, tuple[str, ...]], ...]
    #: Per chosen member: its guide, and its materials not covered by a shared one.
    members: tuple[tuple[Guide, tuple[MaterialRequirement, ...]], ...]
    #: Questions asked for these answers (the bundle's, then each member's not asked before), in order.
    asked: tuple[ScenarioQuestion, ...] = ()

    @property
    def complete(self) -> bool:
        return self.next_question is None

    @property
    def code(self) -> str:
        return self.bundle.code

    @property
    def situation(self) -> tuple[tuple[str, str], ...]:
        """(question text, answer) for each asked question answered, in order."""
        return tuple((q.text, self.answers[q.id]) for q in self.asked if q.id in self.answers)

    def document(self, *, hall: HallContext, now: dt.datetime) -> ReceiptDocument:
        """The 一次性告知单 of the complete bundle guide (A4 or thermal through the receipt renderers)."""
        from app.printing.guide_list import build_bundle_guide_list

        return build_bundle_guide_list(
            self.bundle.name,
            self.bundle.code,
            situation=self.situation,
            shared=[(s.name, s.form, s.copies, names) for s, names in self.shared],
            members=[(g.item, own) for g, own in self.members],
            answers=self.answers,
            hall=hall,
            now=now,
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "bundle_code": self.bundle.code,
            "bundle_name": self.bundle.name,
            "complete": self.complete,
            "answers": dict(self.answers),
            "next_question": _question_json(self.next_question),
            "shared_materials": [
                {"code": s.code, "name": s.name, "form": s.form.value, "copies": s.copies, "for": list(names)}
                for s, names in self.shared
            ],
            "members": [
                {
                    "item_code": g.item.code,
                    "item_name": g.item.name,
                    "department": g.item.department,
                    "legal_days": g.item.legal_days,
                    "promised_days": g.item.promised_days,
                    "fee_fen": g.item.fee_fen,
                    "delivery_methods": [d.value for d in g.item.delivery_methods],
                    "materials": [{"code": m.code, "name": m.name, "form": m.form.value} for m in own],
                }
                for g, own in self.members
            ],
        }

    def as_lines(self) -> list[str]:
        lines = [f"{self.bundle.name}（{self.bundle.code}）"]
        if self.next_question is not None:
            q = self.next_question
            lines += ["", f"请回答：{q.text}", *(f"  {q.id}={option}" for option in q.options)]
            return lines
        lines += ["", "共享材料（只交一次）："]
        for s, names in self.shared:
            lines.append(f"  {s.name} {FORM_LABELS[s.form]} {s.copies} 份（用于：{'、'.join(names)}）")
        for guide, own in self.members:
            item = guide.item
            lines += [
                "",
                f"【{item.name}】{item.department}",
                f"  承诺时限：{guide.promised_text}；收费：{guide.fee_text}",
            ]
            lines += [f"  {m.name} {FORM_LABELS[m.form]} {m.copies} 份" for m in own] or ["  无其他材料"]
        return lines


def bundle_guide_for(
    bundle: Bundle, item_lookup: Callable[[str], ServiceItem | None], answers: Mapping[str, str]
) -> BundleGuide:
    """The guide of `bundle` for `answers` (bundle and member question ids → options). Raises `GuideAnswerError`
    for an id no question of the bundle or its members has, or an option the question does not offer."""
    questions = {q.id: q for q in bundle.questions}
    members = chosen_members(bundle, {k: v for k, v in answers.items() if k in questions})
    items = [item for m in members if (item := item_lookup(m.item_code)) is not None]
    for item in items:
        for q in item.questions:
            questions.setdefault(q.id, q)
    for qid, answer in answers.items():
        question = questions.get(qid)
        if question is None:
            raise GuideAnswerError(f"“{bundle.name}”没有情形问题 {qid[:32]}", question_id=qid)
        if answer not in question.options:
            raise GuideAnswerError(
                f"“{question.text}”的回答应为以下之一：{'、'.join(question.options)}（收到 {answer[:32]}）",
                question_id=qid,
            )
    pending = next_question(bundle, answers)
    guides = [guide_for(item, _member_answers(item, questions, answers)) for item in items]
    if pending is None:
        pending = next((g.next_question for g in guides if g.next_question is not None), None)
    chosen = {item.code: item.name for item in items}
    shared = tuple(
        (s, tuple(dict.fromkeys(chosen[code] for code, _ in s.covers if code in chosen)))
        for s in bundle.shared_materials
        if any(code in chosen for code, _ in s.covers)
    )
    covered = {pair for s, _names in shared for pair in s.covers}
    per_member = tuple((g, tuple(m for m in g.materials if (g.item.code, m.code) not in covered)) for g in guides)
    kept = dict(effective_answers(bundle, answers))
    asked = list(asked_questions(bundle, kept))
    for g in guides:
        for q in g.asked:
            if q.id in answers and all(q.id != other.id for other in asked):
                kept[q.id] = answers[q.id]  # as answered (a member with other wording gets its own option)
                asked.append(questions[q.id])
            elif all(q.id != other.id for other in asked):
                asked.append(questions[q.id])
    return BundleGuide(bundle, kept, pending, shared, per_member, tuple(asked))


def _member_answers(
    item: ServiceItem, asked: Mapping[str, ScenarioQuestion], answers: Mapping[str, str]
) -> dict[str, str]:
    """The answers one member's questions take. A question id the members share is asked once, in the first
    member's words; a member whose question words its options otherwise (本人办理/委托代理人 vs 本人办理/代办) takes
    the option in the same place."""
    out: dict[str, str] = {}
    for q in item.questions:
        answer = answers.get(q.id)
        if answer is None:
            continue
        if answer in q.options:
            out[q.id] = answer
            continue
        options = asked[q.id].options
        if answer in options and options.index(answer) < len(q.options):
            out[q.id] = q.options[options.index(answer)]
    return out


def _question_json(question: ScenarioQuestion | None) -> dict[str, Any] | None:
    """The next unanswered question as `tongban guide --json` prints it (None when the guide is complete)."""
    if question is None:
        return None
    return {"id": question.id, "text": question.text, "options": list(question.options)}
