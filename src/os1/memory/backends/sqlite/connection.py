"""The SQLite file: opening it (plain, or SQLCipher with a key), its errors as one-line
``MemoryStoreError``s, and the threads every SQLite store's calls run on."""

from __future__ import annotations

import os
import re
import sqlite3
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import cast

from os1.errors import MemoryStoreError
from os1.files import private_database, private_dir, private_file
from os1.memory.backends.sqlite import migrations

OPEN_ATTEMPTS = 6
STORE_THREADS = 8  # threads shared by all open stores (calls are short; SQLite waits on disk)


def store_path(home: Path, user: str) -> Path:
    if not re.fullmatch(r"[A-Za-z0-9_.-]{1,64}", user) or user.startswith("."):
        raise MemoryStoreError(f"bad user name {user!r}: use letters, digits, '.', '_' or '-'")
    return home / "users" / user / "memory.sqlite3"


def errors(name: str) -> tuple[type[Exception], ...]:
    """One DB-API error class from both drivers: stdlib sqlite3, and SQLCipher's once it is in
    use. Called in ``except`` clauses, so it runs only when an error is raised, and os1's start-up
    never imports SQLCipher unless a key is set."""
    found: list[type[Exception]] = [getattr(sqlite3, name)]
    if (cipher := sys.modules.get("sqlcipher3.dbapi2")) is not None:
        found.append(getattr(cipher, name))
    return tuple(found)


def connect(path: Path, key: str | None) -> sqlite3.Connection:
    """A connection: plain SQLite, or SQLCipher (AES-256) unlocked with the user's key (its
    connection has the same DB-API surface, so it is typed as the stdlib one)."""
    if key is None:
        return sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        from sqlcipher3 import dbapi2
    except ImportError:
        raise MemoryStoreError("encryption needs SQLCipher: pip install sqlcipher3-binary") from None
    db = dbapi2.connect(str(path), isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA cipher_log_level = NONE")
    db.execute("PRAGMA key = " + "'" + key.replace("'", "''") + "'")
    try:
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except errors("DatabaseError"):
        db.close()
        raise MemoryStoreError(f"cannot open {path}: wrong encryption key, or not an os1 store") from None
    return cast(sqlite3.Connection, db)


def open_file(path: Path, key: str | None) -> sqlite3.Connection:
    """The store at ``path``, made private and migrated (created if needed)."""
    for target, make in ((path.parent, private_dir), (path, private_database)):
        try:  # the store 0600 before SQLite makes it; a store of an older version is tightened
            make(target)
        except OSError as exc:
            raise MemoryStoreError(
                f"cannot create {target}: {exc.strerror}; set OS1_HOME to a writable directory"
            ) from None
    with mapped(path):
        db = connect(path, key)
        db.execute("PRAGMA busy_timeout = 10000")
        # two processes creating one store at once: switching it to WAL can be refused
        # without waiting, so the set-up is retried briefly
        for attempt in range(OPEN_ATTEMPTS):
            try:
                db.execute("PRAGMA journal_mode = WAL")
                db.execute("PRAGMA synchronous = NORMAL")
                db.execute("PRAGMA foreign_keys = ON")
                db.execute("PRAGMA secure_delete = ON")
                migrations.apply(db)
                break
            except errors("OperationalError") as exc:
                if "locked" not in str(exc) or attempt == OPEN_ATTEMPTS - 1:
                    raise
                time.sleep(0.2 * (attempt + 1))
    return db


def encrypt_file(path: Path, key: str) -> None:
    """Turn a plain store into one encrypted with ``key`` (no os1 process may be using it)."""
    from sqlcipher3 import dbapi2

    plain = sqlite3.connect(path, isolation_level=None)
    with mapped(path):
        plain.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        plain.close()
        target = path.with_name(path.name + ".encrypting")
        target.unlink(missing_ok=True)
        private_file(target)  # 0600 before SQLCipher writes it; it replaces the store
        db = dbapi2.connect(str(path), isolation_level=None)
        db.execute("ATTACH DATABASE ? AS encrypted KEY ?", (str(target), key))
        db.execute("SELECT sqlcipher_export('encrypted')")
        db.execute("DETACH DATABASE encrypted")
        db.close()
    target.replace(path)
    for leftover in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)


@contextmanager
def mapped(path: Path) -> Iterator[None]:
    """SQLite errors become one-line MemoryStoreErrors naming the file and the fix."""
    try:
        yield
    except errors("OperationalError") as exc:
        text = str(exc)
        if "readonly" in text or "read-only" in text:
            raise MemoryStoreError(
                f"cannot write to {path}: it is read-only; set OS1_HOME to a writable directory"
            ) from exc
        if "locked" in text or "busy" in text:
            raise MemoryStoreError(f"{path} is busy in another os1 process; try again") from exc
        if "unable to open" in text and not os.access(path.parent, os.W_OK):
            raise MemoryStoreError(
                f"cannot write to {path.parent}: it is read-only; set OS1_HOME to a writable directory"
            ) from exc
        if "disk I/O error" in text or "disk is full" in text:  # a full disk, or a file-size limit
            raise MemoryStoreError(f"cannot write to {path}: {text} (is the disk full, or the file over a"
                                   " size limit?); what was stored before is kept") from exc
        raise MemoryStoreError(f"memory store {path}: {text}") from exc
    except errors("IntegrityError") as exc:
        raise MemoryStoreError(f"memory store {path} refused a write: {exc}") from exc
    except errors("DatabaseError") as exc:
        raise MemoryStoreError(f"memory store {path} is damaged or not a database, or it is encrypted"
                               f" and no key was given (memory.encryption_key): {exc}") from exc


@cache
def pool() -> ThreadPoolExecutor:
    """The threads every SQLite store's calls run on."""
    return ThreadPoolExecutor(STORE_THREADS, thread_name_prefix="os1-store")
