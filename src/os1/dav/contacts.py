"""Contacts over CardDAV (RFC 6352) with vCards parsed by ``vobject``; duplicate people found
by name, address or phone, merged with review and one-step undo.

CardDAV is three plain WebDAV requests here (REPORT addressbook-query, PUT, DELETE), sent with
httpx; the ``caldav`` library speaks only CalDAV.
"""

from __future__ import annotations

import asyncio
import json
import re
import unicodedata
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import httpx
import vobject

from os1.config import CalendarSettings
from os1.errors import ConfigError, ToolFailed, ToolInputError
from os1.files import private_dir, write_private

_NS = {"d": "DAV:", "c": "urn:ietf:params:xml:ns:carddav"}
_QUERY = ('<?xml version="1.0" encoding="utf-8"?><c:addressbook-query xmlns:d="DAV:" '
          'xmlns:c="urn:ietf:params:xml:ns:carddav"><d:prop><d:getetag/><c:address-data/></d:prop>'
          '</c:addressbook-query>')
_MKCOL = ('<?xml version="1.0" encoding="utf-8"?><d:mkcol xmlns:d="DAV:" '
          'xmlns:c="urn:ietf:params:xml:ns:carddav"><d:set><d:prop><d:resourcetype><d:collection/>'
          '<c:addressbook/></d:resourcetype><d:displayname>{name}</d:displayname></d:prop></d:set></d:mkcol>')


@dataclass(frozen=True)
class Contact:
    href: str
    uid: str
    name: str
    emails: tuple[str, ...]
    phones: tuple[str, ...]
    raw: str

    def line(self) -> str:
        return f"{self.name} {' '.join(self.emails)} {' '.join(self.phones)}".strip()


def parse_vcard(raw: str, href: str = "") -> Contact:
    try:
        card = vobject.readOne(raw)
    except Exception as exc:  # vobject raises several unrelated types on bad input
        raise ToolInputError(f"not a vCard: {exc}") from None
    contents = card.contents
    name = str(card.fn.value) if "fn" in contents else ""
    emails = tuple(str(e.value).strip().lower() for e in contents.get("email", []))
    phones = tuple(str(t.value).strip() for t in contents.get("tel", []))
    uid = str(card.uid.value) if "uid" in contents else href.rsplit("/", 1)[-1].removesuffix(".vcf")
    return Contact(href, uid, name, emails, phones, raw)


def make_vcard(name: str, emails: Sequence[str], phones: Sequence[str], uid: str | None = None) -> str:
    card = vobject.vCard()
    card.add("uid").value = uid or str(uuid.uuid4())
    card.add("fn").value = name
    parts = name.split()
    card.add("n").value = vobject.vcard.Name(family=parts[-1] if len(parts) > 1 else "",
                                             given=parts[0] if parts else "")
    for address in emails:
        card.add("email").value = address
    for number in phones:
        card.add("tel").value = number
    return str(card.serialize())


def _name_key(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return " ".join(sorted(re.findall(r"[a-z]+", plain)))


def _phone_key(phone: str) -> str:
    digits = re.sub(r"\D", "", phone)
    return digits[-9:] if len(digits) >= 7 else ""


def duplicates(contacts: Sequence[Contact]) -> list[list[Contact]]:
    """Groups of cards that are one person: same name (accents, order and case aside), or a
    shared address or phone number."""
    parent = list(range(len(contacts)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    seen: dict[str, int] = {}
    for i, contact in enumerate(contacts):
        keys = [f"n:{_name_key(contact.name)}"] if _name_key(contact.name) else []
        keys += [f"e:{e}" for e in contact.emails]
        keys += [f"p:{k}" for p in contact.phones if (k := _phone_key(p))]
        for key in keys:
            if key in seen:
                parent[root(i)] = root(seen[key])
            else:
                seen[key] = i
    groups: dict[int, list[Contact]] = {}
    for i, contact in enumerate(contacts):
        groups.setdefault(root(i), []).append(contact)
    return [g for g in groups.values() if len(g) > 1]


def merged(group: Sequence[Contact]) -> str:
    """One card for a group: the fullest name, every address and number once, the first UID."""
    name = max((c.name for c in group), key=lambda n: (len(n.split()), len(n)))
    emails = list(dict.fromkeys(e for c in group for e in c.emails))
    phones: dict[str, str] = {}
    for number in (p for c in group for p in c.phones):
        phones.setdefault(_phone_key(number) or number, number)
    return make_vcard(name, emails, list(phones.values()), uid=group[0].uid)


class AddressBook:
    """One CardDAV address book: ``{url}{username}/{addressbook}/``, made if missing."""

    def __init__(self, settings: CalendarSettings) -> None:
        if not settings.url or settings.password is None or not settings.username:
            raise ConfigError("contacts are not set up: set calendar.url, calendar.username and "
                              "calendar.password (see docs/mail.md)")
        self.url = urljoin(settings.url, f"{settings.username}/{settings.addressbook}/")
        self.name = settings.addressbook
        auth = (settings.username, settings.password.get_secret_value())
        self.http = httpx.AsyncClient(auth=auth, timeout=30)
        self._ready = False

    async def _request(self, method: str, url: str, **kw: object) -> httpx.Response:
        try:
            response = await self.http.request(method, url, **kw)  # type: ignore[arg-type]
        except httpx.HTTPError as exc:
            raise ToolFailed(f"cannot reach the address book: {exc}") from exc
        if response.status_code >= 400 and not (method == "PROPFIND" and response.status_code == 404):
            raise ToolFailed(f"the address book refused {method}: HTTP {response.status_code}")
        return response

    async def ensure(self) -> None:
        if self._ready:
            return
        found = await self._request("PROPFIND", self.url, headers={"Depth": "0"})
        if found.status_code == 404:
            await self._request("MKCOL", self.url, content=_MKCOL.format(name=self.name),
                                headers={"Content-Type": "application/xml"})
        self._ready = True

    async def contacts(self) -> list[Contact]:
        await self.ensure()
        response = await self._request("REPORT", self.url, content=_QUERY,
                                       headers={"Depth": "1", "Content-Type": "application/xml"})
        out = []
        for item in ET.fromstring(response.content).findall("d:response", _NS):
            href = item.findtext("d:href", default="", namespaces=_NS)
            data = item.findtext(".//c:address-data", default="", namespaces=_NS)
            if data.strip():
                out.append(parse_vcard(data, urljoin(self.url, href)))
        return sorted(out, key=lambda c: c.name.lower())

    async def put(self, vcard: str, href: str | None = None) -> str:
        await self.ensure()
        target = href or urljoin(self.url, f"{parse_vcard(vcard).uid}.vcf")
        await self._request("PUT", target, content=vcard.encode(),
                            headers={"Content-Type": "text/vcard; charset=utf-8"})
        return target

    async def delete(self, href: str) -> None:
        await self._request("DELETE", href)

    async def close(self) -> None:
        await self.http.aclose()


async def find_group(book: AddressBook, uids: Sequence[str]) -> list[Contact]:
    wanted = [u.strip() for u in uids if u.strip()]
    by_uid = {c.uid: c for c in await book.contacts()}
    missing = [u for u in wanted if u not in by_uid]
    if missing or len(wanted) < 2:
        raise ToolInputError(f"merge needs two or more existing contact uids (unknown: {missing})")
    return [by_uid[u] for u in wanted]


async def apply_merge(book: AddressBook, uids: Sequence[str], undo_file: Path) -> str:
    """Write the merged card over the first, delete the others; keep the originals for undo."""
    group = await find_group(book, uids)
    await asyncio.to_thread(_write_undo, undo_file, [{"href": c.href, "raw": c.raw} for c in group])
    await book.put(merged(group), group[0].href)
    for contact in group[1:]:
        await book.delete(contact.href)
    return f"merged {len(group)} cards into {group[0].name or group[0].uid}"


async def undo_merge(book: AddressBook, undo_file: Path) -> str:
    originals = await asyncio.to_thread(_read_undo, undo_file)
    for card in originals:
        await book.put(card["raw"], card["href"])
    await asyncio.to_thread(undo_file.unlink)
    return f"restored {len(originals)} cards"


def _write_undo(path: Path, cards: list[dict[str, str]]) -> None:
    private_dir(path.parent)
    write_private(path, json.dumps(cards))  # whole vCards: private


def _read_undo(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        raise ToolFailed("there is no merge to undo")
    return list(json.loads(path.read_text()))
