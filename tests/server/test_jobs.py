"""The job schedule is kept in the site's database: it outlives the worker that took it; of
several workers that see a due job, exactly one runs it; a keyed job (a user's next initiative
look) is held once, at the earlier time."""

from __future__ import annotations

import asyncio
import secrets
import time
from pathlib import Path

import pytest

from os1.server.database import PostgresDatabase, SQLiteDatabase, make_tables, open_pool
from os1.server.jobs import Job, Jobs
from tests.conftest import eventually


async def _jobs(path: Path) -> Jobs:
    return await Jobs.open(await SQLiteDatabase.open(path))


async def test_a_job_outlives_the_worker_that_took_it(tmp_path: Path) -> None:
    jobs = await _jobs(tmp_path / "jobs.sqlite3")
    made = await jobs.add("ada", time.time() + 3600, "remind", text="Call Amy")
    await jobs.close()
    await jobs.db.close()

    again = await _jobs(tmp_path / "jobs.sqlite3")
    assert await again.pending("ada") == [made]
    assert await again.pending("bob") == []
    await again.db.close()


async def test_a_keyed_job_is_held_once_at_the_earlier_time(tmp_path: Path) -> None:
    jobs = await _jobs(tmp_path / "jobs.sqlite3")
    later, sooner = time.time() + 3600, time.time() - 1
    await jobs.add("ana", later, "initiative", key="initiative:ana")
    assert (await jobs.add("ana", sooner, "initiative", key="initiative:ana"))["at"] == sooner
    assert (await jobs.add("ana", later + 60, "initiative", key="initiative:ana"))["at"] == sooner
    assert [j["at"] for j in await jobs.pending("ana")] == [sooner]
    assert [j["id"] for j in await jobs._claim_due()] == ["initiative:ana"]
    assert await jobs._claim_due() == []
    await jobs.add("ana", sooner, "initiative", key="initiative:ana")  # it can be booked again
    assert len(await jobs._claim_due()) == 1
    await jobs.db.close()


async def test_of_two_workers_exactly_one_runs_a_due_job(tmp_path: Path) -> None:
    ran: list[tuple[str, str]] = []
    workers = [await _jobs(tmp_path / "jobs.sqlite3") for _ in range(2)]
    now = time.time()
    await workers[0].add("ana", now + 3600, "initiative", key="initiative:ana")
    await workers[1].add("ana", now, "initiative", key="initiative:ana")  # the sooner time wins
    for n in range(20):
        await workers[n % 2].add("ada", now, "remind", text=f"job {n}")
    for name, jobs in zip(("w1", "w2"), workers, strict=True):
        async def run(job: Job, name: str = name) -> None:
            ran.append((name, job["id"]))
        jobs.start(run)
    await eventually(lambda: len(ran) >= 21, "every job to run")
    for jobs in workers:
        await jobs.close()
        assert await jobs.pending("ada") == [] and await jobs.pending("ana") == []
        await jobs.db.close()
    ids = [job_id for _, job_id in ran]
    assert len(ids) == 21 and len(set(ids)) == 21 and "initiative:ana" in ids


@pytest.mark.integration
async def test_workers_starting_at_once_on_an_empty_database_all_start(pg_dsn: str) -> None:
    """Several workers make the site's tables at the same moment (PostgreSQL can report a
    duplicate in its catalogue to the loser of such a race): every one of them starts."""
    pool = await open_pool(pg_dsn, min_size=4, max_size=8)
    db = PostgresDatabase(pool)
    table = f"os1_race_{secrets.token_hex(4)}"
    statements = (f"CREATE TABLE IF NOT EXISTS {table} (id text PRIMARY KEY)",
                  f"CREATE INDEX IF NOT EXISTS {table}_id ON {table} (id)")
    try:
        await asyncio.gather(*(make_tables(db, *statements) for _ in range(8)))
        assert await db.fetchall(f"SELECT id FROM {table}") == []
        await asyncio.gather(*(Jobs.open(db) for _ in range(4)))
    finally:
        await db.execute(f"DROP TABLE IF EXISTS {table}")
        await pool.close()
