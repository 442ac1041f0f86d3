"""Media at rest are the user's alone: a shared image lives in the 0600 store, a composed
piece's MIDI and WAV are 0600 in a 0700 music folder, and so are a piece's files an import
writes."""

from __future__ import annotations

import stat
from pathlib import Path

from os1.memory.portability import export_lines, import_export
from os1.memory.sqlite import SQLiteMemory
from os1.music.composer import Composer
from os1.share.sharing import Sharing
from os1.testing import FakeEmbedder, ScriptedLLM
from os1.vision.images import check_image
from tests.memory.test_file_modes import open_umask, sides
from tests.seeds import jpeg, seaside
from tests.share.test_sharing import PERSONA

__all__ = ["open_umask"]  # the fixture, used by name below


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_a_shared_image_is_kept_in_the_private_store(sqlite: SQLiteMemory, open_umask: None) -> None:
    shared = await Sharing(sqlite, PERSONA, ScriptedLLM("The sea!")).look(
        check_image(jpeg(seaside()), "sea.jpg"))
    assert await sqlite.image(shared.moment.images[0]) is not None
    assert sorted(p.name for p in sqlite.path.parent.iterdir()) == sorted(p.name for p in sides(sqlite.path))
    assert all(mode(p) == 0o600 for p in sides(sqlite.path))


async def test_a_composed_piece_is_private(sqlite: SQLiteMemory, tmp_path: Path, open_umask: None) -> None:
    piece = await Composer(sqlite, sqlite.files_dir, synth="builtin").compose(None)
    files = [Path(piece.moment.data[name]) for name in ("midi", "wav")]
    assert [f.read_bytes()[:4] for f in files] == [b"MThd", b"RIFF"]
    assert [mode(f) for f in files] == [0o600, 0o600] and mode(sqlite.files_dir) == 0o700

    other = await SQLiteMemory.open(tmp_path / "other" / "memory.sqlite3", FakeEmbedder())
    header, *items = await export_lines(sqlite, "default")
    assert await import_export(other, header, items) == 1
    [imported] = await other.moments("piece")
    copies = [Path(imported.data[name]) for name in ("midi", "wav")]
    assert [mode(f) for f in copies] == [0o600, 0o600] and mode(other.files_dir) == 0o700
    await other.close()
