"""A real multiassets server for your tests, on a free port with a fresh database.

    from multiassets.testing import serve

    with serve() as server:
        client = UMFutures(key=server.api_key, secret=server.secret_key,
                           base_url=server.base_url)
        server.control.set_state(server.account, {"multiAssetsMargin": True})
        assert client.get_multi_asset_mode() == {"multiAssetsMargin": True}

With pytest, the ``multiassets_server`` fixture gives the same object (the plugin is
registered when multiassets is installed): one server process for the whole session (one per
pytest-xdist worker), put back as new before each test (:meth:`TestServer.reset`), as moto
resets its backends. A test that needs a process of its own (to stop it, or to start it with
other options) uses :func:`serve`.

Starting a server needs the ``server`` extra (``pip install 'multiassets[server]'``);
importing this module does not.
"""

from __future__ import annotations

import http.client
import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from .control_client import ControlClient
from .defaults import HEALTH_PATH
from .protocol.keys import new_token

__all__ = [
    "INSTALL_HINT",
    "ServerSession",
    "TestServer",
    "missing_server_module",
    "require_server_extra",
    "serve",
    "serve_existing",
]

_STOP_TIMEOUT_S = 10
_START_ATTEMPTS = 3
_DATABASE = "multiassets.db"
#: What ``multiassets serve`` imports before it answers, from the ``server`` extra.
_SERVER_MODULES = ("uvicorn", "click", "httptools", "websockets", "orjson", "prometheus_client")
INSTALL_HINT = "pip install 'multiassets[server]'"


def missing_server_module() -> str | None:
    """The first module of the ``server`` extra that is not installed, or None."""
    for name in _SERVER_MODULES:
        if importlib.util.find_spec(name) is None:
            return name
    return None


def require_server_extra() -> None:
    """Raise ModuleNotFoundError, in one line saying what to install, if the ``server`` extra
    is missing: without it the server process would only die at once, telling the test
    nothing of why."""
    missing = missing_server_module()
    if missing is not None:
        raise ModuleNotFoundError(
            f"starting a multiassets server needs the 'server' extra ({missing} is not "
            f"installed): {INSTALL_HINT}",
            name=missing,
        )


@dataclass
class TestServer:
    """A running server: where it is, its control plane, and the demo account's key."""

    base_url: str
    port: int
    db_url: str
    admin_token: str
    account: str
    api_key: str
    secret_key: str
    process: subprocess.Popen[str] = field(repr=False)
    #: The accounts, keys and states the server started with (an export), for :meth:`reset`.
    initial: dict[str, Any] | None = field(default=None, repr=False)

    __test__ = False  # not a pytest test class, despite its name

    @property
    def control(self) -> ControlClient:
        return ControlClient(self.base_url, self.admin_token)

    def reset(self) -> None:
        """Put the server back as it started, as a new server would be, in two control-plane
        calls: ``POST /_multiassets/reset`` (every account, key, listenKey and user-data
        stream ends; the fault rules, clock, prices, request log, and every IP's weight and
        bans go), then ``PUT /_multiassets/state`` with the accounts the server started with,
        each in its state then.

        Each HMAC key is issued anew, as a new server would: ``api_key`` and ``secret_key``
        hold the demo account's new key, and a key an earlier test kept is refused (RSA and
        Ed25519 keys, whose private half only their owner has, come back as they were).
        Not reset: the metrics (Prometheus counters only grow), the request log's numbering
        (a follower's ``since`` still works), and WebSocket API connections (a key a test
        created and logged on with is gone, so their signed calls are refused; one the server
        started with comes back, and a session on it stays logged on)."""
        control = self.control
        if self.initial is None:
            self.initial = control.export()
        control.reset()
        document, renewed = _with_new_secrets(self.initial)
        control.import_(document)
        self.initial = document
        if self.api_key in renewed:
            self.api_key, self.secret_key = renewed[self.api_key]


def _with_new_secrets(
    document: dict[str, Any],
) -> tuple[dict[str, Any], dict[str, tuple[str, str]]]:
    """``document`` (an export) with a new apiKey and secretKey for each HMAC key; and the new
    (apiKey, secretKey) by old apiKey."""
    renewed: dict[str, tuple[str, str]] = {}

    def renew(key: dict[str, Any]) -> dict[str, Any]:
        if key.get("type", "HMAC") != "HMAC":
            return key
        new = renewed[key["apiKey"]] = (new_token(), new_token())
        return {**key, "apiKey": new[0], "secretKey": new[1]}

    accounts = [
        {**account, "keys": [renew(key) for key in account.get("keys", [])]}
        for account in document["accounts"]
    ]
    return {**document, "accounts": accounts}, renewed


class ServerSession:
    """One server for many tests, handed out as new each time by :meth:`fresh`: started on
    first use, reset (:meth:`TestServer.reset`) on each use after that, and started again if
    a test ended its process. What the ``multiassets_server`` fixture runs on; ``args``,
    ``stderr`` and ``startup_timeout`` are :func:`serve`'s. Each start takes a new folder
    under ``directory`` (a temporary one if not given)."""

    def __init__(
        self,
        directory: Path | str | None = None,
        *,
        args: Sequence[str] = (),
        stderr: IO[str] | None = None,
        startup_timeout: float = 30,
    ) -> None:
        self.directory = Path(directory) if directory is not None else None
        self.args = tuple(args)
        self.stderr = stderr
        self.startup_timeout = startup_timeout
        #: How many server processes this session started.
        self.starts = 0
        self._stack = ExitStack()
        self._server: TestServer | None = None

    def fresh(self) -> TestServer:
        """The server, as new."""
        server = self._server
        if server is None or server.process.poll() is not None:
            return self._start()
        server.reset()
        return server

    def _start(self) -> TestServer:
        self.close()  # a process a test ended, and its folder
        self.starts += 1
        folder = self.directory / f"server-{self.starts}" if self.directory is not None else None
        self._server = self._stack.enter_context(
            serve(folder, args=self.args, stderr=self.stderr, startup_timeout=self.startup_timeout)
        )
        return self._server

    def close(self) -> None:
        """Stop the server, if it runs."""
        self._server = None
        self._stack.close()

    def __enter__(self) -> ServerSession:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def _serve_command(port: int, db_url: str, token: str, args: Sequence[str]) -> list[str]:
    return [
        sys.executable,
        "-m",
        "multiassets",
        "serve",
        "--port",
        str(port),
        "--db",
        db_url,
        "--admin-token",
        token,
        *args,
    ]


def _environment() -> dict[str, str]:
    # A test's server never takes over the discovery file of one the person started
    # (``--discovery`` in ``args`` still writes it).
    return {**os.environ, "PYTHONUNBUFFERED": "1", "MULTIASSETS_DISCOVERY": "false"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_serving(port: int, process: subprocess.Popen[str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"multiassets serve exited with {process.returncode}")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
        try:
            connection.request("GET", HEALTH_PATH)  # not charged, not logged
            if connection.getresponse().status == 200:
                return
        except (OSError, http.client.HTTPException):
            time.sleep(0.02)
        finally:
            connection.close()
    raise RuntimeError("multiassets serve did not answer in time")


def _stop(process: subprocess.Popen[str]) -> None:
    """Stop the server as a person would (SIGTERM), and kill it if it does not stop soon."""
    process.terminate()
    try:
        process.wait(timeout=_STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    if process.stdout is not None:
        process.stdout.close()


def _kill(process: subprocess.Popen[str]) -> None:
    process.kill()
    process.wait()
    if process.stdout is not None:
        process.stdout.close()


def _last_words(log: IO[str] | None) -> str:
    """The server's last line on stderr (why it stopped), or nothing."""
    if log is None:
        return ""
    log.flush()
    log.seek(0)
    lines = [line.strip() for line in log.read().splitlines() if line.strip()]
    return f": {lines[-1]}" if lines else ""


def _start(
    folder: Path,
    db_url: str,
    token: str,
    args: Sequence[str],
    logs: tuple[IO[str], IO[str] | None],
    timeout: float,
) -> tuple[int, subprocess.Popen[str], list[str]]:
    """Start ``multiassets serve`` on a free port: its port, its process and its first three
    lines (the demo account and its key). ``logs``: where its stderr goes, and our own file
    of it, if it is ours, to read why a start failed."""
    log, own_log = logs
    for attempt in range(1, _START_ATTEMPTS + 1):
        port = _free_port()
        process = subprocess.Popen(
            _serve_command(port, db_url, token, args),
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            env=_environment(),
        )
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(3)]
        if lines[0] and not lines[0].startswith("Created account 'demo'"):
            _kill(process)
            raise RuntimeError(f"expected a new database in {folder}: {lines[0].strip()!r}")
        try:
            _wait_until_serving(port, process, timeout)
            return port, process, lines
        except RuntimeError as error:
            _kill(process)
            if attempt == _START_ATTEMPTS:
                raise RuntimeError(f"{error}{_last_words(own_log)}") from None
        # Most likely the port was taken between choosing and binding it. Start again from
        # an empty database (this start's own), so the next attempt prints the demo key too.
        for suffix in ("", "-wal", "-shm"):
            (folder / f"{_DATABASE}{suffix}").unlink(missing_ok=True)
    raise AssertionError("unreachable")


@contextmanager
def serve(
    directory: Path | str | None = None,
    *,
    args: Sequence[str] = (),
    stderr: IO[str] | None = None,
    startup_timeout: float = 30,
    db_url: str | None = None,
) -> Iterator[TestServer]:
    """Start ``multiassets serve`` on a free loopback port with a new SQLite database.

    Parameters:

    * ``directory`` — where the database goes (a temporary directory, removed afterwards,
      if not given); it must not hold a database already.
    * ``args`` — more ``multiassets serve`` options, e.g. ``["--weight-limit", "100"]``.
    * ``stderr`` — a file for the server's log (discarded if not given).
    * ``db_url`` — another (empty) database instead, e.g. ``postgresql://…``.
    """
    require_server_extra()
    owned = directory is None
    folder = Path(tempfile.mkdtemp(prefix="multiassets-")) if owned else Path(str(directory))
    if db_url is None and (folder / _DATABASE).exists():
        raise RuntimeError(f"expected a new database in {folder}: it holds {_DATABASE}")
    db_url = db_url or f"sqlite:///{folder / _DATABASE}"
    token = new_token()
    with ExitStack() as cleanup:
        if owned:
            cleanup.callback(shutil.rmtree, folder, ignore_errors=True)
        # Without a file of the caller's, the log is kept only to say why a start failed.
        own_log: IO[str] | None = None
        if stderr is None:
            stderr = own_log = cleanup.enter_context(tempfile.TemporaryFile("w+"))
        logs = (stderr, own_log)
        port, process, lines = _start(folder, db_url, token, args, logs, startup_timeout)
        cleanup.callback(_stop, process)
        server = TestServer(
            f"http://127.0.0.1:{port}",
            port,
            db_url,
            token,
            "demo",
            lines[1].split()[-1],
            lines[2].split()[-1],
            process,
        )
        server.initial = server.control.export()
        yield server


@contextmanager
def serve_existing(
    db_url: str,
    admin_token: str,
    *,
    port: int | None = None,
    args: Sequence[str] = (),
    startup_timeout: float = 30,
) -> Iterator[tuple[int, subprocess.Popen[str]]]:
    """Another server process on a database that already exists (a second node, or a restart
    after a crash): yields its port and process."""
    require_server_extra()
    port = port if port is not None else _free_port()
    process = subprocess.Popen(
        _serve_command(port, db_url, admin_token, args),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
        env=_environment(),
    )
    try:
        _wait_until_serving(port, process, startup_timeout)
        yield port, process
    finally:
        _stop(process)
