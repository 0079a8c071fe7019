"""Redis or PostgreSQL stopped mid-run: the server answers Binance's -1001 (HTTP 503) at once,
neither hanging nor guessing, its health says which part is down, and it recovers by itself
when the part returns. Each test runs its own Redis or PostgreSQL, so it can stop it."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ..support import Server, free_port, running_server

MODE = "/fapi/v1/multiAssetsMargin"
DOWN = {"code": -1001, "msg": "Internal error; unable to process your request. Please try again."}


def _binary(name: str, *candidates: str) -> str:
    for path in (shutil.which(name), *candidates):
        if path and os.access(path, os.X_OK):
            return path
    if os.environ.get("CI"):
        raise AssertionError(f"{name} is needed for this test under CI")
    pytest.skip(f"{name} is not installed")


def _wait_for_port(port: int, timeout: float = 15) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError(f"nothing listens on port {port}")


@dataclass
class Service:
    """A service this test runs, and can stop and start again on the same port."""

    port: int
    command: list[str]
    stop_command: list[str] | None = None
    user: str | None = None
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = ["runuser", "-u", self.user, "--", *self.command] if self.user else self.command
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        _wait_for_port(self.port)

    def stop(self) -> None:
        if self.stop_command is not None:
            command = self.stop_command
            if self.user:
                command = ["runuser", "-u", self.user, "--", *command]
            subprocess.run(command, check=True, capture_output=True)
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=15)
            self.process = None


@contextmanager
def private_redis() -> Iterator[Service]:
    port = free_port()
    command = [_binary("redis-server"), "--port", str(port), "--bind", "127.0.0.1"]
    service = Service(port, [*command, "--save", "", "--appendonly", "no"])
    service.start()
    try:
        yield service
    finally:
        service.stop()


@contextmanager
def private_postgres() -> Iterator[tuple[Service, str]]:
    """A PostgreSQL cluster of our own (initdb), and its URL."""
    bin_dir = "/usr/lib/postgresql/15/bin"
    initdb = _binary("initdb", f"{bin_dir}/initdb")
    postgres = _binary("postgres", f"{bin_dir}/postgres")
    pg_ctl = _binary("pg_ctl", f"{bin_dir}/pg_ctl")
    # PostgreSQL refuses to run as root: then it runs as the postgres user.
    user = "postgres" if os.geteuid() == 0 else None
    folder = Path(tempfile.mkdtemp(prefix="multiassets-pg-"))
    if user is not None:
        shutil.chown(folder, user)
    data = folder / "data"
    init = [initdb, "-D", str(data), "-A", "trust", "-U", "postgres"]
    subprocess.run(
        ["runuser", "-u", user, "--", *init] if user else init, check=True, capture_output=True
    )
    port = free_port()
    server = [postgres, "-D", str(data), "-p", str(port), "-k", str(folder)]
    service = Service(
        port,
        [*server, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"],
        stop_command=[pg_ctl, "-D", str(data), "stop", "-m", "immediate"],
        user=user,
    )
    service.start()
    try:
        yield service, f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        try:
            service.stop()
        finally:
            shutil.rmtree(folder, ignore_errors=True)


def health(srv: Server) -> tuple[int, Any]:
    reply = srv.request("GET", "/_multiassets/health")
    return reply.status, reply.json()


def until_answered(srv: Server, method: str, params: dict[str, str] | None = None) -> Any:
    """The first answer that is not -1001, within a few seconds (recovery)."""
    deadline = time.monotonic() + 10
    while True:
        reply = srv.signed(method, MODE, params)
        if reply.status != 503 or time.monotonic() > deadline:
            return reply
        time.sleep(0.1)


def test_redis_down_answers_1001_then_recovers(tmp_path: Path) -> None:
    with (
        private_redis() as redis,
        running_server(tmp_path, "--redis", f"redis://127.0.0.1:{redis.port}/0") as srv,
    ):
        assert srv.signed("GET", MODE).status == 200
        redis.stop()
        started = time.monotonic()
        reply = srv.signed("GET", MODE)
        assert (reply.status, reply.json()) == (503, DOWN)
        assert reply.headers["content-type"] == "application/json"
        assert time.monotonic() - started < 3  # fails fast: no hanging on a dead Redis
        changed = srv.signed("POST", MODE, {"multiAssetsMargin": "true"})
        assert (changed.status, changed.json()) == (503, DOWN)  # refused before any change
        assert health(srv) == (
            503,
            {"status": "degraded", "database": "ok", "redis": "unreachable"},
        )
        redis.start()
        assert until_answered(srv, "GET").json() == {"multiAssetsMargin": False}
        assert health(srv)[0] == 200


def test_postgres_down_refuses_changes_with_1001_then_recovers(tmp_path: Path) -> None:
    with private_postgres() as (postgres, url), running_server(tmp_path, db_url=url) as srv:
        assert srv.signed("POST", MODE, {"multiAssetsMargin": "true"}).status == 200
        postgres.stop()
        changed = srv.signed("POST", MODE, {"multiAssetsMargin": "false"})
        assert (changed.status, changed.json()) == (503, DOWN)
        # Nothing can change while the database is down: reads answer what was committed.
        assert srv.signed("GET", MODE).json() == {"multiAssetsMargin": True}
        status, document = health(srv)
        assert (status, document["status"], document["database"]) == (
            503,
            "degraded",
            "unreachable",
        )
        postgres.start()
        changed = until_answered(srv, "POST", {"multiAssetsMargin": "false"})
        assert (changed.status, changed.json()) == (200, {"code": 200, "msg": "success"})
        assert srv.signed("GET", MODE).json() == {"multiAssetsMargin": False}
        assert health(srv)[0] == 200
