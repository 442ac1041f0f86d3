"""Background jobs at a set time (reminders), run once by whichever worker claims them.

One worker keeps them in a heap in its own memory. Several workers keep them in a Redis sorted
set scored by due time; each worker polls for due jobs and claims one with ``ZREM``, which only
one of them can win, so a job runs exactly once. A job's result goes out through the hub, so it
reaches the user's sockets wherever they are.

A job added with a ``key`` (a user's next initiative look) is held once: adding it again keeps
the earlier of the two times (``ZADD LT``; in the heap, the later entry is skipped as stale)."""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import json
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Any

Job = dict[str, Any]  # {"id", "user", "at", "kind", ...}
Runner = Callable[[Job], Awaitable[None]]
KEY = "os1:jobs"
POLL_S = 0.25
log = logging.getLogger(__name__)


class Jobs:
    """Schedule with ``add``; ``start`` runs due jobs with ``runner`` until ``close``."""

    def __init__(self, redis: Any | None = None) -> None:
        self.redis = redis
        self._heap: list[tuple[float, str, Job]] = []
        self._keyed: dict[str, float] = {}  # the heap's keyed jobs: the time each is due
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def add(self, user_id: str, at: float, kind: str, *, key: str | None = None, **data: Any) -> Job:
        job = {"id": key or "j" + secrets.token_hex(6), "user": user_id, "kind": kind, **data,
               **({"keyed": True} if key is not None else {})}
        if key is not None:  # the member is the same each time, so the set holds it once
            if self.redis is not None:
                await self.redis.zadd(KEY, {json.dumps(job, sort_keys=True): at}, lt=True)
                return {**job, "at": at}
            if self._keyed.get(key, float("inf")) <= at:
                return {**job, "at": self._keyed[key]}
            self._keyed[key] = at
        job["at"] = at
        if self.redis is not None:
            await self.redis.zadd(KEY, {json.dumps(job): at})
        else:
            heapq.heappush(self._heap, (at, job["id"], job))
            self._wake.set()
        return job

    def start(self, runner: Runner) -> None:
        self._task = asyncio.create_task(self._loop(runner))

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _loop(self, runner: Runner) -> None:
        while True:
            for job in await self._due():
                try:
                    await runner(job)
                except Exception:  # one failing job must not stop the others
                    log.exception("job %s failed", job.get("id"))
            await self._sleep()

    async def _due(self) -> list[Job]:
        now = time.time()
        if self.redis is None:
            due = []
            while self._heap and self._heap[0][0] <= now:
                at, key, job = heapq.heappop(self._heap)
                if job.get("keyed"):
                    if self._keyed.get(key) != at:
                        continue  # stale: the job was added again for an earlier time
                    del self._keyed[key]
                due.append(job)
            return due
        claimed = []
        for member in await self.redis.zrangebyscore(KEY, "-inf", now, start=0, num=100):
            if await self.redis.zrem(KEY, member):  # only one worker wins each job
                job = json.loads(member)
                job.setdefault("at", now)
                claimed.append(job)
        return claimed

    async def _sleep(self) -> None:
        if self.redis is not None:
            await asyncio.sleep(POLL_S)
            return
        self._wake.clear()
        timeout = max(0.0, self._heap[0][0] - time.time()) if self._heap else None
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)
