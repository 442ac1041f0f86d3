"""Rate limits: fixed windows counted per key (a user's turns, a login name, an address).

One worker counts in its own memory; several workers count in Redis (``INCR`` plus ``EXPIRE`` in
one transaction), so a limit holds for the whole site, whichever worker a request reaches."""

from __future__ import annotations

import math
import time
from typing import Any, Protocol


class Limiter(Protocol):
    async def hit(self, key: str, limit: int, window_s: float) -> float | None:
        """Count one event for ``key``; ``None`` if it is within ``limit`` per window, else the
        seconds until the window ends."""
        ...

    async def peek(self, key: str, limit: int, window_s: float) -> float | None:
        """Like ``hit`` without counting: whether ``key`` has already reached ``limit``."""
        ...

    async def clear(self, key: str) -> None: ...


class LocalLimiter:
    def __init__(self) -> None:
        self._windows: dict[str, tuple[float, int]] = {}

    async def hit(self, key: str, limit: int, window_s: float) -> float | None:
        now = time.monotonic()
        start, count = self._windows.get(key, (now, 0))
        if now - start >= window_s:
            start, count = now, 0
        self._windows[key] = (start, count + 1)
        if len(self._windows) > 100_000:  # forget finished windows now and then
            self._windows = {k: v for k, v in self._windows.items() if now - v[0] < window_s}
        return None if count < limit else max(0.0, window_s - (now - start))

    async def peek(self, key: str, limit: int, window_s: float) -> float | None:
        now = time.monotonic()
        start, count = self._windows.get(key, (now, 0))
        if now - start >= window_s or count < limit:
            return None
        return max(0.0, window_s - (now - start))

    async def clear(self, key: str) -> None:
        self._windows.pop(key, None)


class RedisLimiter:
    def __init__(self, redis: Any, prefix: str = "os1:limit:") -> None:
        self.redis = redis
        self.prefix = prefix

    async def hit(self, key: str, limit: int, window_s: float) -> float | None:
        name = self.prefix + key
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.incr(name)
            pipe.expire(name, math.ceil(window_s), nx=True)
            pipe.pttl(name)
            count, _, ttl_ms = await pipe.execute()
        return None if int(count) <= limit else max(0.0, int(ttl_ms) / 1000)

    async def peek(self, key: str, limit: int, window_s: float) -> float | None:
        name = self.prefix + key
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.get(name)
            pipe.pttl(name)
            count, ttl_ms = await pipe.execute()
        return None if count is None or int(count) < limit else max(0.0, int(ttl_ms) / 1000)

    async def clear(self, key: str) -> None:
        await self.redis.delete(self.prefix + key)
