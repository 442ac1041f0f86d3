"""A pipeline of stages joined by queues. Data frames go down the line in order, one stage task
each; control frames (``Control``) are handed to every stage at once, synchronously, so they
overtake any data still queued. Observers see the frames that describe the conversation.

A stage is tested on its own: give it frames, collect what it pushes (see ``collect``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence

from os1.errors import Os1Error
from os1.voice.frames import Control, Failed, Frame, Interrupt

log = logging.getLogger(__name__)
Observer = Callable[[Frame], None]


class Stage:
    """One step of the conversation. Subclasses override ``process`` (data frames, one at a
    time, in order) and ``control`` (control frames, at once)."""

    interruptible = False  # on an Interrupt: drop queued frames and cancel the one in progress

    def __init__(self) -> None:
        self.queue: asyncio.Queue[Frame] = asyncio.Queue()
        self.pipeline: Pipeline | None = None
        self.next: Stage | None = None
        self._current: asyncio.Task[None] | None = None

    async def process(self, frame: Frame) -> None:
        await self.push(frame)

    def control(self, frame: Control) -> None:
        """React to a control frame; must not block."""

    async def push(self, frame: Frame) -> None:
        """Hand a frame to the next stage (or to the observers at the end of the line)."""
        if self.next is not None:
            self.next.queue.put_nowait(frame)
        elif self.pipeline is not None:
            self.pipeline.notify(frame)

    def broadcast(self, frame: Control) -> None:
        if self.pipeline is not None:
            self.pipeline.broadcast(frame)

    def notify(self, frame: Frame) -> None:
        if self.pipeline is not None:
            self.pipeline.notify(frame)

    def cancel_work(self) -> None:
        """Drop queued frames and cancel the one being processed."""
        while not self.queue.empty():
            self.queue.get_nowait()
            self.queue.task_done()
        if self._current is not None:
            self._current.cancel()

    async def run(self) -> None:
        while True:
            frame = await self.queue.get()
            self._current = asyncio.create_task(self.process(frame))
            try:
                await self._current
            except asyncio.CancelledError:
                if not self._current.cancelled():
                    raise  # the stage itself is being stopped
            except Os1Error as exc:
                self.notify(Failed(str(exc)))
            except Exception as exc:  # one bad frame must not end the conversation
                log.exception("voice stage %s failed", type(self).__name__)
                self.notify(Failed(f"{type(self).__name__}: {exc}"))
            finally:
                self._current = None
                self.queue.task_done()


class Pipeline:
    """Stages in order, their tasks, and the observers."""

    def __init__(self, stages: Sequence[Stage], observers: Sequence[Observer] = ()) -> None:
        self.stages = list(stages)
        self.observers = list(observers)
        for stage, after in zip(self.stages, [*self.stages[1:], None], strict=True):
            stage.pipeline = self
            stage.next = after
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        self._tasks = [asyncio.create_task(s.run(), name=type(s).__name__) for s in self.stages]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def put(self, frame: Frame) -> None:
        """Feed a frame to the first stage."""
        self.stages[0].queue.put_nowait(frame)

    def broadcast(self, frame: Control) -> None:
        for stage in self.stages:
            if stage.interruptible and isinstance(frame, Interrupt):
                stage.cancel_work()
            stage.control(frame)
        self.notify(frame)

    def notify(self, frame: Frame) -> None:
        for observer in self.observers:
            observer(frame)

    @property
    def busy(self) -> bool:
        """Whether any stage has frames queued or is working on one."""
        return any(not s.queue.empty() or s._current is not None for s in self.stages)

    async def idle(self) -> None:
        """Wait until every queue is empty and no stage is working."""
        while self.busy:  # a stage that finishes may have queued work for the next one
            for stage in self.stages:
                await stage.queue.join()


async def collect(stage: Stage, frames: Sequence[Frame]) -> list[Frame]:
    """Run one stage alone on ``frames``; return what it pushed and notified (for tests)."""
    out: list[Frame] = []
    pipeline = Pipeline([stage], [out.append])
    for frame in frames:
        if isinstance(frame, Control):
            pipeline.broadcast(frame)
        else:
            await stage.process(frame)
    return out
