"""Playing together from the web app: open a game (the cave, chess, a story the user uploads),
say lines at it, save, leave. Each line goes down the co-player path ``os1 play`` and
``os1 talk`` use (``os1.games.session``); words for os1 itself become a conversation turn.

A person's open game is the same on every worker (``os1.server.seats``): which game is open is
a mark in their profile, and its state is kept as the session's moment after every move, so a
line may reach any worker, which takes up the latest kept state under the person's game lock.
Nothing here is shared between people (the process-wide ``game_*`` tool seat of ``os1 play``
is never used by the server). Opening a game takes up its latest kept session unless a new one
is asked for. A story's file is held in a private temporary folder on the worker it was
uploaded to, and never kept: a line for it reaching another worker asks for the file again
(uploading it again takes its session up, every move kept). Words for os1 (``/say ...``) are
a conversation turn given the game's state as outside data, so os1 answers knowing the room."""

from __future__ import annotations

import asyncio
import random
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import Field

from os1.errors import InputError
from os1.games.programs import MissingProgram
from os1.games.session import Answer
from os1.games.start import Choice, game_names, text_game
from os1.games.story import MAX_STORY_BYTES, StoryUnavailable, read_story
from os1.server.api.chat import run_turn
from os1.server.api.schemas import Strict
from os1.server.auth import ApiError, Caller, caller, limit, site_of, talker
from os1.server.seats import (
    Opened,
    Seated,
    StoryElsewhere,
    current,
    game_lock,
    keep,
    leave,
    mark,
    new_session,
    seat,
)
from os1.server.site import Site

router = APIRouter(prefix="/v1/play", tags=["play"])
Who = Annotated[Caller, Depends(caller)]
Talker = Annotated[Caller, Depends(talker)]
MOVES_PER_MINUTE = 120  # per person: a fast player, never a script hammering the engines
T = TypeVar("T")


class PlayStart(Strict):
    game: str = Field(min_length=1, max_length=64)
    new: bool = False
    seed: int | None = Field(default=None, ge=0, le=2**31)
    elo: int = 1500
    color: Literal["white", "black"] = "white"
    partner: bool = False


class PlayLine(Strict):
    line: str = Field(max_length=2000)


@router.get("")
async def now_open(who: Who, request: Request) -> dict[str, Any]:
    """The game open now (its view: the screen, or the board as SVG), and the games there are."""
    site = site_of(request)
    async with site.spaces.use(who.user_id) as space, game_lock(site, space):
        seated = await _engines(current(space))
        view = seated.play.view() if seated is not None else None
    return {"open": view, "games": game_names()}


@router.post("")
async def start(body: PlayStart, who: Talker, request: Request) -> dict[str, Any]:
    """Open a game, leaving (and keeping) any other; its latest session is taken up unless ``new``."""
    if body.game == "story":
        raise ApiError(400, "a story is opened by uploading its file to /v1/play/story")
    seed = body.seed if body.seed is not None else random.SystemRandom().randrange(1, 2**31)
    choice = Choice(body.game, new=body.new, seed=seed, elo=body.elo, white=body.color == "white",
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
    answer, view = await play_line(site, who.user_id, body.line)
    return {"answer": answer.to_dict(), "view": view}


async def play_line(site: Site, user_id: str, line: str) -> tuple[Answer, dict[str, Any] | None]:
    """One line at the person's open game, on whichever worker it reaches; the answer and the
    game's view after it (None once left). The web app's Play view and its microphone both come
    here. Words for os1 become a conversation turn that sees the game."""
    async with site.spaces.use(user_id) as space:
        async with game_lock(site, space):
            seated = _seated(await _engines(current(space)))
            answer = await _engines(seated.play.say(line))
            if answer.quit:
                await leave(space)
                return answer, None
            if answer.move or answer.over:
                await keep(space, seated)
            scene = seated.play.context() if answer.chat else ""
            view = seated.play.view()
        if answer.chat:  # outside the game lock: a conversation turn takes the person's turn lock
            answer = await _conversation(site, user_id, answer, scene)
        return answer, view


async def game_open(site: Site, user_id: str) -> bool:
    """Whether the person has a game open in the web app (on any worker)."""
    async with site.spaces.use(user_id) as space, game_lock(site, space):
        try:
            return await current(space) is not None
        except StoryElsewhere:
            return True


class VoiceTable:
    """The person's Play-view game for a spoken conversation over ``/v1/voice``: each spoken
    game line goes down ``play_line`` like a typed one, and its answer and the game's view are
    sent to the client (``{"type": "play", "line", "answer", "view"}``) for the Play log."""

    def __init__(self, site: Site, user_id: str, tell: Callable[[dict[str, Any]], None]) -> None:
        self.site = site
        self.user_id = user_id
        self.tell = tell

    async def opened(self) -> bool:
        return await game_open(self.site, self.user_id)

    async def scene(self) -> str:
        """The game as it stands (empty when none is open), for words to os1 at the table."""
        async with self.site.spaces.use(self.user_id) as space, game_lock(self.site, space):
            try:
                seated = await current(space)
            except StoryElsewhere:
                return ""
            return seated.play.context() if seated is not None else ""

    async def say(self, line: str) -> Answer:
        try:
            answer, view = await play_line(self.site, self.user_id, line)
        except ApiError as exc:  # no game open any more, an engine missing: one line, spoken
            answer, view = Answer(error=str(exc.detail), quit=exc.status_code == 409), None
        self.tell({"type": "play", "line": line, "answer": answer.to_dict(), "view": view})
        return answer


@router.post("/save")
async def save(who: Talker, request: Request) -> dict[str, Any]:
    """Keep the open game now, as a moment in memory."""
    site = site_of(request)
    async with site.spaces.use(who.user_id) as space, game_lock(site, space):
        seated = _seated(await _engines(current(space)))
        await keep(space, seated)
    return {"saved": seated.kept}


@router.delete("", status_code=204)
async def leave_game(who: Talker, request: Request) -> Response:
    """Leave the open game; it is kept if anything happened in it."""
    site = site_of(request)
    async with site.spaces.use(who.user_id) as space, game_lock(site, space):
        await leave(space)
    return Response(status_code=204)


async def _open(site: Site, who: Caller, choice: Choice,
                folder: tempfile.TemporaryDirectory[str] | None = None) -> dict[str, Any]:
    await limit(site, f"play:{who.user_id}", MOVES_PER_MINUTE, "moves")
    async with site.spaces.use(who.user_id) as space, game_lock(site, space):
        await leave(space)
        session = new_session()
        slot = "main" if choice.game == "chess" else _engines_now(lambda: text_game(choice)[1])
        opened = Opened(choice.game, slot, session, choice.new, choice.seed, choice.elo, choice.white,
                        choice.partner)
        play = await _engines(seat(space, choice, session))
        space.play = seated = Seated(play, opened, folder=folder)
        if play.view().get("moves"):  # the engine opened (or a game taken up): kept for every worker
            await keep(space, seated)
        await mark(space, opened)
        return {"welcome": play.welcome, "view": play.view()}


def _seated(seated: Seated | None) -> Seated:
    if seated is None:
        raise ApiError(409, "no game is open: start one first")
    return seated


def _engines_now(work: Any) -> str:
    try:
        return str(work())
    except InputError as exc:
        raise ApiError(400, str(exc)) from None


async def _engines(work: Awaitable[T]) -> T:
    """A missing or stopped engine (stockfish, dfrotz) is 503 with how to install it; bad input
    400; a story whose file is on another worker 409."""
    try:
        result = await work
    except (MissingProgram, StoryUnavailable) as exc:
        raise ApiError(503, str(exc)) from None
    except InputError as exc:
        raise ApiError(400, str(exc)) from None
    except StoryElsewhere as exc:
        raise ApiError(409, str(exc)) from None
    return result


async def _conversation(site: Site, user_id: str, answer: Answer, scene: str) -> Answer:
    """Words for os1 itself, at the table: a conversation turn that sees the game as it stands
    (its own text, given as outside content), answered whole."""
    errors: list[str] = []

    def keep_error(event: dict[str, Any]) -> None:
        if event["type"] == "error":
            errors.append(event["message"])

    done = await run_turn(site, user_id, answer.chat, keep_error, outside=scene)
    if done is None:
        return Answer(chat=answer.chat, error=errors[0] if errors else "the turn did not finish")
    return Answer(chat=answer.chat, said=str(done["reply"]))
