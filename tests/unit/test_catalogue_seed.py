"""The shipped seed catalogue loads and is fit for the counter: every category, believable and consistent items."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from app.domain.catalogue import KNOWN_CATEGORIES, Catalogue, load_catalogue_file
from app.domain.models import ItemKind, MaterialForm, ServiceItem
from resources import resource_path

YINGKOU_DIVISIONS = {"210800", "210802", "210803", "210804", "210811", "210881", "210882"}


@pytest.fixture(scope="module")
def seed() -> Catalogue:
    return load_catalogue_file(resource_path("catalogue", "seed.json"))


def test_seed_has_enough_items_in_all_eight_categories(seed: Catalogue) -> None:
    counts = Counter(item.category for item in seed.items)

    assert len(seed.items) >= 45
    assert set(counts) == set(KNOWN_CATEGORIES)
    assert all(n >= 4 for n in counts.values()), counts
    assert seed.categories == KNOWN_CATEGORIES


def test_seed_header_names_the_pilot_city_and_a_version(seed: Catalogue) -> None:
    raw = json.loads(resource_path("catalogue", "seed.json").read_text(encoding="utf-8"))

    assert raw["schema_version"] == 1 == seed.schema_version
    assert seed.division == "210800"
    assert seed.version and seed.published.year >= 2026


@pytest.mark.parametrize(
    "name",
    [
        "城乡居民养老保险参保登记",
        "职工医保异地就医备案",
        "住房公积金提取（租房）",
        "不动产登记资料查询",
        "居民身份证换领",
        "个体工商户设立登记",
        "最低生活保障申请",
        "道路运输从业资格证补证",
    ],
)
def test_seed_contains_the_everyday_items(seed: Catalogue, name: str) -> None:
    assert name in {item.name for item in seed.items}


def test_item_codes_are_unique_and_carry_their_jurisdiction(seed: Catalogue) -> None:
    codes = [item.code for item in seed.items]

    assert len(set(codes)) == len(codes)
    for item in seed.items:
        assert item.jurisdiction in YINGKOU_DIVISIONS, item.code
        assert item.code.startswith(item.jurisdiction), item.code
        assert len(item.code) == 15 and item.code.isdigit(), item.code


def test_time_limits_are_consistent(seed: Catalogue) -> None:
    for item in seed.items:
        if item.immediate:
            assert item.promised_days == 0, item.code
            assert item.legal_days >= 1, item.code
        else:
            assert 1 <= item.promised_days < item.legal_days, item.code
    assert any(i.immediate for i in seed.items) and any(not i.immediate for i in seed.items)


def test_every_item_is_complete_enough_for_a_receipt(seed: Catalogue) -> None:
    for item in seed.items:
        assert item.department.startswith(("营口市", "盖州市", "大石桥市")), item.code
        assert item.citywide, item.code
        assert item.guide, item.code
        assert item.fee_note, item.code
        assert item.delivery_methods, item.code
        assert any(m.required for m in item.materials), item.code
        for material in item.materials:
            assert material.copies >= 1, (item.code, material.code)
            if not material.required:
                assert material.condition_text, (item.code, material.code)


def test_fees_are_whole_fen_and_explained(seed: Catalogue) -> None:
    charged = [i for i in seed.items if i.fee_fen > 0]

    assert charged, "the seed shows at least one item with a fee"
    for item in charged:
        assert "元" in item.fee_note, item.code


def test_agent_question_brings_the_agents_id_and_authorisation(seed: Catalogue) -> None:
    """本人办理还是代办? → 代办 needs the agent's ID and a letter of authorisation (委托书)."""
    with_agent = [i for i in seed.items if any(q.id == "agent" for q in i.questions)]

    assert len(with_agent) >= 20
    for item in with_agent:
        question = next(q for q in item.questions if q.id == "agent")
        conditional = [m for m in item.materials if m.condition and m.condition.question_id == "agent"]
        names = " ".join(m.name for m in conditional)
        assert "身份证" in names and "委托书" in names, item.code
        for material in conditional:
            assert material.condition is not None
            assert set(material.condition.answers) <= set(question.options)
            assert "本人办理" not in material.condition.answers


def test_all_item_kinds_and_material_forms_occur(seed: Catalogue) -> None:
    assert {i.kind for i in seed.items} == set(ItemKind)
    assert {m.form for i in seed.items for m in i.materials} == set(MaterialForm)


def test_kiosk_and_originals_flags_vary(seed: Catalogue) -> None:
    def share(flag: str) -> int:
        return sum(1 for i in seed.items if getattr(i, flag))

    assert 0 < share("kiosk_allowed") < len(seed.items)
    assert 0 < share("originals_required") < len(seed.items)


def test_lookup_by_code(seed: Catalogue) -> None:
    first: ServiceItem = seed.items[0]

    assert seed.get(first.code) is first
