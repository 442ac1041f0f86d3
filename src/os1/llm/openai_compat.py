"""Any OpenAI-compatible server (Ollama, vLLM, llama.cpp's server, LM Studio, hosted APIs)
through the official ``openai`` SDK and a base URL, with streaming and native tool calls.

SDK and transport errors are translated into ``LLMError`` subclasses at this boundary.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import httpx
import openai
from openai import AsyncOpenAI, DefaultAioHttpClient

from os1.errors import BadModelResponse, LLMError, ModelUnreachable, NeedsKey, RateLimited
from os1.types import (
    Finished,
    Message,
    Options,
    StreamEvent,
    TextDelta,
    ToolCall,
    ToolCallEvent,
    ToolSpec,
    Usage,
)


@contextmanager
def map_openai_errors(base_url: str) -> Iterator[None]:
    """Turn SDK exceptions into one-line os1 errors that say what to do."""
    try:
        yield
    except (openai.APIConnectionError, httpx.TransportError) as exc:  # also mid-stream drops
        raise ModelUnreachable(f"cannot reach the model server at {base_url}: is it running?") from exc
    except openai.AuthenticationError as exc:
        raise NeedsKey(f"the server at {base_url} wants an API key: set api_key in config") from exc
    except openai.RateLimitError as exc:
        raise RateLimited(f"the server at {base_url} is rate limiting; try again shortly") from exc
    except openai.APIStatusError as exc:
        raise LLMError(f"the server at {base_url} answered {exc.status_code}: {exc.message}") from exc
    except (openai.APIError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise BadModelResponse(f"the server at {base_url} sent a malformed reply: {exc}") from exc


def to_wire(msg: Message) -> dict[str, Any]:
    """One message in the OpenAI chat format."""
    wire: dict[str, Any] = {"role": msg.role, "content": msg.content}
    if msg.images:  # vision input: text and images as content parts
        wire["content"] = [{"type": "text", "text": msg.content},
                           *({"type": "image_url", "image_url": {"url": url}} for url in msg.images)]
    if msg.tool_calls:
        wire["tool_calls"] = [
            {"id": c.id, "type": "function",
             "function": {"name": c.name, "arguments": json.dumps(c.arguments)}}
            for c in msg.tool_calls
        ]
    if msg.tool_call_id:
        wire["tool_call_id"] = msg.tool_call_id
    return wire


def _tool_wire(spec: ToolSpec) -> dict[str, Any]:
    return {"type": "function",
            "function": {"name": spec.name, "description": spec.description,
                         "parameters": spec.parameters}}


def _parse_arguments(raw: str) -> dict[str, Any]:
    try:
        data = json.loads(raw or "{}")
    except json.JSONDecodeError:
        return {"_malformed": raw}
    return data if isinstance(data, dict) else {"_malformed": raw}


async def _chunks(reply: httpx.Response) -> AsyncIterator[dict[str, Any]]:
    """The streamed chunks as plain dicts, one ``json.loads`` per Server-Sent Event. The SDK's
    own stream builds a typed object for every token, which on a busy server cost more event
    loop time than the rest of the turn together (benchmarks/load.py). The stream is read to
    its end, so its connection goes back to the pool."""
    done = False
    async for line in _lines(reply):
        if done or not line.startswith(b"data:"):
            continue
        data = line[5:].strip()
        if data == b"[DONE]":
            done = True
            continue
        chunk = json.loads(data)
        if not isinstance(chunk, dict):
            raise ValueError(f"a chunk is not a JSON object: {data[:80]!r}")
        if chunk.get("error"):  # an error reported inside the stream
            raise openai.APIError(str(chunk["error"])[:300], reply.request, body=chunk)
        yield chunk


async def _lines(reply: httpx.Response) -> AsyncIterator[bytes]:
    """The body's lines as bytes. httpx's ``aiter_lines`` decodes text and splits it through
    three more generator layers per network read; the event stream only needs its ``data:``
    lines, and ``json.loads`` reads UTF-8 bytes itself."""
    rest = b""
    async for piece in reply.aiter_bytes():
        *lines, rest = (rest + piece).split(b"\n")
        for line in lines:
            yield line
    if rest:
        yield rest


class OpenAICompatModel:
    """A model served over the OpenAI chat-completions API."""

    def __init__(self, base_url: str, model: str | None, *, api_key: str | None = None,
                 timeout_s: float = 120.0) -> None:
        self.base_url = base_url
        self._model = model
        self.model_id = f"openai:{model or '?'}@{base_url}"
        # the SDK over aiohttp: reading a streamed reply costs about a sixth of the CPU it takes
        # through httpx's own transport (measured per token; docs/dependencies.md), which is
        # most of what a busy server does for each token
        self._client = AsyncOpenAI(base_url=base_url, api_key=api_key or "not-needed",
                                   timeout=timeout_s, max_retries=1, http_client=DefaultAioHttpClient())

    async def _model_name(self) -> str:
        if self._model is None:  # use the server's first model
            with map_openai_errors(self.base_url):
                page = await self._client.models.list()
                if not page.data:
                    raise BadModelResponse(f"the server at {self.base_url} lists no models")
                self._model = page.data[0].id
        return self._model

    async def check(self) -> str:
        with map_openai_errors(self.base_url):
            page = await self._client.models.list()
            names = [m.id for m in page.data]
        return f"reachable, serves {', '.join(names) or 'no models'}"

    async def aclose(self) -> None:
        await self._client.close()

    async def stream(self, messages: Sequence[Message], *, tools: Sequence[ToolSpec] = (),
                     options: Options | None = None) -> AsyncIterator[StreamEvent]:
        opts = options or Options()
        kwargs: dict[str, Any] = {
            "model": await self._model_name(),
            "messages": [to_wire(m) for m in messages],
            "max_tokens": opts.max_tokens,
            "temperature": opts.temperature,
            "stream": True,
        }
        if opts.seed is not None:
            kwargs["seed"] = opts.seed
        if tools and opts.tool_choice != "none":
            kwargs["tools"] = [_tool_wire(t) for t in tools]
            if opts.tool_choice in ("auto", "required"):
                kwargs["tool_choice"] = opts.tool_choice
            elif opts.tool_choice is not None:
                kwargs["tool_choice"] = {"type": "function", "function": {"name": opts.tool_choice}}
        if opts.json_schema is not None:
            kwargs["response_format"] = {"type": "json_schema", "json_schema": {
                "name": "os1_output", "schema": opts.json_schema}}
        with map_openai_errors(self.base_url):
            # the SDK sends the request (auth, retries, status errors) with the body as built
            # here: its typed transform of every message cost several ms a request; the header
            # is how the SDK itself asks for the response unread, to stream it
            reply = await self._client.post("/chat/completions", body=kwargs, cast_to=httpx.Response,
                                            options={"headers": {"X-Stainless-Raw-Response": "stream"}})
            try:
                async for event in self._events(_chunks(reply)):
                    yield event
            finally:
                await reply.aclose()

    async def _events(self, chunks: AsyncIterator[dict[str, Any]]) -> AsyncIterator[StreamEvent]:
        pending: dict[int, dict[str, str]] = {}
        reason, usage = "stop", Usage()
        async for chunk in chunks:
            if counts := chunk.get("usage"):
                usage = Usage(int(counts.get("prompt_tokens") or 0),
                              int(counts.get("completion_tokens") or 0))
            if not chunk.get("choices"):
                continue
            choice = chunk["choices"][0]
            delta = choice.get("delta") or {}
            if content := delta.get("content"):
                yield TextDelta(str(content))
            for tc in delta.get("tool_calls") or []:
                slot = pending.setdefault(int(tc.get("index") or 0), {"id": "", "name": "", "args": ""})
                slot["id"] = tc.get("id") or slot["id"]
                if (function := tc.get("function")) is not None:
                    name = function.get("name") or ""
                    if name != slot["name"]:  # some servers repeat the whole name in every chunk
                        slot["name"] += name
                    slot["args"] += function.get("arguments") or ""
            reason = choice.get("finish_reason") or reason
        for index, slot in sorted(pending.items()):
            call_id = slot["id"] or f"call_{index}"
            yield ToolCallEvent(ToolCall(call_id, slot["name"], _parse_arguments(slot["args"])))
        yield Finished(reason, usage)
