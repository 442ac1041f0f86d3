"""Z-machine stories the user owns, played through Debian's dfrotz (frotz's plain-text face) as
a ``Game``. dfrotz runs with a fixed random seed and may write files only in a private
temporary folder; the saved form is the story's hash, the seed and the commands typed, replayed
on load, so a save is plain JSON that travels in an export.

dfrotz prints no status line, and the Debian build leaves out bold text (where Inform prints a
room's name), so the place is read from the screen: after a move, the first line of a reply
that is not a refusal."""

from __future__ import annotations

import asyncio
import hashlib
import random
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from os1.errors import InputError, Os1Error
from os1.games.atlas import WAYS, way
from os1.games.base import Place, Screen, clean_command
from os1.games.programs import find_program

MAX_STORY_BYTES = 16 * 1024 * 1024  # a Z-machine story is at most 512 KB; a blorb with pictures more
MAX_MOVES = 20_000
REPLY_TIMEOUT_S = 20.0  # a story that neither prompts nor ends in this long has hung
PROMPT = re.compile(r"(?:^|\n)>\s*$")
_REFUSED = re.compile(r"^(you can't|you cannot|you can not|you'll have to|that's not|i don't|"
                      r"there is no|you are unable|the .+ is (?:closed|locked)|it is pitch dark)", re.I)
_SEE = re.compile(r"you (?:can )?(?:also )?see (.+?) here", re.I)
_ITEM = re.compile(r"^(?:an? |the |some )", re.I)
_LOOKS = ("look", "l")


class StoryUnavailable(Os1Error):
    """The interpreter stopped or stopped answering."""


@dataclass(frozen=True)
class Story:
    path: Path
    digest: str
    title: str


def read_story(path: Path) -> Story:
    """A story file, checked: a Z-machine image (version 1 to 8) or a blorb holding one."""
    try:
        data = path.read_bytes()[:MAX_STORY_BYTES + 1]
    except OSError as exc:
        raise InputError(f"cannot read the story {path.name}: {exc.strerror or exc}") from None
    if len(data) > MAX_STORY_BYTES:
        raise InputError(f"{path.name} is too big for a Z-machine story")
    blorb = data[:4] == b"FORM" and data[8:12] == b"IFRS"
    if not blorb and (len(data) < 64 or data[0] not in range(1, 9)):
        raise InputError(f"{path.name} is not a Z-machine story file (.z3, .z5, .z8 or a blorb)")
    return Story(path.resolve(), hashlib.sha256(data).hexdigest(), path.stem)


class StoryGame:
    """One story played through a dfrotz process."""

    name = "story"

    def __init__(self, story: Story, seed: int | None = None) -> None:
        self.story = story
        self.title = f'the story "{story.title}"'
        self.seed = seed if seed is not None else random.SystemRandom().randrange(1, 32000)
        self.moves: list[str] = []
        self._proc: asyncio.subprocess.Process | None = None
        self._folder: tempfile.TemporaryDirectory[str] | None = None
        self._place: Place | None = None
        self.carried: list[str] = []
        self.over = False

    async def start(self) -> Screen:
        await self.close()
        self.moves, self._place, self.carried, self.over = [], None, [], False
        self._folder = tempfile.TemporaryDirectory(prefix="os1-story-")
        self._proc = await asyncio.create_subprocess_exec(
            find_program("dfrotz"), "-m", "-p", "-q", "-w", "80", "-h", "999", "-s", str(self.seed),
            "-R", self._folder.name, str(self.story.path),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL)
        text = await self._read()
        return self._screen(None, text)

    async def act(self, command: str) -> Screen:
        line = clean_command(command)
        if line.startswith("\\"):
            raise InputError("lines starting with a backslash speak to the interpreter, not the story")
        if self.over or self._proc is None:
            raise InputError("the story has ended: start it again with --new")
        text = await self._send(line)
        self.moves.append(line)
        return self._screen(line, text)

    def save(self) -> dict[str, Any]:
        return {"game": self.name, "digest": self.story.digest, "seed": self.seed, "moves": list(self.moves)}

    async def load(self, saved: dict[str, Any]) -> Screen:
        seed, moves = saved.get("seed"), saved.get("moves")
        if saved.get("digest") != self.story.digest:
            raise InputError("the saved game belongs to another story file")
        fine = isinstance(moves, list) and len(moves) <= MAX_MOVES and all(
            isinstance(m, str) and 0 < len(m) <= 200 and not m.startswith("\\") for m in moves)
        if not isinstance(seed, int) or not fine or not isinstance(moves, list):
            raise InputError("the saved story is damaged: it needs a seed and a list of moves")
        self.seed = seed
        screen = await self.start()
        for move in moves:
            screen = await self.act(move)
        return screen

    def describe(self) -> str:
        where = f"at {self._place.name}" if self._place else "somewhere"
        return f"{self.title}: {where}, {len(self.moves)} moves" + (" (ended)" if self.over else "")

    async def close(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.returncode is None:
            proc.kill()
            await proc.wait()
        if self._folder is not None:
            self._folder.cleanup()
            self._folder = None

    async def _send(self, line: str) -> str:
        assert self._proc is not None and self._proc.stdin is not None
        try:
            self._proc.stdin.write(line.encode("ascii", "replace") + b"\n")
            await self._proc.stdin.drain()
        except (BrokenPipeError, ConnectionResetError):
            self.over = True
            raise StoryUnavailable("the story has stopped") from None
        return await self._read()

    async def _read(self) -> str:
        """Everything the story prints up to its next prompt (or its end)."""
        assert self._proc is not None and self._proc.stdout is not None
        out = b""
        while True:
            try:
                chunk = await asyncio.wait_for(self._proc.stdout.read(65536), REPLY_TIMEOUT_S)
            except TimeoutError:
                raise StoryUnavailable("the story stopped answering") from None
            if not chunk:
                self.over = True
                break
            out += chunk
            if PROMPT.search(out.decode("latin-1")):
                break
        text = out.decode("latin-1").replace("\r", "")
        return PROMPT.sub("", text).strip("\n")

    def _screen(self, command: str | None, text: str) -> Screen:
        lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
        moving = command is None or way(command) in WAYS or command.casefold() in _LOOKS
        if moving and lines:
            first = lines[-_room_start(lines)] if command is None else lines[0]
            if not _REFUSED.match(first):
                name = first.split(". ")[0].rstrip(".")[:60]
                self._place = Place("line:" + " ".join(name.casefold().split()), name)
        if command is not None:
            self._carry(command, lines)
        return Screen(text, self._place, _things(text), _ways_in(text), tuple(self.carried), over=self.over)

    def _carry(self, command: str, lines: list[str]) -> None:
        """Follow what the player holds from "take X" / "drop X" and the story's "Taken." / "Dropped."."""
        verb, _, thing = command.casefold().partition(" ")
        thing = _ITEM.sub("", thing).strip()
        if not thing or not lines:
            return
        if verb in ("take", "get") and lines[0].casefold().startswith("taken"):
            if thing not in self.carried:
                self.carried.append(thing)
        elif verb == "drop" and lines[0].casefold().startswith("dropped") and thing in self.carried:
            self.carried.remove(thing)


def _room_start(lines: list[str]) -> int:
    """At the start, the room's description is the last paragraph before the prompt that is not
    an object list: count back from the end past "You can see ..." lines."""
    back = 1
    while back < len(lines) and _SEE.search(lines[-back]):
        back += 1
    return back


def _things(text: str) -> tuple[str, ...]:
    found: list[str] = []
    for match in _SEE.finditer(" ".join(text.split())):
        for part in re.split(r",\s*|\s+and\s+", match.group(1)):
            item = _ITEM.sub("", part.strip()).strip()
            if item and len(item) <= 40:
                found.append(item)
    return tuple(found)


def _ways_in(text: str) -> tuple[str, ...]:
    low = text.casefold()
    return tuple(w for w in ("north", "south", "east", "west", "northeast", "northwest", "southeast",
                             "southwest", "up", "down") if re.search(rf"\b{w}\b", low))
