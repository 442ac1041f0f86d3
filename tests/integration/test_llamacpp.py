"""The embedded backend against the real bundled GGUF in llama.cpp."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from os1.errors import ModelLoadError
from os1.llm.base import complete
from os1.llm.llamacpp import LlamaCppModel, bundled_model_path
from os1.memory.extract import FACT_SCHEMA, extract_llm
from os1.types import Finished, Message, Options, TextDelta, ToolCallEvent, ToolSpec

pytestmark = pytest.mark.integration

RECALL = ToolSpec("recall", "Search your memory of the user.", {
    "type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]})
TIME = ToolSpec("current_time", "The current time.", {"type": "object", "properties": {},
                                                      "required": []})


@pytest.fixture
async def model() -> AsyncIterator[LlamaCppModel]:
    m = LlamaCppModel(context_tokens=2048, seed=1)
    yield m
    await m.aclose()


def test_bundled_model_comes_from_the_wheel() -> None:
    path = bundled_model_path()
    assert "site-packages" in str(path) and path.stat().st_size > 50_000_000


async def test_streams_text_then_finishes(model: LlamaCppModel) -> None:
    events = [e async for e in model.stream([Message("user", "Say hello.")],
                                            options=Options(max_tokens=12, seed=1))]
    assert isinstance(events[-1], Finished)
    deltas = [e for e in events if isinstance(e, TextDelta)]
    assert len(deltas) > 1 and "".join(d.text for d in deltas).strip()


async def test_required_tool_call_is_always_well_formed(model: LlamaCppModel) -> None:
    for prompt in ["What time is it?", "Do you remember my sister?", "asdf qwerty"]:
        _, calls = await complete(model, [Message("user", prompt)], tools=[RECALL, TIME],
                                  options=Options(max_tokens=60, tool_choice="required", seed=2))
        assert len(calls) == 1 and calls[0].name in {"recall", "current_time"}
        if calls[0].name == "recall":
            assert isinstance(calls[0].arguments.get("query"), str)


async def test_named_tool_choice_calls_that_tool(model: LlamaCppModel) -> None:
    _, calls = await complete(model, [Message("user", "Search for my sister.")], tools=[RECALL, TIME],
                              options=Options(max_tokens=60, tool_choice="recall", seed=3))
    assert [c.name for c in calls] == ["recall"]


async def test_auto_tools_give_text_or_one_valid_call(model: LlamaCppModel) -> None:
    events = [e async for e in model.stream([Message("user", "Hi! How are you?")],
                                            tools=[RECALL, TIME], options=Options(max_tokens=30, seed=4))]
    calls = [e for e in events if isinstance(e, ToolCallEvent)]
    text = "".join(e.text for e in events if isinstance(e, TextDelta))
    assert (len(calls) == 1 and not text) or (not calls and not text.lstrip().startswith("<"))


async def test_json_schema_output_parses(model: LlamaCppModel) -> None:
    raw, _ = await complete(model, [Message("user", "My sister Ana lives in Lisbon.")],
                            options=Options(max_tokens=120, temperature=0.0, json_schema=FACT_SCHEMA))
    data = json.loads(raw)
    assert set(data) == {"facts"} and len(data["facts"]) <= 6  # the schema, held to
    for fact in data["facts"]:
        assert {"subject", "predicate", "object", "text"} <= set(fact) <= {"subject", "predicate", "object",
                                                                          "text", "ended"}
        assert all(isinstance(fact[key], str) for key in ("subject", "predicate", "object", "text"))
        assert isinstance(fact.get("ended", False), bool)
    drafts = await extract_llm(model, "I play the cello.")  # what it kept, it kept whole
    assert all(d.provenance == "inferred" and d.text and d.subject and d.predicate and d.object
               for d in drafts)


async def test_cancelling_a_stream_frees_the_model(model: LlamaCppModel) -> None:
    streaming = asyncio.Event()

    async def read_some() -> None:
        async for _ in model.stream([Message("user", "Tell me a long story.")],
                                    options=Options(max_tokens=400)):
            streaming.set()

    task = asyncio.create_task(read_some())
    await streaming.wait()  # cancelled mid-reply, not before it started
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    async def answer() -> list[object]:
        return [e async for e in model.stream([Message("user", "Hi")], options=Options(max_tokens=5))]

    events = await asyncio.wait_for(answer(), timeout=60)  # the model is free again: it answers
    text = "".join(e.text for e in events if isinstance(e, TextDelta))
    finished = events[-1]
    assert text.strip() and isinstance(finished, Finished)
    assert finished.reason in ("stop", "length")
    assert finished.usage.prompt_tokens > 0 and 1 <= finished.usage.completion_tokens <= 5


async def test_missing_model_file_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="not found"):
        await LlamaCppModel(tmp_path / "nope.gguf").check()


async def test_corrupt_model_file_is_one_clear_error(tmp_path: Path) -> None:
    junk = tmp_path / "junk.gguf"
    junk.write_bytes(b"\x00garbage" * 1000)
    with pytest.raises(ModelLoadError, match="not a GGUF"):
        await LlamaCppModel(junk).check()
    truncated = tmp_path / "truncated.gguf"
    truncated.write_bytes(bundled_model_path().read_bytes()[:4096])
    with pytest.raises(ModelLoadError, match="cannot load"):
        await LlamaCppModel(truncated).check()


@pytest.mark.timeout(240)
def test_an_engine_checked_and_dropped_at_once_is_freed_on_a_busy_machine() -> None:
    """`os1 models` loads the bundled model and drops it at once. llama.cpp's engine, freed
    before its task loop has started, waited for that loop forever (a busy machine starts it
    late: here two processes spin on the two cores). Each check runs in its own process, which
    must end."""
    import subprocess
    import sys

    check = ("import asyncio\nfrom os1.llm.llamacpp import LlamaCppModel\n"
             "async def main():\n    m = LlamaCppModel(context_tokens=512)\n"
             "    await m.check()\n    await m.aclose()\nasyncio.run(main())\n")
    started: list[subprocess.Popen[bytes]] = []
    try:
        started += [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2)]
        checks = [subprocess.Popen([sys.executable, "-c", check]) for _ in range(6)]
        started += checks
        ended = [c.wait(timeout=90) for c in checks]  # a hang is a TimeoutExpired, not a slow pass
    finally:
        for process in started:
            process.kill()
            process.wait()
    assert ended == [0] * 6
