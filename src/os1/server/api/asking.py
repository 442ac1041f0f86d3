"""A request in plain words in the web app's chat ("write a letter to Ana for her birthday",
"play me something about that evening") answered with the deed itself (``os1.asking``), as
events on the turn's stream: ``letter`` (the draft with each detail and where it was found, the
flagged ones marked; kept only when the person says yes, through ``POST /v1/letters``), ``piece``
(the moment the piece became), then ``done`` with one line to show. Nothing is stored as a turn:
the piece is its own memory, and the letter is the person's to keep."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from os1.agent.companion import Companion
from os1.asking.answers import Asking, Composed, Drafted
from os1.asking.requests import recognise
from os1.server.spaces import Space

Emit = Callable[[dict[str, Any]], None]


async def answer_asked(space: Space, companion: Companion, text: str,
                       emit: Emit) -> dict[str, Any] | None:
    """If ``text`` asks for a deed, answer it on ``emit`` and return its ``done`` event; None for
    an ordinary turn. Nothing to compose about raises ``InputError`` (the turn's error event)."""
    ask = recognise(text, tools=bool(companion.tools))
    if ask is None:
        return None
    answer = await Asking.of(space.runtime, companion).answer(ask)
    if isinstance(answer, Drafted):
        emit({"type": "letter", **answer.to_dict()})
        reply = answer.said()
    elif isinstance(answer, Composed):
        emit({"type": "piece", **answer.shared.to_dict()})
        reply = answer.shared.said
    else:
        reply = answer.text
    done = {"type": "done", "reply": reply, "reply_id": None, "said_id": None, "interrupted": False}
    emit(done)
    return done
