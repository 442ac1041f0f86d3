"""Z-machine stories through the real dfrotz, on a tiny story compiled here from
``data/lantern.inf`` with Debian's Inform 6 (a story written for these tests)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from os1.errors import InputError
from os1.games.keeping import Keeper
from os1.games.programs import MissingProgram
from os1.games.story import StoryGame, read_story
from os1.games.table import Table
from os1.memory.sqlite import SQLiteMemory

LIBRARY = Path("/usr/share/inform6/library")
SOURCE = Path(__file__).parent / "data" / "lantern.inf"
pytestmark = [pytest.mark.integration,
              pytest.mark.skipif(not (shutil.which("dfrotz") or shutil.which("dfrotz", path="/usr/games"))
                                 or not shutil.which("inform6") or not LIBRARY.is_dir(),
                                 reason="needs Debian's frotz, inform6-compiler and inform6-library")]


@pytest.fixture(scope="module")
def story_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("story")
    subprocess.run(["inform6", "-q", f"+{LIBRARY}", str(SOURCE), str(folder / "lantern.z5")],
                   check=True, capture_output=True, timeout=120)
    return folder / "lantern.z5"


@pytest.fixture
async def table(story_file: Path) -> AsyncIterator[Table]:
    found = Table(StoryGame(read_story(story_file), seed=5), None, slot="t")
    await found.open(resume=False)
    yield found
    await found.game.close()


async def test_the_map_follows_the_story(table: Table) -> None:
    assert table.screen.place is not None and table.screen.place.name == "A wooden porch"
    assert table.atlas.things == {"brass lantern": table.screen.place.key}
    for move in ("north", "e", "take key"):
        await table.play(move)
    assert table.atlas.where("key") == "We're carrying the key."
    assert table.ask("how do we get to the porch?") == \
        "From A small study with a desk to A wooden porch: west, south."
    assert "lantern" in table.ask("where is the lantern?") and "porch" in table.ask("where is the lantern?")


async def test_os1_explores_on_its_own(table: Table) -> None:
    seen = set()
    for _ in range(8):
        turn = await table.take_turn()
        assert turn.by == "os1" and turn.why
        seen.add(turn.screen.place.name if turn.screen.place else "")
    assert {"A wooden porch", "A quiet hall", "A small study with a desk"} <= seen


async def test_bad_commands_are_one_line(table: Table) -> None:
    for bad in ("\\q", "", "x" * 300, "\x07"):
        with pytest.raises(InputError):
            await table.play(bad)
    turn = await table.play("xyzzy")  # a word the story does not know is the story's own reply
    assert turn.screen.text


async def test_a_session_is_kept_and_replayed(story_file: Path, store: SQLiteMemory) -> None:
    story = read_story(story_file)
    first = Table(StoryGame(story), Keeper(store), slot=story.digest[:16])
    await first.open()
    for move in ("north", "east", "take key"):
        await first.play(move)
    await first.close()
    kept = (await store.moments("game"))[0]
    assert kept.data["save"]["moves"] == ["north", "east", "take key"] and kept.item.provenance == "shared"

    again = Table(StoryGame(story), Keeper(store), slot=story.digest[:16])
    try:
        screen = await again.open()
        assert screen.place is not None and screen.place.name == "A small study with a desk"
        assert again.atlas.where("key") == "We're carrying the key."
    finally:
        await again.game.close()


async def test_a_save_for_another_story_is_refused(story_file: Path) -> None:
    game = StoryGame(read_story(story_file))
    with pytest.raises(InputError, match="another story"):
        await game.load({"digest": "0" * 64, "seed": 1, "moves": []})
    with pytest.raises(InputError, match="damaged"):
        await game.load({"digest": game.story.digest, "seed": 1, "moves": ["\\q"]})


def test_files_that_are_not_stories_are_one_line(tmp_path: Path) -> None:
    for name, data in (("empty.z5", b""), ("text.z5", b"hello " * 40), ("zero.z5", b"\x00" * 200)):
        (tmp_path / name).write_bytes(data)
        with pytest.raises(InputError, match="not a Z-machine"):
            read_story(tmp_path / name)
    with pytest.raises(InputError, match="cannot read"):
        read_story(tmp_path / "missing.z5")


async def test_without_dfrotz_one_line_says_how_to_install_it(story_file: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("os1.games.programs.GAMES_DIR", "/nonexistent")
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(MissingProgram, match="apt-get install frotz"):
        await StoryGame(read_story(story_file)).start()
