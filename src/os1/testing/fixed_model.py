"""An OpenAI-compatible chat server with fixed, known timing, for load benchmarks and tests.

``POST /v1/chat/completions`` answers every request with the same reply: the first token
``first_token_ms`` after the request arrived, then one token every ``1 / tokens_per_s``
seconds until ``reply_tokens`` have been sent. Each token is due at a time fixed from the
request's arrival, so a late wake-up does not push the later tokens back. Requests asking for
JSON (``response_format``, as fact extraction does) get ``{"facts": []}`` at the same pace.
A request with ``tools`` and a ``tool_choice`` that names one (or ``"required"``: the first)
gets one native tool call of it, streamed as OpenAI's servers do (the id and name first, the
arguments in pieces), each required string argument set to ``"fixed"``.
``GET /v1/models`` lists the one model, ``fixed``. Nothing is computed, so whatever a client
measures beyond this schedule is its own (or its host's) time.

    python -m os1.testing.fixed_model --port 8400 --tokens-per-s 50 --reply-tokens 40 --first-token-ms 200
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

MODEL = "fixed"
WORDS = ("I", "hear", "you,", "and", "I", "am", "thinking", "about", "what", "you", "said", "today.")
JSON_TOKENS = ('{"', 'facts', '":', ' []', '}')


@dataclass(frozen=True)
class Timing:
    """The schedule every reply follows."""

    first_token_ms: float = 200.0
    tokens_per_s: float = 50.0
    reply_tokens: int = 40

    def due(self, index: int) -> float:
        """Seconds after the request's arrival at which token ``index`` (from 0) is sent."""
        return self.first_token_ms / 1000 + index / self.tokens_per_s


def reply_tokens(timing: Timing, wants_json: bool) -> list[str]:
    if wants_json:
        return list(JSON_TOKENS)
    return [WORDS[i % len(WORDS)] + ("" if i == timing.reply_tokens - 1 else " ")
            for i in range(timing.reply_tokens)]


def _chunk(ident: str, created: int, delta: dict[str, Any], finish: str | None = None) -> bytes:
    body = {"id": ident, "object": "chat.completion.chunk", "created": created, "model": MODEL,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
    return b"data: " + json.dumps(body).encode() + b"\n\n"


async def _paced(tokens: list[str], timing: Timing, arrived: float) -> AsyncIterator[str]:
    loop = asyncio.get_running_loop()
    for index, token in enumerate(tokens):
        await asyncio.sleep(max(0.0, arrived + timing.due(index) - loop.time()))
        yield token


async def _stream(tokens: list[str], timing: Timing, arrived: float, prompt: int) -> AsyncIterator[bytes]:
    ident, created = f"chatcmpl-{int(arrived * 1e6)}", int(time.time())
    first = True
    async for token in _paced(tokens, timing, arrived):
        delta = {"role": "assistant", "content": token} if first else {"content": token}
        first = False
        yield _chunk(ident, created, delta)
    yield _chunk(ident, created, {}, "stop")
    usage = {"prompt_tokens": prompt, "completion_tokens": len(tokens), "total_tokens": prompt + len(tokens)}
    yield b"data: " + json.dumps({"id": ident, "object": "chat.completion.chunk", "created": created,
                                  "model": MODEL, "choices": [], "usage": usage}).encode() + b"\n\n"
    yield b"data: [DONE]\n\n"


def chosen_tool(body: dict[str, Any]) -> dict[str, Any] | None:
    """The function a request makes the model call, if it makes it call one."""
    tools: list[dict[str, Any]] = [t["function"] for t in body.get("tools") or []
                                   if t.get("type") == "function"]
    choice = body.get("tool_choice")
    if not tools or choice in (None, "auto", "none"):
        return None
    if isinstance(choice, dict):
        name = choice.get("function", {}).get("name")
        return next((t for t in tools if t.get("name") == name), None)
    first: dict[str, Any] = tools[0]
    return first


def tool_arguments(function: dict[str, Any]) -> list[str]:
    """The call's arguments as JSON, cut into the pieces it is streamed in."""
    schema = function.get("parameters") or {}
    props = schema.get("properties") or {}
    args = {name: "fixed" for name in schema.get("required") or []
            if props.get(name, {}).get("type") == "string"}
    text = json.dumps(args)
    return [text[i:i + 5] for i in range(0, len(text), 5)] or ["{}"]


async def _tool_stream(function: dict[str, Any], timing: Timing, arrived: float) -> AsyncIterator[bytes]:
    ident, created = f"chatcmpl-{int(arrived * 1e6)}", int(time.time())
    first = {"index": 0, "id": f"call_{ident[-8:]}", "type": "function",
             "function": {"name": function["name"], "arguments": ""}}
    yield _chunk(ident, created, {"role": "assistant", "content": None, "tool_calls": [first]})
    async for piece in _paced(tool_arguments(function), timing, arrived):
        yield _chunk(ident, created, {"tool_calls": [{"index": 0, "function": {"arguments": piece}}]})
    yield _chunk(ident, created, {}, "tool_calls")
    yield b"data: [DONE]\n\n"


def create_app(timing: Timing) -> Starlette:
    async def models(request: Request) -> Response:
        return JSONResponse({"object": "list", "data": [{"id": MODEL, "object": "model", "created": 0,
                                                         "owned_by": "os1"}]})

    async def completions(request: Request) -> Response:
        arrived = asyncio.get_running_loop().time()
        body = await request.json()
        tokens = reply_tokens(timing, body.get("response_format") is not None)
        prompt = sum(len(str(m.get("content", ""))) // 4 for m in body.get("messages", []))
        if body.get("stream") and (function := chosen_tool(body)) is not None:
            return StreamingResponse(_tool_stream(function, timing, arrived), media_type="text/event-stream")
        if body.get("stream"):
            return StreamingResponse(_stream(tokens, timing, arrived, prompt), media_type="text/event-stream")
        text = "".join([token async for token in _paced(tokens, timing, arrived)])
        return JSONResponse({
            "id": "chatcmpl-fixed", "object": "chat.completion", "created": int(time.time()), "model": MODEL,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                         "finish_reason": "stop"}],
            "usage": {"prompt_tokens": prompt, "completion_tokens": len(tokens),
                      "total_tokens": prompt + len(tokens)}})

    return Starlette(routes=[Route("/v1/models", models), Route("/v1/chat/completions", completions,
                                                                methods=["POST"])])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8400)
    parser.add_argument("--tokens-per-s", type=float, default=Timing.tokens_per_s)
    parser.add_argument("--reply-tokens", type=int, default=Timing.reply_tokens)
    parser.add_argument("--first-token-ms", type=float, default=Timing.first_token_ms)
    args = parser.parse_args(argv)
    import uvicorn

    timing = Timing(args.first_token_ms, args.tokens_per_s, args.reply_tokens)
    uvicorn.run(create_app(timing), host=args.host, port=args.port, log_level="warning",
                backlog=4096, timeout_keep_alive=60)


if __name__ == "__main__":
    main()
