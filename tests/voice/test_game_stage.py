"""A game by voice, at the stage level: with a game in progress (``os1 talk --game``), "what
should I do?", "take the lamp" and "where is the lamp?" reach the real cave through the same
co-player path as ``os1 play`` and the web app, and are spoken back without a model call or a
stored reply; words for os1 by name are a conversation turn; "quit" leaves the game."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from os1.agent.persona import Persona
from os1.games.cave import CaveGame
from os1.games.session import TextPlay
from os1.games.table import Table
from os1.memory.sqlite import SQLiteMemory
from os1.voice.frames import ReplySaved, ReplyText, Transcript

from .test_stages import Line


@pytest.fixture
async def cave() -> AsyncIterator[TextPlay]:
    table = Table(CaveGame(seed=4), None)
    await table.open(resume=False)
    yield TextPlay(table, Persona.from_profile({"user_name": "Theo", "os_name": "Ada"}))
    await table.close()


def spoken_since(line: Line, count: int) -> str:
    return " ".join(f.text for f in line.frames(ReplyText)[count:])  # type: ignore[attr-defined]


async def test_moves_and_questions_by_voice_reach_the_game(store: SQLiteMemory, cave: TextPlay) -> None:
    line = Line(store, "I'm well, thank you.", play=cave, name="Ada")
    await line.say(Transcript("What should I do?", 1.0))
    assert "I'd try 'yes'" in spoken_since(line, 0) and cave.table.game.save()["moves"] == []
    await line.listen_to_the_end()
    for at, said in enumerate(("no", "go east"), start=2):
        await line.say(Transcript(said, float(at)))
        await line.listen_to_the_end()
    heard = len(line.frames(ReplyText))
    await line.say(Transcript("Take the lamp.", 5.0))
    assert spoken_since(line, heard) == "Ok"  # the cave's capitals, said as a word
    assert cave.table.game.save()["moves"] == ["no", "go east", "take lamp"]
    await line.listen_to_the_end()
    heard = len(line.frames(ReplyText))
    await line.say(Transcript("Where is the lamp?", 6.0))
    assert spoken_since(line, heard) == "We're carrying the lamp."
    await line.listen_to_the_end()
    assert line.reply.companion.model.history == []  # type: ignore[attr-defined]
    assert await store.recent_utterances(5) == []  # the game keeps the session, not the conversation
    assert all(not s.interrupted and s.reply_id is None for s in line.frames(ReplySaved))  # type: ignore[attr-defined]

    heard = len(line.frames(ReplyText))
    await line.say(Transcript("Ada, how are you?", 7.0))
    assert spoken_since(line, heard) == "I'm well, thank you."
    await line.listen_to_the_end()
    assert [r.text for r in await store.recent_utterances(5)][-2:] == ["how are you?", "I'm well, thank you."]
    assert len(cave.table.game.save()["moves"]) == 3  # the game did not hear it
    await line.close()


async def test_quit_leaves_the_game_and_talk_goes_on(store: SQLiteMemory, cave: TextPlay) -> None:
    line = Line(store, "Of course.", play=cave, name="Ada")
    await line.say(Transcript("quit", 1.0))
    assert "kept the game" in spoken_since(line, 0) and line.reply.play is None
    await line.listen_to_the_end()
    heard = len(line.frames(ReplyText))
    await line.say(Transcript("take the lamp", 2.0))
    assert spoken_since(line, heard) == "Of course." and cave.table.game.save()["moves"] == []
    await line.close()
