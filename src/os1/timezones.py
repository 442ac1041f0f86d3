"""Each person's own time zone (an IANA name such as ``Europe/Lisbon``, kept in their profile as
``time_zone``), for what os1 says the time is and for when their quiet hours fall. Without one,
the machine's local time zone is used, which is right for os1 on a person's own computer."""

from __future__ import annotations

from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from os1.errors import InputError


def check_zone(name: str) -> str:
    """``name`` if it is a time zone this machine knows, else an InputError in one line."""
    name = name.strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(f"unknown time zone {name[:60]!r}: use a name such as Europe/Lisbon") from None
    return name


def zone_of(profile: dict[str, str]) -> tzinfo | None:
    """The profile's time zone, or None for the machine's own (also when the name is unknown)."""
    name = profile.get("time_zone", "").strip()
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def user_zone(profile: dict[str, str]) -> tzinfo:
    """The profile's time zone, else the machine's own."""
    zone = zone_of(profile) or datetime.now().astimezone().tzinfo
    assert zone is not None  # an aware datetime always has one
    return zone


def now_in(profile: dict[str, str]) -> datetime:
    """The time now where the profile's person lives."""
    zone = zone_of(profile)
    return datetime.now(zone) if zone is not None else datetime.now().astimezone()
