"""What one worker holds for everybody it serves: settings, accounts, users' spaces, the hub,
jobs, rate limits and the voice engines. Built once by ``os1 serve`` and kept in the app state."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import os
import secrets
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from os1.access import local_key
from os1.config import Settings
from os1.dav.reminders import quiet, quiet_end
from os1.errors import ConfigError
from os1.server.accounts import Account, Accounts
from os1.server.database import (
    SECRET_SCHEMA,
    Database,
    PostgresDatabase,
    SQLiteDatabase,
    make_tables,
    reach_postgres,
)
from os1.server.hub import Hub, revoked
from os1.server.jobs import Job, Jobs
from os1.server.limits import Limiter, LocalLimiter, RedisLimiter
from os1.server.observe import Metrics
from os1.server.push import Push
from os1.server.reaching import LOOK, look, wake
from os1.server.spaces import Spaces
from os1.server.tokens import LocalTickets
from os1.timezones import now_in

log = logging.getLogger(__name__)


@dataclass
class Site:
    settings: Settings
    spaces: Spaces
    hub: Hub
    jobs: Jobs
    limiter: Limiter
    secret: bytes  # signs the single-user CSRF token
    local_key: str  # single mode: the key a caller must show (os1.access)
    accounts: Accounts | None = None  # None: single mode
    redis: Any | None = None
    stt: Any | None = None  # the speech recognizer, loaded on the first spoken conversation
    tickets: LocalTickets = field(default_factory=LocalTickets)  # single mode's socket tickets
    push: Push | None = None  # Web Push: the VAPID key and the users' browsers (os1.server.push)
    metrics: Metrics = field(default_factory=Metrics)  # what Prometheus reads (os1.server.observe)
    _voice_loading: asyncio.Lock = field(default_factory=asyncio.Lock)
    _login_gates: dict[str, asyncio.Lock] = field(default_factory=dict)

    @property
    def mode(self) -> str:
        return self.settings.server.mode

    @property
    def worker(self) -> str:
        return self.hub.worker

    def local_account(self) -> Account:
        """Single mode: the one user, who owns the machine."""
        return Account(self.settings.user, self.settings.user, admin=True)

    def local_csrf(self) -> str:
        return hmac.new(self.secret, b"os1-csrf", hashlib.sha256).hexdigest()

    async def run_job(self, job: Job) -> None:
        """A due job: an initiative look (os1.server.reaching), or a reminder."""
        if job.get("kind") == LOOK:
            await look(self, job["user"])
        else:
            await self.remind(job)

    async def remind(self, job: Job) -> None:
        """A due reminder goes to every open socket of its user, on any worker; inside the
        user's quiet hours it waits for them to end."""
        async with self.spaces.use(job["user"]) as space:
            profile = await space.store.profile()
        span = profile.get("quiet_hours", self.settings.calendar.quiet_hours)
        now = now_in(profile)  # quiet hours are the user's own nights, wherever they live
        if quiet(now, span):
            await self.jobs.add(job["user"], quiet_end(now, span).timestamp(), "remind",
                                text=job.get("text", ""))
            return
        await self.hub.publish(job["user"], {"type": "notice", "kind": "reminder",
                                             "text": job.get("text", ""), "at": job["at"]})

    @contextlib.asynccontextmanager
    async def login_gate(self, key: str) -> AsyncIterator[None]:
        """One login attempt at a time for an account on this worker, so that a slowed account
        cannot be tried many times at once."""
        gate = self._login_gates.setdefault(key, asyncio.Lock())
        try:
            async with gate:
                yield
        finally:
            if not gate.locked() and self._login_gates.get(key) is gate:
                del self._login_gates[key]

    async def revoke(self, user_id: str, credential: str | None = None) -> None:
        """End, on every worker, the user's sockets opened with ``credential`` (the SHA-256 of a
        session cookie or API token), or all of them (None: the account was disabled)."""
        await self.hub.publish(user_id, revoked(credential))

    async def voice(self) -> Any:
        """The worker's speech recognizer (one for all users)."""
        async with self._voice_loading:
            if self.stt is None:
                from os1.voice.engines import load_stt

                self.stt = await asyncio.to_thread(load_stt, self.settings.voice)
            return self.stt

    async def close(self) -> None:
        await self.jobs.close()
        if self.accounts is None:
            await self.jobs.db.close()  # single mode: the schedule's own file
        await self.hub.close()
        await self.spaces.close()
        if self.accounts is not None:
            await self.accounts.db.close()
        if self.push is not None and self.accounts is None:  # single mode: its own file
            await self.push.db.close()
        if self.redis is not None:
            await self.redis.aclose()


def worker_name(settings: Settings) -> str:
    """This worker's name in logs, metrics and /v1/health: ``server.worker``, or host and pid."""
    return settings.server.worker or f"{socket.gethostname()}-{os.getpid()}"


def _secret(home: Path) -> bytes:
    """A random key kept in the data directory, readable only by its owner."""
    path = home / "server-secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32))
    return bytes.fromhex(path.read_text().strip())


async def shared_secret(db: Database) -> bytes:
    """The site's key, kept in its shared database so that every worker signs alike and none
    keeps it on its own disk: made by whichever worker starts first."""
    await make_tables(db, SECRET_SCHEMA)
    await db.execute("INSERT INTO os1_site (name, value) VALUES ('secret', ?) ON CONFLICT (name)"
                     " DO NOTHING", (secrets.token_hex(32),))
    row = await db.fetchone("SELECT value FROM os1_site WHERE name = 'secret'")
    assert row is not None
    return bytes.fromhex(str(row[0]))


def _redis(settings: Settings) -> Any | None:
    if settings.server.redis_url is None:
        return None
    import redis.asyncio as aioredis

    return aioredis.from_url(settings.server.redis_url.get_secret_value())


async def _reach_redis(redis: Any) -> None:
    try:
        await redis.ping()
    except Exception as exc:
        where = redis.connection_pool.connection_kwargs
        at = f"{where.get('host', where.get('path', '?'))}:{where.get('port', '')}".rstrip(":")
        why = (str(exc).strip().splitlines() or [type(exc).__name__])[-1]
        raise ConfigError(f"cannot reach Redis at server.redis_url ({at}): {why}") from None


async def preflight(settings: Settings) -> None:
    """Reach what the site needs (Redis, PostgreSQL) before serving: what is unreachable is
    said in one line, naming the setting that points at it."""
    redis = _redis(settings)
    if redis is not None:
        try:
            await _reach_redis(redis)
        finally:
            await redis.aclose()
    memory = settings.memory
    if memory.backend == "postgres" and memory.postgres_dsn is not None:
        await reach_postgres(memory.postgres_dsn.get_secret_value())


async def revoke_everywhere(settings: Settings, user_id: str, credential: str | None = None) -> None:
    """From outside a worker (``os1 users disable``, ``tokens revoke``): end the user's sockets
    opened with ``credential`` (None: all) on every worker through Redis. Without Redis the one
    worker finds out at its next check of the credential."""
    redis = _redis(settings)
    if redis is None:
        return
    try:
        await Hub("os1-cli", redis).publish(user_id, revoked(credential))
    finally:
        await redis.aclose()


async def open_accounts(settings: Settings, pool: Any | None) -> Accounts:
    """The site's accounts: in the shared PostgreSQL database (on ``pool``) when the stores are
    there, else in a SQLite file in the data directory."""
    db = (PostgresDatabase(pool) if pool is not None
          else await SQLiteDatabase.open(settings.home / "accounts.sqlite3"))
    accounts = Accounts(db)
    await accounts.migrate()
    return accounts


async def open_site(settings: Settings) -> Site:
    """Everything a worker needs, checked before it accepts a connection."""
    server = settings.server
    if settings.memory.encryption_key is not None and settings.memory.backend == "postgres":
        raise ConfigError("memory.encryption_key encrypts SQLite stores; with PostgreSQL, encrypt"
                          " its disk instead (docs/deploy.md) and unset the key")
    redis = _redis(settings)
    if redis is not None:
        await _reach_redis(redis)
    worker = worker_name(settings)
    spaces = Spaces(settings)
    await spaces.start()
    accounts = await open_accounts(settings, spaces.pool) if server.mode == "multi" else None
    limiter: Limiter = RedisLimiter(redis) if redis is not None else LocalLimiter()
    # with PostgreSQL, a worker's data directory holds nothing a person's account needs
    secret = (await shared_secret(accounts.db) if accounts is not None and spaces.pool is not None
              else _secret(settings.home))
    # the schedule lives with the accounts (single mode: a file of its own), never only in Redis
    jobs = await Jobs.open(accounts.db if accounts is not None
                           else await SQLiteDatabase.open(settings.home / "jobs.sqlite3"))
    site = Site(settings, spaces, Hub(worker, redis), jobs, limiter, secret,
                local_key(settings.home), accounts, redis)
    push_db = (accounts.db if accounts is not None
               else await SQLiteDatabase.open(settings.home / "push.sqlite3"))
    site.push = await Push.open(push_db, server.push_contact, loopback_http=server.mode == "single")
    await site.hub.start()
    site.jobs.start(site.run_job)
    if server.mode == "single":  # what fell due while no server ran
        await wake(site, settings.user)
    return site
