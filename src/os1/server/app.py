"""The ASGI app of ``os1 serve``: the API routes, the sockets and the web app, one process.

Every error leaves as one JSON line (``{"error": ...}``); nothing reaches a client as a
traceback. Request bodies are capped before they are read, and every answer carries headers
that keep the web app's pages to their own origin (and, over HTTPS, on HTTPS)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, nullcontext
from importlib.resources import files
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from os1 import __version__
from os1.config import Settings
from os1.errors import (
    AccountError,
    ConfigError,
    InputError,
    LLMError,
    MemoryStoreError,
    Os1Error,
    VoiceError,
)
from os1.llm.base import ChatModel
from os1.server.api import (
    accounts,
    agents,
    chat,
    credentials,
    goodbye,
    inner,
    letters,
    memories,
    music,
    play,
    profile,
    push,
    share,
    voice,
)
from os1.server.observe import Metrics, Observed
from os1.server.site import open_site, worker_name

log = logging.getLogger(__name__)
DEFAULT_THREADS = 64  # threads of the loop's default executor in a worker
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy",
     b"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:;"
     b" media-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none';"
     b" form-action 'self'"),
]
HSTS = (b"strict-transport-security", b"max-age=31536000")
STATUS_OF_ERROR: list[tuple[type[Os1Error], int]] = [
    (InputError, 400), (AccountError, 400), (MemoryStoreError, 503), (LLMError, 502), (ConfigError, 500),
    (VoiceError, 503)]


def web_root() -> Path:
    return Path(str(files("os1.server").joinpath("web")))


class Guarded:
    """Caps request bodies at ``limit`` bytes (413) and adds the security headers."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await JSONResponse({"error": f"the request body is over {self.limit:,} bytes"}, 413)(
                scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise HTTPException(413, f"the request body is over {self.limit:,} bytes")
            return message

        # behind TLS (directly, or a trusted proxy's X-Forwarded-Proto), browsers are told to
        # come back only over HTTPS
        extra = [*SECURITY_HEADERS, *([HSTS] if scope.get("scheme") == "https" else [])]

        async def headed(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, counted, headed)


def _one_line(exc: RequestValidationError) -> str:
    first: dict[str, Any] = exc.errors()[0] if exc.errors() else {}
    where = ".".join(str(p) for p in first.get("loc", ()) if p != "body") or "the request"
    return f"{where}: {first.get('msg', 'is malformed')}"


def _handlers(app: FastAPI) -> None:
    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        return JSONResponse({"error": str(exc.detail)}, exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def malformed(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"error": _one_line(exc)}, 422)

    @app.exception_handler(Os1Error)
    async def os1_error(request: Request, exc: Os1Error) -> JSONResponse:
        status = next((code for kind, code in STATUS_OF_ERROR if isinstance(exc, kind)), 500)
        return JSONResponse({"error": str(exc).splitlines()[0] if str(exc) else type(exc).__name__}, status)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error in %s %s", request.method, request.url.path)
        return JSONResponse({"error": "something went wrong on the server; it has been logged"}, 500)


def create_app(settings: Settings, *, models: dict[str, ChatModel] | None = None) -> FastAPI:
    """The app for ``settings``; the site (stores, accounts, hub) opens with the app's lifespan.
    ``models`` are chat models to use instead of building the configured ones (tests)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # blocking work (embedding, opening stores) runs on the loop's default executor; many
        # people's background embeddings may wait there for a turn's own, so it has room for them
        asyncio.get_running_loop().set_default_executor(
            ThreadPoolExecutor(DEFAULT_THREADS, thread_name_prefix="os1-blocking"))
        site = await open_site(settings)
        site.spaces.provide(models or {})
        app.state.site = site
        site.metrics = metrics
        metrics.watch(site)
        if server.metrics_port:
            metrics.serve(server.metrics_host, server.metrics_port)
        try:
            async with people_mcp.run() if people_mcp else nullcontext():  # MCP sessions (server/mcp.py)
                yield
        finally:
            metrics.close()
            await site.close()

    server = settings.server
    metrics = Metrics()
    docs = server.api_docs == "on" or (server.api_docs == "auto" and server.mode == "single")
    app = FastAPI(title="os1", version=__version__, lifespan=lifespan,
                  description="The os1 companion over HTTP and WebSockets (docs/api.md).",
                  docs_url="/docs" if docs else None, redoc_url="/redoc" if docs else None,
                  openapi_url="/openapi.json" if docs else None)
    for module in (accounts, credentials, chat, memories, profile, push, share, voice, inner, goodbye, play,
                   music):
        app.include_router(module.router)
    app.include_router(letters.router)
    app.include_router(agents.router)  # other agents, over A2A (docs/agents.md)
    app.include_router(accounts.local)
    _handlers(app)
    if settings.agents.a2a_card:  # os1's Agent Cards (docs/agents.md)
        from os1.server.a2a import LoopbackOnly, People, card_routes

        if server.mode == "single":
            app.router.routes.extend(card_routes(settings, app.state))
            app.add_middleware(LoopbackOnly)
        else:
            app.router.routes.extend(People(settings, app.state).routes())
    if server.https:  # how a phone trusts os1's own certificate (os1 serve --https)
        from os1.server.tls import DIR
        from os1.server.trust import trust_routes

        app.router.routes.extend(trust_routes(settings.home / DIR / "ca.pem"))
    people_mcp: Any = None
    if server.mode == "multi":  # each person's data over MCP, with their own tokens (docs/agents.md)
        from os1.server.mcp import PeopleMcp

        people_mcp = PeopleMcp(app.state)
        app.router.routes.append(people_mcp.route)
    app.mount("/", StaticFiles(directory=web_root(), html=True, check_dir=False), name="web")
    app.add_middleware(Guarded, limit=settings.server.max_body_bytes)
    app.add_middleware(Observed, metrics=metrics, worker=worker_name(settings))
    app.state.metrics = metrics
    return app
