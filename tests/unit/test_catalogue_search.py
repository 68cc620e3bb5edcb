"""Catalogue search as the clerk types: codes, Chinese, pinyin initials and full pinyin, ranked; hostile input."""

from __future__ import annotations

import dataclasses
import unicodedata
from collections.abc import Mapping

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from app.domain import catalogue_search
from app.domain.catalogue import load_catalogue_file
from app.domain.catalogue_search import (
    MAX_QUERY_CHARS,
    MAX_RAW_QUERY_CHARS,
    CatalogueIndex,
    MatchKind,
    normalise_query,
)
from app.domain.models import ServiceItem
from resources import resource_path


@pytest.fixture(scope="module")
def seed_items() -> tuple[ServiceItem, ...]:
    return load_catalogue_file(resource_path("catalogue", "seed.json")).items


@pytest.fixture(scope="module")
def index(seed_items: tuple[ServiceItem, ...]) -> CatalogueIndex:
    return CatalogueIndex(seed_items)


def names(index: CatalogueIndex, query: str, limit: int = 20, boost: Mapping[str, float] | None = None) -> list[str]:
    return [hit.item.name for hit in index.search(query, limit, boost)]


def make(base: ServiceItem, code: str, name: str, category: str = "其他") -> ServiceItem:
    return dataclasses.replace(base, code=code, name=name, category=category, department="营口市测试局")


def test_initials_find_real_estate_items_first(index: CatalogueIndex) -> None:
    hits = index.search("bdc", 6)

    assert len(hits) >= 4
    leading = [h for h in hits if h.match is MatchKind.PINYIN_PREFIX]
    assert len(leading) >= 4
    assert all(h.item.name.startswith("不动产") for h in leading)
    assert hits[: len(leading)] == leading
    assert all(h.item.category == "不动产" for h in hits)


def test_initials_inside_the_name_find_housing_fund_items(index: CatalogueIndex) -> None:
    hits = index.search("gjj", 6)

    assert len(hits) == 6
    assert all("公积金" in h.item.name for h in hits)


def test_full_pinyin_prefix(index: CatalogueIndex) -> None:
    assert names(index, "budong", 4) == names(index, "bdc", 4)
    assert "住房公积金提取（租房）" in names(index, "zufang")
    assert "住房公积金提取（租房）" in names(index, "zhufanggongjijintiquzufang")


def test_full_pinyin_inside_the_name_matches_at_a_syllable_only(index: CatalogueIndex) -> None:
    assert "不动产登记资料查询" in names(index, "dengjiziliao")
    assert "不动产登记资料查询" not in names(index, "engjiziliao"), "a match must start at a syllable"


def test_exact_code_then_prefix(index: CatalogueIndex, seed_items: tuple[ServiceItem, ...]) -> None:
    target = next(i for i in seed_items if i.name == "住房公积金提取（租房）")

    exact = index.search(target.code, 5)
    prefix = index.search(target.code[:10], 10)

    assert exact[0].item is target and exact[0].match is MatchKind.EXACT_CODE
    assert len(prefix) >= 5
    assert all(h.match is MatchKind.CODE_PREFIX and h.item.code.startswith(target.code[:10]) for h in prefix)


def test_exact_code_outranks_a_longer_code_with_that_prefix(seed_items: tuple[ServiceItem, ...]) -> None:
    base = seed_items[0]
    index = CatalogueIndex([make(base, "ABC12", "甲事项"), make(base, "ABC1", "乙事项")])

    hits = index.search("abc1")

    assert [(h.item.code, h.match) for h in hits] == [
        ("ABC1", MatchKind.EXACT_CODE),
        ("ABC12", MatchKind.CODE_PREFIX),
    ]


def test_chinese_substring(index: CatalogueIndex) -> None:
    found = names(index, "身份证")

    assert {"居民身份证换领", "居民身份证补领", "临时居民身份证申领"} <= set(found)
    assert all("身份证" in n for n in found[:3])


def test_full_width_input_is_normalised(index: CatalogueIndex, seed_items: tuple[ServiceItem, ...]) -> None:
    code = seed_items[0].code
    full_width_code = "".join(chr(ord(c) + 0xFEE0) for c in code)

    assert names(index, "ＢＤＣ") == names(index, "bdc")
    assert index.search(full_width_code)[0].item.code == code
    assert names(index, "住房公积金提取(租房)") == ["住房公积金提取（租房）"]
    assert names(index, " b d c ") == names(index, "bdc")


def test_empty_query_lists_everything_in_pinyin_order(index: CatalogueIndex) -> None:
    every = index.search("", 1000)
    spaces = index.search("   ", 1000)

    assert len(every) == len(index) >= 45
    assert all(h.match is MatchKind.ALL for h in every)
    assert [h.item for h in spaces] == [h.item for h in every]
    assert every[0].item.name.startswith("不动产")  # b… comes before c…, d…
    assert len(index.search("", 5)) == 5


def test_empty_query_puts_boosted_items_first(index: CatalogueIndex, seed_items: tuple[ServiceItem, ...]) -> None:
    recent, frequent = seed_items[10], seed_items[30]
    boost = {frequent.code: 5.0, recent.code: 9.0, "NOT-IN-CATALOGUE": 100.0}

    hits = index.search("", 5, boost)

    assert [h.item for h in hits[:2]] == [recent, frequent]
    assert len(hits) == 5 and len({h.item.code for h in hits}) == 5


def test_boost_breaks_ties_but_never_beats_a_better_match(seed_items: tuple[ServiceItem, ...]) -> None:
    base = seed_items[0]
    index = CatalogueIndex(
        [
            make(base, "A001", "公积金甲"),  # name prefix
            make(base, "A002", "住房公积金丙"),  # name substring; bing sorts before yi
            make(base, "A003", "住房公积金乙"),  # name substring
        ]
    )

    plain = index.search("公积金")
    boosted = index.search("公积金", boost={"A003": 10.0, "A001": -5.0})

    assert [h.item.code for h in plain] == ["A001", "A002", "A003"]
    assert [h.item.code for h in boosted] == ["A001", "A003", "A002"]


def test_ranking_order_across_match_kinds(seed_items: tuple[ServiceItem, ...]) -> None:
    base = seed_items[0]
    index = CatalogueIndex(
        [
            make(base, "B006", "出租汽车驾驶", category="交通"),  # 驾驶 jiashi: pinyin inside the name
            make(base, "B005", "其他事项", category="驾驶管理"),  # category only
            make(base, "B004", "驾驶证申领"),  # name prefix
            make(base, "B003", "机动车驾驶人"),  # name substring
        ]
    )

    hits = index.search("驾驶")
    pinyin_hits = index.search("jiashi")

    assert [(h.item.code, h.match) for h in hits] == [
        ("B004", MatchKind.NAME_PREFIX),
        ("B006", MatchKind.NAME_SUBSTRING),
        ("B003", MatchKind.NAME_SUBSTRING),
        ("B005", MatchKind.OTHER_FIELD),
    ]
    assert [(h.item.code, h.match) for h in pinyin_hits] == [
        ("B004", MatchKind.PINYIN_PREFIX),
        ("B006", MatchKind.PINYIN_SUBSTRING),
        ("B003", MatchKind.PINYIN_SUBSTRING),
        ("B005", MatchKind.OTHER_FIELD),  # the category's pinyin
    ]


def test_polyphones_read_by_phrase_with_other_readings_ranked_lower(seed_items: tuple[ServiceItem, ...]) -> None:
    base = seed_items[0]
    index = CatalogueIndex([make(base, "C001", "重庆银行开户"), make(base, "C002", "行业协会登记")])

    assert [(h.item.code, h.match) for h in index.search("cq")] == [("C001", MatchKind.PINYIN_PREFIX)]
    assert [(h.item.code, h.match) for h in index.search("zq")] == [("C001", MatchKind.ALT_READING)]
    assert [(h.item.code, h.match) for h in index.search("chongqingyinhang")] == [("C001", MatchKind.PINYIN_PREFIX)]
    assert [(h.item.code, h.match) for h in index.search("hy")] == [("C002", MatchKind.PINYIN_PREFIX)]
    assert [(h.item.code, h.match) for h in index.search("yh")] == [("C001", MatchKind.PINYIN_SUBSTRING)]


def test_limit(index: CatalogueIndex) -> None:
    assert len(index.search("d", 3)) == 3
    assert index.search("bdc", 0) == []
    assert index.search("bdc", -1) == []


def _count_work(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[int]]:
    """Record how much text `normalise_query` is handed and every query each item is matched against.

    Speed itself is measured by bench/catalogue_search.py (hostile and 10 MB queries included); here the
    work a query causes is counted, so a regression that scans the whole input or re-scans items fails at once.
    """
    work: dict[str, list[int]] = {"normalised": [], "matched": []}
    real_normalize, real_match = catalogue_search.unicodedata.normalize, catalogue_search._match

    class _Unicodedata:
        category = staticmethod(unicodedata.category)

        @staticmethod
        def normalize(form: str, text: str) -> str:  # type: ignore[misc]
            work["normalised"].append(len(text))
            return real_normalize(form, text)  # type: ignore[arg-type]

    def match(entry: object, q: str) -> object:
        work["matched"].append(len(q))
        return real_match(entry, q)  # type: ignore[arg-type]

    monkeypatch.setattr(catalogue_search, "unicodedata", _Unicodedata)
    monkeypatch.setattr(catalogue_search, "_match", match)
    return work


@pytest.mark.parametrize(
    "query",
    [
        "'; DROP TABLE items; --",
        "' OR 1=1 --",
        "%",
        "_",
        ".*",
        "\\",
        "🎉🎉",
        "\x00\x01\x1b[31m",
        "\u202e\u200b",
        "\ud800",
        "𠮷",
    ],
)
def test_hostile_queries_return_nothing_with_one_look_at_each_item(
    index: CatalogueIndex, query: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = _count_work(monkeypatch)

    hits = index.search(query)

    assert hits == [] or all(h.match is MatchKind.ALL for h in hits)
    # Plain substring tests, never a pattern: each item is looked at at most once for the query.
    assert len(work["matched"]) <= len(index)


def test_a_10_mb_query_is_cut_and_answered_at_once(index: CatalogueIndex, monkeypatch: pytest.MonkeyPatch) -> None:
    query = "不动产" + "x" * (10 * 1024 * 1024)
    work = _count_work(monkeypatch)

    hits = index.search(query)

    assert hits == []
    assert len(normalise_query(query)) == 64
    # Only the head of the paste is looked at, and the items are matched against the cut query, once each.
    assert work["normalised"] and max(work["normalised"]) <= MAX_RAW_QUERY_CHARS
    assert len(work["matched"]) <= len(index) and set(work["matched"]) == {MAX_QUERY_CHARS}


def test_control_and_invisible_characters_are_ignored(index: CatalogueIndex) -> None:
    assert names(index, "b\x00d\u200bc\t") == names(index, "bdc")
    assert names(index, "不\u202e动产") == names(index, "不动产")


def test_bad_boost_values_are_ignored(index: CatalogueIndex, seed_items: tuple[ServiceItem, ...]) -> None:
    boost = {seed_items[0].code: float("nan"), seed_items[1].code: float("inf")}

    assert names(index, "", 5, boost=boost) == names(index, "", 5)


@settings(max_examples=150, deadline=None)
@given(text=st.text(max_size=80), limit=st.integers(min_value=-3, max_value=60))
def test_any_text_never_crashes(index: CatalogueIndex, text: str, limit: int) -> None:
    hits = index.search(text, limit)

    assert len(hits) <= max(limit, 0)
    assert len({h.item.code for h in hits}) == len(hits)


_TYPING = st.text(alphabet="bdcgjszhufangyi21080不动产公积金身份证住房", min_size=1, max_size=8)


@pytest.fixture(scope="module")
def uncached(seed_items: tuple[ServiceItem, ...]) -> CatalogueIndex:
    """The reference: scans every item for every query."""
    return CatalogueIndex(seed_items, recent_queries=0)


@settings(max_examples=200, deadline=None)
@given(query=_TYPING)
@example(query="bdc")
@example(query="scz")
def test_what_matches_a_longer_query_matches_its_prefix(uncached: CatalogueIndex, query: str) -> None:
    """The property the keystroke narrowing relies on."""
    longer = {h.item.code for h in uncached.search(query, 1000)}
    shorter = {h.item.code for h in uncached.search(query[:-1], 1000)}

    assert longer <= shorter or not query[:-1]


@settings(max_examples=60, deadline=None)
@given(words=st.lists(_TYPING, min_size=1, max_size=4))
@example(words=["bdc", "gjj"])
def test_typing_and_backspacing_gives_the_same_results_as_a_full_scan(
    seed_items: tuple[ServiceItem, ...], uncached: CatalogueIndex, words: list[str]
) -> None:
    typing = CatalogueIndex(seed_items, recent_queries=3)  # small: exercises eviction too
    for word in words:
        for end in [*range(1, len(word) + 1), *range(len(word) - 1, 0, -1)]:
            assert typing.search(word[:end], 1000) == uncached.search(word[:end], 1000), word[:end]
