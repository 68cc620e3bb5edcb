"""The catalogue search index is built off the GUI thread once the window is up, and a search never sees it half
built."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from app.domain import catalogue_search
from app.domain.catalogue import load_catalogue_file
from app.domain.catalogue_search import BackgroundIndex, CatalogueIndex
from app.domain.models import ServiceItem
from app.paths import resolve_paths
from app.services.catalogue import CatalogueService
from resources import resource_path

QUERIES = ("", "bdc", "gjj", "budong", "不动产", "社保", "zufang", "2108")
WORKER = "catalogue-index"


@pytest.fixture(scope="module")
def seed_items() -> tuple[ServiceItem, ...]:
    return load_catalogue_file(resource_path("catalogue", "seed.json")).items


def codes(hits: list[catalogue_search.SearchHit]) -> list[str]:
    return [hit.item.code for hit in hits]


class Gate:
    """Holds the background build inside its first item until `release()`; other threads build freely."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, *, fail: bool = False) -> None:
        self.entered = threading.Event()
        self._open = threading.Event()
        self._fail = fail
        self.worker: threading.Thread | None = None
        real = catalogue_search._build_entry

        def gated(item: ServiceItem, *rest: Any) -> catalogue_search._Entry:
            if threading.current_thread().name == WORKER:
                self.worker = threading.current_thread()
                self.entered.set()
                if self._fail:
                    raise RuntimeError("simulated build failure")
                assert self._open.wait(10), "test never released the gate"
            return real(item, *rest)

        monkeypatch.setattr(catalogue_search, "_build_entry", gated)

    def release(self) -> None:
        self._open.set()


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[Gate]:
    held = Gate(monkeypatch)
    yield held
    held.release()  # never leave a worker blocked


def test_a_search_during_the_background_build_waits_for_every_item(
    gate: Gate, seed_items: tuple[ServiceItem, ...]
) -> None:
    expected = {q: codes(CatalogueIndex(seed_items).search(q, 100)) for q in QUERIES}
    index = BackgroundIndex(seed_items)
    index.start()
    assert gate.entered.wait(10)
    assert not index.ready

    threading.Timer(0.05, gate.release).start()  # the search below must block until then
    first = codes(index.search("bdc", 100))

    assert index.ready
    assert first == expected["bdc"]
    assert len(first) >= 4
    assert {q: codes(index.search(q, 100)) for q in QUERIES} == expected


def test_a_failed_background_build_is_redone_by_the_first_search(
    monkeypatch: pytest.MonkeyPatch, seed_items: tuple[ServiceItem, ...], caplog: pytest.LogCaptureFixture
) -> None:
    gate = Gate(monkeypatch, fail=True)
    index = BackgroundIndex(seed_items)
    index.start()
    assert gate.entered.wait(10)
    assert gate.worker is not None
    gate.worker.join(10)
    assert not index.ready

    hits = index.search("gjj", 100)

    assert codes(hits) == codes(CatalogueIndex(seed_items).search("gjj", 100))
    assert len(hits) >= 6
    assert "building the catalogue search index in the background failed" in caplog.text


def test_the_service_builds_the_index_once_the_event_loop_runs_and_announces_it(gate: Gate, qtbot: QtBot) -> None:
    data_dir: Path = resolve_paths().data_dir
    service = CatalogueService(data_dir)

    # Loading built nothing: the catalogue is there, the index waits for the event loop (the window is up).
    assert not service.search_ready_now
    assert not gate.entered.is_set()
    assert service.get("210800200301000") is not None
    qtbot.wait_until(gate.entered.is_set, timeout=10_000)
    assert not service.search_ready_now
    with qtbot.wait_signal(service.search_ready, timeout=10_000):
        gate.release()

    assert service.search_ready_now
    assert service.search("gjj", 3)[0].category == "公积金"


def test_start_search_index_builds_off_the_calling_thread_once(gate: Gate, seed_items: tuple[ServiceItem, ...]) -> None:
    earlier = set(threading.enumerate())  # a build another test left running is not this index's
    index = BackgroundIndex(seed_items)
    index.start()
    index.start()
    assert gate.entered.wait(10)

    ours = [t for t in threading.enumerate() if t.name == WORKER and t not in earlier]
    assert len(ours) == 1
    gate.release()
    assert len(index.get()) == len(seed_items)


def test_a_dropped_service_goes_at_once_not_with_a_later_garbage_collection(qapp: object) -> None:
    """No reference cycle through the index's callback: otherwise only the cyclic collector frees the service, on
    whatever thread it happens to run (the index worker importing pypinyin, say), and a QObject destroyed off the
    GUI thread crashed the test process now and then (issue 11: the suite may not flake)."""
    import gc
    import weakref

    gc.disable()
    try:
        service = CatalogueService(resolve_paths().data_dir)
        ref = weakref.ref(service)
        del service
        assert ref() is None
    finally:
        gc.enable()


def test_no_index_build_starts_after_the_terminal_closed(qapp: object, tmp_path: Path) -> None:
    """The delayed start (`INDEX_START_DELAY_MS` after the event loop runs) is cancelled by close: a terminal closed
    sooner used to start a build later anyway, on a worker nobody waited for, which then ran (and could fail and
    log) in whatever came next — another test, or the teardown of this one's data directory."""
    from PySide6.QtCore import QTimer

    from app.config import config_from_dict
    from app.paths import AppPaths
    from app.services.terminal import open_terminal

    paths = AppPaths(data_dir=tmp_path / "data", config_file=tmp_path / "c.toml", log_dir=tmp_path / "logs")
    terminal = open_terminal(config=config_from_dict({"terminal_code": "003"}), paths=paths)
    service = terminal.catalogue
    start = service.findChild(QTimer, "catalogue_index_start")
    assert start is not None and start.isActive()

    terminal.close()

    assert not start.isActive()
    service.start_search_index()  # what the timer would have done: nothing now
    assert service._active.index.finished and not service.search_ready_now
    assert service.search("gjj", 3)[0].category == "公积金"  # a search after close still answers (built here)


def test_close_waits_for_the_build_of_a_catalogue_replaced_meanwhile(gate: Gate, tmp_path: Path) -> None:
    """A pulled catalogue swaps the index while the old one is still building on its worker: close waits for that
    worker too (it used to wait only for the index in use, so the old build outlived the terminal)."""
    import json

    seed = resource_path("catalogue", "seed.json")
    service = CatalogueService(tmp_path / "data")
    service.start_search_index()
    assert gate.entered.wait(10)
    old_worker = gate.worker
    assert old_worker is not None

    doc = json.loads(seed.read_text(encoding="utf-8"))
    doc["version"] = "2026.12.09.1"
    service.replace(json.dumps(doc, ensure_ascii=False).encode())  # built on this thread: passes the gate
    assert service.version == "2026.12.09.1" and service.search_ready_now

    assert not service.close(0.0)  # the replaced catalogue's build still runs: close says so
    assert old_worker.is_alive()
    gate.release()
    assert service.close(10.0)
    assert not old_worker.is_alive()
