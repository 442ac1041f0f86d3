"""A letter (or mail without tools) asked for by voice, at the stage level, on the test seams:
``Reply`` answers through ``os1.asking`` instead of a turn, and says it in short: a letter whose
every detail is grounded is kept ("it's in your letters"), one with invented details is not, and
os1 says so; asked of a model that cannot call tools, mail gets what works, in one sentence."""

from __future__ import annotations

from pathlib import Path

from os1.asking.answers import SPOKEN_NEEDS_TOOLS, Asking
from os1.letters.keeping import LetterStore
from os1.letters.studio import Studio
from os1.memory.sqlite import SQLiteMemory
from os1.voice.frames import ReplySaved, ReplyText, Transcript
from tests.asking.test_answers import GROUNDED, INVENTED, kept

from .test_stages import Line


def line_with_letters(store: SQLiteMemory, folder: Path, *replies: str) -> Line:
    line = Line(store, *replies)
    companion = line.reply.companion
    line.reply.asking = Asking(companion, lambda: Studio(LetterStore(folder), store, lambda: companion.model))
    return line


def said(line: Line) -> list[str]:
    return [f.text for f in line.frames(ReplyText)]  # type: ignore[attr-defined]


async def test_a_letter_asked_for_by_voice_is_drafted_kept_and_said_in_short(store: SQLiteMemory,
                                                                            tmp_path: Path) -> None:
    line = line_with_letters(store, tmp_path, GROUNDED)
    await line.say(Transcript("Write a letter to Ana for her birthday.", 1.0))
    await line.listen_to_the_end()
    assert said(line) == ["I've drafted a letter to Ana; it's in your letters."]
    assert await kept(tmp_path) == 1
    [saved] = line.frames(ReplySaved)
    assert not saved.interrupted  # type: ignore[attr-defined]
    assert await store.recent_utterances(5) == []  # the letter is the deed, not a turn
    await line.close()


async def test_a_letter_with_invented_details_is_not_kept_and_os1_says_so(store: SQLiteMemory,
                                                                          tmp_path: Path) -> None:
    line = line_with_letters(store, tmp_path, INVENTED)
    await line.say(Transcript("could you write a letter to Ana for her birthday", 1.0))
    await line.listen_to_the_end()
    [words] = said(line)
    assert words.startswith("I've drafted a letter to Ana, but") and "haven't kept it" in words
    assert await kept(tmp_path) == 0
    await line.close()


async def test_mail_asked_of_a_model_without_tools_gets_what_works(store: SQLiteMemory,
                                                                   tmp_path: Path) -> None:
    line = line_with_letters(store, tmp_path)
    await line.say(Transcript("Check my mail, please.", 1.0))
    await line.listen_to_the_end()
    assert said(line) == [SPOKEN_NEEDS_TOOLS]
    assert line.reply.companion.model.history == []  # type: ignore[attr-defined]
    await line.close()
