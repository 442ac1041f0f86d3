"""Real model servers for tests, on loopback: llama.cpp's OpenAI-compatible server serving the
bundled GGUF, and a deliberately broken HTTP server."""

from __future__ import annotations

import contextlib
import http.server
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx

from os1.testing.servers import free_port
from tests.conftest import wait_until


@contextmanager
def _ready_process(args: list[str], ready: Callable[[str], str | None]) -> Iterator[str]:
    """Run a server process; yield what ``ready`` reads from the output line that says it serves.
    Its later output is drained by a thread, so a full pipe never stalls it."""
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    seen: list[str] = []
    try:
        assert proc.stdout is not None
        for line in proc.stdout:  # blocks until ready or dead; the test's timeout bounds it
            seen.append(line)
            if (found := ready(line)) is not None:
                break
        else:
            raise RuntimeError(f"model server died: {''.join(seen)[-2000:]}")
        threading.Thread(target=proc.stdout.read, daemon=True).start()
        yield found
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextmanager
def llama_server() -> Iterator[str]:
    """llama.cpp's own server (``python -m os1.testing.llama_server``); yields its /v1 base URL."""
    args = [sys.executable, "-m", "os1.testing.llama_server", "--port", str(free_port()),
            "--ctx", "2048", "--alias", "smollm2"]
    with _ready_process(args, lambda line: line.split()[1] if line.startswith("ready ") else None) as base:
        yield base


@contextmanager
def fixed_server(*options: str) -> Iterator[str]:
    """``python -m os1.testing.fixed_model`` with ``options``; yields its /v1 base URL once it
    answers."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "os1.testing.fixed_model", "--port", str(port), *options])
    base = f"http://127.0.0.1:{port}/v1"

    def answering() -> bool:
        assert proc.poll() is None, "the model server exited"
        try:
            return httpx.get(f"{base}/models", timeout=5).is_success
        except httpx.HTTPError:
            return False

    try:
        wait_until(answering, "the model server to answer")
        yield base
    finally:
        proc.terminate()
        proc.wait(10)


def tool_server() -> contextlib.AbstractContextManager[str]:
    """A server process that answers ``tool_choice`` with native tool calls in OpenAI's wire
    format. llama.cpp's own server accepts ``tool_choice`` without enforcing it today, so the
    bundled model cannot be made to call a tool natively."""
    return fixed_server("--first-token-ms", "0", "--tokens-per-s", "1000")


class _Garbage(http.server.BaseHTTPRequestHandler):
    def _reply(self) -> None:
        body = b"data: {this is not json\n\ndata: \xff\xfe\n\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _reply

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def garbage_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Garbage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()
