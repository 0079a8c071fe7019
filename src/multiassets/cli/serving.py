"""``multiassets serve``'s start, in the order that loses nothing: the port is bound first
(taken: exit 2 before a database is made), then the database opened and its demo key and
token made, then uvicorn runs on the bound socket; what the start made is printed once the
server answers (or, if it never does, when it stops), and the discovery file is written then
and removed when it stops."""

from __future__ import annotations

import errno
import http.client
import os
import signal
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

import click

from ..admin import DEMO_ACCOUNT, Admin, token_matches
from ..defaults import HEALTH_PATH
from ..server.config import CONFIG_ENV, ServerConfig
from ..server.logs import logging_config
from ..store import Store
from .discovery import (
    Discovered,
    absolute_db_url,
    discovery_path,
    find_server,
    recall_token,
    remember_token,
    remove_discovery,
    write_discovery,
)
from .errors import EXIT_USAGE, control_errors, failure
from .options import open_db
from .ready import Made, made_lines, ready_lines

__all__ = ["Listening", "Startup", "bind", "prepare", "run"]


@dataclass
class Listening:
    """The bound socket, and the URL a client on this machine reaches it at."""

    host: str
    port: int
    sock: socket.socket | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://{_local(self.host)}:{self.port}"


def _local(host: str) -> str:
    """Where a client on this machine connects to a server listening on ``host``."""
    if host in ("", "0.0.0.0"):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


def bind(host: str, port: int) -> Listening:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    # As uvicorn does: a restart need not wait for the old connections' TIME_WAIT.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        # Listening at once: another process binding the port (SO_REUSEADDR) meanwhile gets
        # EADDRINUSE, rather than both passing this check with neither listening.
        sock.listen(2048)
    except OSError as error:
        sock.close()
        raise failure(_bind_failure(host, port, error), EXIT_USAGE) from None
    sock.set_inheritable(True)  # uvicorn's workers take it
    return Listening(host, int(sock.getsockname()[1]), sock)


def _bind_failure(host: str, port: int, error: OSError) -> str:
    if error.errno == errno.EADDRINUSE:
        found = find_server()
        who = ""
        if found is not None and found.url.endswith(f":{port}"):
            who = f" by multiassets (pid {found.pid}, {found.path})"
        return (
            f"port {port} on {host} is in use{who}: choose another with --port; nothing was created"
        )
    if error.errno == errno.EACCES:
        return f"can't listen on {host}:{port}: permission denied (ports below 1024 need root)"
    return f"can't listen on {host}:{port}: {error.strerror}"


@dataclass(frozen=True)
class Startup:
    """What the database gave this start."""

    db_url: str
    made: Made
    #: The token the discovery file may name: made now, given, or remembered and still valid.
    token: str | None
    #: The demo account's HMAC key usable from anywhere, for the discovery file.
    demo_key: tuple[str, str] | None
    given_token: bool


def prepare(
    db_url: str, admin_token: str | None, seed: dict[str, Any] | None, remember: bool
) -> Startup:
    """Open (or make) the database: the demo account (seeded) and the token on a new one."""
    absolute = absolute_db_url(db_url)
    store = open_db(db_url, create=True)
    try:
        with control_errors():
            admin = Admin(store)
            demo = admin.create_demo_if_empty()
            if demo is not None and seed is not None:
                admin.set_state(DEMO_ACCOUNT, seed)
            elif seed is not None:
                click.echo("--seed: the database has accounts already; left as it is", err=True)
            token = admin.ensure_token(admin_token)
        known = token or admin_token or _recalled(store, absolute, remember)
        demo_key = _demo_key(store)
    finally:
        store.close()
    if token is not None and remember:
        remember_token(absolute, token)
    made = Made(demo.key.api_key if demo else None, demo.key.secret if demo else None, token)
    return Startup(absolute, made, known, demo_key, admin_token is not None)


def _recalled(store: Store, db_url: str, remember: bool) -> str | None:
    token = recall_token(db_url) if remember else None
    return token if token is not None and token_matches(store, token) else None


def _demo_key(store: Store) -> tuple[str, str] | None:
    account = store.account(DEMO_ACCOUNT)
    if account is None:
        return None
    for key in store.api_keys(account.id):
        usable = key.can_read and key.can_trade and key.ip_allowlist is None
        if key.kind == "HMAC" and key.secret is not None and usable:
            return key.api_key, key.secret
    return None


class _Stopped(BaseException):
    """SIGTERM or SIGINT, once uvicorn has shut down (it raises the signal again then)."""

    def __init__(self, signum: int) -> None:
        self.signum = signum


def _stop(signum: int, frame: FrameType | None) -> None:
    raise _Stopped(signum)


def run(uvicorn_config: Any, listening: Listening, startup: Startup, discovery: bool) -> None:
    """Serve until stopped; announce when answering; tidy up the discovery file after."""
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, _stop)
    stopped: int | None = None
    with _announcer(listening, startup, discovery) as announced:
        try:
            _serve(uvicorn_config, listening)
        except (_Stopped, KeyboardInterrupt) as stop:
            stopped = stop.signum if isinstance(stop, _Stopped) else signal.SIGINT
        finally:
            if not announced.is_set() and startup.made.anything:
                # Never answered: what was made is in the database, so show it all the same.
                for line in made_lines(startup.made):
                    click.echo(line)
                click.echo("(the server did not start; the database keeps these)")
    if stopped is not None:
        # Die of the signal, as a process stopped by it does (an exit status of -15 or -2).
        signal.signal(stopped, signal.SIG_DFL)
        signal.raise_signal(stopped)


def _serve(uvicorn_config: Any, listening: Listening) -> None:
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    assert listening.sock is not None
    if uvicorn_config.workers > 1:
        Multiprocess(uvicorn_config, sockets=[listening.sock]).run()
    else:
        uvicorn.Server(uvicorn_config).run(sockets=[listening.sock])


@contextmanager
def _announcer(listening: Listening, startup: Startup, discovery: bool) -> Iterator[Any]:
    """A thread that waits for the server to answer, then prints the ready text and writes
    the discovery file; the file is removed when the block ends."""
    done, announced = threading.Event(), threading.Event()
    path = discovery_path()

    def announce() -> None:
        while not done.is_set():
            if _answers(listening):
                # The file first: whoever reads "Ready" may run a command that looks for it.
                if discovery:
                    write_discovery(_discovered(listening, startup, path))
                for line in ready_lines(listening.url, startup.made, startup.given_token):
                    click.echo(line)
                announced.set()
                return
            done.wait(0.05)

    thread = threading.Thread(target=announce, name="multiassets-ready", daemon=True)
    thread.start()
    try:
        yield announced
    finally:
        done.set()
        thread.join(timeout=5)
        if discovery:
            remove_discovery(path, os.getpid())


def _discovered(listening: Listening, startup: Startup, path: Any) -> Discovered:
    api_key, secret = startup.demo_key or (None, None)
    return Discovered(
        listening.url, os.getpid(), startup.db_url, startup.token, api_key, secret, path
    )


def _answers(listening: Listening) -> bool:
    host = _local(listening.host).strip("[]")
    connection = http.client.HTTPConnection(host, listening.port, timeout=1)
    try:
        # The control plane's health: neither charged to an IP nor in the request log.
        connection.request("GET", HEALTH_PATH)
        return connection.getresponse().status == 200
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()


#: What ``serve`` says, in one line, when the server's dependencies are not installed.
SERVER_EXTRA_HINT = "serve needs the 'server' extra: pip install 'multiassets[server]'"


def uvicorn_config(
    config: ServerConfig,
    listening: Listening,
    workers: int,
    access_log: bool,
    log_level: str,
) -> Any:
    # uvicorn + httptools + uvloop, chosen by measurement over granian: lower latency and
    # 1.2-1.4x the throughput at 1 and 16 connections (bench/stack-choice-2026-11-25.md).
    try:
        import uvicorn
    except ImportError:
        raise failure(SERVER_EXTRA_HINT, EXIT_USAGE) from None
    from ..server.http.edge import EdgeProtocol, EdgeWebSocketProtocol

    os.environ[CONFIG_ENV] = config.to_json()
    return uvicorn.Config(
        "multiassets.server.app:app_from_environment",
        factory=True,
        host=listening.host,
        port=listening.port,
        workers=workers,
        # httptools, answering what is not readable HTTP as Binance's edge does (http/edge.py).
        http=EdgeProtocol,
        loop="uvloop",
        ws=EdgeWebSocketProtocol,
        # Binance's pings: every 3 minutes, a pong (the ping's payload) due within 10.
        ws_ping_interval=config.ws_ping_interval_s,
        ws_ping_timeout=config.ws_pong_timeout_s,
        lifespan="on",
        access_log=access_log,
        log_config=logging_config(log_level),
        log_level=log_level,
        server_header=False,
        # The client IP is the peer's: X-Forwarded-For would let a caller pick its own IP
        # (rate limits, bans, allow-lists, the control plane's loopback check).
        proxy_headers=False,
    )
