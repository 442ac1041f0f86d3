"""Background jobs at a set time (reminders), kept in the site's database and run once by
whichever worker claims them.

The schedule lives where the accounts do: the shared PostgreSQL database when several workers
serve one site, else a SQLite file in the data directory. So a restart of every worker (or of
Redis, which here carries only wake-ups and pub/sub) loses no job. Each worker looks for due
jobs and claims one by deleting its row, which only one of them can do, so a job runs exactly
once; a job added on this worker wakes it at once. A job's result goes out through the hub, so
it reaches the user's sockets wherever they are.

A job added with a ``key`` (a user's next initiative look) is held once: adding it again keeps
the earlier of the two times."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Any

from os1.server.database import Database, make_tables

Job = dict[str, Any]  # {"id", "user", "at", "kind", ...}
Runner = Callable[[Job], Awaitable[None]]
POLL_S = 0.25  # how often a worker looks for jobs another worker added
BATCH = 100
SCHEMA = ("CREATE TABLE IF NOT EXISTS os1_jobs (id text PRIMARY KEY, user_id text NOT NULL,"
          " due double precision NOT NULL, body text NOT NULL)")
INDEX = "CREATE INDEX IF NOT EXISTS os1_jobs_due ON os1_jobs (due)"
log = logging.getLogger(__name__)


class Jobs:
    """Schedule with ``add``; ``start`` runs due jobs with ``runner`` until ``close``."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @classmethod
    async def open(cls, db: Database) -> Jobs:
        await make_tables(db, SCHEMA, INDEX)
        return cls(db)

    async def add(self, user_id: str, at: float, kind: str, *, key: str | None = None, **data: Any) -> Job:
        job = {"id": key or "j" + secrets.token_hex(6), "user": user_id, "at": at, "kind": kind, **data,
               **({"keyed": True} if key is not None else {})}
        await self.db.execute(
            "INSERT INTO os1_jobs (id, user_id, due, body) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO"
            " UPDATE SET due = excluded.due, body = excluded.body WHERE excluded.due < os1_jobs.due",
            (job["id"], user_id, at, json.dumps(job)))
        self._wake.set()
        if key is None:
            return job
        row = await self.db.fetchone("SELECT body FROM os1_jobs WHERE id = ?", (key,))
        return json.loads(str(row[0])) if row is not None else job  # None: already run

    async def pending(self, user_id: str) -> list[Job]:
        """The user's jobs not yet run, soonest first."""
        rows = await self.db.fetchall("SELECT body FROM os1_jobs WHERE user_id = ? ORDER BY due",
                                      (user_id,))
        return [json.loads(str(body)) for (body,) in rows]

    def start(self, runner: Runner) -> None:
        self._task = asyncio.create_task(self._loop(runner))

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _loop(self, runner: Runner) -> None:
        while True:
            try:
                due = await self._claim_due()
            except Exception:  # a database hiccup: look again at the next poll
                log.exception("could not read the job schedule")
                due = []
            for job in due:
                try:
                    await runner(job)
                except Exception:  # one failing job must not stop the others
                    log.exception("job %s failed", job.get("id"))
            await self._sleep()

    async def _claim_due(self) -> list[Job]:
        rows = await self.db.fetchall("SELECT id, body FROM os1_jobs WHERE due <= ? ORDER BY due"
                                      f" LIMIT {BATCH}", (time.time(),))
        claimed = []
        for job_id, body in rows:
            if await self.db.execute("DELETE FROM os1_jobs WHERE id = ?", (job_id,)):
                claimed.append(json.loads(str(body)))  # only one worker deletes each row
        return claimed

    async def _sleep(self) -> None:
        """Until the next poll, or at once when a job is added on this worker."""
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), POLL_S)
