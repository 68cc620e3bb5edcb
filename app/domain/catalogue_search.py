"""Search over catalogue items for every keystroke: item code, Chinese name, and pinyin (`bdc`, `budong`).

Everything about pinyin is computed once when the index is built (from the catalogue's precomputed forms); a
query is normalised (NFKC, lower case, whitespace and invisible characters dropped, length capped) and answered
by plain string operations.

Ranking: exact code > code prefix > name prefix > pinyin prefix > name substring > pinyin substring (at a
syllable boundary) > initials through a polyphone's other reading > category/department match; ties by the
caller's usage boost (higher first), then by the name's pinyin (the order a Chinese index uses), then by code.

Start-up and memory: the pinyin comes from the catalogue's precomputed forms (`pinyin_forms`: pypinyin's
dictionaries cost ~200 ms and ~80 MB), and `BackgroundIndex` runs the build on a worker thread after the window
comes up. A search never sees a partial index: it waits for the build (or runs it itself).
"""

from __future__ import annotations

import heapq
import itertools
import logging
import math
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import IntEnum

from app.domain.models import ServiceItem
from app.domain.pinyin_forms import PinyinForms, is_han, normalise_text

log = logging.getLogger("tongban.catalogue")

#: Only this many characters of raw input are looked at: a pasted 10 MB string costs nothing.
MAX_RAW_QUERY_CHARS = 256
#: Queries are cut to this length after normalisation; no item field is longer in practice.
MAX_QUERY_CHARS = 64
#: Queries whose matches are kept for narrowing the next keystroke and for backspace.
RECENT_QUERIES = 64
#: Cap on initials spellings per item when characters have several readings (重 zhong/chong, 行 xing/hang).
MAX_INITIALS_VARIANTS = 16

_DROP_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp"})


class MatchKind(IntEnum):
    """How an item matched; lower is better."""

    EXACT_CODE = 0
    CODE_PREFIX = 1
    NAME_PREFIX = 2
    PINYIN_PREFIX = 3  # initials (bdc) or full pinyin (budong) from the start of the name
    NAME_SUBSTRING = 4
    PINYIN_SUBSTRING = 5  # initials or full pinyin from a later syllable
    ALT_READING = 6  # initials only through another reading of a polyphone (重 zhong, 行 xing)
    OTHER_FIELD = 7  # category or department
    ALL = 8  # empty query: every item


@dataclass(frozen=True, slots=True)
class SearchHit:
    item: ServiceItem
    match: MatchKind


def normalise_query(text: str) -> str:
    """NFKC, lower case, no whitespace or invisible/control characters, at most `MAX_QUERY_CHARS`."""
    head = unicodedata.normalize("NFKC", text[:MAX_RAW_QUERY_CHARS]).lower()
    return "".join(ch for ch in head if unicodedata.category(ch) not in _DROP_CATEGORIES)[:MAX_QUERY_CHARS]


def _syllables(name: str, forms: PinyinForms) -> list[tuple[str, str | None]]:
    """(token, Chinese character or None) pairs: a pinyin syllable per Chinese character, read phrase-aware per run
    of Chinese text (重庆 chong-qing, 银行 yin-hang); letters and digits kept as they are; punctuation dropped."""
    out: list[tuple[str, str | None]] = []
    for han, group in itertools.groupby(name, key=is_han):
        run = "".join(group)
        if not han:
            out.extend((ch, None) for ch in run if ch.isalnum())
            continue
        out.extend((token, ch) for token, ch in zip(forms.run(run), run, strict=True) if token)
    return out


@dataclass(frozen=True, slots=True)
class _Entry:
    item: ServiceItem
    code: str
    name: str
    initials: str  # initials of the phrase-aware reading
    alt_initials: str  # initials through other readings of polyphones, "\x00"-joined
    full: str  # full pinyin without separators
    boundaries: frozenset[int]  # syllable start offsets in `full`
    other: str  # category and department, normalised
    other_pinyin: tuple[str, ...]  # category initials and full pinyin
    haystack: str  # every searchable string joined: a cheap first filter
    order: tuple[str, str, str]  # default tie order: pinyin of the name, name, code


_norm = normalise_text


def _category_pinyin(category: str, forms: PinyinForms) -> tuple[str, str]:
    """(initials, full pinyin) of a category: a handful of distinct values shared by many items."""
    tokens = [t for t, _ in _syllables(category, forms)]
    return "".join(t[0] for t in tokens), "".join(tokens)


def _build_entry(item: ServiceItem, forms: PinyinForms | None = None) -> _Entry:
    """`forms`: the catalogue's precomputed pinyin (see `pinyin_forms`); what it lacks is computed with pypinyin."""
    forms = forms if forms is not None else PinyinForms()
    name = _norm(item.name)
    syllables = _syllables(name, forms)
    tokens = [t for t, _ in syllables]
    full = "".join(tokens)
    boundaries = frozenset(itertools.accumulate((len(t) for t in tokens[:-1]), initial=0))
    variants: list[str] = ["".join(t[0] for t in tokens)]
    for index, (token, ch) in enumerate(syllables):
        if ch is None:
            continue
        alternatives = [a for a in forms.char_initials(ch) if a != token[0]]
        if not alternatives:
            continue
        extra = [v[:index] + a + v[index + 1 :] for v in variants for a in alternatives]
        if len(variants) + len(extra) > MAX_INITIALS_VARIANTS:
            continue
        variants.extend(extra)
    alternatives_joined = "\x00".join(dict.fromkeys(v for v in variants[1:] if v != variants[0]))
    category = _norm(item.category)
    other = f"{category}|{_norm(item.department)}"
    other_pinyin = _category_pinyin(category, forms)
    code = _norm(item.code)
    haystack = "\x00".join((code, name, variants[0], alternatives_joined, full, other, *other_pinyin))
    return _Entry(
        item=item,
        code=code,
        name=name,
        initials=variants[0],
        alt_initials=alternatives_joined,
        full=full,
        boundaries=boundaries,
        other=other,
        other_pinyin=other_pinyin,
        haystack=haystack,
        order=(full, item.name, item.code),
    )


def _match(entry: _Entry, q: str) -> MatchKind | None:  # noqa: PLR0911 - one return per rank reads best
    if q not in entry.haystack:
        return None
    if entry.code == q:
        return MatchKind.EXACT_CODE
    if entry.code.startswith(q):
        return MatchKind.CODE_PREFIX
    if entry.name.startswith(q):
        return MatchKind.NAME_PREFIX
    if entry.full.startswith(q) or entry.initials.startswith(q):
        return MatchKind.PINYIN_PREFIX
    if q in entry.name:
        return MatchKind.NAME_SUBSTRING
    if q in entry.initials or _at_boundary(entry, q):
        return MatchKind.PINYIN_SUBSTRING
    if q in entry.alt_initials:
        return MatchKind.ALT_READING
    if q in entry.other or entry.other_pinyin[0].startswith(q) or entry.other_pinyin[1].startswith(q):
        return MatchKind.OTHER_FIELD
    return None


def _at_boundary(entry: _Entry, q: str) -> bool:
    """Whether `q` occurs in the full pinyin starting at a syllable (`dongchan` in `budongchan`, not `ongchan`)."""
    if len(q) < 2 or q[0] not in entry.initials:  # one letter at a boundary is an initial: already checked
        return False
    full, boundaries = entry.full, entry.boundaries
    start = full.find(q)
    while start != -1:
        if start in boundaries:
            return True
        start = full.find(q, start + 1)
    return False


def _clean_boost(boost: Mapping[str, float] | None) -> dict[str, float]:
    if not boost:
        return {}
    return {k: float(v) for k, v in boost.items() if isinstance(v, int | float) and math.isfinite(v) and v != 0}


class CatalogueIndex:
    """A search index over one catalogue's items. Build once per catalogue; search per keystroke.

    Typing extends the query one character at a time, and every rule of `_match` is monotone (what matches
    `abc` also matches `ab`), so the matches of a recent query that is a prefix of the new one are the only
    candidates left to check. A small cache of recent queries' matches also makes backspace free.
    """

    def __init__(
        self, items: Iterable[ServiceItem], *, recent_queries: int = RECENT_QUERIES, forms: PinyinForms | None = None
    ) -> None:
        """`recent_queries=0` turns the cache off (every search scans the whole catalogue). `forms`: the
        catalogue's precomputed pinyin; without them (or for what they lack) pypinyin is imported and asked."""
        self._capacity = max(recent_queries, 0)
        forms = forms if forms is not None else PinyinForms()
        self._entries: tuple[_Entry, ...] = tuple(
            sorted((_build_entry(i, forms) for i in items), key=lambda e: e.order)
        )
        self._position: dict[str, int] = {e.item.code: p for p, e in enumerate(self._entries)}
        self._recent: OrderedDict[str, tuple[tuple[int, int], ...]] = OrderedDict()
        self._recent_lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def search(self, text: str, limit: int = 20, boost: Mapping[str, float] | None = None) -> list[SearchHit]:
        """The best `limit` items for what was typed; an empty query lists items by boost, then by name.

        `boost` maps item codes to a usage score (recent/frequent items higher); it only breaks ties within a
        match kind, so a better match always comes first.
        """
        if limit <= 0:
            return []
        q = normalise_query(text)
        scores = _clean_boost(boost)
        if not q:
            return self._all(limit, scores)
        entries = self._entries
        matches = self._matches(q)
        if scores:
            ranked = [(k, -scores.get(entries[p].item.code, 0.0), p) for k, p in matches]
        else:
            ranked = [(k, 0.0, p) for k, p in matches]
        return [SearchHit(entries[p].item, MatchKind(k)) for k, _, p in heapq.nsmallest(limit, ranked)]

    def _matches(self, q: str) -> tuple[tuple[int, int], ...]:
        """(match kind, position) of every item matching `q`, from the cache or the narrowest candidates."""
        with self._recent_lock:
            cached = self._recent.get(q)
            if cached is not None:
                self._recent.move_to_end(q)
                return cached
            base = next((self._recent[q[:n]] for n in range(len(q) - 1, 0, -1) if q[:n] in self._recent), None)
        entries = self._entries
        positions = range(len(entries)) if base is None else [p for _, p in base]
        found = []
        for position in positions:
            kind = _match(entries[position], q)
            if kind is not None:
                found.append((int(kind), position))
        result = tuple(found)
        with self._recent_lock:
            self._recent[q] = result
            while len(self._recent) > self._capacity:
                self._recent.popitem(last=False)
        return result

    def _all(self, limit: int, scores: Mapping[str, float]) -> list[SearchHit]:
        """Boosted items by score, then the rest in name order, without sorting the whole catalogue."""
        boosted = sorted((-score, self._position[code]) for code, score in scores.items() if code in self._position)
        taken = {p for _, p in boosted[:limit]}
        head = [p for _, p in boosted[:limit]]
        tail = itertools.islice((p for p in range(len(self._entries)) if p not in taken), limit - len(head))
        return [SearchHit(self._entries[p].item, MatchKind.ALL) for p in itertools.chain(head, tail)]


class BackgroundIndex:
    """A `CatalogueIndex` that can be built on a worker thread, so that loading a catalogue does not wait for it.

    Nothing is built until `start()` (worker thread) or the first `get()`/`search()` (calling thread). `get()`
    returns the complete index: it waits while the worker builds it, and builds it itself when the worker has not
    started or failed. Either way every search sees every item.
    """

    def __init__(
        self,
        items: Iterable[ServiceItem],
        *,
        on_ready: Callable[[], None] | None = None,
        forms: Callable[[], PinyinForms | None] | None = None,
    ) -> None:
        """`on_ready` is called on the worker thread once the worker finds the index built (whoever built it).
        `forms` gives the catalogue's precomputed pinyin (read when the index is built, on its thread)."""
        self._items = tuple(items)
        self._forms = forms
        self._lock = threading.Lock()  # held for the whole build: a second builder waits for the first
        self._index: CatalogueIndex | None = None
        self._on_ready = on_ready
        self._worker_lock = threading.Lock()  # not the build lock: `start()` never waits for a build
        self._worker: threading.Thread | None = None

    def start(self) -> None:
        """Build on a worker thread (once; later calls do nothing)."""
        with self._worker_lock:
            if self._worker is not None:
                return
            # Not a daemon: a build cut off by interpreter shutdown could die inside an import.
            self._worker = threading.Thread(target=self._build_in_background, name="catalogue-index")
            self._worker.start()

    def join(self, timeout: float) -> bool:
        """Wait for the worker (if started) to finish; False if it still runs after `timeout` seconds."""
        worker = self._worker
        if worker is None:
            return True
        worker.join(timeout)
        return not worker.is_alive()

    @property
    def finished(self) -> bool:
        """Whether no worker of this index runs (none started, or it ended)."""
        worker = self._worker
        return worker is None or not worker.is_alive()

    @property
    def ready(self) -> bool:
        """Whether the index is built (a `get()` now returns at once)."""
        return self._index is not None

    def __len__(self) -> int:
        return len(self._items)

    def get(self) -> CatalogueIndex:
        index = self._index
        if index is not None:
            return index
        with self._lock:
            if self._index is None:
                self._index = CatalogueIndex(self._items, forms=self._forms() if self._forms is not None else None)
            return self._index

    def search(self, text: str, limit: int = 20, boost: Mapping[str, float] | None = None) -> list[SearchHit]:
        """`CatalogueIndex.search` on the complete index (waits for the build if it is still running)."""
        return self.get().search(text, limit, boost)

    def _build_in_background(self) -> None:
        try:
            self.get()
        except Exception:  # the first search builds again on its own thread and raises there
            log.exception("building the catalogue search index in the background failed")
            return
        if self._on_ready is not None:
            self._on_ready()
