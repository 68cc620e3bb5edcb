"""CatalogueService with real files in the isolated data directory: load, replace, refuse, fall back."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from app.domain.catalogue import MAX_FILE_BYTES, CatalogueError
from app.domain.catalogue_search import CatalogueIndex
from app.paths import resolve_paths
from app.services.catalogue import CURRENT_FILE, REJECTED_FILE, CatalogueService, CatalogueSource
from resources import resource_path

Doc = dict[str, Any]


@pytest.fixture
def data_dir() -> Path:
    path = resolve_paths().data_dir
    assert "tongban-home" in str(path), "tests must run in the isolated data directory"
    return path


def seed_doc() -> Doc:
    doc: Doc = json.loads(resource_path("catalogue", "seed.json").read_text(encoding="utf-8"))
    return doc


def newer_doc() -> Doc:
    """The seed as the platform might send it next: a new version, one item renamed, one added."""
    doc = seed_doc()
    doc["version"] = "2026.12.01.1"
    doc["published"] = "2026-12-01"
    doc["items"][0]["name"] = "城乡居民基本养老保险参保登记"
    extra = json.loads(json.dumps(doc["items"][1]))
    extra["code"] = "210800200199000"
    extra["name"] = "养老保险个人权益记录查询"
    doc["items"].append(extra)
    return doc


def encode(doc: Doc) -> bytes:
    return json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")


def current_file(data_dir: Path) -> Path:
    return data_dir / "catalogue" / CURRENT_FILE


def test_a_fresh_terminal_uses_the_shipped_seed(data_dir: Path) -> None:
    service = CatalogueService(data_dir)

    assert service.source is CatalogueSource.SEED
    assert service.version == seed_doc()["version"]
    assert len(service.items) == len(seed_doc()["items"])
    assert service.get("210800200301000") is not None
    assert service.search("gjj", 3)[0].category == "公积金"
    assert not current_file(data_dir).exists()


def test_a_search_right_after_start_is_complete_and_correct(data_dir: Path) -> None:
    """The index is built on a worker thread at start; a search that comes first waits and misses nothing."""
    service = CatalogueService(data_dir)
    found = {q: [i.code for i in service.search(q, 200)] for q in ("bdc", "", "gjj", "不动产", "budong", "2108")}

    reference = CatalogueIndex(service.items)
    assert found == {q: [h.item.code for h in reference.search(q, 200)] for q in found}
    assert len(found[""]) == len(seed_doc()["items"])
    assert len(found["bdc"]) >= 4
    assert service.search_ready_now


def test_replace_stores_the_file_and_swaps_at_once(data_dir: Path) -> None:
    service = CatalogueService(data_dir)
    changed: list[str] = []
    service.catalogue_changed.connect(changed.append)
    data = encode(newer_doc())

    result = service.replace(data)

    assert result.version == "2026.12.01.1" == service.version
    assert changed == ["2026.12.01.1"]
    assert service.source is CatalogueSource.DOWNLOADED
    assert current_file(data_dir).read_bytes() == data
    assert service.get("210800200199000") is not None
    assert [i.name for i in service.search("养老保险个人权益")] == ["养老保险个人权益记录查询"]
    assert not list(current_file(data_dir).parent.glob("*.tmp"))


def test_the_stored_catalogue_is_used_after_a_restart(data_dir: Path) -> None:
    CatalogueService(data_dir).replace(encode(newer_doc()))

    restarted = CatalogueService(data_dir)

    assert restarted.source is CatalogueSource.DOWNLOADED
    assert restarted.version == "2026.12.01.1"
    item = restarted.get("210800200101000")
    assert item is not None and item.name == "城乡居民基本养老保险参保登记"


def _mutate(path: list[str | int], value: Any) -> Callable[[Doc], None]:
    def apply(doc: Doc) -> None:
        target: Any = doc
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return apply


def _duplicate_first_code(doc: Doc) -> None:
    doc["items"][5]["code"] = doc["items"][0]["code"]


def _unknown_question(doc: Doc) -> None:
    material = next(m for m in doc["items"][0]["materials"] if "condition" in m)
    material["condition"]["question_id"] = "nobody_asked"


BAD_CATALOGUES: list[tuple[str, Callable[[Doc], None], str]] = [
    ("duplicate item code", _duplicate_first_code, "第6项（编码 210800200101000）的「编码」与第1项重复"),
    ("unknown question", _unknown_question, "引用了不存在的情形问题「nobody_asked」"),
    ("promised over legal", _mutate(["items", 1, "promised_days"], 90), "超过法定时限"),
    ("immediate with days", _mutate(["items", 0, "promised_days"], 2), "应为 0（即办件）"),
    ("unknown delivery", _mutate(["items", 3, "delivery_methods"], ["courier"]), "「送达方式第1项」取值不在允许范围内"),
    (
        "emoji name",
        _mutate(["items", 2, "name"], "资格认证✅"),
        "第3项（编码 210800200103000）的「名称」不能含表情符号",
    ),
    ("control char", _mutate(["items", 2, "guide"], "a\x1bb"), "「办事指南」不能含控制字符"),
    ("huge string", _mutate(["items", 4, "department"], "局" * 3_000_000), "「实施部门」文本过长"),
    ("wrong type", _mutate(["items", 7, "kiosk_allowed"], "yes"), "「自助终端可办」应为 true 或 false"),
]


@pytest.mark.expected_log
@pytest.mark.parametrize(("mutate", "message"), [c[1:] for c in BAD_CATALOGUES], ids=[c[0] for c in BAD_CATALOGUES])
def test_a_bad_replacement_is_refused_and_the_last_good_catalogue_stays(
    data_dir: Path, mutate: Callable[[Doc], None], message: str
) -> None:
    service = CatalogueService(data_dir)
    good = encode(newer_doc())
    service.replace(good)
    rejected: list[str] = []
    service.catalogue_rejected.connect(rejected.append)
    doc = newer_doc()
    doc["version"] = "2026.12.02.1"
    mutate(doc)

    with pytest.raises(CatalogueError) as info:
        service.replace(encode(doc))

    assert message in info.value.message_zh
    assert rejected == [info.value.message_zh]
    assert service.version == "2026.12.01.1"
    assert current_file(data_dir).read_bytes() == good
    assert CatalogueService(data_dir).version == "2026.12.01.1", "a restart still finds the last good one"


@pytest.mark.expected_log
@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x00\x01garbage", "不是有效的 JSON"),
        (b'{"schema_version": 1, "items": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "嵌套层级过深"),
        (b" " * (MAX_FILE_BYTES + 1), "事项目录文件过大"),
        (b'{"schema_version": 7}', "请升级程序"),
    ],
    ids=["garbage", "deep nesting", "over 20 MB", "newer schema"],
)
def test_an_unreadable_replacement_is_refused(data_dir: Path, data: bytes, message: str) -> None:
    service = CatalogueService(data_dir)

    with pytest.raises(CatalogueError) as info:
        service.replace(data)

    assert message in info.value.message_zh
    assert service.source is CatalogueSource.SEED
    assert service.search("bdc")
    assert not current_file(data_dir).exists()


def test_the_refusal_is_logged_in_english_naming_item_and_field(
    data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    service = CatalogueService(data_dir)
    doc = seed_doc()
    doc["items"][1]["legal_days"] = 1

    with caplog.at_level(logging.WARNING, logger="tongban.catalogue"), pytest.raises(CatalogueError):
        service.replace(encode(doc))

    [record] = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert "item #2 (210800200102000) field promised_days" in record.getMessage()
    assert f"keeping version {doc['version']}" in record.getMessage()


def test_a_corrupt_stored_catalogue_falls_back_to_the_seed(data_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    current_file(data_dir).parent.mkdir(parents=True)
    current_file(data_dir).write_bytes(b'{"schema_version": 1, "items": [')

    with caplog.at_level(logging.WARNING, logger="tongban.catalogue"):
        service = CatalogueService(data_dir)

    assert service.source is CatalogueSource.SEED
    assert len(service.items) == len(seed_doc()["items"])
    assert "falling back to the shipped seed" in caplog.text
    assert not current_file(data_dir).exists()
    assert (current_file(data_dir).parent / REJECTED_FILE).read_bytes().startswith(b'{"schema_version"')


def test_an_oversized_stored_catalogue_is_not_read(data_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    current_file(data_dir).parent.mkdir(parents=True)
    with current_file(data_dir).open("wb") as fh:
        fh.truncate(MAX_FILE_BYTES + 1)

    with caplog.at_level(logging.WARNING, logger="tongban.catalogue"):
        service = CatalogueService(data_dir)

    assert service.source is CatalogueSource.SEED
    assert "too large" in caplog.text


@pytest.mark.expected_log
def test_a_replacement_that_cannot_be_stored_changes_nothing(data_dir: Path) -> None:
    (data_dir / "catalogue").write_bytes(b"a file where the folder should be")
    service = CatalogueService(data_dir)

    with pytest.raises(CatalogueError) as info:
        service.replace(encode(newer_doc()))

    assert "无法保存新的事项目录" in info.value.message_zh
    assert service.source is CatalogueSource.SEED
    assert service.version == seed_doc()["version"]


def test_a_broken_seed_is_a_packaging_error(data_dir: Path, tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text('{"schema_version": 1}', encoding="utf-8")

    with pytest.raises(CatalogueError, match="invalid catalogue"):
        CatalogueService(data_dir, seed_path=seed)
