"""Where a conversation's audio comes from and goes to: sound cards through PortAudio
(``sounddevice``), or files played in real time on the conversation's clock, so a recording
behaves exactly like a microphone (pauses, barge-in and all)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import numpy as np

from os1.errors import NoAudioDevice
from os1.voice.audio import RATE, Samples
from os1.voice.frames import AudioIn
from os1.voice.player import BLOCK, Player

Clock = Callable[[], float]


async def paced(samples: Samples, clock: Clock, start: int = 0) -> AsyncIterator[AudioIn]:
    """``samples`` in 20 ms blocks (the last one padded with silence), each released when the
    clock reaches it; ``start`` is how many samples of the stream came before them."""
    for offset in range(0, samples.size, BLOCK):
        block = samples[offset:offset + BLOCK]
        if block.size < BLOCK:
            block = np.concatenate([block, np.zeros(BLOCK - block.size, dtype=np.float32)])
        at = (start + offset) / RATE
        if (wait := at - clock()) > 0:
            await asyncio.sleep(wait)
        yield AudioIn(block, at)


def blocks_of(samples: Samples) -> int:
    """How many stream samples ``paced`` spends on ``samples``."""
    return -(-samples.size // BLOCK) * BLOCK


async def file_source(samples: Samples, clock: Clock, done: Callable[[], bool],
                      tail_s: float = 120.0) -> AsyncIterator[AudioIn]:
    """The recording in real time; then silence until ``done()`` (os1 has finished answering)
    or ``tail_s`` runs out."""
    async for frame in paced(samples, clock):
        yield frame
    position, quiet = blocks_of(samples), np.zeros(BLOCK, dtype=np.float32)
    while position < samples.size + tail_s * RATE and not done():
        async for frame in paced(quiet, clock, position):
            yield frame
        position += BLOCK


async def clocked_output(player: Player, clock: Clock, write: Callable[[Samples], None]) -> None:
    """Pull the player every 20 ms of the clock and hand each block to ``write``, so the output
    lines up sample for sample with the input's timeline."""
    position = 0
    while True:
        at = position / RATE
        if (wait := at - clock()) > 0:
            await asyncio.sleep(wait)
        write(player.pull(BLOCK))
        position += BLOCK


def _sounddevice() -> Any:
    try:
        import sounddevice
    except OSError:  # the module loads but PortAudio is missing
        raise NoAudioDevice("no audio system (PortAudio) here: use --input FILE and --output FILE, "
                            "or install libportaudio2") from None
    return sounddevice


def check_devices() -> None:
    """Raise ``NoAudioDevice`` unless there is a default microphone and speaker."""
    sd = _sounddevice()
    try:
        sd.check_input_settings(samplerate=RATE, channels=1, dtype="float32")
        sd.check_output_settings(samplerate=RATE, channels=1, dtype="float32")
    except Exception as exc:  # PortAudio reports missing devices in several ways
        raise NoAudioDevice(f"no usable microphone and speaker ({exc}): use --input FILE and "
                            "--output FILE") from None


def record(seconds: float, rate: int = RATE, *, sd: Any = None) -> Samples:
    """``seconds`` of the default microphone, mono float32 at ``rate`` (blocking: run it off the
    event loop). ``sd`` is the sounddevice module, or a stand-in with its ``check_input_settings``
    and ``InputStream``; with no microphone, one ``NoAudioDevice`` line."""
    sd = check_microphone(rate, sd=sd)
    try:
        with sd.InputStream(samplerate=rate, channels=1, dtype="float32") as stream:
            data, _overflowed = stream.read(round(seconds * rate))
    except Exception as exc:  # PortAudio reports a missing or busy device in several ways
        raise NoAudioDevice(f"cannot record from the microphone ({exc}); give a FILE instead") from None
    return np.asarray(data[:, 0], dtype=np.float32)


def check_microphone(rate: int = RATE, *, sd: Any = None) -> Any:
    """The sounddevice module (or ``sd``) once a default microphone is known to work at ``rate``;
    otherwise one ``NoAudioDevice`` line."""
    sd = sd if sd is not None else _sounddevice()
    try:
        sd.check_input_settings(samplerate=rate, channels=1, dtype="float32")
    except Exception as exc:
        raise NoAudioDevice(f"no microphone to listen with ({exc}); give a FILE instead") from None
    return sd


async def microphone(clock: Clock) -> AsyncIterator[AudioIn]:
    """The default microphone, 20 ms blocks, stamped with the conversation clock."""
    sd = _sounddevice()
    loop = asyncio.get_running_loop()
    blocks: asyncio.Queue[Samples] = asyncio.Queue()

    def callback(data: Any, frames: int, when: Any, status: Any) -> None:
        loop.call_soon_threadsafe(blocks.put_nowait, np.array(data[:, 0], dtype=np.float32))

    try:
        stream = sd.InputStream(samplerate=RATE, channels=1, dtype="float32", blocksize=BLOCK,
                                callback=callback)
    except Exception as exc:
        raise NoAudioDevice(f"cannot open the microphone: {exc}") from None
    with stream:
        while True:
            block = await blocks.get()
            yield AudioIn(block, clock() - block.size / RATE)


def speaker(player: Player) -> Any:
    """An open output stream on the default speaker that pulls from ``player``."""
    sd = _sounddevice()

    def callback(out: Any, frames: int, when: Any, status: Any) -> None:
        out[:, 0] = player.pull(frames)

    try:
        stream = sd.OutputStream(samplerate=RATE, channels=1, dtype="float32", blocksize=BLOCK,
                                 latency="low", callback=callback)
    except Exception as exc:
        raise NoAudioDevice(f"cannot open the speaker: {exc}") from None
    stream.start()
    return stream
