"""Chinese entry by pinyin for touch keyboards: letters in, candidate words and characters out.

Built on a compact table made ahead of time from pypinyin (`resources/pinyin/input.json`, written by
`scripts/build_pinyin_table.py`; a few MB read when a keyboard is first shown, instead of pypinyin's ~80 MB): the
GB2312 characters' readings and 37k keys of common phrases, tones dropped. Candidates for a composition such as
`shebao`: whole words whose pinyin is exactly the letters (社保 before 射爆), then characters of the first syllable
(`she` → 社 设 舍 …), each list with the characters and words of the `prefer` texts first (the kiosk passes the
catalogue's item names, so 社保 and 户口 lead), then the common characters (GB2312 level 1) before the rare ones.
Choosing a character keeps the remaining letters composing (`bao`). No Qt; the one read is the shipped table."""

from __future__ import annotations

import json
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

MAX_CANDIDATES = 64


def strip_tone(syllable: str) -> str:
    """`lǜ` → `lv`, `shí` → `shi`."""
    text = syllable.replace("ü", "v").replace("Ü", "v")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)).lower()


def gb_level(char: str) -> int:
    """1: GB2312 level 1 (the 3,755 common characters); 2: level 2; 3: anything else."""
    try:
        encoded = char.encode("gb2312")
    except UnicodeEncodeError:
        return 3
    return 1 if 0xB0 <= encoded[0] <= 0xD7 else 2


_gb_level = gb_level


@dataclass(frozen=True, slots=True)
class Candidate:
    text: str
    rest: str  # the letters still composing after this candidate is chosen


#: `resources/pinyin/input.json`'s format (scripts/build_pinyin_table.py writes it).
TABLE_FORMAT = 1


def table_path() -> Path:
    from resources import resource_path

    return resource_path("pinyin", "input.json")


class _Tables:
    """The shipped compact table: syllable -> characters, pinyin key -> words (space-separated), and the readings
    the kiosk's preferred words need. A few MB in memory instead of pypinyin's ~80 MB."""

    def __init__(self, path: Path | None = None) -> None:
        raw = json.loads((path or table_path()).read_bytes())
        if not isinstance(raw, dict) or raw.get("format") != TABLE_FORMAT:
            raise ValueError("pinyin table: unknown format")
        self.chars: dict[str, str] = raw["chars"]
        self.syllables = frozenset(self.chars)
        self.longest = max(len(s) for s in self.syllables)
        self._words: dict[str, str] = raw["words"]
        self._primary: dict[str, str] = raw["primary"]
        self._runs: dict[str, str] = raw["runs"]
        self._single: dict[str, str] | None = None

    def words(self, key: str) -> list[str]:
        found = self._words.get(key)
        return found.split(" ") if found else []

    def word_key(self, word: str) -> str:
        """The toneless pinyin of `word`: the seed catalogue's phrase-aware reading when the table has it, else each
        character's (most common) reading; "" when a character has none."""
        known = self._runs.get(word)
        if known is not None:
            return known
        if self._single is None:
            self._single = {char: syllable for syllable, found in self.chars.items() for char in found}
        parts = [self._primary.get(c) or self._single.get(c, "") for c in word]
        return "".join(parts) if all(parts) else ""


_TABLES: _Tables | None = None
_LOCK = threading.Lock()


def _tables() -> _Tables:
    global _TABLES  # noqa: PLW0603 - one shared, lazily built read-only table
    with _LOCK:
        if _TABLES is None:
            _TABLES = _Tables()
        return _TABLES


class PinyinInput:
    """Candidates for pinyin letters. `prefer`: texts whose characters and words are offered first."""

    def __init__(self, prefer: Iterable[str] = ()) -> None:
        self._prefer_texts = list(prefer)
        self._char_rank: Counter[str] | None = None
        self._extra_words: dict[str, list[str]] | None = None

    def _prepare(self) -> tuple[_Tables, Counter[str], dict[str, list[str]]]:
        tables = _tables()
        if self._char_rank is None or self._extra_words is None:
            rank: Counter[str] = Counter()
            extra: dict[str, Counter[str]] = {}
            for text in self._prefer_texts:
                rank.update(c for c in text if "\u4e00" <= c <= "\u9fff")
                # Two- to four-character runs of the preferred texts are words here (社保, 公积金, 不动产).
                for size in (2, 3, 4):
                    for start in range(len(text) - size + 1):
                        run = text[start : start + size]
                        if all("\u4e00" <= c <= "\u9fff" for c in run):
                            key = _word_key(tables, run)
                            if key:
                                extra.setdefault(key, Counter())[run] += 1
            self._char_rank = rank
            self._extra_words = {key: [w for w, _n in c.most_common()] for key, c in extra.items()}
        return tables, self._char_rank, self._extra_words

    def first_syllable(self, letters: str) -> str:
        """The longest syllable that starts `letters` ("" when none does)."""
        tables = _tables()
        for size in range(min(len(letters), tables.longest), 0, -1):
            if letters[:size] in tables.syllables:
                return letters[:size]
        return ""

    def candidates(self, letters: str) -> list[Candidate]:
        letters = letters.lower()
        if not letters.isascii() or not letters.isalpha():
            return []
        tables, rank, extra = self._prepare()
        out: list[Candidate] = []
        seen: set[str] = set()

        def add(text: str, rest: str) -> None:
            if text not in seen and len(out) < MAX_CANDIDATES:
                seen.add(text)
                out.append(Candidate(text, rest))

        for word in extra.get(letters, []):
            add(word, "")
        words = tables.words(letters)
        for word in sorted(words, key=lambda w: (-sum(rank[c] for c in w), max(_gb_level(c) for c in w))):
            add(word, "")
        first = self.first_syllable(letters)
        if first:
            rest = letters[len(first) :]
            chars = tables.chars.get(first, "")
            for char in sorted(chars, key=lambda c: (-rank[c], _gb_level(c), c.encode("gb2312"))):
                add(char, rest)
        elif len(letters) <= tables.longest:
            # An unfinished syllable ("zh"): the common characters of the syllables it starts.
            for syllable in sorted(s for s in tables.syllables if s.startswith(letters)):
                for char in tables.chars[syllable]:
                    if _gb_level(char) == 1:
                        add(char, "")
        return out


def _word_key(tables: _Tables, word: str) -> str:
    return tables.word_key(word)
