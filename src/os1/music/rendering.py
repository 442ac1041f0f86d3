"""Audio for a score, rendered offline: FluidSynth with a General MIDI SoundFont when both are
installed (``pyfluidsynth`` and the Debian packages ``libfluidsynth3`` and
``timgm6mb-soundfont``/``fluid-soundfont-gm``), else a small additive piano synthesizer in
NumPy, so a piece always has a sound. WAV files are written with ``soundfile``."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import numpy.typing as npt
import soundfile

from os1.files import open_private
from os1.music.midi import pretty_midi

SAMPLE_RATE = 22_050
SOUNDFONTS = ("/usr/share/sounds/sf2/default-GM.sf2", "/usr/share/sounds/sf2/FluidR3_GM.sf2",
              "/usr/share/sounds/sf2/TimGM6mb.sf2")
log = logging.getLogger(__name__)
Audio = npt.NDArray[np.float32]


def soundfont() -> str | None:
    """The first General MIDI SoundFont installed, if FluidSynth itself can be loaded."""
    try:
        import fluidsynth  # noqa: F401  (raises ImportError when libfluidsynth is missing)
    except (ImportError, OSError):
        return None
    return next((path for path in SOUNDFONTS if Path(path).is_file()), None)


def render(midi: pretty_midi.PrettyMIDI, *, synth: str = "auto") -> tuple[Audio, str]:
    """The score as mono float32 audio at ``SAMPLE_RATE``, and which synthesizer made it."""
    font = soundfont() if synth in ("auto", "fluidsynth") else None
    if font is not None:
        audio = np.asarray(midi.fluidsynth(fs=SAMPLE_RATE, synthesizer=font), dtype=np.float32)
        used = f"fluidsynth ({Path(font).name})"
    else:
        audio, used = piano(midi), "built-in piano"
    peak = float(np.max(np.abs(audio))) or 1.0
    return (audio / peak * 0.8).astype(np.float32), used


def piano(midi: pretty_midi.PrettyMIDI) -> Audio:
    """A plain additive piano: each note a few decaying harmonics, brighter when struck harder."""
    out = np.zeros(int((midi.get_end_time() + 1.0) * SAMPLE_RATE), dtype=np.float32)
    for instrument in midi.instruments:
        for note in instrument.notes:
            start = int(note.start * SAMPLE_RATE)
            tone = _note(note.pitch, note.velocity, note.end - note.start)
            out[start:start + tone.size] += tone[: out.size - start]
    return out


def _note(pitch: int, velocity: int, length: float) -> Audio:
    frequency = 440.0 * 2 ** ((pitch - 69) / 12)
    ring = min(length + 0.3, 4.0)
    t = np.arange(int(ring * SAMPLE_RATE), dtype=np.float32) / SAMPLE_RATE
    decay = np.exp(-t * (1.2 + frequency / 600))
    release = np.clip((length + 0.3 - t) / 0.3, 0, 1)  # damper down after the key is let go
    attack = np.clip(t / 0.004, 0, 1)
    loud = velocity / 127
    wave = sum((loud ** (k / 2)) / k * np.sin(2 * np.pi * frequency * k * t) for k in (1, 2, 3, 4))
    return np.asarray(0.2 * loud * wave * decay * release * attack, dtype=np.float32)


def write_wav(path: Path, audio: Audio) -> None:
    """16-bit WAV, created 0600 (soundfile would create it 0644)."""
    with open_private(path) as out:
        soundfile.write(out, audio, SAMPLE_RATE, subtype="PCM_16", format="WAV")
