"""Listening through the microphone: with no input device, one line and a non-zero exit;
recording through a stand-in for sounddevice's input stream, the music is heard (tempo, key)
and remembered like a file."""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np
import pytest
import soundfile

from os1.errors import NoAudioDevice
from os1.memory.sqlite import SQLiteMemory
from os1.share.sharing import Sharing
from os1.voice.devices import record
from tests.cli.test_cli import count, one_line_error, run
from tests.music.test_music import arpeggio
from tests.share.test_sharing import PERSONA


class FakeStream:
    """Plays a recording into ``read`` as PortAudio's blocking input stream does."""

    def __init__(self, samples: np.ndarray, **settings: Any) -> None:
        self.samples = samples
        self.settings = settings

    def __enter__(self) -> FakeStream:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        return None

    def read(self, frames: int) -> tuple[np.ndarray, bool]:
        out = np.zeros((frames, 1), dtype=np.float32)
        out[:min(frames, self.samples.size), 0] = self.samples[:frames]
        return out, False


class FakeSoundDevice:
    def __init__(self, samples: np.ndarray | None) -> None:
        self.samples = samples
        self.asked: list[dict[str, Any]] = []

    def check_input_settings(self, **settings: Any) -> None:
        self.asked.append(settings)
        if self.samples is None:
            raise RuntimeError("Error querying device -1")

    def InputStream(self, **settings: Any) -> FakeStream:  # noqa: N802  (sounddevice's name)
        assert self.samples is not None
        return FakeStream(self.samples, **settings)


def test_record_reads_the_requested_length_at_the_requested_rate() -> None:
    fake = FakeSoundDevice(np.ones(10, dtype=np.float32))
    samples = record(0.5, 8_000, sd=fake)
    assert samples.dtype == np.float32 and samples.size == 4_000 and samples[:10].all()
    assert fake.asked == [{"samplerate": 8_000, "channels": 1, "dtype": "float32"}]
    with pytest.raises(NoAudioDevice, match="no microphone"):
        record(1.0, sd=FakeSoundDevice(None))


async def test_music_heard_through_the_microphone_is_remembered(sqlite: SQLiteMemory, tmp_path: Path) -> None:
    song, rate = soundfile.read(arpeggio(tmp_path / "a.wav", [57, 60, 64, 69, 64, 60], 90), dtype="float32")
    assert rate == 22_050
    shared = await Sharing(sqlite, PERSONA, None).listen_microphone(12, sd=FakeSoundDevice(song))
    assert shared.new and shared.moment.kind == "song"
    assert shared.moment.data["source"] == "microphone"
    assert (shared.moment.data["key"], shared.moment.data["mode"]) == ("A", "minor")
    assert abs(shared.moment.data["tempo"] - 90) < 6
    assert "the music playing by the microphone" in shared.moment.item.text


@pytest.mark.integration
def test_listen_mic_without_a_microphone_is_one_line(os1_home: Path) -> None:
    result = run(os1_home, "listen", "--mic", "--seconds", "3", "--no-reply")
    one_line_error(result, 1, "no microphone")
    assert count(os1_home) == 0
    one_line_error(run(os1_home, "listen", "--no-reply"), 2, "give a FILE or --mic")
