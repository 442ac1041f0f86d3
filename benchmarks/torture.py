"""Torture: kill os1 with SIGKILL at random points of many turns, and check the store after
every kill.

Targets (``--targets``; ``--turns`` is shared among them, most to the servers, whose turns are
cheap, while a CLI turn is a whole process):
  * ``cli``: one ``os1 say --json`` process per turn, on the SQLite store; each is killed at a
    random delay from its start (in start-up, while the words are stored, while the reply
    streams, while it is stored, or in the learning after it), or left to finish;
  * ``server``: ``os1 serve`` (single mode, SQLite) answering turns on its HTTP API
    (``POST /v1/chat``) one after another, killed at a random delay from its start and started
    again;
  * ``pg-cli``, ``pg-server``: the same on the PostgreSQL backend (``pgserver``'s PostgreSQL,
    started here); os1 is killed, never the database;
  * ``voice``, ``pg-voice`` (on request, not among the defaults: a life is a real-time
    conversation of about 20 s): ``os1 talk --input REC.wav --output OUT.wav --json`` on a
    recording of three utterances with pauses (espeak-ng's voice, made once per run), killed at a
    random delay or left to finish (``benchmarks/torture_voice.py``); its share of ``--turns``
    counts lives, a fifth of a CLI's share (``--targets voice --turns N``: N lives; ``--lives N``
    sets it), after a warm-up life left to finish; ``--short-voice``: one utterance, not three.

The model is ``os1.testing.fixed_model`` with a fast schedule and the embedder the hashing one,
so a turn costs os1's own time. After each kill: the store opens through os1 (``open_store``),
SQLite's ``PRAGMA integrity_check`` says ok, every committed turn (one whose reply os1 returned)
is there exactly once with its reply, the turn in flight left at most its words (never twice),
and no user's words carry two replies. A spoken turn's words come from speech recognition and
differ from life to life, so voice turns are matched by the ids that ``talk --json`` reports in
its ``saved`` events (the user's words and the reply), not by their words; a life must also
have stored nothing it did not report but the turn in flight when it was killed.

    python benchmarks/torture.py --turns 1000 [--targets cli,server,pg-cli,pg-server] [--json]
    python benchmarks/torture.py --targets voice,pg-voice --turns 60 [--seed 1] [--json]

``--dsn URI`` makes the PostgreSQL targets' databases in a server already running (the tests
pass theirs) instead of starting one. Figures: docs/robustness.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, closing, contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
from torture_voice import SCRIPT, SHORT, Voice, check_life, measure_life, recording, talk_args, voice_lives

from os1.access import local_key
from os1.config import Settings
from os1.runtime import open_store
from os1.testing.servers import free_port, postgres, stop_process

TARGETS = ("cli", "server", "pg-cli", "pg-server", "voice", "pg-voice")
DEFAULT_TARGETS = TARGETS[:4]  # voice on request: each of its lives costs seconds of CPU
# a turn's share: a CLI turn is a whole process (about a second of CPU to start), a server's
# turn a request, so the servers take most of the turns and the CLI targets most of the kills
# turns, and a voice life (a conversation of three turns) a few CPU-seconds of speech recognition
WEIGHTS = {"cli": 1, "pg-cli": 1, "server": 9, "pg-server": 9, "voice": 0.2, "pg-voice": 0.2}
STARTED = time.monotonic()


def log(message: str) -> None:
    print(f"[{time.monotonic() - STARTED:6.1f} s] {message}", file=sys.stderr, flush=True)


@dataclass
class Turn:
    text: str
    state: str = "in flight"  # "committed" once os1 returned its reply; "failed" on an error
    said_id: int | None = None
    reply_id: int | None = None


@dataclass
class Figures:
    turns: int = 0
    committed: int = 0
    kills: int = 0
    kills_survived: int = 0
    corrupt_stores: int = 0
    committed_lost: int = 0
    duplicated: int = 0
    failed_turns: int = 0
    in_flight_words_kept: int = 0  # killed turns whose words had been stored before the kill
    problems: list[str] = field(default_factory=list)


@dataclass
class Target:
    name: str
    home: Path
    env: dict[str, str]
    dsn: str | None
    turns: list[Turn] = field(default_factory=list)
    lost: int = 0  # what the last check found, so a finding is counted once
    duplicated: int = 0

    def settings(self) -> Settings:
        memory: dict[str, Any] = {"embedder": "hash"}
        if self.dsn is not None:
            memory.update(backend="postgres", postgres_dsn=self.dsn)
        return Settings(home=self.home, memory=memory)


# -- the model and the processes -------------------------------------------------------------


@contextmanager
def fixed_model(root: Path) -> Iterator[str]:
    """The fixed-schedule model server, fast: its whole reply in a few milliseconds."""
    port = free_port()
    with (root / "model.log").open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "os1.testing.fixed_model", "--port", str(port),
                                 "--first-token-ms", "0", "--tokens-per-s", "2000", "--reply-tokens", "12"],
                                stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_port(port, proc)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        stop_process(proc)


def wait_port(port: int, proc: subprocess.Popen[bytes], give_up_s: float = 120) -> bool:
    """True once ``port`` accepts connections; False if ``proc`` ended first."""
    deadline = time.monotonic() + give_up_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            time.sleep(0.02)
    raise RuntimeError(f"nothing listened on port {port} in {give_up_s:.0f} s")


def os1_env(home: Path, model_url: str, dsn: str | None) -> dict[str, str]:
    env = {**os.environ, "OS1_HOME": str(home), "OS1_LOAD_PLUGINS": "", "OS1_MEMORY__EMBEDDER": "hash",
           "OS1_LLM__DEFAULT": "fixed", "OS1_LLM__MODELS__FIXED__KIND": "openai",
           "OS1_LLM__MODELS__FIXED__BASE_URL": model_url, "OS1_LLM__MODELS__FIXED__MODEL": "fixed",
           "OS1_SERVER__TURNS_PER_MINUTE": "100000"}
    if dsn is not None:
        env.update(OS1_MEMORY__BACKEND="postgres", OS1_MEMORY__POSTGRES_DSN=dsn)
    return env


def spawn(args: list[str], env: dict[str, str], log_path: Path | None = None) -> subprocess.Popen[bytes]:
    out: Any = log_path.open("ab") if log_path else subprocess.PIPE
    return subprocess.Popen([sys.executable, "-m", "os1", *args], env=env, stdout=out,
                            stderr=subprocess.STDOUT if log_path else subprocess.PIPE,
                            start_new_session=True)


def kill(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL to the os1 process (and anything it started, in its own session)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


def words(rng: random.Random, index: int, target: str) -> str:
    said = rng.choice(("I walked by the river today.", "My sister Ana lives in Lisbon.",
                       "Work was quiet.", "I moved to Berlin last spring.", "Tell me something."))
    return f"{target} turn {index:05d}: {said}"


# -- the targets -----------------------------------------------------------------------------


def cli_turns(target: Target, count: int, rng: random.Random, figures: Figures,
              window: tuple[float, float]) -> None:
    """One ``os1 say`` per turn, killed at a random delay in ``window`` or left to finish."""
    for _ in range(count):
        turn = Turn(words(rng, len(target.turns), target.name))
        target.turns.append(turn)
        proc = spawn(["say", "--json", turn.text], target.env)
        try:
            out, err = proc.communicate(timeout=rng.uniform(*window))
        except subprocess.TimeoutExpired:
            kill(proc)
            check_after_kill(target, figures)
            continue
        if proc.returncode == 0:
            done = json.loads(out.decode().strip().splitlines()[-1])
            turn.state, turn.said_id, turn.reply_id = "committed", done["user_id"], done["reply_id"]
        else:
            turn.state = "failed"
            figures.problems.append(f"{target.name}: say exited {proc.returncode}: {err.decode()[-300:]}")


def server_turns(target: Target, count: int, rng: random.Random, figures: Figures, per_life: float) -> None:
    """``os1 serve`` answering turns until it is killed, then again: each life answers a random
    number of turns (``per_life`` on average) and is killed at a random point of the next one
    (while it is stored, recalled, answered, or in the learning after it)."""
    key = local_key(target.home)
    took: list[float] = []  # seconds per answered turn, measured as it goes
    sent = 0
    while sent < count:
        port = free_port()
        proc = spawn(["serve", "--port", str(port)], target.env, target.home / "serve.log")
        try:
            if wait_port(port, proc):
                life = rng.randint(0, round(2 * per_life))
                sent += serve_until_killed(target, Server(proc, port, key, life), count - sent, rng, took)
        finally:
            if proc.poll() is None:  # every turn was sent before it was due: kill it now
                kill(proc)
        check_after_kill(target, figures)


@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    port: int
    key: str
    life: int  # turns it answers before the one it is killed in


def serve_until_killed(target: Target, server: Server, count: int, rng: random.Random,
                       took: list[float]) -> int:
    sent = 0
    with httpx.Client(base_url=f"http://127.0.0.1:{server.port}", timeout=120,
                      headers={"Authorization": f"Bearer {server.key}"}) as client:
        while sent < count:
            turn = Turn(words(rng, len(target.turns), target.name))
            target.turns.append(turn)
            if sent == server.life:
                typical = statistics.median(took[-50:]) if took else 0.2
                threading.Timer(rng.uniform(0, 1.5 * typical), kill, (server.proc,)).start()
            sent += 1
            started = time.monotonic()
            try:
                reply = client.post("/v1/chat", json={"text": turn.text})
            except httpx.HTTPError:
                return sent  # killed: this turn was in flight
            if reply.status_code != 200:
                turn.state = "failed"
                raise RuntimeError(f"{target.name}: turn answered {reply.status_code}: {reply.text[:300]}")
            took.append(time.monotonic() - started)
            body = reply.json()
            turn.state, turn.said_id, turn.reply_id = "committed", body["said_id"], body["reply_id"]
    return sent


# -- the checks ------------------------------------------------------------------------------


def utterances(target: Target) -> list[tuple[int, str, str]]:
    """(id, role, text) of every utterance in the target's store, in order."""
    if target.dsn is None:
        path = target.home / "users" / "default" / "memory.sqlite3"
        if not path.exists():
            return []
        with closing(sqlite3.connect(path)) as db:  # closed: a connection left open would hold locks
            rows = db.execute("SELECT id, role, text FROM memories WHERE kind = 'utterance' ORDER BY id")
            return [(int(i), str(r), str(t)) for i, r, t in rows]
    import psycopg

    with psycopg.connect(target.dsn) as db:
        found = db.execute("SELECT id, role, text FROM os1_memories WHERE user_id = 'default'"
                           " AND kind = 'utterance' ORDER BY id").fetchall()
        return [(int(i), str(r), str(t)) for i, r, t in found]


def integrity(target: Target) -> str:
    if target.dsn is not None:
        return "ok"  # PostgreSQL's own log makes its commits durable; os1 is what is killed here
    path = target.home / "users" / "default" / "memory.sqlite3"
    if not path.exists():
        return "ok"
    with closing(sqlite3.connect(path)) as db:
        return str(db.execute("PRAGMA integrity_check").fetchone()[0])


async def opens(target: Target) -> None:
    store = await open_store(target.settings())
    await store.close()


def store_whole(target: Target, figures: Figures) -> bool:
    """The store passes ``integrity_check`` and opens through os1; counted into ``figures`` if not."""
    try:
        verdict = integrity(target)
        if verdict != "ok":
            figures.corrupt_stores += 1
            figures.problems.append(f"{target.name}: integrity_check: {verdict}")
            return False
        asyncio.run(opens(target))
    except Exception as exc:
        figures.corrupt_stores += 1
        figures.problems.append(f"{target.name}: the store does not open: {exc!r}")
        return False
    return True


def check_after_kill(target: Target, figures: Figures) -> None:
    figures.kills += 1
    before = (figures.corrupt_stores, figures.committed_lost, figures.duplicated)
    if not store_whole(target, figures):
        return
    check_turns(target, figures)
    if (figures.corrupt_stores, figures.committed_lost, figures.duplicated) == before:
        figures.kills_survived += 1


def check_turns(target: Target, figures: Figures) -> tuple[int, int, int]:
    """Committed turns lost, turns stored twice, in-flight words kept: counted into ``figures``
    (only new findings since the last check, so a loss is counted once)."""
    rows = utterances(target)
    by_text: dict[str, list[int]] = {}
    replies: dict[int, list[int]] = {}  # a user's words -> the replies that follow them
    last_user: int | None = None
    for ident, role, text in rows:
        if role == "user":
            by_text.setdefault(text, []).append(ident)
            last_user = ident
            replies[ident] = []
        elif last_user is not None:
            replies[last_user].append(ident)
    lost = duplicated = kept = 0
    for turn in target.turns:
        ids = by_text.get(turn.text, [])
        if len(ids) > 1 or (ids and len(replies[ids[0]]) > 1):
            duplicated += 1
        if turn.state == "committed":
            reply_ok = turn.reply_id is None or (ids and turn.reply_id in replies[ids[0]])
            if len(ids) != 1 or not reply_ok or (turn.said_id is not None and turn.said_id != ids[0]):
                lost += 1
        elif turn.state == "in flight" and ids:
            kept += 1
    new_lost, new_dup = lost - target.lost, duplicated - target.duplicated
    target.lost, target.duplicated = lost, duplicated
    figures.committed_lost += max(0, new_lost)
    figures.duplicated += max(0, new_dup)
    if new_lost > 0 or new_dup > 0:
        figures.problems.append(f"{target.name}: {new_lost} committed turns lost, {new_dup} stored twice")
    return lost, duplicated, kept


# -- the run ---------------------------------------------------------------------------------


def measure_import() -> float:
    """Seconds until a new process has imported os1's command line, here and now (once per
    run): a CLI turn or a voice life is killed at a random delay from half of it on."""
    started = time.monotonic()
    subprocess.run([sys.executable, "-c", "import os1.cli.main"], env={**os.environ, "OS1_LOAD_PLUGINS": ""},
                   check=True)
    return time.monotonic() - started


def measure_turn(target: Target) -> float:
    """Seconds a whole ``os1 say`` takes here and now (its turn stays, and is checked)."""
    started = time.monotonic()
    proc = spawn(["say", "--json", "warm-up: hello"], target.env)
    out, err = proc.communicate(timeout=300)
    if proc.returncode != 0:
        raise RuntimeError(f"os1 say does not work here: {err.decode()[-500:]}")
    done = json.loads(out.decode().strip().splitlines()[-1])
    target.turns.append(Turn("warm-up: hello", "committed", done["user_id"], done["reply_id"]))
    return time.monotonic() - started


def run(args: argparse.Namespace) -> dict[str, Any]:
    targets = [t.strip() for t in args.targets.split(",") if t.strip()]
    unknown = set(targets) - set(TARGETS)
    if unknown:
        raise SystemExit(f"unknown targets: {', '.join(sorted(unknown))} (choose from {', '.join(TARGETS)})")
    weight = {name: WEIGHTS[name] for name in targets}
    results: dict[str, dict[str, Any]] = {}
    root = Path(tempfile.mkdtemp(prefix="os1-torture-"))
    try:
        with ExitStack() as stack:
            model_url = stack.enter_context(fixed_model(root))
            dsn = args.dsn
            if dsn is None and any(t.startswith("pg-") for t in targets):
                dsn = stack.enter_context(postgres())
            jobs = {}
            for number, name in enumerate(targets):
                home = root / name
                backend_dsn = f"{dsn}" if name.startswith("pg-") else None
                if backend_dsn is not None:  # each PostgreSQL target has its own database
                    backend_dsn = fresh_database(backend_dsn, f"torture_{os.getpid()}_{number}")
                target = Target(name, home, os1_env(home, model_url, backend_dsn), backend_dsn)
                share = max(1, round(args.turns * weight[name] / sum(weight.values())))
                if name.endswith("voice") and args.lives is not None:
                    share = args.lives
                # each target draws from its own generator: the same seed, the same draws,
                # whether the targets run one after another or side by side
                jobs[name] = (target, share, random.Random(f"{args.seed}-{name}"))
            imported = measure_import()
            log(f"os1 imports in {imported:.2f} s")
            if args.parallel:
                with ThreadPoolExecutor(len(jobs)) as pool:
                    running = {name: pool.submit(run_target, *job, args, imported)
                               for name, job in jobs.items()}
                    results = {name: future.result() for name, future in running.items()}
            else:
                results = {name: run_target(*job, args, imported) for name, job in jobs.items()}
    finally:
        shutil.rmtree(root, ignore_errors=True)
    total = Figures()
    for figures in results.values():
        for key in ("turns", "committed", "kills", "kills_survived", "corrupt_stores", "committed_lost",
                    "duplicated", "failed_turns", "in_flight_words_kept"):
            setattr(total, key, getattr(total, key) + figures[key])
        total.problems += figures["problems"]
    return {**asdict(total), "targets": results, "seed": args.seed}


def fresh_database(dsn: str, name: str) -> str:
    import psycopg
    from psycopg.conninfo import make_conninfo

    with psycopg.connect(dsn, autocommit=True) as db:
        db.execute(f"CREATE DATABASE {name}")
    made = make_conninfo(dsn, dbname=name)
    with psycopg.connect(made, autocommit=True) as db:
        db.execute("CREATE EXTENSION IF NOT EXISTS vector")
    return made


def run_target(target: Target, count: int, rng: random.Random, args: argparse.Namespace,
               imported: float) -> dict[str, Any]:
    figures = Figures()
    if target.name.endswith("voice"):
        return voice_target(target, count, rng, figures, SHORT if args.short_voice else SCRIPT, imported)
    if target.name.endswith("cli"):
        whole = measure_turn(target)
        log(f"{target.name}: os1 says one turn in {whole:.2f} s; {count} turns")
        cli_turns(target, count, rng, figures, (imported / 2, whole * 1.2))
    else:
        log(f"{target.name}: {count} turns")
        server_turns(target, count, rng, figures, args.turns_per_life)
    lost, duplicated, kept = check_turns(target, figures)
    figures.turns = len(target.turns)
    figures.committed = sum(t.state == "committed" for t in target.turns)
    figures.failed_turns = sum(t.state == "failed" for t in target.turns)
    figures.in_flight_words_kept = kept
    log(f"{target.name}: {figures.turns} turns, {figures.committed} committed, {figures.kills} kills, "
        f"{figures.kills_survived} survived, {figures.corrupt_stores} corrupt, {lost} committed lost, "
        f"{duplicated} stored twice")
    return asdict(figures)


def voice_target(target: Target, lives: int, rng: random.Random, figures: Figures,
                 script: tuple[str | float, ...], imported: float) -> dict[str, Any]:
    """``os1 talk`` on a recording, ``lives`` times, after a warm-up life: killed at a random
    delay (between half its import and most of a whole conversation), rarely left to finish."""
    target.home.mkdir(parents=True, exist_ok=True)
    wav, out = recording(target.home, script), target.home / "voice-out.wav"
    env = {**target.env, "PYTHONUNBUFFERED": "1"}  # its JSON lines reach the pipe before a kill

    def start() -> subprocess.Popen[bytes]:
        return spawn(talk_args(wav, out), env)

    def check(killed: bool) -> list[tuple[int, str]] | None:
        if killed:
            figures.kills += 1
        if not store_whole(target, figures):
            return None
        return [(ident, role) for ident, role, _ in utterances(target)]

    whole, warm_up = measure_life(start)
    log(f"{target.name}: os1 talks a recording through in {whole:.2f} s; {lives} lives")
    state = Voice(turns=len(warm_up))
    rows = check(False)  # the warm-up life finished: exactly what it reported is stored
    if rows is not None:
        lost, twice = check_life(state, rows, set(), warm_up, killed=False)
        figures.committed_lost, figures.duplicated = lost, twice
    # killed between half an import and most of a whole life (the warm-up finished: it is checked
    # as every finished life is, and later lives are rarely slower)
    voice_lives(state, lives, rng, figures, (imported / 2, whole * 0.8), start, kill, check, target.name)
    figures.turns, figures.committed = state.turns, len(state.committed)
    figures.in_flight_words_kept = state.in_flight_kept
    log(f"{target.name}: {state.lives} lives, {figures.committed} turns committed, {figures.kills} kills, "
        f"{figures.kills_survived} survived, {figures.corrupt_stores} corrupt, "
        f"{figures.committed_lost} committed lost, {figures.duplicated} stored twice")
    return asdict(figures)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--turns", type=int, default=1000, help="turns in all, shared by the targets")
    parser.add_argument("--targets", default=",".join(DEFAULT_TARGETS),
                        help=f"comma-separated: {', '.join(TARGETS)} (default: all but voice)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--turns-per-life", type=float, default=20,
                        help="turns a server answers between kills, on average")
    parser.add_argument("--lives", type=int, help="lives of each voice target (default: a share of --turns)")
    parser.add_argument("--short-voice", action="store_true",
                        help="a voice life hears one utterance, not three (a few seconds)")
    parser.add_argument("--parallel", action="store_true",
                        help="run the targets side by side (a voice life mostly waits on its recording)")
    parser.add_argument("--dsn", help="a PostgreSQL server to make the pg- targets' databases in "
                        "(default: one started here from pgserver)")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stopped: the servers it started stop too
    result = run(args)
    if args.json:
        print(json.dumps(result))
    else:
        for key in ("turns", "committed", "kills", "kills_survived", "corrupt_stores", "committed_lost",
                    "duplicated", "failed_turns", "in_flight_words_kept"):
            print(f"{key}: {result[key]}")
        for problem in result["problems"]:
            print(f"  PROBLEM: {problem}")
    sys.exit(1 if result["corrupt_stores"] or result["committed_lost"] or result["duplicated"] else 0)


if __name__ == "__main__":
    main()
