"""The job schedule is kept in the site's database: it outlives the worker that took it, and
of several workers that see a due job, exactly one runs it."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from os1.server.database import SQLiteDatabase
from os1.server.jobs import Job, Jobs
from tests.conftest import eventually


async def test_a_job_outlives_the_worker_that_took_it(tmp_path: Path) -> None:
    db = await SQLiteDatabase.open(tmp_path / "jobs.sqlite3")
    jobs = await Jobs.open(db)
    made = await jobs.add("ada", time.time() + 3600, "remind", text="Call Amy")
    await jobs.close()
    await db.close()

    again = await Jobs.open(await SQLiteDatabase.open(tmp_path / "jobs.sqlite3"))
    assert await again.pending("ada") == [made]
    assert await again.pending("bob") == []
    await again.db.close()


async def test_of_two_workers_exactly_one_runs_a_due_job(tmp_path: Path) -> None:
    ran: list[tuple[str, str]] = []
    workers = [await Jobs.open(await SQLiteDatabase.open(tmp_path / "jobs.sqlite3")) for _ in range(2)]
    for name, jobs in zip(("w1", "w2"), workers, strict=True):
        async def run(job: Job, name: str = name) -> None:
            ran.append((name, job["text"]))
        jobs.start(run)
    for n in range(20):
        await workers[n % 2].add("ada", time.time(), "remind", text=f"job {n}")
    await eventually(lambda: len(ran) >= 20, "every job to run")
    await asyncio.sleep(0)  # let a second claim of any job, were there one, show
    for jobs in workers:
        await jobs.close()
        assert await jobs.pending("ada") == []
        await jobs.db.close()
    assert sorted(text for _, text in ran) == sorted(f"job {n}" for n in range(20))
