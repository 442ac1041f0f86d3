"""`scripts/setup`, the first thing a new user runs: when something it needs is missing it says
what and how to fix it in one line, exits non-zero, and leaves nothing that trips the next try."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _checkout(tmp_path: Path) -> Path:
    """A copy of the project's files that set-up reads (no .venv)."""
    copy = tmp_path / "os1"
    (copy / "scripts").mkdir(parents=True)
    shutil.copy(ROOT / "scripts" / "setup", copy / "scripts" / "setup")
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    shutil.copy(ROOT / "README.md", copy / "README.md")
    shutil.copytree(ROOT / "src", copy / "src", ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def _setup(copy: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(copy / "scripts" / "setup")], capture_output=True, text=True, timeout=240,
                          env={**os.environ, **env})


def _one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if "os1 setup:" in line]
    assert lines, result.stderr
    return lines[-1]


def test_an_old_python_is_named_with_the_fix(tmp_path: Path) -> None:
    old = tmp_path / "python3.10"
    old.write_text("#!/bin/sh\n[ \"$1\" = -V ] && echo 'Python 3.10.12'\nexit 1\n")
    old.chmod(0o755)
    copy = _checkout(tmp_path)
    line = _one_line(_setup(copy, PYTHON=str(old)))
    assert "Python 3.11 or newer" in line and "3.10.12" in line and "PYTHON=" in line
    assert not (copy / ".venv").exists()


@pytest.mark.timeout(240)
def test_no_package_index_is_one_line_and_a_rerun_starts_clean(tmp_path: Path) -> None:
    copy = _checkout(tmp_path)
    offline = {"PIP_INDEX_URL": "http://127.0.0.1:9/simple", "PIP_RETRIES": "0", "PIP_TIMEOUT": "2",
               "PIP_NO_CACHE_DIR": "1", "PIP_FIND_LINKS": "", "PIP_CONFIG_FILE": os.devnull}
    first = _setup(copy, **offline)
    assert "cannot reach the Python package index" in _one_line(first)
    assert not list((copy / ".venv").glob(".os1-setup-*"))  # not marked as set up
    again = _setup(copy, **offline)  # the half-made venv is reused, not tripped over
    assert "cannot reach the Python package index" in _one_line(again)
