"""The account the WebSocket API's client tests read, the round prices they set, and what each
document must then say: every figure worked out by hand in the comments."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Mapping
from decimal import Decimal
from typing import Any, TypeVar

from ...support import Server

JSON = dict[str, Any]
T = TypeVar("T")

# -- the account and the market -----------------------------------------------------------------

# The tests run at the round market (``tests/compat/market.py``): BTCUSDT marked at 90000,
# ETHUSDT at 3000; BTC, ETH and BNB with a 5 % bid and a 10 % ask haircut (ask rates 99000,
# 3300, 660).


def state(multi: bool) -> JSON:
    """Wallets USDT 1000 and USDC 500; 0.1 BTCUSDT long from 80000 at leverage 10; an open BUY
    of 1 ETHUSDT at 2500 (leverage 20, the default); One-way Mode."""
    return {
        "multiAssetsMargin": multi,
        "dualSidePosition": False,
        "balances": {"USDT": "1000", "USDC": "500"},
        "leverage": {"BTCUSDT": 10},
        "positions": [{"symbol": "BTCUSDT", "positionAmt": "0.1", "entryPrice": "80000"}],
        "openOrders": [
            {"orderId": 7, "symbol": "ETHUSDT", "side": "BUY", "price": "2500", "origQty": "1"}
        ],
    }


# At mark 90000 the position's notional is 0.1 × 90000 = 9000, its uPnL 0.1 × (90000 − 80000)
# = 1000, its initial margin 9000 / 10 = 900, its maintenance 9000 × 0.004 (BTCUSDT's first
# bracket, under 50000, cum 0) = 36. The order's initial margin is 1 × 2500 / 20 = 125. Both
# book in USDT: wallet 1000 (= cross wallet), crossUnPnl 1000, margin balance 2000, initial
# margin 900 + 125 = 1025.
#
# Single-Asset Mode: USDT available 2000 − 1025 = 975, withdrawable min(1000, 975) = 975;
# USDC keeps its own 500 and 500. The totals are USDT's.
#
# Multi-Assets Mode: pooled 2000 × 1 + 500 × 1 − 1025 × 1 (at USDT's ask rate, 1) = 1475 USD,
# each asset's available 1475 / its ask rate, 8 decimals truncated: USDT, USDC, FDUSD, BFUSD
# 1475; BTC 1475 / 99000 = 0.014898989… → 0.01489898; ETH 1475 / 3300 = 0.446969… →
# 0.44696969; BNB 1475 / 660 = 2.234848… → 2.23484848. Withdrawable min(wallet, available):
# USDT 1000, USDC 500, the rest 0. Totals in USD: wallet 1500, uPnL 1000, margin balance 2500,
# cross wallet 1500, available 1475, withdrawable min(1500, 1475) = 1475.
MODES = {"single": False, "multi": True}

TOTAL_FIELDS = (
    "totalInitialMargin", "totalMaintMargin", "totalWalletBalance", "totalUnrealizedProfit",
    "totalMarginBalance", "totalPositionInitialMargin", "totalOpenOrderInitialMargin",
    "totalCrossWalletBalance", "totalCrossUnPnl", "availableBalance", "maxWithdrawAmount",
)  # fmt: skip
TOTALS = {
    False: ("1025", "36", "1000", "1000", "2000", "900", "125", "1000", "1000", "975", "975"),
    True: ("1025", "36", "1500", "1000", "2500", "900", "125", "1500", "1000", "1475", "1475"),
}
#: Every margin asset is listed (BNFCR only where held).
LISTED = ("USDT", "BTC", "BNB", "ETH", "USDC", "FDUSD", "BFUSD")
#: asset -> (walletBalance, marginBalance, availableBalance, maxWithdrawAmount)
ASSETS: dict[bool, dict[str, tuple[str, str, str, str]]] = {
    False: {
        "USDT": ("1000", "2000", "975", "975"),
        "USDC": ("500", "500", "500", "500"),
        **{asset: ("0", "0", "0", "0") for asset in ("BTC", "BNB", "ETH", "FDUSD", "BFUSD")},
    },
    True: {
        "USDT": ("1000", "2000", "1475", "1000"),
        "USDC": ("500", "500", "1475", "500"),
        "FDUSD": ("0", "0", "1475", "0"),
        "BFUSD": ("0", "0", "1475", "0"),
        "BTC": ("0", "0", "0.01489898", "0"),
        "ETH": ("0", "0", "0.44696969", "0"),
        "BNB": ("0", "0", "2.23484848", "0"),
    },
}
#: USDT's margins, the same in both modes (they are in USDT either way); the others' are 0.
USDT_MARGINS = {
    "unrealizedProfit": "1000", "maintMargin": "36", "initialMargin": "1025",
    "positionInitialMargin": "900", "openOrderInitialMargin": "125", "crossUnPnl": "1000",
}  # fmt: skip
FUNDED = {"USDT", "USDC"}
SYMBOLS = {"BTCUSDT", "ETHUSDT", "BNBUSDT", "SOLUSDT", "BTCUSDC", "ETHUSDC"}

# The documents' fields, from Binance's WebSocket API pages (ACC §8.6).
#: account.status: the REST v2 account without feeBurn.
STATUS = {
    "feeTier", "canTrade", "canDeposit", "canWithdraw", "updateTime", "multiAssetsMargin",
    "tradeGroupId", *TOTAL_FIELDS, "assets", "positions",
}  # fmt: skip
#: v2/account.status: the REST v3 account.
STATUS_V2 = {*TOTAL_FIELDS, "assets", "positions"}
ASSET = {
    "asset", "walletBalance", "unrealizedProfit", "marginBalance", "maintMargin",
    "initialMargin", "positionInitialMargin", "openOrderInitialMargin", "crossWalletBalance",
    "crossUnPnl", "availableBalance", "maxWithdrawAmount", "updateTime",
}  # fmt: skip
#: account.status rows carry breakEvenPrice, as the page's example does.
STATUS_POSITION = {
    "symbol", "initialMargin", "maintMargin", "unrealizedProfit", "positionInitialMargin",
    "openOrderInitialMargin", "leverage", "isolated", "entryPrice", "breakEvenPrice",
    "maxNotional", "bidNotional", "askNotional", "positionSide", "positionAmt", "updateTime",
}  # fmt: skip
STATUS_V2_POSITION = {
    "symbol", "positionSide", "positionAmt", "unrealizedProfit", "isolatedMargin", "notional",
    "isolatedWallet", "initialMargin", "maintMargin", "updateTime",
}  # fmt: skip
BALANCE = {
    "accountAlias", "asset", "balance", "crossWalletBalance", "crossUnPnl", "availableBalance",
    "maxWithdrawAmount", "marginAvailable", "updateTime",
}  # fmt: skip
POSITION = {
    "symbol", "positionAmt", "entryPrice", "breakEvenPrice", "markPrice", "unRealizedProfit",
    "liquidationPrice", "leverage", "maxNotionalValue", "marginType", "isolatedMargin",
    "isAutoAddMargin", "positionSide", "notional", "isolatedWallet", "updateTime",
}  # fmt: skip
POSITION_V2 = {
    "symbol", "positionSide", "positionAmt", "entryPrice", "breakEvenPrice", "markPrice",
    "unRealizedProfit", "liquidationPrice", "isolatedMargin", "notional", "marginAsset",
    "isolatedWallet", "initialMargin", "maintMargin", "positionInitialMargin",
    "openOrderInitialMargin", "adl", "bidNotional", "askNotional", "updateTime",
}  # fmt: skip

#: BTCUSDT's row of account.position: no liquidation price is modelled ("0"); the largest
#: notional at leverage 10 is the cap of bracket 7, the last allowing 10x: 230,000,000.
BTC_POSITION = {
    "positionAmt": "0.1", "entryPrice": "80000", "breakEvenPrice": "80000",
    "markPrice": "90000", "unRealizedProfit": "1000", "liquidationPrice": "0",
    "maxNotionalValue": "230000000", "isolatedMargin": "0", "notional": "9000",
    "isolatedWallet": "0",
}  # fmt: skip
NO_LISTEN_KEY = (
    "This listenKey does not exist. Please use POST /fapi/v1/listenKey to recreate listenKey"
)
BAD_SIGNATURE = "Signature for this request is not valid."


#: The versions this file was made with: what each client sends is theirs.
VERSIONS = {
    "binance-sdk-derivatives-trading-usds-futures": "18.1.0",
    "binance-common": "4.7.0",
    "python-binance": "1.0.37",
    "ccxt": "4.5.90",
}


def ws_url(server: Server) -> str:
    return f"ws://127.0.0.1:{server.port}/ws-fapi/v1"


def run(scenario: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(scenario)


def amounts(document: Mapping[str, Any], expected: Mapping[str, str]) -> None:
    """The fields of ``expected`` are decimal strings of those values."""
    sent = {name: document[name] for name in expected}
    assert all(isinstance(value, str) for value in sent.values()), sent
    assert {name: Decimal(value) for name, value in sent.items()} == {
        name: Decimal(value) for name, value in expected.items()
    }, document


def by(rows: list[JSON], name: str) -> dict[str, JSON]:
    keyed = {row[name]: row for row in rows}
    assert len(keyed) == len(rows), rows
    return keyed


def rest_listen_key(server: Server) -> str:
    """What REST ``POST /fapi/v1/listenKey`` answers the demo account."""
    headers = {"X-MBX-APIKEY": server.demo.api_key}
    reply = server.request("POST", "/fapi/v1/listenKey", headers=headers)
    assert reply.status == 200, reply.body
    listen_key: str = reply.json()["listenKey"]
    return listen_key


# -- the documents, as a client that hands over the JSON has them ---------------------------------


def check_status(document: JSON, version: int, multi: bool) -> None:
    """account.status (``version`` 1) or v2/account.status (2)."""
    assert set(document) == (STATUS if version == 1 else STATUS_V2), document.keys()
    if version == 1:
        assert document["multiAssetsMargin"] is multi
        flags = ("feeTier", "canTrade", "canDeposit", "canWithdraw", "tradeGroupId")
        assert tuple(document[name] for name in flags) == (0, True, True, True, -1)
    amounts(document, dict(zip(TOTAL_FIELDS, TOTALS[multi], strict=True)))
    assets = by(document["assets"], "asset")
    assert set(assets) == set(LISTED)
    for name, row in assets.items():
        # v2/account.status's rows have no marginAvailable, as REST v3's (PARITY.md).
        assert set(row) == (ASSET | {"marginAvailable"} if version == 1 else ASSET), row
        wallet, margin, available, withdrawable = ASSETS[multi][name]
        margins = USDT_MARGINS if name == "USDT" else dict.fromkeys(USDT_MARGINS, "0")
        amounts(
            row,
            {
                **margins,
                "walletBalance": wallet,
                "crossWalletBalance": wallet,  # nothing is isolated
                "marginBalance": margin,
                "availableBalance": available,
                "maxWithdrawAmount": withdrawable,
            },
        )
        assert (row["updateTime"] > 0) is (name in FUNDED), row
    positions = by(document["positions"], "symbol")
    btc, eth = positions["BTCUSDT"], positions["ETHUSDT"]
    if version == 1:
        # Every symbol's row.
        assert set(positions) == SYMBOLS
        assert all(set(row) == STATUS_POSITION for row in positions.values()), positions
        amounts(btc, {"initialMargin": "900", "maintMargin": "36", "unrealizedProfit": "1000",
                      "positionInitialMargin": "900", "openOrderInitialMargin": "0",
                      "entryPrice": "80000", "breakEvenPrice": "80000", "positionAmt": "0.1",
                      "maxNotional": "230000000"})  # fmt: skip
        amounts(eth, {"initialMargin": "125", "openOrderInitialMargin": "125", "positionAmt": "0"})
        assert (btc["leverage"], eth["leverage"], btc["isolated"]) == ("10", "20", False)
    else:
        # The symbols with a position or an open order.
        assert set(positions) == {"BTCUSDT", "ETHUSDT"}
        assert all(set(row) == STATUS_V2_POSITION for row in positions.values()), positions
        amounts(btc, {"positionAmt": "0.1", "unrealizedProfit": "1000", "notional": "9000",
                      "initialMargin": "900", "maintMargin": "36", "isolatedMargin": "0"})  # fmt: skip
        amounts(eth, {"positionAmt": "0", "notional": "0", "initialMargin": "125"})
    assert all(row["positionSide"] == "BOTH" for row in positions.values())


def check_balance(rows: list[JSON], multi: bool) -> None:
    """account.balance and v2/account.balance alike: a row per listed asset."""
    assets = by(rows, "asset")
    assert set(assets) == set(LISTED)
    for name, row in assets.items():
        assert set(row) == BALANCE, row
        wallet, _, available, withdrawable = ASSETS[multi][name]
        amounts(
            row,
            {
                "balance": wallet,
                "crossWalletBalance": wallet,
                "crossUnPnl": "1000" if name == "USDT" else "0",
                "availableBalance": available,
                "maxWithdrawAmount": withdrawable,
            },
        )
        assert row["marginAvailable"] is True
        assert (row["updateTime"] > 0) is (name in FUNDED), row


def check_position(rows: list[JSON]) -> None:
    """account.position for BTCUSDT."""
    (row,) = rows
    assert set(row) == POSITION, row
    amounts(row, BTC_POSITION)
    # Lower-case marginType and a string isAutoAddMargin, as this document writes them.
    assert (row["symbol"], row["positionSide"], row["leverage"]) == ("BTCUSDT", "BOTH", "10")
    assert (row["marginType"], row["isAutoAddMargin"]) == ("cross", "false")


def check_position_v2(rows: list[JSON]) -> None:
    """v2/account.position of every symbol: the two with a position or an open order."""
    positions = by(rows, "symbol")
    assert set(positions) == {"BTCUSDT", "ETHUSDT"}
    assert all(set(row) == POSITION_V2 for row in positions.values()), rows
    btc = {name: BTC_POSITION[name] for name in BTC_POSITION if name != "maxNotionalValue"}
    amounts(positions["BTCUSDT"], {**btc, "initialMargin": "900", "maintMargin": "36",
                                   "positionInitialMargin": "900",
                                   "openOrderInitialMargin": "0"})  # fmt: skip
    amounts(positions["ETHUSDT"], {"positionAmt": "0", "markPrice": "3000", "notional": "0",
                                   "initialMargin": "125", "openOrderInitialMargin": "125"})  # fmt: skip
    assert {row["marginAsset"] for row in rows} == {"USDT"}
