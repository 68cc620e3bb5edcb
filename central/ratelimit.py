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


class FailureThrottle:
    """At most `limit` failures per `window_s` seconds per key (a client address): login and enrolment codes.

    Only failures count; while a key is over its limit every attempt from it is refused, right or wrong, until
    its oldest failure leaves the window. Per process: with N instances behind a proxy a client gets at most N
    times the limit (docs/central.md).
    """

    MAX_KEYS = 10_000

    def __init__(self, limit: int, window_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window_s = window_s
        self._clock = clock
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def blocked(self, key: str) -> int | None:
        """None when allowed; otherwise the whole seconds until the next attempt is taken."""
        now = self._clock()
        with self._lock:
            recent = [t for t in self._failures.get(key, []) if now - t < self.window_s]
            if recent:
                self._failures[key] = recent
            else:
                self._failures.pop(key, None)
            if len(recent) < self.limit:
                return None
            return max(1, math.ceil(recent[-self.limit] + self.window_s - now))

    def failed(self, key: str) -> None:
        now = self._clock()
        with self._lock:
            if len(self._failures) >= self.MAX_KEYS and key not in self._failures:
                # Bounded memory under a spray of addresses: forget the stalest keys.
                stale = sorted(self._failures, key=lambda k: self._failures[k][-1])[: self.MAX_KEYS // 10]
                for old in stale:
                    del self._failures[old]
            self._failures.setdefault(key, []).append(now)
