"""Schema migrations for the per-user SQLite store, applied in order and recorded by name."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable

from os1.memory.ranking import sentence_spans

Migration = Callable[[sqlite3.Connection], None]
MIGRATIONS: list[tuple[str, Migration]] = []


def migration(fn: Migration) -> Migration:
    MIGRATIONS.append((fn.__name__, fn))
    return fn


@migration
def m001_initial(db: sqlite3.Connection) -> None:
    run_script(
        db,
        """
        CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            started_at REAL NOT NULL
        );
        CREATE TABLE memories (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('utterance', 'fact')),
            text TEXT NOT NULL,
            created_at REAL NOT NULL,
            role TEXT,
            session_id INTEGER REFERENCES sessions(id) ON DELETE SET NULL,
            provenance TEXT NOT NULL DEFAULT 'user',
            source_id INTEGER REFERENCES memories(id) ON DELETE CASCADE,
            subject TEXT, predicate TEXT, object TEXT,
            valid_to REAL,
            status TEXT NOT NULL DEFAULT 'complete',
            content_hash TEXT
        );
        CREATE INDEX memories_kind ON memories(kind, id);
        CREATE INDEX memories_session ON memories(session_id, id);
        CREATE INDEX memories_source ON memories(source_id);
        CREATE INDEX memories_fact_key ON memories(subject, predicate) WHERE kind = 'fact';
        CREATE UNIQUE INDEX memories_fact_hash ON memories(content_hash) WHERE kind = 'fact';

        CREATE VIRTUAL TABLE memories_fts USING fts5(
            text, content='memories', content_rowid='id', tokenize='porter unicode61'
        );
        CREATE TRIGGER memories_ai AFTER INSERT ON memories BEGIN
            INSERT INTO memories_fts(rowid, text) VALUES (new.id, new.text);
        END;
        CREATE TRIGGER memories_ad AFTER DELETE ON memories BEGIN
            INSERT INTO memories_fts(memories_fts, rowid, text) VALUES ('delete', old.id, old.text);
        END;
        CREATE TRIGGER memories_au AFTER UPDATE OF text ON memories BEGIN
            INSERT INTO memories_fts(memories_fts, rowid, text) VALUES ('delete', old.id, old.text);
            INSERT INTO memories_fts(rowid, text) VALUES (new.id, new.text);
        END;

        CREATE TABLE vectors (
            memory_id INTEGER PRIMARY KEY REFERENCES memories(id) ON DELETE CASCADE,
            model TEXT NOT NULL,
            v BLOB NOT NULL
        );
        CREATE TABLE profile (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL,
            updated_at REAL NOT NULL
        );
        """
    )


@migration
def m002_pending_vectors(db: sqlite3.Connection) -> None:
    """Memories stored before their vector (a reply, embedded after the turn) are marked, so
    finding them costs an index lookup, not a scan."""
    run_script(
        db,
        """
        ALTER TABLE memories ADD COLUMN embedded INTEGER NOT NULL DEFAULT 1;
        CREATE INDEX memories_unembedded ON memories(id) WHERE embedded = 0;
        """,
    )


@migration
def m003_pending_learning(db: sqlite3.Connection) -> None:
    """User utterances not yet mined for facts are marked, so that extraction cut off by a crash
    is redone from the log."""
    run_script(
        db,
        """
        ALTER TABLE memories ADD COLUMN learned INTEGER NOT NULL DEFAULT 1;
        CREATE INDEX memories_unlearned ON memories(id) WHERE learned = 0;
        """,
    )


@migration
def m004_moments(db: sqlite3.Connection) -> None:
    """Moments the user shared or os1 made (memory/moments.py), and their images, stored once
    per content hash and deleted with the last moment that holds them."""
    run_script(
        db,
        """
        CREATE TABLE moments (
            memory_id INTEGER PRIMARY KEY REFERENCES memories(id) ON DELETE CASCADE,
            kind TEXT NOT NULL,
            key TEXT NOT NULL UNIQUE,
            data TEXT NOT NULL
        );
        CREATE INDEX moments_kind ON moments(kind, memory_id);
        CREATE TABLE images (
            hash TEXT PRIMARY KEY,
            mime TEXT NOT NULL,
            data BLOB NOT NULL,
            created_at REAL NOT NULL
        );
        CREATE TABLE moment_images (
            memory_id INTEGER NOT NULL REFERENCES moments(memory_id) ON DELETE CASCADE,
            hash TEXT NOT NULL REFERENCES images(hash),
            seen TEXT NOT NULL,
            PRIMARY KEY (memory_id, hash)
        );
        CREATE INDEX moment_images_hash ON moment_images(hash);
        CREATE TRIGGER moment_images_ad AFTER DELETE ON moment_images BEGIN
            DELETE FROM images WHERE hash = old.hash
                AND NOT EXISTS (SELECT 1 FROM moment_images WHERE hash = old.hash);
        END;
        """,
    )


@migration
def m005_session_summaries(db: sqlite3.Connection) -> None:
    """One summary per session (memory/summaries.py), with the count and newest id of the
    utterances it covers, so that a stale one is found without reading it."""
    run_script(
        db,
        """
        CREATE TABLE summaries (
            session_id INTEGER PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
            text TEXT NOT NULL,
            turns INTEGER NOT NULL,
            last_id INTEGER NOT NULL,
            updated_at REAL NOT NULL
        );
        """,
    )


@migration
def m006_piece_vectors(db: sqlite3.Connection) -> None:
    """Sentence vectors ("pieces", ranking.sentences) of memories of several sentences, deleted with
    their memory. Memories whose pieces are still to be embedded are marked (``pieced = 0``);
    m007 marks those stored before this migration."""
    run_script(
        db,
        """
        ALTER TABLE memories ADD COLUMN pieced INTEGER NOT NULL DEFAULT 1;
        CREATE INDEX memories_unpieced ON memories(id) WHERE pieced = 0;
        CREATE TABLE piece_vectors (
            memory_id INTEGER NOT NULL REFERENCES memories(id) ON DELETE CASCADE,
            n INTEGER NOT NULL,
            model TEXT NOT NULL,
            v BLOB NOT NULL,
            PRIMARY KEY (memory_id, n)
        );
        """,
    )


@migration
def m007_piece_backfill(db: sqlite3.Connection) -> None:
    """Utterances of several sentences stored before m006 get their sentence vectors too: they
    are marked (``pieced = 0``) for the background step after a turn to embed."""
    rows = db.execute("SELECT id, text FROM memories WHERE kind = 'utterance' AND pieced = 1"
                      " AND id NOT IN (SELECT memory_id FROM piece_vectors)").fetchall()
    db.executemany("UPDATE memories SET pieced = 0 WHERE id = ?",
                   [(memory_id,) for memory_id, text in rows if sentence_spans(text)])


@migration
def m008_private(db: sqlite3.Connection) -> None:
    """Memories the user keeps to themself (``MemoryItem.private``); every stored one starts
    shared as before."""
    db.execute("ALTER TABLE memories ADD COLUMN private INTEGER NOT NULL DEFAULT 0")


@migration
def m009_glosses(db: sqlite3.Connection) -> None:
    """A turn's gloss (``ranking.gloss``): words it is also found by, a second column of the
    word index."""
    run_script(db, """
        ALTER TABLE memories ADD COLUMN gloss TEXT NOT NULL DEFAULT '';
        DROP TRIGGER memories_ai;
        DROP TRIGGER memories_ad;
        DROP TRIGGER memories_au;
        DROP TABLE memories_fts;
        CREATE VIRTUAL TABLE memories_fts USING fts5(
            text, gloss, content='memories', content_rowid='id', tokenize='porter unicode61'
        );
        CREATE TRIGGER memories_ai AFTER INSERT ON memories BEGIN
            INSERT INTO memories_fts(rowid, text, gloss) VALUES (new.id, new.text, new.gloss);
        END;
        CREATE TRIGGER memories_ad AFTER DELETE ON memories BEGIN
            INSERT INTO memories_fts(memories_fts, rowid, text, gloss)
                VALUES ('delete', old.id, old.text, old.gloss);
        END;
        CREATE TRIGGER memories_au AFTER UPDATE OF text, gloss ON memories BEGIN
            INSERT INTO memories_fts(memories_fts, rowid, text, gloss)
                VALUES ('delete', old.id, old.text, old.gloss);
            INSERT INTO memories_fts(rowid, text, gloss) VALUES (new.id, new.text, new.gloss);
        END;
        INSERT INTO memories_fts(memories_fts) VALUES ('rebuild');
    """)


def run_script(db: sqlite3.Connection, script: str) -> None:
    """Run statements one by one, inside the caller's transaction (``executescript`` would
    commit it)."""
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            db.execute(statement)
            statement = ""


def apply(db: sqlite3.Connection) -> None:
    """Apply every migration not yet recorded, all under one write lock so that two processes
    opening a new store at once do not race."""
    db.execute("BEGIN IMMEDIATE")
    try:
        db.execute("CREATE TABLE IF NOT EXISTS _os1_migrations (name TEXT PRIMARY KEY, applied_at REAL)")
        done = {row[0] for row in db.execute("SELECT name FROM _os1_migrations")}
        for name, fn in MIGRATIONS:
            if name not in done:
                fn(db)
                db.execute("INSERT INTO _os1_migrations VALUES (?, ?)", (name, time.time()))
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
