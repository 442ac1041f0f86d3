"""Voice profiles tell two writers apart; imported files are read as text, and bad ones are
refused with one line naming them."""

from __future__ import annotations

import io
import zipfile
from email.message import EmailMessage
from pathlib import Path

import docx
import pytest

from os1.errors import InputError
from os1.letters.importing import read_letter, read_letters
from os1.letters.voice import distance, learn

# Two invented writers: Ruth writes long, comma-rich sentences with dashes and no contractions;
# Sam writes short, exclaiming ones full of contractions.
RUTH = [
    "Dear {n},\n\nI have been thinking, as I so often do on these grey mornings, of the garden we "
    "planted together — the roses, the patient beans, the gate that never quite closed — and of how "
    "much of my life you have tended, quietly, without asking for anything in return. It is a "
    "strange and lovely thing, to be known so well; I do not say it often enough.\n\nYours, ever "
    "and always,\nRuth",
    "Dear {n},\n\nThe house is quiet tonight, and I find myself, as I suspected I would, writing to "
    "you — not because there is news, for there is very little, but because the quiet seems to "
    "ask for it. I hope the journey was gentle, and that the rain held off, and that you are "
    "resting now.\n\nYours, ever and always,\nRuth",
]
SAM = [
    "Hey {n}!\n\nGuess what? I'm done! Finally! It's been a crazy week, I'm not gonna lie. "
    "Can't wait to see you. We'll celebrate, right? You're the best!\n\nCheers,\nSam",
    "Hey {n}!\n\nYou won't believe it. I'm moving! Big news, huh? I'll call you soon. Don't "
    "tell Mom yet! I'm so excited I can't sit still.\n\nCheers,\nSam",
]


def letters(texts: list[str], *names: str) -> list[str]:
    return [t.format(n=n) for t in texts for n in names]


def test_two_writers_are_told_apart() -> None:
    ruth, sam = learn(letters(RUTH, "Clara")), learn(letters(SAM, "Jo"))
    assert ruth.sentence_words > 2 * sam.sentence_words
    assert ruth.punctuation["dashes"] > sam.punctuation["dashes"]
    assert sam.punctuation["exclamations"] > ruth.punctuation["exclamations"]
    assert sam.contractions > ruth.contractions
    assert ruth.closings[0].startswith("Yours, ever")
    # a new letter by each writer is nearer its own writer's profile
    new_ruth, new_sam = learn(letters(RUTH[:1], "Peter")), learn(letters(SAM[:1], "Kim"))
    assert distance(new_ruth, ruth) < distance(new_ruth, sam)
    assert distance(new_sam, sam) < distance(new_sam, ruth)
    assert any("Sentences of about" in line for line in ruth.prompt_lines())


def test_reads_text_markdown_docx_and_eml(tmp_path: Path) -> None:
    body = RUTH[0].format(n="Clara")
    (tmp_path / "a.txt").write_text(body)
    (tmp_path / "b.md").write_text(body)
    document = docx.Document()
    for para in body.split("\n\n"):
        document.add_paragraph(para)
    document.save(str(tmp_path / "c.docx"))
    mail = EmailMessage()
    mail["Subject"] = "hello"
    mail.set_content(body)
    (tmp_path / "d.eml").write_bytes(mail.as_bytes())
    read = read_letters([tmp_path / n for n in ("a.txt", "b.md", "c.docx", "d.eml")])
    assert all("garden we" in x.text for x in read)


def one_line(path: Path, *words: str) -> None:
    with pytest.raises(InputError) as caught:
        read_letter(path)
    message = str(caught.value)
    assert "\n" not in message and path.name in message
    assert any(w in message for w in words)


def test_bad_files_get_one_line(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_text("  \n")
    one_line(tmp_path / "empty.txt", "empty")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 10)
    one_line(tmp_path / "binary.txt", "NUL", "text")
    (tmp_path / "latin1.txt").write_bytes("Chère Amélie".encode("latin-1"))
    one_line(tmp_path / "latin1.txt", "UTF-8")
    (tmp_path / "fake.docx").write_bytes(b"PK not really a zip")
    one_line(tmp_path / "fake.docx", ".docx")
    big = io.BytesIO()
    with zipfile.ZipFile(big, "w") as z:
        z.writestr("word/media/photo.bin", bytes(5_000_000))
    (tmp_path / "huge.docx").write_bytes(big.getvalue())
    one_line(tmp_path / "huge.docx", "too big")
    (tmp_path / "french.txt").write_text(
        "Ma chère Amélie,\n\nJe pense à toi chaque matin, quand le soleil se lève sur la mer. "
        "Tu me manques beaucoup, et les jours sont longs sans ta voix.\n\nBises,\nLouis")
    one_line(tmp_path / "french.txt", "English")
    one_line(tmp_path / "missing.txt", "cannot read")


def test_one_bad_file_keeps_none(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text(RUTH[0].format(n="Clara"))
    (tmp_path / "bad.txt").write_bytes(b"\x00\x01")
    with pytest.raises(InputError, match="bad.txt"):
        read_letters([tmp_path / "good.txt", tmp_path / "bad.txt"])
