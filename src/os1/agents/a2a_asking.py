"""Asking another agent in plain words ("ask Sam what she thinks about this"), recognised by
rule, so it works on any model, the bundled one included: the name must be one the user gave an
agent (``agents.a2a_peers``), and what follows must read as a question or a request."""

from __future__ import annotations

import re
from collections.abc import Collection

ASK = re.compile(
    r"^\s*(?:(?:can|could|would|will) you\s+|please\s+)?(?:go\s+)?ask\s+(?P<name>[^\s,:]+)[\s,:]+"
    r"(?P<what>(?:what|how|if|whether|about|for|to|why|when|where|who|which)\b.*)$",
    re.IGNORECASE | re.DOTALL)


def agent_request(text: str, names: Collection[str]) -> str | None:
    """The known agent ``text`` asks os1 to ask something (its name as the user set it), or None."""
    match = ASK.match(text)
    if match is None:
        return None
    wanted = match.group("name").lower()
    return next((name for name in names if name.lower() == wanted), None)
