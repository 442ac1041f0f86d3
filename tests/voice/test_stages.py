"""Each stage with frames in and frames out; the turn-taking rules with a scripted model."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import numpy as np

from os1.agent.companion import Companion, TurnSettings
from os1.agent.persona import Persona
from os1.memory.sqlite import SQLiteMemory
from os1.testing import ScriptedLLM
from os1.voice.frames import (
    Frame,
    Interrupt,
    ReplyEnd,
    ReplySaved,
    ReplyText,
    Resume,
    SpeechOut,
    Stopped,
    Transcript,
    UserSpeaking,
)
from os1.voice.pipeline import Pipeline, Stage, collect
from os1.voice.player import BLOCK, Player
from os1.voice.stages import Play, Reply, Speak
from tests.conftest import eventually


class SlowStage(Stage):
    """Holds each frame until ``gate`` opens; says when it has started on one."""

    interruptible = True

    def __init__(self) -> None:
        super().__init__()
        self.done: list[Frame] = []
        self.cancelled: list[Frame] = []
        self.started = asyncio.Event()
        self.gate = asyncio.Event()

    async def process(self, frame: Frame) -> None:
        self.started.set()
        try:
            await self.gate.wait()
        except asyncio.CancelledError:
            self.cancelled.append(frame)
            raise
        self.done.append(frame)
        await self.push(frame)


async def test_interrupt_overtakes_queued_frames_and_cancels_the_one_in_progress() -> None:
    slow = SlowStage()
    seen: list[Frame] = []
    pipeline = Pipeline([slow], [seen.append])
    pipeline.start()
    for i in range(5):
        pipeline.put(ReplyText(f"piece {i}", 1))
    await slow.started.wait()  # the first piece is in progress, four are queued
    assert slow.queue.qsize() == 4 and pipeline.busy
    pipeline.broadcast(Interrupt("test"))
    slow.gate.set()  # anything still queued or in progress would now go through
    await pipeline.idle()
    await pipeline.stop()
    assert slow.cancelled == [ReplyText("piece 0", 1)]
    assert slow.done == [] and seen == [Interrupt("test")]


class Upper:
    name = "upper"

    def synthesize(self, text: str) -> np.ndarray:
        return np.full(len(text) * BLOCK, 0.25, dtype=np.float32)


async def test_speak_turns_text_into_audio_and_passes_the_end_marker() -> None:
    out = await collect(Speak(Upper(), lambda: 0.0), [ReplyText("hi", 1), ReplyEnd(1)])
    audio = [f for f in out if isinstance(f, SpeechOut)]
    assert [(a.text, a.samples.size) for a in audio] == [("hi", 2 * BLOCK)]
    assert out[-1] == ReplyEnd(1)


async def test_play_pauses_on_user_speech_and_stops_on_interrupt() -> None:
    player = Player(lambda: 2.0)
    out = await collect(Play(player, lambda: 2.0), [
        SpeechOut(np.ones(10 * BLOCK, dtype=np.float32), "one two three four five", 1),
    ])
    player.pull()
    out = await collect(Play(player, lambda: 2.0), [UserSpeaking(1.9)])
    assert out[0] == Stopped(2.0, paused=True) and not player.pull().any()
    await collect(Play(player, lambda: 2.0), [Resume()])
    assert player.pull().any()
    await collect(Play(player, lambda: 2.0), [Interrupt("barge-in")])
    assert not player.speaking and player.heard(1) == "one"


def companion(store: SQLiteMemory, *replies: str) -> Companion:
    persona = Persona.from_profile({"user_name": "Theo", "os_name": "Ada"})
    return Companion(ScriptedLLM(*replies), store, persona, TurnSettings())


class HandPlayer(Player):
    """A player the test pulls by hand, which tells when a reply's end has reached it: from
    then on the whole reply is queued for the speaker."""

    def __init__(self) -> None:
        super().__init__(lambda: 100.0)
        self.ended: dict[int, asyncio.Event] = {}

    def reached(self, turn: int) -> asyncio.Event:
        return self.ended.setdefault(turn, asyncio.Event())

    def end_reply(self, turn: int) -> None:
        super().end_reply(turn)
        self.reached(turn).set()


class Line:
    """Reply → Speak → Play, with a player that the test pulls by hand."""

    def __init__(self, store: SQLiteMemory, *replies: str, **options: object) -> None:
        self.player = HandPlayer()
        self.reply = Reply(companion(store, *replies), self.player, lambda: 100.0, **options)  # type: ignore[arg-type]
        self.out: list[Frame] = []
        self.pipeline = Pipeline([self.reply, Speak(Upper(), lambda: 0.0), Play(self.player, lambda: 0.0)],
                                 [self.out.append])
        self.pipeline.start()

    async def say(self, transcript: Transcript) -> None:
        """Hand the transcript over; return once ``Reply`` has dealt with it and, if it started
        a turn, once that reply has streamed through to the player (or failed)."""
        turn = self.reply.turn
        self.pipeline.put(transcript)
        await self.pipeline.idle()
        if self.reply.turn == turn:
            return  # no new turn: a backchannel, or words not for os1
        reached = asyncio.ensure_future(self.player.reached(self.reply.turn).wait())
        ended = asyncio.ensure_future(eventually(lambda: not self.reply.replying, "the reply to end"))
        done, pending = await asyncio.wait([reached, ended], return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        for task in done:
            task.result()  # a wait that gave up fails the test here
        await self.pipeline.idle()

    async def listen_to_the_end(self) -> None:
        """Pull the speaker until everything queued has been heard, past the reply's end
        marker, and the reply has noted that it was heard."""
        assert not self.player.paused, "the player was left paused: nothing more would be heard"
        while self.player.speaking:
            self.player.pull(16_000)
        self.player.pull()  # an end marker left behind the last piece
        await eventually(lambda: not self.reply.replying, "the reply to be heard to its end")

    def frames(self, kind: type) -> list[Frame]:
        return [f for f in self.out if isinstance(f, kind)]

    async def close(self) -> None:
        await self.listen_to_the_end()
        await self.reply.finish()
        await self.pipeline.stop()


async def test_a_reply_is_spoken_in_pieces_and_saved_when_heard(store: SQLiteMemory) -> None:
    line = Line(store, "Hello Theo, it is lovely to hear you. How are you?")
    await line.say(Transcript("hi there", 1.0))
    pieces = [f.text for f in line.frames(ReplyText)]  # type: ignore[attr-defined]
    assert pieces == ["Hello Theo,", "it is lovely to hear you.", "How are you?"]
    assert not line.frames(ReplySaved)  # not heard yet: not done
    await line.listen_to_the_end()
    saved = line.frames(ReplySaved)
    assert len(saved) == 1 and not saved[0].interrupted  # type: ignore[attr-defined]
    await line.close()


async def test_an_interrupted_reply_is_remembered_as_far_as_it_was_heard(store: SQLiteMemory) -> None:
    planned = "One two three four five six. Seven eight nine ten eleven twelve."
    line = Line(store, planned, "Sure.")
    await line.say(Transcript("count for me", 1.0))
    for _ in range(len("One two three four five six.") // 2):  # half of the first piece
        line.player.pull()
    await line.say(Transcript("wait, stop", 5.0, over_os1=True))
    saved = line.frames(ReplySaved)[0]
    assert saved.interrupted and saved.spoken == "One two three"  # type: ignore[attr-defined]
    await line.listen_to_the_end()
    rows = await line.reply.companion.store.recent_utterances(10)
    said = [(r.role, r.text, r.status) for r in rows]
    assert said[:3] == [("user", "count for me", "complete"),
                        ("assistant", "One two three", "interrupted"),
                        ("user", "wait, stop", "complete")]
    await line.close()


async def test_nothing_heard_means_nothing_remembered_as_said(store: SQLiteMemory) -> None:
    line = Line(store, "You will never hear this.", "Okay.")
    await line.say(Transcript("say something", 1.0))
    await line.say(Transcript("actually never mind", 2.0, over_os1=True))
    await line.listen_to_the_end()
    rows = await line.reply.companion.store.recent_utterances(10)
    assert "You will never hear this." not in [r.text for r in rows]
    await line.close()


async def test_a_backchannel_over_os1_resumes_instead_of_interrupting(store: SQLiteMemory) -> None:
    line = Line(store, "A long story about the sea and the sky and the city at night.")
    await line.say(Transcript("tell me a story", 1.0))
    line.player.pull()
    line.player.pause()
    await line.say(Transcript("mm-hm", 3.0, over_os1=True))
    assert Resume() in line.out and not line.frames(Interrupt)
    assert line.reply.replying and not line.player.paused
    await line.listen_to_the_end()
    rows = await line.reply.companion.store.recent_utterances(10)
    assert "mm-hm" not in [r.text for r in rows]  # a backchannel is not a turn
    assert rows[-1].text.startswith("A long story") and rows[-1].status == "complete"
    await line.close()


async def test_wake_phrase_ignores_talk_not_for_os1(store: SQLiteMemory) -> None:
    line = Line(store, "It is sunny.", name="Ada", wake_phrase=True)
    await line.say(Transcript("what a day it has been", 99.0))
    assert not await line.reply.companion.store.recent_utterances(5)
    await line.say(Transcript("Hey Ada, how is the weather?", 99.5))
    rows = await line.reply.companion.store.recent_utterances(5)
    assert [r.text for r in rows if r.role == "user"] == ["how is the weather?"]
    await line.listen_to_the_end()
    await line.close()


async def test_a_turn_about_to_end_has_its_prompt_read_ahead(store: SQLiteMemory) -> None:
    """``LikelyEnd`` (the user paused on a finished sentence) sets the model reading the turn's
    prompt; the turn then sends that same prompt. Not while os1 speaks, nor for a backchannel."""
    from os1.voice.frames import LikelyEnd

    line = Line(store)
    line.reply.companion.settings = replace(line.reply.companion.settings, prewarm=True)  # a local model
    model = line.reply.companion.model
    assert isinstance(model, ScriptedLLM)
    line.pipeline.put(LikelyEnd("mm-hm"))
    await line.pipeline.idle()
    assert line.reply._ahead is None
    line.pipeline.put(LikelyEnd("tell me about the sea"))
    await line.pipeline.idle()
    assert line.reply._ahead is not None
    await line.reply._ahead
    ahead, _, options = model.history[-1]
    assert options is not None and options.max_tokens == 1
    assert ahead[-1].content.endswith("tell me about the sea")
    await line.say(Transcript("tell me about the sea", 1.0))
    then, _, options = model.history[1]
    assert options is not None and options.max_tokens != 1
    assert [m.content for m in then] == [m.content for m in ahead]
    line.pipeline.put(LikelyEnd("and the sky?"))  # os1 is still speaking: no reading ahead
    await line.pipeline.idle()
    assert line.reply._ahead is not None and line.reply._ahead.done()
    assert not any(m[-1].content.endswith("and the sky?") for m, _, _ in model.history)
    await line.close()


class CountingSTT:
    name = "counting"

    def __init__(self) -> None:
        self.calls: list[int] = []

    def transcribe(self, samples: np.ndarray) -> str:
        self.calls.append(samples.size)
        return f"{samples.size} samples"


async def test_transcription_started_at_a_pause_is_used_when_the_pause_ends_the_turn() -> None:
    from os1.voice.frames import TurnHold, UserTurn
    from os1.voice.stages import Transcribe

    stt = CountingSTT()
    speech = np.ones(16_000, dtype=np.float32)
    with_silence = np.concatenate([speech, np.zeros(3_000, dtype=np.float32)])
    out = await collect(Transcribe(stt), [TurnHold(speech), UserTurn(with_silence, 0.0, 1.2)])
    assert stt.calls == [16_000]
    assert [f.text for f in out if isinstance(f, Transcript)] == ["16000 samples"]  # type: ignore[attr-defined]

    stt.calls.clear()  # the user went on talking after the pause: transcribe the whole turn
    longer = np.concatenate([speech, speech, speech])
    out = await collect(Transcribe(stt), [TurnHold(speech), UserTurn(longer, 0.0, 3.0)])
    assert 48_000 in stt.calls
    assert [f.text for f in out if isinstance(f, Transcript)] == ["48000 samples"]  # type: ignore[attr-defined]


class HeldSearch:
    """The store, whose searches wait for ``gate`` while ``hold`` is set: a turn held after its
    words are stored and before its answer begins."""

    def __init__(self, store: SQLiteMemory) -> None:
        self.store = store
        self.hold = False
        self.held = asyncio.Event()
        self.gate = asyncio.Event()

    def __getattr__(self, name: str) -> object:
        return getattr(self.store, name)

    async def search(self, *args: object, **kwargs: object) -> object:
        if self.hold:
            self.held.set()
            await self.gate.wait()
        return await self.store.search(*args, **kwargs)  # type: ignore[arg-type]


async def test_a_turn_cut_before_its_reply_leaves_the_last_reply_alone(store: SQLiteMemory) -> None:
    held = HeldSearch(store)
    line = Line(held, "The first reply, heard in full.", "Okay.")  # type: ignore[arg-type]
    await line.say(Transcript("hello", 1.0))
    await line.listen_to_the_end()
    first = line.frames(ReplySaved)[0]
    held.hold = True
    line.pipeline.put(Transcript("tell me more", 5.0))
    await held.held.wait()  # its words are stored; the next words cut it before any reply
    held.hold = False
    await line.say(Transcript("no, wait", 6.0, over_os1=True))
    await line.listen_to_the_end()
    saved = line.frames(ReplySaved)
    assert saved[1].interrupted and saved[1].reply_id is None  # type: ignore[attr-defined]
    rows = await store.recent_utterances(10)
    said = {r.id: (r.role, r.text, r.status) for r in rows}
    assert said[first.reply_id] == ("assistant", "The first reply, heard in full.", "complete")  # type: ignore[attr-defined]
    assert said[first.said_id] == ("user", "hello", "complete")  # type: ignore[attr-defined]
    await line.close()


class Unsure:
    """An end-of-turn model that calls every pause unfinished."""

    def complete(self, samples: np.ndarray) -> float:
        return 0.1


class Saying:
    name = "saying"

    def __init__(self, text: str) -> None:
        self.text = text

    def transcribe(self, samples: np.ndarray) -> str:
        return self.text


async def frames_until_heard(text: str, speech: np.ndarray) -> tuple[int, list[str]]:
    """Feed speech and then silence, 20 ms at a time, to the listener and the transcriber (the
    model calls every pause unfinished, speech-to-text hears ``text``); how many frames of
    silence went in before the turn was heard, and what was heard: ``likely: ...`` where the
    turn was announced as about to end, then the transcript."""
    from os1.voice.audio import silence
    from os1.voice.frames import AudioIn, LikelyEnd
    from os1.voice.stages import Listen, Transcribe
    from os1.voice.vad import SileroVAD, TurnDetector, TurnTiming

    listen = Listen(TurnDetector(SileroVAD(), TurnTiming(), Unsure()), Player(lambda: 0.0), lambda: 0.0)
    heard: list[str] = []
    pipeline = Pipeline([listen, Transcribe(Saying(text))],
                        [lambda f: heard.append(f.text) if isinstance(f, Transcript) else None,
                         lambda f: heard.append(f"likely: {f.text}") if isinstance(f, LikelyEnd) else None])
    pipeline.start()
    quiet = 0
    stream = np.concatenate([silence(0.5), speech])
    for at in range(0, stream.size, 320):
        pipeline.put(AudioIn(stream[at:at + 320], at / 16_000))
        await pipeline.idle()
    while not any(not h.startswith("likely") for h in heard) and quiet < 150:
        pipeline.put(AudioIn(silence(0.02), 0.0))
        quiet += 1
        await pipeline.idle()
        if listen._judging is not None:  # the verdict and the words, before the next frame
            await listen._judging
    await pipeline.stop()
    return quiet, heard


async def test_a_pause_the_model_calls_unfinished_ends_sooner_when_its_words_read_finished(
        speech_dir: Path) -> None:
    from os1.voice.audio import read_audio

    clip = read_audio(speech_dir / "goforward.wav")
    loud = np.flatnonzero(np.abs(clip) > 0.02)
    speech = clip[loud[0]:loud[-1] + 1]
    said, heard = await frames_until_heard("Go forward, move ahead.", speech)
    assert heard == ["likely: Go forward, move ahead.", "Go forward, move ahead."]
    left_open, heard = await frames_until_heard("Go forward and", speech)
    assert heard == ["Go forward and"]
    # 512 against 1600 ms of silence: 54 frames of 20 ms sooner, within a VAD window
    assert abs((left_open - said) - (1600 - 512) / 20) <= 2
