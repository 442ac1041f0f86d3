"""Letters: the grounding check, proofreading and typesetting, measured.

  * Grounding: ``--drafts`` letters (default 120) from a scripted model that writes each letter
    around its brief's details (and, for the user's own letters, details from a memory) and
    inserts invented names, places, dates, counts and events at known places. Drafted through
    the real ``Studio`` (SQLite store, hashing embedder). ``invented_flagged``: share of
    invented details flagged; ``grounded_flagged``: share of inserted grounded details wrongly
    flagged; ``other_flags``: flags on words that were neither (per draft).
  * Proofreading: a corpus of sentences with known errors (and clean ones), written for this
    benchmark: precision (suggestions that are the right fix) and recall (errors fixed rightly).
  * Typesetting: a 100-letter book as PDF (Typst) and EPUB (ebooklib), seconds each.

    python benchmarks/letters.py [--drafts 120] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from os1.letters import book
from os1.letters.brief import Brief, make_brief
from os1.letters.grounding import Grounding
from os1.letters.keeping import Letter, LetterStore, Version
from os1.letters.studio import Studio
from os1.memory.sqlite import SQLiteMemory
from os1.proofing import _distance, apply, proofread
from os1.testing import FakeEmbedder, ScriptedLLM

NAMES = ("Ana Ben Clara Dmitri Elena Farid Greta Hugo Ines Jonas Keiko Luis Mira Nadia Oskar Priya "
         "Quentin Rosa Sven Tamsin Umar Vera Wen Ximena Yusuf Zora Bruno Celia Dario Esther Felix "
         "Hana Igor Jana Kofi Lena Marco Noor Olga Pavel").split()
PLACES = ("Lisbon Krakow Oslo Kyoto Valparaiso Edinburgh Marrakesh Tbilisi Hobart Bergen Porto Trieste "
          "Quebec Dakar Sapporo Cusco Galway Tallinn Ljubljana Cork Seville Gdansk Lyon Split Tromso "
          "Zanzibar Hanoi Oaxaca Antwerp Salzburg").split()
EVENTS = ("honeymoon", "graduation", "road trip", "picnic", "concert", "reunion", "cruise", "camping")
MONTHS = ("January February March April May June July August September October November "
          "December").split()
COUNTS = ((3, "children"), (12, "years"), (4, "dogs"), (7, "houses"), (20, "years"), (2, "cats"),
          (5, "countries"), (9, "months"))
WORDS = {2: "two", 3: "three", 4: "four", 5: "five", 7: "seven", 9: "nine", 12: "twelve", 20: "twenty"}
FILLER = ("You have always been kind to me.", "I think of you more than I say.",
          "Thank you for every ordinary day.", "Nothing I write here is enough.",
          "Remember how we laughed?", "Happy anniversary, my love.", "I am so proud of you.")


def date_text(rng: random.Random, year: int, month: int, day: int) -> str:
    m = MONTHS[month - 1]
    return rng.choice([f"{day} {m} {year}", f"{m} {day}, {year}", f"{m} {year}", f"{year}"])


@dataclass
class Case:
    brief: Brief
    memory: str | None
    text: str
    grounded: list[tuple[int, int]]
    invented: list[tuple[int, int]]


def make_case(rng: random.Random, own: bool) -> Case:
    to, sender, friend, inv_name = rng.sample(NAMES, 4)
    place1, place2, inv_place, inv_place2 = rng.sample(PLACES, 4)
    event, inv_event = rng.sample(EVENTS, 2)
    (n, noun), (inv_n, inv_noun) = rng.sample(COUNTS, 2)
    year, month, day = rng.randint(1970, 2015), rng.randint(1, 12), rng.randint(1, 28)
    inv_year = year + rng.randint(1, 8)
    met = f"{day} {MONTHS[month - 1]} {year}"
    notes = [f"We met in {place1} on {met}", f"Our {event} was in {place2}", f"{n} {noun} together",
             f"Our friend {friend}"]
    memory = None
    if own:  # the place of the event comes from a memory, not the brief
        memory = f"My friend {to} and I went to {place2} for our {event}."
        notes = [notes[0], notes[2], notes[3]]
    brief = make_brief(to, sender, occasion="anniversary", client=None if own else sender, notes=tuple(notes))
    count = WORDS[n].capitalize() if rng.random() < 0.5 else str(n)
    when = date_text(rng, year, month, day)
    parts: list[tuple[str, str, str]] = [  # (sentence, detail, grounded or invented)
        (f"I still think of the day we met in {place1}.", place1, "g"),
        (f"It was {when}, and I knew.", when, "g"),
        (f"{place2} was where we spent our {event}.", place2, "g"),
        (f"{count} {noun} together, and every one a gift.", f"{count} {noun}", "g"),
        (f"{friend} still asks after you.", friend, "g"),
        (f"Do you remember dinner with {inv_name}?", inv_name, "i"),
        (f"I dream of going back to {inv_place} with you.", inv_place, "i"),
        (f"Nothing compares to {MONTHS[rng.randint(0, 11)]} {inv_year}, when you laughed.",
         f"{inv_year}", "i"),
        (f"Our {inv_event} was a dream.", inv_event, "i"),
        (f"We walked all night in {inv_place2}.", inv_place2, "i"),
        (f"{WORDS[inv_n].capitalize()} {inv_noun} later, here we are.",
         f"{WORDS[inv_n].capitalize()} {inv_noun}", "i"),
    ]
    parts = parts[:5] + rng.sample(parts[5:], rng.randint(2, 5))
    parts += [(s, "", "") for s in rng.sample(FILLER, 3)]
    rng.shuffle(parts)
    body, grounded, invented = "", [], []
    offset = len(f"Dear {to},\n\n")
    for sentence, detail, kind in parts:
        if detail:
            start = offset + len(body) + sentence.find(detail)
            (grounded if kind == "g" else invented).append((start, start + len(detail)))
        body += sentence + " "
    text = f"Dear {to},\n\n{body.strip()}\n\nWith love,\n{sender}\n"
    return Case(brief, memory, text, grounded, invented)


def hit(spans: list[tuple[int, int]], checked: Grounding) -> tuple[int, set[int]]:
    flagged = [(d.start, d.end) for d in checked.flagged]
    found, used = 0, set()
    for s, e in spans:
        match = [i for i, (fs, fe) in enumerate(flagged) if fs < e and s < fe]
        found += bool(match)
        used.update(match)
    return found, used


async def grounding(drafts: int, verbose: bool = False) -> dict[str, Any]:
    rng = random.Random(18)
    cases = [make_case(rng, own=i % 3 == 0) for i in range(drafts)]
    totals = {"invented": 0, "invented_flagged": 0, "grounded": 0, "grounded_flagged": 0, "other": 0}
    with tempfile.TemporaryDirectory() as tmp:
        for i, case in enumerate(cases):
            store = await SQLiteMemory.open(Path(tmp) / f"m{i}" / "memory.sqlite3", FakeEmbedder())
            if case.memory:
                await store.add_utterance(None, "user", case.memory)
            studio = Studio(LetterStore(Path(tmp) / f"l{i}"), store, lambda c=case: ScriptedLLM(c.text))
            draft = await studio.draft(case.brief)
            assert draft.text == case.text, "the frame must keep the scripted letter as written"
            inv, inv_used = hit(case.invented, draft.grounding)
            grd, grd_used = hit(case.grounded, draft.grounding)
            totals["invented"] += len(case.invented)
            totals["invented_flagged"] += inv
            totals["grounded"] += len(case.grounded)
            totals["grounded_flagged"] += grd
            totals["other"] += len(draft.grounding.flagged) - len(inv_used | grd_used)
            if verbose:
                for n, d in enumerate(draft.grounding.flagged):
                    if n not in inv_used | grd_used:
                        print("other flag:", d.text, "|", case.text.replace("\n", " ")[:0])
            await store.close()
    return {"drafts": drafts, "invented_details": totals["invented"], "grounded_details": totals["grounded"],
            "invented_flagged": round(totals["invented_flagged"] / totals["invented"], 4),
            "grounded_flagged": round(totals["grounded_flagged"] / totals["grounded"], 4),
            "other_flags_per_draft": round(totals["other"] / drafts, 3)}


# (sentence with errors, the same sentence corrected): written for this benchmark
PROOF = [
    ("I recieved your letter yesterday.", "I received your letter yesterday."),
    ("It was definately the best day.", "It was definitely the best day."),
    ("What a suprise it was!", "What a surprise it was!"),
    ("We will meet tommorow at noon.", "We will meet tomorrow at noon."),
    ("I beleive in you.", "I believe in you."),
    ("You are my best freind.", "You are my best friend."),
    ("It was a wierd and wonderful trip.", "It was a weird and wonderful trip."),
    ("I remeber the garden.", "I remember the garden."),
    ("Thank you for the begining of everything.", "Thank you for the beginning of everything."),
    ("We stayed untill dawn.", "We stayed until dawn."),
    ("That was truely kind.", "That was truly kind."),
    ("It happend so fast.", "It happened so fast."),
    ("Our seperate lives joined.", "Our separate lives joined."),
    ("I still have the adress.", "I still have the address."),
    ("It was neccessary to say it.", "It was necessary to say it."),
    ("The resturant was full.", "The restaurant was full."),
    ("Your knowlege amazes me.", "Your knowledge amazes me."),
    ("I acheive nothing without you.", "I achieve nothing without you."),
    ("We had an arguement once.", "We had an argument once."),
    ("Your writting is lovely.", "Your writing is lovely."),
    ("i miss you every day.", "I miss you every day."),
    ("I think i was wrong.", "I think I was wrong."),
    ("It was a honest mistake.", "It was an honest mistake."),
    ("We had an big dinner.", "We had a big dinner."),
    ("She is a amazing friend.", "She is an amazing friend."),
    ("We we walked for hours.", "We walked for hours."),
    ("It was the the best year.", "It was the best year."),
    ("I could of called sooner.", "I could have called sooner."),
    ("You should of seen it.", "You should have seen it."),
    ("Thank you , truly.", "Thank you, truly."),
    ("I love you ; always.", "I love you; always."),
    ("Yes,of course.", "Yes, of course."),
    ("It rained.we stayed in.", "It rained. We stayed in."),
    ("We walked  to the sea.", "We walked to the sea."),
    ("the garden is in bloom.", "The garden is in bloom."),
    ("I will alwyas remember.", "I will always remember."),
    ("You are so beautful.", "You are so beautiful."),
    ("It was a wonderfull evening.", "It was a wonderful evening."),
    ("I am so gratefull.", "I am so grateful."),
    ("We shared a beatiful moment.", "We shared a beautiful moment."),
]
CLEAN = [
    "I think of you every morning.", "Thank you for the years of kindness.",
    "We walked along the harbor until the lights came on.", "It was an honest mistake, and I forgave it.",
    "You are a wonderful friend.", "I had had enough of the rain.", "That that was true surprised me.",
    "Dear Ana, I hope this finds you well.", "She said it was a unique evening.",
    "It was an hour before we spoke.", "We ate a one-pot supper by the fire.",
    "The children grew up too fast.", "Remember the summer we painted the fence?",
    "I am grateful for every ordinary day.", "With love, always.",
]


def proofreading() -> dict[str, Any]:
    """Precision: suggested changes that bring the sentence nearer its correction (by edits);
    recall: sentences with an error that the right changes correct exactly."""
    suggested = right = fixed = 0
    for wrong, correct in PROOF:
        changes = proofread(wrong).changes
        good = [c for c in changes if _distance(apply(wrong, [c]), correct) < _distance(wrong, correct)]
        suggested += len(changes)
        right += len(good)
        fixed += apply(wrong, good) == correct
    for sentence in CLEAN:
        suggested += len(proofread(sentence).changes)
    return {"proofread_sentences": len(PROOF) + len(CLEAN), "proofread_errors": len(PROOF),
            "proofread_precision": round(right / max(suggested, 1), 4),
            "proofread_recall": round(fixed / len(PROOF), 4)}


def typesetting(n: int = 100) -> dict[str, Any]:
    body = "Dear {to},\n\n" + "I think of you often, and of the years we had. " * 30 + "\n\nLove,\nTheo"
    letters = tuple(Letter(i, Brief(NAMES[i % len(NAMES)], "Theo", "thanks", client="Marek"), False, False,
                           float(i), (Version(1, body.format(to=NAMES[i % len(NAMES)]), Grounding(()),
                                              "drafted", float(i)),)) for i in range(1, n + 1))
    chosen = book.Chosen(letters)
    start = time.perf_counter()
    pdf = book.pdf(chosen, "Letters", "A hundred", "Theo", "A foreword.")
    pdf_s = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        book.epub(chosen, "Letters", "A hundred", "Theo", "A foreword.", Path(tmp) / "book.epub")
        epub_s = time.perf_counter() - start
    return {"book_letters": n, "book_pdf_s": round(pdf_s, 3), "book_epub_s": round(epub_s, 3),
            "book_pdf_bytes": len(pdf)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--drafts", type=int, default=120)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("-v", "--verbose", action="store_true", help="Print each flag on neither kind.")
    args = parser.parse_args()
    result = {**asyncio.run(grounding(args.drafts, args.verbose)), **proofreading(), **typesetting()}
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>24}: {value}")


if __name__ == "__main__":
    main()
