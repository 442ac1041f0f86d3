"""API fuzzing: schemathesis generates requests from the served OpenAPI description and sends
them to a real ``os1 serve`` process (multi mode, the bundled model, a logged-in API token).
No answer may be a 5xx, and none may carry a traceback. The cases are drawn the same way every
run unless ``OS1_FUZZ_RANDOM=1``, which explores new ones."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from os1.testing.servers import free_port, os1_server

pytestmark = pytest.mark.integration
RANDOM = os.environ.get("OS1_FUZZ_RANDOM") == "1"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    env = {"OS1_SERVER__MODE": "multi", "OS1_LLM__MAX_TOKENS": "8", "OS1_MEMORY__EMBEDDER": "hash",
           "OS1_SERVER__API_DOCS": "on"}
    with os1_server(tmp_path_factory.mktemp("fuzz"), free_port(), env) as base:
        with httpx.Client(base_url=base) as client:
            client.post("/v1/auth/register", json={"username": "fuzzer", "password": "correct horse"})
            made = client.post("/v1/tokens", json={"name": "fuzz", "scope": "admin"},
                               headers={"X-CSRF-Token": client.cookies["os1_csrf"]})
            yield base, made.json()["token"]


def _send(case: Any, base: str, auth: dict[str, str]) -> httpx.Response:
    """Send a generated case with httpx (schemathesis' own transport needs plain urllib3)."""
    kwargs = case.as_transport_kwargs(base_url=base, headers=auth)
    content = kwargs.get("data")
    if "json" in kwargs:
        content = json.dumps(kwargs["json"]).encode()
    elif isinstance(content, str):
        content = content.encode()
    return httpx.request(kwargs["method"], kwargs["url"], headers=kwargs.get("headers"),
                         params=kwargs.get("params"), cookies=kwargs.get("cookies"), content=content,
                         timeout=60)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_server_errors_and_no_tracebacks(served: tuple[str, str], mode: GenerationMode) -> None:
    """Valid requests (positive) and requests that break the description (negative)."""
    base, token = served
    schema = schemathesis.openapi.from_url(f"{base}/openapi.json")
    auth = {"Authorization": f"Bearer {token}"}
    seen: set[str] = set()
    answered: set[str] = set()  # operations that answered 2xx at least once

    def check(case: Any) -> None:
        response = _send(case, base, auth)
        seen.add(f"{case.method} {case.path}")
        if response.is_success:
            answered.add(f"{case.method} {case.path}")
        assert response.status_code < 500, (case.method, case.formatted_path, response.text[:300])
        assert "Traceback" not in response.text
        if response.status_code >= 400 and "json" in response.headers.get("content-type", ""):
            body = response.json()
            assert isinstance(body, dict) and set(body) == {"error"}, body

    def fuzz(strategy: Any, examples: int) -> None:
        @given(case=strategy)
        @settings(max_examples=examples, deadline=None, database=None, derandomize=not RANDOM,
                  suppress_health_check=list(HealthCheck))
        def drawn(case: Any) -> None:
            check(case)

        drawn()

    fuzz(schema.as_strategy(mode), 150)  # every operation, drawn at random
    assert len(seen) >= 10  # most operations were reached
    if mode == GenerationMode.POSITIVE:  # valid requests got through to the routes
        key = {"POST /v1/chat", "PUT /v1/settings", "GET /v1/memories"}
        fuzz(st.one_of(*(schema[path][method].as_strategy(mode)
                         for method, path in (k.split() for k in sorted(key)))), 30)
        assert key <= answered, answered
