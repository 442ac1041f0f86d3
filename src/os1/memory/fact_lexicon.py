"""The words that state each attribute, written once as lemmas and matched in every inflection.

A verb is listed as its lemma ("relocate to") and matched as each of its forms ("relocates",
"relocated", "relocating"), after any auxiliaries ("'ve", "has been", "am"), so a tense or a
person the rules were never shown reads the same as one they were. Synonyms of an attribute (live,
move, relocate, settle; work, join, be employed) sit side by side in one table, and the nouns
that name an attribute ("my job is", "my employer is") in another.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# forms English does not make by rule (third person, past, participle, -ing)
IRREGULAR: dict[str, tuple[str, ...]] = {
    "be": ("be", "am", "'m", "is", "are", "'re", "was", "were", "been", "being"),
    "have": ("have", "has", "had", "having"),
    "do": ("do", "does", "did", "done", "doing"),
    "go": ("go", "goes", "went", "gone", "going"),
    "get": ("get", "gets", "got", "gotten", "getting"),
    "grow": ("grow", "grows", "grew", "grown", "growing"),
    "come": ("come", "comes", "came", "coming"),
    "become": ("become", "becomes", "became", "becoming"),
    "begin": ("begin", "begins", "began", "begun", "beginning"),
    "teach": ("teach", "teaches", "taught", "teaching"),
    "speak": ("speak", "speaks", "spoke", "spoken", "speaking"),
    "take": ("take", "takes", "took", "taken", "taking"),
    "leave": ("leave", "leaves", "left", "leaving"),
    "quit": ("quit", "quits", "quitted", "quitting"),
    "find": ("find", "finds", "found", "finding"),
    "run": ("run", "runs", "ran", "running"),
    "eat": ("eat", "eats", "ate", "eaten", "eating"),
    "drink": ("drink", "drinks", "drank", "drunk", "drinking"),
    "learn": ("learn", "learns", "learned", "learnt", "learning"),
    "bear": ("bear", "bears", "bore", "born", "borne", "bearing"),
    "raise": ("raise", "raises", "raised", "raising"),
    "split": ("split", "splits", "splitting"),
    "break": ("break", "breaks", "broke", "broken", "breaking"),
    "drop": ("drop", "drops", "dropped", "dropping"),
}
_VOWEL = "aeiou"


def forms(lemma: str) -> tuple[str, ...]:
    """Every form of a verb: its lemma, third person, past (and participle) and -ing form."""
    if lemma in IRREGULAR:
        return IRREGULAR[lemma]
    if re.search(r"(?:s|sh|ch|x|z|o)$", lemma):
        third = lemma + "es"
    elif re.search(rf"[^{_VOWEL}]y$", lemma):
        third = lemma[:-1] + "ies"
    else:
        third = lemma + "s"
    if lemma.endswith("e"):
        past, ing = lemma + "d", (lemma if lemma.endswith("ee") else lemma[:-1]) + "ing"
    elif re.search(rf"[^{_VOWEL}]y$", lemma):
        past, ing = lemma[:-1] + "ied", lemma + "ing"
    elif re.fullmatch(rf"[^{_VOWEL}]*[{_VOWEL}][^{_VOWEL}wxy]", lemma):  # one short syllable: stop, plan
        past, ing = lemma + lemma[-1] + "ed", lemma + lemma[-1] + "ing"
    else:
        past, ing = lemma + "ed", lemma + "ing"
    return (lemma, third, past, ing)


def any_form(lemmas: Iterable[str]) -> str:
    """A regex for any form of any of the verbs, longest first."""
    words = sorted({f for lemma in lemmas for f in forms(lemma)}, key=len, reverse=True)
    return "(?:" + "|".join(re.escape(w) for w in words) + ")"


# auxiliaries and adverbs that may stand before the verb: "have been living in", "'m now based in"
AUXILIARY = (r"(?:(?:have|'ve|has|had|am|'m|is|are|'re|was|were|been|be|got|get|also|since|"
             r"now|mostly|mainly|only|currently|happily|officially|already|finally|recently|"
             r"just|still|actually)\s+)*")
# one word between a verb and its preposition: "work nights at", "work part-time for"
_SLOT = r"(?:(?!(?:in|at|for|to|as|with|on|by|from|of|a|an|the|my|our|his|her|and)\b)[a-z]+(?:-[a-z]+)? )?"

# attribute: its verb phrases, each (lemmas, what follows the verb as a regex)
_JOB = (r"(?:a |the |my |her |his |their )?(?:new |first |full-time |part-time )?"
        r"(?:job|position|role|post|place)")
ATTRIBUTE_VERBS: dict[str, tuple[tuple[str, str], ...]] = {
    "lives_in": (("live", f"{_SLOT}in"), ("move|relocate|emigrate", "(?:back |over |out |away )?to"),
                 ("settle", "(?:down )?in"), ("base", "in"), ("live", "just outside|outside"),
                 ("live", "(?:by|near|on)(?=.* in [A-Z])")),
    "works_at": (("work", f"{_SLOT}(?:at|for)"), ("employ", "(?:at|by)"), ("join", ""),
                 ("get|land|start|take|accept|begin|find", f"{_JOB} (?:at|with)"),
                 ("start|begin", "(?:working |work )?(?:at|for)"), ("move", "jobs? to")),
    "works_as": (("work", f"{_SLOT}as"), ("get|land|start|take|find", f"{_JOB} as"),
                 ("become", ""), ("train", "as")),
    "from": (("be", "(?:originally )?from"), ("grow", "up in"), ("come", "from"),
             ("bear|raise", "(?:and raised )?in")),
    "studies": (("study", ""), ("do", r"(?:a|an|my) (?i:degree|master's|masters|phd|doctorate|course|"
                                r"ba|bsc|ma|msc|mba|diploma|apprenticeship) in"), ("major", "in")),
    "learning": (("learn", ""), ("take", r"(?:\w+ )?lessons in")),
    "plays": (("play", ""),),
    "teaches": (("teach", ""),),
    "speaks": (("speak", ""),),
    "allergic_to": (("be", "(?:very |severely |badly |seriously )?allergic to"),),
}


def verb_pattern(attribute: str) -> str:
    """A regex for every way the lexicon states ``attribute`` at the start of a verb phrase."""
    alternatives = []
    for lemmas, tail in ATTRIBUTE_VERBS[attribute]:
        verb = any_form(lemmas.split("|"))
        alternatives.append(f"{verb}(?: {tail})?" if tail == "" else f"{verb} (?:{tail})")
    return AUXILIARY + "(?:" + "|".join(alternatives) + ")"


def all_verbs() -> str:
    """Any form of any verb in the lexicon: where an elided subject starts a new clause."""
    lemmas = {lemma for phrases in ATTRIBUTE_VERBS.values() for names, _ in phrases
              for lemma in names.split("|")} - {"be", "do", "get", "take", "find", "bear"}
    return any_form(lemmas | {"love", "like", "have", "drink", "quit", "leave"})


def lasting_verbs() -> str:
    """The verbs that state an attribute (not the light ones: "be", "do", "get", "have"), whose
    "-ing" form tells of a state ("are settling in", "'m working at") rather than a moment."""
    lemmas = {lemma for phrases in ATTRIBUTE_VERBS.values() for names, _ in phrases
              for lemma in names.split("|")}
    return any_form(lemmas - {"be", "do", "get", "take", "find", "have", "start", "play", "speak", "join"})


# nouns that name an attribute: "my job is nursing", "my employer is the NHS"
ATTRIBUTE_NOUNS: dict[str, str] = {
    "job": "works_as", "role": "works_as", "profession": "works_as", "occupation": "works_as",
    "job title": "works_as", "employer": "works_at", "company": "works_at", "workplace": "works_at",
    "hometown": "from", "home town": "from", "home": "lives_in", "age": "age",
    "diet": "diet", "drink": "drink", "allergy": "allergic_to",
}

# verbs that end what they are said of, and the attributes they can end: "I quit Tesco" (a job
# or a course, not a town one leaves for a weekend), "we moved out of Leeds" (a home)
_WORK = ("works_at", "works_as", "studies")
ENDING_VERBS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("quit|leave", "", _WORK), ("resign", "from", _WORK), ("drop", "out of", ("studies",)),
    ("move|get", "(?:out of|away from)", ("lives_in",)), ("graduate", "from", ("studies",)),
    ("stop", "(?:working (?:at|for))", ("works_at",)), ("stop", "studying", ("studies",)),
)


def ending_patterns() -> list[tuple[str, tuple[str, ...]]]:
    """Each ending verb phrase as a regex, with the attributes it ends."""
    return [(AUXILIARY + (f"{any_form(lemmas.split('|'))}" + (f" {tail}" if tail else "")), ends)
            for lemmas, tail, ends in ENDING_VERBS]


# agent-noun endings: a noun after "I'm a" that names a trade ("welder", "zookeeper", "florist")
AGENT = re.compile(r"(?:er|or|ist|ician|eer|smith|wright|keeper|monger|maker)$")
# agent nouns that name a family member, a temperament or a pastime rather than a job
NOT_JOBS = frozenset(
    "mother father brother sister daughter grandmother grandfather stepmother stepfather owner "
    "member fan lover believer dreamer worrier overthinker introvert extrovert optimist pessimist "
    "perfectionist beginner newbie runner swimmer gamer reader walker hiker climber cyclist "
    "supporter follower user customer partner person parent adult teenager foreigner stranger "
    "vegetarian pescatarian libertarian christian humanitarian introvert northerner southerner "
    "morning night early late dinner winner loser survivor smoker drinker eater sleeper learner "
    "listener talker thinker commuter hater lover donor visitor ancestor neighbor neighbour "
    "other outsider insider".split())
# words before an agent noun that make it a habit or a temperament ("light sleeper", "people
# person"), or no longer true ("retired teacher")
NOT_TRADES = frozenset(
    "good bad great terrible awful fast slow light heavy picky fussy big huge massive avid keen "
    "natural born total real proper serial compulsive chronic social early late quick casual "
    "occasional regular lifelong fellow former retired ex people dog cat morning night day "
    "hopeless hopeful die-hard diehard devoted loyal".split())
