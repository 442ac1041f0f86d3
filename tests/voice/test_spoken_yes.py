"""A yes said aloud approves a held action only right after os1 read it back, never over os1's
own voice, never late; any other spoken yes hears it read back again."""

from __future__ import annotations

from os1.agent.companion import Companion, TurnSettings
from os1.agent.persona import Persona
from os1.memory.sqlite import SQLiteMemory
from os1.safety.guard import Guard
from os1.safety.ledger import ActionLedger
from os1.testing import ScriptedLLM
from os1.tools.base import Policy, tool
from os1.types import ToolCall
from os1.voice.consent import READ_BACK_WINDOW_S
from os1.voice.frames import ReplyText, Transcript
from os1.voice.pipeline import Pipeline
from os1.voice.stages import Play, Reply, Speak
from tests.voice.test_stages import HandPlayer, Line, Upper


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def spoken_line(store: SQLiteMemory, sent: list[str], clock: Clock) -> Line:
    async def send_note(text: str) -> str:
        """Send Ana a note."""
        sent.append(text)
        return "sent"

    async def preview(args: dict[str, object]) -> str:
        return f"To: Ana\n\n{args['text']}"

    model = ScriptedLLM([ToolCall("c1", "send_note", {"text": "See you at eight"})], "Say yes and it goes.")
    persona = Persona.from_profile({"user_name": "Theo", "os_name": "Ada"})
    companion = Companion(model, store, persona, TurnSettings(),
                          [tool(send_note, policy=Policy.CONFIRM, preview=preview)], Guard(ActionLedger()))
    line = Line.__new__(Line)
    line.player = HandPlayer()
    line.reply = Reply(companion, line.player, clock)
    line.out = []
    line.pipeline = Pipeline([line.reply, Speak(Upper(), clock), Play(line.player, clock)], [line.out.append])
    line.pipeline.start()
    return line


def readings(line: Line) -> int:
    return sum("here it is exactly" in f.text for f in line.frames(ReplyText))  # type: ignore[attr-defined]


async def test_a_spoken_yes_counts_only_right_after_the_read_back(store: SQLiteMemory) -> None:
    sent: list[str] = []
    clock = Clock()
    line = spoken_line(store, sent, clock)
    await line.say(Transcript("tell Ana I'll be there at eight", 99.0))
    await line.listen_to_the_end()
    assert readings(line) == 1 and line.reply.companion.guard.waiting()  # read back, held

    await line.say(Transcript("yes", 101.0, over_os1=True))  # os1's own voice heard back, or talk over it
    await line.say(Transcript("yes", 100.0 + READ_BACK_WINDOW_S + 1))  # too late
    clock.now = 200.0  # the second reading is heard to its end at 200
    await line.listen_to_the_end()
    assert sent == [] and readings(line) == 2  # the late yes heard it read back again

    await line.say(Transcript("yes", 202.0))
    await line.listen_to_the_end()
    assert sent == ["See you at eight"] and not line.reply.companion.guard.waiting()
    await line.close()


async def test_a_yes_with_nothing_read_back_reads_it_back_first(store: SQLiteMemory) -> None:
    sent: list[str] = []
    clock = Clock()
    line = spoken_line(store, sent, clock)
    await line.say(Transcript("tell Ana I'll be there at eight", 99.0))
    await line.say(Transcript("yes", 100.5, over_os1=False))  # before the reading was heard to its end
    await line.listen_to_the_end()
    assert sent == [] and line.reply.companion.guard.waiting()
    await line.say(Transcript("no", 101.0))
    await line.listen_to_the_end()
    assert sent == [] and not line.reply.companion.guard.waiting()
    await line.close()
