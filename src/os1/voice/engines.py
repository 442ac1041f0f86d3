"""The built-in speech engines, registered through the same plugin hook as third-party ones,
and ``load_engines``, which builds the configured pair."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from os1.config import VoiceSettings
from os1.errors import ConfigError
from os1.hookspecs import hookimpl
from os1.voice.stt import PocketsphinxSTT, RoomAware, SpeechToText, WhisperSTT, fetched_whisper_base
from os1.voice.tts import EspeakTTS, PiperTTS, TextToSpeech, style_for


def _whisper(voice: VoiceSettings, wish: str | None) -> SpeechToText:
    quiet = WhisperSTT(voice.whisper_model, beam_size=voice.whisper_beam, threads=voice.whisper_threads)
    # a Whisper of the user's own choosing hears everything unless a crowd model is named too
    crowd = voice.crowd_whisper_model or (fetched_whisper_base() if voice.whisper_model is None else None)
    if voice.crowd_below_db <= 0 or crowd is None:
        return quiet
    heard_in_crowds = WhisperSTT(crowd, beam_size=voice.whisper_beam, threads=voice.whisper_threads)
    return RoomAware(quiet, heard_in_crowds, voice.crowd_below_db)


def _pocketsphinx(voice: VoiceSettings, wish: str | None) -> SpeechToText:
    return PocketsphinxSTT()


def _espeak(voice: VoiceSettings, wish: str | None) -> TextToSpeech:
    return EspeakTTS(voice.tts_voice, style_for(wish))


def _piper(voice: VoiceSettings, wish: str | None) -> TextToSpeech:
    from pathlib import Path

    return PiperTTS(Path(voice.tts_voice) if voice.tts_voice else None, style_for(wish))


@hookimpl
def register_voice_engines(stt: Callable[[str, Callable[..., Any]], None],
                           tts: Callable[[str, Callable[..., Any]], None]) -> None:
    stt("whisper", _whisper)
    stt("pocketsphinx", _pocketsphinx)
    tts("espeak", _espeak)
    tts("piper", _piper)


def _load(kind: int, what: str, name: str, voice: VoiceSettings, wish: str | None) -> Any:
    from os1.plugins import voice_engines

    factories = voice_engines()[kind]
    if name not in factories:
        raise ConfigError(f"no {what} engine {name!r} (have {sorted(factories)})")
    return factories[name](voice, wish)


NOTES = {  # what choosing a voice changes, with each built-in engine
    "espeak": "its pitch, pace and timbre (espeak-ng, a clear synthetic voice)",
    "piper": "its pace (Piper, one natural voice)",
}


def voice_note(voice: VoiceSettings) -> str:
    """What the voice setting changes with the engine in use, said for a person."""
    changes = NOTES.get(voice.tts, f"how the {voice.tts} engine speaks")
    fixed = " The voice itself is fixed in this server's settings." if voice.tts_voice else ""
    return (f"How os1 sounds when it talks out loud (the microphone in Talk): {changes}. It does not"
            f" change what os1 says, and takes effect from the next conversation.{fixed}")


def load_stt(voice: VoiceSettings, wish: str | None = None) -> SpeechToText:
    engine: SpeechToText = _load(0, "speech-to-text", voice.stt, voice, wish)
    return engine


def load_tts(voice: VoiceSettings, wish: str | None = None) -> TextToSpeech:
    engine: TextToSpeech = _load(1, "text-to-speech", voice.tts, voice, wish)
    return engine
