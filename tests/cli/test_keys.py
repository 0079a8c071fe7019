from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from multiassets.cli.main import cli
from multiassets.store import open_store

from ..support import Credentials, Server, run_cli


def new_db(tmp_path: Path) -> str:
    """An empty database, as `serve` made it (the other commands make none)."""
    url = f"sqlite:///{tmp_path / 'keys.db'}"
    open_store(url).close()
    return url


def test_keys_create_json_prints_account_key_and_secret(tmp_path: Path) -> None:
    db_url = new_db(tmp_path)
    result = CliRunner().invoke(
        cli, ["keys", "create", "--db", db_url, "--account", "alice", "--json"]
    )
    assert result.exit_code == 0, result.output
    created = json.loads(result.output)
    assert list(created) == ["account", "apiKey", "secretKey"]
    assert created["account"] == "alice"
    for value in (created["apiKey"], created["secretKey"]):
        assert len(value) == 64 and value.isascii() and value.isalnum()
    store = open_store(db_url)
    try:
        assert [account.name for account in store.accounts()] == ["alice"]
        found = store.find_key(created["apiKey"])
        assert found is not None and found[0].secret == created["secretKey"]
    finally:
        store.close()


def test_keys_create_reuses_an_existing_account(tmp_path: Path) -> None:
    db_url = new_db(tmp_path)
    runner = CliRunner()
    for _ in range(2):
        assert (
            runner.invoke(cli, ["keys", "create", "--db", db_url, "--account", "bob"]).exit_code
            == 0
        )
    store = open_store(db_url)
    try:
        assert [account.name for account in store.accounts()] == ["bob"]
        assert len(store.api_keys()) == 2
    finally:
        store.close()


def test_keys_create_refuses_an_unsupported_database_url() -> None:
    result = CliRunner().invoke(cli, ["keys", "create", "--db", "mysql://x", "--account", "a"])
    assert result.exit_code == 2
    assert "unsupported database URL 'mysql://x'" in result.output


def test_key_created_while_the_server_runs_works_on_the_next_request(server: Server) -> None:
    created = json.loads(
        run_cli("keys", "create", "--db", server.db_url, "--account", "carol", "--json").stdout
    )
    carol = Credentials(created["apiKey"], created["secretKey"])
    reply = server.signed("GET", "/fapi/v1/multiAssetsMargin", credentials=carol)
    assert (reply.status, reply.json()) == (200, {"multiAssetsMargin": False})
