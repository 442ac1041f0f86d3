"""A photograph in music: a short piano piece made from a moment.

``plan_for`` maps what os1 perceived to musical choices with ordinary music theory: the mode from
the light and mood (dim, cool or melancholy moments are minor), the key from the time of day (or
the song's own key), the tempo from the song or from how bright and colourful the picture was, the
register from the light, the harmony from a progression typical of the mode with sevenths for
warm palettes, and a melody that walks the scale and leans on chord tones. ``score`` writes the
plan as a two-hand piano score with ``pretty_midi``, seeded by the moment, so the same moment
always gives the same piece.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import asdict, dataclass
from typing import Any

from os1.memory.moments import Moment
from os1.music.midi import pretty_midi

PITCH = {"C": 0, "C#": 1, "Db": 1, "D": 2, "Eb": 3, "D#": 3, "E": 4, "F": 5, "F#": 6, "Gb": 6, "G": 7,
         "Ab": 8, "G#": 8, "A": 9, "Bb": 10, "A#": 10, "B": 11}
NAMES = ("C", "Db", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
SCALES = {"major": (0, 2, 4, 5, 7, 9, 11), "minor": (0, 2, 3, 5, 7, 8, 10)}  # natural minor
# time of day -> (major tonic, minor tonic): mornings in D, days in C or A, evenings in F or D,
# nights in Eb or C
KEYS = {"morning": ("D", "B"), "day": ("C", "A"), "evening": ("F", "D"), "night": ("Eb", "C")}
# progressions as scale degrees (0 = I/i), four bars each
PROGRESSIONS = {"major": ((0, 4, 5, 3), (0, 5, 3, 4)), "minor": ((0, 5, 2, 6), (0, 3, 6, 2))}
MIN_SECONDS, MAX_SECONDS = 30.0, 90.0


@dataclass(frozen=True)
class Plan:
    """The musical choices for one piece, and why."""

    tonic: str
    mode: str
    tempo: int
    register: int  # MIDI note of the melody's tonic
    progression: tuple[int, ...]
    sevenths: bool
    bars: int
    seed: int
    reasons: tuple[str, ...]

    @property
    def key(self) -> str:
        return f"{self.tonic} {self.mode}"

    @property
    def seconds(self) -> float:
        return self.bars * 4 * 60 / self.tempo + 2.0  # the last chord rings on

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def features(moment: Moment | None) -> dict[str, Any]:
    """The parts of a moment that music can carry: light, warmth, colour, time, tempo, mood."""
    if moment is None:
        return {"time_of_day": "day", "brightness": 0.5, "warmth": 0.0, "saturation": 0.4}
    data = moment.data
    if moment.kind == "song":
        return {"tempo": data.get("tempo"), "key": data.get("key"), "mode": data.get("mode"),
                "mood": data.get("mood"), "time_of_day": "evening"}
    seen = _first_sight(moment)
    return {"time_of_day": seen.get("time_of_day", "day"), "brightness": seen.get("brightness", 0.5),
            "warmth": seen.get("warmth", 0.0), "saturation": seen.get("saturation", 0.4),
            "faces": seen.get("faces", 0)}


def _first_sight(moment: Moment) -> dict[str, Any]:
    sights = moment.data.get("sights")
    if isinstance(sights, list) and sights and isinstance(sights[0], dict):
        return sights[0]
    return {}


def plan_for(found: dict[str, Any], seed_text: str) -> Plan:
    """Musical choices for a moment's features (see the module docstring)."""
    seed = int.from_bytes(hashlib.sha256(seed_text.encode()).digest()[:4], "big")
    rng = random.Random(seed)
    when = found.get("time_of_day") if found.get("time_of_day") in KEYS else "day"
    brightness, warmth = float(found.get("brightness", 0.5)), float(found.get("warmth", 0.0))
    reasons = []
    if found.get("mode") in SCALES and found.get("key") in PITCH:
        mode, tonic = str(found["mode"]), str(found["key"])
        reasons.append(f"the song was in {tonic} {mode}, so this is too")
    else:
        dark = brightness < 0.38 or warmth < -0.08 or "melancholy" in str(found.get("mood", ""))
        mode = "minor" if dark else "major"
        tonic = KEYS[str(when)][mode == "minor"]
        reasons.append(f"{'dim or cool light' if dark else 'open light'} made it {mode}; "
                       f"{when} made it {tonic}")
    if found.get("tempo"):
        tempo = float(found["tempo"])
        tempo = tempo / 2 if tempo > 140 else tempo
        reasons.append(f"it moves at the song's {round(tempo)} beats a minute")
    else:
        tempo = 60 + 50 * brightness + 30 * float(found.get("saturation", 0.4))
        reasons.append(f"{'bright' if brightness > 0.5 else 'soft'} light set the pace")
    tempo_bpm = int(round(min(140.0, max(56.0, tempo))))
    register = 60 + PITCH[tonic] + (12 if brightness > 0.62 else -12 if when == "night" else 0)
    sevenths = warmth > 0.08
    if sevenths:
        reasons.append("a warm palette gave the chords sevenths")
    progression = rng.choice(PROGRESSIONS[mode])
    bars = _bars(tempo_bpm, 30 + rng.random() * 30)
    return Plan(NAMES[PITCH[tonic]], mode, tempo_bpm, register, progression, sevenths, bars, seed,
                tuple(reasons))


def _bars(tempo: int, seconds: float) -> int:
    """Whole four-bar phrases close to ``seconds``, always within 30-90 s."""
    bar = 4 * 60 / tempo
    bars = max(4, int(round(seconds / bar / 4)) * 4)
    while bars * bar + 2 > MAX_SECONDS:
        bars -= 4
    while bars * bar + 2 < MIN_SECONDS:
        bars += 4
    return bars


def score(plan: Plan) -> pretty_midi.PrettyMIDI:
    """The piece: broken chords in the left hand, a melody over them in the right."""
    midi = pretty_midi.PrettyMIDI(initial_tempo=plan.tempo)
    midi.key_signature_changes.append(pretty_midi.KeySignature(
        pretty_midi.key_name_to_key_number(f"{plan.tonic} {plan.mode}"), 0.0))
    piano = pretty_midi.Instrument(program=0, name="Piano")
    rng = random.Random(plan.seed)
    beat = 60 / plan.tempo
    degree = 0
    for bar in range(plan.bars):
        start = bar * 4 * beat
        chord = _chord(plan, plan.progression[bar % len(plan.progression)], final=bar == plan.bars - 1)
        _left_hand(piano, plan, chord, start, beat, last=bar == plan.bars - 1)
        degree = _melody_bar(piano, plan, chord, start, beat, degree, rng, last=bar == plan.bars - 1)
    midi.instruments.append(piano)
    return midi


def _pitch(plan: Plan, degree: int) -> int:
    """The MIDI note of a scale degree (any integer; 7 is the tonic an octave up) above the register."""
    scale = SCALES[plan.mode]
    octave, step = divmod(degree, 7)
    return plan.register + 12 * octave + scale[step]


def _chord(plan: Plan, root: int, *, final: bool) -> list[int]:
    """Scale degrees of the chord on ``root``: a triad, with the seventh when the plan wants it."""
    root = 0 if final else root
    tones = [root, root + 2, root + 4]
    return tones + [root + 6] if plan.sevenths and not final else tones


def _left_hand(piano: pretty_midi.Instrument, plan: Plan, chord: list[int], start: float, beat: float,
               *, last: bool) -> None:
    """Broken chords an octave or two below the melody; one long chord at the end."""
    drop = 12 if plan.register < 66 else 24
    pitches = [_pitch(plan, d) - drop for d in chord]
    if last:
        for pitch in pitches:
            piano.notes.append(pretty_midi.Note(58, pitch, start, start + 4 * beat + 2.0))
        return
    step = beat / 2
    for i, which in enumerate((0, 2, 1, 2, 0, 2, 1, 2)):
        pitch = pitches[which % len(pitches)] if i != 6 or len(pitches) < 4 else pitches[3]
        at = start + i * step
        piano.notes.append(pretty_midi.Note(60 if i % 4 == 0 else 50, pitch, at, at + step * 1.8))


def _melody_bar(piano: pretty_midi.Instrument, plan: Plan, chord: list[int], start: float, beat: float,
                degree: int, rng: random.Random, *, last: bool) -> int:
    """One bar of melody: a walk over the scale that lands on chord tones on strong beats."""
    if last:
        piano.notes.append(pretty_midi.Note(80, _pitch(plan, 7), start, start + 4 * beat + 2.0))
        return 7
    rhythm = rng.choice(((1, 1, 1, 1), (2, 1, 1), (1, 0.5, 0.5, 2), (1.5, 0.5, 2), (3, 1)))
    at = start
    for i, length in enumerate(rhythm):
        if i == 0 or length >= 2:
            degree = min((c + 7 * k for c in chord for k in (0, 1)), key=lambda d: abs(d - degree))
        else:
            degree = max(0, min(11, degree + rng.choice((-2, -1, -1, 1, 1, 2))))
        velocity = 78 if i == 0 else 66
        piano.notes.append(pretty_midi.Note(velocity, _pitch(plan, degree), at, at + length * beat * 0.95))
        at += length * beat
    return degree
