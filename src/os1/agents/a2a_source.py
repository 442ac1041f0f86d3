"""How a memory names the agent its words came from: a label at the start of each line os1
keeps of a conversation with another agent (``[A2A agent Sam at http://...]``), written here and
read back here, so the Memories page can show the source beside the words."""

from __future__ import annotations

import re

_LABEL = re.compile(r"^\[(?P<source>A2A agent (?P<name>.+?) at (?P<url>https?://[^\s\]]+))\] ")


def source_label(name: str, url: str) -> str:
    """The source of an agent's words, as memories and models see it."""
    return f"A2A agent {name} at {url}"


def source_in(text: str) -> str:
    """The source a kept line names (``A2A agent Sam at http://...``), or "" when it names none."""
    match = _LABEL.match(text)
    return match.group("source") if match else ""
