"""A real multiassets server for your tests, on a free port with a fresh database.

    from multiassets.testing import serve

    with serve() as server:
        client = UMFutures(key=server.api_key, secret=server.secret_key,
                           base_url=server.base_url)
        server.control.set_state(server.account, {"multiAssetsMargin": True})
        assert client.get_multi_asset_mode() == {"multiAssetsMargin": True}

With pytest, the ``multiassets_server`` fixture gives the same object (the plugin is
registered when multiassets is installed). This is what moto's server mode is for AWS.
"""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from .control_client import ControlClient
from .protocol.keys import new_token

__all__ = ["TestServer", "serve", "serve_existing"]

_STOP_TIMEOUT_S = 10


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

    __test__ = False  # not a pytest test class, despite its name

    @property
    def control(self) -> ControlClient:
        return ControlClient(self.base_url, self.admin_token)


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
            connection.request("GET", "/fapi/v1/ping")
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
    owned = directory is None
    folder = Path(tempfile.mkdtemp(prefix="multiassets-")) if owned else Path(str(directory))
    db_url = db_url or f"sqlite:///{folder / 'multiassets.db'}"
    token = new_token()
    try:
        for attempt in range(3):
            port = _free_port()
            process = subprocess.Popen(
                _serve_command(port, db_url, token, args),
                stdout=subprocess.PIPE,
                stderr=stderr if stderr is not None else subprocess.DEVNULL,
                text=True,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
            assert process.stdout is not None
            lines = [process.stdout.readline() for _ in range(3)]
            try:
                if not lines[0].startswith("Created account 'demo'"):
                    raise RuntimeError(f"expected a new database in {folder}: {lines!r}")
                _wait_until_serving(port, process, startup_timeout)
            except RuntimeError:
                process.kill()
                process.wait()
                process.stdout.close()
                if attempt == 2 or not lines[0]:
                    raise
                # Most likely the port was taken between choosing and binding it. Start again
                # from an empty database, so the next attempt prints the demo key too.
                for suffix in ("", "-wal", "-shm"):
                    (folder / f"multiassets.db{suffix}").unlink(missing_ok=True)
                continue
            break
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
        try:
            yield server
        finally:
            _stop(process)
            if process.stdout is not None:
                process.stdout.close()
    finally:
        if owned:
            shutil.rmtree(folder, ignore_errors=True)


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
    port = port if port is not None else _free_port()
    process = subprocess.Popen(
        _serve_command(port, db_url, admin_token, args),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        _wait_until_serving(port, process, startup_timeout)
        yield port, process
    finally:
        _stop(process)
