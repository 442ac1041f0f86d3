"""``os1 letters`` as a user runs it: real processes, the bundled model, the real stores."""

from __future__ import annotations

import io
import json
import subprocess
import zipfile
from pathlib import Path

import pytest

from tests.cli.test_cli import run
from tests.letters.checks import epubcheck, pdf_text
from tests.letters.test_voice_and_import import RUTH
from tests.server.test_letters_api import FRENCH

pytestmark = pytest.mark.integration


def ok(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0, result.stderr
    return result


def test_a_letter_on_the_bundled_model_is_checked_kept_proofread_exported(tmp_path: Path) -> None:
    home = tmp_path / "home"
    brief = tmp_path / "brief.md"
    brief.write_text("To: Ana\nClient: Marek\nOccasion: our tenth anniversary\n"
                     "- Married ten years, since May 2015\n- Met at a bookshop in Gdansk\n")
    made = ok(run(home, "letters", "new", "--brief", str(brief), "--keep-flagged", "--json", timeout=300))
    result = json.loads(made.stdout)
    assert result["kept"] == 1 and result["memories"] == []
    assert result["text"].startswith("Dear Ana,")
    for detail in result["grounding"]["details"]:  # whatever the model wrote, each detail is placed
        assert (detail["text"] in result["grounding"]["flagged"]) != bool(detail["sources"])
    shown = json.loads(ok(run(home, "letters", "show", "1", "--json")).stdout)
    assert shown["brief"]["client"] == "Marek" and shown["private"] is False
    assert json.loads(ok(run(home, "letters", "list", "--json")).stdout)[0]["id"] == 1
    ok(run(home, "letters", "proofread", "1", "--all"))
    assert len(json.loads(ok(run(home, "letters", "show", "1", "--json")).stdout)["versions"]) >= 1
    pdf = Path(ok(run(home, "letters", "export", "1", "--format", "pdf")).stdout.strip())
    assert pdf.read_bytes().startswith(b"%PDF")
    assert "Ana" in pdf_text(pdf)
    ok(run(home, "letters", "export-all", "--client", "Marek", "-o", str(tmp_path / "all.zip")))
    with zipfile.ZipFile(tmp_path / "all.zip") as z:
        assert json.loads(z.read("letters.json"))["letters"][0]["brief"]["to"] == "Ana"
        assert "letter-0001-ana.md" in z.namelist()
    none = run(home, "letters", "export-all", "--client", "Carla", "-o", str(tmp_path / "none.zip"))
    assert none.returncode == 2 and none.stderr.count("\n") == 1 and not (tmp_path / "none.zip").exists()
    ok(run(home, "letters", "forget", "1"))
    assert not pdf.exists()
    assert run(home, "letters", "show", "1").returncode == 2


def test_flagged_letters_are_not_kept_without_a_yes(tmp_path: Path) -> None:
    home = tmp_path / "home"
    brief = tmp_path / "brief.txt"
    brief.write_text("To: Ana\nFrom: Marek\nClient: Marek\n")
    # a brief with nothing to mention: whatever the tiny model invents is flagged, and the
    # letter is printed but not kept unless every detail is grounded
    result = run(home, "letters", "new", "--brief", str(brief), "--json", timeout=300)
    out = json.loads(result.stdout)
    if out["grounding"]["flagged"]:
        assert result.returncode == 1 and "not kept" in result.stderr and out["kept"] is None
    else:
        assert result.returncode == 0 and out["kept"] == 1


def test_import_voice_and_bad_input(tmp_path: Path) -> None:
    home = tmp_path / "home"
    for i, text in enumerate(RUTH):
        (tmp_path / f"l{i}.txt").write_text(text.format(n="Clara"))
    imported = json.loads(ok(run(home, "letters", "import", str(tmp_path / "l0.txt"),
                                 str(tmp_path / "l1.txt"), "--json")).stdout)
    assert imported["imported"] == 2 and imported["profile"]["letters"] == 2
    (tmp_path / "bin.txt").write_bytes(b"\x00\xff" * 100)
    bad = run(home, "letters", "import", str(tmp_path / "bin.txt"))
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "bin.txt" in bad.stderr
    big = io.BytesIO()
    with zipfile.ZipFile(big, "w") as z:
        z.writestr("word/media/photo.bin", bytes(5_000_000))
    (tmp_path / "huge.docx").write_bytes(big.getvalue())
    (tmp_path / "amelie.txt").write_text(FRENCH)
    (tmp_path / "l2.txt").write_text(RUTH[0].format(n="Martha"))  # a good letter beside a bad one
    for name, words in (("huge.docx", "too big"), ("amelie.txt", "English")):
        bad = run(home, "letters", "import", str(tmp_path / "l2.txt"), str(tmp_path / name))
        assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and words in bad.stderr
    assert json.loads(ok(run(home, "letters", "voice", "--json")).stdout)["letters"] == 2  # l2 kept none
    (tmp_path / "empty.md").write_text("")
    empty = run(home, "letters", "new", "--brief", str(tmp_path / "empty.md"))
    assert empty.returncode == 2 and "empty" in empty.stderr


def test_the_book_from_the_cli(tmp_path: Path) -> None:
    home = tmp_path / "home"
    brief = tmp_path / "brief.md"
    for to in ("Ana", "Ben"):
        brief.write_text(f"To: {to}\nFrom: Marek\nClient: Marek\nOccasion: thanks\n")
        ok(run(home, "letters", "new", "--brief", str(brief), "--keep-flagged", "--json", timeout=300))
    made = json.loads(ok(run(home, "letters", "book", "-o", str(tmp_path / "book"), "--include", "1",
                             "--include", "2", "--json", timeout=300)).stdout)
    assert made["letters"] == [1, 2]
    assert (tmp_path / "book" / "book.pdf").read_bytes().startswith(b"%PDF")
    epubcheck(tmp_path / "book" / "book.epub")


def test_a_letter_asked_for_in_plain_words_in_the_chat(tmp_path: Path) -> None:
    home = tmp_path / "home"
    lines = b"write a letter to Ana for her birthday\n/quit\n"
    result = ok(run(home, "chat", stdin=lines, timeout=300))
    assert "Dear Ana," in result.stdout
    assert "found in" in result.stdout or "No specific details" in result.stdout  # the check ran
    kept = "kept as letter 1" in result.stdout
    assert kept != ("(not kept)" in result.stdout)
    letters = json.loads(ok(run(home, "letters", "list", "--json")).stdout)
    assert len(letters) == int(kept)
    if kept:  # kept without a terminal only when every detail is grounded
        assert letters[0]["grounding"]["flagged"] == [] and letters[0]["private"] is True


def test_your_own_letter_draws_on_your_memories_of_the_person(tmp_path: Path) -> None:
    home = tmp_path / "home"
    ok(run(home, "say", "My sister Ana lives in Lisbon and taught me to swim."))
    ok(run(home, "say", "Work was long today."))
    made = json.loads(ok(run(home, "letters", "new", "--to", "Ana", "--from", "Theo", "--occasion",
                             "her birthday", "--keep-flagged", "--json", timeout=300)).stdout)
    memories = made["memories"]
    assert memories and all("Ana" in m["text"] for m in memories)
    assert all(m["ref"].startswith("memory ") for m in memories)
    listed = ok(run(home, "memory", "list", "--json")).stdout.splitlines()
    ids = {f"memory {json.loads(line)['id']}" for line in listed}
    assert {m["ref"] for m in memories} <= ids
    shown = json.loads(ok(run(home, "letters", "show", str(made["kept"]), "--json")).stdout)
    assert shown["private"] is True and shown["brief"]["client"] is None
