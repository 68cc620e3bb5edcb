"""Write the pinyin forms and the validated form of a catalogue file beside it: `seed.json` -> `seed.pinyin.json`
and `seed.validated.json` (issue 13: a start needs neither pypinyin nor pydantic for the shipped seed).

Run after editing the shipped seed (or the catalogue's models or rules):
.venv/bin/python scripts/build_pinyin_forms.py resources/catalogue/seed.json
(tests fail while the shipped files differ from what the seed gives).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.domain.catalogue import load_catalogue_file
from app.domain.pinyin_forms import catalogue_texts, compute_forms, forms_path
from app.services.catalogue_cache import write_shipped


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: build_pinyin_forms.py CATALOGUE.json", file=sys.stderr)
        return 2
    path = Path(argv[0])
    forms = compute_forms(catalogue_texts(load_catalogue_file(path).items))
    forms_path(path).write_bytes(forms.to_json())
    print(f"{forms_path(path)}: {len(forms.runs)} runs, {len(forms.initials)} characters")
    print(f"{write_shipped(path)}: validated form")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
