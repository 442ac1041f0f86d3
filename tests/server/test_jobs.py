"""Jobs run once: a keyed job (a user's next initiative look) is held once, at the earlier
time; with several workers over Redis each job is claimed by exactly one of them."""

from __future__ import annotations

import asyncio
import time
from collections import Counter

import pytest

from os1.server.jobs import KEY, Job, Jobs
from os1.testing.servers import redis_server


async def test_a_keyed_job_is_held_once_at_the_earlier_time() -> None:
    jobs = Jobs()
    later, sooner = time.time() + 3600, time.time() - 1
    await jobs.add("ana", later, "initiative", key="initiative:ana")
    await jobs.add("ana", sooner, "initiative", key="initiative:ana")
    await jobs.add("ana", later + 60, "initiative", key="initiative:ana")  # later still: ignored
    due = await jobs._due()
    assert [j["id"] for j in due] == ["initiative:ana"] and await jobs._due() == []
    await jobs.add("ana", sooner, "initiative", key="initiative:ana")  # it can be booked again
    assert len(await jobs._due()) == 1


@pytest.mark.integration
async def test_two_workers_over_redis_run_each_job_once() -> None:
    import redis.asyncio as aioredis

    with redis_server() as url:
        clients = [aioredis.from_url(url), aioredis.from_url(url)]
        workers = [Jobs(clients[0]), Jobs(clients[1])]
        ran: list[tuple[str, str]] = []
        expected = 21
        all_ran = asyncio.Event()

        def runner(worker: str):  # type: ignore[no-untyped-def]
            async def run(job: Job) -> None:
                ran.append((worker, job["id"]))
                if len(ran) >= expected:
                    all_ran.set()
            return run

        try:
            now = time.time()
            await workers[0].add("ana", now + 3600, "initiative", key="initiative:ana")
            await workers[1].add("ana", now, "initiative", key="initiative:ana")  # the sooner time wins
            assert await clients[0].zcard(KEY) == 1
            for n in range(expected - 1):
                await workers[n % 2].add(f"user{n}", now, "remind", text=str(n))
            for name, worker in zip(("one", "two"), workers, strict=True):
                worker.start(runner(name))
            await asyncio.wait_for(all_ran.wait(), 60)
            assert await clients[0].zcard(KEY) == 0  # all claimed: none can run again
            counts = Counter(job_id for _, job_id in ran)
            assert len(counts) == expected and set(counts.values()) == {1}
        finally:
            for worker in workers:
                await worker.close()
            for client in clients:
                await client.aclose()
