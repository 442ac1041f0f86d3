"""A week in the life, as a user runs it: real ``os1`` processes on the bundled model and the real
store. Show os1 a photo, a post (twice, with different stills) and a song; later ask about the
film and for music about that evening."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from tests.cli.test_cli import count, one_line_error, run
from tests.music.test_music import arpeggio
from tests.seeds import jpeg, seaside, seed

pytestmark = pytest.mark.integration


def evening_photo(folder: Path) -> Path:
    exif = Image.Exif()
    exif[0x0132] = "2024:07:12 20:41:00"  # DateTime
    path = folder / "sea.jpg"
    path.write_bytes(jpeg(seaside(), exif))
    return path


def json_of(home: Path, *args: str) -> dict[str, object]:
    result = run(home, *args, "--json")
    assert result.returncode == 0, result.stderr
    value = json.loads(result.stdout)
    assert isinstance(value, dict)
    return value


def test_a_photo_a_post_and_a_song_then_the_film_and_a_piece(os1_home: Path, tmp_path: Path) -> None:
    photo = json_of(os1_home, "look", str(evening_photo(tmp_path)), "--say", "the sea at Cascais")
    assert "taken in the evening" in str(photo["perceived"]) and photo["said"]  # the model replied
    film = json_of(os1_home, "share", "--no-reply", str(seed("her-post-a.md")))
    again = json_of(os1_home, "share", "--no-reply", str(seed("her-post-b.md")))
    assert film["moment_id"] == again["moment_id"] and again["new"] is False
    assert len(again["images"]) == 2  # type: ignore[arg-type]
    song = json_of(os1_home, "listen", "--no-reply",
                   str(arpeggio(tmp_path / "song.wav", [57, 60, 64, 69, 64, 60], 90)))
    assert "A minor" in str(song["perceived"])
    for filler in ("I made pasta tonight.", "Work was long today."):
        assert run(os1_home, "say", filler).returncode == 0

    answer = json_of(os1_home, "say", "What was that film I showed you?")
    recalled = answer["recalled"]
    assert isinstance(recalled, list)
    assert film["moment_id"] in [m["id"] for m in recalled]
    shown = next(m for m in recalled if m["id"] == film["moment_id"])
    assert shown["provenance"] == "shared" and '"Her" (Spike Jonze, 2013)' in shown["text"]

    piece = json_of(os1_home, "compose", "--about", "that evening")
    assert "thinking of the photograph" in str(piece["said"])
    pieces = json.loads(run(os1_home, "music", "--json").stdout)
    assert [p["id"] for p in pieces] == [piece["moment_id"]]
    assert pieces[0]["about"] == photo["moment_id"]
    assert pieces[0]["key_name"] == "D minor"  # cool light in the evening
    assert Path(pieces[0]["wav"]).stat().st_size > 100_000 and Path(pieces[0]["midi"]).exists()
    files = [Path(pieces[0]["midi"]), Path(pieces[0]["wav"])]
    assert all(f.is_file() for f in files)
    assert run(os1_home, "memory", "forget", str(piece["moment_id"])).returncode == 0
    assert not any(f.exists() for f in files)  # forgetting the piece deletes its MIDI and audio
    assert json.loads(run(os1_home, "music", "--json").stdout) == []


@pytest.mark.parametrize(("command", "content", "message"), [
    ("share", b"\x00\x01\x02binary", "binary"),
    ("share", b"---\ntitle: [Her\n---\n", "malformed front matter"),
    ("look", b"GIF89a broken", "not a readable image"),
    ("listen", b"RIFF....WAVEfmt nonsense", "not an audio file"),
])
def test_hostile_files_are_one_line_and_store_nothing(os1_home: Path, tmp_path: Path, command: str,
                                                      content: bytes, message: str) -> None:
    path = tmp_path / "hostile"
    path.write_bytes(content)
    one_line_error(run(os1_home, command, "--no-reply", str(path)), 2, message)
    assert count(os1_home) == 0


def test_missing_file_camera_and_unknown_moment(os1_home: Path) -> None:
    one_line_error(run(os1_home, "look", "--no-reply", "/no/such/photo.jpg"), 2, "cannot read")
    one_line_error(run(os1_home, "look", "--camera", "--no-reply"), 2, "camera")
    one_line_error(run(os1_home, "compose", "--about", "the beach"), 2, "no shared moment")
    assert count(os1_home) == 0  # none of the three left anything in memory
