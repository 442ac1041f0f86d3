"""A game table for text adventures: the game, os1's map of it, the co-player's suggestions
and turns, and keeping the session. The CLI, the ``game_*`` tools and the benchmark all play
through it."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from os1.errors import InputError
from os1.games.atlas import CARRIED, Atlas
from os1.games.base import Game, Screen
from os1.games.coplayer import Suggestion, suggest
from os1.games.keeping import Keeper
from os1.memory.moments import Moment

SAVE_EVERY = 25  # moves between automatic saves, so a crash loses at most this many


@dataclass(frozen=True)
class Turn:
    """One move made at the table: who made it, what it was, why (os1's), and the screen."""

    by: str  # "user" or "os1"
    command: str
    screen: Screen
    why: str = ""


class Table:
    """One game played together. ``keeper``: where sessions are kept (None: not kept);
    ``slot``: which saved game this is (a story's hash; ``main`` for the cave)."""

    def __init__(self, game: Game, keeper: Keeper | None, *, slot: str = "main",
                 clock: Callable[[], float] = time.time) -> None:
        self.game = game
        self.keeper = keeper
        self.slot = slot
        self.clock = clock
        self.atlas = Atlas()
        self.screen = Screen("")
        self.started = clock()
        self.first_move = 0
        self.unsaved = 0
        self.welcome = ""

    async def open(self, *, resume: bool = True) -> Screen:
        """Start the game, or take up the latest kept session of it (a damaged save is one
        line, and the game starts anew rather than half-loaded)."""
        kept = await self.keeper.latest(self.game.name, self.slot) if (self.keeper and resume) else None
        if kept is not None:
            try:
                atlas = Atlas.from_dict(kept.data.get("atlas", {}))
                self.screen = await self.game.load(dict(kept.data.get("save", {})))
            except InputError as exc:
                self.welcome = f"The saved game could not be used ({exc}); starting anew."
            else:
                if self.screen.over:  # that game ended: a new one, with the map of the world kept
                    self.atlas = atlas
                    self.welcome = "Last time the game ended; here's a new one. I still know the way around."
                    return await self._fresh()
                self.atlas = atlas
                self.first_move = len(self.game.save().get("moves", []))
                if self.keeper is not None and self.keeper.continues(kept):
                    return self._go_on(kept)
                self.welcome = _welcome_back(kept.item.created_at, self.atlas)
                self.atlas.observe(None, None, self.screen, self.clock())
                return self.screen
        return await self._fresh()

    def _go_on(self, kept: Moment) -> Screen:
        """This very session, saved on another worker: go on from it as it stands (its last
        screen, its map), its next saves replacing that one."""
        assert self.keeper is not None
        self.keeper.last_id = kept.id
        self.started = float(kept.data.get("started", self.started))
        if isinstance(shown := kept.data.get("screen"), str):
            self.screen = replace(self.screen, text=shown)
        return self.screen

    async def _fresh(self) -> Screen:
        self.screen = await self.game.start()
        self.atlas.observe(None, None, self.screen, self.clock())
        return self.screen

    async def play(self, command: str, *, by: str = "user", why: str = "") -> Turn:
        """Make one move; a refused command changes nothing (the game says why in one line)."""
        before = self.screen.place
        screen = await self.game.act(command)
        command = screen.fitted or command  # as the game took it
        self.atlas.observe(command, before, screen, self.clock())
        self.screen = screen
        self.unsaved += 1
        if self.keeper is not None and self.unsaved >= SAVE_EVERY:
            await self.save()
        return Turn(by, command, screen, why)

    def suggest(self) -> Suggestion:
        return suggest(self.atlas, self.screen)

    async def take_turn(self) -> Turn:
        """os1 plays the move it would suggest, and says why."""
        idea = self.suggest()
        return await self.play(idea.command, by="os1", why=idea.why)

    def ask(self, question: str) -> str:
        found = self.atlas.answer(question)
        return found or "I can answer where a thing is, or how to get somewhere we've been."

    async def save(self) -> int | None:
        """Keep the session now (a moment with the save and the map); its id, or None."""
        if self.keeper is None:
            return None
        moment = await self.keeper.save(self.game.name, self.slot, self.memory_text(),
                                        {"title": self.game.title, "save": self.game.save(),
                                         "atlas": self.atlas.to_dict(), "started": self.started,
                                         "screen": self.screen.text})
        self.unsaved = 0
        return moment.id

    async def close(self) -> None:
        """Keep the session if anything happened in it, then stop the game."""
        try:
            if self.unsaved:
                await self.save()
        finally:
            await self.game.close()

    def memory_text(self) -> str:
        """The session in os1's words: when, where we went, where things are, where we stopped."""
        day = datetime.fromtimestamp(self.started).strftime("%A %-d %B %Y")
        visited = sorted(self.atlas.places.values(), key=lambda p: float(p["first"]))
        new = [str(p["name"]) for p in visited if float(p["first"]) >= self.started]
        lines = [f"You and the user played {self.game.title} together on {day}."]
        if new:
            lines.append(f"You reached {_listed(new[-12:])} for the first time.")
        things = [f"the {t}: {'with you' if p == CARRIED else 'at ' + self.atlas.name(p)}"
                  for t, p in self.atlas.things.items()]
        if things:
            lines.append(f"Where things are: {_listed(things[:12])}.")
        if self.atlas.here:
            lines.append(f"You stopped at {self.atlas.name(self.atlas.here)}.")
        return " ".join(lines)

    def state(self) -> dict[str, Any]:
        return {"game": self.game.name, "describe": self.game.describe(), "here": self.atlas.here and
                self.atlas.name(self.atlas.here), "places": len(self.atlas.places)}


def _welcome_back(when: float, atlas: Atlas) -> str:
    day = datetime.fromtimestamp(when).strftime("%A")
    where = f" at {atlas.name(atlas.here)}" if atlas.here else ""
    return f"Welcome back: we left off{where} on {day}. We know {len(atlas.places)} places."


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
