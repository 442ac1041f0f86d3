"""Playing together from the web app: open a game (the cave, chess, a story the user uploads),
say lines at it, save, leave. Each line goes down the co-player path ``os1 play`` and
``os1 talk`` use (``os1.games.session``); words for os1 itself become a conversation turn.

A person's open game lives in their ``Space`` on this worker, one at a time, behind its own
lock; nothing here is shared between people (the process-wide ``game_*`` tool seat of
``os1 play`` is never used by the server). A game is kept as a moment every 25 moves, on
``save``, when it is left, and when the space closes; opening a game takes up its latest
kept session unless a new one is asked for. A story's file is held in a private temporary
folder while it is played, and never kept: uploading the same file again takes its session up."""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Awaitable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import Field

from os1.errors import InputError
from os1.games.programs import MissingProgram
from os1.games.session import Answer, Playing
from os1.games.start import Choice, game_names, open_play
from os1.games.story import MAX_STORY_BYTES, StoryUnavailable, read_story
from os1.server.api.chat import run_turn
from os1.server.api.schemas import Strict
from os1.server.auth import ApiError, Caller, caller, limit, site_of, talker
from os1.server.site import Site
from os1.server.spaces import Space

router = APIRouter(prefix="/v1/play", tags=["play"])
Who = Annotated[Caller, Depends(caller)]
Talker = Annotated[Caller, Depends(talker)]
MOVES_PER_MINUTE = 120  # per person: a fast player, never a script hammering the engines
T = TypeVar("T")
ENGINE_DEPTH = 12  # how deep the analyst looks for os1's remarks (as in os1 play chess)


class PlayStart(Strict):
    game: str = Field(min_length=1, max_length=64)
    new: bool = False
    seed: int | None = Field(default=None, ge=0, le=2**31)
    elo: int = 1500
    color: Literal["white", "black"] = "white"
    partner: bool = False


class PlayLine(Strict):
    line: str = Field(max_length=2000)


@dataclass
class Seated:
    """A person's open game, the lock its lines take turns on, and a story's private folder."""

    play: Playing
    folder: tempfile.TemporaryDirectory[str] | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def close(self) -> None:
        try:
            await self.play.close()
        finally:
            if self.folder is not None:
                self.folder.cleanup()


@router.get("")
async def current(who: Who, request: Request) -> dict[str, Any]:
    """The game open now (its view: the screen, or the board as SVG), and the games there are."""
    async with site_of(request).spaces.use(who.user_id) as space:
        seated: Seated | None = space.play
        view = seated.play.view() if seated is not None else None
    return {"open": view, "games": game_names()}


@router.post("")
async def start(body: PlayStart, who: Talker, request: Request) -> dict[str, Any]:
    """Open a game, leaving (and keeping) any other; its latest session is taken up unless ``new``."""
    if body.game == "story":
        raise ApiError(400, "a story is opened by uploading its file to /v1/play/story")
    choice = Choice(body.game, new=body.new, seed=body.seed, elo=body.elo, white=body.color == "white",
                    partner=body.partner)
    return await _open(site_of(request), who, choice)


@router.post("/story")
async def story(who: Talker, request: Request, new: bool = False,
                name: Annotated[str, Query(max_length=200)] = "story") -> dict[str, Any]:
    """Open the Z-machine story in the body (a file the person owns), taking up its last session."""
    body = await request.body()
    if not body or len(body) > MAX_STORY_BYTES:
        raise ApiError(400, "send a Z-machine story file (.z3, .z5, .z8 or a blorb) as the body")
    folder = tempfile.TemporaryDirectory(prefix="os1-story-")
    try:
        stem = "".join(c for c in Path(name).stem if c.isalnum() or c in " -_")[:60] or "story"
        path = Path(folder.name) / f"{stem}.z"
        await asyncio.to_thread(path.write_bytes, body)
        found = read_story(path)
        return await _open(site_of(request), who, Choice("story", new=new, story=found), folder)
    except BaseException:
        folder.cleanup()
        raise


@router.post("/say")
async def say(body: PlayLine, who: Talker, request: Request) -> dict[str, Any]:
    """One line at the open game: a move, '?', 'you go', 'map', 'where is ...?', 'save', 'quit',
    or '/say ...' for os1 itself. Refused input is one line in ``answer.error``; nothing changed."""
    site = site_of(request)
    await limit(site, f"play:{who.user_id}", MOVES_PER_MINUTE, "moves")
    async with site.spaces.use(who.user_id) as space:
        seated = _seated(space)
        async with seated.lock:
            answer = await _engines(seated.play.say(body.line))
            if answer.chat:
                answer = await _conversation(site, who.user_id, answer)
            if answer.quit:
                space.play = None
                await seated.close()
                return {"answer": answer.to_dict(), "view": None}
            return {"answer": answer.to_dict(), "view": seated.play.view()}


@router.post("/save")
async def save(who: Talker, request: Request) -> dict[str, Any]:
    """Keep the open game now, as a moment in memory."""
    async with site_of(request).spaces.use(who.user_id) as space:
        seated = _seated(space)
        async with seated.lock:
            kept = await seated.play.save()
    return {"saved": kept}


@router.delete("", status_code=204)
async def leave(who: Talker, request: Request) -> Response:
    """Leave the open game; it is kept if anything happened in it."""
    async with site_of(request).spaces.use(who.user_id) as space:
        await _close(space)
    return Response(status_code=204)


async def _open(site: Site, who: Caller, choice: Choice,
                folder: tempfile.TemporaryDirectory[str] | None = None) -> dict[str, Any]:
    await limit(site, f"play:{who.user_id}", MOVES_PER_MINUTE, "moves")
    async with site.spaces.use(who.user_id) as space:
        await _close(space)
        runtime = space.runtime
        play = await _engines(open_play(choice, space.store, await runtime.persona(), depth=ENGINE_DEPTH)
                              if choice.game == "chess" else
                              open_play(choice, space.store, await runtime.persona()))
        space.play = Seated(play, folder)
        return {"welcome": play.welcome, "view": play.view()}


async def _close(space: Space) -> None:
    seated: Seated | None = space.play
    space.play = None
    if seated is not None:
        async with seated.lock:
            await seated.close()


def _seated(space: Space) -> Seated:
    seated: Seated | None = space.play
    if seated is None:
        raise ApiError(409, "no game is open: start one first")
    return seated


async def _engines(work: Awaitable[T]) -> T:
    """A missing or stopped engine (stockfish, dfrotz) is 503 with how to install it; bad input 400."""
    try:
        result = await work
    except (MissingProgram, StoryUnavailable) as exc:
        raise ApiError(503, str(exc)) from None
    except InputError as exc:
        raise ApiError(400, str(exc)) from None
    return result


async def _conversation(site: Site, user_id: str, answer: Answer) -> Answer:
    """Words for os1 itself, at the table: an ordinary conversation turn, answered whole."""
    errors: list[str] = []

    def keep(event: dict[str, Any]) -> None:
        if event["type"] == "error":
            errors.append(event["message"])

    done = await run_turn(site, user_id, answer.chat, keep)
    if done is None:
        return Answer(chat=answer.chat, error=errors[0] if errors else "the turn did not finish")
    return Answer(chat=answer.chat, said=str(done["reply"]))

