"""Bad input to the voice commands: one line on stderr, exit status 2, nothing written."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


def os1(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "os1", *args], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("args", [
    ["talk", "--input", "in.wav"],
    ["talk", "--listen", "nope"],
    ["talk", "--listen", "0.0.0.0:8765"],  # no accounts: never beyond this machine
    ["talk", "--game", "tetris"],
    ["talk", "--game", "not-audio.wav"],  # not a Z-machine story
    ["talk", "--game", "adventure", "--listen", "127.0.0.1:8765"],
    ["speak", "", "-o", "out.wav"],
    ["speak", "** `", "-o", "out.wav"],
    ["transcribe", "missing.wav"],
    ["transcribe", "not-audio.wav"],
    ["transcribe", "--engine", "nope", "not-audio.wav"],
])
def test_bad_voice_input_is_one_line(args: list[str], tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "not-audio.wav").write_bytes(b"\x00\xff" * 500)
    result = os1(*args)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("os1: error: ")
    assert not (tmp_path / "out.wav").exists()
