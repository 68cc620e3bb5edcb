"""Per-device token buckets: a device over its rate gets 429 with Retry-After instead of a slower platform."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Mapping


class RateLimiter:
    def __init__(self, rate_per_s: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate_per_s
        self.burst = burst
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> RateLimiter:
        """`TB_CENTRAL_RATE=R/B`: R requests per second with bursts of B per device (default 50/200)."""
        rate, _, burst = env.get("TB_CENTRAL_RATE", "50/200").partition("/")
        return cls(float(rate), int(burst or rate))

    def take(self, key: str) -> int | None:
        """None when allowed; otherwise the whole seconds to wait."""
        now = self._clock()
        with self._lock:
            tokens, last = self._buckets.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate)
            if tokens >= 1:
                self._buckets[key] = (tokens - 1, now)
                return None
            self._buckets[key] = (tokens, now)
            return max(1, math.ceil((1 - tokens) / self.rate))
