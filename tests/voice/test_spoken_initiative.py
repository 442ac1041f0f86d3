"""In ``os1 talk`` a proposal is spoken as a turn of os1's own, after the reply in progress,
and the user can talk over it like any reply."""

from __future__ import annotations

from os1.memory.sqlite import SQLiteMemory
from os1.voice.frames import ReplySaved, ReplyText, Transcript
from tests.conftest import eventually
from tests.voice.test_stages import Line

ASKED = "How was Ana's wedding?"


async def test_a_proposal_is_spoken_as_a_turn_of_its_own(store: SQLiteMemory) -> None:
    line = Line(store, "Hello Theo.")
    await line.say(Transcript("hi", 1.0))
    await line.listen_to_the_end()  # the pause the proposal waits for
    line.reply.announce(ASKED)
    await line.player.reached(line.reply.turn).wait()
    assert [f.text for f in line.frames(ReplyText)][-1] == ASKED  # type: ignore[attr-defined]
    await line.listen_to_the_end()
    saved = line.frames(ReplySaved)[-1]
    assert saved.spoken == ASKED and not saved.interrupted and saved.reply_id is None  # type: ignore[attr-defined]
    rows = await store.recent_utterances(10)
    assert ASKED not in [r.text for r in rows]  # the initiative keeps it, not the conversation
    await line.close()


async def test_talking_over_a_proposal_stops_it(store: SQLiteMemory) -> None:
    line = Line(store, "Sure.")
    line.reply.announce("It's been a while since we talked. How are you?")
    await line.player.reached(line.reply.turn).wait()
    line.player.pull()
    await line.say(Transcript("not now please", 2.0, over_os1=True))
    await eventually(lambda: any(f.interrupted for f in line.frames(ReplySaved)), "the proposal to stop")  # type: ignore[attr-defined]
    await line.close()
