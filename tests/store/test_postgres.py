"""PostgreSQL as the store: the same schema, writes and answers as SQLite."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from multiassets.admin import Admin
from multiassets.cli.main import cli
from multiassets.store import CreateAccount, StoreError, open_store
from multiassets.store.schema import MIGRATIONS

from ..support import Credentials, Server, postgres_database, running_server


@pytest.fixture
def pg_url() -> Iterator[str]:
    with postgres_database() as url:
        yield url


def test_schema_is_created_once_at_the_latest_version(pg_url: str) -> None:
    for _ in range(2):
        store = open_store(pg_url)
        assert store.schema_version() == len(MIGRATIONS)
        store.close()


def test_accounts_keys_and_state_round_trip(pg_url: str) -> None:
    store = open_store(pg_url)
    try:
        admin = Admin(store)
        key = admin.create_key("alice", ["USER_DATA"], ["127.0.0.1"])
        state = {
            "multiAssetsMargin": True,
            "dualSidePosition": True,
            "creditsMode": True,
            "marginTypes": {"ETHUSDT": "CROSSED"},
            "leverage": {"BTCUSDT": 7},
            "balances": {"USDT": "12.50", "BNFCR": "-3"},
            "positions": [
                {
                    "symbol": "BTCUSDT",
                    "positionSide": "LONG",
                    "positionAmt": "0.010",
                    "entryPrice": "90000",
                    "isolatedWallet": "0",
                }
            ],
            "openOrders": [
                {
                    "orderId": 9,
                    "symbol": "BNBUSDT",
                    "side": "SELL",
                    "type": "LIMIT",
                    "positionSide": "SHORT",
                    "price": "900",
                    "origQty": "1",
                }
            ],
        }
        assert admin.set_state("alice", state) == state
        assert admin.state("alice") == state
        found = store.find_key(key["apiKey"])
        assert found is not None and found[0].ip_allowlist == ("127.0.0.1",)
        exported = admin.export()
        admin.import_(exported)
        assert admin.export() == exported
        # Imported ids don't collide with the next account made.
        admin.create_account("bob")
        assert [a["name"] for a in admin.list_accounts()] == ["alice", "bob"]
        with pytest.raises(StoreError):
            store.apply([CreateAccount("bob")], atomic=True)
    finally:
        store.close()


def test_commits_elsewhere_are_noticed_and_own_commits_are_not(pg_url: str) -> None:
    ours, theirs = open_store(pg_url), open_store(pg_url)
    try:
        assert not ours.changed_elsewhere().changed
        Admin(ours).create_account("mine")
        assert not ours.changed_elsewhere().changed
        Admin(theirs).create_account("yours")
        Admin(theirs).set_state("yours", {"multiAssetsMargin": True})
        Admin(theirs).set_state("yours", {"multiAssetsMargin": False})
        time.sleep(0.1)
        elsewhere = ours.changed_elsewhere()
        account = theirs.account("yours")
        assert account is not None
        # every mode change, in order, even those that undo each other
        # another process's: no moment of ours to go by
        expected = [(account.id, True, None), (account.id, False, None)]
        assert elsewhere.changed and elsewhere.modes == expected
        assert not ours.changed_elsewhere().changed
    finally:
        ours.close()
        theirs.close()


def test_server_on_postgres_answers_as_on_sqlite(pg_url: str, tmp_path: Path) -> None:
    with running_server(tmp_path, "--weight-limit", "1000000", db_url=pg_url) as srv:
        assert srv.signed("GET", "/fapi/v1/multiAssetsMargin").json() == {
            "multiAssetsMargin": False
        }
        assert srv.signed(
            "POST", "/fapi/v1/multiAssetsMargin", {"multiAssetsMargin": "true"}
        ).json() == {"code": 200, "msg": "success"}
        srv.control.set_state(
            "demo",
            {
                "openOrders": [
                    {"orderId": 1, "symbol": "BTCUSDT", "side": "BUY", "price": "1", "origQty": "1"}
                ]
            },
            partial=True,
        )
        reply = srv.signed("POST", "/fapi/v1/multiAssetsMargin", {"multiAssetsMargin": "false"})
        assert reply.json()["code"] == -4170
        exported = srv.control.export()
        srv.control.reset()
        srv.control.import_(exported)
        assert srv.signed("GET", "/fapi/v1/multiAssetsMargin").json() == {"multiAssetsMargin": True}
        _cli_change_reaches_the_server(srv, pg_url)


def _cli_change_reaches_the_server(srv: Server, pg_url: str) -> None:
    created = json.loads(
        CliRunner()
        .invoke(cli, ["keys", "create", "--account", "carol", "--json", "--db", pg_url])
        .output
    )
    carol = Credentials(created["apiKey"], created["secretKey"])
    assert srv.signed("GET", "/fapi/v1/multiAssetsMargin", credentials=carol).status == 200
    CliRunner().invoke(
        cli,
        ["state", "load", "--account", "carol", "--merge", "--db", pg_url],
        input='{"multiAssetsMargin": true}',
    )
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        reply = srv.signed("GET", "/fapi/v1/multiAssetsMargin", credentials=carol)
        if reply.json() == {"multiAssetsMargin": True}:
            return
        time.sleep(0.05)
    pytest.fail("the server did not see the change made on its PostgreSQL database")
