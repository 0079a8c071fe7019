"""The read views over real HTTP: account, balance, position risk, open orders, the market's
indexes and brackets, the spot-wallet lists, in both asset modes and both position modes,
with state seeded and prices moved through the control plane; every refusal, every weight,
and ccxt reading them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import ccxt  # type: ignore[import-untyped]
import jsonschema  # type: ignore[import-untyped]
import pytest

from multiassets.account.views import account_alias
from multiassets.server.openapi.document import document

from ...support import Renewable, Reply, Server, frozen_minute, running_server

DOCUMENT = document()
#: Stablecoins at 1 with no haircut, BTC at 90000 with 5 %: figures a reader can follow.
ROUND = {
    "assetIndex": {
        "USDT": {"index": "1", "bidBuffer": "0", "askBuffer": "0"},
        "USDC": {"index": "1", "bidBuffer": "0", "askBuffer": "0"},
        "BTC": {"index": "90000", "bidBuffer": "0.05", "askBuffer": "0.05"},
    },
    "markPrices": {"BTCUSDT": "90000", "ETHUSDT": "3000", "ETHUSDC": "3000"},
}
#: 1000 USDT and 0.1 BTC; long 0.1 BTCUSDT from 80000 at 10x; an order to buy 1 ETHUSDT at
#: 2500 (20x).
SEEDED: dict[str, Any] = {
    "balances": {"USDT": "1000", "BTC": "0.1"},
    "leverage": {"BTCUSDT": 10},
    "positions": [{"symbol": "BTCUSDT", "positionAmt": "0.1", "entryPrice": "80000"}],
    "openOrders": [
        {"orderId": 7, "symbol": "ETHUSDT", "side": "BUY", "price": "2500", "origQty": "1"}
    ],
}


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Renewable]:
    with running_server(tmp_path_factory.mktemp("views"), "--weight-limit", "1000000") as server:
        yield Renewable(server)


@pytest.fixture
def srv(shared: Renewable) -> Server:
    """The module's server, as new, its prices the round ones above."""
    server = shared.renew()
    move(server, ROUND)
    return server


def move(server: Server, prices: dict[str, Any]) -> None:
    reply = server.request(
        "PATCH",
        "/_multiassets/market",
        body=json.dumps(prices),
        headers={
            "Authorization": f"Bearer {server.admin_token}",
            "Content-Type": "application/json",
        },
    )
    assert reply.status == 200, reply.body


def seed(server: Server, **changes: Any) -> None:
    server.control.set_state("demo", {**SEEDED, **changes})


def get(server: Server, path: str, timestamp: int | None = None, **params: Any) -> Any:
    reply = server.signed("GET", path, params, timestamp=timestamp)
    assert reply.status == 200, reply.body
    conforms(reply, "GET", path)
    return reply.json()


def conforms(reply: Reply, method: str, path: str) -> None:
    """A 200's body is what the OpenAPI document says the endpoint answers."""
    operation = DOCUMENT["paths"][path][method.lower()]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    jsonschema.validate(reply.json(), {**schema, "components": DOCUMENT["components"]})


def refused(reply: Reply, code: int, msg: str) -> None:
    assert (reply.status, reply.json()) == (400, {"code": code, "msg": msg})


def by(items: list[dict[str, Any]], **key: str) -> dict[str, Any]:
    (found,) = [item for item in items if all(item[k] == v for k, v in key.items())]
    return found


# -- account ----------------------------------------------------------------------------------


def test_v2_and_v3_account_in_single_asset_mode(srv: Server) -> None:
    seed(srv)
    v2 = get(srv, "/fapi/v2/account")
    # USDT's figures: IM 0.1 × 90000 / 10 = 900 plus the order's 2500 / 20 = 125; MM
    # 9000 × 0.004 = 36; PnL 0.1 × 10000 = 1000; available 1000 + 1000 − 900 − 125 = 975.
    assert (v2["multiAssetsMargin"], v2["feeBurn"], v2["tradeGroupId"]) == (False, True, -1)
    assert (v2["totalInitialMargin"], v2["totalMaintMargin"]) == ("1025.00000000", "36.00000000")
    assert (v2["totalMarginBalance"], v2["availableBalance"]) == (
        "2000.00000000",
        "975.00000000",
    )
    assert [p["symbol"] for p in v2["positions"]][:2] == ["BTCUSDT", "ETHUSDT"]
    btc = by(v2["positions"], symbol="BTCUSDT")
    assert (btc["leverage"], btc["maxNotional"], btc["entryPrice"]) == (
        "10",
        "230000000",
        "80000.0",
    )
    assert by(v2["assets"], asset="USDT")["marginAvailable"] is True
    v3 = get(srv, "/fapi/v3/account")
    assert "feeTier" not in v3 and "marginAvailable" not in v3["assets"][0]
    assert [(p["symbol"], p["notional"], p["initialMargin"]) for p in v3["positions"]] == [
        ("BTCUSDT", "9000.00000000", "900.00000000"),
        ("ETHUSDT", "0", "125.00000000"),
    ]


def test_multi_assets_mode_pools_every_asset_at_its_haircut(srv: Server) -> None:
    seed(srv, multiAssetsMargin=True)
    v3 = get(srv, "/fapi/v3/account")
    # 0.1 BTC at the bid rate 85500 = 8550 USD: wallets 9550, balances 10550; available
    # 10550 − 1025 = 9525; BTC shows 9525 / 94500 = 0.10079365…, withdrawing its 0.1.
    assert (v3["totalWalletBalance"], v3["totalMarginBalance"]) == (
        "9550.00000000",
        "10550.00000000",
    )
    assert (v3["availableBalance"], v3["maxWithdrawAmount"]) == ("9525.00000000", "9525.00000000")
    btc = by(v3["assets"], asset="BTC")
    assert (btc["availableBalance"], btc["maxWithdrawAmount"]) == ("0.10079365", "0.10000000")
    usdt = by(get(srv, "/fapi/v2/balance"), asset="USDT")
    assert (usdt["availableBalance"], usdt["maxWithdrawAmount"]) == (
        "9525.00000000",
        "1000.00000000",
    )


def test_a_price_move_changes_the_figures(srv: Server) -> None:
    seed(srv)
    assert get(srv, "/fapi/v3/account")["availableBalance"] == "975.00000000"
    move(srv, {"markPrices": {"BTCUSDT": "85000"}})
    v3 = get(srv, "/fapi/v3/account")
    # PnL 0.1 × 5000 = 500; IM 850; MM 8500 × 0.004 = 34; available 1000 + 500 − 850 − 125.
    assert (v3["totalUnrealizedProfit"], v3["totalMaintMargin"], v3["availableBalance"]) == (
        "500.00000000",
        "34.00000000",
        "525.00000000",
    )
    risk = get(srv, "/fapi/v3/positionRisk", symbol="BTCUSDT")[0]
    assert (risk["markPrice"], risk["notional"]) == ("85000.00000000", "8500.00000000")


def test_an_isolated_position(srv: Server) -> None:
    isolated = {
        "symbol": "BTCUSDT",
        "positionAmt": "0.1",
        "entryPrice": "80000",
        "isolatedWallet": "500",
    }
    seed(srv, marginTypes={"BTCUSDT": "ISOLATED"}, positions=[isolated], openOrders=[])
    risk = get(srv, "/fapi/v2/positionRisk", symbol="BTCUSDT")[0]
    # Its wallet 500 plus its PnL 1000.
    assert (risk["marginType"], risk["isolatedMargin"], risk["isolatedWallet"]) == (
        "isolated",
        "1500.00000000",
        "500.00000000",
    )
    usdt = by(get(srv, "/fapi/v3/account")["assets"], asset="USDT")
    # The cross wallet is the wallet less the isolated one: 1000 − 500.
    assert (usdt["crossWalletBalance"], usdt["availableBalance"]) == (
        "500.00000000",
        "500.00000000",
    )


def test_a_credits_account_lists_bnfcr(srv: Server) -> None:
    seed(srv, multiAssetsMargin=True, creditsMode=True, balances={"BNFCR": "1000"}, openOrders=[])
    v2 = get(srv, "/fapi/v2/account")
    assert v2["assets"][-1]["asset"] == "BNFCR"
    # BNFCR books the PnL 1000 and the IM 900: 1000 + 1000 − 900 = 1100 available.
    assert by(v2["assets"], asset="BNFCR")["availableBalance"] == "1100.00000000"
    assert get(srv, "/fapi/v3/positionRisk")[0]["marginAsset"] == "BNFCR"


# -- balance and position risk ----------------------------------------------------------------


def test_v2_and_v3_balance_are_one_document(srv: Server) -> None:
    seed(srv)
    v2, v3 = get(srv, "/fapi/v2/balance"), get(srv, "/fapi/v3/balance")
    assert v2 == v3
    assert {row["accountAlias"] for row in v2} == {account_alias("demo")}
    usdt = by(v2, asset="USDT")
    assert (usdt["balance"], usdt["crossUnPnl"], usdt["availableBalance"]) == (
        "1000.00000000",
        "1000.00000000",
        "975.00000000",
    )


def test_position_risk_rows_follow_the_position_mode(srv: Server) -> None:
    assert get(srv, "/fapi/v3/positionRisk") == []  # nothing held, nothing ordered
    one_way = get(srv, "/fapi/v2/positionRisk")
    assert {row["positionSide"] for row in one_way} == {"BOTH"} and len(one_way) == 6
    long = {
        "symbol": "BTCUSDT",
        "positionSide": "LONG",
        "positionAmt": "0.5",
        "entryPrice": "80000",
    }
    seed(srv, dualSidePosition=True, positions=[long], openOrders=[])
    hedge = get(srv, "/fapi/v2/positionRisk", symbol="BTCUSDT")
    assert [(r["positionSide"], r["positionAmt"], r["notional"]) for r in hedge] == [
        ("LONG", "0.500", "45000.00000000"),  # 0.5 × 90000
        ("SHORT", "0.000", "0"),
    ]
    assert [r["positionSide"] for r in get(srv, "/fapi/v3/positionRisk")] == ["LONG"]
    sides = [p["positionSide"] for p in get(srv, "/fapi/v2/account")["positions"]]
    assert sides[:2] == ["LONG", "SHORT"] and len(sides) == 12


@pytest.mark.parametrize(
    "path",
    ["/fapi/v2/positionRisk", "/fapi/v3/positionRisk", "/fapi/v1/openOrders"],
)
@pytest.mark.parametrize("symbol", ["NOPE", "", "btcusdt"])
def test_an_unknown_symbol_is_1121(srv: Server, path: str, symbol: str) -> None:
    refused(srv.signed("GET", path, {"symbol": symbol}), -1121, "Invalid symbol.")


# -- open orders ------------------------------------------------------------------------------


def test_open_orders_and_one_open_order(srv: Server) -> None:
    btc = {"orderId": 9, "symbol": "BTCUSDT", "side": "SELL", "price": "95000", "origQty": "0.5"}
    seed(srv, openOrders=[btc, SEEDED["openOrders"][0]])
    assert [o["orderId"] for o in get(srv, "/fapi/v1/openOrders")] == [7, 9]
    (eth,) = get(srv, "/fapi/v1/openOrders", symbol="ETHUSDT")
    assert (eth["clientOrderId"], eth["price"], eth["origQty"], eth["status"]) == (
        "multiassets-7",
        "2500.00",
        "1.000",
        "NEW",
    )
    assert get(srv, "/fapi/v1/openOrder", symbol="ETHUSDT", orderId=7) == eth
    by_client = get(srv, "/fapi/v1/openOrder", symbol="BTCUSDT", origClientOrderId="multiassets-9")
    assert (by_client["orderId"], by_client["price"]) == (9, "95000.00")


@pytest.mark.parametrize(
    ("params", "code", "msg"),
    [
        ({}, -1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed."),
        (
            {"symbol": "ETHUSDT"},
            -1102,
            "Param 'orderId' or 'origClientOrderId' must be sent, but both were empty/null!",
        ),
        (
            {"symbol": "ETHUSDT", "orderId": "", "origClientOrderId": ""},
            -1102,
            "Param 'orderId' or 'origClientOrderId' must be sent, but both were empty/null!",
        ),
        (
            {"symbol": "ETHUSDT", "orderId": "seven"},
            -1102,
            "Mandatory parameter 'orderId' was not sent, was empty/null, or malformed.",
        ),
        ({"symbol": "NOPE", "orderId": "7"}, -1121, "Invalid symbol."),
        ({"symbol": "ETHUSDT", "orderId": "8"}, -2013, "Order does not exist."),
        ({"symbol": "BTCUSDT", "orderId": "7"}, -2013, "Order does not exist."),  # not its symbol
        ({"symbol": "ETHUSDT", "origClientOrderId": "x"}, -2013, "Order does not exist."),
    ],
)
def test_an_open_order_refused(srv: Server, params: dict[str, str], code: int, msg: str) -> None:
    seed(srv)
    refused(srv.signed("GET", "/fapi/v1/openOrder", params), code, msg)


# -- the market, the brackets, the spot wallet ------------------------------------------------


def test_the_asset_index_and_the_mark_price(srv: Server) -> None:
    with frozen_minute(srv) as at:
        reply = srv.request("GET", "/fapi/v1/assetIndex", "symbol=BTCUSD")
        conforms(reply, "GET", "/fapi/v1/assetIndex")
        # 90000 × 0.95 and × 1.05; the auto-exchange buffers' default 0.025: × 0.975, × 1.025.
        assert reply.json() == {
            "symbol": "BTCUSD",
            "time": at,
            "index": "90000.00000000",
            "bidBuffer": "0.05000000",
            "askBuffer": "0.05000000",
            "bidRate": "85500.00000000",
            "askRate": "94500.00000000",
            "autoExchangeBidBuffer": "0.02500000",
            "autoExchangeAskBuffer": "0.02500000",
            "autoExchangeBidRate": "87750.00000000",
            "autoExchangeAskRate": "92250.00000000",
        }
        every = srv.request("GET", "/fapi/v1/assetIndex")
        conforms(every, "GET", "/fapi/v1/assetIndex")
        assert [item["symbol"] for item in every.json()][:2] == ["USDTUSD", "BTCUSD"]
        mark = srv.request("GET", "/fapi/v1/premiumIndex", "symbol=ETHUSDT")
        conforms(mark, "GET", "/fapi/v1/premiumIndex")
        # The next 8-hour boundary after the frozen minute.
        boundary = (at // 28_800_000 + 1) * 28_800_000
        assert (mark.json()["markPrice"], mark.json()["nextFundingTime"]) == (
            "3000.00000000",
            boundary,
        )
        assert mark.json()["time"] == at
        assert len(srv.request("GET", "/fapi/v1/premiumIndex").json()) == 6
    for path, symbol in [("/fapi/v1/assetIndex", "BTCUSDT"), ("/fapi/v1/premiumIndex", "BTCUSD")]:
        refused(srv.request("GET", path, f"symbol={symbol}"), -1121, "Invalid symbol.")


def test_leverage_brackets(srv: Server) -> None:
    (btc,) = get(srv, "/fapi/v1/leverageBracket", symbol="BTCUSDT")
    assert btc["brackets"][1] == {
        "bracket": 2,
        "initialLeverage": 100,
        "notionalCap": 600000,
        "notionalFloor": 50000,
        "maintMarginRatio": 0.005,
        "cum": 50.0,  # 50000 × (0.005 − 0.004)
    }
    assert len(get(srv, "/fapi/v1/leverageBracket")) == 6
    reply = srv.signed("GET", "/fapi/v1/leverageBracket", {"symbol": "NOPE"})
    refused(reply, -1121, "Invalid symbol.")


def test_symbol_config_reports_the_accounts_leverage(srv: Server) -> None:
    seed(srv)
    (btc,) = get(srv, "/fapi/v1/symbolConfig", symbol="BTCUSDT")
    # 10x: BTCUSDT's brackets 1 to 7 allow it, the 7th caps at 230 000 000.
    assert (btc["leverage"], btc["maxNotionalValue"]) == (10, "230000000")
    (eth,) = get(srv, "/fapi/v1/symbolConfig", symbol="ETHUSDT")
    assert (eth["leverage"], eth["maxNotionalValue"]) == (20, "100000000")


def test_the_spot_wallet_lists_and_their_refusals(srv: Server) -> None:
    coins = get(srv, "/sapi/v1/capital/config/getall")
    assert [c["coin"] for c in coins] == ["USDT", "BTC", "BNB", "ETH", "USDC", "FDUSD", "BFUSD"]
    key = {"X-MBX-APIKEY": srv.demo.api_key}
    pairs = srv.request("GET", "/sapi/v1/margin/allPairs", headers=key)
    conforms(pairs, "GET", "/sapi/v1/margin/allPairs")
    assert len(pairs.json()) == 6
    (one,) = srv.request("GET", "/sapi/v1/margin/allPairs", "symbol=ETHUSDC", headers=key).json()
    assert (one["base"], one["quote"]) == ("ETH", "USDC")
    refused(
        srv.request("GET", "/sapi/v1/margin/allPairs", "symbol=NOPE", headers=key),
        -1121,
        "Invalid symbol.",
    )
    # A key, as for every MARKET_DATA endpoint; a signature, as for every USER_DATA one.
    no_key = srv.request("GET", "/sapi/v1/margin/allPairs")
    assert (no_key.status, no_key.json()["code"]) == (401, -2014)
    unsigned = srv.request("GET", "/sapi/v1/capital/config/getall", "timestamp=1", headers=key)
    assert (unsigned.status, unsigned.json()["code"]) == (400, -1021)


# -- weights, dates -------------------------------------------------------------------------

WEIGHTS = [
    ("/fapi/v2/account", {}, 5),
    ("/fapi/v3/account", {}, 5),
    ("/fapi/v2/balance", {}, 5),
    ("/fapi/v3/balance", {}, 5),
    ("/fapi/v2/positionRisk", {}, 5),
    ("/fapi/v3/positionRisk", {"symbol": "BTCUSDT"}, 5),
    ("/fapi/v1/openOrders", {}, 40),
    ("/fapi/v1/openOrders", {"symbol": "BTCUSDT"}, 1),
    ("/fapi/v1/openOrder", {"symbol": "ETHUSDT", "orderId": "7"}, 1),
    ("/fapi/v1/openOrder", {"symbol": "ETHUSDT"}, 1),  # refused, still charged
    ("/fapi/v1/leverageBracket", {}, 1),
    ("/fapi/v1/leverageBracket", {"symbol": "BTCUSDT"}, 1),
    ("/fapi/v1/positionSide/dual", {}, 30),
    ("/sapi/v1/capital/config/getall", {}, 10),
]
PUBLIC_WEIGHTS = [
    ("/fapi/v1/assetIndex", "", 10),
    ("/fapi/v1/assetIndex", "symbol=BTCUSD", 1),
    ("/fapi/v1/premiumIndex", "", 10),
    ("/fapi/v1/premiumIndex", "symbol=BTCUSDT", 1),
    ("/sapi/v1/margin/allPairs", "", 1),
]


def test_each_view_is_charged_its_weight(srv: Server) -> None:
    seed(srv)
    key = {"X-MBX-APIKEY": srv.demo.api_key}
    with frozen_minute(srv) as at:
        used = srv.request("GET", "/fapi/v1/ping").weight
        for path, params, weight in WEIGHTS:
            reply = srv.signed("GET", path, params, timestamp=at)
            assert reply.weight - used == weight, (path, params)
            used = reply.weight
        for path, query, weight in PUBLIC_WEIGHTS:
            reply = srv.request("GET", path, query, headers=key)
            assert reply.weight - used == weight, (path, query)
            used = reply.weight


def test_funded_assets_and_open_positions_carry_the_states_update_time(srv: Server) -> None:
    """ccxt skips an asset dated 0 (ccxt#27997): a held one carries when the state last
    changed, one not held 0; so do open and flat rows."""
    seed(srv)
    v3 = get(srv, "/fapi/v3/account")
    held = {a["asset"]: a["updateTime"] for a in v3["assets"]}
    stamp = held["USDT"]
    assert stamp > 0 and held["BTC"] == stamp and held["BNB"] == 0
    assert [p["updateTime"] for p in v3["positions"]] == [stamp, 0]  # BTCUSDT open, ETHUSDT flat
    assert by(get(srv, "/fapi/v2/balance"), asset="USDT")["updateTime"] == stamp
    assert get(srv, "/fapi/v1/openOrders")[0]["time"] == stamp


# -- ccxt -------------------------------------------------------------------------------------


def ccxt_for(server: Server) -> Any:
    exchange = ccxt.binanceusdm(
        {"apiKey": server.demo.api_key, "secret": server.demo.secret, "enableRateLimit": False}
    )
    for name, url in exchange.urls["api"].items():
        if isinstance(url, str):
            for host in ("https://fapi.binance.com", "https://api.binance.com"):
                url = url.replace(host, server.base_url)
            exchange.urls["api"][name] = url
    return exchange


def test_ccxt_loads_its_markets_and_reads_positions_orders_and_modes(srv: Server) -> None:
    seed(srv)
    exchange = ccxt_for(srv)
    start = srv.control.log()["last"]
    try:
        exchange.load_markets()
        paths = [e["path"] for e in srv.control.log(since=start)["entries"]]
        assert paths == [
            "/sapi/v1/capital/config/getall",
            "/sapi/v1/margin/allPairs",
            "/fapi/v1/exchangeInfo",
        ]
        (position,) = exchange.fetch_positions()
        assert (position["symbol"], position["contracts"], position["side"]) == (
            "BTC/USDT:USDT",
            0.1,
            "long",
        )
        assert (position["entryPrice"], position["marginMode"]) == (80000.0, "cross")
        (order,) = exchange.fetch_open_orders("ETH/USDT:USDT")
        assert (order["id"], order["price"], order["amount"], order["status"]) == (
            "7",
            2500.0,
            1.0,
            "open",
        )
        assert exchange.fetch_position_mode()["hedged"] is False
        tiers = exchange.fetch_leverage_tiers()
        assert tiers["BTC/USDT:USDT"][0]["maxNotional"] == 50000.0
        with pytest.raises(ccxt.BaseError, match="-4067"):  # an open order stands in the way
            exchange.set_position_mode(True)
        srv.control.set_state("demo", {"balances": {"USDT": "1000"}})
        assert exchange.set_position_mode(True) == {"code": 200, "msg": "success"}
        assert exchange.fetch_position_mode()["hedged"] is True
    finally:
        exchange.close()


def test_ccxt_reads_the_balance_of_each_held_asset(srv: Server) -> None:
    seed(srv)
    exchange = ccxt_for(srv)
    try:
        balance = exchange.fetch_balance()
    finally:
        exchange.close()
    # free = availableBalance, used = initialMargin, total = marginBalance.
    assert (balance["USDT"]["free"], balance["USDT"]["used"], balance["USDT"]["total"]) == (
        975.0,
        1025.0,
        2000.0,
    )
    assert balance["BTC"]["total"] == 0.1
    assert "BNB" not in balance  # not held: dated 0, skipped


def test_the_update_time_is_the_server_time_of_each_change(srv: Server) -> None:
    # On the server's clock, frozen: the control plane's change and the API's are dated by it.
    first, second = 1_900_000_000_000, 1_900_000_060_000
    srv.control.set_clock(freeze=True, at=first)
    try:
        srv.control.set_state("demo", {"balances": {"USDT": "1000"}})  # nothing open
        usdt = by(get(srv, "/fapi/v3/account", timestamp=first)["assets"], asset="USDT")
        assert usdt["updateTime"] == first
        srv.control.set_clock(freeze=True, at=second)
        reply = srv.signed(
            "POST", "/fapi/v1/positionSide/dual", {"dualSidePosition": "true"}, timestamp=second
        )
        assert reply.status == 200, reply.body
        usdt = by(get(srv, "/fapi/v3/account", timestamp=second)["assets"], asset="USDT")
        assert usdt["updateTime"] == second
    finally:
        srv.control.reset_clock()
