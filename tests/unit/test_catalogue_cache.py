"""The validated-catalogue cache (issue 13): a catalogue validated once is read back without pydantic, exactly as
validation built it; a changed file, changed code or a damaged cache always goes through validation again."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from dataclasses import MISSING, fields, is_dataclass
from pathlib import Path
from typing import Any

import pytest

from app.domain import catalogue as catalogue_module
from app.domain.catalogue import Catalogue, CatalogueError, load_catalogue_file
from app.services import catalogue as catalogue_service_module
from app.services import catalogue_cache
from app.services.catalogue_cache import cache_path, load_catalogue, read_cache, shipped_path
from resources import resource_path

ROOT = Path(__file__).resolve().parents[2]
Doc = dict[str, Any]


def full_doc() -> Doc:
    """The seed with the two fields it leaves at their defaults set otherwise, so every field is exercised."""
    doc: Doc = json.loads(resource_path("catalogue", "seed.json").read_text(encoding="utf-8"))
    doc["items"][0]["citywide"] = False
    shared = next(b["shared_materials"][0] for b in doc["bundles"] if b.get("shared_materials"))
    shared["copies"] = 2
    return doc


def write(path: Path, doc: Doc) -> Path:
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def validations(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the catalogue validations (pydantic runs) made through the cache."""
    calls: list[int] = []
    real = catalogue_module.parse_catalogue

    def counting(data: bytes) -> Catalogue:
        calls.append(len(data))
        return real(data)

    monkeypatch.setattr(catalogue_module, "parse_catalogue", counting)
    monkeypatch.setattr(catalogue_service_module, "parse_catalogue", counting)  # `replace` validates new bytes
    return calls


def _non_default_fields(catalogue: Catalogue) -> dict[tuple[str, str], bool]:
    seen: dict[tuple[str, str], bool] = {}

    def walk(value: object) -> None:
        if is_dataclass(value) and not isinstance(value, type):
            for f in fields(value):
                if not f.init:
                    continue
                v = getattr(value, f.name)
                default = f.default if f.default is not MISSING else object()
                key = (type(value).__name__, f.name)
                seen[key] = seen.get(key, False) or v != default
                walk(v)
        elif isinstance(value, tuple):
            for v in value:
                walk(v)

    walk(catalogue)
    return seen


def test_a_cached_catalogue_is_the_validated_one_field_for_field(tmp_path: Path, validations: list[int]) -> None:
    source = write(tmp_path / "seed.json", full_doc())
    validated = load_catalogue_file(source)
    assert all(_non_default_fields(validated).values())  # every field of every model differs from its default
    validations.clear()

    first = load_catalogue(source, tmp_path / "cache")
    again = load_catalogue(source, tmp_path / "cache")

    assert len(validations) == 1  # the second read came from the cache
    assert first == validated and again == validated
    assert again.items == validated.items and again.bundles == validated.bundles
    assert again.get(validated.items[0].code) == validated.items[0] and not again.items[0].citywide


def test_reading_a_cached_catalogue_imports_no_pydantic(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    load_catalogue(resource_path("catalogue", "seed.json"), cache)
    probe = (
        "import sys\nfrom pathlib import Path\nfrom app.services.catalogue_cache import load_catalogue\n"
        "from resources import resource_path\n"
        f"c = load_catalogue(resource_path('catalogue', 'seed.json'), Path({str(cache)!r}))\n"
        "print(len(c.items), 'pydantic' in sys.modules, 'pydantic_core' in sys.modules)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("TONGBAN_")}
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, env=env, check=True)
    seed_items = len(json.loads(resource_path("catalogue", "seed.json").read_bytes())["items"])
    assert out.stdout.split() == [str(seed_items), "False", "False"]


def test_a_changed_file_is_validated_again_and_refused_when_invalid(tmp_path: Path, validations: list[int]) -> None:
    doc = full_doc()
    source = write(tmp_path / "current.json", doc)
    load_catalogue(source, tmp_path / "cache")
    doc["items"][0]["promised_days"] = doc["items"][0]["legal_days"] + 1  # a rule only validation checks
    write(source, doc)

    with pytest.raises(CatalogueError) as refused:
        load_catalogue(source, tmp_path / "cache")

    assert "承诺时限" in refused.value.message_zh and refused.value.item == "#1 (210800200101000)"
    assert len(validations) == 2


def test_a_changed_valid_file_is_read_as_changed(tmp_path: Path) -> None:
    doc = full_doc()
    source = write(tmp_path / "current.json", doc)
    load_catalogue(source, tmp_path / "cache")
    doc["items"][0]["name"] = "城乡居民基本养老保险参保登记（新）"
    write(source, doc)

    assert load_catalogue(source, tmp_path / "cache").items[0].name == "城乡居民基本养老保险参保登记（新）"


def test_other_code_validates_again(tmp_path: Path, validations: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    source = write(tmp_path / "seed.json", full_doc())
    load_catalogue(source, tmp_path / "cache")
    monkeypatch.setattr(catalogue_cache, "code_version", lambda: "0.2.0+1+changed-rules")

    load_catalogue(source, tmp_path / "cache")

    assert len(validations) == 2


def _tamper_payload(blob: bytes) -> bytes:
    header, payload = blob.split(b"\n", 1)
    return header + b"\n" + payload.replace("城乡居民".encode(), "乡村居民".encode(), 1)


def _valid_hash_wrong_shape(blob: bytes) -> bytes:
    """An edited payload whose hash was fixed up: a value of the wrong type must still be refused."""
    header_line, payload = blob.split(b"\n", 1)
    doc = json.loads(payload)
    doc["items"][0]["fee_fen"] = "0"
    payload = json.dumps(doc, ensure_ascii=False).encode()
    header = json.loads(header_line)
    header["payload_sha256"] = hashlib.sha256(payload).hexdigest()
    return json.dumps(header).encode() + b"\n" + payload


@pytest.mark.parametrize(
    "damage",
    [
        lambda blob: blob[: len(blob) // 2],  # torn write
        lambda blob: b"",
        lambda blob: b"\x00\xff garbage",
        lambda blob: b"[1, 2, 3]\n{}",
        _tamper_payload,
        _valid_hash_wrong_shape,
    ],
    ids=["torn", "empty", "garbage", "wrong-header", "edited-payload", "wrong-type"],
)
def test_a_damaged_cache_is_ignored_and_rebuilt(
    tmp_path: Path, validations: list[int], damage: Any, caplog: pytest.LogCaptureFixture
) -> None:
    source = write(tmp_path / "seed.json", full_doc())
    expected = load_catalogue(source, tmp_path / "cache")
    cached = cache_path(tmp_path / "cache", source)
    cached.write_bytes(damage(cached.read_bytes()))

    rebuilt = load_catalogue(source, tmp_path / "cache")

    assert rebuilt == expected and rebuilt.items[0].name == expected.items[0].name
    assert len(validations) == 2
    assert "catalogue cache seed.validated.json unusable" in caplog.text
    assert load_catalogue(source, tmp_path / "cache") == expected and len(validations) == 2  # rewritten sound


def test_an_unwritable_cache_still_gives_the_validated_catalogue(
    tmp_path: Path, validations: list[int], caplog: pytest.LogCaptureFixture
) -> None:
    source = write(tmp_path / "seed.json", full_doc())
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache folder should be", encoding="utf-8")

    assert load_catalogue(source, blocker) == load_catalogue(source, None)
    assert len(validations) == 2  # nothing cached: validated each time
    assert "cannot cache the validated catalogue" in caplog.text
    assert not list(tmp_path.glob(".*.tmp"))  # no temporary file left behind


def test_the_service_validates_a_catalogue_once_across_starts(tmp_path: Path, validations: list[int]) -> None:
    data_dir = tmp_path / "data"
    first = catalogue_service_module.CatalogueService(data_dir)
    restarted = catalogue_service_module.CatalogueService(data_dir)
    assert len(validations) == 0 and restarted.catalogue == first.catalogue  # the seed's shipped validated form

    doc = full_doc()
    doc["version"] = "2026.12.09.1"
    doc["items"][1]["name"] = "城乡居民养老保险待遇申领（新版）"
    first.replace(json.dumps(doc, ensure_ascii=False).encode())  # validated on arrival, and cached
    after_update = catalogue_service_module.CatalogueService(data_dir)

    assert len(validations) == 1  # the update on arrival; the restart after it reads the cache
    assert after_update.source is catalogue_service_module.CatalogueSource.DOWNLOADED
    assert after_update.version == "2026.12.09.1"
    assert after_update.items[1].name == "城乡居民养老保险待遇申领（新版）"
    assert after_update.catalogue == first.catalogue


def test_the_shipped_validated_seed_is_what_validation_builds() -> None:
    seed = resource_path("catalogue", "seed.json")
    shipped = read_cache(shipped_path(seed), hashlib.sha256(seed.read_bytes()).hexdigest(), shipped=True)

    assert shipped is not None, (
        "stale: run .venv/bin/python scripts/build_pinyin_forms.py resources/catalogue/seed.json"
    )
    assert shipped == load_catalogue_file(seed), (
        "stale: run scripts/build_pinyin_forms.py resources/catalogue/seed.json"
    )


def test_a_fresh_terminal_reads_the_seed_without_validating(tmp_path: Path, validations: list[int]) -> None:
    service = catalogue_service_module.CatalogueService(tmp_path / "data")

    assert validations == []
    assert service.catalogue == load_catalogue_file(resource_path("catalogue", "seed.json"))


def test_the_shipped_form_counts_only_for_the_bytes_it_was_made_from(tmp_path: Path, validations: list[int]) -> None:
    seed = resource_path("catalogue", "seed.json")
    doc = json.loads(seed.read_text(encoding="utf-8"))
    doc["items"][0]["name"] = "城乡居民养老保险参保登记（改）"
    edited = write(tmp_path / "seed.json", doc)
    shipped_path(edited).write_bytes(shipped_path(seed).read_bytes())  # the old seed's validated form beside it

    catalogue = load_catalogue(edited, tmp_path / "cache", shipped=True)

    assert len(validations) == 1 and catalogue.items[0].name == "城乡居民养老保险参保登记（改）"


def test_a_lookup_decodes_only_what_is_asked_and_answers_as_the_catalogue(
    tmp_path: Path, validations: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`tongban receipt` asks a cached catalogue for one item (and a 一件事 bundle): the answers are the catalogue's."""
    source = write(tmp_path / "seed.json", full_doc())
    whole = load_catalogue(source, tmp_path / "cache")
    decoded: list[str] = []
    real_item = catalogue_cache._item
    monkeypatch.setattr(catalogue_cache, "_item", lambda raw: decoded.append(raw["code"]) or real_item(raw))

    lookup = catalogue_cache.cached_lookup(source, tmp_path / "cache", lambda: pytest.fail("no fallback needed"))

    assert lookup is not None
    assert lookup.get(whole.items[3].code) == whole.items[3] and decoded == [whole.items[3].code]
    assert all(lookup.get(item.code) == item for item in whole.items)
    assert all(lookup.bundle(bundle.code) == bundle for bundle in whole.bundles) and whole.bundles
    assert lookup.get("NO-SUCH-ITEM") is None and lookup.bundle("NO-SUCH-BUNDLE") is None
    assert len(validations) == 1  # the first load only


@pytest.mark.parametrize("damage", [_tamper_payload, lambda blob: b""], ids=["edited-payload", "empty"])
def test_a_lookup_needs_a_sound_cache(tmp_path: Path, damage: Any) -> None:
    source = write(tmp_path / "seed.json", full_doc())
    load_catalogue(source, tmp_path / "cache")
    cached = cache_path(tmp_path / "cache", source)
    cached.write_bytes(damage(cached.read_bytes()))
    assert catalogue_cache.cached_lookup(source, tmp_path / "cache", lambda: pytest.fail("not reached")) is None
    write(tmp_path / "seed.json", {**full_doc(), "version": "2026.99"})  # another file: its own cache is needed
    assert catalogue_cache.cached_lookup(source, tmp_path / "cache", lambda: pytest.fail("not reached")) is None


def test_an_entry_that_does_not_decode_hands_over_to_the_whole_catalogue(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    source = write(tmp_path / "seed.json", full_doc())
    whole = load_catalogue(source, tmp_path / "cache")
    cached = cache_path(tmp_path / "cache", source)
    cached.write_bytes(_valid_hash_wrong_shape(cached.read_bytes()))  # items[0].fee_fen is text: refused
    calls: list[int] = []

    def fallback() -> Catalogue:
        calls.append(1)
        return whole

    lookup = catalogue_cache.cached_lookup(source, tmp_path / "cache", fallback)
    assert lookup is not None
    assert lookup.get(whole.items[1].code) == whole.items[1] and calls == []  # a sound entry is decoded
    assert lookup.get(whole.items[0].code) == whole.items[0] and calls == [1]
    assert lookup.get(whole.items[2].code) == whole.items[2] and calls == [1]  # the whole catalogue from then on
    assert "catalogue cache entry unusable" in caplog.text
