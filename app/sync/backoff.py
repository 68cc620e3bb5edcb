"""Full-jitter exponential backoff (SYNC_PROTOCOL.md guarantee 6; AWS "Exponential Backoff And Jitter")."""

from __future__ import annotations

import random


def full_jitter(attempt: int, *, base: float, cap: float, rng: random.Random) -> float:
    """A uniform draw in [0, min(cap, base * 2**attempt)] for the `attempt`-th consecutive failure (0-based)."""
    ceiling = backoff_ceiling(attempt, base=base, cap=cap)
    return float(rng.uniform(0.0, ceiling))


def backoff_ceiling(attempt: int, *, base: float, cap: float) -> float:
    return float(min(cap, base * 2.0 ** min(max(attempt, 0), 32)))
