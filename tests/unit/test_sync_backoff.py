"""Full-jitter backoff: bounded by the schedule, and uniform within it (a Kolmogorov-Smirnov check)."""

from __future__ import annotations

import math
import random

import pytest

from app.sync.backoff import backoff_ceiling, full_jitter


def test_ceiling_doubles_from_the_base_up_to_the_cap() -> None:
    assert [backoff_ceiling(n, base=1.0, cap=300.0) for n in range(10)] == [1, 2, 4, 8, 16, 32, 64, 128, 256, 300]
    assert backoff_ceiling(10_000, base=1.0, cap=300.0) == 300.0


@pytest.mark.parametrize("attempt", [0, 3, 12])
def test_draws_are_uniform_over_zero_to_the_ceiling(attempt: int) -> None:
    rng = random.Random(attempt)
    ceiling = backoff_ceiling(attempt, base=1.0, cap=300.0)
    draws = sorted(full_jitter(attempt, base=1.0, cap=300.0, rng=rng) / ceiling for _ in range(2000))
    assert all(0.0 <= d <= 1.0 for d in draws)
    n = len(draws)
    ks = max(max((i + 1) / n - d, d - i / n) for i, d in enumerate(draws))
    assert ks < 1.63 / math.sqrt(n)  # the 1 % critical value


def test_negative_control_a_fixed_delay_fails_the_uniformity_check() -> None:
    draws = sorted([0.5] * 2000)
    n = len(draws)
    ks = max(max((i + 1) / n - d, d - i / n) for i, d in enumerate(draws))
    assert ks >= 1.63 / math.sqrt(n)
