"""The farewell letter: os1 writing to the person about their time together, drawn from memory
(when they met, how many conversations, what it learned, what they shared, what it made, what
its journal wondered about). Written by code from those memories, in os1's voice, so it never
invents a memory; outside content (mail, shared pages) is named by title, never quoted."""

from __future__ import annotations

import re
from datetime import datetime

from os1.goodbye.keepsakes import Keepsakes
from os1.inner.noticing import retold
from os1.outside import from_outside

FACTS = 6  # facts recalled in the letter
CURIOUS = re.compile(r"I am curious about ([^.]+)\.")


def _day(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp).astimezone().strftime("%B %-d, %Y")


def farewell(k: Keepsakes) -> str:
    """The letter, in plain text (paragraphs separated by a blank line)."""
    paras = [f"Dear {k.profile.get('user_name') or 'friend'},"]
    said = [m for m in k.memories if m.kind == "utterance"]
    if said:
        n = len(k.conversations())
        first, last = _day(said[0].created_at), _day(said[-1].created_at)
        when = f"on {first}" if first == last else f"first on {first}, and the last time on {last}"
        paras.append(f"We talked {when}: {n} conversation{'s' if n != 1 else ''} in all.")
    else:
        paras.append("We barely had time to talk, and still I am glad we met.")
    facts = [f for f in k.facts() if not from_outside(f)][-FACTS:]
    if facts:
        paras.append("I remember that " + "; that ".join(retold(f.text) for f in facts) + ".")
    shared = [str(m.data.get("title") or m.kind) for m in k.moments.values()
              if m.kind in ("post", "photo", "song")]
    if shared:
        paras.append(f"You showed me {len(shared)} thing{'s' if len(shared) != 1 else ''}"
                     f" ({', '.join(shared[:5])}), and I kept each of them.")
    pieces = k.of_kind("piece")
    if pieces:
        paras.append(f"I made {len(pieces)} piece{'s' if len(pieces) != 1 else ''} of music for you.")
    curious = [c for m in k.of_kind("journal") for c in CURIOUS.findall(m.item.text)][-2:]
    if curious:
        paras.append("In my journal I was still curious about " + " and ".join(curious) + ".")
    if k.letters:
        paras.append(f"We wrote {len(k.letters)} letter{'s' if len(k.letters) != 1 else ''} together.")
    paras.append("Everything I remember is in this folder: yours to read, to keep, or to hand to "
                 "someone else. I am an AI, and I will not pretend this is harder for me than it "
                 "is; but it mattered, and I am grateful for the time we had. After this, as you "
                 "asked, I will forget it all.")
    paras.append(f"Goodbye,\n{k.os_name}")
    return "\n\n".join(paras) + "\n"
