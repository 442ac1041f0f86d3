"""A push service on loopback for the tests: it takes pywebpush's encrypted POST as a browser's
push service would, and decrypts it with the subscription's own keys (http_ece, aes128gcm), so a
test can assert on the payload a browser would get."""

from __future__ import annotations

import base64
import json
import os
import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@dataclass
class PushReceiver:
    """The browser's side of one subscription: its keys, and the messages pushed to it."""

    url: str
    key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    auth: bytes = field(default_factory=lambda: os.urandom(16))
    received: queue.Queue[tuple[dict[str, str], bytes]] = field(default_factory=queue.Queue)

    def subscription(self) -> dict[str, Any]:
        point = self.key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
        return {"endpoint": self.url, "keys": {"p256dh": b64(point), "auth": b64(self.auth)}}

    def next_payload(self, timeout: float = 60.0) -> tuple[dict[str, str], dict[str, Any]]:
        """The headers and the decrypted JSON payload of the next push; fails after ``timeout``."""
        headers, body = self.received.get(timeout=timeout)
        plain = http_ece.decrypt(body, private_key=self.key, auth_secret=self.auth, version="aes128gcm")
        return headers, json.loads(plain)


@contextmanager
def push_receiver() -> Iterator[PushReceiver]:
    """A loopback push service with one subscription's endpoint; answers 201 like a real one."""
    got: queue.Queue[tuple[dict[str, str], bytes]] = queue.Queue()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            got.put(({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(201)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield PushReceiver(f"http://127.0.0.1:{server.server_port}/push/one", received=got)
    finally:
        server.shutdown()
        server.server_close()
