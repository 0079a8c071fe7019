"""POST /fapi/v1/marginType and GET /fapi/v1/symbolConfig, and key permissions."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from ...support import Credentials, Reply, Server, running_server

SUCCESS = {"code": 200, "msg": "success"}


@pytest.fixture(scope="module")
def srv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("margin"), "--weight-limit", "1000000") as server:
        yield server


@pytest.fixture(autouse=True)
def clean_state(srv: Server) -> None:
    srv.control.set_state("demo", {})


def margin_type(server: Server, symbol: str, kind: str, **options: Any) -> Reply:
    return server.signed(
        "POST", "/fapi/v1/marginType", {"symbol": symbol, "marginType": kind}, **options
    )


def config(server: Server, symbol: str) -> Any:
    return server.signed("GET", "/fapi/v1/symbolConfig", {"symbol": symbol}).json()


def test_isolated_then_crossed_and_symbol_config_follows(srv: Server) -> None:
    assert margin_type(srv, "ETHUSDT", "ISOLATED").json() == SUCCESS
    assert config(srv, "ETHUSDT") == [
        {
            "symbol": "ETHUSDT",
            "marginType": "ISOLATED",
            "isAutoAddMargin": "false",
            "leverage": 20,
            # At 20x, ETHUSDT's brackets (market.py) allow up to bracket 6's cap.
            "maxNotionalValue": "100000000",
        }
    ]
    assert margin_type(srv, "ETHUSDT", "CROSSED").json() == SUCCESS
    assert config(srv, "ETHUSDT")[0]["marginType"] == "CROSSED"


def test_symbol_config_lists_every_symbol_without_a_filter(srv: Server) -> None:
    reply = srv.signed("GET", "/fapi/v1/symbolConfig")
    assert reply.status == 200
    assert {entry["symbol"] for entry in reply.json()} >= {"BTCUSDT", "ETHUSDC"}
    assert {entry["marginType"] for entry in reply.json()} == {"CROSSED"}


def test_4046_when_the_margin_type_is_unchanged(srv: Server) -> None:
    reply = margin_type(srv, "BTCUSDT", "CROSSED")
    assert (reply.status, reply.json()) == (
        400,
        {"code": -4046, "msg": "No need to change margin type."},
    )


def test_4168_isolated_under_multi_assets_mode(srv: Server) -> None:
    srv.control.set_state("demo", {"multiAssetsMargin": True})
    reply = margin_type(srv, "BTCUSDT", "ISOLATED")
    assert (reply.status, reply.json()) == (
        400,
        {
            "code": -4168,
            "msg": "Unable to adjust to isolated-margin mode under the Multi-Assets mode.",
        },
    )


def test_isolated_symbol_then_blocks_the_switch_to_multi_assets(srv: Server) -> None:
    assert margin_type(srv, "BTCUSDC", "isolated").json() == SUCCESS  # any letter case
    reply = srv.signed("POST", "/fapi/v1/multiAssetsMargin", {"multiAssetsMargin": "true"})
    assert reply.json()["code"] == -4167


@pytest.mark.parametrize(
    ("params", "code", "msg"),
    [
        pytest.param(
            {"symbol": "DOGEUSDT", "marginType": "ISOLATED"},
            -1121,
            "Invalid symbol.",
            id="unknown-symbol",
        ),
        pytest.param(
            {"marginType": "ISOLATED"},
            -1102,
            "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.",
            id="no-symbol",
        ),
        pytest.param(
            {"symbol": "BTCUSDT"},
            -1102,
            "Mandatory parameter 'marginType' was not sent, was empty/null, or malformed.",
            id="no-margin-type",
        ),
        pytest.param(
            {"symbol": "BTCUSDT", "marginType": "CROSS"},
            -1130,
            "Data sent for parameter 'marginType' is not valid.",
            id="bad-margin-type",
        ),
    ],
)
def test_margin_type_refuses_bad_parameters(
    srv: Server, params: dict[str, str], code: int, msg: str
) -> None:
    reply = srv.signed("POST", "/fapi/v1/marginType", params)
    assert (reply.status, reply.json()) == (400, {"code": code, "msg": msg})


def test_symbol_config_refuses_an_unknown_symbol(srv: Server) -> None:
    reply = srv.signed("GET", "/fapi/v1/symbolConfig", {"symbol": "NOPE"})
    assert (reply.status, reply.json()) == (400, {"code": -1121, "msg": "Invalid symbol."})


def test_open_orders_or_a_position_on_the_symbol_block_the_change(srv: Server) -> None:
    srv.control.set_state(
        "demo",
        {
            "openOrders": [
                {"orderId": 1, "symbol": "ETHUSDT", "side": "SELL", "price": "4000", "origQty": "1"}
            ],
            "positions": [
                {
                    "symbol": "BNBUSDT",
                    "positionAmt": "-2",
                    "entryPrice": "900",
                }
            ],
        },
    )
    assert margin_type(srv, "ETHUSDT", "ISOLATED").json()["code"] == -4047
    assert margin_type(srv, "BNBUSDT", "ISOLATED").json()["code"] == -4048
    assert margin_type(srv, "BTCUSDT", "ISOLATED").json() == SUCCESS


# -- key permissions and IP allow-lists --------------------------------------------------------

REJECTED = {
    "code": -2015,
    "msg": "Invalid API-key, IP, or permissions for action, request ip: 127.0.0.1",
}


def new_key(srv: Server, permissions: list[str], ips: list[str] | None = None) -> Credentials:
    created = srv.control.create_key("demo", permissions, ips)
    return Credentials(created["apiKey"], created["secretKey"])


def test_read_only_key_reads_but_cannot_change(srv: Server) -> None:
    reader = new_key(srv, ["USER_DATA"])
    assert srv.signed("GET", "/fapi/v1/multiAssetsMargin", credentials=reader).status == 200
    reply = srv.signed(
        "POST", "/fapi/v1/multiAssetsMargin", {"multiAssetsMargin": "true"}, credentials=reader
    )
    assert (reply.status, reply.json()) == (401, REJECTED)


def test_trade_only_key_changes_but_cannot_read(srv: Server) -> None:
    trader = new_key(srv, ["TRADE"])
    reply = srv.signed("GET", "/fapi/v1/multiAssetsMargin", credentials=trader)
    assert (reply.status, reply.json()) == (401, REJECTED)
    reply = srv.signed(
        "POST", "/fapi/v1/multiAssetsMargin", {"multiAssetsMargin": "true"}, credentials=trader
    )
    assert reply.json() == SUCCESS


def test_ip_allow_list_refuses_other_ips(srv: Server) -> None:
    elsewhere = new_key(srv, ["USER_DATA", "TRADE"], ["10.1.2.3"])
    reply = srv.signed("GET", "/fapi/v1/multiAssetsMargin", credentials=elsewhere)
    assert (reply.status, reply.json()) == (401, REJECTED)
    here = new_key(srv, ["USER_DATA"], ["10.1.2.3", "127.0.0.1"])
    assert srv.signed("GET", "/fapi/v1/multiAssetsMargin", credentials=here).status == 200


def test_revoked_key_is_refused_on_the_next_request(srv: Server) -> None:
    key = new_key(srv, ["USER_DATA"])
    assert srv.signed("GET", "/fapi/v1/multiAssetsMargin", credentials=key).status == 200
    srv.control.revoke_key(key.api_key)
    reply = srv.signed("GET", "/fapi/v1/multiAssetsMargin", credentials=key)
    assert (reply.status, reply.json()) == (401, REJECTED)


def test_an_empty_ip_allow_list_allows_no_ip(srv: Server) -> None:
    nowhere = new_key(srv, ["USER_DATA"], [])
    assert srv.control.list_keys("demo")[-1]["ipAllowlist"] == []
    reply = srv.signed("GET", "/fapi/v1/multiAssetsMargin", credentials=nowhere)
    assert (reply.status, reply.json()) == (401, REJECTED)
