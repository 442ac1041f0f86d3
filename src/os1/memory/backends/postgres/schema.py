"""The PostgreSQL schema: every table has a ``user_id`` column that leads its primary key, and
links between rows are composite foreign keys on ``(user_id, id)``. Created on open under an
advisory lock and recorded in ``os1_migrations``, so many processes may open stores at once."""

from __future__ import annotations

import time
from typing import TypeAlias

from psycopg import AsyncConnection
from psycopg.rows import TupleRow

Conn: TypeAlias = AsyncConnection[TupleRow]

# moments the user shared or os1 made, and their images, stored once per content hash and
# deleted with the last moment that holds them
MOMENTS = ("m002_moments", (
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

# one summary per session, with the count and newest id of the utterances it covers
SUMMARIES = ("m003_session_summaries", (
    """CREATE TABLE IF NOT EXISTS os1_summaries (
        user_id text NOT NULL,
        session_id bigint NOT NULL,
        text text NOT NULL,
        turns integer NOT NULL,
        last_id bigint NOT NULL,
        updated_at double precision NOT NULL,
        PRIMARY KEY (user_id, session_id),
        FOREIGN KEY (user_id, session_id) REFERENCES os1_sessions (user_id, id) ON DELETE CASCADE)""",
))

MIGRATIONS: list[tuple[str, tuple[str, ...]]] = [
    ("m001_initial", (
        "CREATE EXTENSION IF NOT EXISTS vector",
        """CREATE TABLE IF NOT EXISTS os1_sessions (
            user_id text NOT NULL,
            id bigint GENERATED ALWAYS AS IDENTITY,
            started_at double precision NOT NULL,
            PRIMARY KEY (user_id, id))""",
        """CREATE TABLE IF NOT EXISTS os1_memories (
            user_id text NOT NULL,
            id bigint GENERATED ALWAYS AS IDENTITY,
            kind text NOT NULL CHECK (kind IN ('utterance', 'fact')),
            text text NOT NULL,
            created_at double precision NOT NULL,
            role text,
            session_id bigint,
            provenance text NOT NULL DEFAULT 'user',
            source_id bigint,
            subject text, predicate text, object text,
            valid_to double precision,
            status text NOT NULL DEFAULT 'complete',
            content_hash text,
            embedded boolean NOT NULL DEFAULT true,
            learned boolean NOT NULL DEFAULT true,
            words tsvector GENERATED ALWAYS AS (to_tsvector('english', text)) STORED,
            PRIMARY KEY (user_id, id),
            FOREIGN KEY (user_id, session_id) REFERENCES os1_sessions (user_id, id),
            FOREIGN KEY (user_id, source_id) REFERENCES os1_memories (user_id, id) ON DELETE CASCADE)""",
        "CREATE INDEX IF NOT EXISTS os1_memories_kind ON os1_memories (user_id, kind, id)",
        "CREATE INDEX IF NOT EXISTS os1_memories_session ON os1_memories (user_id, session_id, id)",
        "CREATE INDEX IF NOT EXISTS os1_memories_source ON os1_memories (user_id, source_id)",
        "CREATE INDEX IF NOT EXISTS os1_memories_fact_key ON os1_memories (user_id, subject, predicate)"
        " WHERE kind = 'fact'",
        "CREATE UNIQUE INDEX IF NOT EXISTS os1_memories_fact_hash ON os1_memories (user_id, content_hash)"
        " WHERE kind = 'fact'",
        "CREATE INDEX IF NOT EXISTS os1_memories_unembedded ON os1_memories (user_id, id) WHERE NOT embedded",
        "CREATE INDEX IF NOT EXISTS os1_memories_unlearned ON os1_memories (user_id, id) WHERE NOT learned",
        "CREATE INDEX IF NOT EXISTS os1_memories_words ON os1_memories USING gin (words)",
        """CREATE TABLE IF NOT EXISTS os1_vectors (
            user_id text NOT NULL,
            memory_id bigint NOT NULL,
            model text NOT NULL,
            v vector NOT NULL,
            PRIMARY KEY (user_id, memory_id),
            FOREIGN KEY (user_id, memory_id) REFERENCES os1_memories (user_id, id) ON DELETE CASCADE)""",
        """CREATE TABLE IF NOT EXISTS os1_profile (
            user_id text NOT NULL,
            key text NOT NULL,
            value text NOT NULL,
            updated_at double precision NOT NULL,
            PRIMARY KEY (user_id, key))""",
    )),
    MOMENTS,
    SUMMARIES,
    # sentence vectors ("pieces", ranking.sentences) of memories of several sentences; memories
    # whose pieces are still to be embedded are marked (m005 marks those stored before)
    ("m004_piece_vectors", (
        "ALTER TABLE os1_memories ADD COLUMN IF NOT EXISTS pieced boolean NOT NULL DEFAULT true",
        "CREATE INDEX IF NOT EXISTS os1_memories_unpieced ON os1_memories (user_id, id) WHERE NOT pieced",
        """CREATE TABLE IF NOT EXISTS os1_piece_vectors (
            user_id text NOT NULL,
            memory_id bigint NOT NULL,
            n integer NOT NULL,
            model text NOT NULL,
            v vector NOT NULL,
            PRIMARY KEY (user_id, memory_id, n),
            FOREIGN KEY (user_id, memory_id) REFERENCES os1_memories (user_id, id) ON DELETE CASCADE)""",
    )),
    # utterances stored before m004 that may hold several sentences (one of the characters that
    # end or cut a sentence; the spaces around it are left to Python, whose \s knows more of them)
    # are marked for the background step after a turn, which finds the sentences
    # (ranking.sentence_spans) and marks one with fewer than two done without a vector
    ("m005_piece_backfill", (
        "UPDATE os1_memories m SET pieced = false WHERE kind = 'utterance' AND pieced"
        " AND text ~ '[.!?\u2013\u2014-]|\\['"
        " AND NOT EXISTS (SELECT 1 FROM os1_piece_vectors p WHERE p.user_id = m.user_id"
        " AND p.memory_id = m.id)",
    )),
    # memories the user keeps to themself (MemoryItem.private); every stored one starts shared
    ("m006_private", (
        "ALTER TABLE os1_memories ADD COLUMN IF NOT EXISTS private boolean NOT NULL DEFAULT false",
    )),
    # a turn's gloss (ranking.gloss): words it is also found by, in its word index
    ("m007_glosses", (
        "ALTER TABLE os1_memories ADD COLUMN IF NOT EXISTS gloss text NOT NULL DEFAULT ''",
        "ALTER TABLE os1_memories DROP COLUMN words",
        "ALTER TABLE os1_memories ADD COLUMN words tsvector GENERATED ALWAYS AS"
        " (to_tsvector('english', text || ' ' || gloss)) STORED",
        "CREATE INDEX IF NOT EXISTS os1_memories_words ON os1_memories USING gin (words)",
    )),
]

# every table holding a person's rows, in an order that deletes what refers to a row first
PERSON_TABLES = ("os1_moment_images", "os1_images", "os1_moments", "os1_piece_vectors", "os1_vectors",
                 "os1_summaries", "os1_memories", "os1_sessions", "os1_profile")


async def migrate(conn: Conn) -> None:
    """Apply every migration not yet recorded, in the caller's transaction, under a
    database-wide advisory lock so that two processes opening at once do not race."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended('os1 schema', 0))")
    await conn.execute("CREATE TABLE IF NOT EXISTS os1_migrations"
                       " (name text PRIMARY KEY, applied_at double precision NOT NULL)")
    cur = await conn.execute("SELECT name FROM os1_migrations")
    done = {row[0] for row in await cur.fetchall()}
    for name, statements in MIGRATIONS:
        if name in done:
            continue
        for statement in statements:
            await conn.execute(statement)
        await conn.execute("INSERT INTO os1_migrations VALUES (%s, %s)", (name, time.time()))
