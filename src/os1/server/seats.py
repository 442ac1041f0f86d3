"""A person's open game in the web app, the same on every worker: which game is open is a mark
in their profile (``play_open``), its state is the session's moment, saved after every move
that changed it. A worker taking a line for the game holds the person's game lock (a
PostgreSQL advisory lock when workers share a database; this worker's own lock otherwise),
checks that the game in its ``Space`` is the latest kept state, and loads that state when it
is not: no worker's copy is ever played on once another worker has moved on."""

from __future__ import annotations

import json
import secrets
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import asdict, dataclass
from typing import Any

from os1.games.keeping import Keeper
from os1.games.session import Playing
from os1.games.start import Choice, open_play
from os1.server.site import Site
from os1.server.spaces import Space

OPEN_KEY = "play_open"  # profile key: the game open in the web app, as JSON ("" when none)
ENGINE_DEPTH = 12  # how deep the analyst looks for os1's remarks (as in os1 play chess)
_LOCK_SPACE = 2  # advisory-lock key space of the game lock (the store's own locks use 1)


@dataclass(frozen=True)
class Opened:
    """How the open game was opened, enough for any worker to open it the same way: the game,
    its save slot, the session's token (carried by its saves), and the choices made."""

    game: str
    slot: str
    session: str
    new: bool = False
    seed: int | None = None
    elo: int = 1500
    white: bool = True
    partner: bool = False

    def choice(self) -> Choice:
        return Choice(self.game, new=self.new, seed=self.seed, elo=self.elo, white=self.white,
                      partner=self.partner)

    @classmethod
    def read(cls, text: str | None) -> Opened | None:
        try:
            data = json.loads(text or "null")
            return cls(**data) if isinstance(data, dict) else None
        except (ValueError, TypeError):
            return None  # a damaged mark: no game open, nothing else lost


@dataclass
class Seated:
    """A person's open game on this worker: how it was opened, the id of the kept state it
    stands at (None: nothing kept in this session yet), and a story's private folder."""

    play: Playing
    opened: Opened
    kept: int | None = None
    folder: tempfile.TemporaryDirectory[str] | None = None

    async def close(self) -> None:
        """Stop the game, keeping what is unkept."""
        try:
            await self.play.close()
        finally:
            self._clean()

    async def drop(self) -> None:
        """Stop this copy without keeping it: the kept state has moved on."""
        try:
            await self.play.drop()
        finally:
            self._clean()

    def _clean(self) -> None:
        if self.folder is not None:
            self.folder.cleanup()


class StoryElsewhere(Exception):
    """The open game is a story whose file is held by another worker (stories are never kept)."""


def new_session() -> str:
    return secrets.token_hex(8)


@asynccontextmanager
async def game_lock(site: Site, space: Space) -> AsyncIterator[None]:
    """The person's game lock: this worker's, and with a shared PostgreSQL every worker's."""
    async with space.play_lock:
        pool = site.spaces.pool
        if pool is None:
            yield
            return
        # a transaction's lock: let go when it ends, or when a worker dies and its connection drops
        async with pool.connection() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, %s))",
                               (f"os1 play\n{space.user_id}", _LOCK_SPACE))
            yield


async def mark(space: Space, opened: Opened | None) -> None:
    """Say which game is open (None: none), for every worker."""
    await space.store.set_profile({OPEN_KEY: json.dumps(asdict(opened)) if opened else ""})


async def current(space: Space) -> Seated | None:
    """The person's open game at its latest kept state (call under ``game_lock``), or None."""
    opened = Opened.read((await space.store.profile()).get(OPEN_KEY))
    seated: Seated | None = space.play
    if opened is None:
        if seated is not None:  # left on another worker
            space.play = None
            await seated.drop()
        return None
    latest = await Keeper(space.store).latest(opened.game, opened.slot)
    own = latest if latest is not None and latest.data.get("session") == opened.session else None
    at = own.id if own is not None else None
    if seated is not None and seated.opened.session == opened.session and seated.kept == at:
        return seated
    if seated is not None:  # another game, or one played on since elsewhere: this copy is stale
        space.play = None
        await seated.drop()
    if opened.game == "story":
        raise StoryElsewhere("the story's file is not on this server worker: open it again to go on"
                             " (every move so far is kept)")
    choice = opened.choice() if own is None else Choice(
        opened.game, elo=opened.elo, white=opened.white, partner=opened.partner)
    space.play = fresh = Seated(await seat(space, choice, opened.session), opened, at)
    return fresh


async def seat(space: Space, choice: Choice, session: str) -> Playing:
    options: dict[str, Any] = {"depth": ENGINE_DEPTH} if choice.game == "chess" else {}
    return await open_play(choice, space.store, await space.runtime.persona(), session=session, **options)


async def keep(space: Space, seated: Seated) -> None:
    """Keep the game's state now, for every worker; a failed save drops this copy, so the next
    line starts from what is kept rather than from a state no one else can see."""
    try:
        seated.kept = await seated.play.save()
    except BaseException:
        space.play = None
        with suppress(Exception):
            await seated.drop()
        raise


async def leave(space: Space) -> None:
    """Close the open game here (keeping what is unkept) and say no game is open."""
    seated: Seated | None = space.play
    space.play = None
    try:
        if seated is not None:
            await seated.close()
    finally:
        await mark(space, None)
