"""Written tool calls for models without native tool APIs."""

from __future__ import annotations

from os1.llm.tool_text import ToolCallParser, as_plain_messages, call_schema, parse_call
from os1.types import Message, TextDelta, ToolCall, ToolCallEvent, ToolSpec

TIME = ToolSpec("current_time", "The time.", {"type": "object", "properties": {}, "required": []})
RECALL = ToolSpec("recall", "Search memory.", {
    "type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]})


def run(pieces: list[str]) -> list[object]:
    parser = ToolCallParser([TIME, RECALL])
    events: list[object] = []
    for piece in pieces:
        events += parser.feed(piece)
    return events + parser.finish()


def test_text_streams_through_once_it_cannot_be_a_call() -> None:
    events = run(["Hel", "lo ", "there"])
    assert events == [TextDelta("Hel"), TextDelta("lo "), TextDelta("there")]


def test_call_split_across_pieces_becomes_one_event() -> None:
    events = run(["<tool", "_call>{\"name\": \"recall\", ", "\"arguments\": {\"query\": \"sister\"}}",
                  "</tool_call>"])
    assert len(events) == 1 and isinstance(events[0], ToolCallEvent)
    assert events[0].call.name == "recall" and events[0].call.arguments == {"query": "sister"}


def test_malformed_or_unknown_call_falls_back_to_text() -> None:
    assert parse_call('<tool_call>{"name": "rm_rf", "arguments": {}}</tool_call>', [TIME]) is None
    events = run(["<tool_call>{not json"])
    assert events and isinstance(events[0], TextDelta)


def test_schema_admits_only_known_tools() -> None:
    schema = call_schema([TIME, RECALL])
    assert [v["properties"]["name"]["const"] for v in schema["anyOf"]] == ["current_time", "recall"]


def test_schema_admits_only_the_arguments_a_tool_declares() -> None:
    schema = call_schema([TIME, RECALL])
    arguments = [v["properties"]["arguments"] for v in schema["anyOf"]]
    assert [a["additionalProperties"] for a in arguments] == [False, False]
    assert arguments[1]["properties"] == {"query": {"type": "string"}}
    open_tool = ToolSpec("note", "A note.", {"type": "object", "properties": {},
                                             "additionalProperties": {"type": "string"}})
    said = call_schema([open_tool])["properties"]["arguments"]["additionalProperties"]
    assert said == {"type": "string"}  # a tool that asks for more keeps it


def test_tool_traffic_is_rewritten_as_text_turns() -> None:
    call = ToolCall("c1", "recall", {"query": "x"})
    out = as_plain_messages([Message("system", "persona"), Message("assistant", "", (call,)),
                             Message("tool", "found", tool_call_id="c1", name="recall")], [RECALL])
    assert "recall" in out[0].content and "<tool_call>" in out[0].content
    assert out[1].content.startswith("<tool_call>")
    assert out[2].role == "user" and "found" in out[2].content
