"""Shared fixtures: every test gets its own OS1_HOME, and no installed plugins are loaded.

Shared helpers for tests that wait: ``wait_until`` and ``eventually`` poll a condition (the
bound only turns a hang into a failure that names what never happened; passing never depends
on it), and ``run_in_virtual_time`` runs a coroutine on an event loop whose clock moves only
when nothing is left to do, so timed code (a conversation paced in real time, say) behaves the
same on an idle machine and on a loaded one."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import selectors
import time
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from os1.memory.sqlite import SQLiteMemory
from os1.testing import FakeEmbedder
from os1.testing.servers import postgres

T = TypeVar("T")
POLL_S = 0.005  # how often a waiting test looks again: it never decides whether it passes
HANG_S = 120.0  # what a wait is given before it fails as a hang


@pytest.fixture(autouse=True)
def os1_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path / "home"
    monkeypatch.setenv("OS1_HOME", str(home))
    monkeypatch.setenv("OS1_LOAD_PLUGINS", "")
    for name in ("OS1_CONFIG", "OS1_LLM__DEFAULT", "OS1_USER"):
        monkeypatch.delenv(name, raising=False)
    yield home


@pytest.fixture(scope="session")
def pg_dsn() -> Iterator[str]:
    """A real PostgreSQL 16 with pgvector (``os1.testing.servers.postgres``), started once per
    test session and reached over its Unix socket only; its URI."""
    with postgres() as dsn:
        yield dsn


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SQLiteMemory]:
    memory = await SQLiteMemory.open(tmp_path / "store" / "memory.sqlite3", FakeEmbedder())
    yield memory
    await memory.close()


@pytest.fixture
def utc() -> Iterator[None]:
    """The machine's own time zone pinned to UTC, whatever zone the tests run in."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TZ", "UTC")
        time.tzset()
        yield
    time.tzset()


def wait_until(condition: Callable[[], object], what: str, give_up_s: float = HANG_S) -> None:
    """Block until ``condition()`` is true (for a condition another thread or process makes
    true); fail, naming ``what``, if it is still false after ``give_up_s`` seconds."""
    deadline = time.monotonic() + give_up_s
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what} after {give_up_s:g} s")
        time.sleep(POLL_S)


async def eventually(condition: Callable[[], object], what: str, give_up_s: float = HANG_S) -> None:
    """``wait_until`` for coroutines: the event loop runs other tasks between looks, and the
    condition may be a coroutine function (one that asks a server, say)."""
    deadline = time.monotonic() + give_up_s
    while True:
        met = condition()
        if inspect.isawaitable(met):
            met = await met
        if met:
            return
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what} after {give_up_s:g} s")
        await asyncio.sleep(POLL_S)


class _JumpingSelector(selectors.DefaultSelector):  # type: ignore[misc,valid-type]
    """The selector of a ``VirtualTimeLoop``: where the loop would sleep until its next timer,
    the clock jumps there instead, unless work handed to a thread is still running."""

    loop: VirtualTimeLoop | None = None

    def select(self, timeout: float | None = None) -> list[tuple[Any, int]]:
        loop = self.loop
        if loop is None or (timeout is not None and timeout <= 0):
            return list(super().select(timeout))
        if loop.off_loop:  # the clock stands still until the threads report back
            return list(super().select(None if timeout is None else 0.5))
        ready = list(super().select(0))
        if ready or timeout is None:
            return ready or list(super().select(None))
        loop.advance(timeout)
        return []


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    """An event loop on a simulated clock. Time moves only when every task is waiting and no
    work handed to a thread through the loop (``asyncio.to_thread``, ``run_in_executor``) is
    running, and then straight to the next timer: code that sleeps until a time sees that time
    come, and work takes no time at all, however slow or busy the machine is. (Threads started
    otherwise are not waited for.)"""

    def __init__(self) -> None:
        self._now = 0.0
        self.off_loop = 0
        selector = _JumpingSelector()
        super().__init__(selector)
        selector.loop = self

    def time(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += seconds

    def run_in_executor(self, executor: Any, func: Callable[..., T], *args: Any) -> asyncio.Future[T]:
        """The loop's own, counting the work as off the loop until its result is back on the
        loop (or, if it was cancelled while running, until its thread is done with it)."""
        state = {"started": False, "finished": False, "settled": False}

        def settle() -> None:
            if not state["settled"]:
                state["settled"] = True
                self.off_loop -= 1

        def tracked() -> T:
            state["started"] = True
            try:
                return func(*args)
            finally:
                state["finished"] = True
                with contextlib.suppress(RuntimeError):  # a cancelled call may outlive the loop
                    self.call_soon_threadsafe(thread_ended)

        def thread_ended() -> None:
            if future.cancelled():
                settle()

        def result_back(done: asyncio.Future[T]) -> None:
            if not done.cancelled() or not state["started"] or state["finished"]:
                settle()  # else a cancelled call still runs: its thread settles it when it ends

        self.off_loop += 1
        future = super().run_in_executor(executor, tracked)
        future.add_done_callback(result_back)
        return future


def run_in_virtual_time(main: Coroutine[Any, Any, T]) -> T:
    """Run ``main`` to its end on a ``VirtualTimeLoop`` (a test function that is not async)."""
    with asyncio.Runner(loop_factory=VirtualTimeLoop) as runner:
        return runner.run(main)


class _VirtualTimePolicy(asyncio.DefaultEventLoopPolicy):
    def new_event_loop(self) -> asyncio.AbstractEventLoop:
        return VirtualTimeLoop()


@contextlib.contextmanager
def virtual_time_loops() -> Iterator[None]:
    """Inside, every event loop that code makes for itself (``asyncio.run``, as a CLI command
    does) is a ``VirtualTimeLoop``."""
    before = asyncio.get_event_loop_policy()
    asyncio.set_event_loop_policy(_VirtualTimePolicy())
    try:
        yield
    finally:
        asyncio.set_event_loop_policy(before)
