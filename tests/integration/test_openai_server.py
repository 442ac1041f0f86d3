"""The OpenAI-compatible backend against a real server process (llama.cpp's server
serving the bundled model), native tool calls from a server that makes them, plus unreachable and
garbage-speaking servers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from os1.errors import BadModelResponse, ModelUnreachable
from os1.llm.base import complete
from os1.llm.openai_compat import OpenAICompatModel
from os1.testing.servers import closed_port
from os1.types import Finished, Message, Options, TextDelta, ToolCallEvent, ToolSpec
from tests.integration.servers import garbage_server, llama_server, tool_server

pytestmark = pytest.mark.integration

RECALL = ToolSpec("recall", "Search your memory of the user.", {
    "type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]})


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with llama_server() as base:
        yield base


@pytest.fixture
async def model(server: str) -> AsyncIterator[OpenAICompatModel]:
    m = OpenAICompatModel(server, None, timeout_s=60)
    yield m
    await m.aclose()


async def test_check_lists_the_served_model(model: OpenAICompatModel) -> None:
    assert "smollm2" in await model.check()


async def test_streams_text_deltas(model: OpenAICompatModel) -> None:
    events = [e async for e in model.stream([Message("system", "Be brief."), Message("user", "Hello!")],
                                            options=Options(max_tokens=16, seed=1))]
    assert isinstance(events[-1], Finished)
    assert sum(isinstance(e, TextDelta) for e in events) > 1


async def test_native_tool_call_is_parsed() -> None:
    """A call streamed in pieces (id and name, then the arguments) comes out whole."""
    with tool_server() as base:
        tooled = OpenAICompatModel(base, None, timeout_s=60)
        try:
            events = [e async for e in tooled.stream([Message("user", "Look up my sister.")], tools=[RECALL],
                                                     options=Options(max_tokens=40, tool_choice="recall"))]
        finally:
            await tooled.aclose()
    calls = [e.call for e in events if isinstance(e, ToolCallEvent)]
    assert [(c.name, c.arguments) for c in calls] == [("recall", {"query": "fixed"})]
    assert isinstance(events[-1], Finished) and events[-1].reason == "tool_calls"


async def test_tool_result_round_trip_is_accepted(model: OpenAICompatModel) -> None:
    from os1.types import ToolCall

    call = ToolCall("call_1", "recall", {"query": "sister"})
    messages = [Message("user", "Where does my sister live?"),
                Message("assistant", "", tool_calls=(call,)),
                Message("tool", "- Ana lives in Lisbon", tool_call_id="call_1", name="recall")]
    events = [e async for e in model.stream(messages, options=Options(max_tokens=16))]
    text = "".join(e.text for e in events if isinstance(e, TextDelta))
    finished = events[-1]
    assert text.strip() and isinstance(finished, Finished)  # an answer, not an error
    assert finished.reason in ("stop", "length")  # (no token counts: the stream does not ask for them)


async def test_unreachable_server_is_one_clear_error() -> None:
    with closed_port() as port:  # refused at once; no other test's server can take it meanwhile
        m = OpenAICompatModel(f"http://127.0.0.1:{port}/v1", "x", timeout_s=5)
        with pytest.raises(ModelUnreachable, match="is it running"):
            await complete(m, [Message("user", "hi")])
    await m.aclose()


async def test_garbage_reply_is_one_clear_error() -> None:
    with garbage_server() as base:
        m = OpenAICompatModel(base, "x", timeout_s=5)
        with pytest.raises(BadModelResponse):
            await complete(m, [Message("user", "hi")])
        with pytest.raises(BadModelResponse):
            await m.check()
        await m.aclose()
