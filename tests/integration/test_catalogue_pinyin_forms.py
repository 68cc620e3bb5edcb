"""Pinyin forms computed when a catalogue is built or imported (issue 13): the index reads them instead of
loading pypinyin's dictionaries (~80 MB) at run time, and search by pinyin keeps working for every item, for the
shipped seed and for catalogues pulled from the platform."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from app.domain.catalogue import load_catalogue_file
from app.domain.catalogue_search import CatalogueIndex
from app.domain.pinyin_forms import PinyinForms, catalogue_texts, compute_forms, forms_path, load_forms
from app.services.catalogue import CURRENT_FILE, CatalogueService
from resources import resource_path
from tests.integration.test_catalogue_service import data_dir, encode, newer_doc

ROOT = Path(__file__).resolve().parents[2]
QUERIES = ("bdc", "budong", "bdcq", "cq", "chongqing", "zq", "hk", "yl", "ylbx", "sb", "gs", "jz", "hy", "x", "zh", "")

__all__ = ["data_dir"]  # the fixture, shared with the service tests


def _codes(index: CatalogueIndex, query: str) -> list[tuple[str, int]]:
    return [(hit.item.code, int(hit.match)) for hit in index.search(query, limit=100)]


def test_the_shipped_forms_are_those_of_the_shipped_seed() -> None:
    """Regenerate with `scripts/build_pinyin_forms.py resources/catalogue/seed.json` after editing the seed."""
    seed = resource_path("catalogue", "seed.json")
    shipped = load_forms(seed)
    assert shipped is not None, "resources/catalogue/seed.pinyin.json is missing"
    fresh = compute_forms(catalogue_texts(load_catalogue_file(seed).items))
    assert shipped.runs == fresh.runs and shipped.initials == fresh.initials


def test_search_with_the_forms_answers_exactly_as_with_pypinyin() -> None:
    seed = resource_path("catalogue", "seed.json")
    items = load_catalogue_file(seed).items
    from_forms = CatalogueIndex(items, forms=load_forms(seed))
    from_pypinyin = CatalogueIndex(items)  # no forms: every reading asked of pypinyin
    for query in QUERIES + tuple(item.name[:2] for item in items):
        assert _codes(from_forms, query) == _codes(from_pypinyin, query), query


def _search_in_fresh_process(data_dir: Path, query: str) -> dict[str, object]:
    code = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from app.services.catalogue import CatalogueService\n"
        "service = CatalogueService(Path(sys.argv[1]))\n"
        "hits = [item.code for item in service.search(sys.argv[2], limit=100)]\n"
        "print(json.dumps({'hits': hits, 'pypinyin': 'pypinyin' in sys.modules, 'source': service.source.value}))\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-c", code, str(data_dir), query],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=True,
    )
    answer: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return answer


def test_searching_the_seed_never_loads_pypinyin(data_dir: Path) -> None:
    answer = _search_in_fresh_process(data_dir, "bdc")
    assert answer["source"] == "seed"
    assert answer["hits"], "bdc (不动产) finds the real-estate items"
    assert answer["pypinyin"] is False


def test_a_pulled_catalogue_is_stored_with_its_forms_and_searched_without_pypinyin(data_dir: Path) -> None:
    doc = newer_doc()
    CatalogueService(data_dir).replace(encode(doc))  # the sync worker's call
    stored = forms_path(data_dir / "catalogue" / CURRENT_FILE)
    assert stored.exists()
    renamed = doc["items"][0]  # 城乡居民基本养老保险参保登记: a name the seed does not have
    answer = _search_in_fresh_process(data_dir, "cxjmjbylbx")
    assert answer["source"] == "downloaded"
    assert renamed["code"] in answer["hits"]
    assert answer["pypinyin"] is False


def test_missing_or_garbled_forms_still_find_every_item(data_dir: Path) -> None:
    doc = newer_doc()
    CatalogueService(data_dir).replace(encode(doc))
    stored = forms_path(data_dir / "catalogue" / CURRENT_FILE)
    stored.write_bytes(b'{"format": 1, "runs": {"\\u57ce\\u4e61": ["x", 7]}, "initials": []}')
    assert PinyinForms.from_json(stored.read_bytes()).runs == {}
    answer = _search_in_fresh_process(data_dir, "cxjmjbylbx")
    assert doc["items"][0]["code"] in answer["hits"]  # computed with pypinyin instead
    # ... and written back, so that the next start reads them again
    assert "城乡居民基本养老保险参保登记" in PinyinForms.from_json(stored.read_bytes()).runs
    answer = _search_in_fresh_process(data_dir, "cxjmjbylbx")
    assert doc["items"][0]["code"] in answer["hits"] and answer["pypinyin"] is False
