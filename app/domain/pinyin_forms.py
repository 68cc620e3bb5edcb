"""Pinyin forms of a catalogue, computed once when the catalogue is built or imported, read at run time.

The search index needs, for every item, the pinyin of its name and category (phrase-aware: 重庆 chong-qing, 银行
yin-hang) and the initials of every reading of each character (重 z/c, 行 x/h). pypinyin answers that, but its
dictionaries take ~200 ms to import and about 80 MB of memory: far more than the catalogue (a few hundred items
at most) ever needs. So the forms are computed when a catalogue is made (the shipped seed carries
`seed.pinyin.json`, written by `scripts/build_pinyin_forms.py`) or received from the platform (on the sync
worker, stored beside `current.json`), and the index reads them from that file.

A form that is missing (a hand-edited catalogue, an older data directory) is computed with pypinyin on the spot,
so search by pinyin keeps working for every item; only the memory saving is lost until the file is rewritten.
"""

from __future__ import annotations

import itertools
import json
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FORMAT_VERSION = 1


def is_han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\U00020000" <= ch <= "\U0003134f"


def normalise_text(text: str) -> str:
    """What the index reads a name or category as: NFKC, lower case, no whitespace."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).lower() if not ch.isspace())


def han_runs(text: str) -> list[str]:
    return ["".join(group) for han, group in itertools.groupby(text, key=is_han) if han]


@dataclass
class PinyinForms:
    """`runs`: a run of Chinese characters → one syllable per character (phrase-aware, "" where the character has
    no reading); `initials`: a character → the first letters of all its readings."""

    runs: dict[str, tuple[str, ...]] = field(default_factory=dict)
    initials: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def run(self, text: str) -> tuple[str, ...]:
        found = self.runs.get(text)
        if found is None or len(found) != len(text):
            found = compute_run(text)
            self.runs[text] = found
        return found

    def char_initials(self, ch: str) -> tuple[str, ...]:
        found = self.initials.get(ch)
        if found is None:
            found = compute_initials(ch)
            self.initials[ch] = found
        return found

    def to_json(self) -> bytes:
        data = {
            "format": FORMAT_VERSION,
            "runs": {key: list(value) for key, value in sorted(self.runs.items())},
            "initials": {key: list(value) for key, value in sorted(self.initials.items())},
        }
        return (json.dumps(data, ensure_ascii=False, indent=0, sort_keys=True) + "\n").encode("utf-8")

    @classmethod
    def from_json(cls, data: bytes) -> PinyinForms:
        """Forms from a file; anything malformed is left out (and computed when needed). Never raises ValueError."""
        try:
            raw = json.loads(data)
        except (ValueError, UnicodeDecodeError):
            return cls()
        if not isinstance(raw, dict) or raw.get("format") != FORMAT_VERSION:
            return cls()
        return cls(runs=_table(raw.get("runs")), initials=_table(raw.get("initials")))


def _table(raw: Any) -> dict[str, tuple[str, ...]]:
    if not isinstance(raw, Mapping):
        return {}
    table: dict[str, tuple[str, ...]] = {}
    for key, value in raw.items():
        if (
            isinstance(key, str)
            and isinstance(value, list)
            and all(isinstance(v, str) and (v == "" or (v.isascii() and v.isalpha())) for v in value)
        ):
            table[key] = tuple(value)
    return table


def compute_run(run: str) -> tuple[str, ...]:
    """One lower-case syllable per character of a run of Chinese characters ("" where there is no reading)."""
    from pypinyin import Style, lazy_pinyin  # slow and big: catalogue build/import only (see module doc)

    readings = lazy_pinyin(run, style=Style.NORMAL)
    if len(readings) != len(run):  # characters without a reading come back merged: read one by one
        readings = [lazy_pinyin(ch, style=Style.NORMAL)[0] for ch in run]
    return tuple(r.lower() if r.isascii() and r.isalpha() else "" for r in readings)


def compute_initials(ch: str) -> tuple[str, ...]:
    """All first letters of a character's readings (heteronyms)."""
    from pypinyin import Style, pinyin  # slow and big: catalogue build/import only (see module doc)

    readings = pinyin(ch, style=Style.NORMAL, heteronym=True)[0]
    return tuple(dict.fromkeys(r[0] for r in readings if r and r[0].isascii() and r[0].isalpha()))


def compute_forms(texts: Iterable[str]) -> PinyinForms:
    """The forms of every Chinese run and character in `texts` (names and categories, as the index reads them)."""
    forms = PinyinForms()
    for text in texts:
        for run in han_runs(normalise_text(text)):
            forms.run(run)
            for ch in run:
                forms.char_initials(ch)
    return forms


def compute_forms_into(forms: PinyinForms, items: Iterable[Any]) -> bool:
    """Add what `forms` lacks for `items` (computing it with pypinyin); True when nothing was missing."""
    complete = True
    for text in catalogue_texts(items):
        for run in han_runs(normalise_text(text)):
            found = forms.runs.get(run)
            if found is None or len(found) != len(run) or any(ch not in forms.initials for ch in run):
                complete = False
                forms.run(run)
                for ch in run:
                    forms.char_initials(ch)
    return complete


def catalogue_texts(items: Iterable[Any]) -> list[str]:
    """The texts of catalogue items the index reads pinyin from: each item's name and category."""
    texts: list[str] = []
    for item in items:
        texts.append(str(item.name))
        texts.append(str(item.category))
    return texts


def forms_path(catalogue_path: Path) -> Path:
    """Where the forms of a catalogue file live: `seed.json` → `seed.pinyin.json`."""
    return catalogue_path.with_name(f"{catalogue_path.stem}.pinyin.json")


def load_forms(catalogue_path: Path) -> PinyinForms | None:
    """The forms stored beside a catalogue file, or None when there are none (or they cannot be read)."""
    try:
        data = forms_path(catalogue_path).read_bytes()
    except OSError:
        return None
    return PinyinForms.from_json(data)
