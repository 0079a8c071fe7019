from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from multiassets.store.schema import MIGRATIONS

from ..support import Credentials, Server, free_port, sqlite_only, wait_until_serving


def start(db: Path, port: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "multiassets",
            "serve",
            "--port",
            str(port),
            "--db",
            f"sqlite:///{db}",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def stop(process: subprocess.Popen[str]) -> str:
    process.terminate()
    process.wait(timeout=10)
    assert process.stdout is not None
    output = process.stdout.read()
    process.stdout.close()
    return output


def test_first_start_prints_demo_key_and_control_token_once(tmp_path: Path) -> None:
    db = tmp_path / "serve.db"
    port = free_port()
    first = start(db, port)
    wait_until_serving(port, first)
    lines = stop(first).splitlines()
    assert lines[0] == "Created account 'demo' with an HMAC key (shown only this once):"
    api_key, secret = lines[1].split()[-1], lines[2].split()[-1]
    assert lines[3].startswith("Control plane token (shown only this once")
    token = lines[4].split()[-1]
    assert len(api_key) == len(secret) == len(token) == 64

    # A second start on the same database keeps the account and shows neither again.
    second = start(db, port)
    wait_until_serving(port, second)
    server = Server(port, f"sqlite:///{db}", Credentials(api_key, secret), admin_token=token)
    try:
        assert server.signed("GET", "/fapi/v1/multiAssetsMargin").status == 200
        assert server.control.list_accounts() == [{"name": "demo", "multiAssetsMargin": False}]
    finally:
        server.close_connection()
        again = stop(second)
        assert again.startswith("Ready on http://127.0.0.1:")
        assert api_key not in again and secret not in again and token not in again


@sqlite_only
def test_serve_creates_the_schema_at_the_latest_version(server: Server) -> None:
    with sqlite3.connect(server.db_path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
