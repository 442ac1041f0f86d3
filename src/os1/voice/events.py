"""The events a spoken conversation reports to the outside, one vocabulary for the WebSocket
transport and ``os1 talk --json`` (docs/voice.md has the table)."""

from __future__ import annotations

from typing import Any

from os1.voice.frames import Failed, Frame, Heard, ReplySaved, ReplyText, Resume, Stopped


def event_for(frame: Frame) -> dict[str, Any] | None:
    """The JSON event a client is sent for a frame, if any."""
    if isinstance(frame, Heard):
        return {"type": "heard", "text": frame.text, "ended": round(frame.ended, 3)}
    if isinstance(frame, ReplyText):
        return {"type": "say", "text": frame.text, "turn": frame.turn}
    if isinstance(frame, Stopped):
        return {"type": "paused" if frame.paused else "stopped"}
    if isinstance(frame, Resume):
        return {"type": "resumed"}
    if isinstance(frame, ReplySaved):
        return {"type": "saved", "turn": frame.turn, "text": frame.spoken, "interrupted": frame.interrupted,
                "said_id": frame.said_id, "reply_id": frame.reply_id}
    if isinstance(frame, Failed):
        return {"type": "error", "message": frame.message}
    return None
