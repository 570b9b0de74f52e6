"""Rate limits with the `limits` library (moving windows): per user and route on the API, and failed logins per
account and per address. Kept in Redis when COMICREEL_REDIS_URL is set (shared by every app replica), else in this
process's memory."""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from studio.errors import TooManyRequests


class Throttle:
    def __init__(self, redis_url: str | None, *, api: str, tasks: str, logins: str) -> None:
        self._limiter = MovingWindowRateLimiter(storage_from_string(redis_url or "memory://"))
        self.api, self.tasks = parse(api), parse(tasks)
        self.account_logins = parse(logins)
        self.address_logins = parse(f"{self.account_logins.amount * 4}/{self.account_logins.multiples} "
                                    f"{self.account_logins.GRANULARITY.name}")

    def hit(self, limit: RateLimitItem, *keys: str, what: str) -> None:
        """Count one request against `limit` for `keys`; TooManyRequests (429, Retry-After) past it."""
        if not self._limiter.hit(limit, *keys):
            raise TooManyRequests(f"too many {what}: at most {limit.amount} per {_window(limit)}",
                                  retry_after=self._wait(limit, keys))  # fmt: skip

    def check(self, limit: RateLimitItem, *keys: str, what: str) -> None:
        """Refuse if `keys` are already past `limit`, without counting this request."""
        if not self._limiter.test(limit, *keys):
            raise TooManyRequests(f"too many {what}: try again later", retry_after=self._wait(limit, keys))

    def clear(self, limit: RateLimitItem, *keys: str) -> None:
        self._limiter.clear(limit, *keys)

    def _wait(self, limit: RateLimitItem, keys: tuple[str, ...]) -> int:
        reset, _ = self._limiter.get_window_stats(limit, *keys)
        return max(1, math.ceil(reset - time.time()))


def _window(limit: RateLimitItem) -> str:
    unit = limit.GRANULARITY.name
    return unit if limit.multiples == 1 else f"{limit.multiples} {unit}s"
