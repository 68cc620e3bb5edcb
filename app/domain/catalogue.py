"""Parse and validate a service-item catalogue (JSON) into the dataclasses of `models`.

The platform owns the catalogue; the terminal ships a seed copy and swaps in newer ones. Anything that arrives here
may be hostile or broken, so parsing is strict (unknown keys, wrong types, unsafe text are errors) and every error
names the item (position and code) and the field, in Chinese for the screen and English for the log.

File format (`schema_version` 1)::

    {"schema_version": 1, "version": "2026.11.20", "published": "2026-11-20", "division": "210800", "sample"?,
     "items": [{"code", "name", "category", "department", "jurisdiction", "kind", "immediate", "promised_days",
                "legal_days", "fee_fen", "fee_note", "materials": [...],
                "questions": [{"id", "text", "options", "condition"?}],
                "delivery_methods": [...], "citywide", "kiosk_allowed", "originals_required", "guide",
                "supplement_days"?, "supplement_after"?, "legal_basis"?}]}
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from app.domain.models import (
    Bundle,
    BundleMember,
    Condition,
    MaterialRequirement,
    ScenarioQuestion,
    ServiceItem,
    SharedMaterial,
)

if TYPE_CHECKING:  # the pydantic schema is imported only to validate a file (not to read a cached one)
    from app.domain.catalogue_schema import _BundleIn, _ConditionIn, _ItemIn, _MaterialIn, _QuestionIn

#: The catalogue file format this code reads.
SUPPORTED_SCHEMA_VERSION = 1
#: Larger files are refused before they are parsed.
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ITEMS = 10_000

#: The categories the pilot city uses, in the order screens list them; a catalogue may add others.
KNOWN_CATEGORIES: tuple[str, ...] = ("社保", "医保", "公积金", "不动产", "户籍", "市场主体登记", "民政", "交通")


#: `CatalogueError.code` for the rules about 情形 questions and 一件事 bundles.
RULE_CODES: tuple[str, ...] = (
    "unknown_question",
    "unknown_option",
    "unreachable_question",
    "unused_question",
    "unknown_item",
    "unknown_material",
    "duplicate_code",
)


class CatalogueError(ValueError):
    """A catalogue that cannot be used. `message_zh` is for the screen, `str(error)` (English) for the log."""

    def __init__(
        self,
        message_zh: str,
        message_en: str,
        *,
        item: str | None = None,
        field: str | None = None,
        code: str | None = None,
    ):
        super().__init__(message_en)
        #: For the 情形/bundle rules, which rule failed: one of `RULE_CODES` (None for format errors).
        self.code = code
        self.message_zh = message_zh
        self.message_en = message_en
        #: Which item: "#3 (210800200101000)" (1-based position and code) or None for a file-level error.
        self.item = item
        #: Dotted field path, e.g. "materials[1].form"; None for a file-level error.
        self.field = field


@dataclass(frozen=True, slots=True)
class Catalogue:
    """One validated catalogue: its header and items, with a lookup by code."""

    schema_version: int
    version: str
    published: dt.date
    division: str
    items: tuple[ServiceItem, ...]
    #: The catalogue is sample data (the shipped seed), not the platform's published list.
    sample: bool = False
    #: 一件事一次办 bundles of the catalogue's items.
    bundles: tuple[Bundle, ...] = ()
    _by_code: Mapping[str, ServiceItem] = field(init=False, repr=False, compare=False)
    _bundles_by_code: Mapping[str, Bundle] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_code", {item.code: item for item in self.items})
        object.__setattr__(self, "_bundles_by_code", {b.code: b for b in self.bundles})

    def get(self, code: str) -> ServiceItem | None:
        return self._by_code.get(code)

    def bundle(self, code: str) -> Bundle | None:
        return self._bundles_by_code.get(code)

    @property
    def categories(self) -> tuple[str, ...]:
        """Categories present: the known ones in their usual order, then any others by first appearance."""
        present = dict.fromkeys(item.category for item in self.items)
        known = [c for c in KNOWN_CATEGORIES if c in present]
        return (*known, *(c for c in present if c not in KNOWN_CATEGORIES))


# --- text safety -------------------------------------------------------------------------------------------

_EMOJI_RANGES: tuple[tuple[int, int], ...] = (
    (0x1F000, 0x1FAFF),  # mahjong .. symbols and pictographs extended-A (includes flags)
    (0x2600, 0x27BF),  # miscellaneous symbols, dingbats
    (0x2B00, 0x2BFF),  # arrows and stars used as emoji (⭐)
    (0xFE00, 0xFE0F),  # variation selectors
    (0x20E3, 0x20E3),  # combining keycap
    (0xE0000, 0xE007F),  # tags
)
_BAD_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
#: Any emoji: with `str.isprintable()` (false for every category above) the common all-clean text is checked in
#: C; the per-character loop only runs to name the offending character.
_EMOJI_RE = re.compile("[" + "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in _EMOJI_RANGES) + "]")


def _is_emoji(cp: int) -> bool:
    return any(lo <= cp <= hi for lo, hi in _EMOJI_RANGES)


#: The same names as `app.domain.models.LICENCE_TYPES` (a test keeps the two equal).
_LicenceType = Literal["居民身份证", "居民户口簿", "结婚证", "不动产权证书", "营业执照", "出生医学证明"]


# --- error messages ----------------------------------------------------------------------------------------

_FIELD_ZH: dict[str, str] = {
    "schema_version": "格式版本",
    "version": "目录版本",
    "published": "发布日期",
    "division": "行政区划代码",
    "items": "事项列表",
    "name": "名称",
    "category": "事项类别",
    "department": "实施部门",
    "jurisdiction": "管辖区划代码",
    "kind": "事项类型",
    "immediate": "即办件",
    "promised_days": "承诺时限",
    "legal_days": "法定时限",
    "fee_fen": "收费金额",
    "fee_note": "收费说明",
    "materials": "申请材料",
    "form": "材料形式",
    "copies": "份数",
    "required": "是否必需",
    "condition_text": "适用情形说明",
    "condition": "适用情形",
    "licence_type": "可替代的电子证照",
    "question_id": "情形问题编号",
    "answers": "情形答案",
    "questions": "情形问题",
    "id": "问题编号",
    "text": "问题内容",
    "options": "选项",
    "delivery_methods": "送达方式",
    "citywide": "全市通办",
    "kiosk_allowed": "自助终端可办",
    "originals_required": "需寄送原件",
    "guide": "办事指南",
    "supplement_days": "补齐期限",
    "supplement_after": "逾期处理",
    "legal_basis": "告知依据",
    "members": "成员事项",
    "item_code": "事项编码",
    "shared_materials": "共享材料",
    "covers": "覆盖材料",
    "material_code": "材料编码",
    "bundles": "一件事列表",
}

_LIST_ZH: dict[str, str] = {
    "materials": "申请材料",
    "questions": "情形问题",
    "options": "选项",
    "members": "成员事项",
    "shared_materials": "共享材料",
    "covers": "覆盖材料",
    "bundles": "一件事",
}

_TYPE_ZH: dict[str, str] = {
    "missing": "缺少此字段",
    "extra_forbidden": "是不认识的字段",
    "string_type": "应为文本",
    "int_type": "应为整数",
    "bool_type": "应为 true 或 false",
    "list_type": "应为列表",
    "model_type": "应为对象",
    "dict_type": "应为对象",
    "enum": "取值不在允许范围内",
    "greater_than_equal": "数值过小",
    "less_than_equal": "数值过大",
    "too_short": "条目过少",
    "too_long": "条目过多",
    "text_too_long": "文本过长",
    "text_empty": "不能为空",
    "text_padded": "首尾不能有空格",
    "text_emoji": "不能含表情符号",
    "text_control": "不能含控制字符或不可见字符",
    "bad_format": "格式不正确",
}


def _safe_fragment(value: object, limit: int = 40) -> str:
    """A short printable form of a value taken from an untrusted file, for an error message."""
    text = str(value)[:limit]
    return "".join(ch if ch.isprintable() and not _is_emoji(ord(ch)) else "?" for ch in text)


def _item_ref(raw_items: object, index: int) -> tuple[str, str]:
    """(zh, en) naming item `index` by 1-based position and, when readable, its code."""
    code = None
    if isinstance(raw_items, list) and 0 <= index < len(raw_items) and isinstance(raw_items[index], dict):
        raw_code = raw_items[index].get("code")
        if isinstance(raw_code, str) and raw_code:
            code = _safe_fragment(raw_code)
    if code is None:
        return f"第{index + 1}项", f"#{index + 1}"
    return f"第{index + 1}项（编码 {code}）", f"#{index + 1} ({code})"


def _field_names(loc: Sequence[int | str]) -> tuple[str, str]:
    """(zh, en) for a location inside an item or the header, e.g. ("申请材料第2项 › 材料形式", "materials[1].form")."""
    zh_parts: list[str] = []
    en = ""
    parent = ""
    for part in loc:
        if isinstance(part, int):
            en += f"[{part}]"
            zh_parts[-1:] = [f"{_LIST_ZH.get(parent, zh_parts[-1] if zh_parts else '')}第{part + 1}项"]
        else:
            en += f".{part}" if en else part
            if part == "code":
                label = "材料编码" if parent == "materials" else "编码"
            elif part == "name":
                label = "材料名称" if parent == "materials" else "名称"
            else:
                label = _FIELD_ZH.get(part, _safe_fragment(part, 30))
            zh_parts.append(label)
            parent = part
    return " › ".join(p for p in zh_parts if p), en


def _error(
    reason_zh: str,
    reason_en: str,
    *,
    raw_items: object = None,
    index: int | None = None,
    loc: Sequence[Any] = (),
    code: str | None = None,
) -> CatalogueError:
    field_zh, field_en = _field_names(loc) if loc else ("", "")
    if index is not None:
        item_zh, item_en = _item_ref(raw_items, index)
        where_zh = f"{item_zh}的「{field_zh}」" if field_zh else item_zh
        where_en = f"item {item_en} field {field_en}" if field_en else f"item {item_en}"
        return CatalogueError(
            f"事项目录无效：{where_zh}{reason_zh}",
            f"invalid catalogue: {where_en}: {reason_en}",
            item=item_en,
            field=field_en or None,
            code=code,
        )
    if field_zh:
        return CatalogueError(
            f"事项目录无效：「{field_zh}」{reason_zh}",
            f"invalid catalogue: field {field_en}: {reason_en}",
            field=field_en,
            code=code,
        )
    return CatalogueError(f"事项目录无效：{reason_zh}", f"invalid catalogue: {reason_en}", code=code)


# --- parsing -----------------------------------------------------------------------------------------------


def _reject_constant(name: str) -> None:
    raise ValueError(f"non-standard JSON constant {name}")


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {_safe_fragment(key)!r}")
        result[key] = value
    return result


def _decode_json(data: bytes) -> object:
    if len(data) > MAX_FILE_BYTES:
        raise CatalogueError(
            f"事项目录文件过大（{len(data) // (1024 * 1024)} MB，上限 {MAX_FILE_BYTES // (1024 * 1024)} MB）",
            f"catalogue file too large: {len(data)} bytes (limit {MAX_FILE_BYTES})",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CatalogueError("事项目录文件不是 UTF-8 编码", f"catalogue file is not UTF-8 (byte {exc.start})") from None
    try:
        return json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_no_duplicate_keys)
    except RecursionError:
        raise CatalogueError("事项目录文件嵌套层级过深", "catalogue JSON nested too deeply") from None
    except json.JSONDecodeError as exc:
        raise CatalogueError(
            f"事项目录文件不是有效的 JSON（第{exc.lineno}行第{exc.colno}列）",
            f"catalogue is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
        ) from None
    except ValueError as exc:  # duplicate keys, NaN/Infinity, integers with too many digits
        raise CatalogueError(
            "事项目录文件含有重复的键、非法数值或超长数字", f"catalogue JSON rejected: {_safe_fragment(exc, 120)}"
        ) from None


def parse_catalogue(data: bytes) -> Catalogue:
    """Validate catalogue bytes and build the domain objects. Raises `CatalogueError` on any problem."""
    raw = _decode_json(data)
    if not isinstance(raw, dict):
        raise CatalogueError("事项目录文件的顶层应为对象", "catalogue top level must be a JSON object")
    schema = raw.get("schema_version")
    if isinstance(schema, int) and not isinstance(schema, bool) and schema != SUPPORTED_SCHEMA_VERSION:
        raise CatalogueError(
            f"事项目录格式版本 {schema} 不受支持（本程序支持 {SUPPORTED_SCHEMA_VERSION}），请升级程序",
            f"catalogue schema_version {schema} not supported (this build reads {SUPPORTED_SCHEMA_VERSION})",
            field="schema_version",
        )
    from app.domain.catalogue_schema import validate_raw  # pydantic (~20 MB): only when a file is validated

    try:
        parsed = validate_raw(raw)
    except RecursionError:
        raise CatalogueError("事项目录文件嵌套层级过深", "catalogue JSON nested too deeply") from None
    try:
        published = dt.date.fromisoformat(parsed.published)
    except ValueError:
        raise _error("不是有效日期", "not a valid date", loc=["published"]) from None
    raw_items = raw["items"]
    _check_items(parsed.items, raw_items)
    _check_bundles(parsed.bundles, {item.code: item for item in parsed.items})
    return Catalogue(
        schema_version=parsed.schema_version,
        version=parsed.version,
        published=published,
        division=parsed.division,
        items=tuple(_to_item(item) for item in parsed.items),
        sample=parsed.sample,
        bundles=tuple(_to_bundle(b) for b in parsed.bundles),
    )


def load_catalogue_file(path: Path) -> Catalogue:
    """Read and validate a catalogue file, refusing oversized files before reading them."""
    return parse_catalogue(read_catalogue_bytes(path))


def read_catalogue_bytes(path: Path) -> bytes:
    """A catalogue file's bytes, refusing an oversized file before reading it. Raises `CatalogueError`."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise CatalogueError(
                f"事项目录文件过大（{size // (1024 * 1024)} MB，上限 {MAX_FILE_BYTES // (1024 * 1024)} MB）",
                f"catalogue file too large: {size} bytes (limit {MAX_FILE_BYTES})",
            )
        return path.read_bytes()
    except OSError as exc:
        raise CatalogueError(
            "无法读取事项目录文件", f"cannot read catalogue file {path.name}: {exc.strerror or exc}"
        ) from None


def _check_items(items: Sequence[_ItemIn], raw_items: object) -> None:
    """Rules across fields and items that the per-field schema cannot express."""
    seen_codes: dict[str, int] = {}
    for index, item in enumerate(items):

        def fail(zh: str, en: str, *loc: int | str, _index: int = index, code: str | None = None) -> CatalogueError:
            return _error(zh, en, raw_items=raw_items, index=_index, loc=list(loc), code=code)

        if item.code in seen_codes:
            first = seen_codes[item.code] + 1
            raise fail(f"与第{first}项重复", f"duplicate item code (same as item #{first})", "code")
        seen_codes[item.code] = index
        if item.immediate and item.promised_days != 0:
            raise fail("应为 0（即办件）", "an immediate item must have promised_days 0", "promised_days")
        if not item.immediate and item.promised_days == 0:
            raise fail("至少为 1 个工作日（承诺件）", "a promised item needs promised_days >= 1", "promised_days")
        if item.promised_days > item.legal_days:
            raise fail(
                f"（{item.promised_days} 个工作日）超过法定时限（{item.legal_days} 个工作日）",
                f"promised_days {item.promised_days} exceeds legal_days {item.legal_days}",
                "promised_days",
            )
        _check_supplement(item, fail)
        if len(set(item.delivery_methods)) != len(item.delivery_methods):
            raise fail("有重复项", "duplicate delivery method", "delivery_methods")
        questions: dict[str, _QuestionIn] = {}
        for q_index, question in enumerate(item.questions):
            if question.id in questions:
                raise fail("与本事项其他问题重复", "duplicate question id", "questions", q_index, "id")
            if len(set(question.options)) != len(question.options):
                raise fail("有重复项", "duplicate option", "questions", q_index, "options")
            if question.condition is not None:
                # Only earlier questions count: the guide asks in order, so a follow-up of a later question (or
                # of itself) could never be reached.
                _check_condition(
                    question.condition,
                    questions,
                    lambda zh, en, *loc, i=q_index, **kw: fail(zh, en, "questions", i, *loc, **kw),
                    follow_up_of=question.id if question.condition.question_id not in questions else None,
                    all_ids={q.id for q in item.questions},
                )
            questions[question.id] = question
        material_codes: set[str] = set()
        for m_index, material in enumerate(item.materials):
            if material.code in material_codes:
                raise fail("与本事项其他材料重复", "duplicate material code", "materials", m_index, "code")
            material_codes.add(material.code)
            _check_material(
                material, questions, lambda zh, en, *loc, i=m_index, **kw: fail(zh, en, "materials", i, *loc, **kw)
            )
        _check_questions_used(item, fail)


def _check_supplement(item: _ItemIn, fail: Callable[..., CatalogueError]) -> None:
    """A deadline for missing materials says what happens after it; a consequence needs its deadline."""
    if item.supplement_days is not None and not item.supplement_after:
        raise fail(
            "缺少此字段（设置了补齐期限，须写明逾期处理）", "supplement_days needs supplement_after", "supplement_after"
        )
    if item.supplement_after and item.supplement_days is None:
        raise fail("须与补齐期限一起设置", "supplement_after needs supplement_days", "supplement_after")


def _check_material(
    material: _MaterialIn, questions: Mapping[str, _QuestionIn], fail: Callable[..., CatalogueError]
) -> None:
    if material.required and (material.condition is not None or material.condition_text is not None):
        raise fail("必需材料不应设置适用情形", "a required material cannot carry a condition", "required")
    if not material.required and material.condition_text is None:
        raise fail(
            "缺少此字段（非必需材料须写明适用情形）",
            "a conditional material needs condition_text",
            "condition_text",
        )
    if material.condition is not None:
        _check_condition(material.condition, questions, fail)


def _check_condition(
    condition: _ConditionIn,
    questions: Mapping[str, _QuestionIn],
    fail: Callable[..., CatalogueError],
    *,
    follow_up_of: str | None = None,
    all_ids: frozenset[str] | set[str] = frozenset(),
) -> None:
    """A condition names a question already known (`questions`) and only its options."""
    question = questions.get(condition.question_id)
    if question is None:
        if follow_up_of is not None and condition.question_id in all_ids:
            raise fail(
                f"依赖的情形问题「{condition.question_id}」排在它之后或就是它本身，按顺序询问时永远问不到",
                f"question {follow_up_of!r} depends on {condition.question_id!r} which is not asked before it:"
                " unreachable",
                "condition",
                "question_id",
                code="unreachable_question",
            )
        raise fail(
            f"引用了不存在的情形问题「{condition.question_id}」",
            f"refers to unknown question {condition.question_id!r}",
            "condition",
            "question_id",
            code="unknown_question",
        )
    for a_index, answer in enumerate(condition.answers):
        if answer not in question.options:
            raise fail(
                f"取值「{answer}」不是问题「{question.text}」的选项",
                f"answer {a_index} is not an option of question {question.id!r}",
                "condition",
                "answers",
                a_index,
                code="unknown_option",
            )
    if len(set(condition.answers)) != len(condition.answers):
        raise fail("有重复项", "duplicate answer in condition", "condition", "answers", code="unknown_option")


def _check_questions_used(item: _ItemIn, fail: Callable[..., CatalogueError]) -> None:
    """Every question decides something: a material, or a follow-up question. Otherwise the guide asks in vain."""
    used = {m.condition.question_id for m in item.materials if m.condition is not None}
    used |= {q.condition.question_id for q in item.questions if q.condition is not None}
    for q_index, question in enumerate(item.questions):
        if question.id not in used:
            raise fail(
                "不决定任何材料或后续问题（问了也没有用）",
                f"question {question.id!r} decides no material and no follow-up question",
                "questions",
                q_index,
                "id",
                code="unused_question",
            )


def _check_bundles(bundles: Sequence[_BundleIn], items: Mapping[str, _ItemIn]) -> None:
    """Members are items of this catalogue (each once); member conditions and follow-ups name the bundle's own
    earlier questions and their options; every question chooses something; a shared material covers materials that
    exist in member items, each covered material at most once."""
    seen: dict[str, int] = {}
    for index, bundle in enumerate(bundles):

        def fail(
            zh: str, en: str, *loc: int | str, _index: int = index, _code: str = bundle.code, code: str | None = None
        ) -> CatalogueError:
            field_zh, field_en = _field_names(list(loc)) if loc else ("", "")
            where_zh = f"一件事第{_index + 1}项（编码 {_code}）" + (f"的「{field_zh}」" if field_zh else "")
            field_path = f"bundles[{_index}]" + (f".{field_en}" if field_en else "")
            return CatalogueError(
                f"事项目录无效：{where_zh}{zh}",
                f"invalid catalogue: bundle #{_index + 1} ({_code}) field {field_path}: {en}",
                item=f"bundle #{_index + 1} ({_code})",
                field=field_path,
                code=code,
            )

        if bundle.code in seen or bundle.code in items:
            raise fail("与其他一件事或事项的编码重复", "duplicate code", "code", code="duplicate_code")
        seen[bundle.code] = index
        questions: dict[str, _QuestionIn] = {}
        for q_index, question in enumerate(bundle.questions):
            if question.id in questions:
                raise fail("与本一件事其他问题重复", "duplicate question id", "questions", q_index, "id")
            if question.condition is not None:
                _check_condition(
                    question.condition,
                    questions,
                    lambda zh, en, *loc, i=q_index, **kw: fail(zh, en, "questions", i, *loc, **kw),
                    follow_up_of=question.id if question.condition.question_id not in questions else None,
                    all_ids={q.id for q in bundle.questions},
                )
            questions[question.id] = question
        member_codes: set[str] = set()
        for m_index, member in enumerate(bundle.members):
            if member.item_code not in items:
                raise fail(
                    f"引用了目录中没有的事项「{member.item_code}」",
                    f"member {member.item_code!r} is not an item of the catalogue",
                    "members",
                    m_index,
                    "item_code",
                    code="unknown_item",
                )
            if member.item_code in member_codes:
                raise fail("有重复项", "duplicate member", "members", m_index, "item_code", code="duplicate_code")
            member_codes.add(member.item_code)
            if member.condition is not None:
                _check_condition(
                    member.condition,
                    questions,
                    lambda zh, en, *loc, i=m_index, **kw: fail(zh, en, "members", i, *loc, **kw),
                )
        _check_shared(bundle, member_codes, items, fail)
        _check_bundle_questions_used(bundle, fail)


def _check_bundle_questions_used(bundle: _BundleIn, fail: Callable[..., CatalogueError]) -> None:
    used = {m.condition.question_id for m in bundle.members if m.condition is not None}
    used |= {q.condition.question_id for q in bundle.questions if q.condition is not None}
    for q_index, question in enumerate(bundle.questions):
        if question.id not in used:
            raise fail(
                "不决定任何成员事项或后续问题（问了也没有用）",
                f"question {question.id!r} chooses no member and no follow-up question",
                "questions",
                q_index,
                "id",
                code="unused_question",
            )


def _check_shared(
    bundle: _BundleIn, member_codes: set[str], items: Mapping[str, _ItemIn], fail: Callable[..., CatalogueError]
) -> None:
    covered: set[tuple[str, str]] = set()
    shared_codes: set[str] = set()
    for s_index, shared in enumerate(bundle.shared_materials):
        if shared.code in shared_codes:
            raise fail("有重复项", "duplicate shared material code", "shared_materials", s_index, "code")
        shared_codes.add(shared.code)
        for c_index, cover in enumerate(shared.covers):
            loc = ("shared_materials", s_index, "covers", c_index)
            if cover.item_code not in member_codes:
                raise fail(
                    f"引用的事项「{cover.item_code}」不是本一件事的成员",
                    f"covers {cover.item_code!r}, not a member",
                    *loc,
                    "item_code",
                    code="unknown_item",
                )
            if all(m.code != cover.material_code for m in items[cover.item_code].materials):
                raise fail(
                    f"事项「{cover.item_code}」没有材料「{cover.material_code}」",
                    f"item {cover.item_code!r} has no material {cover.material_code!r}",
                    *loc,
                    "material_code",
                    code="unknown_material",
                )
            pair = (cover.item_code, cover.material_code)
            if pair in covered:
                raise fail(
                    "该材料已由本一件事的另一共享材料覆盖",
                    "material covered twice",
                    *loc,
                    "material_code",
                    code="duplicate_code",
                )
            covered.add(pair)


def _to_condition(condition: _ConditionIn | None) -> Condition | None:
    if condition is None:
        return None
    return Condition(question_id=condition.question_id, answers=tuple(condition.answers))


def _to_bundle(bundle: _BundleIn) -> Bundle:
    return Bundle(
        code=bundle.code,
        name=bundle.name,
        members=tuple(BundleMember(m.item_code, _to_condition(m.condition)) for m in bundle.members),
        questions=tuple(
            ScenarioQuestion(q.id, q.text, tuple(q.options), _to_condition(q.condition)) for q in bundle.questions
        ),
        shared_materials=tuple(
            SharedMaterial(
                code=m.code,
                name=m.name,
                form=m.form,
                covers=tuple((c.item_code, c.material_code) for c in m.covers),
                copies=m.copies,
            )
            for m in bundle.shared_materials
        ),
        guide=bundle.guide,
    )


def _to_item(item: _ItemIn) -> ServiceItem:
    return ServiceItem(
        code=item.code,
        name=item.name,
        category=item.category,
        department=item.department,
        jurisdiction=item.jurisdiction,
        kind=item.kind,
        immediate=item.immediate,
        promised_days=item.promised_days,
        legal_days=item.legal_days,
        fee_fen=item.fee_fen,
        materials=tuple(
            MaterialRequirement(
                code=m.code,
                name=m.name,
                form=m.form,
                copies=m.copies,
                required=m.required,
                condition_text=m.condition_text,
                condition=(
                    Condition(question_id=m.condition.question_id, answers=tuple(m.condition.answers))
                    if m.condition is not None
                    else None
                ),
                licence_type=m.licence_type,
            )
            for m in item.materials
        ),
        delivery_methods=tuple(item.delivery_methods),
        citywide=item.citywide,
        kiosk_allowed=item.kiosk_allowed,
        originals_required=item.originals_required,
        questions=tuple(
            ScenarioQuestion(
                id=q.id,
                text=q.text,
                options=tuple(q.options),
                condition=(
                    Condition(question_id=q.condition.question_id, answers=tuple(q.condition.answers))
                    if q.condition is not None
                    else None
                ),
            )
            for q in item.questions
        ),
        fee_note=item.fee_note,
        guide=item.guide,
        supplement_days=item.supplement_days,
        supplement_after=item.supplement_after,
        legal_basis=item.legal_basis,
    )
