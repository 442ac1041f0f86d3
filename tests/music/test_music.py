"""Listening on generated audio with a known tempo and key, and composing: valid MIDI and WAV,
length in range, key and tempo as the mapping says, one piece per moment, contrasts heard."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pretty_midi
import pytest
import soundfile

from os1.errors import InputError
from os1.memory.moments import MomentDraft
from os1.memory.sqlite import SQLiteMemory
from os1.music.composer import Composer
from os1.music.composing import plan_for, score
from os1.music.listening import hear, key_from_chroma, shape_words
from os1.music.rendering import render, soundfont
from os1.share.sharing import Sharing
from tests.share.test_sharing import PERSONA, share_both_seeds

SR = 22_050


def tone(midi_note: int, seconds: float) -> np.ndarray:
    t = np.arange(int(SR * seconds)) / SR
    f = 440 * 2 ** ((midi_note - 69) / 12)
    return 0.3 * np.exp(-4 * t) * sum(np.sin(2 * np.pi * f * k * t) / k for k in (1, 2, 3))


def arpeggio(path: Path, notes: list[int], bpm: float, seconds: float = 12) -> Path:
    """One struck note per beat, cycling through ``notes``."""
    beat, audio = 60 / bpm, np.zeros(int(SR * seconds))
    for i in range(int(seconds / beat) - 1):
        note = tone(notes[i % len(notes)], beat)
        start = int(i * beat * SR)
        audio[start:start + note.size] += note
    soundfile.write(path, audio.astype(np.float32), SR)
    return path


@pytest.fixture(scope="module")
def songs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("songs")
    return {"C major 120": arpeggio(folder / "c.wav", [60, 64, 67, 72, 67, 64], 120),
            "A minor 90": arpeggio(folder / "a.flac", [57, 60, 64, 69, 64, 60], 90)}


@pytest.mark.parametrize(("name", "key", "mode", "tempo"), [("C major 120", "C", "major", 120),
                                                            ("A minor 90", "A", "minor", 90)])
def test_hears_tempo_key_and_mode(songs: dict[str, Path], name: str, key: str, mode: str,
                                  tempo: float) -> None:
    heard = hear(songs[name])
    assert (heard.key, heard.mode) == (key, mode)
    assert heard.tempo == pytest.approx(tempo, rel=0.05)
    assert heard.duration == pytest.approx(12, abs=0.1)
    assert heard.mood == ("bright and lively" if mode == "major" else "melancholy and tender")


def test_key_profiles_and_shape_words() -> None:
    chroma = np.zeros(12)
    chroma[[2, 6, 9]] = 1.0  # D F# A
    assert key_from_chroma(chroma)[:2] == ("D", "major")
    assert shape_words((0.3, 0.5, 0.8, 1.0)) == "builds towards the end"
    assert shape_words((1.0, 0.7, 0.4, 0.2)) == "fades away"


def test_tags_are_read(tmp_path: Path) -> None:
    from mutagen.flac import FLAC

    path = arpeggio(tmp_path / "tagged.flac", [60, 64, 67], 100, seconds=4)
    tags = FLAC(path)
    tags["title"], tags["artist"] = "The Moon Song", "Karen O\x07"
    tags.save()
    heard = hear(path)
    assert heard.tags == {"title": "The Moon Song", "artist": "Karen O"}


@pytest.mark.parametrize(("content", "message"), [
    (b"", "not an audio file"), (b"RIFF\x00\x00\x00\x00WAVEjunk", "not an audio file"),
    (b"just some text, no sound", "not an audio file")])
def test_hostile_audio(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "song.wav"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        hear(path)


def test_silence_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "quiet.wav"
    soundfile.write(path, np.zeros(SR * 3, dtype=np.float32), SR)
    with pytest.raises(InputError, match="silent"):
        hear(path)


async def test_listening_is_remembered_once(sqlite: SQLiteMemory, songs: dict[str, Path]) -> None:
    sharing = Sharing(sqlite, PERSONA, None)
    first = await sharing.listen(songs["A minor 90"])
    again = await sharing.listen(songs["A minor 90"])
    assert first.new and not again.new and first.moment.kind == "song"
    assert first.moment.item.text.startswith("You and the user listened together to \"a\"")
    assert "A minor" in first.moment.item.text


EVENING = {"time_of_day": "evening", "brightness": 0.26, "warmth": 0.22, "saturation": 0.5}
BRIGHT_DAY = {"time_of_day": "day", "brightness": 0.8, "warmth": 0.02, "saturation": 0.6}


def test_mapping_of_contrasting_moments() -> None:
    evening, day = plan_for(EVENING, "a"), plan_for(BRIGHT_DAY, "b")
    assert (evening.key, evening.sevenths) == ("D minor", True)
    assert (day.key, day.sevenths) == ("C major", False)
    assert evening.tempo < day.tempo and evening.register < day.register
    song = plan_for({"tempo": 176.0, "key": "E", "mode": "minor"}, "c")
    assert (song.key, song.tempo) == ("E minor", 88)
    for plan in (evening, day, song):
        assert 30 <= plan.seconds <= 90


def test_score_is_valid_midi_in_its_key_and_deterministic() -> None:
    plan = plan_for(EVENING, "the same moment")
    first, second = _midi_bytes(score(plan)), _midi_bytes(score(plan_for(EVENING, "the same moment")))
    assert first == second
    reread = pretty_midi.PrettyMIDI(io.BytesIO(first))
    assert reread.get_tempo_changes()[1][0] == pytest.approx(plan.tempo)
    assert 30 <= reread.get_end_time() + 0.5 <= 90
    d_minor = {2, 4, 5, 7, 9, 10, 0}
    pitches = [n.pitch % 12 for n in reread.instruments[0].notes]
    assert set(pitches) <= d_minor and pitches[-1] in (2, 5, 9)
    other = _midi_bytes(score(plan_for(EVENING, "another moment")))
    assert other != first


def _midi_bytes(midi: pretty_midi.PrettyMIDI) -> bytes:
    out = io.BytesIO()
    midi.write(out)
    return out.getvalue()


@pytest.mark.parametrize("synth", ["builtin", "fluidsynth"])
def test_render_gives_sound_of_the_right_length(synth: str) -> None:
    if synth == "fluidsynth" and soundfont() is None:
        pytest.fail("FluidSynth or a General MIDI SoundFont is missing: scripts/setup installs them as root "
                    "(apt-get install libfluidsynth3 timgm6mb-soundfont)")
    midi = score(plan_for(BRIGHT_DAY, "x"))
    audio, used = render(midi, synth=synth)
    assert used.startswith("fluidsynth" if synth == "fluidsynth" else "built-in")
    assert audio.size / 22_050 == pytest.approx(midi.get_end_time() + 1, abs=1.5)
    assert float(np.sqrt(np.mean(audio ** 2))) > 0.01


async def test_compose_about_a_shared_film(sqlite: SQLiteMemory, tmp_path: Path) -> None:
    await share_both_seeds(sqlite)
    composer = Composer(sqlite, tmp_path / "music", synth="builtin")
    piece = await composer.compose("that film")
    again = await composer.compose(None)  # the latest shared moment: the same film
    assert piece.new and not again.new and piece.moment.id == again.moment.id
    data = piece.moment.data
    assert piece.moment.item.provenance == "assistant" and data["about"] is not None
    assert piece.said.startswith('I was thinking of the film "Her" you shared.')
    info = soundfile.info(data["wav"])
    assert info.samplerate == 22_050 and 30 <= info.duration <= 92
    assert pretty_midi.PrettyMIDI(data["midi"]).instruments[0].program == 0
    with pytest.raises(InputError, match="no shared moment"):
        await Composer(await _empty(tmp_path), tmp_path).compose("the beach")


async def _empty(tmp_path: Path) -> SQLiteMemory:
    from os1.testing import FakeEmbedder

    return await SQLiteMemory.open(tmp_path / "empty" / "m.sqlite3", FakeEmbedder())


async def test_forgetting_a_piece_deletes_its_files(sqlite: SQLiteMemory, tmp_path: Path) -> None:
    await share_both_seeds(sqlite)
    piece = await Composer(sqlite, sqlite.files_dir, synth="builtin").compose(None)
    files = [Path(piece.moment.data[name]) for name in ("midi", "wav")]
    assert all(f.is_file() and f.parent == sqlite.files_dir for f in files)
    outside = tmp_path / "keep.wav"  # a path outside the music folder is never touched
    outside.write_bytes(b"mine")
    post = (await sqlite.moments("post"))[0]
    stray, _ = await sqlite.add_moment(MomentDraft("piece", "piece:stray", "A stray piece.",
                                                   {"wav": str(outside)}, provenance="assistant"))
    assert await sqlite.forget(piece.moment.id) and await sqlite.forget(stray.id)
    assert not any(f.exists() for f in files) and outside.read_bytes() == b"mine"
    assert await sqlite.forget(post.id) and await sqlite.moments() == []
