"""The touch keyboards' compact pinyin table (issue 12 benchmark): shipped ahead of time instead of loading
pypinyin's dictionaries (~80 MB resident) in the kiosk; candidates stay those pypinyin's tables gave."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

from app.domain.catalogue import load_catalogue_file
from app.domain.pinyin_input import PinyinInput, table_path
from resources import resource_path

ROOT = Path(__file__).resolve().parents[2]


def _script() -> object:
    spec = importlib.util.spec_from_file_location("build_pinyin_table", ROOT / "scripts" / "build_pinyin_table.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_shipped_table_is_what_the_script_writes() -> None:
    """Regenerate with `scripts/build_pinyin_table.py` after upgrading pypinyin or editing the seed catalogue."""
    build = _script().build  # type: ignore[attr-defined]
    assert table_path().read_bytes() == build()


def test_candidates_lead_with_the_words_a_citizen_types() -> None:
    items = load_catalogue_file(resource_path("catalogue", "seed.json")).items
    keyboard = PinyinInput([i.name for i in items])
    shown = {letters: [c.text for c in keyboard.candidates(letters)] for letters in ("taidu", "hukou", "yinhang")}
    assert shown["taidu"][0] == "态度"
    assert shown["hukou"][0] == "户口"  # a catalogue word first
    assert "银行" in shown["yinhang"][:2]  # 行 read hang inside the word, not xing
    assert [c.text for c in keyboard.candidates("ju")][:1] == ["居"]  # 居民 in the catalogue
    assert {c.rest for c in keyboard.candidates("shebao") if len(c.text) == 1} == {"bao"}


def test_typing_pinyin_never_loads_pypinyin() -> None:
    code = (
        "import json, resource, sys\n"
        "from app.domain.pinyin_input import PinyinInput\n"
        "keyboard = PinyinInput(['城乡居民养老保险参保登记', '重庆银行'])\n"
        "words = [c.text for c in keyboard.candidates('chongqing')]\n"
        "print(json.dumps({'words': words[:3], 'pypinyin': 'pypinyin' in sys.modules}))\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120, check=True
    )
    answer = json.loads(result.stdout)
    assert answer["pypinyin"] is False
    assert answer["words"][0] == "重庆"  # a preferred word read chong-qing without pypinyin
