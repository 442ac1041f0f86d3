"""A full disk and a read-only data directory: ``os1`` says so in one line and loses nothing.

The full disk is a small tmpfs when the tests may mount one (root), and always also a file-size
limit (RLIMIT_FSIZE, which makes a write past it fail as a full disk does). The read-only data
directory is a read-only remount of that tmpfs, or, for an ordinary user, folders without write
permission."""

from __future__ import annotations

import contextlib
import os
import resource
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.test_cli import db_path
from tests.integration.servers import fixed_server

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def model_url() -> Iterator[str]:
    with fixed_server("--first-token-ms", "0", "--tokens-per-s", "2000", "--reply-tokens", "8") as url:
        yield url


def os1(home: Path, url: str, *args: str, fsize: int | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OS1_HOME": str(home), "OS1_MEMORY__EMBEDDER": "hash", "OS1_LLM__DEFAULT": "fixed",
           "OS1_LLM__MODELS__FIXED__KIND": "openai", "OS1_LLM__MODELS__FIXED__BASE_URL": url,
           "OS1_LLM__MODELS__FIXED__MODEL": "fixed"}

    def limit() -> None:
        if fsize is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))

    return subprocess.run([sys.executable, "-m", "os1", *args], env=env, capture_output=True, text=True,
                          errors="replace", timeout=120, preexec_fn=limit)


def one_line(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode == 1, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("os1: error:"), result.stderr
    assert any(word in lines[0] for word in words), lines[0]


def turns(home: Path) -> list[tuple[str, str]]:
    with contextlib.closing(sqlite3.connect(db_path(home))) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = db.execute("SELECT role, text FROM memories WHERE kind = 'utterance' ORDER BY id").fetchall()
        return [(str(role), str(text)) for role, text in rows]


def talk(home: Path, url: str, *said: str) -> list[tuple[str, str]]:
    for text in said:
        result = os1(home, url, "say", text)
        assert result.returncode == 0, result.stderr
    return turns(home)


@contextlib.contextmanager
def tmpfs(where: Path, size: str) -> Iterator[Path | None]:
    """A tmpfs of ``size`` mounted at ``where``, or None where this process may not mount."""
    where.mkdir()
    mount = ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)]
    if os.geteuid() != 0 or subprocess.run(mount, capture_output=True).returncode != 0:
        yield None
        return
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=True)


def fill(disk: Path) -> Path:
    """Write a file until the disk is full."""
    filler = disk / "filler"
    with filler.open("wb") as out, contextlib.suppress(OSError):
        while True:
            out.write(b"\0" * 65536)
            out.flush()
    with contextlib.suppress(OSError), filler.open("ab") as out:  # the last partial block too
        while True:
            out.write(b"\0")
            out.flush()
    return filler


def test_full_disk_is_one_line_and_loses_nothing(tmp_path: Path, model_url: str) -> None:
    with tmpfs(tmp_path / "disk", "8m") as disk:
        if disk is None:
            pytest.fail("cannot mount a tmpfs here: run as root (the limit test below covers the rest)")
        home = disk / "home"
        before = talk(home, model_url, "I live in Oslo.", "My sister Ana lives in Lisbon.")
        filler = fill(disk)
        one_line(os1(home, model_url, "say", "The disk is full now."), "full", "space")
        one_line(os1(home, model_url, "memory", "export", "-o", str(disk / "out.jsonl")), "full", "space")
        filler.unlink()
        assert turns(home)[:len(before)] == before  # nothing stored before is lost
        after = talk(home, model_url, "Still there?")
        assert after[:len(before)] == before and after[-2] == ("user", "Still there?")


def test_file_size_limit_is_one_line_and_loses_nothing(tmp_path: Path, model_url: str) -> None:
    home = tmp_path / "home"
    before = talk(home, model_url, "I live in Oslo.", "My sister Ana lives in Lisbon.")
    one_line(os1(home, model_url, "say", "A limit on file size.", fsize=1024), "full", "size limit")
    assert turns(home)[:len(before)] == before
    after = talk(home, model_url, "Still there?")
    assert after[:len(before)] == before and after[-2] == ("user", "Still there?")


@contextlib.contextmanager
def read_only(root: Path, home: Path) -> Iterator[None]:
    """``home`` (on the tmpfs ``root``, if it is one) made read-only, and writable again after."""
    if root.is_mount():
        subprocess.run(["mount", "-o", "remount,ro", str(root)], check=True)
        try:
            yield
        finally:
            subprocess.run(["mount", "-o", "remount,rw", str(root)], check=True)
        return
    folders = [home, *(p for p in home.rglob("*") if p.is_dir())]
    for folder in folders:
        folder.chmod(0o500)
    try:
        yield
    finally:
        for folder in folders:
            folder.chmod(0o700)


def test_read_only_data_directory_is_one_line_and_loses_nothing(tmp_path: Path, model_url: str) -> None:
    with tmpfs(tmp_path / "disk", "32m") as disk:
        root = disk or tmp_path / "disk"
        if disk is None and os.geteuid() == 0:
            pytest.fail("cannot mount a tmpfs, and as root folder permissions do not stop writes")
        home = root / "home"
        before = talk(home, model_url, "I live in Oslo.", "My sister Ana lives in Lisbon.")
        with read_only(root, home):
            one_line(os1(home, model_url, "say", "Can you hear me?"), "read-only", "writable", "read only")
        assert turns(home) == before
        after = talk(home, model_url, "Still there?")
        assert after[:len(before)] == before and after[-2] == ("user", "Still there?")
