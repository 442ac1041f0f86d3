"""Contacts over CardDAV (RFC 6352) with vCards parsed by ``vobject``; duplicate people found
by name, address or phone (merging them: ``os1.dav.merge``).

CardDAV is three plain WebDAV requests here (REPORT addressbook-query, PUT, DELETE), sent with
httpx; the ``caldav`` library speaks only CalDAV.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urljoin

import httpx
import vobject

from os1.config import CalendarSettings
from os1.errors import ConfigError, ToolFailed, ToolInputError

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
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            card = vobject.readOne(raw)
    except Exception as exc:  # vobject raises several unrelated types on bad input
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:120]
        raise ToolInputError(f"not a valid vCard: {first}") from None
    contents = card.contents
    name = str(card.fn.value) if "fn" in contents else ""
    emails = tuple(str(e.value).strip().lower() for e in contents.get("email", []))
    phones = tuple(str(t.value).strip() for t in contents.get("tel", []))
    uid = str(card.uid.value) if "uid" in contents else href.rsplit("/", 1)[-1].removesuffix(".vcf")
    return Contact(href, uid, name, emails, phones, raw)


def read_vcards(data: bytes) -> list[str]:
    """The cards of a .vcf file, each whole (BEGIN:VCARD to END:VCARD) and readable, or one
    line saying which is not, before anything is written."""
    if b"\x00" in data:
        raise ToolInputError("not a vCard file (binary data)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ToolInputError("not a vCard file (not UTF-8 text)") from None
    cards: list[str] = []
    current: list[str] | None = None
    for number, line in enumerate(text.replace("\r\n", "\n").split("\n"), 1):
        word = line.strip().upper()
        if word == "BEGIN:VCARD":
            if current is not None:
                raise ToolInputError(f"card {len(cards) + 1} has no END:VCARD (line {number} begins another)")
            current = []
        if current is not None:
            current.append(line)
        elif line.strip():
            raise ToolInputError(f"not a vCard file: line {number} is outside any card")
        if word == "END:VCARD" and current is not None:
            cards.append("\r\n".join(current) + "\r\n")
            current = None
    if current is not None:
        raise ToolInputError(f"card {len(cards) + 1} has no END:VCARD (the file ends inside it)")
    if not cards:
        raise ToolInputError("not a vCard file (no BEGIN:VCARD)")
    for n, raw in enumerate(cards, 1):
        try:
            parse_vcard(raw)
        except ToolInputError as exc:
            raise ToolInputError(f"card {n}: {exc}") from None
    return cards


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


def phone_key(phone: str) -> str:
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
        keys += [f"p:{k}" for p in contact.phones if (k := phone_key(p))]
        for key in keys:
            if key in seen:
                parent[root(i)] = root(seen[key])
            else:
                seen[key] = i
    groups: dict[int, list[Contact]] = {}
    for i, contact in enumerate(contacts):
        groups.setdefault(root(i), []).append(contact)
    return [g for g in groups.values() if len(g) > 1]


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
            raise ToolFailed(f"cannot reach the address book: {exc or type(exc).__name__}") from exc
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
