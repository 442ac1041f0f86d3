"""Moments on PostgreSQL: the same film once with both stills, images scoped to their user, and
forgotten with the last moment holding them; a forgotten piece takes its files with it."""

from __future__ import annotations

from pathlib import Path

import pytest

from os1.memory.postgres import PostgresMemory
from os1.music.composer import Composer
from os1.share.sharing import Sharing
from os1.testing import FakeEmbedder
from tests.memory.test_postgres import dsn, new_user, scalar  # noqa: F401  (dsn is a fixture)
from tests.share.test_sharing import PERSONA, share_both_seeds

pytestmark = pytest.mark.integration


async def test_moments_on_postgres(dsn: str, tmp_path: Path) -> None:  # noqa: F811
    ana = await PostgresMemory.open(dsn, new_user(), FakeEmbedder())
    ben = await PostgresMemory.open(dsn, new_user(), FakeEmbedder())
    try:
        await share_both_seeds(ana)
        [moment] = await ana.moments()
        assert moment.kind == "post" and len(moment.images) == 2
        assert moment.item.provenance == "shared" and moment.data["year"] == 2013
        assert await ben.moments() == [] and await ben.image(moment.images[0]) is None
        await share_both_seeds(ben)  # the same images for another user: stored for each
        assert await ana.forget(moment.id)
        assert await ana.image(moment.images[0]) is None
        assert await ben.image(moment.images[0]) is not None
        assert await scalar(dsn, "SELECT count(*) FROM os1_images WHERE user_id = %s", (ana.user,)) == 0
        assert len(await Sharing(ben, PERSONA, None).store.moments("post")) == 1
        ben.files_dir = tmp_path / "music"
        piece = await Composer(ben, ben.files_dir, synth="builtin").compose(None)
        files = [Path(piece.moment.data[name]) for name in ("midi", "wav")]
        assert all(f.is_file() for f in files) and await ben.forget(piece.moment.id)
        assert not any(f.exists() for f in files)  # forgetting the piece deletes its files
    finally:
        await ana.close()
        await ben.close()
