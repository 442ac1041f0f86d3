"""The co-player's judgement for text adventures: what to do next and why, from the map and
the screen alone (no model), so it works the same on the bundled model and on none. A model,
when there is one, only puts the suggestion into its own words (``os1.games.words``)."""

from __future__ import annotations

from dataclasses import dataclass

from os1.games.atlas import CARRIED, OPPOSITE, Atlas
from os1.games.base import Screen

# things worth picking up first, and why (Colossal Cave; any game's lamp or key reads the same)
USEFUL = {"lamp": "we'll need light below ground", "lantern": "we'll need light in the dark",
          "keys": "there's a grate somewhere that wants a key", "key": "something here will be locked",
          "food": "someone down there may be hungry", "bottle": "water may come in handy"}


@dataclass(frozen=True)
class Suggestion:
    """A command to type and the reason for it, in os1's plain words."""

    command: str
    why: str


def suggest(atlas: Atlas, screen: Screen) -> Suggestion:
    """The next move: light if it is dark and we can, take something useful lying here, try a
    way out of here not yet tried, else head for the nearest place that still has one."""
    if screen.extra.get("question"):  # the game asked a yes-or-no question and waits for it
        return Suggestion("yes", "the game is asking us, and yes keeps us playing")
    if screen.dark:
        if _carrying(atlas, "lamp") and not screen.extra.get("lamp_lit"):
            return Suggestion("light lamp", "it's pitch dark and we have the lamp")
        return Suggestion("back", "it's dark and we have no light: going on risks a fall")
    for thing in screen.things:
        why = USEFUL.get(thing.split()[-1].casefold())
        if why is not None:
            verb = "are" if thing.endswith("s") else "is"
            return Suggestion(f"take {thing.split()[-1]}", f"the {thing} {verb} right here, and {why}")
    here = screen.place.key if screen.place else atlas.here
    if here is not None:
        returns = _returns(atlas, here)
        untried = [w for w in atlas.untried(here, screen.exits) if w not in returns]
        if untried:
            return Suggestion(untried[0], f"we haven't tried {untried[0]} from {atlas.name(here)} yet")
        target = _nearest_open(atlas, here, screen.exits)
        if target is not None:
            place, steps = target
            return Suggestion(steps[0], f"{atlas.name(place)} still has a way we haven't tried; "
                                        f"it's {len(steps)} move{'s' if len(steps) > 1 else ''} from here")
        back = _way_back(atlas, here)
        if back is not None:
            return Suggestion(back, f"nothing here is left untried, so back the way we came ({back})")
    if screen.things:
        thing = screen.things[0]
        return Suggestion(f"take {thing.split()[-1]}", f"the {thing} is here; it may matter later")
    return Suggestion("look", "to see this place again: I know no way on from here yet")


def _returns(atlas: Atlas, here: str) -> set[str]:
    """The compass ways that most likely lead back where we came from (left for last)."""
    return {OPPOSITE[label] for ways in atlas.exits.values() for label, to in ways.items()
            if to == here and label in OPPOSITE}


def _way_back(atlas: Atlas, here: str) -> str | None:
    """The compass way opposite to the one that brought us here, if we have not tried it."""
    for ways in atlas.exits.values():
        for label, to in ways.items():
            back = OPPOSITE.get(label)
            if to == here and back is not None and back not in atlas.tried.get(here, []):
                return back
    return None


def _carrying(atlas: Atlas, word: str) -> bool:
    return any(place == CARRIED and word in thing for thing, place in atlas.things.items())


def _nearest_open(atlas: Atlas, here: str, exits_here: tuple[str, ...]) -> tuple[str, list[str]] | None:
    """The closest known place with an exit the map says we never took (by the ways its screen
    offered when we were there), and the route to it."""
    best: tuple[str, list[str]] | None = None
    for key, offered in atlas.offered.items():
        if key == here or not atlas.untried(key, tuple(offered)):
            continue
        steps = atlas.route(here, key)
        if steps and (best is None or len(steps) < len(best[1])):
            best = (key, steps)
    return best
