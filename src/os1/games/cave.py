"""Colossal Cave Adventure (the ``adventure`` package, Crowther and Woods' original) as a
``Game``. Its saved form is the seed and the commands typed, replayed on load: the package's
own save is a pickle, which os1 never loads."""

from __future__ import annotations

import asyncio
import random
import re
from dataclasses import replace
from typing import Any

from os1.errors import InputError
from os1.games.base import Place, Screen, clean_command
from os1.games.fitting import fit

MAX_MOVES = 20_000  # a saved game longer than this is not one os1 wrote
_YOU = re.compile(r"^(?:you're|you are)\s+(?:at |in |on |inside )?(?:the )?", re.I)
_AGAIN = re.compile(r"\s+again$")


# the 1977 parser reads one or two words: "take the lamp", as said aloud, is "take lamp" to it
ARTICLES = frozenset({"the", "a", "an", "some"})


class CaveGame:
    """One Colossal Cave game: a seeded engine and the commands typed so far."""

    name = "adventure"
    title = "Colossal Cave Adventure"

    def __init__(self, seed: int | None = None) -> None:
        self.seed = seed if seed is not None else random.SystemRandom().randrange(1, 2**31)
        self.moves: list[str] = []
        self._engine: Any = None
        self._vocabulary: frozenset[str] | None = None

    async def start(self) -> Screen:
        self.moves = []
        self._engine = _new_engine(self.seed)
        return self._screen(str(self._engine.output))

    async def act(self, command: str) -> Screen:
        line = clean_command(command)
        said = re.findall(r"[a-z0-9]+", line.casefold())
        words = [w for w in said if w not in ARTICLES] or said
        if not words:
            raise InputError("the cave understands words of letters: try 'east' or 'take lamp'")
        if self._engine is None:
            await self.start()
        taken = fit(words, self._words(), self._in_sight())
        try:
            out = str(self._engine.do_command(taken))
        except Exception as exc:  # the engine's own bug on odd input: put the game back as it was
            self._engine = _replayed(self.seed, self.moves)
            raise InputError(f"the cave could not take {line!r} ({type(exc).__name__}); "
                             "nothing changed") from None
        self.moves.append(" ".join(taken))
        screen = self._screen(out)
        return replace(screen, fitted=" ".join(taken)) if taken != words else screen

    def save(self) -> dict[str, Any]:
        return {"game": self.name, "seed": self.seed, "moves": list(self.moves)}

    async def load(self, saved: dict[str, Any]) -> Screen:
        seed, moves = _checked(saved)
        engine = await asyncio.to_thread(_replayed, seed, moves)
        self.seed, self.moves, self._engine = seed, moves, engine
        if not moves or getattr(engine, "loc", None) is None:  # not yet past the first question
            return self._screen(str(engine.output))
        # the room's words, read rather than asked for: a "look" would change the game
        return self._screen(str(engine.loc.long_description or engine.loc.short_description))

    def describe(self) -> str:
        if self._engine is None or getattr(self._engine, "loc", None) is None:
            return f"{self.title}, not started"
        carried = ", ".join(_thing(o) for o in self._engine.inventory) or "nothing"
        where = _place_name(self._engine.loc)
        return f"{self.title}: at {where}, carrying {carried}, {len(self.moves)} moves"

    async def close(self) -> None:
        self._engine = None

    def _words(self) -> frozenset[str]:
        """The words the cave's parser knows (its vocabulary also holds numbered entries); the
        same data file gives every engine the same words, so they are read once."""
        if self._vocabulary is None:
            self._vocabulary = frozenset(w for w in self._engine.vocabulary if isinstance(w, str))
        return self._vocabulary

    def _in_sight(self) -> list[str]:
        engine = self._engine
        if getattr(engine, "loc", None) is None:
            return []
        here = [] if engine.is_dark else list(engine.objects_here)
        return [str(n) for o in [*here, *engine.inventory] for n in o.names if isinstance(n, str)]

    def _screen(self, text: str) -> Screen:
        engine = self._engine
        loc = getattr(engine, "loc", None)
        asking = bool(getattr(engine, "yesno_callback", None))
        if loc is None:  # still at "would you like instructions?"
            return Screen(text, extra={"inventory_known": True, "question": asking})
        dark = bool(engine.is_dark)
        things = () if dark else tuple(_thing(o) for o in engine.objects_here if not o.is_fixed)
        return Screen(text, Place(f"room:{loc.n}", _place_name(loc)), things, _ways(engine, loc),
                      tuple(_thing(o) for o in engine.inventory), dark, bool(engine.is_finished),
                      {"inventory_known": True, "lamp_lit": _lamp_lit(engine), "question": asking})


def _new_engine(seed: int) -> Any:
    from adventure import load_advent_dat
    from adventure.game import Game as Engine

    engine = Engine(seed)
    load_advent_dat(engine)
    engine.start()
    return engine


def _replayed(seed: int, moves: list[str]) -> Any:
    engine = _new_engine(seed)
    for move in moves:
        engine.do_command(move.split())
    return engine


def _checked(saved: dict[str, Any]) -> tuple[int, list[str]]:
    seed, moves = saved.get("seed"), saved.get("moves")
    if not isinstance(seed, int) or isinstance(seed, bool) or not isinstance(moves, list):
        raise InputError("the saved cave game is damaged: it needs a seed and a list of moves")
    if len(moves) > MAX_MOVES or not all(isinstance(m, str) and re.fullmatch(r"[a-z0-9 ]{1,200}", m)
                                         for m in moves):
        raise InputError("the saved cave game is damaged: its moves are not ones os1 wrote")
    return seed, list(moves)


def _place_name(loc: Any) -> str:
    short = str(loc.short_description or "").strip().rstrip(".").strip()
    if not short:
        short = str(loc.long_description or "").strip().split(".")[0]
    name = _AGAIN.sub("", _YOU.sub("", " ".join(short.split())).lower())
    return name[:80] or f"room {loc.n}"


def _thing(obj: Any) -> str:
    return str(obj.names[0]) if obj.names else f"object {obj.n}"


def _ways(engine: Any, loc: Any) -> tuple[str, ...]:
    """The motion words the travel table offers here that lead somewhere (never shown to the
    player as such; os1 uses them only to know which ways remain untried)."""
    from adventure.model import Room

    found: list[str] = []
    for move in loc.travel_table:
        if isinstance(move.action, Room) and move.verbs and not move.is_forced:
            word = str(move.verbs[0].text)
            if word not in found:
                found.append(word)
    return tuple(found)


def _lamp_lit(engine: Any) -> bool:
    lamp = engine.objects.get("lamp") if hasattr(engine, "objects") else None
    return bool(lamp is not None and lamp.prop)
