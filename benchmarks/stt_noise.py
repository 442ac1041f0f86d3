"""Speech-to-text in a crowd: the word error rate of each way of hearing, clean and under crowd
babble, with its CPU time per utterance, all in one process.

The clips are the real speech in ../shared/bench/speech. Each is scored clean and mixed with
``--mixes`` different crowds (``os1.testing.crowd``: nine espeak-ng talkers plus pink room noise,
each clip at its own offset) at every ``--snr``; the crowd figure is the WER over all the mixes
together, so one lucky or unlucky word moves it less than with a single mix.

The ways of hearing compared (``--variants``):

  * ``room-aware``: what os1 uses (``voice.crowd_below_db``): Whisper base for speech whose pauses
    are filled by the room, tiny.en for the rest;
  * ``whisper``: Whisper tiny.en alone (beam 5, the encoder window just longer than the speech, at
    least 10 s), what os1 hears a quiet room with;
  * ``base``: Whisper base alone (from the wheels ``scripts/setup`` joins), the same way;
  * ``beam1``, ``beam10``: the same with greedy decoding or a wider beam;
  * ``window30``: the encoder reads Whisper's full 30 s window;
  * ``webrtc``: WebRTC noise suppression in front (``voice.noise_suppression``);
  * ``vad-gate``: what Silero VAD calls non-speech zeroed (96 ms kept either side of speech);
  * ``model``: the Whisper model in ``--whisper-model DIR`` (any CTranslate2 Whisper directory).

CPU time is process time (both of Whisper's threads), so it holds on a busy machine where wall
time does not.

    python benchmarks/stt_noise.py [--json] [--snr 10 --snr 20] [--mixes 5]
        [--variants whisper,beam1,webrtc] [--whisper-model DIR]
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from os1.config import VoiceSettings
from os1.testing.crowd import crowded
from os1.testing.wer import speech_clips, word_error_rate
from os1.voice.audio import Samples, read_audio
from os1.voice.engines import load_stt
from os1.voice.stt import FULL_WINDOW_FRAMES, WhisperSTT, fetched_whisper_base
from os1.voice.vad import WINDOW, SileroVAD

SPEECH = Path(__file__).resolve().parents[1].parent / "shared" / "bench" / "speech"
Hearing = Callable[[Samples], str]
VARIANTS = ["room-aware", "whisper", "base", "beam1", "beam10", "window30", "webrtc", "vad-gate"]


def gated(vad: SileroVAD, samples: Samples, hangover: int = 3) -> Samples:
    """``samples`` with every 32 ms window the VAD calls non-speech (and not within
    ``hangover`` windows of speech) set to silence."""
    vad.reset()
    speech = np.array(vad.probabilities(samples)) >= 0.5
    keep = speech.copy()
    for k in range(1, hangover + 1):
        keep[:-k] |= speech[k:]
        keep[k:] |= speech[:-k]
    gain = np.repeat(keep.astype(np.float32), WINDOW)
    gain = np.pad(gain, (0, max(0, samples.size - gain.size)))[:samples.size]
    return np.asarray(samples * gain, dtype=np.float32)


def hearing(name: str, whisper_model: Path | None) -> Hearing:
    """The transcriber a variant names."""
    if name == "model":
        if whisper_model is None:
            raise SystemExit("the model variant needs --whisper-model DIR")
        return WhisperSTT(whisper_model).transcribe
    if name in ("beam1", "beam10"):
        return WhisperSTT(beam_size=int(name[4:])).transcribe
    if name == "room-aware":
        return load_stt(VoiceSettings()).transcribe
    if name == "base":
        if (base := fetched_whisper_base()) is None:
            raise SystemExit("Whisper base is missing: run scripts/setup")
        return WhisperSTT(base).transcribe
    stt = WhisperSTT()
    if name == "window30":
        stt.min_window_frames = FULL_WINDOW_FRAMES
    elif name == "webrtc":
        from os1.voice.echo import NoiseSuppressor

        return lambda samples: stt.transcribe(NoiseSuppressor().recording(samples))
    elif name == "vad-gate":
        vad = SileroVAD()
        return lambda samples: stt.transcribe(gated(vad, samples))
    elif name != "whisper":
        raise SystemExit(f"no variant {name!r} (have {', '.join([*VARIANTS, 'model'])})")
    return stt.transcribe


def score(hear: Hearing, sets: list[list[Samples]], references: list[str]) -> tuple[float, float]:
    """Corpus WER over all the sets, and the CPU milliseconds per utterance."""
    hypotheses: list[str] = []
    began = time.process_time()
    for clips in sets:
        hypotheses += [hear(samples) for samples in clips]
    cpu_ms = (time.process_time() - began) * 1000 / len(hypotheses)
    return word_error_rate(references * len(sets), hypotheses), cpu_ms


def run(args: argparse.Namespace) -> dict[str, dict[str, float]]:
    pairs = speech_clips(SPEECH)
    references = [text for _, text in pairs]
    clean = [read_audio(path) for path, _ in pairs]
    rooms = {"clean": [clean]} | {f"crowd_{snr:g}db": crowded(clean, snr, args.mixes) for snr in args.snr}
    figures: dict[str, dict[str, float]] = {}
    for name in args.variants.split(","):
        hear = hearing(name, args.whisper_model)
        hear(clean[0])  # warm up
        row: dict[str, float] = {}
        cpu: list[float] = []
        for room, sets in rooms.items():
            wer, ms = score(hear, sets, references)
            row[room] = round(wer, 3)
            cpu.append(ms)
        figures[name] = row | {"cpu_ms_per_utterance": round(float(np.mean(cpu)))}
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--snr", type=float, action="append", help="crowd level, dB (default 10)")
    parser.add_argument("--mixes", type=int, default=5, help="crowds each clip is mixed with")
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--whisper-model", type=Path, default=None, help="a CTranslate2 Whisper directory")
    args = parser.parse_args()
    args.snr = args.snr or [10.0]
    if not (SPEECH / "refs.tsv").is_file():
        raise SystemExit(f"no speech clips in {SPEECH}")
    figures = run(args)
    if args.json:
        print(json.dumps(figures))
        return
    columns = list(next(iter(figures.values())))
    print(f"{'':10}" + "".join(f"{c:>22}" for c in columns))
    for name, row in figures.items():
        print(f"{name:10}" + "".join(f"{row[c]!s:>22}" for c in columns))


if __name__ == "__main__":
    main()
