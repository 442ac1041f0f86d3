"""Each user's open memory and companion on this worker, opened on first use and closed when
unused for longest once more than ``server.open_users`` are open.

What all users share is built once per worker: the embedder, the chat models (a model serves
every user; a local llama.cpp model runs one generation at a time) and, with PostgreSQL, one
connection pool. What is a user's own (their store, persona, companion, turn lock) lives in
their ``Space``, reached only through the id of the authenticated caller."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import time
from collections import OrderedDict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from pydantic import SecretStr

from os1.agent.companion import Companion
from os1.config import CalendarSettings, MailSettings, Settings
from os1.llm.backends import build_model
from os1.llm.base import ChatModel
from os1.memory.embedding.embedders import load_embedder
from os1.runtime import Runtime, open_store

PREF_MODEL = "model"  # profile key of the user's chosen model


def person_key(server_key: str, user_id: str) -> str:
    """One person's store key in multi mode, derived from the server's (HMAC-SHA256 over their
    id): every store has its own key, and none is kept on disk beside the stores."""
    return hmac.new(server_key.encode(), f"os1-store:{user_id}".encode(), hashlib.sha256).hexdigest()


@dataclass
class Space:
    user_id: str
    runtime: Runtime
    turn: asyncio.Lock = field(default_factory=asyncio.Lock)  # one turn at a time per user
    voice: asyncio.Lock = field(default_factory=asyncio.Lock)  # one spoken conversation at a time
    play: Any = None  # the game open in the web app (server/api/play.py), kept when the space closes
    play_lock: asyncio.Lock = field(default_factory=asyncio.Lock)  # its lines one at a time (seats.py)
    holders: int = 0
    last_used: float = field(default_factory=time.monotonic)
    _companion: Companion | None = None

    @property
    def store(self) -> Any:
        return self.runtime.store

    async def companion(self) -> Companion:
        if self._companion is None:
            self._companion = await self.runtime.companion()
        return self._companion

    async def reset(self) -> None:
        """Rebuild the companion on next use (after onboarding, or another model chosen)."""
        if self._companion is not None:
            await self._companion.drain()
        self._companion = None

    async def close(self) -> None:
        try:
            if self.play is not None:
                await self.play.close()
                self.play = None
        finally:
            await self.reset()
            await self.runtime.close()


class Spaces:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.embedder = load_embedder(settings.memory.embedder, settings.memory.embedder_threads or None)
        self.pool: Any | None = None  # PostgreSQL: one pool for every user's store
        self.ledger_rows: Any | None = None  # and one for every user's held actions (os1.safety)
        self._models: dict[str, ChatModel] = {}
        self._open: OrderedDict[str, Space] = OrderedDict()
        self._opening: dict[str, asyncio.Lock] = {}

    async def start(self) -> None:
        memory = self.settings.memory
        if memory.backend == "postgres" and memory.postgres_dsn is not None:
            from os1.safety.ledger_postgres import PostgresRows
            from os1.server.database import open_pool

            dsn = memory.postgres_dsn.get_secret_value()
            self.pool = await open_pool(dsn, min_size=2, max_size=16)
            self.ledger_rows = await asyncio.to_thread(PostgresRows.open, dsn)

    def provide(self, models: dict[str, ChatModel]) -> None:
        """Use these models instead of building the configured ones (tests, embedding apps)."""
        self._models.update(models)

    def model(self, name: str) -> ChatModel:
        if name not in self._models:
            self._models[name] = build_model(self.settings.llm.models[name])
        return self._models[name]

    def user_settings(self, user_id: str) -> Settings:
        """The server's settings as seen by one user: their own store, encrypted with their own
        key if the server has one; in multi mode, none of the operator's mail or calendar
        accounts."""
        if self.settings.server.mode == "single":
            return self.settings
        memory = self.settings.memory
        if memory.encryption_key is not None:
            key = person_key(memory.encryption_key.get_secret_value(), user_id)
            memory = memory.model_copy(update={"encryption_key": SecretStr(key)})
        return self.settings.model_copy(update={"user": user_id, "mail": MailSettings(),
                                                "calendar": CalendarSettings(), "memory": memory})

    @property
    def open_count(self) -> int:
        return len(self._open)

    @asynccontextmanager
    async def use(self, user_id: str) -> AsyncIterator[Space]:
        space = await self._get(user_id)
        space.holders += 1
        try:
            yield space
        finally:
            space.holders -= 1
            space.last_used = time.monotonic()
            await self._evict()

    async def drop(self, user_id: str) -> None:
        """Close a user's space now, after its turn in flight (a goodbye erases the store next)."""
        space = self._open.pop(user_id, None)
        if space is not None:
            async with space.turn:
                await space.close()

    async def choose_model(self, space: Space, name: str) -> None:
        await space.store.set_profile({PREF_MODEL: name})
        space.runtime.use_model(name, self.model(name))
        await space.reset()

    async def _get(self, user_id: str) -> Space:
        if (space := self._open.get(user_id)) is not None:
            self._open.move_to_end(user_id)
            return space
        lock = self._opening.setdefault(user_id, asyncio.Lock())
        async with lock:  # two first requests at once open the store once
            if (space := self._open.get(user_id)) is None:
                space = await self._open_space(user_id)
                self._open[user_id] = space
        self._opening.pop(user_id, None)
        return space

    async def _open_space(self, user_id: str) -> Space:
        settings = self.user_settings(user_id)
        store = await open_store(settings, self.embedder, self.pool)
        chosen = (await store.profile()).get(PREF_MODEL, "")
        name = chosen if chosen in settings.llm.models else settings.llm.default
        runtime = Runtime(settings, store, name, _model=self.model(name), shared_model=True,
                          ledger_rows=self.ledger_rows)
        return Space(user_id, runtime)

    async def _evict(self) -> None:
        """Close the least recently used spaces nobody is using, down to ``open_users``. They
        leave the table before the first close is awaited, so evictions running at once (one
        after every turn) never pick the same space twice."""
        limit = max(1, self.settings.server.open_users)
        evicted: list[Space] = []
        for user_id, space in list(self._open.items()):
            if len(self._open) <= limit:
                break
            if space.holders == 0 and not space.turn.locked() and not space.voice.locked():
                del self._open[user_id]
                evicted.append(space)
        for space in evicted:
            await space.close()

    async def close(self) -> None:
        for space in list(self._open.values()):
            await space.close()
        self._open.clear()
        for model in self._models.values():
            await model.aclose()
        if self.ledger_rows is not None:
            await asyncio.to_thread(self.ledger_rows.close)
        if self.pool is not None:
            await self.pool.close()
