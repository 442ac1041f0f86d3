"""Moments in the PostgreSQL store (mixed into ``PostgresMemory``): every statement is scoped to
the store's user, and links are ``(user_id, ...)`` foreign keys, as everywhere in that store."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, cast

from os1.memory.moments import Moment, MomentDraft, doomed_files, dump, load

if TYPE_CHECKING:
    from os1.memory.postgres import Conn, PostgresMemory

MIGRATION = ("m002_moments", (
    """CREATE TABLE IF NOT EXISTS os1_moments (
        user_id text NOT NULL,
        memory_id bigint NOT NULL,
        kind text NOT NULL,
        key text NOT NULL,
        data text NOT NULL,
        PRIMARY KEY (user_id, memory_id),
        UNIQUE (user_id, key),
        FOREIGN KEY (user_id, memory_id) REFERENCES os1_memories (user_id, id) ON DELETE CASCADE)""",
    """CREATE TABLE IF NOT EXISTS os1_images (
        user_id text NOT NULL,
        hash text NOT NULL,
        mime text NOT NULL,
        data bytea NOT NULL,
        created_at double precision NOT NULL,
        PRIMARY KEY (user_id, hash))""",
    """CREATE TABLE IF NOT EXISTS os1_moment_images (
        user_id text NOT NULL,
        memory_id bigint NOT NULL,
        hash text NOT NULL,
        seen text NOT NULL,
        added bigint GENERATED ALWAYS AS IDENTITY,
        PRIMARY KEY (user_id, memory_id, hash),
        FOREIGN KEY (user_id, memory_id) REFERENCES os1_moments (user_id, memory_id) ON DELETE CASCADE,
        FOREIGN KEY (user_id, hash) REFERENCES os1_images (user_id, hash))""",
    "CREATE INDEX IF NOT EXISTS os1_moment_images_hash ON os1_moment_images (user_id, hash)",
    """CREATE OR REPLACE FUNCTION os1_drop_orphan_image() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM os1_images i WHERE i.user_id = OLD.user_id AND i.hash = OLD.hash
            AND NOT EXISTS (SELECT 1 FROM os1_moment_images m
                            WHERE m.user_id = OLD.user_id AND m.hash = OLD.hash);
        RETURN NULL;
    END $$""",
    "DROP TRIGGER IF EXISTS os1_moment_images_ad ON os1_moment_images",
    """CREATE TRIGGER os1_moment_images_ad AFTER DELETE ON os1_moment_images
        FOR EACH ROW EXECUTE FUNCTION os1_drop_orphan_image()""",
))


class PostgresMoments:
    """``add_moment``, ``moment``, ``moments`` and ``image`` for ``PostgresMemory``."""

    files_dir: Path | None = None  # the user's music folder on this machine, if pieces are kept here

    async def _moment_files(self, conn: Conn, memory_id: int) -> set[Path]:
        """Inside the forgetting transaction: the files that go with moment ``memory_id``."""
        store = cast("PostgresMemory", self)
        cur = await conn.execute("SELECT data FROM os1_moments WHERE user_id = %s AND memory_id = %s",
                                 (store.user, memory_id))
        row = await cur.fetchone()
        if row is None or self.files_dir is None:
            return set()
        cur = await conn.execute("SELECT data FROM os1_moments WHERE user_id = %s AND memory_id != %s"
                                 " AND kind = 'piece'", (store.user, memory_id))
        others = [load(str(r[0])) for r in await cur.fetchall()]
        return doomed_files(load(str(row[0])), others, self.files_dir)

    async def add_moment(self, draft: MomentDraft) -> tuple[Moment, bool]:
        """Store a moment with its images and vector, or add the images to the moment with the
        same key; True when the moment is new. One transaction."""
        store = cast("PostgresMemory", self)
        vector = (await store.embed([draft.text]))[0]
        async with store._tx() as conn:
            await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 1))",
                               (f"{store.user}\n{draft.key}",))  # one writer per key at a time
            cur = await conn.execute("SELECT memory_id FROM os1_moments WHERE user_id = %s AND key = %s",
                                     (store.user, draft.key))
            known = await cur.fetchone()
            memory_id = int(known[0]) if known else await _insert(store, conn, draft)
            if known is None:
                await store._put_vector(conn, memory_id, vector)
            for image in draft.images:
                await conn.execute(
                    "INSERT INTO os1_images (user_id, hash, mime, data, created_at) VALUES"
                    " (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                    (store.user, image.hash, image.mime, image.data, time.time()))
                await conn.execute(
                    "INSERT INTO os1_moment_images (user_id, memory_id, hash, seen) VALUES"
                    " (%s, %s, %s, %s) ON CONFLICT DO NOTHING",
                    (store.user, memory_id, image.hash, dump(image.seen)))
            moment = await _get(store, conn, memory_id)
        assert moment is not None
        return moment, known is None

    async def moment(self, memory_id: int) -> Moment | None:
        store = cast("PostgresMemory", self)
        async with store._tx() as conn:
            return await _get(store, conn, memory_id)

    async def moments(self, kind: str | None = None, limit: int = 50, *,
                      key: str | None = None) -> list[Moment]:
        """Moments newest first, of one kind or all (or the one with ``key``)."""
        store = cast("PostgresMemory", self)
        async with store._tx() as conn:
            cur = await conn.execute(
                "SELECT memory_id FROM os1_moments WHERE user_id = %s AND (%s::text IS NULL OR kind = %s)"
                " AND (%s::text IS NULL OR key = %s) ORDER BY memory_id DESC LIMIT %s",
                (store.user, kind, kind, key, key, limit))
            found = [await _get(store, conn, int(r[0])) for r in await cur.fetchall()]
        return [m for m in found if m is not None]

    async def image(self, digest: str) -> tuple[str, bytes] | None:
        """An image's MIME type and bytes, by content hash."""
        store = cast("PostgresMemory", self)
        async with store._tx() as conn:
            cur = await conn.execute("SELECT mime, data FROM os1_images WHERE user_id = %s AND hash = %s",
                                     (store.user, digest))
            row = await cur.fetchone()
        return (str(row[0]), bytes(row[1])) if row else None


async def _insert(store: PostgresMemory, conn: Conn, draft: MomentDraft) -> int:
    cur = await conn.execute(
        "INSERT INTO os1_memories (user_id, kind, text, created_at, provenance) VALUES"
        " (%s, 'fact', %s, %s, %s) RETURNING id",
        (store.user, draft.text, draft.created_at or time.time(), draft.provenance))
    row = await cur.fetchone()
    assert row is not None
    memory_id = int(row[0])
    await conn.execute("INSERT INTO os1_moments (user_id, memory_id, kind, key, data) VALUES"
                       " (%s, %s, %s, %s, %s)",
                       (store.user, memory_id, draft.kind, draft.key, dump(draft.data)))
    return memory_id


async def _get(store: PostgresMemory, conn: Conn, memory_id: int) -> Moment | None:
    cur = await conn.execute("SELECT kind, key, data FROM os1_moments WHERE user_id = %s AND memory_id = %s",
                             (store.user, memory_id))
    row = await cur.fetchone()
    item = await store._get(conn, memory_id)
    if row is None or item is None:
        return None
    cur = await conn.execute("SELECT hash, seen FROM os1_moment_images WHERE user_id = %s AND memory_id = %s"
                             " ORDER BY added", (store.user, memory_id))
    images = await cur.fetchall()
    return Moment(item, str(row[0]), str(row[1]), load(str(row[2])), tuple(str(r[0]) for r in images),
                  tuple(load(str(r[1])) for r in images))
