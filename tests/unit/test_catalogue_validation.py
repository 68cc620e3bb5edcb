"""A broken or hostile catalogue file is refused with a message naming the item and the field."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from app.domain import catalogue as catalogue_module
from app.domain.catalogue import MAX_FILE_BYTES, CatalogueError, load_catalogue_file, parse_catalogue
from app.domain.models import Condition, DeliveryMethod, ItemKind, MaterialForm

Doc = dict[str, Any]


def item(code: str = "210800200101000", **overrides: Any) -> Doc:
    base: Doc = {
        "code": code,
        "name": "城乡居民养老保险参保登记",
        "category": "社保",
        "department": "营口市社会保险事业服务中心",
        "jurisdiction": "210800",
        "kind": "public_service",
        "immediate": False,
        "promised_days": 5,
        "legal_days": 20,
        "fee_fen": 0,
        "fee_note": "不收费",
        "materials": [
            {"code": "M01", "name": "申请人居民身份证", "form": "original", "copies": 1, "required": True},
            {
                "code": "M02",
                "name": "代办人居民身份证",
                "form": "original",
                "copies": 1,
                "required": False,
                "condition_text": "代办时提供",
                "condition": {"question_id": "agent", "answers": ["代办"]},
            },
        ],
        "questions": [{"id": "agent", "text": "本人办理还是代办？", "options": ["本人办理", "代办"]}],
        "delivery_methods": ["window_pickup", "mail"],
        "citywide": True,
        "kiosk_allowed": True,
        "originals_required": False,
        "guide": "当场办结。\n可邮寄送达。",
    }
    base.update(overrides)
    return base


def catalogue(*items: Doc) -> Doc:
    return {
        "schema_version": 1,
        "version": "2026.11.20.1",
        "published": "2026-11-20",
        "division": "210800",
        "items": list(items) or [item(), item("210800200102000", name="灵活就业人员参保登记")],
    }


def encode(doc: Any) -> bytes:
    try:
        return json.dumps(doc, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: only the \uXXXX escape can carry it
        return json.dumps(doc).encode("ascii")


def reject(data: bytes) -> CatalogueError:
    with pytest.raises(CatalogueError) as info:
        parse_catalogue(data)
    return info.value


def test_a_valid_file_becomes_domain_objects() -> None:
    result = parse_catalogue(encode(catalogue()))

    assert result.version == "2026.11.20.1"
    assert result.published.isoformat() == "2026-11-20"
    assert [i.code for i in result.items] == ["210800200101000", "210800200102000"]
    first = result.get("210800200101000")
    assert first is not None
    assert first.kind is ItemKind.PUBLIC_SERVICE
    assert first.delivery_methods == (DeliveryMethod.WINDOW_PICKUP, DeliveryMethod.MAIL)
    assert first.materials[0].form is MaterialForm.ORIGINAL
    assert first.materials[1].condition == Condition("agent", ("代办",))
    assert first.questions[0].options == ("本人办理", "代办")
    assert first.guide == "当场办结。\n可邮寄送达。"
    assert result.get("nope") is None


def _set(path: list[str | int], value: Any) -> Callable[[Doc], None]:
    def mutate(doc: Doc) -> None:
        target: Any = doc
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return mutate


def _delete(path: list[str | int]) -> Callable[[Doc], None]:
    def mutate(doc: Doc) -> None:
        target: Any = doc
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return mutate


# (case id, mutation of a valid document, fragments of the Chinese message, fragments of the English message)
FIELD_CASES: list[tuple[str, Callable[[Doc], None], list[str], list[str]]] = [
    (
        "missing field",
        _delete(["items", 1, "legal_days"]),
        ["第2项（编码 210800200102000）", "「法定时限」", "缺少此字段"],
        ["item #2 (210800200102000)", "legal_days", "missing"],
    ),
    (
        "unknown field",
        _set(["items", 0, "colour"], "red"),
        ["第1项（编码 210800200101000）", "「colour」是不认识的字段"],
        ["colour", "extra_forbidden"],
    ),
    (
        "string for a number",
        _set(["items", 0, "fee_fen"], "10"),
        ["「收费金额」应为整数"],
        ["fee_fen", "int_type"],
    ),
    (
        "boolean for a number",
        _set(["items", 0, "materials", 0, "copies"], True),
        ["「申请材料第1项 › 份数」应为整数"],
        ["materials[0].copies", "int_type"],
    ),
    (
        "material form",
        _set(["items", 0, "materials", 1, "form"], "photocopy"),
        ["「申请材料第2项 › 材料形式」取值不在允许范围内"],
        ["materials[1].form", "enum"],
    ),
    (
        "unknown delivery method",
        _set(["items", 1, "delivery_methods"], ["window_pickup", "drone"]),
        ["第2项", "「送达方式第2项」取值不在允许范围内"],
        ["delivery_methods[1]", "enum"],
    ),
    (
        "no delivery method",
        _set(["items", 1, "delivery_methods"], []),
        ["「送达方式」条目过少"],
        ["delivery_methods", "too_short"],
    ),
    (
        "duplicate delivery method",
        _set(["items", 1, "delivery_methods"], ["mail", "mail"]),
        ["「送达方式」有重复项"],
        ["delivery_methods", "duplicate delivery method"],
    ),
    (
        "duplicate item code",
        _set(["items", 1, "code"], "210800200101000"),
        ["第2项（编码 210800200101000）", "「编码」与第1项重复"],
        ["item #2", "duplicate item code"],
    ),
    (
        "duplicate material code",
        _set(["items", 0, "materials", 1, "code"], "M01"),
        ["第1项", "「申请材料第2项 › 材料编码」与本事项其他材料重复"],
        ["materials[1].code", "duplicate material code"],
    ),
    (
        "condition on an unknown question",
        _set(["items", 0, "materials", 1, "condition", "question_id"], "married"),
        ["第1项", "引用了不存在的情形问题「married」"],
        ["materials[1].condition.question_id", "unknown question 'married'"],
    ),
    (
        "condition answer not an option",
        _set(["items", 0, "materials", 1, "condition", "answers"], ["委托"]),
        ["「申请材料第2项 › 适用情形 › 情形答案第1项」取值「委托」不是问题「本人办理还是代办？」的选项"],
        ["materials[1].condition.answers[0]"],
    ),
    (
        "required material with a condition",
        _set(["items", 0, "materials", 1, "required"], True),
        ["必需材料不应设置适用情形"],
        ["materials[1].required"],
    ),
    (
        "conditional material without words",
        _delete(["items", 0, "materials", 1, "condition_text"]),
        ["「申请材料第2项 › 适用情形说明」缺少此字段"],
        ["materials[1].condition_text"],
    ),
    (
        "promised days above legal days",
        _set(["items", 1, "promised_days"], 25),
        ["第2项", "「承诺时限」（25 个工作日）超过法定时限（20 个工作日）"],
        ["promised_days 25 exceeds legal_days 20"],
    ),
    (
        "immediate item with promised days",
        _set(["items", 0, "immediate"], True),
        ["「承诺时限」应为 0（即办件）"],
        ["immediate item must have promised_days 0"],
    ),
    (
        "promised item with zero days",
        _set(["items", 0, "promised_days"], 0),
        ["「承诺时限」至少为 1 个工作日（承诺件）"],
        ["promised_days >= 1"],
    ),
    (
        "negative fee",
        _set(["items", 0, "fee_fen"], -100),
        ["「收费金额」数值过小"],
        ["fee_fen", "greater_than_equal"],
    ),
    (
        "jurisdiction not a division code",
        _set(["items", 0, "jurisdiction"], "2108"),
        ["「管辖区划代码」格式不正确"],
        ["jurisdiction", "bad_format"],
    ),
    (
        "item code with spaces",
        _set(["items", 0, "code"], "2108 00"),
        ["「编码」格式不正确"],
        ["item #1", "field code", "bad_format"],
    ),
    (
        "duplicate question id",
        _set(
            ["items", 0, "questions"],
            [
                {"id": "agent", "text": "本人办理还是代办？", "options": ["本人办理", "代办"]},
                {"id": "agent", "text": "再问一次？", "options": ["是", "否"]},
            ],
        ),
        ["「情形问题第2项 › 问题编号」与本事项其他问题重复"],
        ["questions[1].id"],
    ),
    (
        "control character in a name",
        _set(["items", 0, "name"], "养老保险\x07参保"),
        ["「名称」不能含控制字符或不可见字符（U+0007）"],
        ["name", "text_control"],
    ),
    (
        "zero-width space in a material name",
        _set(["items", 0, "materials", 0, "name"], "身份\u200b证"),
        ["「申请材料第1项 › 材料名称」不能含控制字符或不可见字符（U+200B）"],
        ["materials[0].name"],
    ),
    (
        "right-to-left override in a department",
        _set(["items", 0, "department"], "营口市\u202e局"),
        ["「实施部门」不能含控制字符"],
        ["department"],
    ),
    (
        "lone surrogate",
        _set(["items", 0, "name"], "养老\ud800"),
        ["不能含控制字符或不可见字符（U+D800）"],
        ["text_control"],
    ),
    (
        "emoji in a name",
        _set(["items", 0, "name"], "养老保险参保登记🎉"),
        ["「名称」不能含表情符号（U+1F389）"],
        ["name", "text_emoji"],
    ),
    (
        "emoji in a scenario option",
        _set(["items", 0, "questions", 0, "options"], ["本人办理", "代办👍"]),
        ["「情形问题第1项 › 选项第2项」不能含表情符号"],
        ["questions[0].options[1]"],
    ),
    (
        "10 MB name",
        _set(["items", 0, "name"], "长" * (10 * 1024 * 1024 // 3)),
        ["「名称」文本过长（最多 100 字）"],
        ["name", "text_too_long"],
    ),
    (
        "blank name",
        _set(["items", 0, "name"], "   "),
        ["「名称」不能为空"],
        ["text_empty"],
    ),
    (
        "name padded with spaces",
        _set(["items", 0, "name"], " 养老保险 "),
        ["「名称」首尾不能有空格"],
        ["text_padded"],
    ),
    (
        "no items",
        _set(["items"], []),
        ["「事项列表」条目过少"],
        ["items", "too_short"],
    ),
    (
        "items is an object",
        _set(["items"], {"a": 1}),
        ["「事项列表」应为列表"],
        ["items", "list_type"],
    ),
    (
        "item is a number",
        _set(["items", 1], 7),
        ["第2项", "应为对象"],
        ["item #2", "model_type"],
    ),
    (
        "bad published date",
        _set(["published"], "2026-13-01"),
        ["「发布日期」不是有效日期"],
        ["published"],
    ),
    (
        "missing version",
        _delete(["version"]),
        ["「目录版本」缺少此字段"],
        ["version", "missing"],
    ),
]


@pytest.mark.parametrize(
    ("mutate", "zh_parts", "en_parts"), [c[1:] for c in FIELD_CASES], ids=[c[0] for c in FIELD_CASES]
)
def test_a_malformed_item_is_refused_naming_item_and_field(
    mutate: Callable[[Doc], None], zh_parts: list[str], en_parts: list[str]
) -> None:
    doc = copy.deepcopy(catalogue())
    mutate(doc)

    error = reject(encode(doc))

    assert error.message_zh.startswith("事项目录无效")
    for part in zh_parts:
        assert part in error.message_zh
    for part in en_parts:
        assert part in str(error)
    assert len(error.message_zh) < 300, "the screen message must stay short even for huge inputs"


def test_the_item_is_named_by_position_when_its_code_is_unusable() -> None:
    bad = item()
    bad["code"] = ["not", "a", "string"]

    error = reject(encode(catalogue(item("210800200102000"), bad)))

    assert "第2项的「编码」应为文本" in error.message_zh
    assert error.item == "#2"
    assert error.field == "code"


def test_a_hostile_code_is_not_echoed_raw_into_the_message() -> None:
    error = reject(encode(catalogue(item("X\n\u202e🎉" + "A" * 200))))

    assert "\n" not in error.message_zh and "\u202e" not in error.message_zh and "🎉" not in error.message_zh
    assert "「编码」格式不正确" in error.message_zh
    assert len(error.message_zh) < 200


FILE_CASES: list[tuple[str, bytes, str, str]] = [
    ("not json", b"{items: [", "不是有效的 JSON（第1行第2列）", "not valid JSON"),
    ("empty", b"", "不是有效的 JSON", "not valid JSON"),
    ("not utf-8", '{"version": "营口"}'.encode("gb18030"), "不是 UTF-8 编码", "not UTF-8"),
    ("top-level array", b"[1, 2]", "顶层应为对象", "top level"),
    ("duplicate keys", b'{"version": "1", "version": "2"}', "重复的键", "duplicate key 'version'"),
    ("NaN", b'{"schema_version": NaN}', "非法数值", "NaN"),
    ("huge integer", b'{"schema_version": ' + b"9" * 5000 + b"}", "超长数字", "rejected"),
    ("deep nesting", b'{"items": ' + b"[" * 200_000 + b"]" * 200_000 + b"}", "嵌套层级过深", "too deeply"),
    ("newer schema", b'{"schema_version": 2}', "格式版本 2 不受支持", "schema_version 2 not supported"),
]


@pytest.mark.parametrize(("data", "zh_part", "en_part"), [c[1:] for c in FILE_CASES], ids=[c[0] for c in FILE_CASES])
def test_a_malformed_file_is_refused_with_a_clear_message(data: bytes, zh_part: str, en_part: str) -> None:
    error = reject(data)

    assert zh_part in error.message_zh
    assert en_part in str(error)
    assert error.item is None


def test_moderately_deep_nesting_inside_a_field_is_a_type_error() -> None:
    doc = catalogue()
    nested: Any = "x"
    for _ in range(500):
        nested = [nested]
    doc["items"][0]["guide"] = nested

    error = reject(encode(doc))

    assert "「办事指南」应为文本" in error.message_zh


def test_a_file_over_the_size_cap_is_refused_before_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    valid = encode(catalogue())
    data = valid + b" " * (MAX_FILE_BYTES + 1 - len(valid))  # a valid catalogue, padded past the cap
    parsed: list[int] = []

    def loads(text: str, **kwargs: Any) -> object:
        parsed.append(len(text))
        return json.loads(text, **kwargs)

    monkeypatch.setattr(catalogue_module, "json", SimpleNamespace(loads=loads, JSONDecodeError=json.JSONDecodeError))

    error = reject(data)

    assert "事项目录文件过大" in error.message_zh and "上限 20 MB" in error.message_zh
    assert parsed == []  # refused on its length alone: the 20 MB were never decoded


def test_an_oversized_file_on_disk_is_not_read(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    with path.open("wb") as fh:
        fh.truncate(MAX_FILE_BYTES + 1)  # sparse: cheap to create, expensive to read

    with pytest.raises(CatalogueError, match="too large") as info:
        load_catalogue_file(path)

    assert "过大" in info.value.message_zh


def test_a_missing_file_is_a_catalogue_error(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match="cannot read catalogue file") as info:
        load_catalogue_file(tmp_path / "absent.json")

    assert info.value.message_zh == "无法读取事项目录文件"
