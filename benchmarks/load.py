"""Load: many people connected to ``os1 serve`` at once, some of them talking.

N simulated users hold a chat WebSocket (``/v1/chat/ws``) each; M of them converse like people:
send a message, read the streamed reply to its end, think for a while (uniformly 0.5 to 1.5 times
``--think-s``), and again. The others stay connected and idle. The model is a real
OpenAI-compatible HTTP server process with a fixed schedule (``os1.testing.fixed_model``: first
token after ``--first-token-ms``, then ``--tokens-per-s``), so what is measured is os1's own time.

Measured:
  * ``added_ttft_*``: from a client's ``say`` to the first ``delta`` of the reply, minus the model
    server's own time to first token, measured directly against it from this same process all
    through the run (its median). Each user's first turn, which opens their store on the
    worker, is left out and reported on stderr. The active users are returning users: their
    stores are made during set-up, as they would exist after earlier conversations;
  * ``msgs_per_s``: user messages answered (``done`` received) per second of conversation;
  * ``rss_mb_per_connection``: the growth of the server processes' resident memory from before
    the N sockets connect to after, divided by N (after one warm-up turn per worker, so loading
    the embedder and the model client is not counted);
  * ``errors``: sockets refused or dropped, ``error`` events, turns that did not finish within
    ``--turn-timeout-s``.

Setups: ``sqlite``, one worker with one SQLite file per user; ``postgres``, two workers sharing
PostgreSQL (``pgserver``) and Redis (a ``redis-server`` started here on loopback), the sockets
split between them as a load balancer would. The users are real accounts, inserted with one
precomputed argon2 hash, each with an API token. The embedder is the real one (``minilm``)
unless ``--embedder hash`` says otherwise. Everything runs on this machine: the clients, the
model server and os1 share its cores, so the figures are an upper bound on os1's overhead.

    python benchmarks/load.py --users 1000 --active 100 [--setup sqlite|postgres] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from argon2 import PasswordHasher
from websockets.asyncio.client import ClientConnection, connect

from os1.config import Settings
from os1.server.site import open_accounts
from os1.server.spaces import Spaces
from os1.testing.servers import free_port, postgres, redis_server, stop_process

KEYS = ("connected", "active", "errors", "added_ttft_p50_ms", "added_ttft_p95_ms", "msgs_per_s",
        "rss_mb_per_connection")
SAYINGS = (
    "I went for a long walk by the river this morning.",
    "My sister Ana lives in Lisbon and I miss her.",
    "Work was strange today, everyone was quiet.",
    "I keep thinking about the letter I have to write for my friend.",
    "Do you ever wonder what the city sounds like at night?",
    "I had ramen for lunch and it was too salty.",
    "My favorite season is autumn, the light is softer.",
    "I could not sleep last night, my mind kept racing.",
    "Tell me something you noticed today.",
    "I think I want to learn the piano this year.",
)


STARTED = time.monotonic()


def log(message: str) -> None:
    print(f"[{time.monotonic() - STARTED:5.1f} s] {message}", file=sys.stderr, flush=True)


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def raise_fd_limit() -> int:
    """Soft limit on open files up to the hard limit: each socket is one on both ends."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


# -- processes -----------------------------------------------------------------------------


def wait_http(url: str, proc: subprocess.Popen[bytes], log_path: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args!r} exited:\n{log_path.read_text(errors='replace')[-3000:]}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer in {timeout:.0f} s")


@contextmanager
def process(args: list[str], log_path: Path, env: dict[str, str] | None = None) -> Iterator[
        subprocess.Popen[bytes]]:
    with log_path.open("wb") as out:
        proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, env=env)
    try:
        yield proc
    finally:
        stop_process(proc)


# -- set-up ----------------------------------------------------------------------------------


def write_config(home: Path, args: argparse.Namespace, model_url: str, dsn: str | None,
                 redis_url: str | None) -> None:
    lines = [
        "[llm]", 'default = "fixed"', "",
        "[llm.models.fixed]", 'kind = "openai"', f'base_url = "{model_url}"', 'model = "fixed"', "",
        "[memory]", f'embedder = "{args.embedder}"',
    ]
    if dsn is not None:  # two workers on these two cores: one embedding thread each (docs/deploy.md)
        lines += ['backend = "postgres"', f'postgres_dsn = "{dsn}"', "embedder_threads = 1"]
    lines += ["", "[server]", 'mode = "multi"', f"open_users = {args.open_users}"]
    if redis_url is not None:
        lines.append(f'redis_url = "{redis_url}"')
    (home / "config.toml").write_text("\n".join(lines) + "\n")


async def make_accounts(settings: Settings, count: int) -> list[tuple[str, str]]:
    """``count`` accounts with one precomputed password hash: each one's id and API token."""
    pool: Any = None
    if settings.memory.backend == "postgres" and settings.memory.postgres_dsn is not None:
        from psycopg_pool import AsyncConnectionPool

        pool = AsyncConnectionPool(settings.memory.postgres_dsn.get_secret_value(), min_size=1,
                                   max_size=8, open=False)
        await pool.open(wait=True, timeout=10)
    accounts = await open_accounts(settings, pool)
    digest = PasswordHasher().hash("load-benchmark-password")
    users: list[tuple[str, str]] = [("", "")] * count

    async def one(index: int) -> None:
        account = await accounts.insert(f"load{index:05d}", digest)
        users[index] = (account.id, (await accounts.new_token(account.id, "load"))[1])

    try:
        for start in range(0, count, 64):
            await asyncio.gather(*(one(i) for i in range(start, min(count, start + 64))))
    finally:
        await accounts.db.close()
        if pool is not None:
            await pool.close()
    return users


async def prepare_spaces(settings: Settings, user_ids: list[str]) -> None:
    """The active users have talked to os1 before: their memory store and action ledger
    exist, made here as a worker makes them. A brand-new user's first turn also creates their
    store; that is sign-up, not conversation, and a storm of it is not what this measures."""
    server = settings.server.model_copy(update={"open_users": 64})
    spaces = Spaces(settings.model_copy(update={"server": server}))
    await spaces.start()

    async def one(user_id: str) -> None:
        async with spaces.use(user_id) as space:
            await space.companion()

    try:
        for start in range(0, len(user_ids), 32):
            await asyncio.gather(*(one(u) for u in user_ids[start:start + 32]))
    finally:
        await spaces.close()


# -- clients ---------------------------------------------------------------------------------


@dataclass
class Results:
    ttft: list[float] = field(default_factory=list)  # seconds, later turns
    first_ttft: list[float] = field(default_factory=list)  # each user's first turn
    baseline: list[float] = field(default_factory=list)  # the model server alone, during the run
    answered: int = 0
    deltas: int = 0
    errors: int = 0
    conversing: set[int] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)

    def error(self, what: str) -> None:
        self.errors += 1
        if len(self.problems) < 10:
            self.problems.append(what)


async def model_ttft(client: httpx.AsyncClient, model_url: str) -> float:
    """Time to the first content chunk, straight from the model server."""
    body = {"model": "fixed", "messages": [{"role": "user", "content": "hello"}], "stream": True}
    start = time.perf_counter()
    first: float | None = None
    async with client.stream("POST", f"{model_url}/chat/completions", json=body) as reply:
        async for line in reply.aiter_lines():  # read to the end, as os1 does
            if first is None and line.startswith("data: ") and '"content"' in line:
                first = time.perf_counter() - start
    if first is None:
        raise RuntimeError("the model server sent no content")
    return first


async def probe(model_url: str, results: Results, until: float, every: float = 0.25) -> None:
    async with httpx.AsyncClient(timeout=30) as client:
        while time.monotonic() < until:
            results.baseline.append(await model_ttft(client, model_url))
            await asyncio.sleep(every)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def open_socket(url: str, token: str, results: Results,
                      gate: asyncio.Semaphore) -> ClientConnection | None:
    async with gate:
        try:
            # browsers send no pings; the server's own keep-alive pings are answered
            return await connect(url, additional_headers=bearer(token), ping_interval=None,
                                 open_timeout=120, max_size=2 << 20, close_timeout=2)
        except Exception as exc:
            results.error(f"connect: {type(exc).__name__}: {exc}")
            return None


async def turn(ws: ClientConnection, text: str, results: Results) -> float | None:
    """One message and its whole streamed reply; the time to its first delta."""
    start = time.perf_counter()
    first: float | None = None
    await ws.send(json.dumps({"type": "say", "text": text}))
    while True:
        event = json.loads(await ws.recv())
        kind = event.get("type")
        if kind == "delta":
            results.deltas += 1
            if first is None:
                first = time.perf_counter() - start
        elif kind == "done":
            return first if first is not None else time.perf_counter() - start
        elif kind == "error":
            results.error(f"error event: {event.get('message')}")
            return None


async def converse(index: int, ws: ClientConnection, args: argparse.Namespace, results: Results,
                   until: float) -> None:
    rng = random.Random(index)
    await asyncio.sleep(rng.uniform(0, args.think_s))  # people do not all start at once
    first = True
    while time.monotonic() < until:
        try:
            async with asyncio.timeout(args.turn_timeout_s):
                ttft = await turn(ws, rng.choice(SAYINGS), results)
        except Exception as exc:
            results.error(f"turn: {type(exc).__name__}: {exc}")
            return
        if ttft is None:
            return
        (results.first_ttft if first else results.ttft).append(ttft)
        first = False
        results.answered += 1
        results.conversing.add(index)
        await asyncio.sleep(min(args.think_s * rng.uniform(0.5, 1.5), max(0.0, until - time.monotonic())))


async def warm_up(urls: list[str], token: str, results: Results) -> None:
    """One turn on each worker: loads the embedder and the model client before RSS is read."""
    for url in urls:
        async with connect(url, additional_headers=bearer(token), ping_interval=None, open_timeout=60) as ws:
            async with asyncio.timeout(120):
                ttft = await turn(ws, "Hello, this is a warm-up.", results)
            if ttft is None:
                raise RuntimeError(f"the warm-up turn on {url} failed: {results.problems}")


async def run_load(args: argparse.Namespace, urls: list[str], tokens: list[str], pids: list[int],
                   model_url: str, model_pid: int) -> dict[str, Any]:
    results = Results()
    async with httpx.AsyncClient(timeout=30) as client:
        await model_ttft(client, model_url)  # the connection, once
        idle = list(await asyncio.gather(*(model_ttft(client, model_url) for _ in range(5))))
    await warm_up(urls, tokens[-1], results)
    results.problems.clear()
    await asyncio.sleep(1)
    before = sum(rss_bytes(pid) for pid in pids)
    gate = asyncio.Semaphore(args.connect_concurrency)
    started = time.monotonic()
    sockets = await asyncio.gather(*(open_socket(urls[i % len(urls)], tokens[i], results, gate)
                                     for i in range(args.users)))
    opened = [ws for ws in sockets if ws is not None]
    log(f"load: {len(opened)} sockets open in {time.monotonic() - started:.1f} s")
    await asyncio.sleep(2)
    after = sum(rss_bytes(pid) for pid in pids)
    until = time.monotonic() + args.duration_s
    talkers = [(i, ws) for i, ws in enumerate(sockets[: args.active]) if ws is not None]
    began = time.monotonic()
    watched = {"os1": pids, "model server": [model_pid], "clients": [os.getpid()]}
    cpu = {name: sum(cpu_seconds(p) for p in group) for name, group in watched.items()}
    await asyncio.gather(probe(model_url, results, until),
                         *(converse(i, ws, args, results, until) for i, ws in talkers))
    elapsed = time.monotonic() - began
    used = ", ".join(f"{name} {(sum(cpu_seconds(p) for p in group) - cpu[name]) / elapsed:.0%}"
                     for name, group in watched.items())
    log(f"load: CPU while conversing (of one core): {used}; load average {os.getloadavg()[0]:.1f}"
        f" on {os.cpu_count()} cores (other work on this machine included)")
    dropped = sum(1 for ws in opened if ws.state.name != "OPEN")
    for _ in range(dropped):
        results.error("a socket was closed by the server")
    final_rss = sum(rss_bytes(pid) for pid in pids)
    await asyncio.gather(*(ws.close() for ws in opened), return_exceptions=True)
    return report(args, results, len(opened) - dropped, before, after, final_rss, idle, elapsed)


def report(args: argparse.Namespace, results: Results, connected: int, before: int, after: int,
           final_rss: int, idle: list[float], elapsed: float) -> dict[str, Any]:
    baseline = statistics.median(results.baseline or idle)
    added = [(t - baseline) * 1000 for t in results.ttft]
    figures = {
        "connected": connected,
        "active": len(results.conversing),
        "errors": results.errors,
        "added_ttft_p50_ms": round(pct(added, 50), 1),
        "added_ttft_p95_ms": round(pct(added, 95), 1),
        "msgs_per_s": round(results.answered / elapsed, 2) if elapsed else 0.0,
        "rss_mb_per_connection": round((after - before) / max(1, connected) / 2**20, 4),
    }
    ms = [t * 1000 for t in results.ttft]
    first = [t * 1000 for t in results.first_ttft]
    log(f"load: model first token alone {statistics.median(idle) * 1000:.1f} ms idle, "
        f"{baseline * 1000:.1f} ms during the run (p95 {pct(results.baseline, 95) * 1000:.1f} ms, "
        f"{len(results.baseline)} probes)")
    log(f"load: first delta through os1 p50 {pct(ms, 50):.1f} ms, p95 {pct(ms, 95):.1f} ms, "
        f"max {max(ms, default=float('nan')):.1f} ms over {len(ms)} turns; users' first turns "
        f"(store opened on the worker) p50 {pct(first, 50):.1f} ms, p95 {pct(first, 95):.1f} ms "
        f"over {len(first)}")
    log(f"load: {results.answered} messages answered, {results.deltas / elapsed:.0f} deltas/s, "
        f"{elapsed:.0f} s of conversation; server RSS {before / 2**20:.0f} MB before connecting, "
        f"{after / 2**20:.0f} MB connected, {final_rss / 2**20:.0f} MB after the conversations")
    for problem in results.problems:
        log(f"load: problem: {problem}")
    return figures


# -- main ------------------------------------------------------------------------------------


def serve_args(port: int, worker: str) -> list[str]:
    return [sys.executable, "-m", "os1", "serve", "--mode", "multi", "--host", "127.0.0.1",
            "--port", str(port), "--worker", worker]


def run(args: argparse.Namespace) -> dict[str, Any]:
    hard = raise_fd_limit()
    workers = 2 if args.setup == "postgres" else 1
    with ExitStack() as stack:
        root = Path(tempfile.mkdtemp(prefix="os1-load-"))
        stack.callback(shutil.rmtree, root, True)
        home = root / "home"
        home.mkdir()
        model_port = free_port()
        model = stack.enter_context(process(
            [sys.executable, "-m", "os1.testing.fixed_model", "--port", str(model_port),
             "--tokens-per-s", str(args.tokens_per_s), "--reply-tokens", str(args.reply_tokens),
             "--first-token-ms", str(args.first_token_ms)], root / "model.log"))
        model_url = f"http://127.0.0.1:{model_port}/v1"
        wait_http(f"{model_url}/models", model, root / "model.log")
        dsn = stack.enter_context(postgres()) if args.setup == "postgres" else None
        redis_url = stack.enter_context(redis_server()) if args.setup == "postgres" else None
        write_config(home, args, model_url, dsn, redis_url)
        env = {**os.environ, "OS1_HOME": str(home), "OS1_LOAD_PLUGINS": ""}
        os.environ["OS1_HOME"] = str(home)
        started = time.monotonic()
        users = asyncio.run(make_accounts(Settings(), args.users + 1))
        tokens = [token for _, token in users]
        log(f"load: {args.setup}, {workers} worker(s), embedder {args.embedder}, fd limit {hard}; "
            f"{len(users)} accounts made in {time.monotonic() - started:.1f} s")
        started = time.monotonic()
        asyncio.run(prepare_spaces(Settings(), [user_id for user_id, _ in users[: args.active]]))
        log(f"load: {args.active} active users' stores made in {time.monotonic() - started:.1f} s")
        urls, pids = [], []
        for n in range(workers):
            port = free_port()
            proc = stack.enter_context(process(serve_args(port, f"w{n + 1}"), root / f"w{n + 1}.log", env))
            wait_http(f"http://127.0.0.1:{port}/v1/health", proc, root / f"w{n + 1}.log")
            urls.append(f"ws://127.0.0.1:{port}/v1/chat/ws")
            pids.append(proc.pid)
            log(f"load: worker w{n + 1} is pid {proc.pid} on port {port}")
        figures = asyncio.run(run_load(args, urls, tokens, pids, model_url, model.pid))
        for n in range(workers):
            text = (root / f"w{n + 1}.log").read_text(errors="replace")
            if "Traceback" in text:
                log(f"load: w{n + 1} logged {text.count('Traceback')} tracebacks; the first:")
                first = text[text.index("Traceback"):].splitlines()
                log("\n".join(first[:40]))
        return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=1000, help="sockets connected (N)")
    parser.add_argument("--active", type=int, default=100, help="of them, in conversation (M)")
    parser.add_argument("--setup", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    parser.add_argument("--duration-s", type=float, default=60.0, help="length of the conversations")
    parser.add_argument("--think-s", type=float, default=10.0,
                        help="mean pause between a reply and the next message (0.5x to 1.5x)")
    parser.add_argument("--first-token-ms", type=float, default=200.0, help="the model's first token")
    parser.add_argument("--tokens-per-s", type=float, default=50.0, help="the model's pace after it")
    parser.add_argument("--reply-tokens", type=int, default=40, help="tokens in each reply")
    parser.add_argument("--embedder", default="minilm", help="memory.embedder: minilm (real) or hash")
    parser.add_argument("--open-users", type=int, default=1024, help="server.open_users per worker")
    parser.add_argument("--connect-concurrency", type=int, default=200, help="handshakes at once")
    parser.add_argument("--turn-timeout-s", type=float, default=60.0)
    args = parser.parse_args()
    if not 0 <= args.active <= args.users:
        parser.error("--active must be between 0 and --users")
    figures = run(args)
    if args.json:
        print(json.dumps(figures))
    else:
        for key in KEYS:
            print(f"{key:<24} {figures[key]}")


if __name__ == "__main__":
    main()
