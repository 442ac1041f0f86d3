"""Tool calling for models without a native tool API: tools described in the system prompt,
calls written as ``<tool_call>{"name": ..., "arguments": {...}}</tool_call>``.

The llama.cpp backend constrains generation with a grammar so that a reply is either free text or
exactly one well-formed call; ``ToolCallParser`` turns the streamed text back into events.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from typing import Any

from os1.types import Message, StreamEvent, TextDelta, ToolCall, ToolCallEvent, ToolSpec

OPEN, CLOSE = "<tool_call>", "</tool_call>"


def tools_prompt(tools: Sequence[ToolSpec]) -> str:
    """The system-prompt section that teaches a model the call format."""
    lines = [
        "You can use these tools. To use one, reply with only",
        f'{OPEN}{{"name": "TOOL", "arguments": {{...}}}}{CLOSE}',
        "and nothing else; otherwise just answer. Tools:",
    ]
    for spec in tools:
        args = json.dumps(spec.parameters.get("properties", {}))
        lines.append(f"- {spec.name}: {spec.description} Arguments: {args}")
    return "\n".join(lines)


def call_schema(tools: Sequence[ToolSpec]) -> dict[str, Any]:
    """A JSON schema that admits exactly one call of one of ``tools``, with only the arguments
    each declares (``closed``)."""
    variants = [
        {
            "type": "object",
            "properties": {"name": {"const": spec.name}, "arguments": closed(spec.parameters)},
            "required": ["name", "arguments"],
            "additionalProperties": False,
        }
        for spec in tools
    ]
    return variants[0] if len(variants) == 1 else {"anyOf": variants}


def closed(schema: dict[str, Any]) -> dict[str, Any]:
    """An object schema that admits only the properties it names, unless it says otherwise: a
    small model constrained by an open one can nest invented arguments until it runs out of
    tokens, and the call is lost."""
    if schema.get("type") == "object" and "additionalProperties" not in schema:
        return {**schema, "additionalProperties": False}
    return schema


def as_plain_messages(messages: Sequence[Message], tools: Sequence[ToolSpec]) -> list[Message]:
    """Rewrite tool traffic as ordinary text turns, and add the tools to the system prompt."""
    out: list[Message] = []
    for msg in messages:
        if msg.role == "tool":
            out.append(Message("user", f"[result of tool {msg.name}]: {msg.content}"))
        elif msg.tool_calls:
            written = "".join(
                f"{OPEN}{json.dumps({'name': c.name, 'arguments': c.arguments})}{CLOSE}"
                for c in msg.tool_calls
            )
            out.append(Message("assistant", msg.content + written))
        else:
            out.append(msg)
    if tools:
        section = tools_prompt(tools)
        if out and out[0].role == "system":
            out[0] = Message("system", f"{out[0].content}\n\n{section}")
        else:
            out.insert(0, Message("system", section))
    return out


def parse_call(text: str, tools: Sequence[ToolSpec]) -> ToolCall | None:
    """Read one written call; None when it is not a call of a known tool."""
    body = text.strip()
    if body.startswith(OPEN):
        body = body[len(OPEN) :]
    body = body.removesuffix(CLOSE).strip()
    try:
        data = json.loads(body)
    except json.JSONDecodeError:
        return None
    if not isinstance(data, dict) or data.get("name") not in {t.name for t in tools}:
        return None
    args = data.get("arguments")
    arguments = args if isinstance(args, dict) else {}
    return ToolCall(f"call_{uuid.uuid4().hex[:12]}", str(data["name"]), arguments)


class ToolCallParser:
    """Splits a streamed reply into text deltas, or one tool call if the reply is a call."""

    def __init__(self, tools: Sequence[ToolSpec]) -> None:
        self._tools = tools
        self._buffer = ""
        self._mode: str | None = None  # None: undecided; "text"; "call"

    def feed(self, text: str) -> list[StreamEvent]:
        if self._mode == "text":
            return [TextDelta(text)]
        self._buffer += text
        head = self._buffer.lstrip()
        if self._mode is None:
            if head.startswith(OPEN):
                self._mode = "call"
            elif not OPEN.startswith(head):
                self._mode = "text"
                out, self._buffer = self._buffer, ""
                return [TextDelta(out)]
        return []

    def finish(self) -> list[StreamEvent]:
        if self._mode == "call":
            call = parse_call(self._buffer, self._tools)
            if call is not None:
                return [ToolCallEvent(call)]
        return [TextDelta(self._buffer)] if self._buffer.strip() else []
