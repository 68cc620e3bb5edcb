"""The catalogue file's wire schema (pydantic): imported only when catalogue bytes are validated.

Reading a catalogue that was validated before (`app.services.catalogue_cache`) needs none of this, so pydantic
(~20 MB resident, ~150 ms to import) stays off the counter's and the kiosk's start and out of the search index.
The rules across fields and items, the error messages and the conversion to domain objects are in
`app.domain.catalogue`.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationError,
)
from pydantic_core import ErrorDetails, PydanticCustomError

from app.domain.catalogue import (
    _BAD_CATEGORIES,
    _EMOJI_RE,
    _TYPE_ZH,
    MAX_ITEMS,
    CatalogueError,
    _error,
    _is_emoji,
    _LicenceType,
    _safe_fragment,
)
from app.domain.models import DeliveryMethod, ItemKind, MaterialForm


def _text_checker(max_len: int, *, multiline: bool = False, allow_empty: bool = False) -> AfterValidator:
    """A validator for display text: bounded length, no control/format/private characters, no emoji."""

    def check(value: str) -> str:
        if len(value) > max_len:
            raise PydanticCustomError("text_too_long", "text longer than {max} characters", {"max": max_len})
        if not value.strip():
            if allow_empty and not value:
                return value
            raise PydanticCustomError("text_empty", "text is empty")
        if value != value.strip():
            raise PydanticCustomError("text_padded", "text starts or ends with whitespace")
        plain = value.replace("\n", "") if multiline else value
        if plain.isprintable() and _EMOJI_RE.search(plain) is None:
            return value  # fast path; the loop below finds and names the offending character
        for ch in value:
            cp = ord(ch)
            if multiline and ch == "\n":
                continue
            if _is_emoji(cp):
                raise PydanticCustomError("text_emoji", "emoji U+{cp} not allowed", {"cp": f"{cp:04X}"})
            if unicodedata.category(ch) in _BAD_CATEGORIES:
                raise PydanticCustomError(
                    "text_control", "control or invisible character U+{cp} not allowed", {"cp": f"{cp:04X}"}
                )
        return value

    return AfterValidator(check)


def _pattern_checker(pattern: str, description: str) -> AfterValidator:
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        if len(value) > 64 or not compiled.fullmatch(value):
            raise PydanticCustomError("bad_format", "does not match {fmt}", {"fmt": description})
        return value

    return AfterValidator(check)


_Code = Annotated[StrictStr, _pattern_checker(r"[0-9A-Z][0-9A-Z-]{2,39}", "code: 3-40 of 0-9 A-Z -")]
_Division = Annotated[StrictStr, _pattern_checker(r"[1-9][0-9]{5}", "division: 6 digits")]
_QuestionId = Annotated[StrictStr, _pattern_checker(r"[a-z][a-z0-9_]{0,31}", "id: a-z 0-9 _")]
_Name = Annotated[StrictStr, _text_checker(100)]
_Short = Annotated[StrictStr, _text_checker(40)]
_Note = Annotated[StrictStr, _text_checker(200, allow_empty=True)]
_Guide = Annotated[StrictStr, _text_checker(2000, multiline=True, allow_empty=True)]
_Days = Annotated[StrictInt, Field(ge=0, le=365)]


# --- wire schema (pydantic) --------------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _ConditionIn(_Strict):
    question_id: _QuestionId
    answers: Annotated[list[_Short], Field(min_length=1, max_length=20)]


class _QuestionIn(_Strict):
    id: _QuestionId
    text: _Name
    options: Annotated[list[_Short], Field(min_length=2, max_length=20)]
    condition: _ConditionIn | None = None


class _MaterialIn(_Strict):
    code: _Code
    name: _Name
    form: MaterialForm
    copies: Annotated[StrictInt, Field(ge=0, le=20)] = 1
    required: StrictBool = True
    condition_text: Annotated[StrictStr, _text_checker(200)] | None = None
    condition: _ConditionIn | None = None
    licence_type: _LicenceType | None = None


class _ItemIn(_Strict):
    code: _Code
    name: _Name
    category: Annotated[StrictStr, _text_checker(20)]
    department: Annotated[StrictStr, _text_checker(60)]
    jurisdiction: _Division
    kind: ItemKind
    immediate: StrictBool
    promised_days: _Days
    legal_days: _Days
    fee_fen: Annotated[StrictInt, Field(ge=0, le=100_000_000)]
    fee_note: _Note = ""
    materials: Annotated[list[_MaterialIn], Field(max_length=60)]
    questions: Annotated[list[_QuestionIn], Field(max_length=20)] = []
    delivery_methods: Annotated[list[DeliveryMethod], Field(min_length=1, max_length=3)]
    citywide: StrictBool = True
    kiosk_allowed: StrictBool = False
    originals_required: StrictBool = False
    guide: _Guide = ""
    supplement_days: Annotated[StrictInt, Field(ge=1, le=60)] | None = None
    supplement_after: _Note = ""
    legal_basis: _Note = ""


class _MemberIn(_Strict):
    item_code: _Code
    condition: _ConditionIn | None = None


class _CoverIn(_Strict):
    item_code: _Code
    material_code: _Code


class _SharedIn(_Strict):
    code: _Code
    name: _Name
    form: MaterialForm
    copies: Annotated[StrictInt, Field(ge=1, le=20)] = 1
    covers: Annotated[list[_CoverIn], Field(min_length=2, max_length=40)]


class _BundleIn(_Strict):
    code: _Code
    name: _Name
    members: Annotated[list[_MemberIn], Field(min_length=2, max_length=20)]
    questions: Annotated[list[_QuestionIn], Field(max_length=20)] = []
    shared_materials: Annotated[list[_SharedIn], Field(max_length=40)] = []
    guide: _Guide = ""


class _CatalogueIn(_Strict):
    schema_version: StrictInt
    version: Annotated[StrictStr, _pattern_checker(r"[0-9A-Za-z][0-9A-Za-z.\-_]{0,39}", "version")]
    published: Annotated[StrictStr, _pattern_checker(r"\d{4}-\d{2}-\d{2}", "date YYYY-MM-DD")]
    division: _Division
    sample: StrictBool = False
    items: Annotated[list[_ItemIn], Field(min_length=1, max_length=MAX_ITEMS)]
    bundles: Annotated[list[_BundleIn], Field(max_length=1000)] = []


def _from_validation_error(exc: ValidationError, raw: object) -> CatalogueError:
    first: ErrorDetails = exc.errors(include_url=False, include_input=False)[0]
    loc = list(first["loc"])
    reason_zh = _TYPE_ZH.get(first["type"], "取值无效")
    ctx = first.get("ctx") or {}
    if first["type"] == "text_too_long":
        reason_zh = f"文本过长（最多 {ctx.get('max')} 字）"
    elif first["type"] == "enum":
        reason_zh = f"取值不在允许范围内（允许：{_safe_fragment(ctx.get('expected', ''), 120)}）"
    elif first["type"] in {"text_emoji", "text_control"}:
        reason_zh += f"（U+{ctx.get('cp')}）"
    reason_en = f"{first['msg']} [{first['type']}]"
    raw_items = raw.get("items") if isinstance(raw, dict) else None
    if len(loc) >= 2 and loc[0] == "items" and isinstance(loc[1], int):
        return _error(reason_zh, reason_en, raw_items=raw_items, index=loc[1], loc=loc[2:])
    return _error(reason_zh, reason_en, loc=loc)


def validate_raw(raw: object) -> _CatalogueIn:
    """The decoded JSON checked field by field; raises `CatalogueError` naming the first problem."""
    try:
        return _CatalogueIn.model_validate(raw)
    except ValidationError as exc:
        raise _from_validation_error(exc, raw) from None
