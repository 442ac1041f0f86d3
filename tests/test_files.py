"""Tightening a file that is a live database must not drop the locks SQLite holds on it."""

from __future__ import annotations

import contextlib
import sqlite3
import subprocess
import sys
from pathlib import Path

from os1.files import private_database

TRY_TO_WRITE = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=0, isolation_level=None)
try:
    db.execute("BEGIN IMMEDIATE")
    print("wrote")
except sqlite3.OperationalError as exc:
    print(exc)
"""


def test_tightening_a_database_in_use_keeps_its_locks(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as db:
        db.execute("CREATE TABLE t (x)")
        db.execute("BEGIN IMMEDIATE")  # this process holds the write lock on the file
        private_database(path)  # as a second store opened on the same file in this process does
        other = subprocess.run([sys.executable, "-c", TRY_TO_WRITE, str(path)], capture_output=True,
                               text=True, timeout=60)
        assert other.stdout.strip() == "database is locked", other
        db.execute("ROLLBACK")
