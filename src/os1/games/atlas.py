"""The map os1 keeps of a game's world: the places seen, which way leads where, and where each
thing was last seen. Built only from what the game showed, saved as plain JSON, and asked plain
questions ("where is the lamp?", "how do we get from the building to the grate?") without a
model."""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from os1.errors import InputError
from os1.games.base import Place, Screen

CARRIED = "(carried)"
# spelled-out directions, so "n" and "north" are one exit
DIRECTIONS = {"n": "north", "s": "south", "e": "east", "w": "west", "u": "up", "d": "down",
              "ne": "northeast", "nw": "northwest", "se": "southeast", "sw": "southwest",
              "go north": "north", "go south": "south", "go east": "east", "go west": "west",
              "go up": "up", "go down": "down", "enter": "in", "exit": "out", "leave": "out"}
OPPOSITE = {"north": "south", "south": "north", "east": "west", "west": "east", "up": "down",
            "down": "up", "in": "out", "out": "in", "northeast": "southwest", "southwest": "northeast",
            "northwest": "southeast", "southeast": "northwest"}
WAYS = frozenset({"north", "south", "east", "west", "up", "down", "in", "out", "northeast",
                  "northwest", "southeast", "southwest"})
_WHERE = re.compile(r"\bwhere(?:'s| is| are| did we (?:see|leave))\s+(?:the |a |an |my |our )?(.+?)\??$",
                    re.I)
_ROUTE = re.compile(r"\bhow (?:do|can|would) (?:we|i|you) (?:get|go) "
                    r"(?:from (?:the )?(.+?) )?to (?:the )?(.+?)\??$", re.I)


def way(command: str) -> str:
    """A command as an exit's label: directions spelled out, everything else as typed."""
    text = " ".join(command.casefold().split())
    return DIRECTIONS.get(text, text)


@dataclass
class Atlas:
    """Places by key (name, when first and last seen, visits), exits (place → way → place),
    the ways tried from each place, and where each thing was last seen."""

    places: dict[str, dict[str, Any]] = field(default_factory=dict)
    exits: dict[str, dict[str, str]] = field(default_factory=dict)
    tried: dict[str, list[str]] = field(default_factory=dict)
    things: dict[str, str] = field(default_factory=dict)
    here: str | None = None
    offered: dict[str, list[str]] = field(default_factory=dict)  # ways each screen said there are

    def observe(self, command: str | None, before: Place | None, screen: Screen, when: float) -> None:
        """Learn from one screen: ``command`` was typed at ``before`` and the game answered."""
        after = screen.place
        if after is not None:
            seen = self.places.setdefault(after.key, {"name": after.name, "first": when, "visits": 0})
            if after.key != self.here:
                seen["visits"] += 1
            seen["last"] = when
            self.here = after.key
            if screen.exits:
                self.offered[after.key] = list(screen.exits)
        if command and before is not None:
            label = way(command)
            moved = after is not None and after.key != before.key
            offered = {way(w) for w in self.offered.get(before.key, ())}
            if moved or label in WAYS or label in offered:
                tried = self.tried.setdefault(before.key, [])
                if label not in tried:
                    tried.append(label)
            if moved and after is not None:
                self.exits.setdefault(before.key, {})[label] = after.key
        self._see_things(screen)

    def _see_things(self, screen: Screen) -> None:
        for thing in screen.carried:
            self.things[thing] = CARRIED
        if screen.place is None or screen.dark:
            return
        here = screen.place.key
        for thing, where in list(self.things.items()):
            if where == here and thing not in screen.things:
                del self.things[thing]  # taken or moved while we were not looking
        for thing in screen.things:
            self.things[thing] = here
        if screen.extra.get("inventory_known"):  # the game says exactly what is carried
            for thing, where in list(self.things.items()):
                if where == CARRIED and thing not in screen.carried:
                    del self.things[thing]

    def name(self, key: str) -> str:
        return str(self.places.get(key, {}).get("name", key))

    def untried(self, key: str, ways: tuple[str, ...]) -> list[str]:
        """The ways out of ``key`` the game mentions that we have not tried yet."""
        done = set(self.tried.get(key, ())) | set(self.exits.get(key, {}))
        return [w for w in (way(x) for x in ways) if w not in done]

    def route(self, start: str, goal: str) -> list[str] | None:
        """The shortest known way from one place to another (the ways to type), or None; when
        no way is known, one that also walks compass exits backwards (in most worlds, north
        from A to B means south from B to A)."""
        return self._route(start, goal, self.exits) or self._route(start, goal, self._with_returns())

    def _with_returns(self) -> dict[str, dict[str, str]]:
        both = {key: dict(ways) for key, ways in self.exits.items()}
        for start, ways in self.exits.items():
            for label, to in ways.items():
                back = OPPOSITE.get(label)
                if back is not None:
                    both.setdefault(to, {}).setdefault(back, start)
        return both

    @staticmethod
    def _route(start: str, goal: str, exits: dict[str, dict[str, str]]) -> list[str] | None:
        if start == goal:
            return []
        back: dict[str, tuple[str, str]] = {}
        queue = deque([start])
        while queue:
            at = queue.popleft()
            for label, to in exits.get(at, {}).items():
                if to in back or to == start:
                    continue
                back[to] = (at, label)
                if to == goal:
                    steps: list[str] = []
                    while to != start:
                        to, label = back[to]
                        steps.append(label)
                    return steps[::-1]
                queue.append(to)
        return None

    def find_place(self, words: str) -> str | None:
        """The place whose name best matches ``words`` (all words in it, else most of them)."""
        wanted = set(_words(words))
        if not wanted:
            return None
        best, score = None, 0.0
        for key, place in self.places.items():
            have = set(_words(str(place["name"])))
            overlap = len(wanted & have) / len(wanted)
            shorter = best is not None and len(have) < len(_words(self.name(best)))
            if overlap > score or (overlap == score and shorter):
                best, score = key, overlap
        return best if score >= 0.5 else None

    def where(self, thing: str) -> str:
        """Where a thing was last seen, in words."""
        found = self._find_thing(thing)
        if found is None:
            return f"I haven't seen {_article(thing)} anywhere yet."
        place = self.things[found]
        if place == CARRIED:
            return f"We're carrying the {found}."
        return f"The {found} was last seen at {self.name(place)}."

    def way_to(self, goal_words: str, start_words: str | None = None) -> str:
        """How to get to a place (from another, or from here), in words."""
        goal = self.find_place(goal_words)
        start = self.find_place(start_words) if start_words else self.here
        if goal is None:
            return f"We haven't been anywhere called {goal_words!r}."
        if start is None:
            return f"We haven't been anywhere called {start_words!r}."
        steps = self.route(start, goal)
        if steps is None:
            return f"I don't know a way from {self.name(start)} to {self.name(goal)} yet."
        if not steps:
            return f"We're already at {self.name(goal)}."
        return f"From {self.name(start)} to {self.name(goal)}: {', '.join(steps)}."

    def answer(self, question: str) -> str | None:
        """A plain question about the world answered from the map alone, or None."""
        text = question.strip()
        if match := _ROUTE.search(text):
            return self.way_to(match.group(2), match.group(1))
        if match := _WHERE.search(text):
            return self.where(match.group(1))
        return None

    def _find_thing(self, words: str) -> str | None:
        wanted = set(_words(words))
        for thing in self.things:
            if wanted & set(_words(thing)):
                return thing
        return None

    def summary(self, limit: int = 12) -> str:
        """The map in a few lines: places with their known exits, and where things lie."""
        lines = []
        for key in list(self.places)[:limit]:
            exits = ", ".join(f"{label} → {self.name(to)}" for label, to in self.exits.get(key, {}).items())
            mark = " (here)" if key == self.here else ""
            lines.append(f"{self.name(key)}{mark}: {exits or 'no known exits'}")
        if len(self.places) > limit:
            lines.append(f"... and {len(self.places) - limit} more places")
        things = [f"{t} ({'carried' if p == CARRIED else self.name(p)})" for t, p in self.things.items()]
        if things:
            lines.append("Things: " + "; ".join(things))
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {"places": self.places, "exits": self.exits, "tried": self.tried,
                "things": self.things, "here": self.here, "offered": self.offered}

    @classmethod
    def from_dict(cls, data: Any) -> Atlas:
        """A saved map, checked: anything malformed is one InputError, nothing half-loaded."""
        try:
            places = {str(k): {"name": str(v["name"]), "first": float(v["first"]),
                               "last": float(v.get("last", v["first"])), "visits": int(v.get("visits", 1))}
                      for k, v in dict(data.get("places", {})).items()}
            exits = {str(k): {str(a): str(b) for a, b in dict(v).items()}
                     for k, v in dict(data.get("exits", {})).items()}
            tried = {str(k): [str(x) for x in list(v)] for k, v in dict(data.get("tried", {})).items()}
            things = {str(k): str(v) for k, v in dict(data.get("things", {})).items()}
            offered = {str(k): [str(x) for x in list(v)] for k, v in dict(data.get("offered", {})).items()}
            here = data.get("here")
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            raise InputError(f"the saved map is damaged ({type(exc).__name__})") from None
        return cls(places, exits, tried, things, str(here) if here is not None else None, offered)


def _words(text: str) -> list[str]:
    stop = {"the", "a", "an", "of", "at", "in", "to", "you're", "you", "are", "is", "we", "our", "my"}
    return [w for w in re.findall(r"[a-z0-9]+", text.casefold()) if w not in stop]


def _article(thing: str) -> str:
    return thing if thing.split()[0].casefold() in ("the", "a", "an", "any") else f"the {thing}"
