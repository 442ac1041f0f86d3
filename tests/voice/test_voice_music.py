"""'Play me something about that evening', spoken: the real VAD and Whisper hear it, the real
composer writes a piece about the evening photo, os1 says what it was thinking of and the piece
itself comes out of the conversation's player; the user talks over it to stop it. On the
conversation's simulated clock (see test_conversation), so when things happen does not depend on
how busy the machine is."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from os1.agent.companion import Companion, TurnSettings
from os1.agent.persona import Persona
from os1.config import VoiceSettings
from os1.memory.sqlite import SQLiteMemory
from os1.share.sharing import Sharing
from os1.testing import ScriptedLLM
from os1.vision.images import check_image
from os1.voice.audio import RATE, read_audio
from os1.voice.conversation import Conversation, talk_file
from os1.voice.frames import Frame, Heard, ReplySaved, ReplyText, Stopped
from os1.voice.music import ComposedMusic
from os1.voice.stt import WhisperSTT
from os1.voice.tts import EspeakTTS, TextToSpeech
from tests.share.test_cli_share import evening_photo
from tests.voice.test_conversation import in_virtual_time

from .conftest import script

pytestmark = pytest.mark.integration


def found_at(out: np.ndarray, piece: np.ndarray) -> int | None:
    """Where the piece's samples start in os1's output, sample for sample (the player copies)."""
    first = int(np.flatnonzero(piece)[0])
    probe = piece[first:first + 2000]
    for at in np.flatnonzero(out == probe[0]):
        if np.array_equal(out[at:at + probe.size], probe):
            return int(at) - first
    return None


def test_asking_for_music_by_voice_plays_the_piece(
        whisper: WhisperSTT, user_voice: TextToSpeech, tmp_path: Path) -> None:
    ask = user_voice.synthesize("Play me something about that evening.")
    recording = np.concatenate([script(user_voice, 0.5), ask,
                                script(user_voice, 16.0, "Thank you, that is lovely.", 1.0)])
    asked_at = (0.5 * RATE + ask.size) / RATE
    thanks_at = asked_at + 16.0

    async def body(store: SQLiteMemory) -> None:
        seen = await Sharing(store, Persona.from_profile({}), None).look(
            check_image(evening_photo(tmp_path).read_bytes(), "photo"), note="the sea at Cascais")
        model = ScriptedLLM("You're welcome.")
        persona = Persona.from_profile({"user_name": "Theo", "os_name": "Ada"})
        companion = Companion(model, store, persona, TurnSettings())
        frames: list[Frame] = []
        conversation = Conversation(companion, whisper, EspeakTTS(), VoiceSettings(),
                                    observers=[frames.append],
                                    music=ComposedMusic(store, store.files_dir, synth="builtin"))
        out = await talk_file(conversation, recording, tail_s=30.0)

        heard = [f.text.lower() for f in frames if isinstance(f, Heard)]
        assert heard[0].startswith("play me something about") and "evening" in heard[0]
        [piece] = await store.moments("piece")
        assert piece.data["about"] == seen.moment.id  # the evening photo
        said = [f for f in frames if isinstance(f, ReplyText) and f.turn == 1]
        assert [f.text for f in said] == ["I was thinking of the photograph you showed me."]
        music = read_audio(Path(piece.data["wav"]))
        start = found_at(out, music)
        # the piece itself was played, after the words about it and before the thanks
        assert start is not None and asked_at < start / RATE < thanks_at
        stopped = [f for f in frames if isinstance(f, Stopped)]
        saved = [f for f in frames if isinstance(f, ReplySaved)]
        assert stopped and saved[0].interrupted and saved[0].reply_id == piece.id  # talked over: it stopped
        barge = stopped[0].at
        assert thanks_at <= barge  # stopped by the thanks, not before
        assert float(np.abs(out[int((barge + 0.3) * RATE):int((barge + 1.0) * RATE)]).max()) < 1e-3
        # only the thanks went to the model
        assert saved[-1].spoken == "You're welcome." and len(model.history) == 1

    in_virtual_time(tmp_path, body)
