"""End of turn on hesitant speech: the end-of-turn model with the VAD, and with the words heard so
far (Whisper tiny.en), against the silence rule.

A set of utterances spoken by espeak-ng (three voices) or Piper (one natural voice at three
rates), each in two forms:

  * hesitant: a thought broken off mid-way ("I went to the shop and then, um"), a pause of 0.5 to
    1.2 s, then the rest ("I bought some bread."). A turn that ends in that pause cuts the user off;
  * finished: the whole sentence said at once, and the questions of ``voice_latency.py`` (with
    ``--voices piper``, in its first voice). What counts is how long after its last voiced sample
    the turn ends (the wait before os1 may answer).

The turn detector is fed each recording directly (not in real time) with each rule, so all see
identical audio: ``silence`` (``voice.end_silence_ms``), ``model`` (Smart Turn alone) and
``words`` (Smart Turn, and where it calls a pause unfinished, Whisper's words of the turn so far:
a finished sentence ends the turn after ``end_said_ms``, as ``os1 talk`` does).

    python benchmarks/turn_end.py [--json] [--pauses 0.5,0.8,1.2] [--voices espeak|piper]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable

import numpy as np
from voice_latency import QUESTIONS

from os1.voice.audio import RATE, Samples, silence
from os1.voice.stt import WhisperSTT
from os1.voice.tts import EspeakTTS, PiperTTS, Style, TextToSpeech
from os1.voice.turn_model import SmartTurn
from os1.voice.vad import SileroVAD, TurnDetector, TurnModel, TurnTiming, judged

Hear = Callable[[Samples], str]

BROKEN = [
    ("I went to the shop and then, um", "I bought some bread."),
    ("So what I wanted to ask you was", "whether you like the rain."),
    ("My sister is coming next week and", "she is bringing her dog."),
    ("I was thinking that maybe we could", "go for a walk tomorrow."),
    ("The thing is, uh", "I am not sure I want the job."),
    ("Could you remind me to", "call my mother on Sunday?"),
    ("When I was a child I used to", "spend every summer by the sea."),
    ("I don't know, it's just that", "work has been a lot lately."),
    ("Tell me about, hmm", "the best book you have read."),
    ("Yesterday I met someone who", "knew you from a long time ago."),
    ("I would like to learn how to", "play the piano properly."),
    ("What do you think about the, um", "the film we watched last night?"),
    ("If it rains tomorrow we should", "stay at home and cook."),
    ("I feel like, you know", "nobody really listens to me."),
    ("Can you help me write a letter to", "my old friend Amy?"),
]
STYLES = [Style(rate=160), Style(rate=145), Style(rate=180)]
ESPEAK = ["en-us+m3", "en-us+f3", "en+m1"]


def voices(engine: str) -> list[TextToSpeech]:
    """Three speakers (espeak-ng) or one natural voice at three rates (Piper)."""
    if engine == "piper":
        return [PiperTTS(style=style) for style in STYLES]
    return [EspeakTTS(voice, style) for voice, style in zip(ESPEAK, STYLES, strict=True)]


def voiced(samples: Samples, level: float = 0.02) -> int:
    """One past the last sample louder than ``level``."""
    loud = np.flatnonzero(np.abs(samples) > level)
    return int(loud[-1]) + 1 if loud.size else samples.size


def end_times(samples: Samples, model: TurnModel | None, hear: Hear | None = None) -> list[float]:
    """When each turn end was decided: the detector's clock when it fired."""
    detector = TurnDetector(SileroVAD(), TurnTiming(), model)
    audio = np.concatenate([samples, silence(3.0)])
    fired: list[float] = []
    for i in range(0, audio.size, 512):
        if any(e.kind == "end" for e in judged(detector, audio[i:i + 512], hear)):
            fired.append((i + 512) / RATE)
    return fired


class Timed:
    """The model, timing each call."""

    def __init__(self, model: SmartTurn) -> None:
        self.model = model
        self.seconds: list[float] = []

    def complete(self, samples: Samples) -> float:
        began = time.perf_counter()
        try:
            return self.model.complete(samples)
        finally:
            self.seconds.append(time.perf_counter() - began)


def run(pauses: list[float], engine: str) -> dict[str, object]:
    model = Timed(SmartTurn())
    stt = WhisperSTT()
    rules: dict[str, tuple[TurnModel | None, Hear | None]] = {
        "silence": (None, None), "model": (model, None), "words": (model, stt.transcribe)}
    cut = dict.fromkeys(rules, 0)
    waits: dict[str, list[float]] = {k: [] for k in rules}
    hesitant = 0
    speakers = voices(engine)
    finished: list[Samples] = []
    for tts in speakers:
        for head, tail in BROKEN:
            first, rest = tts.synthesize(head), tts.synthesize(tail)
            finished.append(tts.synthesize(f"{head} {tail}"))
            for pause in pauses:
                head_end = voiced(first) / RATE
                audio = np.concatenate([first[:voiced(first)], silence(pause), rest])
                hesitant += 1
                for name, (rule, hear) in rules.items():
                    if any(t < head_end + pause for t in end_times(audio, rule, hear)):
                        cut[name] += 1
    if engine == "piper":
        finished += [speakers[0].synthesize(q) for q in QUESTIONS]
    for whole in finished:
        for name, (rule, hear) in rules.items():
            if fired := end_times(whole, rule, hear):
                waits[name].append(fired[0] - voiced(whole) / RATE)
    ms = 1000.0
    return {
        "voices": engine, "hesitant": hesitant, "finished": len(finished),
        **{f"cut_off_{k}": v for k, v in cut.items()},
        **{f"cut_off_rate_{k}": round(v / hesitant, 3) for k, v in cut.items()},
        **{f"turn_end_p50_ms_{k}": round(statistics.median(v) * ms) for k, v in waits.items() if v},
        **{f"turn_end_p95_ms_{k}": round(float(np.percentile(v, 95)) * ms) for k, v in waits.items() if v},
        **{f"waited_over_1s_{k}": sum(w > 1.0 for w in v) for k, v in waits.items()},
        "model_ms_p50": round(statistics.median(model.seconds) * ms, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--pauses", default="0.5,0.8,1.2", help="hesitation lengths in seconds")
    parser.add_argument("--voices", choices=["espeak", "piper"], default="espeak")
    args = parser.parse_args()
    figures = run([float(p) for p in args.pauses.split(",")], args.voices)
    if args.json:
        print(json.dumps(figures))
        return
    for key, value in figures.items():
        print(f"{key:24} {value}")


if __name__ == "__main__":
    main()
