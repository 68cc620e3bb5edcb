"""Field validation on hostile input: a pasted 10 MB string per validator, next to a normal value.

Run: .venv/bin/python bench/validation.py
The test suite checks that an oversized input is refused on its length alone (tests/unit/test_validation.py counts
the characters examined); this script prints what that costs. Baseline, measured in the same run: the same
validator on an ordinary, valid-length value. Target: the 10 MB refusal costs no more than the baseline (both are
microseconds; a scan of 10 MB would be tens of milliseconds).
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.domain.validation import (
    validate_address,
    validate_credit_code,
    validate_landline,
    validate_mobile,
    validate_person_name,
    validate_phone,
    validate_postcode,
    validate_resident_id,
)

ROUNDS = 200
HUGE = "1" * 10_000_000
CASES: dict[str, tuple[Callable[[str], object], str]] = {
    "resident_id": (validate_resident_id, "11010519491231002X"),
    "credit_code": (validate_credit_code, "91350100M000100Y43"),
    "mobile": (validate_mobile, "13812345678"),
    "landline": (validate_landline, "0591-87654321"),
    "phone": (validate_phone, "13812345678"),
    "postcode": (validate_postcode, "350001"),
    "address": (validate_address, "福州市鼓楼区五四路100号"),
    "person_name": (validate_person_name, "张三"),
}


def median_us(validate: Callable[[str], object], text: str) -> float:
    samples = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        validate(text)
        samples.append((time.perf_counter() - started) * 1e6)
    return statistics.median(samples)


def main() -> None:
    print(f"validation, median of {ROUNDS} calls (µs): ordinary value (baseline) vs 10 MB paste")
    for kind, (validate, ordinary) in CASES.items():
        base, huge = median_us(validate, ordinary), median_us(validate, HUGE)
        verdict = "met" if huge <= max(base, 1.0) * 2 else "NOT met"
        print(f"  {kind:12} baseline {base:8.2f}  10 MB {huge:8.2f}  ({verdict})")


if __name__ == "__main__":
    main()
