"""Terminal helpers shared by commands: reading user text safely, and the console."""

from __future__ import annotations

import os
import sys

import click
from rich.console import Console

from os1.errors import InputError

CORAL = "#ff7f6e"
# what a command takes as the id of a stored row: anything else is refused at the command line,
# before it reaches a store that could not hold it
ROW_ID = click.IntRange(1, 2**63 - 1)
PORT = click.IntRange(0, 65535)
console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


def decode_input(data: bytes, limit: int) -> str:
    """Bytes from a pipe or file as text, or one clear InputError."""
    if len(data) > limit * 4:
        raise InputError(f"the input is too long ({len(data):,} bytes; the limit is {limit:,} characters)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"the input is not valid UTF-8 (byte 0x{data[exc.start]:02x} at position {exc.start})"
        ) from None


def argument_text(text: str) -> str:
    """A command-line argument as text: undecodable bytes arrive as surrogates, and are refused."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raw = text.encode("utf-8", "surrogateescape")
        return decode_input(raw, len(raw) + 1)
    return text


def ask(prompt: str) -> str:
    """One line typed (or piped) at the prompt; EOFError at the end of input, and one clear
    InputError for bytes that are not UTF-8."""
    try:
        return console.input(prompt)
    except UnicodeDecodeError as exc:
        raise InputError(f"the input is not valid UTF-8 (byte 0x{exc.object[exc.start]:02x})") from None


def confirm(question: str, *, default: bool, err: bool = False) -> bool:
    """A yes or no at the prompt (click's); an answer that is not UTF-8 is one clear InputError."""
    try:
        return click.confirm(question, default=default, err=err)
    except UnicodeDecodeError:
        raise InputError("the answer is not valid UTF-8 text: nothing was done") from None


def typed_word(question: str) -> str:
    """A word typed at the prompt (empty at the end of input); one clear InputError for an
    answer that is not UTF-8."""
    try:
        return str(click.prompt(question, default="", show_default=False)).strip()
    except click.Abort:
        return ""
    except UnicodeDecodeError:
        raise InputError("the answer is not valid UTF-8 text: nothing was done") from None


def read_stdin(limit: int) -> str:
    """All of standard input, reading no more than the limit allows."""
    if sys.stdin is None or sys.stdin.isatty():
        raise InputError("nothing to say: give the text as an argument or pipe it on stdin")
    return decode_input(sys.stdin.buffer.read(limit * 4 + 1), limit)


def confirm_on_terminal(question: str) -> bool:
    """A yes typed on the terminal itself (/dev/tty), for a command whose stdin carried data
    (a body piped in): that data can never answer for the user."""
    try:
        fd = os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
    except OSError:
        raise InputError("the text came on stdin, so the yes must be typed on a terminal: run the "
                         "command in one, or add --yes once you have read it") from None
    with open(fd, "rb+", buffering=0) as tty:  # unbuffered: a terminal cannot seek
        tty.write(f"{question} [y/N]: ".encode())
        answer = tty.readline().decode("utf-8", "replace")
    return answer.strip().lower() in ("y", "yes")
