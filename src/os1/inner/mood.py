"""os1's mood: a small state (valence, arousal) with the cause that moved it last, nudged by what
the user says and drifting back to calm as time passes (half-life ``HALF_LIFE_H`` hours).

It is honest by construction: a mood is two numbers and a cause, moved by fixed word lists in
code; the persona prompt says so ("a small state kept from the conversation, not a feeling to
perform"), and ``os1 status`` shows the numbers with the words.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import asdict, dataclass, replace

HALF_LIFE_H = 6.0
CALM = (0.1, 0.3)  # the resting (valence, arousal)
PROFILE_KEY = "mood"


@dataclass(frozen=True)
class Nudge:
    valence: float
    arousal: float
    cause: str


# (pattern over the user's words, what it does to the mood, the cause in os1's words)
_RULES: tuple[tuple[re.Pattern[str], Nudge], ...] = tuple(
    (re.compile(p, re.IGNORECASE), n) for p, n in (
        (r"\b(stupid|useless|shut up|hate you|you're wrong|annoying)\b",
         Nudge(-0.35, 0.2, "you were frustrated with me")),
        (r"\b(died|passed away|funeral|grief|grieving|heartbroken|breakup|broke up|lonely|depressed|"
         r"miserable|crying|cried)\b", Nudge(-0.35, 0.1, "you told me something sad")),
        (r"\b(worried|anxious|nervous|stressed|scared|afraid|overwhelmed|exhausted|sick|ill|hospital)\b",
         Nudge(-0.25, 0.25, "you sounded worried")),
        (r"\b(thank you|thanks|grateful|appreciate|love you|you're great|you're sweet)\b",
         Nudge(0.3, 0.1, "you thanked me")),
        (r"\b(got the job|passed|promoted|engaged|married|won|excited|can't wait|amazing|wonderful|"
         r"great news|so happy|i'm happy|delighted|proud)\b", Nudge(0.35, 0.3, "you shared good news")),
        (r"\b(how are you|how do you feel|what do you think|your opinion|what about you|tell me about "
         r"yourself)\b", Nudge(0.1, 0.3, "you asked what I think")),
        (r"\b(haha|lol|funny|hilarious|joke)\b", Nudge(0.2, 0.2, "we laughed")),
    ))


@dataclass(frozen=True)
class Mood:
    """Valence in [-1, 1] (sad to glad), arousal in [0, 1] (quiet to lively), the cause, when it
    last moved (a Unix time) and the memory that moved it."""

    valence: float = CALM[0]
    arousal: float = CALM[1]
    cause: str = "nothing much has happened yet"
    at: float = 0.0
    source_id: int | None = None

    def at_time(self, now: float) -> Mood:
        """The mood as time has left it: each part halfway back to calm every ``HALF_LIFE_H``."""
        hours = max(0.0, now - self.at) / 3600 if self.at else 0.0
        keep = math.pow(0.5, hours / HALF_LIFE_H)
        mood = replace(self, valence=CALM[0] + (self.valence - CALM[0]) * keep,
                       arousal=CALM[1] + (self.arousal - CALM[1]) * keep)
        if self.at and keep < 0.25:  # mostly faded: the cause is time, no longer the event
            mood = replace(mood, cause=f"it has been a while since {self.cause}")
        return mood

    def moved(self, nudge: Nudge, now: float, source_id: int | None = None) -> Mood:
        base = self.at_time(now)
        return Mood(_clamp(base.valence + nudge.valence, -1.0, 1.0),
                    _clamp(base.arousal + nudge.arousal, 0.0, 1.0), nudge.cause, now, source_id)

    @property
    def label(self) -> str:
        v, a = self.valence, self.arousal
        if v <= -0.2:
            return "worried" if a >= 0.5 else "concerned"
        if v >= 0.35 and a >= 0.5:
            return "delighted"
        if v >= 0.3:
            return "glad"
        if a >= 0.55:
            return "curious"
        return "calm"

    def words(self) -> str:
        return f"{self.label}, because {self.cause}"

    def prompt_line(self) -> str:
        """The persona prompt's line: the state, and what it is; none while calm (the resting
        state needs no words, and the prompt stays as it was)."""
        if self.label == "calm":
            return ""
        return (f"Your mood is a small state os1 keeps from the conversation, not a feeling to "
                f"perform: {self.words()}. Let it colour your tone a little; if asked about it, "
                f"describe it as exactly that and no more.")

    def dumps(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)


def loads(text: str | None) -> Mood:
    """A mood kept in the profile; a missing or damaged one is calm."""
    try:
        data = json.loads(text or "")
        return Mood(float(data["valence"]), float(data["arousal"]), str(data["cause"]),
                    float(data["at"]), data.get("source_id"))
    except (ValueError, KeyError, TypeError):
        return Mood()


def appraise(text: str) -> Nudge | None:
    """What the user's words do to the mood: the first rule that matches (the strongest
    first), or None when they are neutral."""
    for pattern, nudge in _RULES:
        if pattern.search(text):
            return nudge
    return None


def _clamp(x: float, low: float, high: float) -> float:
    return max(low, min(high, x))
