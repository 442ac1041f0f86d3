"""Rules that draw facts from one clause of plain English (see ``fact_clauses``) as structure:
a subject (``user``, ``user's sister``, or a person's name to be resolved by the store), an
attribute (``lives_in``, ``works_at``, ``name``...) and a value (the place, the employer, the
role). The same verbs serve the user ("I work at") and the people in their life ("my sister works
at", "Ana works at")."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from os1.memory.base import FactDraft
from os1.memory.fact_lexicon import (
    AGENT,
    ATTRIBUTE_NOUNS,
    NOT_JOBS,
    NOT_TRADES,
    all_verbs,
    any_form,
    ending_patterns,
    verb_pattern,
)

RELATIONS = (
    r"best friend|friend|sister|brother|mother|mom|mum|father|dad|wife|husband|partner|boyfriend|"
    r"girlfriend|fianc[ée]e?|stepson|stepdaughter|son|daughter|boss|cousin|aunt|uncle|"
    r"grandmother|grandma|granny|nan|grandfather|grandpa|grandad|granddad|niece|nephew|roommate|flatmate|housemate|colleague|coworker|neighbou?r|therapist|"
    r"ex-wife|ex-husband|ex|dog|cat|puppy|kitten|rabbit|bunny|hamster|parrot|tortoise|horse|ferret|gecko|goldfish|"
    r"snake|lizard|budgie|pony|goat"
)
PARTNERS = ("girlfriend", "boyfriend", "partner", "fiance", "fiancee")
SPOUSES = ("wife", "husband")
_ALIASES = {"mom": "mother", "mum": "mother", "dad": "father", "grandma": "grandmother",
            "grandpa": "grandfather", "neighbour": "neighbor", "coworker": "colleague",
            "flatmate": "roommate", "grandad": "grandfather", "granddad": "grandfather",
            "granny": "grandmother", "nan": "grandmother", "housemate": "roommate",
            "fiancé": "fiance", "fiancée": "fiancee",
            "puppy": "dog", "kitten": "cat", "bunny": "rabbit"}
OCCUPATIONS = (
    r"nurse|teacher|doctor|engineer|software engineer|developer|software developer|programmer|"
    r"designer|graphic designer|lawyer|chef|cook|writer|journalist|accountant|architect|"
    r"pharmacist|dentist|vet|veterinarian|musician|artist|photographer|barista|waiter|waitress|"
    r"librarian|scientist|researcher|student|professor|lecturer|electrician|plumber|carpenter|"
    r"mechanic|pilot|firefighter|paramedic|police officer|social worker|therapist|translator|"
    r"data scientist|data analyst|analyst|consultant|manager|product manager|project manager|"
    r"editor|illustrator|baker|farmer|midwife|surgeon|psychologist|letter writer|copywriter|"
    r"tattoo artist|hairdresser|physiotherapist|paralegal|receptionist|cashier|tutor|coach"
)
DRINKS = r"tea|coffee|matcha|green tea|herbal tea|chai|espresso"
DIETS = r"vegan|vegetarian|pescatarian|pescetarian|keto|gluten-free|dairy-free|lactose intolerant"
NATIONALITY = re.compile(
    r"^(?:[A-Z][a-z]+(?:ish|ese|ian|ican)|Thai|Greek|Dutch|Swiss|Czech|French|German|Israeli|"
    r"Pakistani|Iraqi|Saudi|Somali|Nepali|Bengali|Kuwaiti|Omani|Qatari|Yemeni|Kenyan|Mexican|"
    r"Korean|Cuban|Chilean|Peruvian|Jewish|Muslim|Christian|Catholic|Hindu|Buddhist|Sikh|Irish|"
    r"Scottish|Welsh|English|British|American|Canadian|European|African|Asian|Latina?|Latinx|"
    r"Black|White|Gay|Queer|Trans|Bi)$")
_NOT_NAMES = frozenset(
    "I The My We He She They It This That There Here Monday Tuesday Wednesday Thursday Friday"
    " Saturday Sunday January February March April May June July August September October"
    " November December Sorry Thanks Yes No Oh Hi Hey Well So And But Also Today Tonight"
    " Just Really Honestly Anyway Okay Ok Now Then Our Your His Her Their".split())
NAME = (r"(?P<name>[A-Z][a-z\u00e0-\u00ff]+(?:[-'][A-Z][a-z\u00e0-\u00ff]+)?"
        r"(?: [A-Z][a-z\u00e0-\u00ff]+)?)")
_CUT = re.compile(r"\s+(?:with|for|because|where|which|who|whom|that|since|until|after|before|"
                  r"when|while|as|and|but|so|or|near|on|by|to be|who's)\b.*$|\s*[,;:(].*$")
_TRIVIAL = re.compile(
    r"^(?:it|this|that|them|you|him|her|these|those|one|some|any|lots?|all|everything|"
    r"an? (?:lot|bit|little|few|moment|minute|second|sec|question|headache|cold|meeting|call|date|"
    r"plan|idea|problem|deadline|appointment|feeling|test|exam|flight|chat|look|break|nap|go|"
    r"chance|point|sec|hunch|clue|feeling))\b", re.I)

# attribute: (the verbs a subject states it with, from the lexicon; a sentence for the fact)
VERBS: dict[str, tuple[str, str]] = {
    "lives_in": (verb_pattern("lives_in"), "lives in {}"),
    "works_at": (verb_pattern("works_at"), "works at {}"),
    "works_as": (verb_pattern("works_as"), "works as {}"),
    "from": (verb_pattern("from"), "is from {}"),
    "studies": (verb_pattern("studies"), "studies {}"),
    "learning": (verb_pattern("learning"), "is learning {}"),
    "plays": (verb_pattern("plays"), "plays {}"),
    "teaches": (verb_pattern("teaches"), "teaches {}"),
    "speaks": (verb_pattern("speaks"), "speaks {}"),
    "allergic_to": (verb_pattern("allergic_to"), "is allergic to {}"),
}
# attributes whose value is a thing done, not where: "bass in a band" is "bass"
_NO_PLACE = ("plays", "studies", "learning", "teaches", "speaks")
_PHRASES = {**{k: v[1] for k, v in VERBS.items()}, "name": "is called {}", "age": "is {} years old",
            "birthday": "has a birthday on {}", "diet": "is {}", "drink": "drinks {}",
            "relationship": "is {}", "is_a": "is a {}", "has": "has {}", "like": "likes {}",
            "love": "loves {}", "enjoy": "enjoys {}", "hate": "hates {}", "dislike": "dislikes {}"}


def trim(value: str) -> str:
    """A value without what follows it in the clause ("Leeds with my girlfriend": "Leeds"),
    quotes, trailing punctuation or a possessive ("Tomas's": "Tomas")."""
    value = _CUT.sub("", value.strip())
    value = value.strip().strip("\"'").rstrip(".!?,;: ")
    return re.sub(r"\s+(?:too|as well|also|either)$", "", value)


def _place(value: str) -> str:
    """Where someone lives, without the home in it ("a tiny flat in Hackney": "Hackney")."""
    found = re.search(r"\bin (?P<place>[A-Z][\w'\- ]*)$", trim(value))
    return found["place"] if found else value


def relation(word: str) -> str:
    word = word.lower()
    return _ALIASES.get(word, word)


def sentence(subject: str, predicate: str, value: str) -> str:
    """The fact as a short sentence about the user or someone in their life."""
    if subject == "user" and predicate == "name":
        return f"The user's name is {value}."
    who = "The user" if subject == "user" else (
        f"The {subject}" if subject.startswith("user's ") else subject)
    if predicate.startswith("favorite_"):
        return f"{who}'s favorite {predicate.removeprefix('favorite_').replace('_', ' ')} is {value}."
    return f"{who} {_PHRASES.get(predicate, predicate.replace('_', ' ') + ' {}').format(value)}."


def draft(subject: str, predicate: str, value: str, since: float = 0.0,
          ends: tuple[str, ...] = ()) -> FactDraft | None:
    value = trim(value)
    if predicate in ("works_as", "is_a"):  # the role, not "a nurse"
        value = re.sub(r"^an? ", "", value)
    if not value or len(value) > 80 or _TRIVIAL.match(value):
        return None
    return FactDraft(sentence(subject, predicate, value), subject, predicate, value, since=since,
                     ends=ends)


Rule = tuple[re.Pattern[str], Callable[[re.Match[str]], Iterator[tuple[str, str, str]]]]


def _statements(subject: str, rest: str) -> Iterator[tuple[str, str, str]]:
    """What a clause says of ``subject`` after its name ("lives in Porto", "is a nurse at X"),
    each of its verb phrases ("is a teacher and lives in Lisbon")."""
    first, *more = _AND_VERB.split(rest, maxsplit=1)
    yield from _statement(subject, first)
    if more:
        yield from _statements(subject, _rest(more[0]))


_AND_VERB = re.compile(rf",? and (?=(?:has|is|was|{all_verbs()})\b)")


def _statement(subject: str, rest: str) -> Iterator[tuple[str, str, str]]:
    for predicate, (verbs, _) in VERBS.items():
        if found := re.match(rf"(?:{verbs})\s+(?P<obj>.+)", rest):
            value = found["obj"]
            if predicate == "lives_in":
                value = _place(value)
            elif predicate in _NO_PLACE:
                value = re.sub(r"\s+(?:in|at)\s+.*$", "", value)
            yield subject, predicate, value
            if predicate == "works_at" and (role := re.search(r" as (?:an? )?(?P<job>.+)$", found["obj"])):
                yield subject, "works_as", role["job"]
            return
    if (found := re.match(r"(?:is|'s|am|'m|are) (?:a|an) (?P<job>[a-z][a-z -]{1,40}?)"
                          r"(?: by (?:trade|profession)| for a living)?(?: (?:at|for) (?P<at>.+))?$", rest)) \
            and is_job(found["job"]):
        yield subject, "works_as", found["job"]
        if found["at"]:
            yield subject, "works_at", found["at"]


def is_job(words: str) -> bool:
    """Whether a noun phrase names a trade: a known occupation, or a noun made to name one who
    does something ("welder", "zookeeper", "florist"), not a relative, temperament or pastime."""
    if re.fullmatch(rf"(?:{OCCUPATIONS})", words):
        return True
    *before, head = words.split()
    return len(before) <= 2 and bool(AGENT.search(head)) and head not in NOT_JOBS \
        and not any(w in NOT_JOBS or w in NOT_TRADES for w in before)


def _user_rules() -> list[Rule]:
    def one(predicate: str, group: str = "obj") -> Callable[[re.Match[str]], Iterator[tuple[str, str, str]]]:
        def build(m: re.Match[str]) -> Iterator[tuple[str, str, str]]:
            yield "user", predicate, m[group]
        return build

    def feels(m: re.Match[str]) -> Iterator[tuple[str, str, str]]:
        verb = "hate" if "stand" in m["verb"] else m["verb"].lower().rstrip("s")
        yield "user", {"adore": "love"}.get(verb, verb), m["obj"]

    def favorite(m: re.Match[str]) -> Iterator[tuple[str, str, str]]:
        what = m["what"].strip().lower().replace(" ", "_")
        yield "user", f"favorite_{what}", m["obj"]

    def name(m: re.Match[str]) -> Iterator[tuple[str, str, str]]:
        if m["name"] not in _NOT_NAMES and not NATIONALITY.search(m["name"]):
            yield "user", "name", m["name"]

    def statement(m: re.Match[str]) -> Iterator[tuple[str, str, str]]:
        yield from _statements("user", _i_form(m["rest"]))

    def shared(m: re.Match[str]) -> Iterator[tuple[str, str, str]]:
        """"We" said of the user's home is the user's ("we've moved to Portobello")."""
        yield from (f for f in _statements("user", _i_form(m["rest"])) if f[1] == "lives_in")

    def noun(m: re.Match[str]) -> Iterator[tuple[str, str, str]]:
        predicate = ATTRIBUTE_NOUNS[m["noun"]]
        value = re.sub(r"^(?:an? )", "", m["obj"]) if predicate == "works_as" else m["obj"]
        yield "user", predicate, _place(value) if predicate == "lives_in" else value

    c = re.compile
    return [
        (c(rf"\bmy name is {NAME}"), one("name", "name")),
        (c(rf"\b(?:call me|people call me|I go by) {NAME}"), one("name", "name")),
        (c(rf"^I(?:'m| am) {NAME}$"), name),
        (c(rf"\bI(?:'m| am) (?P<obj>\d{{1,3}}|{NUMBER})(?: years old| years of age)?$"), one("age")),
        (c(rf"\bmy (?P<noun>{'|'.join(ATTRIBUTE_NOUNS)}) is (?P<obj>(?!\w+ing\b).+)"), noun),
        (c(r"^(?:we|[A-Z][a-z]+ and I|my \w+ and I|me and [A-Z][a-z]+)(?P<rest>(?:'ve|'re)? .+)"), shared),
        (c(r"\bI (?:have )?(?:just )?turned (?P<obj>\d{1,3})\b"), one("age")),
        (c(r"\bmy birthday is (?:on )?(?P<obj>.+)"), one("birthday")),
        (c(r"\bmy favou?rite (?P<what>[\w ]{2,30}?) (?:is|are) (?P<obj>.+)"), favorite),
        (c(r"^(?P<obj>.+?) (?:is|are) my (?:all-time )?favou?rite (?P<what>[\w ]{2,30})$"), favorite),
        (c(rf"\bI{BE}(?: a)? (?P<obj>{DIETS})\b"), one("diet")),
        (c(rf"\bI (?:have |'ve )?(?:gone|went|turned|became) (?P<obj>{DIETS})\b"), one("diet")),
        (c(rf"\bI{BE} (?:a|an) (?P<obj>{DRINKS}) (?:person|drinker|fan)\b"), one("drink")),
        # a closed class of drinks: any quantity before one ("way too much coffee")
        (c(rf"\bI (?:mostly |only |mainly )?drink (?:[a-z]+ ){{0,3}}?(?P<obj>{DRINKS})\b"),
         one("drink")),
        (c(rf"\bI(?: have|'ve)? switched (?:from (?:{DRINKS}) )?to (?P<obj>{DRINKS})\b"), one("drink")),
        (c(rf"\bI{BE} (?:a|an) (?P<obj>morning person|night owl|early bird|night person|"
           r"early riser)\b"), one("is_a")),
        (c(rf"\bI{BE} (?P<obj>single|married|engaged|divorced|widowed)\b"), one("relationship")),
        (c(r"\bI (?:got|just got|have got|'ve got) (?P<obj>married|engaged|divorced)\b"),
         one("relationship")),
        (c(r"\bI(?:'m| am) (?:a (?:big |huge )?fan of|into|obsessed with|passionate about) "
           r"(?P<obj>.+)"), one("like")),
        (c(r"\bI (?:really |truly |absolutely )?(?P<verb>like|love|enjoy|hate|dislike|adore|"
           r"can't stand|cannot stand) (?P<obj>.+)"), feels),
        (c(r"\bI (?:have|'ve got|have got) (?P<obj>(?:a|an|two|three|four|\d+) .+)"), one("has")),
        (c(r"^I(?P<rest>(?:'m|'ve)? .+)"), statement),
    ]


BE = r"(?:'m| am| have been|'ve been)"  # a state the user is in, and has been for a while
NUMBER = (r"(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:-(?:one|two|three|four|five|"
          r"six|seven|eight|nine))?|eighteen|nineteen")


def _i_form(rest: str) -> str:
    """A first-person verb phrase as the statement parser reads it ("'m a nurse": "am a nurse")."""
    return re.sub(r"^'(?:m|re)\b", "am", re.sub(r"^'ve\b", "have", rest.strip()))


USER_RULES = _user_rules()


def _people_rules() -> list[Rule]:
    """Rules about the people (and pets) in the user's life, named by relation or by name."""
    def named(m: re.Match[str]) -> Iterator[tuple[str, str, str]]:
        subject = f"user's {relation(m['rel'])}"
        if m["name"] not in _NOT_NAMES:
            yield subject, "name", m["name"]
        if m.groupdict().get("rest"):
            yield from _statements(subject, _rest(m["rest"]))

    c = re.compile
    kin = r"(?:(?:twin|older|younger|little|big|baby|eldest|oldest|youngest|new|step-) ?)?"
    rel = rf"{kin}(?P<rel>{RELATIONS})"
    verbs = all_verbs()
    return [
        (c(rf"\b(?:my|our|the) {rel}(?:'s name is|(?:,? is |'s |,? )(?:called|named)|,? (?:is|'s)) "
           rf"{NAME}$"), named),
        (c(rf"\b(?:my|our|the) {rel}(?:'s name is|(?:,? is |'s |,? )(?:called|named)) {NAME}"
           rf"(?:,? (?P<rest>.+))?"), named),
        (c(rf"\bI (?:have|'ve got|have got) (?:a|an|one) (?:(?:older|younger|little|big|twin|new) )?"
           rf"{rel},? (?:called |named )?{NAME}(?:,? (?:who )?(?P<rest>.+))?$"), named),
        (c(rf"\b(?:we|I) (?:have |'ve )?{any_form(('call', 'rename', 'name'))} (?:the|our|my) {rel} "
           rf"(?:to )?{NAME}"), named),
        (c(rf"\b(?:we|I) (?:have|'ve got|have got) (?:a|an|one) (?P<rel>[a-z]+)(?: (?:called|named)) "
           rf"{NAME}$"), named),
        (c(rf"\bmy (?:new )?{rel},? {NAME}(?:,)?(?: (?P<rest>.+))?$"), named),
        (c(rf"\bmy {rel}(?P<rest>(?:'s| is| has| was| {verbs})\b.+)$"), related_rest),
        (c(rf"^{NAME}(?P<rest>(?:'s| is| has| was| {verbs})\b.+)$"), by_name_rest),
    ]


def _rest(rest: str) -> str:
    """A third-person verb phrase as the statement parser reads it ("'s moved": "has moved")."""
    rest = rest.strip()
    if rest.startswith("'s "):
        follows = rest[3:]
        rest = ("has " if re.match(r"(?:moved|got|started|joined|become|settled|lived|been)\b",
                                   follows) else "is ") + follows
    return rest


def related_rest(m: re.Match[str]) -> Iterator[tuple[str, str, str]]:
    yield from _statements(f"user's {relation(m['rel'])}", _rest(m["rest"]))


def by_name_rest(m: re.Match[str]) -> Iterator[tuple[str, str, str]]:
    if m["name"] not in _NOT_NAMES and " " not in m["name"]:
        yield from _statements(m["name"], _rest(m["rest"]))


PEOPLE_RULES = _people_rules()
_BREAKUP = re.compile(r"\b(?:we|I|[A-Z][a-z]+ and I|me and [A-Z][a-z]+)(?: have|'ve)? (?:just )?(?:broke|"
                      r"broken|split|splitted|separated)(?: up)?\b|\bI(?: have|'ve)? (?:broke|"
                      r"broken|split) up with\b|\bit's over (?:with|between)\b")
_DIVORCE = re.compile(r"\b(?:we|I)(?: have|'ve)? (?:got |gotten )?divorced\b")


_ENDINGS = [(re.compile(rf"^(?:I|we) {verb} (?P<obj>.+)$"), ends) for verb, ends in ending_patterns()]
_MEAT = re.compile(rf"^I {any_form(('eat', 'start'))} (?:eating )?(?:meat|fish|chicken)\b")


def endings(clause: str, since: float) -> list[FactDraft]:
    """What the user says has ended without saying what replaced it: "I quit Tesco", "we moved
    out of Leeds" (whatever fact of the user has that value), "I quit my job" (the job), "I eat
    meat again" (the diet)."""
    if _MEAT.search(clause):
        return [FactDraft("", "user", "diet", "", since=since, closes=True)]
    for pattern, ends in _ENDINGS:
        if not (found := pattern.match(clause)) or not (value := trim(found["obj"])):
            continue
        if re.fullmatch(r"(?:my|the|that|this) (?:job|work|role|position)", value):
            return [FactDraft("", "user", p, "", since=since, closes=True) for p in ("works_at", "works_as")]
        return [FactDraft("", "user", p, value, since=since, closes=True) for p in ends]
    return []


def changes(clause: str, since: float) -> list[FactDraft]:
    """A relationship that ended, said as an event ("we broke up"): the partner's facts end."""
    if _BREAKUP.search(clause):
        ends = tuple(f"user's {p}" for p in PARTNERS)
        return [FactDraft("The user is single.", "user", "relationship", "single", since=since, ends=ends)]
    if _DIVORCE.search(clause):
        ends = tuple(f"user's {p}" for p in (*PARTNERS, *SPOUSES))
        return [FactDraft("The user is divorced.", "user", "relationship", "divorced", since=since,
                          ends=ends)]
    return []
