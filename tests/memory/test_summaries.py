"""Session summaries: built from a session's central turns, rebuilt when stale, and rebuilt on
forget and edit so that no forgotten words survive in them (down to the file's bytes)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from os1.memory.base import MemoryItem
from os1.memory.sqlite import SQLiteMemory
from os1.memory.summaries import SUMMARY_TURNS, summarize

SECRET = "Quillfeather Marrowbrook"
DAY = 86400.0


def file_bytes(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


def test_summary_quotes_the_most_central_turns_in_order() -> None:
    turns = [MemoryItem(i, "utterance", text, 1_700_000_000 + i, role="user")
             for i, text in enumerate(["we talked about the garden and the tomatoes today",
                                       "ok", "the tomatoes in the garden need water every day",
                                       "my car is broken again and needs a mechanic",
                                       "the garden tomatoes are finally red and sweet"])]
    garden, car = np.array([1.0, 0.0], np.float32), np.array([0.0, 1.0], np.float32)
    vectors = {0: garden, 1: garden, 2: garden, 3: car, 4: garden}
    text = summarize(turns, vectors)
    assert "5 turns" in text and "car" not in text and "ok" not in text.split(": ")[1:]
    quoted = [t.text for t in turns if t.text in text]
    assert len(quoted) == SUMMARY_TURNS and quoted == sorted(quoted, key=lambda q: text.index(q))
    assert summarize([], {}) == ""



async def test_forget_and_edit_rebuild_the_summary_and_leave_no_bytes(store: SQLiteMemory) -> None:
    session = await store.start_session()
    for i in range(20):
        await store.add_utterance(session, "user", f"ordinary line {i} about tea and weather",
                                  created_at=1_700_000_000 + i * DAY)
    said = await store.add_utterance(session, "user", f"my neighbour {SECRET} grows tea too")
    edited = await store.add_utterance(session, "user", "I drink oolong tea every morning")
    await store.summarize()
    await store.edit(edited.id, "I drink green tea every morning")
    await store.forget(said.id)
    await store.compact()
    (summary,) = await store.summaries()
    assert summary.turns == 21 and "oolong" not in summary.text
    data = file_bytes(store.path).lower()
    for word in (*SECRET.lower().split(), "oolong"):
        assert word.encode() not in data
