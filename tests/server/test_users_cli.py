"""`os1 users` and `os1 serve` as an operator runs them: real processes."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from os1.testing.servers import free_port, os1_server
from tests.cli.test_cli import run

pytestmark = pytest.mark.integration
MULTI = {"OS1_SERVER__MODE": "multi"}


def test_an_operator_creates_lists_tokens_disables_enables_and_resets(os1_home: Path) -> None:
    made = run(os1_home, "users", "create", "Theodore", "--admin", "--password-stdin",
               stdin=b"correct horse\n", env=MULTI)
    assert made.returncode == 0, made.stderr
    assert "theodore" in made.stdout
    listing = run(os1_home, "users", "list", "--json", env=MULTI).stdout
    listed = [json.loads(line) for line in listing.splitlines()]
    assert [(a["username"], a["admin"], a["disabled"]) for a in listed] == [("theodore", True, False)]
    token = run(os1_home, "users", "tokens", "new", "theodore", "--name", "phone", "--scope", "read",
                env=MULTI).stdout.strip()
    assert token.startswith("os1_")
    listed = run(os1_home, "users", "tokens", "list", "theodore", "--json", env=MULTI).stdout
    (phone,) = [json.loads(line) for line in listed.splitlines()]
    assert (phone["name"], phone["scope"]) == ("phone", "read") and phone["expires_at"] > phone["created_at"]
    taken = run(os1_home, "users", "create", "theodore", "--password-stdin", stdin=b"another one\n",
                env=MULTI)
    assert taken.returncode == 1 and taken.stderr.count("\n") == 1 and "taken" in taken.stderr
    short = run(os1_home, "users", "create", "amy", "--password-stdin", stdin=b"short\n", env=MULTI)
    assert short.returncode == 1 and "password" in short.stderr
    with os1_server(os1_home, free_port(), MULTI) as base:
        bearer = {"Authorization": f"Bearer {token}"}
        assert httpx.get(f"{base}/v1/me", headers=bearer).json()["username"] == "theodore"
        assert run(os1_home, "users", "disable", "theodore", env=MULTI).returncode == 0
        assert httpx.get(f"{base}/v1/me", headers=bearer).status_code == 401
        assert run(os1_home, "users", "enable", "theodore", env=MULTI).returncode == 0
        assert httpx.get(f"{base}/v1/me", headers=bearer).status_code == 200
        assert run(os1_home, "users", "tokens", "revoke", "theodore", phone["id"], env=MULTI).returncode == 0
        assert httpx.get(f"{base}/v1/me", headers=bearer).status_code == 401
        changed = run(os1_home, "users", "password", "theodore", "--password-stdin", stdin=b"a new horse\n",
                      env=MULTI)
        assert changed.returncode == 0, changed.stderr
        login = {"username": "theodore", "password": "a new horse"}
        assert httpx.post(f"{base}/v1/auth/login", json=login).status_code == 200
    missing = run(os1_home, "users", "disable", "nobody", env=MULTI)
    assert missing.returncode == 1 and "no account" in missing.stderr


def test_single_mode_will_not_listen_beyond_this_machine(os1_home: Path) -> None:
    refused = run(os1_home, "serve", "--host", "0.0.0.0", "--port", str(free_port()))
    assert refused.returncode == 1 and "--mode multi" in refused.stderr
