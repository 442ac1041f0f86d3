"""Files at rest, private to the person who runs os1: directories 0700, files 0600.

Modes are set on each path explicitly, never through the process-wide umask (other threads and
libraries share it). What an older os1 left open to others (a 0644 store, a 0755 directory) is
tightened when it is opened again: only the group and other bits are dropped, only on paths this
process's user owns, and never on a sticky directory such as /tmp, which is shared by design."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path
from typing import BinaryIO

DIR_MODE = 0o700
FILE_MODE = 0o600
OPEN_TO_OTHERS = 0o077  # the group and other bits that tightening drops
SQLITE_SIDES = ("-wal", "-shm", "-journal")  # files SQLite keeps beside a database
log = logging.getLogger(__name__)


def tighten(path: Path) -> None:
    """Drop group and other access from an existing file or directory of ours; a missing path,
    someone else's, or a sticky directory is left as it is. A failure (a read-only file system)
    is logged, not raised: the data stays usable."""
    try:
        info = path.stat()
        if info.st_uid != os.geteuid() or info.st_mode & stat.S_ISVTX:
            return
        if info.st_mode & OPEN_TO_OTHERS:
            os.chmod(path, stat.S_IMODE(info.st_mode) & ~OPEN_TO_OTHERS)
    except FileNotFoundError:
        return
    except OSError as exc:
        log.warning("could not make %s private: %s", path, exc.strerror)


def tighten_folder(path: Path) -> None:
    """``tighten`` a folder and the files directly in it (a missing folder is fine)."""
    tighten(path)
    try:
        entries = list(path.iterdir())
    except OSError:  # missing, or not ours to list
        return
    for entry in entries:
        tighten(entry)


def private_dir(path: Path, top: Path | None = None) -> Path:
    """``path`` as a directory only its owner can enter: it and any missing parents are created
    0700; existing ones are tightened from ``top`` (an ancestor; default ``path`` itself) down."""
    missing: list[Path] = []
    here = path
    while not here.exists() and here != here.parent:
        missing.append(here)
        here = here.parent
    for directory in reversed(missing):
        try:
            directory.mkdir(DIR_MODE)
        except FileExistsError:  # another process made it first
            continue
        os.chmod(directory, DIR_MODE)  # exactly 0700, whatever the umask
    start = top if top is not None and path.is_relative_to(top) else path
    for directory in [path, *path.parents]:
        tighten(directory)
        if directory == start:
            break
    return path


def _open_private(path: Path, flags: int) -> int:
    """A descriptor on ``path`` opened with ``flags``: a new file is made exactly 0600, an
    existing one is tightened."""
    try:
        fd = os.open(path, flags | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, FILE_MODE)
    except FileExistsError:
        fd = os.open(path, flags | os.O_CLOEXEC)
        _tighten_open(fd, path)
        return fd
    try:
        os.fchmod(fd, FILE_MODE)  # exactly 0600, whatever the umask
    except BaseException:
        os.close(fd)
        raise
    return fd


def _tighten_open(fd: int, path: Path) -> None:
    """``tighten`` for an open regular file (a device such as /dev/stdout is left alone)."""
    try:
        info = os.fstat(fd)
        if stat.S_ISREG(info.st_mode) and info.st_uid == os.geteuid() and info.st_mode & OPEN_TO_OTHERS:
            os.fchmod(fd, stat.S_IMODE(info.st_mode) & ~OPEN_TO_OTHERS)
    except OSError as exc:
        log.warning("could not make %s private: %s", path, exc.strerror)


def private_file(path: Path) -> Path:
    """``path`` as a file only its owner can read: created empty and 0600 if missing (before a
    library such as SQLite would create it 0644), tightened if it exists. An existing file is
    never opened: closing a descriptor on a database drops every POSIX lock this process holds
    on it, and SQLite connections to it that lose their locks can corrupt it."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, FILE_MODE)
    except FileExistsError:
        if path.is_file():  # a device such as /dev/null is left alone
            tighten(path)
        return path
    try:
        os.fchmod(fd, FILE_MODE)  # exactly 0600, whatever the umask
    finally:
        os.close(fd)
    return path


def open_private(path: Path) -> BinaryIO:
    """``path`` opened to be written from its start ("wb"), created 0600 or tightened."""
    return os.fdopen(_open_private(path, os.O_WRONLY | os.O_TRUNC), "wb")


def write_private(path: Path, data: bytes | str) -> None:
    """Write ``data`` (text as UTF-8) to ``path``, created 0600 or tightened."""
    with open_private(path) as out:
        out.write(data.encode("utf-8") if isinstance(data, str) else data)


def private_database(path: Path) -> Path:
    """A SQLite file that is 0600 before SQLite opens it (SQLite gives the log files it makes
    later the database's mode), with side files an older version left tightened too."""
    private_file(path)
    for side in SQLITE_SIDES:
        tighten(path.with_name(path.name + side))
    return path
