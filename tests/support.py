"""Test support: a real server process on a loopback port, and a raw signing HTTP client."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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
    """A `multiassets serve` process and what a test needs to talk to it."""

    port: int
    db_path: Path
    process: subprocess.Popen[str]
    demo: Credentials
    _connection: http.client.HTTPConnection | None = field(default=None, repr=False)
    #: What the process printed on stdout after the demo credentials, read when it stops.
    output: str = ""

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.db_path}"

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
    ) -> Reply:
        """A correctly signed request, parameters in the query (or the form body)."""
        creds = credentials or self.demo
        fields = dict(params or {})
        fields["timestamp"] = timestamp if timestamp is not None else now_ms()
        payload = urlencode(fields)
        signature = sign(creds.secret, payload)
        headers = {"X-MBX-APIKEY": creds.api_key}
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

    def stop(self) -> None:
        self.close_connection()
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.output = self.process.stdout.read()
            self.process.stdout.close()


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def sign(secret: str, payload: str | bytes) -> str:
    data = payload.encode() if isinstance(payload, str) else payload
    return hmac.new(secret.encode(), data, hashlib.sha256).hexdigest()


def wait_until_serving(port: int, process: subprocess.Popen[str], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
        try:
            connection.request("GET", "/fapi/v1/ping")
            if connection.getresponse().status == 200:
                return
        except (OSError, http.client.HTTPException):
            time.sleep(0.05)
        finally:
            connection.close()
    raise RuntimeError("server did not start in time")


@contextmanager
def running_server(
    tmp: Path, *args: str, expect_demo: bool = True, log: Path | None = None
) -> Iterator[Server]:
    """Start `multiassets serve` on a free port with a database in ``tmp``.

    On a new database the server prints the demo account's key; ``expect_demo=False`` for a
    database that already has accounts (the demo credentials are then left empty).
    ``log`` receives what the server writes on stderr.
    """
    db_path = tmp / "multiassets.db"
    port = free_port()
    log_file = log.open("w") if log is not None else None
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "multiassets",
            "serve",
            "--port",
            str(port),
            "--db",
            f"sqlite:///{db_path}",
            *args,
        ],
        stdout=subprocess.PIPE,
        stderr=log_file if log_file is not None else subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    demo = Credentials("", "")
    if expect_demo:
        lines = [process.stdout.readline() for _ in range(3)]
        assert lines[0].startswith("Created account 'demo'"), lines
        demo = Credentials(lines[1].split()[-1], lines[2].split()[-1])
    server = Server(port, db_path, process, demo)
    try:
        wait_until_serving(port, process)
        yield server
    finally:
        server.stop()
        if log_file is not None:
            log_file.close()
