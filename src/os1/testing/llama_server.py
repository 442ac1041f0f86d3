"""llama.cpp's own OpenAI-compatible HTTP server (through ``xllamacpp``) as a process of its own:
a real model server for tests and benchmarks, serving the bundled GGUF by default.

    python -m os1.testing.llama_server --port 8400 [--model FILE.gguf] [--alias smollm2] [--api-key KEY]

It prints ``ready <base url>`` once the model is loaded and serves until it is terminated.
"""

from __future__ import annotations

import argparse
import signal
import threading
from pathlib import Path

from os1.llm.llamacpp import bundled_model_path, engine_params, start_engine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--alias", default="smollm2")
    parser.add_argument("--ctx", type=int, default=2048)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--api-key", default="")
    args = parser.parse_args()
    path = args.model or bundled_model_path()
    params = engine_params(path, args.ctx, args.threads)
    params.model_alias = {args.alias}
    params.port = args.port
    params.use_jinja = True  # the model's own chat template, with native tool calls
    if args.api_key:
        params.api_keys = [args.api_key]
    server = start_engine(params, path)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    print(f"ready {server.listening_address}/v1", flush=True)
    try:
        done.wait()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
