"""The intake form as data: the draft the clerk fills in, its JSON shape, and the one set of checks.

The same checks run for the form (field by field as focus leaves, all at once on submit) and for scripted intake
(`tongban intake --json`), so a record refused in one is refused in the other with the same message. The JSON shape
of a draft is the documented scripted-intake shape (docs/intake.md). No Qt, no store.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from app.domain import hall_time
from app.domain.models import (
    Agent,
    Applicant,
    ApplicantKind,
    Attachment,
    DeliveryMethod,
    EnterpriseApplicant,
    MaterialRequirement,
    MaterialStatus,
    OriginalsHandling,
    PersonApplicant,
    ReceivedMaterial,
    ResultDelivery,
    ServiceItem,
)
from app.domain.scenarios import effective_answers, material_applies
from app.domain.validation import (
    Invalid,
    MailingAddress,
    Reason,
    Valid,
    ValidationResult,
    validate_address,
    validate_credit_code,
    validate_mailing_address,
    validate_person_name,
    validate_phone,
    validate_postcode,
    validate_resident_id,
)

E = TypeVar("E", MaterialStatus, OriginalsHandling, DeliveryMethod, ApplicantKind)

ORG_NAME_MAX = 100
REASON_MAX = 200
TRACKING_MAX = 40
NOTE_MAX = 100
MAX_COUNT = 99

#: Labels of the form's fields, keyed by path; error messages name the field with these.
LABELS: dict[str, str] = {
    "item_code": "办理事项",
    "applicant.name": "申请人姓名",
    "applicant.id_number": "申请人身份证号码",
    "applicant.phone": "申请人联系电话",
    "applicant.address": "申请人地址",
    "applicant.enterprise_name": "企业名称",
    "applicant.credit_code": "统一社会信用代码",
    "applicant.legal_representative": "法定代表人",
    "applicant.contact_name": "联系人",
    "applicant.contact_phone": "联系人电话",
    "agent.name": "代办人姓名",
    "agent.id_number": "代办人身份证号码",
    "agent.phone": "代办人联系电话",
    "routing.tracking_no": "原件邮寄单号",
    "delivery.method": "结果送达方式",
    "delivery.address": "邮寄地址",
    "delivery.postcode": "邮政编码",
    "delivery.recipient_phone": "收件人电话",
    "refusal_reason": "不予收件理由",
}


@dataclass
class ApplicantInput:
    kind: ApplicantKind = ApplicantKind.PERSON
    name: str = ""  # person's name, or the enterprise's name
    id_number: str = ""
    phone: str = ""
    address: str = ""
    credit_code: str = ""
    legal_representative: str = ""
    contact_name: str = ""
    contact_phone: str = ""


@dataclass
class AgentInput:
    name: str = ""
    id_number: str = ""
    phone: str = ""


@dataclass
class MaterialInput:
    code: str
    status: MaterialStatus = MaterialStatus.MISSING
    count: int = 0
    note: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    licence_no: str = ""  # with status E_LICENCE: the electronic licence that satisfies this material


@dataclass
class IntakeDraft:
    """What the clerk has entered so far (mutable; the form edits it and hands it back to the service)."""

    item_code: str
    draft_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    applicant: ApplicantInput = field(default_factory=ApplicantInput)
    agent: AgentInput | None = None
    answers: dict[str, str] = field(default_factory=dict)
    materials: list[MaterialInput] = field(default_factory=list)
    originals: OriginalsHandling = OriginalsHandling.ELECTRONIC_ONLY
    tracking_no: str = ""
    delivery_method: DeliveryMethod = DeliveryMethod.WINDOW_PICKUP
    delivery_address: str = ""
    delivery_postcode: str = ""
    delivery_phone: str = ""

    def material(self, code: str) -> MaterialInput | None:
        return next((m for m in self.materials if m.code == code), None)


@dataclass(frozen=True, slots=True)
class FieldError:
    path: str  # e.g. "applicant.id_number", "materials.M01"
    label: str  # the field's name in Chinese
    message: str  # the reason in Chinese


@dataclass(frozen=True, slots=True)
class CheckedDraft:
    """A draft that passed every check, as domain values (normalised)."""

    item: ServiceItem
    applicant: Applicant
    agent: Agent | None
    materials: tuple[ReceivedMaterial, ...]
    delivery: ResultDelivery
    originals: OriginalsHandling
    tracking_no: str

    @property
    def missing(self) -> tuple[ReceivedMaterial, ...]:
        return tuple(m for m in self.materials if m.status is MaterialStatus.MISSING)


# --- starting a draft ---------------------------------------------------------------------------------------


def agent_answer(item: ServiceItem, has_agent: bool) -> str | None:
    """The answer to the item's "本人办理还是代办?" question implied by whether an agent is entered."""
    question = next((q for q in item.questions if q.id == "agent"), None)
    if question is None or len(question.options) < 2:
        return None
    return question.options[1] if has_agent else question.options[0]


def applies(
    requirement: MaterialRequirement, answers: Mapping[str, str], item: ServiceItem | None = None
) -> bool | None:
    """True/False for a material that applies or not; None when the clerk decides (condition in words only).

    With `item`, answers to follow-up questions that are not asked (their earlier question was answered otherwise)
    do not count (`app.domain.scenarios`)."""
    return material_applies(requirement, effective_answers(item, answers) if item is not None else answers)


def new_draft(item: ServiceItem) -> IntakeDraft:
    draft = IntakeDraft(item_code=item.code, delivery_method=item.delivery_methods[0])
    if item.originals_required:
        draft.originals = OriginalsHandling.MAIL_ORIGINALS
    for q in item.questions:
        draft.answers[q.id] = q.options[0]
    draft.materials = [MaterialInput(code=m.code) for m in item.materials]
    refresh_applicability(draft, item)
    return draft


def refresh_applicability(draft: IntakeDraft, item: ServiceItem) -> None:
    """After an answer (or the agent) changed: conditional materials that no longer apply become 不适用, ones that
    now apply become 缺 until the clerk marks them."""
    implied = agent_answer(item, draft.agent is not None)
    if implied is not None:
        draft.answers["agent"] = implied
    for req in item.materials:
        m = draft.material(req.code)
        if m is None:
            m = MaterialInput(code=req.code)
            draft.materials.append(m)
        applicable = applies(req, draft.answers, item)
        if applicable is False:
            m.status, m.count = MaterialStatus.NOT_APPLICABLE, 0
        elif applicable is True and m.status is MaterialStatus.NOT_APPLICABLE:
            m.status = MaterialStatus.MISSING
        elif applicable is None and m.status is MaterialStatus.MISSING and not m.attachments and m.count == 0:
            m.status = MaterialStatus.NOT_APPLICABLE


# --- field checks -------------------------------------------------------------------------------------------


def _has_control(text: str) -> bool:
    return any(unicodedata.category(c) in {"Cc", "Cf", "Cs", "Co"} for c in text)


def _is_emoji(ch: str) -> bool:
    return unicodedata.category(ch) == "So" or 0x1F000 <= ord(ch) <= 0x1FAFF


def check_org_name(text: str) -> ValidationResult:
    """An enterprise name exactly as typed, only trimmed: registered names must match character for character,
    full-width （） included (issue 11)."""
    name = text.strip()
    if not name:
        return Invalid(Reason.EMPTY, "请输入企业名称", "enterprise name is empty")
    if len(name) > ORG_NAME_MAX:
        return Invalid(Reason.TOO_LONG, f"企业名称过长（最多{ORG_NAME_MAX}个字符）", "enterprise name too long")
    if _has_control(name) or "\n" in text:
        return Invalid(Reason.CONTROL_CHARS, "企业名称含有换行或不可见字符", "enterprise name has control chars")
    if any(_is_emoji(c) for c in name):
        return Invalid(Reason.BAD_CHARS, "企业名称中不能有表情符号", "enterprise name has emoji")
    return Valid(name)


def check_free_text(text: str, *, label: str, limit: int, required: bool, identifier: bool = False) -> ValidationResult:
    """Notes and reasons as typed (full-width ，。（） stay): trimmed, runs of whitespace made one space. An
    `identifier` (a tracking number) is NFKC-normalised first, so full-width letters and digits become ASCII."""
    value = " ".join((unicodedata.normalize("NFKC", text) if identifier else text).split())
    if not value:
        if required:
            return Invalid(Reason.EMPTY, f"请输入{label}", f"{label} empty")
        return Valid("")
    if len(value) > limit:
        return Invalid(Reason.TOO_LONG, f"{label}过长（最多{limit}个字符）", "text too long")
    if _has_control(value):
        return Invalid(Reason.CONTROL_CHARS, f"{label}含有不可见的控制字符", "text has control chars")
    return Valid(value)


def _optional(check: Callable[[str], ValidationResult]) -> Callable[[str], ValidationResult]:
    def run(value: str) -> ValidationResult:
        return Valid("") if not value.strip() else check(value)

    return run


_FIELD_CHECKS: dict[str, Callable[[str], ValidationResult]] = {
    "applicant.name": validate_person_name,
    "applicant.id_number": validate_resident_id,
    "applicant.phone": validate_phone,
    "applicant.address": _optional(validate_address),
    "applicant.enterprise_name": check_org_name,
    "applicant.credit_code": validate_credit_code,
    "applicant.legal_representative": validate_person_name,
    "applicant.contact_name": validate_person_name,
    "applicant.contact_phone": validate_phone,
    "agent.name": validate_person_name,
    "agent.id_number": validate_resident_id,
    "agent.phone": validate_phone,
    "delivery.address": validate_address,
    "delivery.postcode": _optional(validate_postcode),
    "delivery.recipient_phone": _optional(validate_phone),
    "routing.tracking_no": lambda v: check_free_text(
        v, label="原件邮寄单号", limit=TRACKING_MAX, required=False, identifier=True
    ),
    "refusal_reason": lambda v: check_free_text(v, label="不予收件理由", limit=REASON_MAX, required=True),
}


def check_field(path: str, value: str) -> str | None:
    """The inline check of one field as focus leaves it: None when fine, else the reason in Chinese."""
    check = _FIELD_CHECKS.get(path)
    if check is None:
        return None
    result = check(value)
    return result.message_zh if isinstance(result, Invalid) else None


def _run(path: str, value: str, errors: list[FieldError]) -> str:
    result = _FIELD_CHECKS[path](value)
    if isinstance(result, Invalid):
        errors.append(FieldError(path, LABELS[path], result.message_zh))
        return ""
    return result.value


# --- the whole draft ----------------------------------------------------------------------------------------


def check_draft(draft: IntakeDraft, item: ServiceItem | None) -> CheckedDraft | list[FieldError]:
    """Every check of the form, in form order; the errors list the fields to fix (first one gets focus)."""
    if item is None:
        return [FieldError("item_code", LABELS["item_code"], "事项编码不存在或已停用")]
    errors: list[FieldError] = []
    a = draft.applicant
    applicant: Applicant
    if a.kind is ApplicantKind.ENTERPRISE:
        applicant = EnterpriseApplicant(
            name=_run("applicant.enterprise_name", a.name, errors),
            credit_code=_run("applicant.credit_code", a.credit_code, errors),
            legal_representative=_run("applicant.legal_representative", a.legal_representative, errors),
            contact_name=_run("applicant.contact_name", a.contact_name, errors),
            contact_phone=_run("applicant.contact_phone", a.contact_phone, errors),
            address=_run("applicant.address", a.address, errors),
        )
        default_phone = applicant.contact_phone
    else:
        applicant = PersonApplicant(
            name=_run("applicant.name", a.name, errors),
            id_number=_run("applicant.id_number", a.id_number, errors),
            phone=_run("applicant.phone", a.phone, errors),
            address=_run("applicant.address", a.address, errors),
        )
        default_phone = applicant.phone
    agent = None
    if draft.agent is not None:
        agent = Agent(
            name=_run("agent.name", draft.agent.name, errors),
            id_number=_run("agent.id_number", draft.agent.id_number, errors),
            phone=_run("agent.phone", draft.agent.phone, errors),
        )
    materials = _check_materials(draft, item, errors)
    tracking = _run("routing.tracking_no", draft.tracking_no, errors)
    delivery = _check_delivery(draft, item, default_phone, errors)
    if errors:
        return errors
    return CheckedDraft(
        item=item,
        applicant=applicant,
        agent=agent,
        materials=materials,
        delivery=delivery,
        originals=draft.originals,
        tracking_no=tracking,
    )


def _check_materials(draft: IntakeDraft, item: ServiceItem, errors: list[FieldError]) -> tuple[ReceivedMaterial, ...]:
    out: list[ReceivedMaterial] = []
    answers = dict(draft.answers)
    implied = agent_answer(item, draft.agent is not None)
    if implied is not None:
        answers["agent"] = implied
    for req in item.materials:
        m = draft.material(req.code) or MaterialInput(code=req.code)
        path = f"materials.{req.code}"
        applicable = applies(req, answers, item)
        status = m.status
        if applicable is True and status is MaterialStatus.NOT_APPLICABLE:
            errors.append(FieldError(path, req.name, "该材料为必需材料，请选择收原件、收复印件或缺"))
            continue
        if applicable is False and status is not MaterialStatus.NOT_APPLICABLE:
            status = MaterialStatus.NOT_APPLICABLE  # the answer says it does not apply: nothing to record
        if status is MaterialStatus.E_LICENCE:
            problem = _licence_problem(req, m.licence_no)
            if problem:
                errors.append(FieldError(path, req.name, problem))
                continue
            # 电子证照已调取: no paper, no scan.
            out.append(ReceivedMaterial(req.code, req.name, status, 0, "", (), licence_no=m.licence_no.strip()))
            continue
        count = m.count
        if status in {MaterialStatus.ORIGINAL, MaterialStatus.COPY}:
            if not 1 <= count <= MAX_COUNT:
                errors.append(FieldError(path, req.name, f"份数应为1到{MAX_COUNT}"))
                continue
        else:
            count = 0
        note = check_free_text(m.note, label="说明", limit=NOTE_MAX, required=False)
        if isinstance(note, Invalid):
            errors.append(FieldError(path, req.name, note.message_zh))
            continue
        note_text = note.value or ("未提供" if status is MaterialStatus.MISSING else "")
        attachments = tuple(m.attachments) if status is not MaterialStatus.NOT_APPLICABLE else ()
        out.append(ReceivedMaterial(req.code, req.name, status, count, note_text, attachments))
    return tuple(out)


_LICENCE_NO_RE = re.compile(r"\A[0-9A-Za-z\-]{6,64}\Z")


def _licence_problem(req: MaterialRequirement, licence_no: str) -> str:
    """Why an `e_licence` status cannot stand for this material ('' when it can)."""
    if req.licence_type is None:
        return "该材料不能以电子证照代替，请收取纸质材料"
    if not _LICENCE_NO_RE.match(licence_no.strip()):
        return "电子证照编号应为6到64位字母、数字或连字符"
    return ""


def _check_delivery(
    draft: IntakeDraft, item: ServiceItem, default_phone: str, errors: list[FieldError]
) -> ResultDelivery:
    method = draft.delivery_method
    if method not in item.delivery_methods:
        errors.append(FieldError("delivery.method", LABELS["delivery.method"], "该事项不支持所选的送达方式"))
        return ResultDelivery(method)
    if method is not DeliveryMethod.MAIL:
        return ResultDelivery(method)
    before = len(errors)
    result = validate_mailing_address(draft.delivery_address, draft.delivery_postcode or None)
    if isinstance(result, Invalid):
        path = "delivery.postcode" if "邮政编码" in result.message_zh else "delivery.address"
        errors.append(FieldError(path, LABELS[path], result.message_zh))
    phone = _run("delivery.recipient_phone", draft.delivery_phone, errors) or default_phone
    if len(errors) > before or not isinstance(result, MailingAddress):
        return ResultDelivery(method)
    return ResultDelivery(method, address=result.address, postcode=result.postcode, recipient_phone=phone)


# --- JSON (autosave and scripted intake) ---------------------------------------------------------------------


class DraftFormatError(ValueError):
    """The JSON is not an intake record: `path` names the field, the message says why (Chinese)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


def draft_to_json(draft: IntakeDraft) -> dict[str, Any]:
    a = draft.applicant
    applicant: dict[str, Any] = {"kind": a.kind.value, "name": a.name, "address": a.address}
    if a.kind is ApplicantKind.ENTERPRISE:
        applicant.update(
            credit_code=a.credit_code,
            legal_representative=a.legal_representative,
            contact_name=a.contact_name,
            contact_phone=a.contact_phone,
        )
    else:
        applicant.update(id_number=a.id_number, phone=a.phone)
    return {
        "draft_id": draft.draft_id,
        "item_code": draft.item_code,
        "applicant": applicant,
        "agent": None if draft.agent is None else vars(draft.agent).copy(),
        "answers": dict(draft.answers),
        "materials": [
            {
                "code": m.code,
                "status": m.status.value,
                "count": m.count,
                "note": m.note,
                "licence_no": m.licence_no,
                "attachments": [
                    {"sha256": x.sha256, "filename": x.filename, "media_type": x.media_type, "size": x.size}
                    for x in m.attachments
                ],
            }
            for m in draft.materials
        ],
        "originals": draft.originals.value,
        "tracking_no": draft.tracking_no,
        "delivery": {
            "method": draft.delivery_method.value,
            "address": draft.delivery_address,
            "postcode": draft.delivery_postcode,
            "recipient_phone": draft.delivery_phone,
        },
    }


def _str(obj: Mapping[str, Any], key: str, path: str) -> str:
    value = obj.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise DraftFormatError(path, f"{path} 应为文本")
    return value


def _obj(value: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise DraftFormatError(path, f"{path} 应为对象")
    return value


def _enum(kind: type[E], value: Any, path: str, default: E) -> E:
    if value in (None, ""):
        return default
    try:
        return kind(value)
    except ValueError:
        allowed = "、".join(v.value for v in kind)
        raise DraftFormatError(path, f"{path} 的值无效（可选：{allowed}）") from None


def draft_from_json(data: Any, *, attachment: Callable[[Any, str], Attachment] | None = None) -> IntakeDraft:
    """Parse the documented shape. `attachment(value, path)` turns an attachment entry into a stored Attachment
    (scripted intake stores files given by path); without it, entries must be stored references (autosave)."""
    obj = _obj(data, "record")
    item_code = _str(obj, "item_code", "item_code").strip()
    if not item_code:
        raise DraftFormatError("item_code", "缺少 item_code（事项编码）")
    a = _obj(obj.get("applicant", {}), "applicant")
    kind = _enum(ApplicantKind, a.get("kind"), "applicant.kind", ApplicantKind.PERSON)
    applicant = ApplicantInput(
        kind=kind,
        name=_str(a, "name", "applicant.name"),
        id_number=_str(a, "id_number", "applicant.id_number"),
        phone=_str(a, "phone", "applicant.phone"),
        address=_str(a, "address", "applicant.address"),
        credit_code=_str(a, "credit_code", "applicant.credit_code"),
        legal_representative=_str(a, "legal_representative", "applicant.legal_representative"),
        contact_name=_str(a, "contact_name", "applicant.contact_name"),
        contact_phone=_str(a, "contact_phone", "applicant.contact_phone"),
    )
    agent = None
    if obj.get("agent") is not None:
        g = _obj(obj["agent"], "agent")
        agent = AgentInput(
            name=_str(g, "name", "agent.name"),
            id_number=_str(g, "id_number", "agent.id_number"),
            phone=_str(g, "phone", "agent.phone"),
        )
    answers_obj = _obj(obj.get("answers", {}) or {}, "answers")
    answers = {str(k): _str(answers_obj, k, f"answers.{k}") for k in answers_obj}
    materials: list[MaterialInput] = []
    raw_materials = obj.get("materials", []) or []
    if not isinstance(raw_materials, list):
        raise DraftFormatError("materials", "materials 应为列表")
    for i, raw in enumerate(raw_materials):
        m = _obj(raw, f"materials[{i}]")
        code = _str(m, "code", f"materials[{i}].code")
        count = m.get("count", 0)
        if not isinstance(count, int) or isinstance(count, bool):
            raise DraftFormatError(f"materials.{code}", f"materials.{code}.count 应为整数")
        atts_raw = m.get("attachments", []) or []
        if not isinstance(atts_raw, list):
            raise DraftFormatError(f"materials.{code}", f"materials.{code}.attachments 应为列表")
        atts = [
            attachment(x, f"materials.{code}") if attachment else _stored_attachment(x, f"materials.{code}")
            for x in atts_raw
        ]
        status = _enum(MaterialStatus, m.get("status"), f"materials.{code}.status", MaterialStatus.MISSING)
        licence_no = _str(m, "licence_no", f"materials.{code}.licence_no")
        if status is MaterialStatus.E_LICENCE and not licence_no:
            raise DraftFormatError(
                f"materials.{code}.licence_no", f"materials.{code}.licence_no 缺失：电子证照须写明证照编号"
            )
        note = _str(m, "note", f"materials.{code}.note")
        materials.append(MaterialInput(code, status, count, note, atts, licence_no=licence_no))
    d = _obj(obj.get("delivery", {}) or {}, "delivery")
    draft = IntakeDraft(
        item_code=item_code,
        applicant=applicant,
        agent=agent,
        answers=answers,
        materials=materials,
        originals=_enum(OriginalsHandling, obj.get("originals"), "originals", OriginalsHandling.ELECTRONIC_ONLY),
        tracking_no=_str(obj, "tracking_no", "tracking_no"),
        delivery_method=_enum(DeliveryMethod, d.get("method"), "delivery.method", DeliveryMethod.WINDOW_PICKUP),
        delivery_address=_str(d, "address", "delivery.address"),
        delivery_postcode=_str(d, "postcode", "delivery.postcode"),
        delivery_phone=_str(d, "recipient_phone", "delivery.recipient_phone"),
    )
    draft_id = obj.get("draft_id")
    if isinstance(draft_id, str) and draft_id:
        draft.draft_id = draft_id
    return draft


def _stored_attachment(value: Any, path: str) -> Attachment:
    x = _obj(value, path)
    size = x.get("size")
    if not isinstance(size, int):
        raise DraftFormatError(path, "附件记录无效")
    return Attachment(
        sha256=_str(x, "sha256", path),
        filename=_str(x, "filename", path),
        media_type=_str(x, "media_type", path),
        size=size,
    )


def _shown(value: str, limit: int) -> str:
    """A value from a file quoted back in a message: printable characters only, at most `limit`."""
    text = "".join(c for c in value[: limit * 4] if c.isprintable())
    return text[:limit] + "…" if len(text) > limit else text


def merge_with_item(draft: IntakeDraft, item: ServiceItem) -> None:
    """A scripted record may list only some materials: add the rest (as the form would start them) in item order."""
    given = {m.code: m for m in draft.materials}
    unknown = [code for code in given if all(req.code != code for req in item.materials)]
    if unknown:
        raise DraftFormatError(f"materials.{unknown[0]}", f"事项没有材料 {unknown[0]}")
    questions = {q.id: q for q in item.questions}
    for qid, answer in draft.answers.items():
        question = questions.get(qid)
        path = f"answers.{_shown(qid, 32)}"
        if question is None:
            known = "、".join(questions) or "无"
            raise DraftFormatError(path, f"事项没有情形问题 {_shown(qid, 32)}（该事项的问题：{known}）")
        if answer not in question.options:
            raise DraftFormatError(
                path, f"“{question.text}”的回答应为以下之一：{'、'.join(question.options)}（收到 {_shown(answer, 32)}）"
            )
    for q in item.questions:
        draft.answers.setdefault(q.id, q.options[0])
    draft.materials = [
        given.get(req.code)
        or MaterialInput(
            code=req.code,
            status=MaterialStatus.MISSING if applies(req, draft.answers, item) else MaterialStatus.NOT_APPLICABLE,
        )
        for req in item.materials
    ]


def today_local(moment: dt.datetime) -> dt.date:
    """The hall's calendar day at `moment` (its configured time zone, not the PC's)."""
    return hall_time.today(moment)
