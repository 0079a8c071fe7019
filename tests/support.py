"""Test support: a real server process on a loopback port, and a raw signing HTTP client."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import itertools
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from multiassets import testing
from multiassets.control_client import ControlClient


def free_port() -> int:
    return testing._free_port()


def run_cli(*args: str, env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "multiassets", *args],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **(env or {})},
        timeout=60,
    )


@dataclass
class Credentials:
    api_key: str
    secret: str


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def weight(self) -> int:
        return int(self.headers["x-mbx-used-weight-1m"])


@dataclass
class Server:
    """A running server and a raw, signing HTTP client for it."""

    port: int
    db_url: str
    demo: Credentials
    admin_token: str = ""
    #: The account ``demo`` is a key of.
    account: str = "demo"
    _connection: http.client.HTTPConnection | None = field(default=None, repr=False)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def cli_options(self) -> list[str]:
        """The CLI's options for the demo key against this server."""
        key = self.demo
        return ["--base-url", self.base_url, "--api-key", key.api_key, "--api-secret", key.secret]

    @property
    def db_path(self) -> Path:
        """The SQLite file (SQLite-only tests)."""
        assert self.db_url.startswith("sqlite:///"), "a SQLite-only test ran on another store"
        return Path(self.db_url.removeprefix("sqlite:///"))

    @property
    def control(self) -> ControlClient:
        return ControlClient(self.base_url, self.admin_token)

    def request(
        self,
        method: str,
        path: str,
        query: str = "",
        body: str | bytes = b"",
        headers: Mapping[str, str] | None = None,
    ) -> Reply:
        target = f"{path}?{query}" if query else path
        payload = body.encode() if isinstance(body, str) else body
        for attempt in range(2):
            if self._connection is None:
                self._connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            try:
                self._connection.request(method, target, body=payload, headers=dict(headers or {}))
                response = self._connection.getresponse()
                data = response.read()
            except (ConnectionError, http.client.HTTPException):
                self._connection.close()
                self._connection = None
                if attempt:
                    raise
                continue
            names = {name.lower(): value for name, value in response.getheaders()}
            return Reply(response.status, names, data)
        raise AssertionError("unreachable")

    def signed(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        credentials: Credentials | None = None,
        timestamp: int | None = None,
        in_body: bool = False,
        forwarded_for: str | None = None,
    ) -> Reply:
        """A correctly signed request, parameters in the query (or the form body);
        ``forwarded_for`` names the client for a server that trusts loopback as its proxy."""
        creds = credentials or self.demo
        fields = dict(params or {})
        fields["timestamp"] = timestamp if timestamp is not None else now_ms()
        payload = urlencode(fields)
        signature = sign(creds.secret, payload)
        headers = {"X-MBX-APIKEY": creds.api_key}
        if forwarded_for is not None:
            headers["X-Forwarded-For"] = forwarded_for
        if in_body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            return self.request(
                method, path, body=f"{payload}&signature={signature}", headers=headers
            )
        return self.request(method, path, f"{payload}&signature={signature}", headers=headers)

    def close_connection(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def now_ms() -> int:
    return time.time_ns() // 1_000_000


class Renewable:
    """One server process shared by a module's tests, put back as new before each one: what a
    server of the test's own would start with, without starting one.

    :meth:`renew` is the control plane's own reset — every account, key and state, the fault
    rules, the clock and the request log go — then the demo account comes back, with the key
    the server made for it at its start. The demo account's listenKey, if a test left one, is
    deleted first (listenKeys outlive a reset: they are the stream's, not the database's).
    What a new server would have and this one does not: a new weight window (give the server
    a weight limit no module reaches, or freeze its clock on a minute of the test's own,
    :func:`frozen_minute`); and, on PostgreSQL, nothing still to announce (a process announces
    its own mode changes some 50 ms after their commit, so a stream opened at once on the
    renewed demo account could hear the last test's): modules whose tests open streams as
    they start take an account of their own instead (:func:`on_new_account`)."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.initial = server.control.export()

    def renew(self) -> Server:
        server = self.server
        server.control.reset_clock()  # a test's clock would make the listenKey look expired
        server.request(
            "DELETE", "/fapi/v1/listenKey", headers={"X-MBX-APIKEY": server.demo.api_key}
        )
        server.control.reset()
        server.control.import_(self.initial)
        return server


_accounts = itertools.count(1)


def on_new_account(server: Server) -> Server:
    """``server`` through an account made now, with an HMAC key of its own (``demo``): an
    account no earlier test touched — none of its listenKeys, streams, or changes still to be
    announced (on PostgreSQL a process announces its own changes a moment after the commit)
    can reach it, and every process on the database meets its key first in the database."""
    name = f"test-{next(_accounts)}"
    created = server.control.create_key(name)
    credentials = Credentials(created["apiKey"], created["secretKey"])
    return Server(server.port, server.db_url, credentials, server.admin_token, name)


_minutes = itertools.count(1)


@contextmanager
def frozen_minute(server: Server, second: int = 0) -> Iterator[int]:
    """The server's clock frozen ``second`` s into a minute no other test on the server has
    used (so its weight window is new); the ms it stands at. Signed requests must carry that
    timestamp (``server.signed(..., timestamp=at)``). The clock runs again afterwards. A ban
    earned meanwhile would last, in real time, until that minute comes: earn one only on a
    server of the test's own."""
    at = _FIRST_MINUTE + next(_minutes) * 60_000 + second * 1000
    server.control.set_clock(freeze=True, at=at)
    try:
        yield at
    finally:
        server.control.reset_clock()


#: 2033-05-18T03:33:00Z: minutes from here on belong to :func:`frozen_minute` (a server's real
#: clock, years away, never reaches them while a test runs).
_FIRST_MINUTE = 2_000_000_000_000 // 60_000 * 60_000


def sign(secret: str, payload: str | bytes) -> str:
    data = payload.encode() if isinstance(payload, str) else payload
    return hmac.new(secret.encode(), data, hashlib.sha256).hexdigest()


def wait_until_serving(port: int, process: subprocess.Popen[str], timeout: float = 20) -> None:
    testing._wait_until_serving(port, process, timeout)


@contextmanager
def running_server(
    tmp: Path, *args: str, log: Path | None = None, db_url: str | None = None
) -> Iterator[Server]:
    """``multiassets.testing.serve`` with our raw client; ``log`` receives the server's stderr."""
    log_file = log.open("w") if log is not None else None
    if BACKEND == "postgresql" and "--redis" not in args:
        args = (*args, "--redis", redis_url())
    try:
        with (
            backend_database(db_url) as chosen,
            testing.serve(tmp / "server", args=args, stderr=log_file, db_url=chosen) as started,
        ):
            server = Server(
                started.port,
                started.db_url,
                Credentials(started.api_key, started.secret_key),
                started.admin_token,
            )
            try:
                yield server
            finally:
                server.close_connection()
                if "--redis" in args:
                    forget_redis_keys(args[list(args).index("--redis") + 1], started.db_url)
    finally:
        if log_file is not None:
            log_file.close()


def forget_redis_keys(url: str, db_url: str) -> None:
    """Delete what servers on ``db_url`` kept in Redis (the test Redis serves many tests)."""
    import redis

    from multiassets.server.cluster.shared import default_prefix
    from multiassets.store import open_store

    store = open_store(db_url)
    prefix = default_prefix(store.identity())
    store.close()
    client = redis.Redis.from_url(url, socket_connect_timeout=3)
    try:
        keys = list(client.scan_iter(match=prefix + "*", count=1000))
        if keys:
            client.delete(*keys)
    except redis.RedisError:
        pass  # a test that stopped its own Redis
    finally:
        client.close()


POSTGRES_ADMIN_URL = os.environ.get(
    "MULTIASSETS_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test"
)


@contextmanager
def postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database for one test; its URL. Skips when no PostgreSQL
    answers, except under CI, where it must."""
    import uuid

    import pytest

    try:
        import psycopg

        admin = psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=3)
    except Exception as error:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no PostgreSQL at {POSTGRES_ADMIN_URL}: {error}")
    name = f"multiassets_{uuid.uuid4().hex[:12]}"
    admin.execute(f"CREATE DATABASE {name}")
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()


REDIS_URL = os.environ.get("MULTIASSETS_TEST_REDIS", "redis://127.0.0.1:6379/0")


def redis_url() -> str:
    """The test Redis's URL. Skips when no Redis answers, except under CI, where it must.
    Each test's keys are its own: their prefix comes from the test's own database."""
    import pytest
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as error:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no Redis at {REDIS_URL}: {error}")
    return REDIS_URL


#: The store the behavioural tests run on: SQLite unless MULTIASSETS_TEST_BACKEND=postgresql,
#: which also puts weight, bans, clock and faults in Redis (CI runs them on both).
BACKEND = os.environ.get("MULTIASSETS_TEST_BACKEND", "sqlite")


@contextmanager
def backend_database(db_url: str | None = None) -> Iterator[str | None]:
    """``db_url`` if given; else a new PostgreSQL database when the suite runs on PostgreSQL,
    or None (the test server's own new SQLite file)."""
    if db_url is not None or BACKEND != "postgresql":
        yield db_url
        return
    with postgres_database() as url:
        yield url


def sqlite_only(function: Any) -> Any:
    import pytest

    return pytest.mark.skipif(BACKEND != "sqlite", reason="about the SQLite file itself")(function)


if TYPE_CHECKING:
    import pytest


def _once() -> pytest.MarkDecorator:
    import pytest

    reason = "the same on every database: run in the SQLite pass"
    return pytest.mark.skipif(BACKEND != "sqlite", reason=reason)


#: Run in the suite's first pass only: what a client or a document does is the same whichever
#: database the server keeps its accounts in.
ONCE = _once()
