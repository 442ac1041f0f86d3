"""Music asked for by voice, at the stage level: ``Reply`` composes through its music seam
instead of calling the model, says what the piece is about, then the piece plays through the
player; talking over it stops it; with nothing to compose about, os1 says so."""

from __future__ import annotations

import numpy as np

from os1.errors import InputError
from os1.memory.sqlite import SQLiteMemory
from os1.voice.frames import Failed, ReplySaved, ReplyText, Transcript
from os1.voice.music import Piece, brief
from os1.voice.player import BLOCK

from .test_stages import Line

TUNE = np.linspace(0.1, 0.5, 50 * BLOCK, dtype=np.float32)  # one second of "music"


class FakeMusic:
    def __init__(self, fail: bool = False) -> None:
        self.asked: list[str | None] = []
        self.fail = fail

    async def piece(self, about: str | None) -> Piece:
        self.asked.append(about)
        if self.fail:
            raise InputError("no shared moment matches 'the moon'")
        return Piece("I was thinking of the photograph you showed me.", TUNE, 42)


def played(line: Line, seconds: float) -> np.ndarray:
    return np.concatenate([line.player.pull() for _ in range(int(seconds * 50))])


async def test_asked_for_music_os1_says_what_it_was_thinking_of_then_plays_it(store: SQLiteMemory) -> None:
    music = FakeMusic()
    line = Line(store, music=music)
    await line.say(Transcript("Play me something about that evening.", 1.0))
    assert music.asked == ["that evening"]
    assert [f.text for f in line.frames(ReplyText)] == [  # type: ignore[attr-defined]
        "I was thinking of the photograph you showed me."]
    out = played(line, 3.0)
    voice = len("I was thinking of the photograph you showed me.") * BLOCK  # Upper's fake speech
    assert np.all(out[:voice] == 0.25) and np.array_equal(out[voice:voice + TUNE.size], TUNE)
    await line.listen_to_the_end()
    [saved] = line.frames(ReplySaved)
    assert saved.reply_id == 42 and not saved.interrupted  # type: ignore[attr-defined]
    assert line.reply.companion.model.history == []  # type: ignore[attr-defined]
    assert await store.recent_utterances(5) == []  # the piece is the memory, not a reply
    await line.close()


async def test_talking_over_the_music_stops_it(store: SQLiteMemory) -> None:
    line = Line(store, "Of course.", music=FakeMusic())
    await line.say(Transcript("play me a song", 1.0))
    played(line, 1.2)  # the sentence, and the music has begun
    await line.say(Transcript("okay that's enough thank you", 5.0, over_os1=True))
    assert line.frames(ReplySaved)[0].interrupted  # type: ignore[attr-defined]
    await line.listen_to_the_end()
    rows = await store.recent_utterances(5)
    assert [r.text for r in rows] == ["okay that's enough thank you", "Of course."]
    await line.close()


async def test_with_nothing_to_compose_about_os1_says_so(store: SQLiteMemory) -> None:
    line = Line(store, music=FakeMusic(fail=True))
    await line.say(Transcript("compose something about the moon", 1.0))
    assert "no shared moment" in line.frames(Failed)[0].message  # type: ignore[attr-defined]
    assert "can't find that moment" in line.frames(ReplyText)[0].text  # type: ignore[attr-defined]
    await line.close()


def test_brief_is_the_first_sentence_without_asides() -> None:
    said = ("I was thinking of the photograph you showed me (A bright scene. Blue sky). "
            "Evening light gave D minor.")
    assert brief(said) == "I was thinking of the photograph you showed me."
    assert brief('I was thinking of the film "Her" you shared. Slow.') == (
        'I was thinking of the film "Her" you shared.')
