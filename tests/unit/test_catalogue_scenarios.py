"""情形 questions in the catalogue: follow-up questions, and the rules that every condition names a question and an
option that exist, and that every question can be reached and decides something (named errors)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from app.domain.catalogue import CatalogueError, load_catalogue_file, parse_catalogue
from app.domain.models import Condition
from resources import resource_path
from tests.unit.test_catalogue_validation import Doc, catalogue, encode, item


def mortgage_item() -> Doc:
    """房屋是否有抵押 → 是 → 抵押权人能否到场? (a follow-up) → 否 → 公证意见."""
    return item(
        materials=[
            {"code": "M01", "name": "申请人居民身份证", "form": "original", "copies": 1, "required": True},
            {
                "code": "M02",
                "name": "抵押权人同意转移的书面意见",
                "form": "original",
                "required": False,
                "condition_text": "房屋有抵押时提供",
                "condition": {"question_id": "mortgaged", "answers": ["是"]},
            },
            {
                "code": "M03",
                "name": "抵押权人同意转移的公证意见",
                "form": "original",
                "required": False,
                "condition_text": "抵押权人不能到场时提供",
                "condition": {"question_id": "consent", "answers": ["否"]},
            },
        ],
        questions=[
            {"id": "mortgaged", "text": "房屋是否有抵押？", "options": ["是", "否"]},
            {
                "id": "consent",
                "text": "抵押权人能否到场？",
                "options": ["能", "否"],
                "condition": {"question_id": "mortgaged", "answers": ["是"]},
            },
        ],
    )


def reject(mutate: Callable[[Doc], None]) -> CatalogueError:
    doc = catalogue(mortgage_item())
    mutate(doc["items"][0])
    with pytest.raises(CatalogueError) as info:
        parse_catalogue(encode(doc))
    return info.value


def test_a_follow_up_question_is_read_with_its_condition() -> None:
    [parsed] = parse_catalogue(encode(catalogue(mortgage_item()))).items

    assert parsed.questions[0].condition is None
    assert parsed.questions[1].condition == Condition("mortgaged", ("是",))


def _q(index: int, **fields: Any) -> Callable[[Doc], None]:
    def mutate(doc: Doc) -> None:
        doc["questions"][index].update(fields)

    return mutate


def _m(index: int, **condition: Any) -> Callable[[Doc], None]:
    def mutate(doc: Doc) -> None:
        doc["materials"][index]["condition"].update(condition)

    return mutate


@pytest.mark.parametrize(
    ("mutate", "code", "field", "zh"),
    [
        (
            _m(1, question_id="mortgage"),
            "unknown_question",
            "materials[1].condition.question_id",
            "不存在的情形问题「mortgage」",
        ),
        (
            _m(2, answers=["不能"]),
            "unknown_option",
            "materials[2].condition.answers[0]",
            "取值「不能」不是问题「抵押权人能否到场？」的选项",
        ),
        (
            _q(1, condition={"question_id": "ghost", "answers": ["是"]}),
            "unknown_question",
            "questions[1].condition.question_id",
            "不存在的情形问题「ghost」",
        ),
        (
            _q(1, condition={"question_id": "mortgaged", "answers": ["有"]}),
            "unknown_option",
            "questions[1].condition.answers[0]",
            "取值「有」不是问题「房屋是否有抵押？」的选项",
        ),
        (
            _q(1, condition={"question_id": "consent", "answers": ["能"]}),
            "unreachable_question",
            "questions[1].condition.question_id",
            "永远问不到",
        ),
        (
            _q(0, condition={"question_id": "consent", "answers": ["能"]}),
            "unreachable_question",
            "questions[0].condition.question_id",
            "排在它之后",
        ),
    ],
    ids=[
        "material-unknown-question",
        "material-unknown-option",
        "question-unknown-question",
        "question-unknown-option",
        "question-depends-on-itself",
        "question-depends-on-a-later-one",
    ],
)
def test_a_broken_condition_is_a_named_error(mutate: Callable[[Doc], None], code: str, field: str, zh: str) -> None:
    error = reject(mutate)

    assert error.code == code
    assert error.field == field
    assert error.item == "#1 (210800200101000)"
    assert zh in error.message_zh
    assert error.message_zh.startswith("事项目录无效：第1项（编码 210800200101000）")


def test_a_question_that_decides_nothing_is_a_named_error() -> None:
    def add_dead_question(doc: Doc) -> None:
        doc["questions"].append({"id": "hukou", "text": "户籍在本市吗？", "options": ["是", "否"]})

    error = reject(add_dead_question)

    assert error.code == "unused_question"
    assert error.field == "questions[2].id"
    assert "不决定任何材料或后续问题" in error.message_zh


def test_a_question_only_followed_up_is_used() -> None:
    """A question whose only use is to open a follow-up question is fine (it decides what is asked next)."""
    doc = catalogue(mortgage_item())
    materials = doc["items"][0]["materials"]
    del materials[1]  # nothing depends on `mortgaged` directly any more
    parse_catalogue(encode(doc))


def test_the_shipped_seed_has_the_campaigns_size_and_depth() -> None:
    seed = load_catalogue_file(resource_path("catalogue", "seed.json"))
    situational = [i for i in seed.items if any(q.id != "agent" for q in i.questions)]
    follow_ups = [q for i in seed.items for q in i.questions if q.condition is not None]

    assert seed.sample is True
    assert len(seed.items) == 108
    assert len(situational) >= 40
    assert len(follow_ups) >= 3
    texts = " ".join(q.text for i in seed.items for q in i.questions)
    for topic in ("房屋类型", "是否有抵押", "婚姻状况", "是否首次", "单位类型"):
        assert topic in texts, topic


def test_a_catalogue_without_the_sample_flag_is_not_sample() -> None:
    assert parse_catalogue(encode(catalogue())).sample is False
    doc = copy.deepcopy(catalogue())
    doc["sample"] = "yes"
    with pytest.raises(CatalogueError):
        parse_catalogue(encode(doc))


# --- 一件事 bundles -------------------------------------------------------------------------------------------------


def _seed_doc() -> Doc:
    import json

    return json.loads(resource_path("catalogue", "seed.json").read_text(encoding="utf-8"))


def test_the_seed_has_bundles_with_member_questions_and_shared_materials() -> None:
    seed = load_catalogue_file(resource_path("catalogue", "seed.json"))
    birth = seed.bundle("210800YJS001")

    assert len(seed.bundles) >= 10
    assert birth is not None and birth.name == "新生儿出生一件事"
    assert [seed.get(m.item_code).name for m in birth.members] == [  # type: ignore[union-attr]
        "出生医学证明首次签发",
        "出生登记",
        "城乡居民基本医疗保险参保登记",
        "社会保障卡申领",
    ]
    assert birth.members[3].condition == Condition("social_card", ("是",))
    assert any(len(s.covers) >= 3 for s in birth.shared_materials)
    for bundle in seed.bundles:
        departments = {seed.get(m.item_code).department for m in bundle.members}  # type: ignore[union-attr]
        assert len(departments) >= 2, bundle.code  # a bundle spans departments
        assert bundle.shared_materials, bundle.code


def _bundle_reject(mutate: Callable[[Doc], None]) -> CatalogueError:
    doc = _seed_doc()
    mutate(doc["bundles"][0])
    with pytest.raises(CatalogueError) as info:
        parse_catalogue(encode(doc))
    return info.value


def _set_in(path: list[Any], value: Any) -> Callable[[Doc], None]:
    def mutate(doc: Doc) -> None:
        target: Any = doc
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return mutate


def _add_question(doc: Doc) -> None:
    doc["questions"].append({"id": "twins", "text": "是否多胞胎？", "options": ["是", "否"]})


@pytest.mark.parametrize(
    ("mutate", "code", "field"),
    [
        (_set_in(["members", 1, "item_code"], "210800999999000"), "unknown_item", "bundles[0].members[1].item_code"),
        (
            _set_in(["members", 3, "condition", "question_id"], "card"),
            "unknown_question",
            "bundles[0].members[3].condition.question_id",
        ),
        (
            _set_in(["members", 3, "condition", "answers"], ["要"]),
            "unknown_option",
            "bundles[0].members[3].condition.answers[0]",
        ),
        (_add_question, "unused_question", "bundles[0].questions[1].id"),
        (
            _set_in(["shared_materials", 0, "covers", 1, "material_code"], "M09"),
            "unknown_material",
            "bundles[0].shared_materials[0].covers[1].material_code",
        ),
        (
            _set_in(["shared_materials", 0, "covers", 1, "item_code"], "210800200101000"),
            "unknown_item",
            "bundles[0].shared_materials[0].covers[1].item_code",
        ),
        (_set_in(["code"], "210800200101000"), "duplicate_code", "bundles[0].code"),
    ],
    ids=[
        "member-not-an-item",
        "member-unknown-question",
        "member-unknown-option",
        "question-chooses-nothing",
        "shared-unknown-material",
        "shared-not-a-member",
        "code-of-an-item",
    ],
)
def test_a_broken_bundle_is_a_named_error(mutate: Callable[[Doc], None], code: str, field: str) -> None:
    error = _bundle_reject(mutate)

    assert error.code == code
    assert error.field == field
    assert error.item == "bundle #1 (210800YJS001)" or code == "duplicate_code"
    assert error.message_zh.startswith("事项目录无效：一件事第1项")
