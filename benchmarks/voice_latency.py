"""Voice-to-voice latency and barge-in stop time of the embedded stack, on this machine.

A simulated user speaks (Piper's voice if the ``piper`` extra is installed, else espeak-ng) into
a real ``Conversation``: Silero VAD, Whisper tiny.en, the bundled model in llama.cpp, espeak-ng,
all in real time on one clock. The user is polite: after each utterance it waits until os1 has
finished answering, then speaks again.

  * latency: from the end of the user's speech (its last voiced sample) to os1's first audio
    sample, with the stages in between: turn end (the VAD's silence wait), speech-to-text, the
    model's first token, the first speakable piece synthesized, and playback start;
  * barge-in: the user starts talking one second into a long reply; stop time is from the user's
    first voiced sample to the moment playback went silent.
  * false interruptions: os1 tells long stories (at least ``--speak-s`` seconds of its speech in
    all) while the user says nothing; every interrupt in that time is false (goal 0);
  * bargeins_caught: the share of the user's "wait, stop" barge-ins that stopped playback. Only
    those said while os1 was still speaking count (a short reply may be over a second after it
    began: ``replies_over_first`` counts those, and another story is asked for in their place);
    ``bargeins_missed_at_s`` says when each missed one began, on the conversation's clock;
  * WER of each speech-to-text engine on the real clips in ../shared/bench/speech.

With ``--noise crowd --snr DB`` the user talks in a crowd: babble of nine espeak-ng talkers and
pink room noise (``os1.testing.crowd``) runs under everything the microphone hears, the user's
speech DB above it over its voiced part, and the clips are scored mixed the same way. The same run
measures the quiet room first; its figures are printed beside, under ``quiet``.

    python benchmarks/voice_latency.py [--json] [--utterances 20] [--barge-ins 20] [--speak-s 60]
        [--noise crowd --snr 10] [--end-of-turn model|silence] [--no-read-ahead] [--no-wer]
        [--model NAME]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import sys
import tempfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

import numpy as np

from os1.config import VoiceSettings, load_settings
from os1.runtime import Runtime
from os1.testing.crowd import crowd, crowded, noise_level
from os1.voice.audio import RATE, Samples, read_audio
from os1.voice.conversation import Conversation
from os1.voice.devices import blocks_of, clocked_output, paced
from os1.voice.engines import load_stt
from os1.voice.frames import AudioIn, Frame, Heard, Interrupt, Mark, Stopped
from os1.voice.player import BLOCK
from os1.voice.tts import EspeakTTS, TextToSpeech

QUESTIONS = [
    "How are you today?", "What is your favourite season?", "Do you like the sea?",
    "Tell me something nice.", "What should I cook tonight?", "I went for a long walk this morning.",
    "My sister is visiting next week.", "What do you think about music?", "I feel a bit tired.",
    "Do you remember my name?", "What is a good book to read?", "It is raining outside.",
    "I just finished work.", "Can you tell me a joke?", "What are you thinking about?",
    "I had coffee with a friend.", "Where would you like to travel?", "What makes you happy?",
    "I am learning to play the piano.", "Good night, talk tomorrow.", "What time is it?",
    "Do you like cats or dogs?", "I watched a film yesterday.", "What is your name?",
]
SPEECH = Path(__file__).resolve().parents[1].parent / "shared" / "bench" / "speech"


def voiced(samples: Samples, level: float = 0.02) -> tuple[int, int]:
    """Index of the first and one past the last sample louder than ``level``."""
    loud = np.flatnonzero(np.abs(samples) > level)
    return (int(loud[0]), int(loud[-1]) + 1) if loud.size else (0, samples.size)


class PoliteUser:
    """Speaks utterances in real time on the conversation's clock, waiting for os1 between them;
    with ``noise``, everything the microphone hears has it underneath (looped)."""

    def __init__(self, conversation: Conversation, noise: Samples | None = None) -> None:
        self.conversation = conversation
        self.noise = noise
        self.position = 0  # samples emitted so far
        self.spoken: list[tuple[float, float]] = []  # (first, last voiced sample time)

    def _heard(self, samples: Samples) -> Samples:
        if self.noise is None:
            return samples
        padded = np.pad(samples, (0, blocks_of(samples) - samples.size))
        at = (np.arange(padded.size) + self.position) % self.noise.size
        return np.asarray(np.clip(padded + self.noise[at], -1.0, 1.0), dtype=np.float32)

    async def _emit(self, samples: Samples) -> AsyncIterator[AudioIn]:
        async for frame in paced(self._heard(samples), self.conversation.clock, self.position):
            yield frame
        self.position += blocks_of(samples)

    async def say(self, samples: Samples) -> AsyncIterator[AudioIn]:
        first, last = voiced(samples)
        self.spoken.append(((self.position + first) / RATE, (self.position + last) / RATE))
        async for frame in self._emit(samples):
            yield frame

    async def wait(self, until: Callable[[], bool], at_least_s: float = 1.0,
                   limit_s: float = 60.0) -> AsyncIterator[AudioIn]:
        quiet = np.zeros(BLOCK, dtype=np.float32)
        waited = 0.0
        while waited < limit_s and (waited < at_least_s or not until()):
            async for frame in self._emit(quiet):
                yield frame
            waited += BLOCK / RATE


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


async def run(args: argparse.Namespace) -> dict[str, object]:
    voice = _user_voice()
    script = Script([voice.synthesize(q) for q in (QUESTIONS * 2)[:args.utterances]],
                    voice.synthesize("Please tell me a long story about the sea."),
                    voice.synthesize("Wait, stop."))
    quiet = await _room(script, None, args) | {"wer": _wer(args)}
    if args.noise is None:
        return quiet
    level = noise_level(script.lines, args.snr)
    babble = crowd(60.0, seed=1) * level
    noisy = await _room(script, babble, args)
    return noisy | {"noise": args.noise, "snr_db": args.snr, "wer": _wer(args, args.snr), "quiet": quiet}


async def _room(script: Script, noise: Samples | None, args: argparse.Namespace) -> dict[str, object]:
    """One room's conversation, with a store of its own: the same questions asked in the quiet
    room first would otherwise be recalled, and read, in every turn of the crowd's."""
    home = Path(tempfile.mkdtemp(prefix="os1-voice-bench-"))
    settings = load_settings(home=home, llm={"max_tokens": 32},
                             voice={"end_of_turn": args.end_of_turn, "read_ahead": not args.no_read_ahead})
    try:
        runtime = await Runtime.open(settings, args.model)
        try:
            return await _session(runtime, settings.voice, script, noise, args)
        finally:
            await runtime.close()
    finally:
        shutil.rmtree(home, ignore_errors=True)


@dataclass(frozen=True)
class Script:
    """What the simulated user says."""

    lines: list[Samples]
    story: Samples  # asks for a long reply
    stop: Samples  # a barge-in


async def _session(runtime: Runtime, voice: VoiceSettings, script: Script, noise: Samples | None,
                   args: argparse.Namespace) -> dict[str, object]:
    """One conversation: the latency turns, the long replies heard in silence, the barge-ins."""
    companion = await runtime.companion(interactive=True)
    companion.settings = replace(companion.settings, max_tokens=32)
    frames: list[Frame] = []
    await companion.warm_up()
    conversation = Conversation(companion, load_stt(voice), EspeakTTS(), voice, observers=[frames.append])
    user = PoliteUser(conversation, noise)
    listening: list[tuple[float, float]] = []  # os1 speaking, the user silent
    over: list[bool] = []  # for each "wait, stop": whether os1 was still speaking when it began
    clock = conversation.clock

    async def source() -> AsyncIterator[AudioIn]:
        for samples in script.lines:
            async for frame in user.say(samples):
                yield frame
            async for frame in user.wait(conversation.done):
                yield frame
        companion.settings = replace(companion.settings, max_tokens=160)  # long replies
        while sum(b - a for a, b in listening) < args.speak_s:
            turns_before = _count(frames, "first_audio")
            async for frame in user.say(script.story):
                yield frame
            async for frame in user.wait(partial(_started, frames, turns_before), at_least_s=0.0):
                yield frame
            began = clock()
            async for frame in user.wait(conversation.done, at_least_s=0.0, limit_s=120.0):
                yield frame
            listening.append((began, clock()))
        while sum(over) < args.barge_ins and len(over) < 3 * args.barge_ins:
            turns_before = _count(frames, "first_audio")
            async for frame in user.say(script.story):
                yield frame
            async for frame in user.wait(partial(_started, frames, turns_before), at_least_s=0.0):
                yield frame
            async for frame in user.wait(lambda: True, at_least_s=1.0):  # one second into it
                yield frame
            over.append(conversation.player.speaking)  # a reply already over leaves nothing to stop
            async for frame in user.say(script.stop):
                yield frame
            async for frame in user.wait(conversation.done):
                yield frame

    playing = asyncio.create_task(clocked_output(conversation.player, conversation.clock, lambda b: None))
    try:
        await conversation.run(source())
    finally:
        playing.cancel()
    spoken = user.spoken
    stories = len(listening)
    trials = _trials(spoken[args.utterances + stories:], over)
    return (_figures(frames, spoken[:args.utterances], trials)
            | _interruptions(frames, listening, trials) | {"replies_over_first": over.count(False)})


@dataclass(frozen=True)
class Trial:
    """One "wait, stop": when the user began, when the next request for a story began, and
    whether os1 was still speaking then (only those count as barge-ins)."""

    onset: float
    until: float
    over_os1: bool


def _trials(barge_ins: list[tuple[float, float]], over: list[bool]) -> list[Trial]:
    """``barge_ins``: the request for a story and the "wait, stop" after it, in turn."""
    onsets = [onset for onset, _ in barge_ins[1::2]]
    nexts = [onset for onset, _ in barge_ins[2::2]] + [float("inf")]
    return [Trial(onset, nxt, speaking) for onset, nxt, speaking in zip(onsets, nexts, over, strict=False)]


def _stop_after(frames: list[Frame], trial: Trial) -> float | None:
    """When playback went silent because of this barge-in, if it did."""
    return next((f.at for f in frames if isinstance(f, Stopped) and trial.onset <= f.at < trial.until), None)


def _interruptions(frames: list[Frame], listening: list[tuple[float, float]],
                   trials: list[Trial]) -> dict[str, object]:
    """False interruptions while the user listened; the share of barge-ins that stopped os1."""
    cuts = [f.at for f in frames if isinstance(f, Interrupt)]
    pauses = [f.at for f in frames if isinstance(f, Stopped) and f.paused]
    false = sum(1 for t in cuts if any(a <= t <= b for a, b in listening))
    paused = sum(1 for t in pauses if any(a <= t <= b for a, b in listening))
    real = [t for t in trials if t.over_os1]
    missed = [round(t.onset, 2) for t in real if _stop_after(frames, t) is None]
    return {"listened_s": round(sum(b - a for a, b in listening), 1), "false_interruptions": false,
            "false_pauses": paused,
            "bargeins_caught": round(1 - len(missed) / len(real), 3) if real else None,
            "bargeins_missed_at_s": missed}


def _started(frames: list[Frame], before: int) -> bool:
    return _count(frames, "first_audio") > before


def _count(frames: list[Frame], name: str) -> int:
    return sum(1 for f in frames if isinstance(f, Mark) and f.name == name)


def _user_voice() -> TextToSpeech:
    try:
        from os1.voice.tts import PiperTTS

        return PiperTTS()
    except Exception:
        return EspeakTTS("en-us+m3")


def _figures(frames: list[Frame], asked: list[tuple[float, float]], trials: list[Trial]) -> dict[str, object]:
    """Pair each user utterance with the marks that follow it; each barge-in with its stop."""
    latencies: list[float] = []
    stages: dict[str, list[float]] = {k: [] for k in ("turn_end", "stt", "first_token", "first_speech",
                                                       "playback")}
    read_ahead: list[float] = []  # the first token of turns whose prompt was read ahead
    for i, (_, end) in enumerate(asked):
        nxt = asked[i + 1][0] if i + 1 < len(asked) else float("inf")
        marks: dict[str, float] = {}
        for f in frames:
            if isinstance(f, Mark) and end - 1.0 <= f.at < nxt:
                marks.setdefault(f.name, f.at)
        heard = next((f for f in frames if isinstance(f, Heard) and end - 1.0 <= f.ended < nxt), None)
        if "first_audio" not in marks or "turn_end" not in marks or heard is None:
            continue
        latencies.append(marks["first_audio"] - end)
        stages["turn_end"].append(marks["turn_end"] - end)
        stages["stt"].append(heard.stt_s)
        stages["first_token"].append(marks.get("first_token", marks["first_audio"])
                                     - marks["turn_end"] - heard.stt_s)
        if "read_ahead" in marks:
            read_ahead.append(stages["first_token"][-1])
        stages["first_speech"].append(marks.get("first_speech", marks["first_audio"])
                                      - marks.get("first_token", marks["turn_end"]))
        stages["playback"].append(marks["first_audio"] - marks.get("first_speech", marks["first_audio"]))
    stops = [at - t.onset for t in trials if t.over_os1 and (at := _stop_after(frames, t)) is not None]
    ms = 1000.0
    return {
        "utterances": len(asked), "answered": len(latencies),
        "latency_p50_ms": round(percentile(latencies, 50) * ms),
        "latency_p95_ms": round(percentile(latencies, 95) * ms),
        **{f"{name}_p50_ms": round(statistics.median(v) * ms) if v else None for name, v in stages.items()},
        **{f"{name}_p95_ms": round(percentile(v, 95) * ms) if v else None for name, v in stages.items()},
        "read_ahead_turns": len(read_ahead),
        "read_ahead_first_token_p50_ms": round(statistics.median(read_ahead) * ms) if read_ahead else None,
        "barge_ins": sum(t.over_os1 for t in trials), "stopped": len(stops),
        "bargein_stop_p50_ms": round(percentile(stops, 50) * ms) if stops else None,
        "bargein_stop_max_ms": round(max(stops) * ms) if stops else None,
    }


def _wer(args: argparse.Namespace, snr: float | None = None) -> dict[str, float]:
    """WER of each speech-to-text engine on the real clips (needs the dev extra), under crowd
    noise at ``snr`` dB when given (five crowds, each clip at its own offset into each)."""
    from os1.testing.wer import speech_clips, word_error_rate

    out: dict[str, float] = {}
    if args.no_wer or not (SPEECH / "refs.tsv").is_file():
        return out
    clips = speech_clips(SPEECH)
    audio = [read_audio(path) for path, _ in clips]
    references = [r for _, r in clips]
    if snr is not None:  # the clips under five crowds, scored together
        audio = [a for mixed in crowded(audio, snr) for a in mixed]
        references *= len(audio) // len(clips)
    for engine in ("whisper", "pocketsphinx"):
        try:
            stt = load_stt(VoiceSettings(stt=engine))
        except Exception:
            continue
        hyps = [stt.transcribe(a) for a in audio]
        out[engine] = round(word_error_rate(references, hyps), 3)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--utterances", type=int, default=20)
    parser.add_argument("--barge-ins", type=int, default=20)
    parser.add_argument("--speak-s", type=float, default=60.0,
                        help="seconds of os1 speaking, the user silent, to count false interruptions")
    parser.add_argument("--noise", choices=["crowd"], default=None, help="talk in a crowd (after quiet)")
    parser.add_argument("--snr", type=float, default=10.0, help="speech over the crowd, dB (voiced part)")
    parser.add_argument("--end-of-turn", choices=["model", "silence"], default="model")
    parser.add_argument("--no-read-ahead", action="store_true",
                        help="never read a turn's prompt ahead (voice.read_ahead = false)")
    parser.add_argument("--no-wer", action="store_true", help="skip scoring the speech clips")
    parser.add_argument("--model", default=None, help="a configured model (default: the bundled one)")
    args = parser.parse_args()
    figures = asyncio.run(run(args))
    if args.json:
        print(json.dumps(figures))
        return
    quiet = figures.pop("quiet", None)
    if isinstance(quiet, dict):
        print(f"{'':24} {'crowd':>12} {'quiet':>12}")
    for key, value in figures.items():
        beside = f" {quiet.get(key)!s:>12}" if isinstance(quiet, dict) else ""
        print(f"{key:24} {value!s:>12}{beside}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
