"""The accounts database of multi mode is the server's alone: 0600 in a 0700 data directory,
an older one tightened when the server opens it; users' stores made through the server too."""

from __future__ import annotations

import stat
from pathlib import Path

from os1.server.database import SQLiteDatabase
from os1.testing import ScriptedLLM
from tests.memory.test_file_modes import open_umask, sides
from tests.server.conftest import Factory, csrf, register

__all__ = ["open_umask"]  # the fixture, used by name below


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_the_accounts_database_is_private(tmp_path: Path, open_umask: None) -> None:
    path = tmp_path / "home" / "accounts.sqlite3"
    db = await SQLiteDatabase.open(path)
    await db.execute("CREATE TABLE t (x)")
    await db.execute("INSERT INTO t VALUES (1)")
    assert all(mode(p) == 0o600 for p in sides(path)) and mode(path.parent) == 0o700
    await db.close()

    path.chmod(0o644)  # as an older version left it
    path.parent.chmod(0o755)
    again = await SQLiteDatabase.open(path)
    assert await again.fetchone("SELECT x FROM t") == (1,)
    assert all(mode(p) == 0o600 for p in sides(path)) and mode(path.parent) == 0o700
    await again.close()


def test_a_multi_mode_site_keeps_its_files_private(make_client: Factory, os1_home: Path,
                                                    open_umask: None) -> None:
    client = make_client(ScriptedLLM("Hello, Theodore."), mode="multi")
    me = register(client, "Theodore")
    assert client.post("/v1/auth/logout", headers=csrf(client)).status_code == 204
    assert mode(os1_home) == 0o700
    assert all(mode(p) == 0o600 for p in sides(os1_home / "accounts.sqlite3"))
    stores = list((os1_home / "users").glob("*/memory.sqlite3"))
    assert stores, f"no store for {me['id']}"
    for store in stores:
        assert mode(store.parent) == mode(store.parent.parent) == 0o700
        assert all(mode(p) == 0o600 for p in sides(store))
