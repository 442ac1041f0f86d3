"""Moments in the export: posts, photos and pieces leave with their images, what os1 saw and a
piece's files, and come back whole in another store; a tampered export is refused before
anything is stored."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from os1.errors import InputError
from os1.memory.portability import export_lines, import_export, read_export
from os1.memory.sqlite import SQLiteMemory
from os1.music.composer import Composer
from os1.share.sharing import Sharing
from os1.testing import FakeEmbedder
from os1.vision.images import check_image
from tests.cli.test_cli import run
from tests.seeds import jpeg, seaside, seed
from tests.share.test_sharing import PERSONA, share_both_seeds


@pytest.fixture
async def other(tmp_path: Path) -> AsyncIterator[SQLiteMemory]:
    memory = await SQLiteMemory.open(tmp_path / "other" / "memory.sqlite3", FakeEmbedder())
    yield memory
    await memory.close()


async def exported(store: SQLiteMemory, path: Path) -> Path:
    return write_lines(path, await export_lines(store, "default"))


def write_lines(path: Path, lines: list[dict[str, object]]) -> Path:
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    return path


def same_bytes(a: str, b: str) -> bool:
    return Path(a).read_bytes() == Path(b).read_bytes()


async def test_moments_round_trip_with_images_and_files(sqlite: SQLiteMemory, other: SQLiteMemory,
                                                        tmp_path: Path) -> None:
    await share_both_seeds(sqlite)
    await Sharing(sqlite, PERSONA, None).look(check_image(jpeg(seaside()), "sea"), note="Cascais")
    await Composer(sqlite, sqlite.files_dir, synth="builtin").compose("the film")
    header, items = read_export(await exported(sqlite, tmp_path / "out.jsonl"))
    assert header["version"] == 2 and sum("moment" in i for i in items) == 3

    await other.add_utterance(None, "user", "Something said before the import.")  # ids differ
    assert await import_export(other, header, items) == 3
    before = {m.key: m for m in await sqlite.moments()}
    after = {m.key: m for m in await other.moments()}
    assert before.keys() == after.keys()
    for key, moment in before.items():
        back = after[key]
        assert (back.kind, back.item.text, back.item.provenance) == (
            moment.kind, moment.item.text, moment.item.provenance)
        assert back.item.created_at == pytest.approx(moment.item.created_at)
        assert back.images == moment.images and back.seen == moment.seen
        for digest in moment.images:
            assert await other.image(digest) == await sqlite.image(digest)
        assert {k: v for k, v in back.data.items() if k not in ("midi", "wav", "about")} == {
            k: v for k, v in moment.data.items() if k not in ("midi", "wav", "about")}
    [piece] = [m for m in after.values() if m.kind == "piece"]
    [mine] = [m for m in before.values() if m.kind == "piece"]
    assert piece.data["about"] == after["post:her|spike jonze|2013"].id  # its moment's id here
    for name in ("midi", "wav"):  # the piece's files now live in the other user's music folder
        assert Path(piece.data[name]).parent == other.files_dir
        assert same_bytes(piece.data[name], mine.data[name])
    assert len(after["post:her|spike jonze|2013"].images) == 2
    assert await import_export(other, header, items) == 0  # repeats are skipped
    assert len(await other.moments()) == 3


@pytest.mark.parametrize(("tamper", "message"), [
    (lambda m: m["images"][0].update(hash="0" * 64), "does not match its SHA-256"),
    (lambda m: m["images"][0].update(data="not base64!"), "not valid base64"),
    (lambda m: m["images"][0].update(mime="text/html"), "no known image type"),
    (lambda m: m.update(files={"wav": {"name": "../../evil.wav", "data": ""}}), "plain .mid"),
    (lambda m: m.update(kind="spell"), "no known kind"),
])
async def test_a_tampered_moment_is_refused_before_anything_is_stored(
        sqlite: SQLiteMemory, other: SQLiteMemory, tmp_path: Path, tamper: object, message: str) -> None:
    await share_both_seeds(sqlite)
    lines = await export_lines(sqlite, "default")
    moment = next(line["moment"] for line in lines[1:] if "moment" in line)
    tamper(moment)  # type: ignore[operator]
    path = write_lines(tmp_path / "out.jsonl", lines)
    with pytest.raises(InputError, match=message):
        read_export(path)
    assert await other.count() == {}


@pytest.mark.integration
def test_export_and_import_through_the_cli(os1_home: Path, tmp_path: Path) -> None:
    assert run(os1_home, "share", "--no-reply", str(seed("her-post-a.md"))).returncode == 0
    assert run(os1_home, "share", "--no-reply", str(seed("her-post-b.md"))).returncode == 0
    out = tmp_path / "export.jsonl"
    assert run(os1_home, "memory", "export", "-o", str(out)).returncode == 0
    elsewhere = tmp_path / "elsewhere"
    result = run(elsewhere, "memory", "import", str(out))
    assert result.returncode == 0 and "Imported 1 new" in result.stdout, result.stderr
    again = run(elsewhere, "memory", "export")
    [line] = [json.loads(x) for x in again.stdout.splitlines()[1:]]
    [original] = [json.loads(x) for x in out.read_text().splitlines()[1:]]
    assert line["moment"]["images"] == original["moment"]["images"]
    assert len(line["moment"]["images"]) == 2 and line["provenance"] == "shared"
