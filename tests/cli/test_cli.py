"""The ``os1`` command as a user runs it: real processes, the bundled model, the real store."""

from __future__ import annotations

import json
import os
import select
import signal
import sqlite3
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from os1.memory.sayings import for_person
from os1.testing.servers import closed_port
from tests.conftest import HANG_S, wait_until
from tests.integration.servers import fixed_server, garbage_server

pytestmark = pytest.mark.integration


# what one os1 process is given: only turns a hang into a failure (a loaded 2-core machine can
# take two minutes to load the bundled model and answer); the test's own limit is 300 s
RUN_S = 250.0


def run(home: Path, *args: str | bytes, stdin: bytes | None = None, timeout: float = RUN_S,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "OS1_HOME": str(home), "OS1_LLM__MAX_TOKENS": "24", **(env or {})}
    proc = subprocess.run([sys.executable, "-m", "os1", *args], input=stdin,
                          capture_output=True, timeout=timeout, env=full_env)
    return subprocess.CompletedProcess(proc.args, proc.returncode,
                                       proc.stdout.decode(errors="replace"),
                                       proc.stderr.decode(errors="replace"))


def db_path(home: Path) -> Path:
    return home / "users" / "default" / "memory.sqlite3"


def count(home: Path) -> int:
    if not db_path(home).exists():
        return 0
    return int(sqlite3.connect(db_path(home)).execute("SELECT count(*) FROM memories").fetchone()[0])


def one_line_error(result: subprocess.CompletedProcess[str], code: int, text: str) -> None:
    assert result.returncode == code, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("os1: error:") and text in lines[0], result.stderr
    assert "Traceback" not in result.stderr


def test_say_replies_without_a_tty_or_onboarding(os1_home: Path) -> None:
    result = run(os1_home, "say", "Hello there!", stdin=b"")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()
    assert count(os1_home) == 2  # the user's words and the reply


def test_sister_is_remembered_across_restarts(os1_home: Path) -> None:
    assert run(os1_home, "say", "My sister Ana lives in Lisbon.").returncode == 0
    for filler in ["I made pasta tonight.", "The weather was grey all day.", "Work was long."]:
        assert run(os1_home, "say", filler).returncode == 0
    result = run(os1_home, "say", "--json", "What do you remember about my sister?",
                 env={"OS1_MEMORY__HISTORY_TOKENS": "30"})
    assert result.returncode == 0, result.stderr
    recalled = [m["text"] for m in json.loads(result.stdout)["recalled"]]
    assert any("Lisbon" in text for text in recalled), recalled
    search = run(os1_home, "memory", "search", "sister", "--json")
    texts = [m["text"] for m in json.loads(search.stdout)]
    assert any("sister Ana lives in Lisbon" in t for t in texts)
    assert run(os1_home, "memory", "search", "sister").stdout.count("Lisbon") >= 1


def test_say_reads_stdin(os1_home: Path) -> None:
    result = run(os1_home, "say", stdin=b"I live in Oslo.\n")
    assert result.returncode == 0, result.stderr
    facts = json.loads(run(os1_home, "memory", "search", "Oslo", "--json").stdout)
    assert any(f["kind"] == "fact" and f["object"] == "Oslo" for f in facts)


def test_onboarding_from_answers_file_names_the_os(os1_home: Path, tmp_path: Path) -> None:
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"user_name": "Theodore", "social": "not really",
                                   "voice": "warm", "on_mind": "my book"}))
    result = run(os1_home, "onboard", "--answers", str(answers))
    assert result.returncode == 0, result.stderr
    export = run(os1_home, "memory", "export").stdout.splitlines()
    profile = json.loads(export[0])["profile"]
    assert profile["user_name"] == "Theodore" and profile["onboarded"] == "yes"
    assert profile["os_name"] and profile["os_name"] in result.stdout


@pytest.mark.parametrize(("args", "stdin", "text"), [
    (("say", ""), None, "empty"),
    (("say", "-"), b"x" * 1_048_576, "too long"),
    (("say",), b"caf\xe9 \xff", "not valid UTF-8"),
    (("say", b"caf\xe9"), None, "not valid UTF-8"),
    (("say",), b"\x00\x01binary", "binary"),
])
def test_bad_input_is_one_line_and_loses_nothing(os1_home: Path, args: tuple[str | bytes, ...],
                                                 stdin: bytes | None, text: str) -> None:
    assert run(os1_home, "say", "remember this").returncode == 0
    before = count(os1_home)
    one_line_error(run(os1_home, *args, stdin=stdin), 2, text)
    assert count(os1_home) == before


def write_config(home: Path, text: str) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(text)


@pytest.mark.parametrize(("model_file", "text"), [
    (None, "model file not found"), (b"not a model at all", "not a GGUF"),
])
def test_missing_or_corrupt_model_is_one_line(os1_home: Path, tmp_path: Path,
                                              model_file: bytes | None, text: str) -> None:
    path = tmp_path / "model.gguf"
    if model_file is not None:
        path.write_bytes(model_file)
    write_config(os1_home, f'[llm.models.mine]\npath = "{path}"\n[llm]\ndefault = "mine"\n')
    one_line_error(run(os1_home, "say", "hi"), 1, text)


def test_unreachable_and_garbage_servers_are_one_line(os1_home: Path) -> None:
    with closed_port() as port:  # refused at once; no other test's server can take it meanwhile
        dead = f"http://127.0.0.1:{port}/v1"
        write_config(os1_home, f'[llm.models.srv]\nkind = "openai"\nbase_url = "{dead}"\nmodel = "x"\n')
        one_line_error(run(os1_home, "-m", "srv", "say", "hi"), 1, "cannot reach")
    with garbage_server() as base:
        write_config(os1_home, f'[llm.models.srv]\nkind = "openai"\nbase_url = "{base}"\nmodel = "x"\n')
        one_line_error(run(os1_home, "-m", "srv", "say", "hi"), 1, "malformed")
    assert count(os1_home) == 2  # the user's two messages were kept; no replies


def test_unusable_data_dir_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    one_line_error(run(blocker / "home", "say", "hi"), 1, "writable directory")


def test_bad_settings_are_one_line(os1_home: Path) -> None:
    write_config(os1_home, "[llm\nbroken")
    one_line_error(run(os1_home, "say", "hi"), 1, "config.toml")
    write_config(os1_home, '[llm]\ndefault = "nowhere"\n')
    one_line_error(run(os1_home, "say", "hi"), 1, "not configured")


def test_config_show_masks_secrets_and_models_checks_each(os1_home: Path) -> None:
    with closed_port() as port:  # refused at once; no other test's server can take it meanwhile
        dead = f"http://127.0.0.1:{port}/v1"
        write_config(os1_home, f'[llm.models.cloud]\nkind = "openai"\nbase_url = "{dead}"\n'
                               'api_key = "sk-very-secret"\n')
        shown = run(os1_home, "config", "show")
        assert shown.returncode == 0 and "sk-very-secret" not in shown.stdout
        settings = json.loads(shown.stdout)
        assert settings["llm"]["models"]["cloud"]["api_key"] == "********"
        models = run(os1_home, "models", "--timeout", "100")  # only a hang takes that long
    assert models.returncode == 0, models.stderr
    assert "loaded" in models.stdout and "cannot reach" in models.stdout


def test_env_overrides_file(os1_home: Path) -> None:
    write_config(os1_home, "[memory]\nsearch_k = 3\n")
    shown = run(os1_home, "config", "show", env={"OS1_MEMORY__SEARCH_K": "5"})
    assert json.loads(shown.stdout)["memory"]["search_k"] == 5


def test_memory_list_forget_and_export(os1_home: Path, tmp_path: Path) -> None:
    assert run(os1_home, "say", "My brother Tom works at the bakery.").returncode == 0
    listed = [json.loads(x) for x in run(os1_home, "memory", "list", "--json").stdout.splitlines()]
    said = next(m for m in listed if m["role"] == "user")
    fact = next(m for m in listed if m["kind"] == "fact")
    assert fact["source_id"] == said["id"]
    saying = sorted([said["id"], *(m["id"] for m in listed if m["source_id"] == said["id"])])
    kept = run(os1_home, "memory", "private", str(fact["id"]))  # with the sentence it came from
    assert kept.returncode == 0 and kept.stdout.strip() == f"Kept private: {', '.join(map(str, saying))}."
    out = tmp_path / "export.jsonl"
    assert run(os1_home, "memory", "export", "-o", str(out)).returncode == 0
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert lines[0]["format"] == "os1-memory" and len(lines) == 1 + len(listed)
    assert sorted(x["id"] for x in lines[1:] if x["private"]) == saying
    shared = run(os1_home, "memory", "private", "--undo", str(said["id"]))
    assert shared.stdout.strip() == f"Shared again: {', '.join(map(str, saying))}."
    missing = run(os1_home, "memory", "private", "999999")
    assert missing.returncode != 0 and "no memory with id 999999" in missing.stderr
    # forgetting the fact with --all forgets the sentence that said it too
    assert run(os1_home, "memory", "forget", str(fact["id"]), "--all").returncode == 0
    remaining = {json.loads(x)["id"] for x in run(os1_home, "memory", "list", "--json").stdout.splitlines()}
    assert said["id"] not in remaining and fact["id"] not in remaining
    assert run(os1_home, "memory", "forget", str(said["id"])).returncode != 0
    as_json = json.loads(run(os1_home, "memory", "export", "--format", "json").stdout)
    assert as_json["format"] == "os1-memory" and isinstance(as_json["memories"], list)


def listed(home: Path) -> list[dict[str, object]]:
    return [json.loads(x) for x in run(home, "memory", "list", "--json").stdout.splitlines()]


def test_chat_session_over_a_pipe(os1_home: Path) -> None:
    """`/forget last` in the chat forgets the user's last words, the reply to them and the fact
    drawn from them. The words are said first with `os1 say`, which waits until its facts are
    learned, so the fact is there to be forgotten."""
    assert run(os1_home, "say", "I love jazz piano.").returncode == 0
    before = listed(os1_home)
    said = next(m for m in before if m["kind"] == "utterance" and m["role"] == "user")
    reply = next(m for m in before if m["kind"] == "utterance" and m["role"] == "assistant")
    fact = next(m for m in before if m["kind"] == "fact" and m["source_id"] == said["id"])
    assert said["text"] == "I love jazz piano." and "jazz piano" in str(fact["text"])
    script = b"/help\n/memories\n/memories jazz\n/forget last\n/quit\n"
    result = run(os1_home, "chat", stdin=script, env={"COLUMNS": "250"})
    assert result.returncode == 0, result.stderr
    assert "/forget" in result.stdout  # the help
    assert for_person(str(fact["text"])) in result.stdout  # /memories jazz showed the fact, to you
    assert f"Forgot {said['id']}, {reply['id']}." in result.stdout
    after = listed(os1_home)
    assert not {m["id"] for m in after} & {said["id"], reply["id"], fact["id"]}
    assert not any("jazz" in str(m["text"]).lower() for m in after)


def stored_count(home: Path) -> int:
    """``count``, or -1 while the store cannot be read (being created, or locked for a moment)."""
    try:
        return count(home)
    except sqlite3.Error:
        return -1


def wait_for_user_row(home: Path) -> None:
    wait_until(lambda: stored_count(home) >= 1, "the user's words to be stored")


def reply_started(proc: subprocess.Popen[bytes]) -> None:
    """Wait until the reply streams to stdout: the turn is under way."""
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], HANG_S)
    assert ready and os.read(proc.stdout.fileno(), 64), "the reply never started"


def start_long_turn(home: Path, model_url: str | None = None) -> subprocess.Popen[bytes]:
    """``os1 say`` asking for a long story; with ``model_url``, from a model server whose reply
    takes long enough (100 s) that the turn is surely still under way when the test acts."""
    env = {**os.environ, "OS1_HOME": str(home), "OS1_LLM__MAX_TOKENS": "3000"}
    if model_url is not None:
        env.update({"OS1_LLM__DEFAULT": "endless", "OS1_LLM__MODELS__ENDLESS__KIND": "openai",
                    "OS1_LLM__MODELS__ENDLESS__BASE_URL": model_url})
    # a suite started in the background (`scripts/test &`) ignores SIGINT, and a child inherits
    # that: give os1 the default, as a terminal does
    return subprocess.Popen([sys.executable, "-m", "os1", "say", "Tell me a very long story."],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def test_ctrl_c_keeps_what_was_said(os1_home: Path) -> None:
    # a 100-second reply: on a loaded machine the signal still lands mid-turn
    with fixed_server("--first-token-ms", "0", "--tokens-per-s", "20", "--reply-tokens", "2000") as url:
        proc = start_long_turn(os1_home, url)
        wait_for_user_row(os1_home)
        reply_started(proc)
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=HANG_S)
    assert proc.returncode == 130
    rows = sqlite3.connect(db_path(os1_home)).execute(
        "SELECT role, status, text FROM memories WHERE kind = 'utterance' ORDER BY id").fetchall()
    assert rows[0][0] == "user"
    assert rows[1][0] == "assistant" and rows[1][1] == "interrupted" and rows[1][2]


def test_kill_9_mid_turn_loses_at_most_that_turn(os1_home: Path) -> None:
    assert run(os1_home, "say", "I live in Oslo.").returncode == 0
    before = count(os1_home)
    proc = start_long_turn(os1_home)
    wait_until(lambda: stored_count(os1_home) > before, "the new turn's words to be stored")
    reply_started(proc)  # mid-turn: the reply is being written
    proc.kill()
    proc.wait()
    db = sqlite3.connect(db_path(os1_home))
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    texts = [r[0] for r in db.execute("SELECT text FROM memories ORDER BY id")]
    assert "I live in Oslo." in texts and "Tell me a very long story." in texts
    assert run(os1_home, "say", "Still there?").returncode == 0


def test_two_processes_share_one_store(os1_home: Path) -> None:
    env = {**os.environ, "OS1_HOME": str(os1_home), "OS1_LLM__MAX_TOKENS": "16",
           "OS1_LLM__MODELS__LOCAL__THREADS": "1"}  # two processes on two cores
    procs = [subprocess.Popen([sys.executable, "-m", "os1", "say", f"message {i}"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
             for i in range(2)]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
    assert count(os1_home) == 4


def test_memory_show_edit_import_compact(os1_home: Path, tmp_path: Path) -> None:
    assert run(os1_home, "say", "I live in Porto.").returncode == 0
    assert run(os1_home, "say", "I moved to Berlin.").returncode == 0
    facts = json.loads(run(os1_home, "memory", "search", "live", "--json").stdout)
    berlin = next(f for f in facts if f["kind"] == "fact" and f["object"] == "Berlin")
    shown = json.loads(run(os1_home, "memory", "show", str(berlin["id"]), "--json").stdout)
    assert [h["object"] for h in shown["history"]] == ["Porto", "Berlin"]
    assert shown["source"][0]["text"] == "I moved to Berlin."
    assert "History" in run(os1_home, "memory", "show", str(berlin["id"])).stdout
    assert run(os1_home, "memory", "edit", str(berlin["id"]), "The user lives in Bremen.").returncode == 0
    assert "Bremen" in run(os1_home, "memory", "list").stdout
    assert run(os1_home, "memory", "compact").returncode == 0
    out = tmp_path / "e.jsonl"
    assert run(os1_home, "memory", "export", "-o", str(out)).returncode == 0
    fresh = tmp_path / "fresh"
    imported = run(fresh, "memory", "import", str(out))
    assert imported.returncode == 0 and "Imported" in imported.stdout
    assert "Bremen" in run(fresh, "memory", "list").stdout
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b"\xff\xfe")
    one_line_error(run(fresh, "memory", "import", str(bad)), 2, "cannot read")
    one_line_error(run(os1_home, "memory", "show", "99999"), 1, "no memory with id 99999")


def test_markup_in_memories_prints_literally(os1_home: Path) -> None:
    assert run(os1_home, "say", "I [really] like [/] odd [bold]brackets[/bold]").returncode == 0
    listed = run(os1_home, "memory", "list", env={"COLUMNS": "250"})
    assert listed.returncode == 0, listed.stderr
    assert "[really] like [/] odd [bold]brackets[/bold]" in listed.stdout


def test_memory_summaries_follow_what_is_forgotten(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert "No conversations yet." in run(home, "memory", "summaries").stdout
    said = json.loads(run(home, "say", "--json", "I walked by the lighthouse with my sister.").stdout)
    first = [json.loads(line) for line in run(home, "memory", "summaries", "--json").stdout.splitlines()]
    assert len(first) == 1 and "lighthouse" in first[0]["text"] and first[0]["turns"] >= 1
    assert run(home, "memory", "forget", str(said["user_id"])).returncode == 0
    after = [json.loads(line) for line in run(home, "memory", "summaries", "--json").stdout.splitlines()]
    assert all("user: I walked by the lighthouse" not in s["text"] for s in after)  # os1 may echo it
    assert sum(s["turns"] for s in after) == first[0]["turns"] - 1


def test_say_at_a_time_dates_the_words(os1_home: Path) -> None:
    env = {"OS1_MEMORY__EMBEDDER": "hash"}  # the dates are the point here, not the model
    with garbage_server() as base:  # a reply that fails: the user's words are kept all the same
        write_config(os1_home, f'[llm.models.srv]\nkind = "openai"\nbase_url = "{base}"\nmodel = "x"\n')
        run(os1_home, "-m", "srv", "say", "--at", "2026-11-03 09:30", "I moved to Berlin last month.",
            env=env)
    rows = sqlite3.connect(db_path(os1_home)).execute("SELECT text, created_at FROM memories").fetchall()
    assert rows == [("I moved to Berlin last month.", datetime(2026, 11, 3, 9, 30).timestamp())]
