"""Fetching a web page: never automatic. The URL must be confirmed by the user (it is a
sensitive value), the request is outbound (logged, rate limited), and the page comes back as
outside content with hidden parts removed. Offered to every user, through ``register_tools``."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from os1.errors import ToolFailed
from os1.hookspecs import hookimpl
from os1.outside import Outside, html_to_text
from os1.tools.base import Policy, Tool, tool

MAX_BYTES = 500_000


async def fetch_url(url: str) -> Outside:
    """Fetch a web page the user asked for and return its visible text."""
    if not url.startswith(("http://", "https://")):
        raise ToolFailed("only http and https pages can be fetched")
    try:
        async with httpx.AsyncClient(timeout=20, follow_redirects=False) as client:
            response = await client.get(url)
    except httpx.HTTPError as exc:
        raise ToolFailed(f"cannot fetch {url}: {exc}") from exc
    body = response.content[:MAX_BYTES].decode(response.encoding or "utf-8", "replace")
    text = html_to_text(body) if "html" in response.headers.get("content-type", "") else body
    return Outside(((f"page {url}", text),), note=f"HTTP {response.status_code}")


def web_tools() -> list[Tool]:
    return [tool(fetch_url, policy=Policy.CONFIRM, sensitive=("url",), outbound=True)]


@hookimpl
def register_tools(register: Callable[[Tool], None]) -> None:
    for found in web_tools():
        register(found)
