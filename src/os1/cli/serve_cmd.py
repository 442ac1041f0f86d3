"""``os1 serve`` (the API, the web app and the sockets) and ``os1 users`` (accounts for
multi-user mode)."""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import sys
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

import click

from os1.access import is_loopback
from os1.cli.io import PORT, argument_text
from os1.cli.state import CliState
from os1.config import Settings
from os1.errors import AccountError, ConfigError, InputError
from os1.server.accounts import Account, Accounts
from os1.server.tokens import MAX_TOKEN_DAYS, SCOPES, TokenInfo

if TYPE_CHECKING:
    from os1.server.tls import Tls

T = TypeVar("T")
YOUNG_COLLECTION = 50_000  # new objects between collections of the youngest generation


@click.command()
@click.option("--host", help="Address to listen on (default: server.host, 127.0.0.1).")
@click.option("--port", type=PORT, help="Port to listen on (default: server.port, 8371).")
@click.option("--mode", type=click.Choice(["single", "multi"]),
              help="single: you, on this machine, no accounts; multi: accounts (default: server.mode).")
@click.option("--worker", metavar="NAME", help="This worker's name in logs and /v1/health.")
@click.option("--metrics-port", type=PORT, metavar="PORT",
              help="Offer Prometheus metrics on this port (default: server.metrics_port; 0: none).")
@click.option("--https", is_flag=True, default=None,
              help="For phones on the home network: TLS with os1's own certificate, on every address"
                   " unless --host says otherwise (multi mode; default: server.https).")
@click.pass_obj
def serve(state: CliState, host: str | None, port: int | None, mode: str | None, worker: str | None,
          metrics_port: int | None, https: bool | None) -> None:
    """Serve os1 over HTTP: the web app at /, the API under /v1 (docs/api.md), chat and voice
    sockets. Ctrl-C stops it."""
    import uvicorn

    from os1.server.app import create_app

    server = state.settings.server
    if https and host is None and is_loopback(server.host):
        host = "0.0.0.0"  # the home network is what --https is for
    changes = {k: v for k, v in (("host", host), ("port", port), ("mode", mode), ("worker", worker),
                                 ("metrics_port", metrics_port), ("https", https)) if v}
    settings = state.settings.model_copy(update={"server": server.model_copy(update=changes)})
    if state.model_name:
        if state.model_name not in settings.llm.models:
            raise ConfigError(f"no model named {state.model_name!r}; see `os1 models`")
        llm = settings.llm.model_copy(update={"default": state.model_name})
        settings = settings.model_copy(update={"llm": llm})
    chosen = settings.server
    if chosen.https and chosen.mode == "single":
        raise ConfigError("a phone reaches os1 through an account: os1 serve --mode multi --https"
                          " (docs/deploy.md, \"A phone on the home network\")")
    if chosen.mode == "single" and not is_loopback(chosen.host):
        raise ConfigError(f"single-user mode serves only this machine; to listen on {chosen.host},"
                          " use --mode multi (accounts)")
    from os1.server.site import preflight

    asyncio.run(preflight(settings))  # what it cannot reach, said in one line before it starts
    where = f"http://{'[' + chosen.host + ']' if ':' in chosen.host else chosen.host}:{chosen.port}/"
    tls = None
    if chosen.https:
        from os1.server.tls import certificates

        tls = certificates(settings.home, chosen.host)
        where = f"https://{address_in_url(tls.names[0])}:{chosen.port}/"
    if chosen.mode == "single":
        from os1.access import QUERY, local_key

        where = f"{where}login?{QUERY}={local_key(settings.home)}"
        who = "you alone: open this link, it holds this machine's key"
    else:
        who = "accounts; " + ("registration is open: anyone who reaches this address may make an account"
                              " (server.registration = false closes it)" if chosen.registration
                              else "registration is closed: `os1 users create` makes accounts")
    click.echo(f"os1 is serving {where} ({who}; model {settings.llm.default}). Ctrl-C stops it.", err=True)
    if tls is not None:
        show_phone_steps(tls, chosen.port)
    # no per-message compression on sockets: replies stream as many small deltas, which it
    # barely shrinks, while it costs CPU per message and two zlib states per connection
    # (benchmarks/load.py: about half of the server's memory per idle socket)
    config = uvicorn.Config(create_app(settings), host=chosen.host, port=chosen.port, log_level="warning",
                            proxy_headers=True, forwarded_allow_ips=chosen.trusted_proxies, backlog=4096,
                            ws_max_size=2 << 20,
                            ws_per_message_deflate=False, timeout_graceful_shutdown=5,
                            # a keep-alive ping per socket each 30 s (uvicorn's 20 s default is
                            # 500 pings a second at 10,000 sockets); proxies wait 60 s by default
                            ws_ping_interval=30, ws_ping_timeout=30,
                            ssl_certfile=tls.cert if tls else None, ssl_keyfile=tls.key if tls else None)
    if chosen.access_log:  # os1's own line per request; uvicorn's would print query strings
        logging.getLogger("os1.access").setLevel(logging.INFO)
    calm_collector()
    uvicorn.Server(config).run()


def address_in_url(name: str) -> str:
    return f"[{name}]" if ":" in name else name


def show_phone_steps(tls: Tls, port: int) -> None:
    """The addresses a phone opens, a QR code of the first, and how it trusts the certificate."""
    import segno

    from os1.server.tls import fingerprint

    trust = f"https://{address_in_url(tls.names[0])}:{port}/trust"
    click.echo(f"On a phone on this network, scan this code or open {trust}", err=True)
    segno.make(trust, error="m").terminal(out=sys.stderr, compact=True)
    others = ", ".join(f"https://{address_in_url(n)}:{port}/" for n in tls.names[1:])
    if others:
        click.echo(f"Also reachable as {others}", err=True)
    new = "a new certificate authority: phones trust it once" if tls.made_ca else "the certificate authority"
    click.echo(f"That page shows how to trust {new} (iPhone and Android); its SHA-256 fingerprint"
               f" is {fingerprint(tls.ca)}. It vouches only for home-network addresses.", err=True)


def calm_collector() -> None:
    """Fewer, shorter pauses of Python's cycle collector in a worker holding many sockets.

    What is alive once the app is built (modules, the app) lives as long as the process, so it
    is frozen out of all later collections. And the youngest generation is collected after
    50,000 more objects instead of 700, so a turn's short-lived objects die before a collection
    would promote them to the oldest generation, whose full collections walk every socket's
    objects: at 10,000 sockets they paused the worker for seconds, and came every few seconds.
    benchmarks/load.py --users 10000 --active 100: added TTFT p95 230 -> 74 ms, max 0.9 -> 0.5 s."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_COLLECTION, 20, 10)


def _with_accounts(settings: Settings, work: Callable[[Accounts], Awaitable[T]]) -> T:
    async def with_open_accounts() -> T:
        from os1.server.site import open_accounts

        pool = None
        if settings.memory.backend == "postgres" and settings.memory.postgres_dsn is not None:
            from os1.server.database import open_pool

            pool = await open_pool(settings.memory.postgres_dsn.get_secret_value(), min_size=1, max_size=2)
        accounts = await open_accounts(settings, pool)
        try:
            return await work(accounts)
        finally:
            await accounts.db.close()
            if pool is not None:
                await pool.close()

    return asyncio.run(with_open_accounts())


@click.group()
def users() -> None:
    """Accounts for `os1 serve --mode multi`: create, list, disable, enable, passwords, API
    tokens, and encrypting stores."""


@users.command()
@click.argument("username")
@click.option("--admin", is_flag=True, help="May manage the site.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.pass_obj
def create(state: CliState, username: str, admin: bool, password_stdin: bool) -> None:
    """Create an account (asks for its password)."""
    username = argument_text(username)
    password = _read_password("Password", password_stdin)
    account = _with_accounts(state.settings, lambda a: a.create(username, password, admin=admin))
    click.echo(f"Created {account.username} ({account.id}).")


@users.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per account.")
@click.pass_obj
def list_(state: CliState, as_json: bool) -> None:
    """Every account, oldest first."""
    for account in _with_accounts(state.settings, lambda a: a.all()):
        if as_json:
            click.echo(json.dumps(account.__dict__))
        else:
            flags = " ".join(f for f, on in (("admin", account.admin), ("disabled", account.disabled)) if on)
            click.echo(f"{account.username:<24} {account.id}  {flags}".rstrip())


def _switch(state: CliState, username: str, disabled: bool) -> None:
    username = argument_text(username)
    account = _with_accounts(state.settings, lambda a: a.set_disabled(username, disabled))
    if disabled:
        _revoke(state.settings, account.id, None)
    click.echo(f"{account.username} is {'disabled and logged out' if disabled else 'enabled'}.")


@users.command()
@click.argument("username")
@click.pass_obj
def disable(state: CliState, username: str) -> None:
    """Refuse an account's logins and tokens, and end its sessions now."""
    _switch(state, username, True)


@users.command()
@click.argument("username")
@click.pass_obj
def enable(state: CliState, username: str) -> None:
    """Let a disabled account in again."""
    _switch(state, username, False)


def _read_password(prompt: str, from_stdin: bool) -> str:
    """A password from a line of stdin, or asked twice at the terminal; not UTF-8 is one line."""
    try:
        if from_stdin:
            return sys.stdin.readline().rstrip("\n")
        return str(click.prompt(prompt, hide_input=True, confirmation_prompt=True))
    except UnicodeDecodeError:
        raise InputError("the password is not valid UTF-8 text") from None


async def _account(accounts: Accounts, username: str) -> Account:
    username = argument_text(username)  # a name that is not UTF-8 is one line, not a traceback
    account = await accounts.by_name(username)
    if account is None:
        raise AccountError(f"no account named {username!r}")
    return account


def _revoke(settings: Settings, user_id: str, credential: str | None) -> None:
    from os1.server.site import revoke_everywhere

    asyncio.run(revoke_everywhere(settings, user_id, credential))


@users.command()
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the new password from standard input.")
@click.pass_obj
def password(state: CliState, username: str, password_stdin: bool) -> None:
    """Set USERNAME's password (asks for it); their sessions end. Their API tokens stay."""
    username = argument_text(username)
    new = _read_password("New password", password_stdin)

    async def change(accounts: Accounts) -> tuple[Account, list[str]]:
        account = await _account(accounts, username)
        ended = [s.credential for s in await accounts.sessions(account.id)]
        await accounts.set_password(account.id, new)
        return account, ended

    account, ended = _with_accounts(state.settings, change)
    for credential in ended:
        _revoke(state.settings, account.id, credential)
    click.echo(f"{account.username}'s password is set; {len(ended)} session(s) ended.")


@users.group()
def tokens() -> None:
    """A person's API tokens: new, list, revoke."""


@tokens.command("new")
@click.argument("username")
@click.option("--name", "label", default="cli", show_default=True, help="What the token is for.")
@click.option("--scope", type=click.Choice(list(SCOPES)), default="chat", show_default=True,
              help="read: look only; chat: also talk; admin: everything but tokens and the password.")
@click.option("--days", type=click.FloatRange(0, MAX_TOKEN_DAYS, min_open=True), default=90.0,
              show_default=True, help="How long it lasts.")
@click.pass_obj
def tokens_new(state: CliState, username: str, label: str, scope: str, days: float) -> None:
    """Make an API token for USERNAME and print it (it is shown only this once)."""
    username, label = argument_text(username), argument_text(label)

    async def make(accounts: Accounts) -> tuple[str, str]:
        return await accounts.new_token((await _account(accounts, username)).id, label, scope, days)

    _, secret = _with_accounts(state.settings, make)
    click.echo(secret)


@tokens.command("list")
@click.argument("username")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per token.")
@click.pass_obj
def tokens_list(state: CliState, username: str, as_json: bool) -> None:
    """USERNAME's API tokens, oldest first (never the tokens themselves)."""
    async def find(accounts: Accounts) -> list[TokenInfo]:
        return await accounts.tokens((await _account(accounts, username)).id)

    for token in _with_accounts(state.settings, find):
        if as_json:
            click.echo(json.dumps(token.__dict__))
        else:
            ends = (time.strftime("%Y-%m-%d", time.localtime(token.expires_at)) if token.expires_at
                    else "never")
            click.echo(f"{token.id}  {token.scope:<5}  expires {ends}  {token.name}")


@tokens.command("revoke")
@click.argument("username")
@click.argument("token_id")
@click.pass_obj
def tokens_revoke(state: CliState, username: str, token_id: str) -> None:
    """Revoke one of USERNAME's tokens (its id from `os1 users tokens list`); what it opened ends."""
    async def revoke(accounts: Accounts) -> tuple[Account, str | None]:
        account = await _account(accounts, username)
        return account, await accounts.revoke_token(account.id, token_id)

    account, credential = _with_accounts(state.settings, revoke)
    if credential is None:
        raise AccountError(f"{username} has no token {token_id!r}")
    _revoke(state.settings, account.id, credential)
    click.echo(f"Revoked {token_id}.")


@users.command()
@click.pass_obj
def encrypt(state: CliState) -> None:
    """Encrypt every account's plain store with its key from memory.encryption_key (stop the
    server first). Stores made while the key is set are encrypted already."""
    from os1.memory.sqlite import encrypt_file, store_path
    from os1.server.spaces import person_key

    key = state.settings.memory.encryption_key
    if key is None or state.settings.memory.backend != "sqlite":
        raise ConfigError("set memory.encryption_key (SQLite stores) first")
    done = 0
    for account in _with_accounts(state.settings, lambda a: a.all()):
        path = store_path(state.settings.home, account.id)
        if path.is_file() and path.read_bytes()[:16] == b"SQLite format 3\x00":
            encrypt_file(path, person_key(key.get_secret_value(), account.id))
            done += 1
    click.echo(f"Encrypted {done} store(s).")
