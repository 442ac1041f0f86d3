"""Merging cards keeps every field; conflicts are named and can be chosen."""

from __future__ import annotations

import vobject

from os1.dav.contacts import parse_vcard
from os1.dav.merge import key, lost, merge_cards

WORK = """BEGIN:VCARD\r
VERSION:3.0\r
UID:ana-work\r
FN:Ana Souza\r
N:Souza;Ana;;;\r
EMAIL;TYPE=work:ana@firm.example\r
TEL;TYPE=work:+351 21 123 4567\r
TEL;TYPE=cell:+351 912 345 678\r
ORG:Firm Lda\r
BDAY:1990-04-02\r
item1.ADR:;;Rua A 1;Lisboa;;1000;Portugal\r
item1.X-ABLabel:studio\r
END:VCARD\r
"""
HOME = """BEGIN:VCARD\r
VERSION:3.0\r
UID:ana-home\r
FN:Ana Maria Souza\r
N:Souza;Ana;Maria;;\r
EMAIL;TYPE=home:ana@home.example\r
TEL;TYPE=home:912345678\r
ADR;TYPE=home:;;Rua B 2;Porto;;4000;Portugal\r
NOTE:met at the conference\r
BDAY:1990-02-04\r
item1.X-ABLabel:old studio\r
item1.URL:https://ana.example\r
END:VCARD\r
"""


def test_a_merge_keeps_every_field_and_names_conflicts() -> None:
    group = [parse_vcard(WORK), parse_vcard(HOME)]
    result = merge_cards(group)
    assert lost(group, result.vcard) == []
    card = vobject.readOne(result.vcard)
    assert card.uid.value == "ana-work" and card.fn.value == "Ana Maria Souza"
    assert {str(a.value.city) for a in card.contents["adr"]} == {"Lisboa", "Porto"}
    assert card.org.value == ["Firm Lda"] and card.note.value == "met at the conference"
    [cell] = [t for t in card.contents["tel"] if "912" in t.value]  # one number, both labels
    assert set(cell.params["TYPE"]) == {"cell", "home"}
    labels = {(line.group, line.value) for line in card.contents["x-ablabel"]}
    assert labels == {("item1", "studio"), ("c1item1", "old studio")}  # each label by its own field
    assert {c.field: c.chosen for c in result.conflicts} == {"FN": 1, "N": 1, "BDAY": 0}  # N as FN
    picked = merge_cards(group, {"bday": 2, "fn": 1})
    assert vobject.readOne(picked.vcard).bday.value == "1990-02-04"
    assert vobject.readOne(picked.vcard).fn.value == "Ana Souza"
    assert "--pick bday=N" in picked.preview(group)
    assert key(vobject.readOne(WORK).email) == ("EMAIL", "", "ana@firm.example")
