"""The active service-item catalogue: loaded at start, searched per keystroke, replaced when the platform sends one.

The catalogue in use is `<data_dir>/catalogue/current.json` when that file is present and valid, else the seed
shipped in `resources/catalogue/seed.json`. `replace()` validates new bytes completely before anything changes;
on any error the catalogue in use (and the file on disk) stays as it was. What validation built is cached
(`catalogue_cache`, keyed by the file's sha256 and the code version), so a start whose catalogue was validated
before reads it without pydantic.

The search index (pinyin of every item, and pypinyin's ~200 ms import) is not built at load: it is built on a
worker thread `INDEX_START_DELAY_MS` after the Qt event loop starts (the first screen is up), or earlier by
`start_search_index()`, or on the calling thread by the first search, whichever comes first. A search never sees a
partial index. The worker does not run while the window is built or first painted because a Python thread takes
the GIL from the GUI thread (pypinyin's import holds it for tens of ms at a time): measured, a worker started at
load made start-up no faster than building on the GUI thread, and one started at the first event-loop turn delayed
"window shown and idle" by ~200 ms.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal

from app.domain.catalogue import Catalogue, CatalogueError, parse_catalogue
from app.domain.catalogue_search import BackgroundIndex, SearchHit
from app.domain.models import Bundle, ServiceItem
from app.domain.pinyin_forms import (
    PinyinForms,
    catalogue_texts,
    compute_forms,
    compute_forms_into,
    forms_path,
    load_forms,
)
from app.services.catalogue_cache import CACHE_DIR, load_catalogue, store_validated
from offline_cache.files import write_atomically
from resources import resource_path

log = logging.getLogger("tongban.catalogue")

CURRENT_FILE = "current.json"
#: The first screen is the sign-in page, so nobody searches within the first seconds: the index waits this long
#: after the event loop starts, so that the first paint and the first input do not compete with it for the GIL.
INDEX_START_DELAY_MS = 500
#: A current.json that failed validation at start is moved here (one copy, for diagnosis).
REJECTED_FILE = "current.rejected.json"


class CatalogueSource(StrEnum):
    SEED = "seed"  # shipped with the program
    DOWNLOADED = "downloaded"  # received from the platform and stored in the data directory


@dataclass(frozen=True, slots=True)
class _Active:
    """Catalogue and its index, swapped together as one reference."""

    catalogue: Catalogue
    index: BackgroundIndex
    source: CatalogueSource


class CatalogueService(QObject):
    """Owns the catalogue in use. Safe to call `replace` from the sync worker thread.

    Signals:
        catalogue_changed(str): a new catalogue is in use; the argument is its version.
        catalogue_rejected(str): a replacement was refused; the argument is the message for the screen (Chinese).
        search_ready(): the search index of the catalogue loaded at start is ready (emitted once, from the worker
            thread, so receivers on the GUI thread get it queued). A screen that lists items at start can show
            them then, instead of making its first `search` build the index on the GUI thread (`search_ready_now`).
    """

    catalogue_changed = Signal(str)
    catalogue_rejected = Signal(str)
    search_ready = Signal()

    def __init__(self, data_dir: Path, *, seed_path: Path | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._dir = data_dir / "catalogue"
        self._cache_dir = self._dir / CACHE_DIR
        self._seed_path = seed_path if seed_path is not None else resource_path("catalogue", "seed.json")
        self._lock = threading.Lock()  # held by `replace` for the whole validation (the sync worker's thread)
        # Guards `_closed` and `_indexes` only (never held for long): the GUI thread never waits for a replacement.
        self._workers_lock = threading.Lock()
        self._closed = False
        self._active = self._load_initial()
        # Every index this service made (a replaced one's build may still run): `close()` waits for all of them.
        self._indexes: list[BackgroundIndex] = [self._active.index]
        self._index_timer: QTimer | None = None
        if QCoreApplication.instance() is not None:
            # Fires once the event loop runs (the window is up); never without an event loop (CLI, most tests),
            # where the first search builds the index instead. A timer object of our own, not a static
            # `QTimer.singleShot`: `close()` must be able to cancel it, or a build starts after the terminal closed
            # and nobody waits for it.
            self._index_timer = QTimer(self)
            self._index_timer.setObjectName("catalogue_index_start")
            self._index_timer.setSingleShot(True)
            self._index_timer.timeout.connect(self.start_search_index)
            self._index_timer.start(INDEX_START_DELAY_MS)

    # --- queries ---------------------------------------------------------------------------------------------

    @property
    def catalogue(self) -> Catalogue:
        return self._active.catalogue

    @property
    def items(self) -> tuple[ServiceItem, ...]:
        return self._active.catalogue.items

    @property
    def version(self) -> str:
        return self._active.catalogue.version

    @property
    def source(self) -> CatalogueSource:
        return self._active.source

    def start_search_index(self) -> None:
        """Build the search index on a worker thread now (once); `search_ready` is emitted when it is ready.
        Does nothing once the service is closed."""
        with self._workers_lock:
            if self._closed:
                return
            self._active.index.start()

    def close(self, timeout: float) -> bool:
        """No index build starts from now on, and the builds already running (also of a catalogue replaced meanwhile)
        are waited for (bounded), so that no worker outlives the terminal or signals a deleted object. False if one
        still runs after `timeout` seconds. A search after close still works (it builds on the calling thread)."""
        with self._workers_lock:
            self._closed = True
        if self._index_timer is not None:
            self._index_timer.stop()
        return self.wait_for_index(timeout)

    def wait_for_index(self, timeout: float) -> bool:
        """Wait (bounded) for the index builds running on worker threads (see `close`, which also stops new ones).
        False if one still runs after `timeout` seconds."""
        with self._workers_lock:
            indexes = list(self._indexes)
        deadline = time.monotonic() + timeout
        return all([index.join(max(deadline - time.monotonic(), 0.0)) for index in indexes])  # joins every one

    @property
    def search_ready_now(self) -> bool:
        """Whether the search index is built; `search` before that waits for it (never returns partial results)."""
        return self._active.index.ready

    def get(self, code: str) -> ServiceItem | None:
        return self._active.catalogue.get(code)

    def bundle(self, code: str) -> Bundle | None:
        """The 一件事 bundle with this code in the catalogue in use."""
        return self._active.catalogue.bundle(code)

    def search(self, text: str, limit: int = 20, boost: Mapping[str, float] | None = None) -> list[ServiceItem]:
        """Items for what the clerk typed, best first (see `catalogue_search`); `boost`: code → usage score."""
        return [hit.item for hit in self._active.index.search(text, limit, boost)]

    def search_hits(self, text: str, limit: int = 20, boost: Mapping[str, float] | None = None) -> list[SearchHit]:
        """Like `search`, with how each item matched (for highlighting)."""
        return self._active.index.search(text, limit, boost)

    # --- replacement -----------------------------------------------------------------------------------------

    def replace(self, data: bytes) -> Catalogue:
        """Validate `data` as a catalogue, store it as current.json and put it in use.

        Raises `CatalogueError` (with `message_zh` for the screen) when the data is invalid, or when it cannot be
        stored; either way the catalogue in use and the stored file are unchanged.
        """
        error: CatalogueError | None = None
        with self._lock:
            old_version = self.version
            try:
                catalogue = parse_catalogue(data)
                # Pinyin forms computed here, on the sync worker's thread (never on the start path), and stored
                # beside the catalogue so that the next start reads them instead of loading pypinyin.
                forms = compute_forms(catalogue_texts(catalogue.items))
                index = BackgroundIndex(catalogue.items, forms=lambda: forms)
                index.get()  # built here (the sync worker's thread), so the swap never makes a search wait
                self._write_atomically(data)
                self._write_forms(forms)
                store_validated(self._cache_dir, self._dir / CURRENT_FILE, data, catalogue)
            except CatalogueError as exc:
                error = exc
            else:
                with self._workers_lock:
                    self._active = _Active(catalogue, index, CatalogueSource.DOWNLOADED)
                    self._indexes = [i for i in self._indexes if not i.finished] + [index]
        # Signals go out after the lock is released, so a slot may call back into the service.
        if error is not None:
            log.warning("catalogue replacement refused, keeping version %s: %s", old_version, error)
            self.catalogue_rejected.emit(error.message_zh)
            raise error
        log.info(
            "catalogue replaced: version %s -> %s (%d items)", old_version, catalogue.version, len(catalogue.items)
        )
        self.catalogue_changed.emit(catalogue.version)
        return catalogue

    def _write_forms(self, forms: PinyinForms) -> None:
        _write_forms(self._dir / CURRENT_FILE, forms)

    def _write_atomically(self, data: bytes) -> None:
        try:
            write_atomically(self._dir / CURRENT_FILE, data, mode=0o644)
        except OSError as exc:
            raise CatalogueError(
                "无法保存新的事项目录（磁盘已满或没有写入权限），继续使用当前目录",
                f"cannot store the new catalogue: {exc.strerror or exc}",
            ) from exc

    # --- start-up --------------------------------------------------------------------------------------------

    def _load_initial(self) -> _Active:
        current = self._dir / CURRENT_FILE
        if current.exists():
            try:
                catalogue = load_catalogue(current, self._cache_dir)
            except CatalogueError as exc:
                log.warning("stored catalogue rejected, falling back to the shipped seed: %s", exc)
                self._set_aside(current)
            else:
                log.info("catalogue %s loaded from the data directory", catalogue.version)
                items = catalogue.items
                # The forms closure holds no reference to the service (see `_weak_announce`).
                index = BackgroundIndex(
                    items, on_ready=self._weak_announce(), forms=lambda: _forms_for(current, items, store=True)
                )
                return _Active(catalogue, index, CatalogueSource.DOWNLOADED)
        # An invalid seed is a packaging bug: let it raise.
        catalogue = load_catalogue(self._seed_path, self._cache_dir, shipped=True)
        log.info("catalogue %s loaded from the shipped seed", catalogue.version)
        seed, items = self._seed_path, catalogue.items
        index = BackgroundIndex(
            items, on_ready=self._weak_announce(), forms=lambda: _forms_for(seed, items, store=False)
        )
        return _Active(catalogue, index, CatalogueSource.SEED)

    def _weak_announce(self) -> Callable[[], None]:
        """`_announce_ready` without a strong reference to the service.

        A strong one made a cycle (service → index → bound method → service) that only the cyclic garbage collector
        frees — and it runs on whichever thread allocates at that moment, e.g. the index worker importing pypinyin.
        A QObject (with its timer) destroyed off the GUI thread crashed the test process now and then (issue 11:
        the suite may not flake). Without the cycle the service goes with its last reference, on its own thread.
        """
        announce = weakref.WeakMethod(self._announce_ready)

        def call() -> None:
            method = announce()
            if method is not None:
                method()

        return call

    def _announce_ready(self) -> None:
        """Worker thread: tell the screens, unless the service was destroyed meanwhile (a short-lived CLI use)."""
        with contextlib.suppress(RuntimeError):  # "Internal C++ object already deleted"
            self.search_ready.emit()

    def _set_aside(self, current: Path) -> None:
        try:
            os.replace(current, current.with_name(REJECTED_FILE))
        except OSError as exc:
            log.warning("could not move the rejected catalogue aside: %s", exc.strerror or exc)


def _write_forms(catalogue_path: Path, forms: PinyinForms) -> None:
    """Store a catalogue's pinyin forms beside it; without them the next start computes them (slower, bigger)."""
    try:
        write_atomically(forms_path(catalogue_path), forms.to_json(), mode=0o644)
    except OSError as exc:
        log.warning("cannot store the catalogue's pinyin forms: %s", exc.strerror or exc)


def _forms_for(path: Path, items: tuple[ServiceItem, ...], *, store: bool) -> PinyinForms:
    """The forms stored beside `path`; missing ones are computed (pypinyin) and, with `store`, written back."""
    forms = load_forms(path) or PinyinForms()
    if not compute_forms_into(forms, items):
        log.info("pinyin forms of %s incomplete: computed with pypinyin", path.name)
        if store:
            _write_forms(path, forms)
    return forms
