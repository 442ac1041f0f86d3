"""The embedded backend's llama.cpp binding, side by side on the bundled GGUF: ``xllamacpp`` (a
prebuilt wheel, os1's choice) against ``llama-cpp-python`` (compiled on install, the baseline).

Each binding is installed cold (empty pip cache) into a venv of its own, timed; then the same probe
(benchmarks/llm_backend_probe.py) runs in each: load time, time to first token, decode tokens/s,
grammar-constrained tool calls and JSON-schema replies that parse, how long a stream takes to stop
when cancelled, and peak memory.

    python benchmarks/llm_backends.py [--venvs DIR] [--turns 5] [--json]

``--venvs DIR`` keeps the venvs there and reuses them on the next run (install time is then only
measured the first time). llama-cpp-python's compile takes several minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path
from typing import Any

from os1.llm.llamacpp import bundled_model_path

# 0.3.16: llama-cpp-python's newest release at the time, 0.3.36, crashes (SIGSEGV) in its first
# decode of the bundled model on this machine, so the baseline is the last release that runs it
BINDINGS = {"xllamacpp": "xllamacpp==2026.10.11549", "llama-cpp-python": "llama-cpp-python==0.3.16"}
PROBE = Path(__file__).with_name("llm_backend_probe.py")


def install(where: Path, requirement: str) -> float | None:
    """Seconds to install ``requirement`` cold into a new venv at ``where``; None if it was there."""
    python = where / "bin" / "python"
    if python.exists():
        return None
    venv.create(where, with_pip=True)
    start = time.perf_counter()
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-cache-dir",
                    "--disable-pip-version-check", requirement], check=True)
    return time.perf_counter() - start


def probe(where: Path, binding: str, model: Path, turns: int) -> dict[str, Any]:
    out = subprocess.run([str(where / "bin" / "python"), str(PROBE), binding, str(model),
                          "--turns", str(turns)], check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venvs", type=Path, default=None)
    parser.add_argument("--turns", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    model = bundled_model_path()
    base = args.venvs or Path(tempfile.mkdtemp(prefix="os1-bindings-"))
    rows: dict[str, dict[str, Any]] = {}
    for binding, requirement in BINDINGS.items():
        print(f"installing {requirement} ...", file=sys.stderr, flush=True)
        seconds = install(base / binding, requirement)
        print(f"probing {binding} ...", file=sys.stderr, flush=True)
        rows[binding] = {"install_cold_s": None if seconds is None else round(seconds, 1),
                         **probe(base / binding, binding, model, args.turns)}
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    ours, baseline = rows["xllamacpp"], rows["llama-cpp-python"]
    print(f"{'':22}{'xllamacpp':>14}{'llama-cpp-python':>18}{'ratio':>8}")
    for key in ours:
        if key == "binding":
            continue
        a, b = ours[key], baseline[key]
        ratio = f"{a / b:.2f}" if isinstance(a, int | float) and isinstance(b, int | float) and b else ""
        print(f"{key:22}{a!s:>14}{b!s:>18}{ratio:>8}")


if __name__ == "__main__":
    main()
