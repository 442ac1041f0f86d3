"""Requests for mail, calendar or contacts in plain words ("check my mail", "what's on my
calendar tomorrow?"), recognised without a model: with a model too small to call tools, os1
says so plainly and names what works, instead of letting the model ramble."""

from __future__ import annotations

import re

_SKILL = re.compile(
    r"\b(?:(?:check|read|sort|clean(?:\s+up)?|tidy|search|summari[sz]e|show)\s+(?:my\s+|the\s+)?"
    r"(?:e-?mails?|mail|inbox|messages)"
    r"|(?:my|new|any|unread)\s+(?:e-?mails?|mail|inbox)"
    r"|(?:reply|answer|respond|write\s+back)\s+to\s+\w+"
    r"|(?:send|draft)\s+(?:an?\s+)?(?:e-?mail|mail|message)"
    r"|(?:my|the)\s+(?:calendar|schedule|agenda|diary)"
    r"|(?:add|put|move|schedule|book)\s+.{0,40}\b(?:calendar|meeting|appointment|event)"
    r"|(?:my|the)\s+(?:contacts|address\s*book)"
    r"|duplicate\s+contacts|merge\s+(?:my\s+)?contacts)\b",
    re.IGNORECASE)

NEEDS_TOOLS = (
    "Reading and handling your mail, calendar and contacts needs a model that can call tools, and "
    "this one cannot (the bundled model is too small to use them). Set a capable one in the settings "
    "file (`os1 config path`), e.g. [llm.models.ollama] with kind = \"openai\" and "
    "base_url = \"http://localhost:11434/v1\", then talk with `os1 -m ollama` (see README, Models). "
    "Meanwhile the commands work on any model: `os1 mail summary`, `os1 mail search WORDS`, "
    "`os1 calendar day`, `os1 contacts duplicates`.")


def skill_request(text: str) -> bool:
    """Whether ``text`` asks os1 to do something with mail, the calendar or contacts."""
    return _SKILL.search(text) is not None
