"""The letter studio for one user: draft from a brief and what os1 remembers, check every detail,
keep, revise, learn the user's voice. Built from the parts an entry point opens (letter store,
memory store, model) and passed down; it reads no settings itself."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from os1.letters import drafting, grounding, recall
from os1.letters.brief import Brief, Source
from os1.letters.grounding import Grounding
from os1.letters.importing import Imported
from os1.letters.keeping import Letter, LetterStore
from os1.letters.voice import Profile, learn
from os1.llm.base import ChatModel
from os1.memory.roles import CompanionMemory
from os1.proofing import known_word


@dataclass(frozen=True)
class Draft:
    brief: Brief
    text: str
    grounding: Grounding
    memories: tuple[Source, ...]
    by_model: bool  # False: the model wrote too little and the body came from the brief


class Studio:
    def __init__(self, letters: LetterStore, memory: CompanionMemory, model: Callable[[], ChatModel], *,
                 max_tokens: int = 600, temperature: float = 0.7) -> None:
        self.letters = letters
        self.memory = memory
        self._model = model  # built only when a letter is drafted
        self.max_tokens = max_tokens
        self.temperature = temperature

    async def voice(self) -> Profile:
        return learn(await self.letters.samples())

    async def sources(self, brief: Brief) -> tuple[list[Source], list[Source]]:
        """The brief's own sources and the memories a letter on this brief may draw on."""
        return brief.sources(), await recall.memories_about(self.memory, brief)

    def check(self, text: str, sources: list[Source]) -> Grounding:
        return grounding.check(text, sources, known_word())

    async def draft(self, brief: Brief) -> Draft:
        own, memories = await self.sources(brief)
        text, by_model = await drafting.draft(self._model(), brief, memories, await self.voice(),
                                              max_tokens=self.max_tokens, temperature=self.temperature)
        return Draft(brief, text, self.check(text, own + memories), tuple(memories), by_model)

    async def keep(self, draft: Draft, text: str | None = None) -> Letter:
        """Keep a draft (or the user's edit of it, checked again); a client's letter is not
        private, the user's own is until they say otherwise."""
        final = draft.text if text is None else text
        checked = draft.grounding if text is None else self.check(final, [*draft.brief.sources(),
                                                                          *draft.memories])
        note = "drafted" if text is None or text == draft.text else "drafted, edited"
        return await self.letters.keep(draft.brief, final, checked, private=draft.brief.client is None,
                                       note=note)

    async def recheck(self, brief: Brief, text: str) -> Grounding:
        """A draft's text checked again, against the brief and the memories a letter on it may
        draw on now (a draft the web app shows, edited there before it is kept)."""
        own, memories = await self.sources(brief)
        return self.check(text, own + memories)

    async def keep_text(self, brief: Brief, text: str, note: str) -> Letter:
        """Keep a letter on ``brief`` whose text came back from the user (the web app's draft,
        maybe edited), checked again as it is kept."""
        return await self.letters.keep(brief, text, await self.recheck(brief, text),
                                       private=brief.client is None, note=note)

    async def revise(self, letter: Letter, text: str, note: str) -> Letter:
        own, memories = await self.sources(letter.brief)
        return await self.letters.revise(letter.id, text, self.check(text, own + memories), note)

    async def withheld(self, letters: Sequence[Letter]) -> tuple[int, ...]:
        """The letters whose details were drawn from a memory the user now keeps private (a
        book leaves them out unless the user names them)."""
        out = []
        for letter in letters:
            refs = {ref for d in letter.latest.grounding.details for ref in d.sources}
            for ref in sorted(refs):
                if ref.startswith("memory ") and ref[7:].isdecimal():
                    memory = await self.memory.get(int(ref[7:]))
                    if memory is not None and memory.private:
                        out.append(letter.id)
                        break
        return tuple(out)

    async def learn_from(self, letters: list[Imported]) -> int:
        return await self.letters.add_samples([(x.name, x.text) for x in letters])
