"""Sharing from inside `os1 chat`: /share, /look and /compose with a scripted model and the real
offline seeing, then the film recalled in a later turn."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from os1.agent.companion import Companion, TurnSettings
from os1.agent.events import Recalled
from os1.agent.persona import Persona
from os1.cli.slash import SlashCommands
from os1.memory.sqlite import SQLiteMemory
from os1.testing import ScriptedLLM
from os1.vision.images import ImageBytes, check_image
from tests.seeds import jpeg, seaside, seed


async def test_share_look_and_compose_from_the_chat(sqlite: SQLiteMemory, tmp_path: Path) -> None:
    persona = Persona.from_profile({"user_name": "Theo", "os_name": "Ada"})
    companion = Companion(ScriptedLLM(default="How lovely."), sqlite, persona, TurnSettings())
    slash = SlashCommands(companion, music_dir=tmp_path / "music")
    photo = tmp_path / "evening by the sea.jpg"
    Image.fromarray(seaside().astype(np.uint8)).save(photo)

    assert await slash.run(f"/share {seed('her-post-a.md')}")
    [post] = await sqlite.moments("post")
    assert (post.data["title"], post.data["director"], post.data["year"]) == ("Her", "Spike Jonze", 2013)
    assert post.data["said"] == "How lovely."  # os1 answered, and the answer was kept with it

    assert await slash.run(f'/look "{photo}" the sea that evening')
    [seen] = await sqlite.moments("photo")
    assert seen.data["note"] == "the sea that evening" and seen.data["source"] == photo.name
    assert len(seen.images) == 1 and seen.item.text.startswith("The user showed you a photograph")

    assert await slash.run("/compose that evening")
    [piece] = await sqlite.moments("piece")
    assert piece.data["about"] == seen.id  # the evening: the photo, not the film
    assert Path(piece.data["midi"]).parent == tmp_path / "music"

    stored = await sqlite.count()
    assert await slash.run("/look")  # usage, nothing stored
    assert await sqlite.count() == stored and len(await sqlite.moments()) == 3

    facts = [m.text for m in await sqlite.list_memories(kind="fact", limit=10)]
    assert any("Her" in t and "Spike Jonze" in t for t in facts)
    assert any("piano piece" in t for t in facts)
    assert list((tmp_path / "music").glob("*.mid")) and list((tmp_path / "music").glob("*.wav"))

    events = [e async for e in companion.respond("What was that film I showed you?")]
    recalled = next(e for e in events if isinstance(e, Recalled))
    assert any("Spike Jonze" in m.text for m in recalled.memories)


@pytest.mark.integration  # the real `os1 chat` on the bundled model
def test_play_me_something_in_plain_words_composes_in_the_chat(os1_home: Path) -> None:
    """Through the real `os1 chat` on the bundled model: the request becomes a piece."""
    import subprocess
    import sys

    lines = f"/share {seed('her-post-a.md')}\nplay me something about that film\n/quit\n"
    result = subprocess.run([sys.executable, "-m", "os1", "chat"], input=lines, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    music = os1_home / "users" / "default" / "music"
    assert list(music.glob("*.mid")) and list(music.glob("*.wav"))
    assert "I was thinking of" in result.stdout


async def test_camera_in_the_chat_looks_at_one_frame(sqlite: SQLiteMemory) -> None:
    persona = Persona.from_profile({"user_name": "Theo", "os_name": "Ada"})
    model = ScriptedLLM("What a view.")
    frames: list[int] = []

    def camera() -> ImageBytes:
        frames.append(1)
        return check_image(jpeg(seaside()), "the camera's picture")

    slash = SlashCommands(Companion(model, sqlite, persona, TurnSettings()), camera=camera)
    assert await slash.run("/camera the view from my window")
    [photo] = await sqlite.moments("photo")
    assert frames == [1] and photo.data["camera"] is True and photo.data["source"] == "camera"
    assert photo.data["note"] == "the view from my window" and photo.data["said"] == "What a view."
    assert photo.item.text.startswith("The user showed you a camera view and said: 'the view from my window'")
    assert len(photo.images) == 1


@pytest.mark.integration  # the real `os1 chat` on the bundled model
def test_camera_in_the_chat_without_a_camera_is_one_line_and_the_chat_goes_on(os1_home: Path) -> None:
    """Through the real `os1 chat`, on a machine with no camera: pinned, whatever cameras this
    machine has (the chat process sees no /dev/video* and OpenCV opens none)."""
    import subprocess
    import sys

    no_camera = ("import types, os1.vision.camera as camera;"
                 " camera.glob = types.SimpleNamespace(glob=lambda pattern: []);"
                 " camera._opens = lambda index: False; from os1.cli.main import main; main()")
    result = subprocess.run([sys.executable, "-c", no_camera, "chat"],
                            input="/camera hello\n/memories\n/quit\n", capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    errors = [line for line in result.stderr.splitlines() if "error" in line]
    assert len(errors) == 1 and errors[0].startswith("os1: error: no camera found"), result.stderr
    assert "No memories yet." in result.stdout  # the chat carried on, and nothing was stored
