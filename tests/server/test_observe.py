"""What a worker tells its operator: a line per request (never a body, query or token) and
Prometheus metrics on a port apart from the public one."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from os1.testing.servers import free_port, os1_server
from tests.conftest import eventually

pytestmark = pytest.mark.integration


async def test_each_request_is_logged_and_counted_without_its_secrets(tmp_path: Path) -> None:
    home, metrics_port = tmp_path / "w", free_port()
    env = {"OS1_SERVER__MODE": "multi", "OS1_SERVER__METRICS_PORT": str(metrics_port),
           "OS1_LLM__MAX_TOKENS": "16"}
    with os1_server(home, free_port(), env, ("--worker", "w7")) as url:
        async with httpx.AsyncClient(base_url=url, timeout=60) as client:
            login = {"username": "amy", "password": "hunter2hunter2"}
            assert (await client.post("/v1/auth/register", json=login)).status_code == 201
            query = {"token": "sekrit-in-a-query"}
            assert (await client.get("/v1/memories", params=query)).status_code == 200
            assert (await client.get("/metrics")).status_code == 404  # not on the public port
            headers = {"X-CSRF-Token": client.cookies["os1_csrf"]}
            turn = await client.post("/v1/chat", json={"text": "Hello."}, headers=headers)
            assert turn.status_code == 200, turn.text
        async with httpx.AsyncClient(timeout=60) as scraper:
            scraped = (await scraper.get(f"http://127.0.0.1:{metrics_port}/metrics")).text
        log = home / "serve.log"

        async def logged() -> bool:
            return "GET /v1/memories 200" in log.read_text()

        await eventually(logged, "the access line of the last request")
        lines = log.read_text()
    assert "w7 POST /v1/auth/register 201" in lines
    assert "hunter2" not in lines and "sekrit" not in lines and "os1_session" not in lines
    assert 'os1_http_requests_total{method="POST",status="201"} 1.0' in scraped
    assert 'os1_http_requests_total{method="GET",status="404"} 1.0' in scraped
    assert 'os1_turns_total{ended="done"} 1.0' in scraped
    assert "os1_turn_first_token_seconds_count 1.0" in scraped
    assert "os1_sockets_open 0.0" in scraped and "os1_user_stores_open 1.0" in scraped
