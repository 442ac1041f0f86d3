"""What a worker or an accounts command cannot reach at start-up is said in one line, naming
the setting that points at it, with no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from os1.testing.servers import free_port


def _run(home: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "OS1_HOME": str(home), "OS1_LOAD_PLUGINS": "", **env}
    return subprocess.run([sys.executable, "-m", "os1", *args], env=full, capture_output=True,
                          text=True, timeout=120, check=False)


def _only_line(done: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode != 0 and len(lines) == 1, done.stderr
    assert "Traceback" not in done.stderr
    return lines[0]


@pytest.mark.parametrize("args", [("serve", "--mode", "multi", "--port", "0"), ("users", "list")])
def test_postgres_down_is_one_line_naming_its_setting(tmp_path: Path, args: tuple[str, ...]) -> None:
    port = free_port()  # nothing listens there
    env = {"OS1_SERVER__MODE": "multi", "OS1_MEMORY__BACKEND": "postgres",
           "OS1_MEMORY__POSTGRES_DSN": f"postgresql://os1:hunter2@127.0.0.1:{port}/os1"}
    line = _only_line(_run(tmp_path, env, *args))
    assert "cannot reach PostgreSQL" in line and "memory.postgres_dsn" in line
    assert f"127.0.0.1:{port}" in line and "hunter2" not in line


def test_redis_down_is_one_line_naming_its_setting(tmp_path: Path) -> None:
    port = free_port()
    env = {"OS1_SERVER__MODE": "multi", "OS1_SERVER__REDIS_URL": f"redis://:hunter2@127.0.0.1:{port}/0"}
    line = _only_line(_run(tmp_path, env, "serve", "--port", "0"))
    assert "cannot reach Redis" in line and "server.redis_url" in line
    assert f"127.0.0.1:{port}" in line and "hunter2" not in line
