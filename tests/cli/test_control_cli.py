"""`multiassets accounts|keys|state` on a database directly and on a running server."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from multiassets.cli.main import cli
from multiassets.store import open_store

from ..support import Credentials, Server


def run(*args: str, input: str | None = None) -> str:
    result = CliRunner().invoke(cli, list(args), input=input)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def db(tmp_path: Path) -> str:
    """An empty database, as `serve` made it (the other commands make none)."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    open_store(url).close()
    return url


def test_accounts_on_a_database(db: str) -> None:
    run("accounts", "create", "alice", "--db", db)
    run("accounts", "create", "bob", "--db", db)
    listed = [json.loads(line) for line in run("accounts", "list", "--db", db).splitlines()]
    assert listed == [
        {"name": "alice", "multiAssetsMargin": False},
        {"name": "bob", "multiAssetsMargin": False},
    ]
    assert run("accounts", "delete", "alice", "--db", db) == "deleted account alice\n"
    assert "alice" not in run("accounts", "list", "--db", db)


def test_accounts_errors_exit_1_with_the_reason(db: str) -> None:
    result = CliRunner().invoke(cli, ["accounts", "delete", "nobody", "--db", db])
    assert (result.exit_code, result.output) == (1, "Error: no account named 'nobody'\n")


def test_keys_create_list_revoke_never_show_a_secret_twice(db: str) -> None:
    created = json.loads(
        run(
            "keys",
            "create",
            "--account",
            "carol",
            "--permissions",
            "USER_DATA",
            "--ip",
            "127.0.0.1",
            "--json",
            "--db",
            db,
        )
    )
    listed = [
        json.loads(line)
        for line in run("keys", "list", "--account", "carol", "--db", db).splitlines()
    ]
    assert listed == [
        {
            "apiKey": created["apiKey"],
            "type": "HMAC",
            "permissions": ["USER_DATA"],
            "ipAllowlist": ["127.0.0.1"],
        }
    ]
    assert created["secretKey"] not in run("keys", "list", "--account", "carol", "--db", db)
    run("keys", "revoke", created["apiKey"], "--db", db)
    assert run("keys", "list", "--account", "carol", "--db", db) == ""


def test_keys_create_refuses_unknown_permissions(db: str) -> None:
    result = CliRunner().invoke(
        cli, ["keys", "create", "--account", "a", "--permissions", "ADMIN", "--db", db]
    )
    assert result.exit_code == 2
    assert "choose from USER_DATA, TRADE" in result.output


def test_state_dump_load_round_trip(db: str, tmp_path: Path) -> None:
    run("keys", "create", "--account", "dave", "--db", db)
    run(
        "state",
        "load",
        "--account",
        "dave",
        "--merge",
        "--db",
        db,
        input='{"balances": {"USDT": "10.5"}, "multiAssetsMargin": true}',
    )
    fixture = tmp_path / "fixture.json"
    run("state", "dump", "-o", str(fixture), "--db", db)
    run("state", "reset", "--yes", "--db", db)
    assert run("accounts", "list", "--db", db) == ""
    assert run("state", "load", str(fixture), "--db", db) == "loaded 1 account(s)\n"
    assert json.loads(run("state", "dump", "--account", "dave", "--db", db))["balances"] == {
        "USDT": "10.5"
    }


def test_commands_work_on_a_running_server(server: Server) -> None:
    remote = ("--server", server.base_url, "--token", server.admin_token)
    created = json.loads(run("keys", "create", "--account", "erin", "--json", *remote))
    erin = Credentials(created["apiKey"], created["secretKey"])
    run(
        "state",
        "load",
        "--account",
        "erin",
        "--merge",
        *remote,
        input='{"multiAssetsMargin": true}',
    )
    reply = server.signed("GET", "/fapi/v1/multiAssetsMargin", credentials=erin)
    assert reply.json() == {"multiAssetsMargin": True}
    assert (
        json.loads(run("state", "dump", "--account", "erin", *remote))["multiAssetsMargin"] is True
    )


def test_server_without_token_is_a_usage_error(server: Server) -> None:
    result = CliRunner().invoke(cli, ["accounts", "list", "--server", server.base_url])
    assert result.exit_code == 2
    assert "--server needs --token (env var: 'MULTIASSETS_TOKEN')" in result.output


def test_wrong_token_exits_2(server: Server) -> None:
    result = CliRunner().invoke(
        cli, ["accounts", "list", "--server", server.base_url, "--token", "x"]
    )
    assert result.exit_code == 2
    assert "Bearer" in result.output


def test_change_on_the_database_reaches_the_running_server(server: Server) -> None:
    run(
        "state",
        "load",
        "--account",
        "demo",
        "--merge",
        "--db",
        server.db_url,
        input='{"multiAssetsMargin": true}',
    )
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if server.signed("GET", "/fapi/v1/multiAssetsMargin").json() == {"multiAssetsMargin": True}:
            break
        time.sleep(0.05)
    else:
        pytest.fail("the server did not see the change made on its database")
    run(
        "state",
        "load",
        "--account",
        "demo",
        "--merge",
        "--db",
        server.db_url,
        input='{"multiAssetsMargin": false}',
    )


def test_key_revoked_on_the_database_is_refused_even_after_the_server_commits(
    server: Server,
) -> None:
    created = json.loads(
        run("keys", "create", "--account", "frank", "--json", "--db", server.db_url)
    )
    frank = Credentials(created["apiKey"], created["secretKey"])
    assert server.signed("GET", "/fapi/v1/multiAssetsMargin", credentials=frank).status == 200
    run("keys", "revoke", created["apiKey"], "--db", server.db_url)
    # The server's own commit right after must not hide the CLI's change from it.
    server.signed("POST", "/fapi/v1/marginType", {"symbol": "BTCUSDT", "marginType": "ISOLATED"})
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        reply = server.signed("GET", "/fapi/v1/multiAssetsMargin", credentials=frank)
        if reply.status == 401:
            break
        time.sleep(0.05)
    else:
        pytest.fail("the revoked key still works")
    server.signed("POST", "/fapi/v1/marginType", {"symbol": "BTCUSDT", "marginType": "CROSSED"})
