"""Whole spoken conversations from recordings, paced as in real time: the real VAD, Whisper and
espeak-ng around a scripted model (barge-in) and around the bundled model through the CLI.

Every conversation here runs on a simulated clock (``run_in_virtual_time``; for the CLI,
``virtual_time_loops``): the recording plays and os1's side is pulled on the conversation's own
clock, which moves only when nothing is being worked on, so what happens when is the same on an
idle machine and on a loaded one."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from os1.agent.companion import Companion, TurnSettings
from os1.agent.persona import Persona
from os1.cli.main import cli
from os1.config import VoiceSettings
from os1.memory.sqlite import SQLiteMemory
from os1.testing import FakeEmbedder, ScriptedLLM
from os1.voice.audio import RATE, read_audio, silence, write_wav
from os1.voice.conversation import Conversation, talk_file
from os1.voice.devices import clocked_output, file_source
from os1.voice.echo import EchoCanceller
from os1.voice.frames import AudioIn, Frame, Heard, Mark, ReplySaved, Stopped
from os1.voice.stt import WhisperSTT
from os1.voice.tts import EspeakTTS, TextToSpeech, clean
from tests.conftest import run_in_virtual_time, virtual_time_loops

from .conftest import script

pytestmark = pytest.mark.integration

STORY = ("Once upon a time there was a lighthouse keeper who loved the sea more than anything. "
         "Every night she climbed the long stairs and lit the lamp for the ships far away. "
         "One winter a storm came that was stronger than any she had seen before. "
         "The waves rose over the rocks and the wind sang in the windows all night long.")


def in_virtual_time(tmp_path: Path, body: Callable[[SQLiteMemory], Awaitable[None]]) -> None:
    """Run ``body`` with a store of its own on a simulated clock."""
    async def main() -> None:
        store = await SQLiteMemory.open(tmp_path / "store" / "memory.sqlite3", FakeEmbedder())
        try:
            await body(store)
        finally:
            await store.close()

    run_in_virtual_time(main())


def words_before(audio: np.ndarray, start: float, end: float) -> float:
    """Loudness (RMS) of os1's side between two times."""
    part = audio[int(start * RATE):int(end * RATE)]
    return float(np.sqrt(np.mean(part ** 2))) if part.size else 0.0


def test_barge_in_stops_playback_and_memory_keeps_only_what_was_said(
        tmp_path: Path, whisper: WhisperSTT, user_voice: TextToSpeech) -> None:
    ask = user_voice.synthesize("Tell me a long story please.")
    stop = user_voice.synthesize("Wait, stop, I have to tell you something.")
    barge_at = 0.5 + ask.size / RATE + 4.0  # os1 is well into the story by then
    recording = np.concatenate([silence(0.5), ask, silence(4.0), stop, silence(6.0)])

    async def body(store: SQLiteMemory) -> None:
        persona = Persona.from_profile({"user_name": "Theo", "os_name": "Ada"})
        companion = Companion(ScriptedLLM(STORY, "Of course, I will stop."), store, persona, TurnSettings())
        frames: list[Frame] = []
        conversation = Conversation(companion, whisper, EspeakTTS(), VoiceSettings(),
                                    observers=[frames.append])
        spoken = await talk_file(conversation, recording, tail_s=20.0)

        stopped = [f for f in frames if isinstance(f, Stopped)]
        assert stopped and barge_at <= stopped[0].at <= barge_at + stop.size / RATE
        # os1 fell silent within a quarter second of the user's first word, until its next reply
        next_reply = [f.at for f in frames if isinstance(f, Mark) and f.name == "first_audio" and f.turn == 2]
        assert next_reply
        assert words_before(spoken, barge_at + 0.25, next_reply[0] - 0.05) < 1e-3
        assert words_before(spoken, barge_at - 1.0, barge_at) > 0.01  # it was talking before

        saved = [f for f in frames if isinstance(f, ReplySaved)]
        assert saved[0].interrupted and saved[0].spoken
        assert STORY.startswith(saved[0].spoken.rstrip(".")[:20])
        assert len(saved[0].spoken.split()) < len(STORY.split())
        rows = await store.recent_utterances(10)
        story_row = next(r for r in rows if r.role == "assistant")
        assert story_row.status == "interrupted" and story_row.text == saved[0].spoken
        heard = [f.text.lower() for f in frames if isinstance(f, Heard)]
        assert any("stop" in h for h in heard[1:])
        assert [r.role for r in rows][:3] == ["user", "assistant", "user"] and rows[-1].role == "assistant"

    in_virtual_time(tmp_path, body)


def test_a_cough_or_mm_hm_over_os1_does_not_interrupt(
        tmp_path: Path, whisper: WhisperSTT, user_voice: TextToSpeech) -> None:
    rng = np.random.default_rng(7)
    cough = (0.3 * rng.standard_normal(int(0.25 * RATE)) * np.hanning(int(0.25 * RATE))).astype(np.float32)
    recording = np.concatenate([script(user_voice, 0.5, "Tell me a story.", 4.0, "Mm hmm.", 2.0), cough,
                                script(user_voice, 2.0, "yeah", 2.0)])

    async def body(store: SQLiteMemory) -> None:
        persona = Persona.from_profile({"user_name": "Theo", "os_name": "Ada"})
        companion = Companion(ScriptedLLM(STORY), store, persona, TurnSettings())
        frames: list[Frame] = []
        conversation = Conversation(companion, whisper, EspeakTTS(), VoiceSettings(),
                                    observers=[frames.append])
        await talk_file(conversation, recording, tail_s=40.0)
        saved = [f for f in frames if isinstance(f, ReplySaved)]
        assert len(saved) == 1 and not saved[0].interrupted
        rows = await store.recent_utterances(10)
        assert [(r.role, r.status) for r in rows] == [("user", "complete"), ("assistant", "complete")]
        assert rows[1].text == STORY

    in_virtual_time(tmp_path, body)


def test_talk_from_a_recording_answers_every_turn(tmp_path: Path, whisper: WhisperSTT,
                                                  user_voice: TextToSpeech,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI end to end on the bundled model: several utterances with pauses in, os1's side
    out, transcribed back. The command runs in this process, on the simulated clock (its own
    event loop is a ``VirtualTimeLoop``): however long the model takes to answer, it answers in
    the pause after each utterance, as on an idle machine."""
    said = ["Good evening to you.", "I love walking by the ocean.", "What do you like?"]
    recording = script(user_voice, 0.5, said[0], 9.0, said[1], 9.0, said[2], 9.0)
    write_wav(tmp_path / "in.wav", recording)
    monkeypatch.setenv("OS1_LLM__MAX_TOKENS", "20")
    with virtual_time_loops():
        run = CliRunner().invoke(cli, ["talk", "--input", str(tmp_path / "in.wav"),
                                       "--output", str(tmp_path / "out.wav"), "--json"])
    assert run.exit_code == 0, (run.output, run.exception)
    events = [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]
    heard = [e for e in events if e["type"] == "heard"]
    replies = [e for e in events if e["type"] == "saved"]
    assert len(heard) == 3 and "ocean" in heard[1]["text"].lower()
    assert len(replies) == 3 and all(r["text"] for r in replies)
    out = read_audio(tmp_path / "out.wav")
    assert abs(out.size - recording.size) / RATE < 60
    understood = 0
    for turn, event in enumerate(heard):  # os1 spoke after each turn it had words for
        if not clean(replies[turn]["text"]).strip():
            continue  # the tiny model answered with stage directions only, which are not spoken
        end = heard[turn + 1]["ended"] if turn + 1 < len(heard) else out.size / RATE
        assert words_before(out, event["ended"], end) > 0.01  # os1's voice in this gap
        # Whisper tiny.en drops some of espeak-ng's robotic sentences as no speech, so one
        # transcribed reply proves the voice carries words
        understood += bool(whisper.transcribe(out[int(event["ended"] * RATE):int(end * RATE)]).strip())
    assert understood >= 1
    memory = subprocess.run([sys.executable, "-m", "os1", "memory", "list", "--json"],
                            capture_output=True, text=True, timeout=60)
    listed = {item["id"]: item for item in map(json.loads, memory.stdout.splitlines())}
    assert any("ocean" in m["text"].lower() for m in listed.values())
    for reply in replies:  # each saved turn names its stored words and reply
        assert listed[reply["said_id"]]["role"] == "user"
        assert listed[reply["reply_id"]]["role"] == "assistant"


async def _talk_on_speakers(conversation: Conversation, recording: np.ndarray,
                            tail_s: float = 30.0) -> None:
    """The recording as the microphone hears it in a room: the user plus os1's own voice from
    the loudspeaker, 50 ms late and at 40%."""
    played: list[np.ndarray] = []
    delay = int(0.05 * RATE)
    playing = asyncio.create_task(clocked_output(conversation.player, conversation.clock, played.append))

    async def room() -> AsyncIterator[AudioIn]:
        async for frame in file_source(recording, conversation.clock, conversation.done, tail_s):
            out = np.concatenate(played) if played else np.zeros(0, dtype=np.float32)
            start = int(frame.at * RATE) - delay
            echo = out[max(0, start):max(0, start) + frame.samples.size]
            mic = frame.samples.copy()
            mic[:echo.size] += 0.4 * echo
            yield AudioIn(mic, frame.at)

    try:
        await conversation.run(room())
    finally:
        playing.cancel()


@pytest.mark.parametrize("cancel_echo", [True, False])
def test_on_loudspeakers_os1_does_not_interrupt_itself_with_echo_cancelling(
        cancel_echo: bool, tmp_path: Path, whisper: WhisperSTT, user_voice: TextToSpeech) -> None:
    recording = script(user_voice, 0.5, "Tell me a story.", 1.0)

    async def body(store: SQLiteMemory) -> None:
        persona = Persona.from_profile({"user_name": "Theo", "os_name": "Ada"})
        companion = Companion(ScriptedLLM(STORY), store, persona, TurnSettings())
        frames: list[Frame] = []
        conversation = Conversation(companion, whisper, EspeakTTS(), VoiceSettings(),
                                    echo=EchoCanceller() if cancel_echo else None, observers=[frames.append])
        await _talk_on_speakers(conversation, recording)
        saved = [f for f in frames if isinstance(f, ReplySaved)]
        if cancel_echo:  # the whole story, heard once, never cut short by its own echo
            assert len(saved) == 1 and not saved[0].interrupted and saved[0].spoken == STORY
        else:  # the control: without cancelling, os1 hears itself and stops
            assert [f for f in frames if isinstance(f, Stopped)]

    in_virtual_time(tmp_path, body)
