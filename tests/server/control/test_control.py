"""The control plane over real HTTP: its token, its routes, and fixtures that round-trip."""

from __future__ import annotations

import asyncio
import http.client
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from multiassets.admin import AdminError
from multiassets.server.config import ServerConfig
from multiassets.server.control.plane import handle_control
from multiassets.server.state import ServerState

from ...support import BACKEND, Credentials, Renewable, Server, running_server, sqlite_only

STATE = {
    "multiAssetsMargin": False,
    "dualSidePosition": False,
    "creditsMode": False,
    "marginTypes": {"ETHUSDT": "ISOLATED"},
    "leverage": {"BTCUSDT": 10},
    "balances": {"BTC": "0.5", "USDT": "1234.5678"},
    "positions": [
        {
            "symbol": "BTCUSDT",
            "positionSide": "BOTH",
            "positionAmt": "0.010",
            "entryPrice": "90000.1",
            "isolatedWallet": "0",
        }
    ],
    "openOrders": [
        {
            "orderId": 42,
            "symbol": "BNBUSDT",
            "side": "BUY",
            "type": "LIMIT",
            "positionSide": "BOTH",
            "price": "850",
            "origQty": "1.5",
        }
    ],
}


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Renewable]:
    with running_server(tmp_path_factory.mktemp("control")) as server:
        yield Renewable(server)


@pytest.fixture
def srv(shared: Renewable) -> Server:
    """The module's server, as new: the demo account alone, in its first state."""
    return shared.renew()


def raw(
    server: Server, method: str, path: str, body: Any = None, token: str | None = None
) -> tuple[int, Any]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    try:
        connection.request(
            method,
            f"/_multiassets/{path}",
            body=json.dumps(body) if body is not None else None,
            headers=headers,
        )
        response = connection.getresponse()
        assert response.getheader("content-type") == "application/json"
        return response.status, json.loads(response.read())
    finally:
        connection.close()


@pytest.mark.parametrize("token", [None, "", "wrong"], ids=["missing", "empty", "wrong"])
def test_control_plane_refuses_without_the_token(srv: Server, token: str | None) -> None:
    status, body = raw(srv, "GET", "accounts", token=token)
    assert (status, body) == (
        401,
        {"error": "a valid 'Authorization: Bearer <token>' header is required"},
    )


def test_health_answers_without_a_token(srv: Server) -> None:
    # With Redis (the PostgreSQL pass), health reports it too.
    redis = {"redis": "ok"} if BACKEND == "postgresql" else {}
    assert raw(srv, "GET", "health") == (200, {"status": "ok", "database": "ok", **redis})


def test_unknown_route_and_bad_json(srv: Server) -> None:
    assert raw(srv, "GET", "nothing", token=srv.admin_token)[0] == 404
    connection = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
    connection.request(
        "POST",
        "/_multiassets/accounts",
        body=b"{not json",
        headers={"Authorization": f"Bearer {srv.admin_token}"},
    )
    response = connection.getresponse()
    assert (response.status, json.loads(response.read())) == (
        400,
        {"error": "the body must be JSON"},
    )
    connection.close()


def test_accounts_create_list_delete(srv: Server) -> None:
    control = srv.control
    assert control.create_account("alice") == {"name": "alice", "multiAssetsMargin": False}
    assert [a["name"] for a in control.list_accounts()] == ["demo", "alice"]
    with pytest.raises(AdminError) as caught:
        control.create_account("alice")
    assert caught.value.status == 409
    control.delete_account("alice")
    with pytest.raises(AdminError) as caught:
        control.delete_account("alice")
    assert (caught.value.status, str(caught.value)) == (404, "no account named 'alice'")


def test_state_set_and_read_back_exactly(srv: Server) -> None:
    assert srv.control.set_state("demo", STATE) == STATE
    assert srv.control.state("demo") == STATE
    assert srv.control.set_state("demo", {"balances": {"USDT": "1"}}, partial=True)["openOrders"]


@pytest.mark.parametrize(
    ("document", "message"),
    [
        pytest.param(
            {"balances": {"USDT": 1.5}},
            'balance of USDT must be a decimal string such as "-1.5": at most 18 digits before'
            " the point and 8 after it, got 1.5",
            id="float-amount",
        ),
        pytest.param(
            {"balances": {"XYZ": "1"}}, "balances: unknown asset 'XYZ'", id="unknown-asset"
        ),
        pytest.param(
            {"marginTypes": {"BTCUSDT": "CROSS"}},
            "marginType must be one of CROSSED, ISOLATED, got 'CROSS'",
            id="bad-margin-type",
        ),
        pytest.param(
            {"multiAssetsMargin": "true"},
            "multiAssetsMargin must be true or false, got 'true'",
            id="string-mode",
        ),
        pytest.param({"fees": 5}, "unknown fields in an account state: fees", id="unknown-field"),
        pytest.param({"leverage": 5}, "leverage must be an object, got 5", id="leverage-shape"),
    ],
)
def test_invalid_state_is_refused_with_a_reason(srv: Server, document: Any, message: str) -> None:
    status, body = raw(srv, "PUT", "accounts/demo/state", document, token=srv.admin_token)
    assert (status, body) == (400, {"error": message})


def test_export_reset_import_gives_back_the_same_state(srv: Server) -> None:
    control = srv.control
    control.set_state("demo", STATE)
    bob = control.create_key("bob", ["USER_DATA"], ["127.0.0.1"])
    control.set_state("bob", {"multiAssetsMargin": True, "balances": {"USDC": "10"}})
    exported = control.export()

    control.reset()
    assert control.list_accounts() == []
    assert srv.signed("GET", "/fapi/v1/multiAssetsMargin").json()["code"] == -2015

    control.import_(exported)
    assert control.export() == exported
    assert srv.signed("GET", "/fapi/v1/multiAssetsMargin").json() == {"multiAssetsMargin": False}
    bob_creds = Credentials(bob["apiKey"], bob["secretKey"])
    reply = srv.signed("GET", "/fapi/v1/multiAssetsMargin", credentials=bob_creds)
    assert reply.json() == {"multiAssetsMargin": True}


def test_import_is_all_or_nothing(srv: Server) -> None:
    control = srv.control
    before = control.export()
    broken = {
        "format": "multiassets/state@1",
        "accounts": [
            {"name": "x", "keys": [], "state": {}},
            {"name": "x", "keys": [], "state": {}},
        ],
    }
    with pytest.raises(AdminError):
        control.import_(broken)
    assert control.export() == before


def test_state_change_through_the_control_plane_is_seen_at_once(srv: Server) -> None:
    srv.control.set_state("demo", {"multiAssetsMargin": True}, partial=True)
    assert srv.signed("GET", "/fapi/v1/multiAssetsMargin").json() == {"multiAssetsMargin": True}


def test_control_plane_refuses_non_loopback_clients_unless_allowed(tmp_path: Path) -> None:
    async def ask(allow_remote: bool) -> int:
        state = ServerState(
            ServerConfig(f"sqlite:///{tmp_path / 'c.db'}", admin_allow_remote=allow_remote)
        )
        try:
            status, _, _ = await handle_control(
                state, "GET", "/_multiassets/accounts", None, "10.0.0.5", b""
            )
            return status
        finally:
            state.close()

    assert asyncio.run(ask(False)) == 403
    assert asyncio.run(ask(True)) == 401  # past the address check, stopped by the token


def test_key_creation_takes_permissions_and_allow_list(srv: Server) -> None:
    status, created = raw(
        srv,
        "POST",
        "accounts/demo/keys",
        {"permissions": ["USER_DATA"], "ipAllowlist": ["127.0.0.1"]},
        token=srv.admin_token,
    )
    assert status == 200
    assert (
        created["account"],
        created["type"],
        created["permissions"],
        created["ipAllowlist"],
    ) == ("demo", "HMAC", ["USER_DATA"], ["127.0.0.1"])
    assert len(created["secretKey"]) == 64
    status, body = raw(srv, "POST", "accounts/demo/keys", {"type": "RSA"}, token=srv.admin_token)
    assert (status, body) == (400, {"error": "RSA and ED25519 keys need a publicKey (PEM)"})


@pytest.mark.parametrize(
    ("path", "document"),
    [
        pytest.param("accounts/demo/state", {"marginTypes": [1]}, id="margin-types-list"),
        pytest.param("accounts/demo/state", {"positions": 5}, id="positions-number"),
        pytest.param("accounts/demo/state", {"balances": "x"}, id="balances-string"),
        pytest.param("accounts/demo/state", {"positions": [{"symbol": []}]}, id="symbol-list"),
        pytest.param("accounts/demo/keys", {"permissions": [[1]]}, id="permissions-nested"),
        pytest.param("accounts/demo/keys", {"ipAllowlist": ["not-an-ip"]}, id="bad-ip"),
        pytest.param(
            "state",
            {
                "format": "multiassets/state@1",
                "accounts": [{"name": "x", "keys": [{"apiKey": "short", "secretKey": "s"}]}],
            },
            id="short-api-key",
        ),
        pytest.param(
            "state",
            {
                "format": "multiassets/state@1",
                "accounts": [
                    {
                        "name": "x",
                        "keys": [
                            {"apiKey": "a" * 64, "secretKey": "s", "ipAllowlist": "127.0.0.1"}
                        ],
                    }
                ],
            },
            id="allowlist-string",
        ),
    ],
)
def test_badly_shaped_bodies_get_400_not_500(srv: Server, path: str, document: Any) -> None:
    method = "POST" if path.endswith("keys") else "PUT"
    status, body = raw(srv, method, path, document, token=srv.admin_token)
    assert status == 400 and isinstance(body["error"], str), body


@sqlite_only
def test_a_busy_database_does_not_block_binance_requests(srv: Server) -> None:
    import sqlite3
    import threading
    import time

    blocker = sqlite3.connect(srv.db_path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    results: list[int] = []
    creating = threading.Thread(
        target=lambda: results.append(
            raw(srv, "POST", "accounts", {"name": "slow"}, token=srv.admin_token)[0]
        )
    )
    creating.start()
    try:
        time.sleep(0.3)
        started = time.monotonic()
        assert srv.request("GET", "/fapi/v1/ping").status == 200
        assert time.monotonic() - started < 1.0
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    creating.join(timeout=30)
    assert results == [200]
