"""Answering a request in plain words (``requests.Ask``) with the deed itself: a piece composed,
a letter drafted and checked, or what works when the model cannot call tools. One flow for every
front end; each renders the ``Answer`` its own way.

A letter drafted here is not kept: the front end shows it with its check and keeps it on the
person's yes (``keep``), checked again as it is kept, and one with details that are not
grounded only on their explicit word. Spoken, there is no page to show it on, so ``keep_spoken``
keeps a draft whose every detail is grounded (the ``write_letter`` tool's rule) and says where it
is; one with invented details is not kept, and os1 says so."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from os1.agent.companion import Companion
from os1.asking.requests import Ask, MusicAsk, ToolsAsk
from os1.errors import InputError
from os1.letters.asking import LetterAsk
from os1.letters.brief import make_brief
from os1.letters.keeping import Letter
from os1.letters.recall import user_name
from os1.letters.studio import Draft, Studio
from os1.mail.asking import NEEDS_TOOLS
from os1.music.folder import music_folder
from os1.runtime import Runtime
from os1.shared import Shared

SPOKEN_NEEDS_TOOLS = ("I can't read your mail or calendar with this model: it can't use tools. "
                      "The os1 mail and calendar commands work meanwhile.")


@dataclass(frozen=True)
class Composed:
    """A piece composed about a moment."""

    shared: Shared

    def spoken(self) -> str:
        return self.shared.said


@dataclass(frozen=True)
class Drafted:
    """A letter drafted and checked, not yet kept."""

    draft: Draft

    def to_dict(self) -> dict[str, Any]:
        d = self.draft
        return {"brief": d.brief.to_dict(), "text": d.text, "grounding": d.grounding.to_dict(),
                "memories": [{"ref": m.ref, "text": m.text} for m in d.memories], "by_model": d.by_model}

    def said(self) -> str:
        """One line for the conversation: what was drafted and what its check found."""
        flagged = len(self.draft.grounding.flagged)
        check = (f"{flagged} detail{'s' if flagged != 1 else ''} in it are not from anything I know"
                 if flagged else "every detail in it is from the brief or a memory")
        return f"I've drafted a letter to {self.draft.brief.to}; {check}. Shall I keep it?"


@dataclass(frozen=True)
class Refused:
    """A request this model cannot answer, and what works instead."""

    text: str = NEEDS_TOOLS

    def spoken(self) -> str:
        return SPOKEN_NEEDS_TOOLS


Answer = Composed | Drafted | Refused


class Asking:
    """Answers requests for one companion: its memory, its letter studio, its music folder."""

    def __init__(self, companion: Companion, studio: Callable[[], Studio], music: Path | None = None,
                 *, synth: str = "auto") -> None:
        self.companion = companion
        self.studio = studio  # opened for each letter, closed after it
        self.music = music
        self.synth = synth

    @classmethod
    def of(cls, runtime: Runtime, companion: Companion) -> Asking:
        """The user's requests answered from their runtime's letters and music folder."""
        return cls(companion, runtime.letter_studio, music_folder(runtime.settings))

    async def answer(self, ask: Ask) -> Answer:
        """The deed ``ask`` asks for; nothing to compose about raises ``InputError``."""
        if isinstance(ask, MusicAsk):
            return Composed(await self.compose(ask.about))
        if isinstance(ask, ToolsAsk):
            return Refused()
        return Drafted(await self.draft(ask))

    async def compose(self, about: str | None) -> Shared:
        from os1.music.composer import Composer  # the MIDI and synthesis libraries, only when asked

        folder = self.music or Path.cwd()
        return await Composer(self.companion.store, folder, synth=self.synth).compose(about)

    async def draft(self, ask: LetterAsk) -> Draft:
        studio = self.studio()
        try:
            sender = await user_name(studio.memory) or self.companion.persona.user_name
            return await studio.draft(make_brief(ask.to, sender, occasion=ask.occasion))
        finally:
            await studio.letters.close()

    async def keep(self, drafted: Drafted, text: str | None = None, *, keep_flagged: bool = False) -> Letter:
        """Keep the draft (or the person's edit of it), checked again as it is kept; one with
        details that are not grounded only on ``keep_flagged`` (else ``InputError``, one line)."""
        studio = self.studio()
        try:
            draft = drafted.draft
            final = draft.text if text is None else text
            flagged = (await studio.recheck(draft.brief, final)).flagged
            if flagged and not keep_flagged:
                raise InputError("not kept: not grounded in the brief or a memory: "
                                 + ", ".join(d.text for d in flagged))
            note = "drafted" if final == draft.text else "drafted, edited"
            return await studio.keep_text(draft.brief, final, note)
        finally:
            await studio.letters.close()

    async def keep_spoken(self, drafted: Drafted) -> str:
        """A letter asked for by voice: kept if every detail is grounded; what os1 says of it."""
        to = drafted.draft.brief.to
        try:
            await self.keep(drafted)
        except InputError:
            return (f"I've drafted a letter to {to}, but some details in it aren't from anything I "
                    "know, so I haven't kept it. We can write it together in your letters.")
        return f"I've drafted a letter to {to}; it's in your letters."
