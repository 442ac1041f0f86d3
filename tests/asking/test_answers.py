"""``os1.asking`` on a scripted model and the real stores: what a line asks for, a letter
drafted and checked but not kept, kept on yes only when its details are grounded (or on an
explicit word), and the voice's rule (kept when grounded, said in one line)."""

from __future__ import annotations

from pathlib import Path

import pytest

from os1.agent.companion import Companion, TurnSettings
from os1.agent.persona import Persona
from os1.asking.answers import SPOKEN_NEEDS_TOOLS, Asking, Drafted, Refused
from os1.asking.requests import MusicAsk, ToolsAsk, recognise
from os1.errors import InputError
from os1.letters.asking import LetterAsk
from os1.letters.keeping import LetterStore
from os1.letters.studio import Studio
from os1.memory.sqlite import SQLiteMemory
from os1.testing import ScriptedLLM

GROUNDED = ("Dear Ana,\n\nHappy birthday! I hope today is full of sunshine and of the people you love, "
            "and that the year ahead is kind to you in every way.\n\nWith love,\nTheo")
INVENTED = ("Dear Ana,\n\nHappy birthday! I still think of our trip to Porto with Ricardo, and of how "
            "you laughed all the way home that night, and I hope this year brings you as much joy as "
            "you bring everyone around you.\n\nWith love,\nTheo")


def asking_for(store: SQLiteMemory, folder: Path, *replies: str) -> Asking:
    """An ``Asking`` over a companion on ``replies`` and a real letter store in ``folder``."""
    persona = Persona.from_profile({"user_name": "Theo", "os_name": "Ada"})
    companion = Companion(ScriptedLLM(*replies), store, persona, TurnSettings())
    return Asking(companion, lambda: Studio(LetterStore(folder), store, lambda: companion.model))


async def kept(folder: Path) -> int:
    letters = LetterStore(folder)
    try:
        return len(await letters.find())
    finally:
        await letters.close()


@pytest.mark.parametrize(("line", "tools", "ask"), [
    ("play me something about that evening", False, MusicAsk("that evening")),
    ("write a letter to Ana for her birthday", True, LetterAsk("Ana", "her birthday")),
    ("check my mail", False, ToolsAsk()),
    ("check my mail", True, None),  # a model with tools answers it itself
    ("how was your day?", False, None),
])
def test_what_a_line_asks_for(line: str, tools: bool, ask: object) -> None:
    assert recognise(line, tools=tools) == ask


async def test_a_letter_is_drafted_and_checked_but_kept_only_on_yes(store: SQLiteMemory,
                                                                    tmp_path: Path) -> None:
    asking = asking_for(store, tmp_path, INVENTED)
    answer = await asking.answer(LetterAsk("Ana", "her birthday"))
    assert isinstance(answer, Drafted) and answer.draft.by_model
    shown = answer.to_dict()
    assert shown["brief"]["to"] == "Ana" and shown["text"].startswith("Dear Ana,")
    assert {"Porto", "Ricardo"} <= set(shown["grounding"]["flagged"])
    assert "not from anything I know" in answer.said()
    assert await kept(tmp_path) == 0  # drafted, not kept
    with pytest.raises(InputError, match="not kept: .*Porto"):
        await asking.keep(answer)
    assert await kept(tmp_path) == 0
    letter = await asking.keep(answer, keep_flagged=True)  # the person's explicit word
    assert letter.brief.to == "Ana" and await kept(tmp_path) == 1
    assert await store.recent_utterances(5) == []  # a deed, not a turn


async def test_spoken_a_letter_is_kept_only_when_every_detail_is_grounded(store: SQLiteMemory,
                                                                          tmp_path: Path) -> None:
    asking = asking_for(store, tmp_path, GROUNDED, INVENTED)
    grounded = await asking.answer(LetterAsk("Ana", "her birthday"))
    assert isinstance(grounded, Drafted) and grounded.draft.by_model
    assert not grounded.draft.grounding.flagged
    assert await asking.keep_spoken(grounded) == "I've drafted a letter to Ana; it's in your letters."
    invented = await asking.answer(LetterAsk("Ana", "her birthday"))
    assert isinstance(invented, Drafted)
    assert "haven't kept it" in await asking.keep_spoken(invented)
    assert await kept(tmp_path) == 1


async def test_mail_without_tools_says_what_works(store: SQLiteMemory, tmp_path: Path) -> None:
    asking = asking_for(store, tmp_path)
    answer = await asking.answer(ToolsAsk())
    assert isinstance(answer, Refused) and "os1 mail summary" in answer.text
    assert answer.spoken() == SPOKEN_NEEDS_TOOLS
    assert asking.companion.model.history == []  # type: ignore[attr-defined]
