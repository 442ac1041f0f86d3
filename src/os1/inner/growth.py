"""Growth with continuity: the persona's versions, kept in the user's profile (so they live
with their memory on either backend and travel in its export), and the changes os1 proposes
from what the user said about how they like it to be.

Profile keys: ``persona.version`` (the version in use), ``persona.v<N>`` (each version: its
lines of growth, when and why it was made) and ``persona.proposal`` (a change waiting for the
user, with the memories behind each line). Versions are never rewritten: an edit or a rollback
makes a new one.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from typing import Protocol

from os1.errors import InputError
from os1.inner.persona_doc import MAX_LINES, PersonaDoc, checked, diff, parse, problems
from os1.memory.base import MemoryItem
from os1.memory.roles import Curation, Profile
from os1.outside import from_outside

VERSION_KEY = "persona.version"
PROPOSAL_KEY = "persona.proposal"
LOOK_BACK = 400  # recent utterances read for a proposal
_STYLE = re.compile(r"\b(short|shorter|brief|long|longer|detail|details|detailed|emoji|emojis|formal|"
                    r"casual|jokes?|funny|serious|questions|morning|mornings|evening|night|slowly|gentle|"
                    r"direct|blunt|simple|plain)\b", re.IGNORECASE)
_ASKING = re.compile(r"\b(i prefer|i'd prefer|i would prefer|i'd rather|i like it when you|i don't like it "
                     r"when you|i hate it when you|please|can you|could you|i want you to|don't|stop)\b",
                     re.IGNORECASE)


class PersonaMemory(Curation, Profile, Protocol):
    """What growth asks of the store."""


@dataclass(frozen=True)
class Version:
    number: int
    doc: PersonaDoc
    at: float
    why: str


@dataclass(frozen=True)
class Proposal:
    doc: PersonaDoc
    reasons: tuple[str, ...]  # one per new line: the memory it came from
    base: int  # the version it changes


class Growth:
    """One user's persona versions over their store."""

    def __init__(self, store: PersonaMemory) -> None:
        self.store = store

    async def _names(self) -> tuple[str, str]:
        profile = await self.store.profile()
        return profile.get("os_name") or "Samantha", profile.get("user_name") or "the user"

    async def current(self) -> Version:
        """The version in use (version 0, with nothing learned, before any was made)."""
        profile = await self.store.profile()
        return await self.version(int(profile.get(VERSION_KEY) or 0))

    async def version(self, number: int) -> Version:
        name, user = await self._names()
        if number == 0:
            return Version(0, PersonaDoc(name, user), 0.0, "the persona os1 started with")
        kept = (await self.store.profile()).get(f"persona.v{number}")
        if kept is None:
            raise InputError(f"no persona version {number} (see `os1 persona show --all`)")
        data = json.loads(kept)
        # the core is always today's: the name comes from the profile, values and honesty from code
        return Version(number, PersonaDoc(name, user, tuple(data["growth"])), data["at"], data["why"])

    async def versions(self) -> list[Version]:
        current = (await self.current()).number
        return [await self.version(n) for n in range(0, current + 1)] + await self._later(current)

    async def _later(self, current: int) -> list[Version]:
        profile = await self.store.profile()
        later = sorted(int(k.removeprefix("persona.v")) for k in profile
                       if re.fullmatch(r"persona\.v\d+", k) and int(k.removeprefix("persona.v")) > current)
        return [await self.version(n) for n in later]

    async def _newest(self) -> int:
        profile = await self.store.profile()
        return max((int(k.removeprefix("persona.v")) for k in profile if re.fullmatch(r"persona\.v\d+", k)),
                   default=0)

    async def keep(self, doc: PersonaDoc, why: str) -> Version:
        """A new version, checked, made the one in use."""
        try:
            doc = checked(doc)
        except ValueError as exc:
            raise InputError(str(exc)) from None
        number = await self._newest() + 1
        now = time.time()
        await self.store.set_profile({f"persona.v{number}": json.dumps({"growth": list(doc.growth), "at": now,
                                                                         "why": why}),
                                      VERSION_KEY: str(number), PROPOSAL_KEY: ""})
        return Version(number, doc, now, why)

    async def propose(self) -> Proposal | None:
        """A change from what the user said about how they like os1 to be, kept until accepted;
        None when there is nothing new to propose."""
        current = await self.current()
        _, user = await self._names()
        said = await self.store.list_memories(kind="utterance", limit=LOOK_BACK)
        lines, reasons = list(current.doc.growth), []
        for item in reversed(said):
            if item.private:  # kept between the user and os1: never written into the persona
                continue
            line = wish(item, user)
            if line and line not in lines and not problems(line):
                lines.append(line)
                reasons.append(f"memory {item.id} ({item.when})")
        if not reasons:
            return None
        doc = PersonaDoc(current.doc.name, user, tuple(lines[-MAX_LINES:]))
        proposal = Proposal(doc, tuple(reasons), current.number)
        await self.store.set_profile({PROPOSAL_KEY: json.dumps({"growth": list(proposal.doc.growth),
                                                                "reasons": reasons, "base": current.number})})
        return proposal

    async def proposal(self) -> Proposal | None:
        kept = (await self.store.profile()).get(PROPOSAL_KEY)
        if not kept:
            return None
        data = json.loads(kept)
        name, user = await self._names()
        return Proposal(PersonaDoc(name, user, tuple(data["growth"])), tuple(data["reasons"]), data["base"])

    async def accept(self) -> Version:
        proposal = await self.proposal()
        if proposal is None:
            raise InputError("no proposed change waits (see `os1 persona propose`)")
        return await self.keep(proposal.doc, "accepted a proposal: " + "; ".join(proposal.reasons))

    async def edit(self, text: str) -> Version:
        name, user = await self._names()
        try:
            doc = parse(text, name, user)
        except ValueError as exc:
            raise InputError(str(exc)) from None
        return await self.keep(doc, "edited by the user")

    async def rollback(self, number: int | None = None) -> Version:
        """A new version equal to version ``number`` (default: the one before the current)."""
        current = await self.current()
        target = current.number - 1 if number is None else number
        if target < 0 or target == current.number:
            why = "nothing to roll back to" if target < 0 else f"version {target} is already in use"
            raise InputError(why)
        old = await self.version(target)
        return await self.keep(old.doc, f"rolled back to version {target}")

    async def diff(self, a: int | None = None, b: int | None = None) -> str:
        """Between two versions; by default, the current one and the proposal."""
        current = await self.current()
        if a is None and b is None:
            proposal = await self.proposal()
            if proposal is None:
                raise InputError("no proposed change waits (see `os1 persona propose`)")
            return diff(current.doc, proposal.doc, f"version {current.number}", "proposed")
        old = await self.version(current.number if a is None else a)
        new = await self.version(current.number if b is None else b)
        return diff(old.doc, new.doc, f"version {old.number}", f"version {new.number}")


def wish(item: MemoryItem, user: str) -> str | None:
    """A line of growth from one thing the user said about how they like os1 to talk (their own
    words only, never outside content), or None."""
    if item.role != "user" or from_outside(item):
        return None
    for sentence in re.findall(r"[^.!?\n]+", item.text):
        sentence = sentence.strip()
        if _ASKING.search(sentence) and _STYLE.search(sentence) and 3 <= len(sentence.split()) <= 30:
            return f'{user[:1].upper()}{user[1:]} asked me: "{sentence}"'
    return None

