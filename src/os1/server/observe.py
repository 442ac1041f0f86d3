"""What a worker tells its operator: an access log line per request (method, path, status, time,
worker; never a body, a query string, a cookie or a token) on the ``os1.access`` logger, and
Prometheus metrics (prometheus-client) on a port of their own, never the public one."""

from __future__ import annotations

import logging
import time
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server
from starlette.types import ASGIApp, Message, Receive, Scope, Send

access = logging.getLogger("os1.access")


class Metrics:
    """One worker's metrics, in a registry of its own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("os1_http_requests", "HTTP requests answered, by method and status",
                                ["method", "status"], registry=self.registry)
        self.seconds = Histogram("os1_http_request_seconds", "Time to answer an HTTP request",
                                 ["method"], registry=self.registry)
        self.sockets = Counter("os1_sockets_opened", "WebSockets accepted", registry=self.registry)
        self.open_sockets = Gauge("os1_sockets_open", "WebSockets open on this worker",
                                  registry=self.registry)
        self.open_users = Gauge("os1_user_stores_open", "People's stores open on this worker",
                                registry=self.registry)
        self.turns = Counter("os1_turns", "Turns taken, by how they ended (done, error, stopped)",
                             ["ended"], registry=self.registry)
        self.first_token = Histogram("os1_turn_first_token_seconds",
                                     "From a person's words to the first words of the reply",
                                     registry=self.registry)
        self._server: Any | None = None

    def watch(self, site: Any) -> None:
        """Read the site's open sockets and stores whenever Prometheus asks."""
        self.open_sockets.set_function(lambda: site.hub.connected)
        self.open_users.set_function(lambda: site.spaces.open_count)

    def serve(self, host: str, port: int) -> None:
        """Offer the metrics at http://host:port/metrics (a thread of prometheus-client's)."""
        self._server, _ = start_http_server(port, addr=host, registry=self.registry)

    @property
    def port(self) -> int:
        return int(self._server.server_port) if self._server is not None else 0

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


class Observed:
    """Counts and logs each HTTP request and WebSocket as it ends."""

    def __init__(self, app: ASGIApp, metrics: Metrics, worker: str) -> None:
        self.app, self.metrics, self.worker = app, metrics, worker

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        method = scope.get("method", "WS")
        status = 0

        async def seen(message: Message) -> None:
            nonlocal status
            kind = message["type"]
            if kind in ("http.response.start", "websocket.http.response.start"):
                status = int(message["status"])
            elif kind == "websocket.accept":
                status = 101
                self.metrics.sockets.inc()
            elif kind == "websocket.close" and status == 0:
                status = 403  # refused before it was accepted
            await send(message)

        try:
            await self.app(scope, receive, seen)
        finally:
            took = time.perf_counter() - started
            status = status or 500
            self.metrics.requests.labels(method, str(status)).inc()
            self.metrics.seconds.labels(method).observe(took)
            access.info("%s %s %s %d %.1fms", self.worker, method, scope["path"], status, took * 1000)
