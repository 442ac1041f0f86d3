"""One Radicale (CalDAV + CardDAV) for the session; each test gets its own collections."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

from os1.config import CalendarSettings
from os1.testing.servers import Dav, radicale

_names = itertools.count()


@pytest.fixture(scope="session")
def dav_server() -> Iterator[Dav]:
    with radicale() as dav:
        yield dav


@pytest.fixture
def dav(dav_server: Dav) -> CalendarSettings:
    n = next(_names)
    return CalendarSettings(url=dav_server.url, username=dav_server.user, password=dav_server.password,  # type: ignore[arg-type]
                            calendar=f"cal{n}", addressbook=f"book{n}")
