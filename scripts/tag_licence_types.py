"""Name the electronic licence type (电子证照) that can replace a seed catalogue material (issue 18).

A material whose name is exactly one of the keys below gets `"licence_type"`; others are left alone. Only the
applicant's own licences are tagged (申请人居民身份证, not 代办人居民身份证: the library answers for the consenting
holder). Idempotent; run after `scripts/gen_seed_items.py`: `python scripts/tag_licence_types.py`.
"""

from __future__ import annotations

import json
from pathlib import Path

SEED = Path(__file__).resolve().parent.parent / "resources" / "catalogue" / "seed.json"

LICENCE_BY_MATERIAL = {
    "申请人居民身份证": "居民身份证",
    "居民户口簿": "居民户口簿",
    "结婚证": "结婚证",
    "不动产权证书": "不动产权证书",
    "营业执照": "营业执照",
    "营业执照正副本": "营业执照",
    "出生医学证明": "出生医学证明",
}


def tag(data: dict[str, object]) -> int:
    count = 0
    for item in data["items"]:  # type: ignore[attr-defined]
        for material in item["materials"]:
            licence = LICENCE_BY_MATERIAL.get(material["name"])
            if licence is not None:
                material["licence_type"] = licence
                count += 1
    return count


def main() -> None:
    data = json.loads(SEED.read_text(encoding="utf-8"))
    count = tag(data)
    SEED.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"{count} materials name a licence type")


if __name__ == "__main__":
    main()
