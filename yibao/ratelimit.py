"""Sliding-window rate limits shared by kiosk_api (per client, per session) and accounts (per conversation, card).

    from yibao.ratelimit import get_rate_limiter
    limiter = get_rate_limiter()
    if not limiter.hit("20/minute", "sessions", client):   # counts this try; False once over the limit
        ... refuse, telling the caller to wait limiter.retry_after("20/minute", "sessions", client) seconds

Moving windows from the ``limits`` library: a burst just after a window boundary is not let through twice.
Counts live in ``YIBAO_RATE_LIMIT_STORAGE`` (default ``memory://``, one process); give several instances one
``redis://host:6379/2`` so a client cannot spread its tries over them.
"""

from __future__ import annotations

import math
import time
from functools import lru_cache

from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter


@lru_cache(maxsize=64)
def _item(limit: str) -> RateLimitItem:
    return parse(limit)


class RateLimiter:
    def __init__(self, storage_uri: str = "memory://") -> None:
        self.storage_uri = storage_uri
        self._limiter = MovingWindowRateLimiter(storage_from_string(storage_uri))

    def hit(self, limit: str, *key: str) -> bool:
        """Count one try against ``limit`` ("5/minute", "10 per 10 minutes"); False when it is over the limit."""
        return bool(self._limiter.hit(_item(limit), *key))

    def test(self, limit: str, *key: str) -> bool:
        """Whether one more try would be allowed, without counting it."""
        return bool(self._limiter.test(_item(limit), *key))

    def retry_after(self, limit: str, *key: str) -> int:
        """Seconds until the next try is allowed (0 if it is now)."""
        stats = self._limiter.get_window_stats(_item(limit), *key)
        return 0 if stats.remaining > 0 else max(1, math.ceil(stats.reset_time - time.time()))

    def clear(self, limit: str, *key: str) -> None:
        self._limiter.clear(_item(limit), *key)


@lru_cache(maxsize=4)
def _limiter_for(uri: str) -> RateLimiter:
    return RateLimiter(uri)


def get_rate_limiter() -> RateLimiter:
    from yibao.settings import get_settings

    return _limiter_for(get_settings().rate_limit_storage or "memory://")
