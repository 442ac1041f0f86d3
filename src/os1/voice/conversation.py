"""A spoken conversation: the pipeline of stages around one companion, fed from a microphone or
a file, played to a speaker or a file, on one clock that starts at the first input sample."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Sequence

import numpy as np

from os1.agent.companion import Companion
from os1.asking.answers import Asking
from os1.config import VoiceSettings
from os1.voice.audio import Samples
from os1.voice.devices import clocked_output, file_source, microphone, speaker
from os1.voice.echo import EchoCanceller, front_end
from os1.voice.frames import AudioIn, Mark
from os1.voice.music import MusicMaker
from os1.voice.pipeline import Observer, Pipeline
from os1.voice.player import Player
from os1.voice.playing import AtTable
from os1.voice.stages import Listen, Play, Reply, Speak, Transcribe
from os1.voice.stt import SpeechToText
from os1.voice.tts import TextToSpeech
from os1.voice.turn_model import load_turn_model
from os1.voice.vad import SileroVAD, TurnDetector, TurnTiming

PAUSE_LOOK_S = 0.2  # how often a proposal waiting for a pause looks for one


class Conversation:
    """One companion listening and speaking (``play``: a game in progress, played by voice).
    Build it inside the event loop."""

    def __init__(self, companion: Companion, stt: SpeechToText, tts: TextToSpeech,
                 voice: VoiceSettings, *, half_duplex: bool = False,
                 echo: EchoCanceller | None = None, observers: Sequence[Observer] = (),
                 music: MusicMaker | None = None, asking: Asking | None = None,
                 play: AtTable | None = None) -> None:
        loop = asyncio.get_running_loop()
        self._t0 = loop.time()
        self.clock: Callable[[], float] = lambda: loop.time() - self._t0
        self.player = Player(self.clock)
        model = load_turn_model(voice.turn_model) if voice.end_of_turn == "model" else None
        timing = TurnTiming(end_silence_ms=voice.end_silence_ms, end_said_ms=voice.end_said_ms,
                            over_room_db=voice.over_room_db,
                            keep_over_room_db=max(0.0, voice.over_room_db - 1))
        self.detector = TurnDetector(SileroVAD(), timing, model)
        self.reply = Reply(companion, self.player, self.clock, name=companion.persona.name,
                           wake_phrase=voice.wake_phrase, follow_up_s=voice.follow_up_s, music=music,
                           asking=asking, play=play, read_ahead=voice.read_ahead)
        self.listen = Listen(self.detector, self.player, self.clock, interrupt_min_ms=voice.interrupt_min_ms,
                             half_duplex=half_duplex, echo=echo or front_end(voice.noise_suppression))
        self.pipeline = Pipeline([
            self.listen,
            Transcribe(stt),
            self.reply,
            Speak(tts, self.clock),
            Play(self.player, self.clock),
        ], observers)

        def first_audio(turn: int, at: float) -> None:  # called from the speaker's thread
            loop.call_soon_threadsafe(self.pipeline.notify, Mark("first_audio", turn, at))

        self.player.on_first_audio = first_audio
        if echo is not None:
            self.player.on_pulled = echo.far

    def done(self) -> bool:
        """Nothing is being said, heard, thought or played."""
        after_listening = self.pipeline.stages[1:]  # the listener always has audio coming in
        return not (self.detector.in_turn or any(s.working for s in after_listening)
                    or self.reply.replying or self.player.speaking)

    async def at_pause(self, text: str) -> None:
        """Say ``text`` (a proposal of os1's own) at the next pause: once nothing is being said,
        heard, thought or played."""
        # a pause is several states at once (the turn detector, each stage, the speaker's thread),
        # none of which signals: it is looked for
        while not self.done():  # noqa: ASYNC110
            await asyncio.sleep(PAUSE_LOOK_S)
        self.reply.announce(text)

    async def run(self, source: AsyncIterator[AudioIn]) -> None:
        """Feed ``source`` through the pipeline until it ends, then let the last reply finish."""
        self._t0 = asyncio.get_running_loop().time()
        self.pipeline.start()
        try:
            async for frame in source:
                self.pipeline.put(frame)
            await self.pipeline.idle()
            await self.listen.flush()  # so a paused reply is resumed or stopped, never left hanging
            await self.pipeline.idle()
            await self.reply.finish()
        finally:
            await self.pipeline.stop()


async def talk_file(conversation: Conversation, recording: Samples, tail_s: float = 120.0) -> Samples:
    """Play ``recording`` to os1 in real time and return os1's side on the same timeline."""
    out: list[Samples] = []
    playing = asyncio.create_task(clocked_output(conversation.player, conversation.clock, out.append))
    try:
        await conversation.run(file_source(recording, conversation.clock, conversation.done, tail_s))
    finally:
        playing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await playing
    return np.concatenate(out) if out else np.zeros(0, dtype=np.float32)


async def talk_live(conversation: Conversation) -> None:
    """Microphone in, speaker out, until cancelled (Ctrl-C)."""
    stream = speaker(conversation.player)
    try:
        await conversation.run(microphone(conversation.clock))
    finally:
        stream.stop()
        stream.close()
