"""The hand-over: a plain memory folder another assistant can read with no os1 code, laid out
as docs/goodbye.md documents (``README.md`` in the folder says the same):

    README.md              what each file holds
    profile.json           the person's profile: names, preferences (os1's own state left out)
    facts.jsonl            what os1 learned: text, subject, predicate, object, when, provenance, private
    conversations/NNNN.md  each conversation as a transcript, who said what and when
    moments.jsonl          what was shared or made: kind, title, words, data, image file names
    images/                the pictures, named by SHA-256 (the same as the archive's)
    journal.md             os1's journal
    persona.md             the newest persona version
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from os1.files import private_dir, write_private
from os1.goodbye.archive import image_name
from os1.goodbye.keepsakes import Keepsakes

README = """# A memory folder from os1

Plain files, no database: everything {os} remembered about {user}, for another assistant (or a
person) to read.

- `profile.json`: names and preferences from the first conversation.
- `facts.jsonl`: one JSON object a line: `text`, `subject`, `predicate`, `object`, `when` (ISO
  8601), `provenance` (`user`: said by {user}; `inferred`: concluded by {os}; `shared`,
  `external`: from something shown or read, such as a post or a mail), `private` (true: {user}
  kept it between the two of them; share it with no one).
- `conversations/NNNN.md`: each conversation, one line per turn: `**who** (when): words`, with
  `(when, private)` for words {user} kept between the two of them.
- `moments.jsonl`: things shared or made: `kind` (post, photo, song, piece, game, journal),
  `title`, `text`, `data`, `images` (file names in `images/`).
- `journal.md`: {os}'s journal, one entry per conversation.
- `persona.md`: who {os} was with {user} (the newest persona version).
"""


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts).astimezone().isoformat(timespec="seconds")


def write_handover(k: Keepsakes, folder: Path) -> Path:
    """Write the hand-over folder; its path."""
    private_dir(folder / "conversations")
    private_dir(folder / "images")
    write_private(folder / "README.md", README.format(os=k.os_name, user=k.user_name))
    profile = {key: v for key, v in k.profile.items() if not key.startswith(("persona.", "mood"))}
    write_private(folder / "profile.json", json.dumps(profile, indent=1, ensure_ascii=False) + "\n")
    facts = [{"text": f.text, "subject": f.subject, "predicate": f.predicate, "object": f.object,
              "when": _iso(f.created_at), "provenance": f.provenance, "private": f.private}
             for f in k.facts()]
    write_private(folder / "facts.jsonl", "".join(json.dumps(f, ensure_ascii=False) + "\n" for f in facts))
    for session, turns in sorted(k.conversations().items()):
        lines = "".join(f"**{k.user_name if t.role == 'user' else k.os_name}** ({_iso(t.created_at)}"
                        f"{', private' if t.private else ''}): {t.text}\n\n" for t in turns)
        write_private(folder / "conversations" / f"{session:04d}.md", f"# Conversation {session}\n\n{lines}")
    moments = []
    for m in k.moments.values():
        names = [image_name(h, k.images[h][0]) for h in m.images if h in k.images]
        moments.append(json.dumps({"kind": m.kind, "title": m.data.get("title"), "text": m.item.text,
                                   "when": _iso(m.item.created_at), "data": m.data, "images": names},
                                  ensure_ascii=False) + "\n")
    write_private(folder / "moments.jsonl", "".join(moments))
    for digest, (mime, data) in k.images.items():
        write_private(folder / "images" / image_name(digest, mime), data)
    journal = "".join(f"## {_iso(m.item.created_at)}\n\n{m.item.text}\n\n" for m in k.of_kind("journal"))
    write_private(folder / "journal.md", f"# {k.os_name}'s journal\n\n{journal}")
    write_private(folder / "persona.md", k.versions[-1].doc.text() if k.versions else "")
    return folder
