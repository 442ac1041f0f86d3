"""One llama.cpp binding measured on the bundled GGUF; run by benchmarks/llm_backends.py inside a
venv that holds only that binding. Prints one JSON object.

    python llm_backend_probe.py {xllamacpp|llama-cpp-python} MODEL.gguf [--turns 5]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

PROMPTS = ["Tell me about the sea.", "What is a good name for a cat?", "How do I boil an egg?",
           "Describe a quiet morning.", "Why do people keep diaries?", "What makes a good friend?"]
SYSTEM = "You are a warm companion. Answer in a few sentences."
RECALL = {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]}
NOTE = {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]}
CALL = {"anyOf": [
    {"type": "object", "properties": {"name": {"const": "recall"}, "arguments": RECALL},
     "required": ["name", "arguments"], "additionalProperties": False},
    {"type": "object", "properties": {"name": {"const": "note"}, "arguments": NOTE},
     "required": ["name", "arguments"], "additionalProperties": False}]}
FACTS = {"type": "object", "properties": {"facts": {"type": "array", "items": {
    "type": "object", "properties": {"subject": {"type": "string"}, "fact": {"type": "string"}},
    "required": ["subject", "fact"]}}}, "required": ["facts"]}
TOOL_PROMPTS = ["Do you remember my sister?", "Please note that I like tea.", "asdf qwerty",
                "What did I say last week?", "Remember my birthday is in May."]
Stream = Callable[[dict[str, Any]], Iterator[str]]
Backend = tuple[Stream, Callable[[dict[str, Any]], str], Callable[[dict[str, Any]], dict[str, Any]]]
STYLE = {"whitespace_flexible": False}


def messages(prompt: str) -> list[dict[str, str]]:
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": prompt}]


def xllamacpp_backend(model: str, threads: int) -> Backend:
    """As os1 uses it: written calls as a compact LLGuidance grammar, JSON by llama.cpp's schema."""
    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = model
    params.n_ctx = 4096
    params.n_parallel = 1
    params.cpuparams.n_threads = params.cpuparams_batch.n_threads = threads
    params.verbosity = -1
    params.api_keys = ["probe-only"]
    server = xllamacpp.Server(params)

    def stream(request: dict[str, Any]) -> Iterator[str]:
        pieces: list[str] = []
        ready = threading.Event()
        stop = threading.Event()
        done = threading.Event()

        def on_chunk(chunk: dict[str, Any]) -> bool:
            for choice in chunk.get("choices") or []:
                if text := (choice.get("delta") or {}).get("content"):
                    pieces.append(text)
                    ready.set()
            return stop.is_set()

        def work() -> None:
            server.handle_chat_completions({**request, "stream": True}, on_chunk)
            done.set()
            ready.set()

        threading.Thread(target=work, daemon=True).start()
        sent = 0
        try:
            while True:
                ready.wait()
                ready.clear()
                while sent < len(pieces):
                    sent += 1
                    yield pieces[sent - 1]
                if done.is_set() and sent == len(pieces):
                    return
        finally:
            stop.set()
            done.wait()

    def tool_grammar(schema: dict[str, Any]) -> str:
        return ('%llguidance {}\nstart: "<tool_call>" call "</tool_call>"\n'
                f"call: %json {json.dumps({**schema, 'x-guidance': STYLE})}\n")

    def json_fields(schema: dict[str, Any]) -> dict[str, Any]:
        return {"response_format": {"type": "json_object", "schema": schema}}

    return stream, tool_grammar, json_fields


def llama_cpp_python_backend(model: str, threads: int) -> Backend:
    """As os1 used it: GBNF from its own schema converter."""
    from llama_cpp import Llama, LlamaGrammar
    from llama_cpp.llama_grammar import json_schema_to_gbnf

    llama = Llama(model_path=model, n_ctx=4096, n_threads=threads, verbose=False)
    lock = threading.Lock()

    def stream(request: dict[str, Any]) -> Iterator[str]:
        kwargs = dict(request)
        if "grammar" in kwargs:
            kwargs["grammar"] = LlamaGrammar.from_string(kwargs["grammar"], verbose=False)
        with lock:
            for chunk in llama.create_chat_completion(**kwargs, stream=True):
                if text := chunk["choices"][0]["delta"].get("content"):
                    yield text

    def tool_grammar(schema: dict[str, Any]) -> str:
        call = json_schema_to_gbnf(json.dumps(schema)).replace("root ::=", "call ::=", 1)
        return f'root ::= "<tool_call>" call "</tool_call>"\n{call}'

    def json_fields(schema: dict[str, Any]) -> dict[str, Any]:
        return {"response_format": {"type": "json_object", "schema": schema}}

    return stream, tool_grammar, json_fields


def timed_reply(stream: Stream, prompt: str) -> tuple[float, float, int]:
    """Time to first piece, decode tokens per second, pieces."""
    start = time.perf_counter()
    first = 0.0
    n = 0
    for _ in stream({"messages": messages(prompt), "max_tokens": 64, "temperature": 0.7,
                     "repeat_penalty": 1.15, "seed": 1}):
        n += 1
        if n == 1:
            first = time.perf_counter() - start
    total = time.perf_counter() - start
    return first, (n - 1) / max(total - first, 1e-9), n


def cancel_latency(stream: Stream) -> float:
    """Seconds from asking a long reply to stop after its 5th piece until the stream has ended."""
    gen = stream({"messages": messages("Tell me a very long story."), "max_tokens": 400, "seed": 2})
    for i, _ in enumerate(gen):
        if i == 4:
            break
    start = time.perf_counter()
    gen.close()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("binding", choices=["xllamacpp", "llama-cpp-python"])
    parser.add_argument("model")
    parser.add_argument("--turns", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    make = xllamacpp_backend if args.binding == "xllamacpp" else llama_cpp_python_backend
    start = time.perf_counter()
    stream, tool_grammar, json_fields = make(args.model, args.threads)
    load_s = time.perf_counter() - start
    replies = [timed_reply(stream, PROMPTS[i % len(PROMPTS)]) for i in range(args.turns + 1)][1:]
    calls_ok = 0
    for prompt in TOOL_PROMPTS:
        text = "".join(stream({"messages": messages(prompt), "max_tokens": 80, "seed": 3,
                               "grammar": tool_grammar(CALL), "repeat_penalty": 1.0}))
        body = text.removeprefix("<tool_call>").removesuffix("</tool_call>")
        try:
            call = json.loads(body)
            calls_ok += call.get("name") in {"recall", "note"} and isinstance(call.get("arguments"), dict)
        except json.JSONDecodeError:
            pass
    json_ok = 0
    for prompt in TOOL_PROMPTS:
        text = "".join(stream({"messages": messages(f"Facts in: {prompt}"), "max_tokens": 120, "seed": 4,
                               **json_fields(FACTS), "repeat_penalty": 1.0}))
        try:
            json_ok += isinstance(json.loads(text).get("facts"), list)
        except (json.JSONDecodeError, AttributeError):
            pass
    cancels = [cancel_latency(stream) for _ in range(3)]
    print(json.dumps({
        "binding": args.binding,
        "load_s": round(load_s, 3),
        "ttft_p50_ms": round(statistics.median(r[0] for r in replies) * 1000, 1),
        "tokens_per_s": round(statistics.median(r[1] for r in replies), 1),
        "tool_calls_valid": f"{calls_ok}/{len(TOOL_PROMPTS)}",
        "json_schema_valid": f"{json_ok}/{len(TOOL_PROMPTS)}",
        "cancel_ms": round(max(cancels) * 1000, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }))


if __name__ == "__main__":
    main()
