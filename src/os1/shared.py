"""``Shared``: what showing os1 something comes to, and what composing a piece about it comes
to, whichever sense or skill did it: the moment kept, whether it is new, what os1 perceived (in
words) and what it said. The senses and skills hand it back; the commands show it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from os1.memory.moments import Moment


@dataclass(frozen=True)
class Shared:
    """The outcome of showing os1 something: the moment kept, whether it is new, what os1
    perceived (in words) and what it said."""

    moment: Moment
    new: bool
    perceived: str
    said: str

    def to_dict(self) -> dict[str, Any]:
        return {"moment_id": self.moment.id, "kind": self.moment.kind, "new": self.new,
                "images": list(self.moment.images), "perceived": self.perceived, "said": self.said,
                "memory": self.moment.item.text}
