"""Search finds senders by name and by address, and only what matches (the real index, in memory)."""

from __future__ import annotations

from os1.mail.index import MailIndex
from os1.mail.parse import parse
from os1.mail.similar import simhash
from tests.mail.conftest import mail


def index_of(*raws: bytes) -> MailIndex:
    index = MailIndex()
    parsed = [parse(raw) for raw in raws]
    index.add("INBOX", 1, [(n, (), p, simhash(p.text)) for n, p in enumerate(parsed, 1)])
    return index


def test_search_by_name_address_and_words() -> None:
    index = index_of(mail("Chidi Okafor <chidi@uni.example>", "Ethics seminar", "See you Tuesday."),
                     mail("ana@example.org", "Lunch", "Chidi said the seminar moved.", to="me@example.org"),
                     mail("news@example.org", "Weekly digest", "Stories from example.org"),
                     mail("me@example.org", "Re: Lunch", "Friday?", to="ana@example.org"))
    assert [m.subject for m in index.search("Okafor")] == ["Ethics seminar"]
    assert {m.subject for m in index.search("ana@example.org")} == {"Lunch", "Re: Lunch"}
    assert index.search("ana@example.org")[0].from_addr == "ana@example.org"  # from them first
    assert [m.subject for m in index.search("seminar moved")] == ["Lunch"]  # every word
    assert index.search("nobody@example.net") == [] and index.search("okafor tuesday wedding") == []


def test_an_index_made_before_names_were_searchable_is_rebuilt(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import sqlite3

    path = tmp_path / "mail.sqlite3"
    first = MailIndex(path)
    first.add("INBOX", 1, [(1, (), parse(mail("Chidi Okafor <chidi@uni.example>", "Seminar", "Tue")), 0)])
    first.close()
    db = sqlite3.connect(path)  # the index as an older os1 left it: no sender names in FTS
    db.executescript("DROP TRIGGER messages_ai; DROP TRIGGER messages_ad; DROP TABLE messages_fts;"
                     "CREATE VIRTUAL TABLE messages_fts USING fts5(subject, from_addr, text,"
                     " content='messages', content_rowid='id');"
                     "INSERT INTO messages_fts(messages_fts) VALUES ('rebuild');")
    db.close()
    assert [m.subject for m in MailIndex(path).search("okafor")] == ["Seminar"]


def test_requests_for_mail_calendar_or_contacts_are_recognised() -> None:
    from os1.mail.asking import skill_request

    for asked in ("check my mail", "Can you check my email?", "any new mail?",
                  "reply to Ana that Friday works",
                  "what's on my calendar tomorrow", "clean up my inbox", "merge my contacts",
                  "add lunch with Ana to the calendar"):
        assert skill_request(asked), asked
    for said in ("I got a letter from my mother", "the mail carrier was late", "tell me about your day",
                 "what is a calendar year?"):
        assert not skill_request(said), said
