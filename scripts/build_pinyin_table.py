"""Write the touch keyboards' compact pinyin table `resources/pinyin/input.json` from pypinyin (issue 12).

The keyboards used to load pypinyin's whole dictionaries (~80 MB resident) at run time. This table holds only what
they offer: the toneless readings of the GB2312 characters (levels 1 and 2, 6,763 characters), the 2- to
4-character phrases made of common (level 1) characters, and every 2- to 4-character run of the shipped catalogue's
names, departments and categories with its phrase-aware reading (the kiosk offers those words first), and the most
common reading of each character with several (for the words of a catalogue pulled from the platform).

Run after upgrading pypinyin or editing the seed catalogue:
    .venv/bin/python scripts/build_pinyin_table.py
(a test fails while the shipped table differs from what this script writes).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.domain.catalogue import load_catalogue_file
from app.domain.pinyin_forms import compute_run, han_runs, normalise_text
from app.domain.pinyin_input import TABLE_FORMAT, gb_level, strip_tone, table_path
from resources import resource_path


def build() -> bytes:  # noqa: PLR0912 - one table after another, read top to bottom
    from pypinyin import phrases_dict, pinyin_dict

    chars: dict[str, list[str]] = {}
    for code, readings in sorted(pinyin_dict.pinyin_dict.items()):
        char = chr(code)
        if gb_level(char) == 3:
            continue
        for reading in dict.fromkeys(strip_tone(r) for r in readings.split(",")):
            if reading.isascii() and reading.isalpha():
                chars.setdefault(reading, []).append(char)
    words: dict[str, dict[str, None]] = {}
    for phrase, phrase_readings in sorted(phrases_dict.phrases_dict.items()):
        if 2 <= len(phrase) <= 4 and all(gb_level(c) == 1 for c in phrase):
            key = "".join(strip_tone(r[0]) for r in phrase_readings)
            if key.isascii() and key.isalpha():
                words.setdefault(key, {})[phrase] = None
    primary: dict[str, str] = {}  # a character with several readings -> its most common one
    for code, readings in pinyin_dict.pinyin_dict.items():
        char = chr(code)
        toneless = list(dict.fromkeys(strip_tone(r) for r in readings.split(",")))
        if gb_level(char) != 3 and len(toneless) > 1:
            primary[char] = toneless[0]
    seed = load_catalogue_file(resource_path("catalogue", "seed.json"))
    runs: dict[str, str] = {}  # the seed catalogue's 2- to 4-character runs -> their phrase-aware reading
    texts = [*(i.name for i in seed.items), *(i.department for i in seed.items), *(i.category for i in seed.items)]
    for text in texts:
        for run in han_runs(normalise_text(text)):
            readings = compute_run(run)
            for size in (2, 3, 4):
                for start in range(len(run) - size + 1):
                    part = readings[start : start + size]
                    if all(part):
                        runs[run[start : start + size]] = "".join(part)
    data = {
        "format": TABLE_FORMAT,
        "chars": {syllable: "".join(found) for syllable, found in sorted(chars.items())},
        "words": {key: " ".join(found) for key, found in sorted(words.items())},
        "primary": dict(sorted(primary.items())),
        "runs": dict(sorted(runs.items())),
    }
    return (json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n").encode("utf-8")


def main() -> int:
    path = table_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    data = build()
    path.write_bytes(data)
    print(f"{path}: {len(data) // 1024} KiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
