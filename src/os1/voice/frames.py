"""The frames a voice conversation is made of. Data frames flow stage to stage in order; control
frames are delivered to every stage at once, ahead of any data waiting in a queue, so that an
interruption never waits behind audio.

Times (``at``, ``ended``) are seconds on the conversation's clock, which starts at zero with the
first input sample; input audio and os1's playback share it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from os1.voice.audio import Samples


@dataclass(frozen=True)
class Frame:
    """Base of every frame."""


# data frames


@dataclass(frozen=True, eq=False)
class AudioIn(Frame):
    """Microphone (or file) audio; ``at`` is the time of its first sample."""

    samples: Samples
    at: float


@dataclass(frozen=True, eq=False)
class UserTurn(Frame):
    """One finished user utterance, as the turn detector cut it."""

    audio: Samples
    started: float
    ended: float
    over_os1: bool = False  # it began while os1 was speaking


@dataclass(frozen=True, eq=False)
class TurnHold(Frame):
    """The user paused long enough that the turn may be over: its audio so far, to transcribe
    ahead of the ``UserTurn`` that confirms it. ``heard``, if given, is told the words (the
    listener weighs them when the end-of-turn model calls the turn unfinished)."""

    audio: Samples
    heard: asyncio.Future[str] | None = None


@dataclass(frozen=True)
class LikelyEnd(Frame):
    """The user paused on words that read as a finished sentence, and the turn ends after a
    short wait unless they go on: the reply may be prepared ahead (``Companion.foresee``)."""

    text: str


@dataclass(frozen=True)
class Transcript(Frame):
    text: str
    ended: float  # when the user stopped speaking
    stt_s: float = 0.0  # how long speech-to-text took
    over_os1: bool = False


@dataclass(frozen=True)
class ReplyText(Frame):
    """A speakable piece of os1's reply (a sentence or a clause)."""

    text: str
    turn: int


@dataclass(frozen=True, eq=False)
class SpeechOut(Frame):
    """Synthesized audio for one piece of the reply."""

    samples: Samples
    text: str
    turn: int


@dataclass(frozen=True, eq=False)
class MusicOut(Frame):
    """A piece os1 composed, to be played as part of the reply of ``turn`` (no words: nothing
    of it goes into the ledger of what was heard)."""

    samples: Samples
    turn: int


@dataclass(frozen=True)
class ReplyEnd(Frame):
    """The reply of ``turn`` has no more pieces."""

    turn: int


# control frames


@dataclass(frozen=True)
class Control(Frame):
    """Base of the frames that jump the queues."""


@dataclass(frozen=True)
class UserSpeaking(Control):
    """The user started to speak (os1 pauses if it is talking)."""

    at: float


@dataclass(frozen=True)
class Interrupt(Control):
    """Cancel the reply in flight and drop whatever of it is not yet spoken."""

    reason: str
    at: float = 0.0


@dataclass(frozen=True)
class Resume(Control):
    """The user's sound was a backchannel ("mm-hm", a cough): carry on speaking."""


# what observers (the terminal, the WebSocket, benchmarks) are told


@dataclass(frozen=True)
class Heard(Frame):
    """What the user said, once transcribed."""

    text: str
    ended: float
    stt_s: float


@dataclass(frozen=True)
class Mark(Frame):
    """A moment in a reply's life, for latency figures: ``turn_end`` (the user's turn was cut),
    ``first_token`` (the model's first words), ``first_speech`` (the first piece synthesized)
    and ``first_audio`` (its first sample left for the speaker)."""

    name: str
    turn: int
    at: float


@dataclass(frozen=True)
class Stopped(Frame):
    """Playback stopped or paused because the user spoke."""

    at: float
    paused: bool


@dataclass(frozen=True)
class ReplySaved(Frame):
    """A reply went into memory as it was spoken (``interrupted``: cut short): ``reply_id`` is
    the stored reply (or a composed piece's moment), ``said_id`` the user's stored words, each
    None where nothing was stored."""

    turn: int
    reply_id: int | None
    spoken: str
    interrupted: bool
    said_id: int | None = None


@dataclass(frozen=True)
class Failed(Frame):
    """A stage failed on one frame; the conversation goes on."""

    message: str

