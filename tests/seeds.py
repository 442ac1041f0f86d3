"""Seed posts (read from ../shared/seeds beside the repository, never copied into it),
generated images with known content, and the SQLite store the tests of the senses and of
sharing show them to (each of their conftests takes the ``sqlite`` fixture from here)."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from os1.memory.sqlite import SQLiteMemory
from os1.testing import FakeEmbedder

SEEDS = Path(__file__).resolve().parents[1] / ".." / "shared" / "seeds"


def seed(name: str) -> Path:
    path = SEEDS / name
    if not path.exists():
        pytest.fail(f"seed file {name} is missing: it is read from ../shared/seeds beside the repository")
    return path


def jpeg(rgb: np.ndarray, exif: Image.Exif | None = None) -> bytes:
    out = io.BytesIO()
    Image.fromarray(rgb.astype(np.uint8)).save(out, "JPEG", quality=92, exif=exif or Image.Exif())
    return out.getvalue()


def colour_field(r: int, g: int, b: int, size: tuple[int, int] = (120, 160)) -> np.ndarray:
    field = np.zeros((*size, 3), dtype=np.uint8)
    field[:] = (r, g, b)
    return field


def seaside() -> np.ndarray:
    """A bright blue sky over a darker blue sea, with warm sand at the very bottom."""
    picture = np.zeros((240, 320, 3), dtype=np.uint8)
    picture[:100] = (120, 180, 240)
    picture[100:200] = (20, 70, 150)
    picture[200:] = (210, 180, 120)
    return picture


@pytest.fixture
async def sqlite(tmp_path: Path) -> AsyncIterator[SQLiteMemory]:
    memory = await SQLiteMemory.open(tmp_path / "s" / "memory.sqlite3", FakeEmbedder())
    yield memory
    await memory.close()
