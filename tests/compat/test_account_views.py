"""The account views (issue 14) through every popular client, unmodified.

Each client asks for the views its own way (``account_views.py`` lists the methods and the
paths they call) and must parse what the server answers; what it then reports must be what
the seeded state implies at the round prices below, in Single-Asset and in Multi-Assets Mode.
Every figure is worked out by hand in the comments here, from the state and the prices.

Scenarios of the clients that hand over Binance's JSON (python-binance sync and async, the
connector, the SDK): ``views-single|multi|haircut|hedge`` (account, balance and positionRisk,
every version the client can ask for; the documents' fields as Binance's pages list them),
``open-orders`` (openOrders with and without a symbol, openOrder, -2013), ``position-mode``
and ``position-mode-refusals`` (-4059, -4067, -4068), ``leverage-brackets``, ``market-data``
(premiumIndex, assetIndex). ccxt's (sync and async), through its unified methods:
``balance-single|multi|haircut``, ``positions-single|multi|hedge``, ``use-v2``,
``open-orders``, ``position-mode``, ``leverage-tiers``, ``start-up`` (the implicit
positionSide/dual and multiAssetsMargin reads) and ``mark-price``. Each test also asserts the
paths the client asked for: ccxt's exactly, load_markets() included.

Test ids read ``<client>-<scenario>``, e.g. ``binance-sdk-views-multi``,
``ccxt-async-balance-haircut``. The key is the demo account's HMAC key: signing with RSA and
Ed25519 is the matrix's (``test_matrix.py``), and nothing here depends on it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import pytest

from ..support import ONCE, Server
from .account_views import CCXT_FAMILIES, RAW_FAMILIES, CcxtViews, RawViews, make_ccxt, make_raw
from .matrix import Key, Refusal

#: What a client makes of the server's answers does not depend on its database.
pytestmark = [ONCE, pytest.mark.usefixtures("round_market")]

JSON = dict[str, Any]

# -- the account and the market -----------------------------------------------------------------


def state(multi: bool, **balances: str) -> JSON:
    """0.1 BTCUSDT long from 80000 at leverage 10, an open BUY 1 ETHUSDT @ 2500 (leverage 20,
    the default), wallets USDT 1000 and USDC 500 (and ``balances``), One-way Mode."""
    return {
        "multiAssetsMargin": multi,
        "dualSidePosition": False,
        "balances": {"USDT": "1000", "USDC": "500", **balances},
        "leverage": {"BTCUSDT": 10},
        "positions": [{"symbol": "BTCUSDT", "positionAmt": "0.1", "entryPrice": "80000"}],
        "openOrders": [
            {"orderId": 7, "symbol": "ETHUSDT", "side": "BUY", "price": "2500", "origQty": "1"}
        ],
    }


# Per position, at mark 90000 (BTCUSDT) and 3000 (ETHUSDT):
#   BTCUSDT: notional 0.1 × 90000 = 9000; uPnL 0.1 × (90000 − 80000) = 1000;
#            initial margin 9000 / 10 = 900; maintenance: 9000 is in the first bracket
#            (under 50000: ratio 0.004, cum 0), 9000 × 0.004 = 36.
#   ETHUSDT: no position; the order's initial margin 1 × 2500 / 20 = 125.
# Both book in USDT: USDT's wallet 1000 = cross wallet (nothing isolated), crossUnPnl 1000,
# margin balance 1000 + 1000 = 2000, initial margin 900 + 125 = 1025, maintenance 36.
#
# Single-Asset Mode: USDT available 1000 + 1000 − 900 − 125 = 975, withdrawable
# min(cross wallet 1000, 975) = 975; USDC keeps its own 500. The totals are USDT's.
#
# Multi-Assets Mode, stablecoins at 1: pooled = 2000 × 1 (USDT) + 500 × 1 (USDC)
# − 1025 × 1 (USDT's requirement at its ask rate) = 1475 USD; each asset shows 1475 / askRate:
# USDT, USDC, FDUSD, BFUSD 1475; BTC 1475 / 99000 = 0.0148989898… → 0.01489898;
# ETH 1475 / 3300 = 0.446969696… → 0.44696969; BNB 1475 / 660 = 2.234848484… → 2.23484848
# (8 decimals, truncated). Withdrawable: min(cross wallet, available): USDT 1000, USDC 500,
# the others 0. Totals in USD: wallet 1000 + 500 = 1500, uPnL 1000, margin balance
# 2000 + 500 = 2500, cross wallet 1500, initial margin 1025, available 1475, withdrawable
# min(1500, 1475) = 1475.
#
# Multi-Assets Mode with 0.1 BTC more (the haircut): BTC counts at its bid rate,
# 0.1 × 85500 = 8550: pooled = 2000 + 500 + 8550 − 1025 = 10025 USD. BTC shows
# 10025 / 99000 = 0.1012626262… → 0.10126262 (its ask rate divides), withdrawable
# min(0.1, 0.10126262) = 0.1; ETH 10025 / 3300 = 3.037878787… → 3.03787878; BNB
# 10025 / 660 = 15.189393939… → 15.18939393. Totals: wallet 1000 + 500 + 8550 = 10050,
# margin balance 2000 + 500 + 8550 = 11050, cross wallet 10050, available 10025, withdrawable
# min(10050, 10025) = 10025.

SINGLE, MULTI, HAIRCUT = "single", "multi", "haircut"
MODES = (SINGLE, MULTI, HAIRCUT)


def seeded(mode: str) -> JSON:
    return state(mode != SINGLE, **({"BTC": "0.1"} if mode == HAIRCUT else {}))


TOTAL_FIELDS = (
    "totalInitialMargin",
    "totalMaintMargin",
    "totalWalletBalance",
    "totalUnrealizedProfit",
    "totalMarginBalance",
    "totalPositionInitialMargin",
    "totalOpenOrderInitialMargin",
    "totalCrossWalletBalance",
    "totalCrossUnPnl",
    "availableBalance",
    "maxWithdrawAmount",
)
TOTALS = {
    SINGLE: ("1025", "36", "1000", "1000", "2000", "900", "125", "1000", "1000", "975", "975"),
    MULTI: ("1025", "36", "1500", "1000", "2500", "900", "125", "1500", "1000", "1475", "1475"),
    HAIRCUT: (
        "1025", "36", "10050", "1000", "11050", "900", "125", "10050", "1000", "10025", "10025"
    ),
}  # fmt: skip

ASSET_FIELDS = (
    "walletBalance",
    "unrealizedProfit",
    "marginBalance",
    "maintMargin",
    "initialMargin",
    "positionInitialMargin",
    "openOrderInitialMargin",
    "crossWalletBalance",
    "crossUnPnl",
    "availableBalance",
    "maxWithdrawAmount",
)
_USDT = ("1000", "1000", "2000", "36", "1025", "900", "125", "1000", "1000")
_USDC = ("500", "0", "500", "0", "0", "0", "0", "500", "0")
_NOTHING = ("0",) * 9
#: The assets the views list: every margin asset; BNFCR only where held (margin.py, _listed).
LISTED = ("USDT", "BTC", "BNB", "ETH", "USDC", "FDUSD", "BFUSD")
ASSETS: dict[str, dict[str, tuple[str, ...]]] = {
    SINGLE: {
        "USDT": (*_USDT, "975", "975"),
        "USDC": (*_USDC, "500", "500"),
        **{asset: (*_NOTHING, "0", "0") for asset in ("BTC", "BNB", "ETH", "FDUSD", "BFUSD")},
    },
    MULTI: {
        "USDT": (*_USDT, "1475", "1000"),
        "USDC": (*_USDC, "1475", "500"),
        "FDUSD": (*_NOTHING, "1475", "0"),
        "BFUSD": (*_NOTHING, "1475", "0"),
        "BTC": (*_NOTHING, "0.01489898", "0"),
        "ETH": (*_NOTHING, "0.44696969", "0"),
        "BNB": (*_NOTHING, "2.23484848", "0"),
    },
    HAIRCUT: {
        "USDT": (*_USDT, "10025", "1000"),
        "USDC": (*_USDC, "10025", "500"),
        "FDUSD": (*_NOTHING, "10025", "0"),
        "BFUSD": (*_NOTHING, "10025", "0"),
        "BTC": ("0.1", "0", "0.1", "0", "0", "0", "0", "0.1", "0", "0.10126262", "0.1"),
        "ETH": (*_NOTHING, "3.03787878", "0"),
        "BNB": (*_NOTHING, "15.18939393", "0"),
    },
}
FUNDED = {SINGLE: {"USDT", "USDC"}, MULTI: {"USDT", "USDC"}, HAIRCUT: {"USDT", "USDC", "BTC"}}

# The documents' field sets, from Binance's pages (reference §1-4).
V2_ACCOUNT = {
    "feeTier", "feeBurn", "canTrade", "canDeposit", "canWithdraw", "updateTime",
    "multiAssetsMargin", "tradeGroupId", *TOTAL_FIELDS, "assets", "positions",
}  # fmt: skip
V3_ACCOUNT = {*TOTAL_FIELDS, "assets", "positions"}
V3_ACCOUNT_ASSET = {"asset", *ASSET_FIELDS, "updateTime"}
V2_ACCOUNT_ASSET = {*V3_ACCOUNT_ASSET, "marginAvailable"}
V2_ACCOUNT_POSITION = {
    "symbol", "initialMargin", "maintMargin", "unrealizedProfit", "positionInitialMargin",
    "openOrderInitialMargin", "leverage", "isolated", "entryPrice", "maxNotional",
    "bidNotional", "askNotional", "positionSide", "positionAmt", "updateTime",
}  # fmt: skip
#: Live v2 account rows also carry breakEvenPrice (reference §1.1, ccxt's sample).
V2_ACCOUNT_POSITION_LIVE = {"breakEvenPrice"}
V3_ACCOUNT_POSITION = {
    "symbol", "positionSide", "positionAmt", "unrealizedProfit", "isolatedMargin", "notional",
    "isolatedWallet", "initialMargin", "maintMargin", "updateTime",
}  # fmt: skip
BALANCE = {
    "accountAlias", "asset", "balance", "crossWalletBalance", "crossUnPnl", "availableBalance",
    "maxWithdrawAmount", "marginAvailable", "updateTime",
}  # fmt: skip
V2_RISK = {
    "entryPrice", "breakEvenPrice", "marginType", "isAutoAddMargin", "isolatedMargin",
    "leverage", "liquidationPrice", "markPrice", "maxNotionalValue", "positionAmt", "notional",
    "isolatedWallet", "symbol", "unRealizedProfit", "positionSide", "updateTime",
}  # fmt: skip
V3_RISK = {
    "symbol", "positionSide", "positionAmt", "entryPrice", "breakEvenPrice", "markPrice",
    "unRealizedProfit", "liquidationPrice", "isolatedMargin", "notional", "marginAsset",
    "isolatedWallet", "initialMargin", "maintMargin", "positionInitialMargin",
    "openOrderInitialMargin", "adl", "bidNotional", "askNotional", "updateTime",
}  # fmt: skip
#: The order object; activatePrice and priceRate come with TRAILING_STOP_MARKET only.
ORDER = {
    "avgPrice", "clientOrderId", "cumQuote", "executedQty", "orderId", "origQty", "origType",
    "price", "reduceOnly", "side", "positionSide", "status", "stopPrice", "closePosition",
    "symbol", "time", "timeInForce", "type", "updateTime", "workingType", "priceProtect",
    "priceMatch", "selfTradePreventionMode", "goodTillDate",
}  # fmt: skip

SYMBOLS = ("BTCUSDT", "ETHUSDT", "BNBUSDT", "SOLUSDT", "BTCUSDC", "ETHUSDC")
MARKS = {"BTCUSDT": "90000", "ETHUSDT": "3000", "BNBUSDT": "600", "SOLUSDT": "150",
         "BTCUSDC": "90000", "ETHUSDC": "3000"}  # fmt: skip
#: The largest notional at the symbol's leverage: the cap of the last bracket allowing it.
#: BTCUSDT at 10: brackets 1-7 allow 10x (125, 100, 75, 50, 25, 20, 10): 230,000,000. At the
#: default 20, the majors' brackets 1-6: 100,000,000; BNB's and SOL's (75, 50, 25, 20, …)
#: brackets 1-4: 1,000,000.
MAX_NOTIONAL = {"BTCUSDT": "230000000", "ETHUSDT": "100000000", "BNBUSDT": "1000000",
                "SOLUSDT": "1000000", "BTCUSDC": "100000000", "ETHUSDC": "100000000"}  # fmt: skip

# positionRisk and account rows, by symbol (the same in both asset modes: a position's
# figures are in its own margin asset).
V3_RISK_ROWS = {
    "BTCUSDT": {
        "positionAmt": "0.1", "entryPrice": "80000", "markPrice": "90000",
        "unRealizedProfit": "1000", "isolatedMargin": "0", "notional": "9000",
        "isolatedWallet": "0", "initialMargin": "900", "maintMargin": "36",
        "positionInitialMargin": "900", "openOrderInitialMargin": "0",
    },
    "ETHUSDT": {
        "positionAmt": "0", "entryPrice": "0", "markPrice": "3000", "unRealizedProfit": "0",
        "isolatedMargin": "0", "notional": "0", "isolatedWallet": "0", "initialMargin": "125",
        "maintMargin": "0", "positionInitialMargin": "0", "openOrderInitialMargin": "125",
    },
}  # fmt: skip
_FLAT_V2_RISK = {"positionAmt": "0", "entryPrice": "0", "unRealizedProfit": "0",
                 "isolatedMargin": "0", "notional": "0", "isolatedWallet": "0"}  # fmt: skip
V2_RISK_ROWS = {
    symbol: {**_FLAT_V2_RISK, "markPrice": MARKS[symbol], "maxNotionalValue": MAX_NOTIONAL[symbol]}
    for symbol in SYMBOLS
} | {
    "BTCUSDT": {
        "positionAmt": "0.1", "entryPrice": "80000", "markPrice": "90000",
        "unRealizedProfit": "1000", "isolatedMargin": "0", "notional": "9000",
        "isolatedWallet": "0", "maxNotionalValue": "230000000",
    }
}  # fmt: skip
V3_ACCOUNT_ROWS = {
    "BTCUSDT": {"positionAmt": "0.1", "unrealizedProfit": "1000", "isolatedMargin": "0",
                "notional": "9000", "isolatedWallet": "0", "initialMargin": "900",
                "maintMargin": "36"},
    "ETHUSDT": {"positionAmt": "0", "unrealizedProfit": "0", "isolatedMargin": "0",
                "notional": "0", "isolatedWallet": "0", "initialMargin": "125",
                "maintMargin": "0"},
}  # fmt: skip
_FLAT_V2_ACCOUNT = {"initialMargin": "0", "maintMargin": "0", "unrealizedProfit": "0",
                    "positionInitialMargin": "0", "openOrderInitialMargin": "0",
                    "entryPrice": "0", "positionAmt": "0"}  # fmt: skip
V2_ACCOUNT_ROWS = {
    symbol: {**_FLAT_V2_ACCOUNT, "maxNotional": MAX_NOTIONAL[symbol]} for symbol in SYMBOLS
} | {
    "BTCUSDT": {"initialMargin": "900", "maintMargin": "36", "unrealizedProfit": "1000",
                "positionInitialMargin": "900", "openOrderInitialMargin": "0",
                "entryPrice": "80000", "positionAmt": "0.1", "maxNotional": "230000000"},
    "ETHUSDT": {**_FLAT_V2_ACCOUNT, "initialMargin": "125", "openOrderInitialMargin": "125",
                "maxNotional": "100000000"},
}  # fmt: skip
LEVERAGE = {symbol: "10" if symbol == "BTCUSDT" else "20" for symbol in SYMBOLS}

#: BTCUSDT's brackets: (cap, initial leverage, maintenance ratio) as Binance lists them, the
#: floor the cap below, and cum the maintenance amount keeping the margin continuous at each
#: floor: cum(n) = cum(n−1) + floor(n) × (ratio(n) − ratio(n−1)):
#: 0; 50000 × 0.001 = 50; 50 + 600000 × 0.0015 = 950; 950 + 3e6 × 0.0035 = 11450;
#: 11450 + 12e6 × 0.01 = 131450; + 70e6 × 0.005 = 481450; + 100e6 × 0.025 = 2981450;
#: + 230e6 × 0.05 = 14481450; + 480e6 × 0.025 = 26481450; + 600e6 × 0.025 = 41481450;
#: + 800e6 × 0.1 = 121481450; + 1.2e9 × 0.25 = 421481450.
BTC_BRACKETS = [
    (1, 125, 0, 50_000, "0.004", "0"),
    (2, 100, 50_000, 600_000, "0.005", "50"),
    (3, 75, 600_000, 3_000_000, "0.0065", "950"),
    (4, 50, 3_000_000, 12_000_000, "0.01", "11450"),
    (5, 25, 12_000_000, 70_000_000, "0.02", "131450"),
    (6, 20, 70_000_000, 100_000_000, "0.025", "481450"),
    (7, 10, 100_000_000, 230_000_000, "0.05", "2981450"),
    (8, 5, 230_000_000, 480_000_000, "0.1", "14481450"),
    (9, 4, 480_000_000, 600_000_000, "0.125", "26481450"),
    (10, 3, 600_000_000, 800_000_000, "0.15", "41481450"),
    (11, 2, 800_000_000, 1_200_000_000, "0.25", "121481450"),
    (12, 1, 1_200_000_000, 1_800_000_000, "0.5", "421481450"),
]
#: BNBUSDT's (and SOLUSDT's): 0; 5000 × 0.01 = 50; 50 + 50000 × 0.005 = 300;
#: 300 + 250000 × 0.025 = 6550; + 1e6 × 0.05 = 56550; + 5e6 × 0.025 = 181550;
#: + 10e6 × 0.025 = 431550; + 20e6 × 0.1 = 2431550; + 30e6 × 0.25 = 9931550.
BNB_BRACKETS = [
    (1, 75, 0, 5_000, "0.01", "0"),
    (2, 50, 5_000, 50_000, "0.02", "50"),
    (3, 25, 50_000, 250_000, "0.025", "300"),
    (4, 20, 250_000, 1_000_000, "0.05", "6550"),
    (5, 10, 1_000_000, 5_000_000, "0.1", "56550"),
    (6, 5, 5_000_000, 10_000_000, "0.125", "181550"),
    (7, 4, 10_000_000, 20_000_000, "0.15", "431550"),
    (8, 2, 20_000_000, 30_000_000, "0.25", "2431550"),
    (9, 1, 30_000_000, 50_000_000, "0.5", "9931550"),
]

#: (HTTP status, code, message) of the position mode's refusals.
NO_NEED = (400, -4059, "No need to change position side.")
HAS_ORDERS = (400, -4067, "Position side cannot be changed if there exists open orders.")
HAS_POSITION = (400, -4068, "Position side cannot be changed if there exists position.")
#: What each client raises for them. ccxt picks its table by the URL's host: against
#: https://fapi.binance.com these are BadRequest; against any other host, its common table's
#: OperationRejected (binance.py, get_exceptions_by_url). ccxt keeps no HTTP status.
REFUSED_AS = {
    "python-binance-sync": "BinanceAPIException",
    "python-binance-async": "BinanceAPIException",
    "futures-connector": "ClientError",
    "binance-sdk": "BadRequestError",
    "ccxt-sync": "OperationRejected",
    "ccxt-async": "OperationRejected",
}

#: python-binance's constructors ping (and AsyncClient.create() reads the time).
BESIDES = {"/api/v3/ping", "/api/v3/time"}
#: ccxt's load_markets() with keys: fetch_currencies (capital/config/getall, and
#: margin/allPairs as fetchMargins is on), then fetch_markets (linear only for binanceusdm).
CCXT_MARKETS = {"/sapi/v1/capital/config/getall", "/sapi/v1/margin/allPairs",
                "/fapi/v1/exchangeInfo"}  # fmt: skip


# -- helpers ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def key(server: Server) -> Key:
    return Key("HMAC", server.demo.api_key, server.demo.secret)


def amounts(document: Mapping[str, Any], expected: Mapping[str, str]) -> None:
    """The fields of ``expected`` are decimal strings of those values (Binance sends amounts
    as strings)."""
    sent = {name: document[name] for name in expected}
    assert all(isinstance(value, str) for value in sent.values()), sent
    assert {name: Decimal(value) for name, value in sent.items()} == {
        name: Decimal(value) for name, value in expected.items()
    }, document


def money(document: Mapping[str, Any], fields: tuple[str, ...]) -> None:
    """Money fields have 8 decimals (or are a bare zero, as Binance writes some)."""
    for name in fields:
        value = document[name]
        assert value == "0" or (len(value.partition(".")[2]) == 8), (name, value)


def by(rows: list[JSON], field: str) -> dict[str, JSON]:
    keyed = {row[field]: row for row in rows}
    assert len(keyed) == len(rows), rows
    return keyed


def requested(server: Server, since: int) -> set[str]:
    entries = server.control.log(since=since, limit=2000)["entries"]
    return {entry["path"] for entry in entries}


def expected_refusal(family: str, answer: tuple[int, int, str]) -> Refusal:
    status, code, message = answer
    return Refusal(REFUSED_AS[family], None if family in CCXT_FAMILIES else status, code, message)


@contextmanager
def raw(family: str, server: Server, key: Key) -> Iterator[RawViews]:
    views = make_raw(family, server.base_url, key)
    try:
        yield views
    finally:
        views.close()


@contextmanager
def unified(family: str, server: Server, key: Key) -> Iterator[CcxtViews]:
    views = make_ccxt(family, server.base_url, key)
    try:
        yield views
    finally:
        views.close()


# -- the raw documents: python-binance, the connector, the SDK ------------------------------------


def check_account(document: JSON, version: int, mode: str) -> None:
    if version == 2:
        assert set(document) == V2_ACCOUNT, set(document) ^ V2_ACCOUNT
        assert document["multiAssetsMargin"] is (mode != SINGLE)
        assert (document["feeTier"], document["tradeGroupId"]) == (0, -1)
    else:
        assert set(document) == V3_ACCOUNT, set(document) ^ V3_ACCOUNT
    amounts(document, dict(zip(TOTAL_FIELDS, TOTALS[mode], strict=True)))
    money(document, TOTAL_FIELDS)
    assets = by(document["assets"], "asset")
    assert set(assets) == set(LISTED)
    for name, row in assets.items():
        assert set(row) == (V2_ACCOUNT_ASSET if version == 2 else V3_ACCOUNT_ASSET), row
        amounts(row, dict(zip(ASSET_FIELDS, ASSETS[mode][name], strict=True)))
        money(row, ASSET_FIELDS)
        if version == 2:
            assert row["marginAvailable"] is True
        # ccxt skips a row dated 0 (reference §1.4): the funded ones carry a date.
        assert isinstance(row["updateTime"], int)
        assert (row["updateTime"] > 0) is (name in FUNDED[mode]), row
    positions = by(document["positions"], "symbol")
    for row in positions.values():
        assert row["positionSide"] == "BOTH"
        assert isinstance(row["updateTime"], int)
    assert positions["BTCUSDT"]["updateTime"] > 0
    if version == 2:
        # Every symbol; the config fields are v2's.
        assert set(positions) == set(SYMBOLS)
        for symbol, row in positions.items():
            assert V2_ACCOUNT_POSITION <= set(row) <= V2_ACCOUNT_POSITION | V2_ACCOUNT_POSITION_LIVE
            amounts(row, V2_ACCOUNT_ROWS[symbol])
            assert (row["leverage"], row["isolated"]) == (LEVERAGE[symbol], False), row
    else:
        # Only the symbols with a position or an open order.
        assert set(positions) == {"BTCUSDT", "ETHUSDT"}
        for symbol, row in positions.items():
            assert set(row) == V3_ACCOUNT_POSITION, row
            amounts(row, V3_ACCOUNT_ROWS[symbol])


def check_balance(rows: list[JSON], mode: str) -> None:
    assets = by(rows, "asset")
    assert set(assets) == set(LISTED)
    aliases = {row["accountAlias"] for row in rows}
    assert len(aliases) == 1 and all(isinstance(alias, str) and alias for alias in aliases)
    for name, row in assets.items():
        assert set(row) == BALANCE, row
        figures = dict(zip(ASSET_FIELDS, ASSETS[mode][name], strict=True))
        expected = {
            "balance": figures["walletBalance"],
            **{
                field: figures[field]
                for field in (
                    "crossWalletBalance",
                    "crossUnPnl",
                    "availableBalance",
                    "maxWithdrawAmount",
                )
            },
        }
        amounts(row, expected)
        money(row, tuple(expected))
        assert row["marginAvailable"] is True
        assert isinstance(row["updateTime"], int)
        assert (row["updateTime"] > 0) is (name in FUNDED[mode]), row


def check_risk(rows: list[JSON], version: int) -> None:
    risks = by(rows, "symbol")
    for row in risks.values():
        assert row["positionSide"] == "BOTH"
    if version == 2:
        assert set(risks) == set(SYMBOLS)
        for symbol, row in risks.items():
            assert set(row) == V2_RISK, set(row) ^ V2_RISK
            amounts(row, V2_RISK_ROWS[symbol])
            # Lower-case marginType and a string isAutoAddMargin, as v2 writes them.
            assert (row["leverage"], row["marginType"], row["isAutoAddMargin"]) == (
                LEVERAGE[symbol],
                "cross",
                "false",
            ), row
    else:
        assert set(risks) == {"BTCUSDT", "ETHUSDT"}
        for symbol, row in risks.items():
            assert set(row) == V3_RISK, set(row) ^ V3_RISK
            amounts(row, V3_RISK_ROWS[symbol])
            assert row["marginAsset"] == "USDT"
            assert isinstance(row["adl"], int)


def views_in(mode: str) -> Callable[[Server, RawViews, str], set[str]]:
    def scenario(server: Server, views: RawViews, family: str) -> set[str]:
        server.control.set_state("demo", seeded(mode))
        paths = set()
        for version in sorted(views.versions):
            check_account(views.account(version), version, mode)
            check_balance(views.balance(version), mode)
            check_risk(views.position_risk(version), version)
            # One symbol's rows only.
            only = views.position_risk(version, "BTCUSDT")
            assert [row["symbol"] for row in only] == ["BTCUSDT"]
            amounts(only[0], (V2_RISK_ROWS if version == 2 else V3_RISK_ROWS)["BTCUSDT"])
            paths |= {f"/fapi/v{version}/{view}" for view in ("account", "balance", "positionRisk")}
        return paths

    return scenario


#: Two open orders in two symbols (their margins are not looked at here).
ORDERS_STATE = {
    "balances": {"USDT": "1000", "USDC": "1000"},
    "openOrders": [
        {"orderId": 7, "symbol": "ETHUSDT", "side": "BUY", "price": "2500", "origQty": "1"},
        {"orderId": 9, "symbol": "BTCUSDC", "side": "SELL", "price": "100000", "origQty": "0.01"},
    ],
}
ORDERS = {
    7: {"symbol": "ETHUSDT", "side": "BUY", "price": "2500", "origQty": "1"},
    9: {"symbol": "BTCUSDC", "side": "SELL", "price": "100000", "origQty": "0.01"},
}


def check_order(row: JSON, order_id: int) -> None:
    assert set(row) == ORDER, set(row) ^ ORDER
    assert row["orderId"] == order_id and isinstance(row["orderId"], int)
    expected = ORDERS[order_id]
    assert (row["symbol"], row["side"]) == (expected["symbol"], expected["side"])
    amounts(row, {"price": expected["price"], "origQty": expected["origQty"], "executedQty": "0"})
    assert (row["status"], row["type"], row["origType"], row["positionSide"]) == (
        "NEW",
        "LIMIT",
        "LIMIT",
        "BOTH",
    )
    assert (row["reduceOnly"], row["closePosition"], row["priceProtect"]) == (False, False, False)
    assert isinstance(row["clientOrderId"], str) and row["clientOrderId"]
    assert isinstance(row["time"], int) and isinstance(row["updateTime"], int)


def open_orders(server: Server, views: RawViews, family: str) -> set[str]:
    server.control.set_state("demo", ORDERS_STATE)
    every = views.open_orders()
    assert sorted(row["orderId"] for row in every) == [7, 9]
    for row in every:
        check_order(row, row["orderId"])
    eth = views.open_orders("ETHUSDT")
    assert [row["orderId"] for row in eth] == [7]
    check_order(eth[0], 7)
    assert views.open_orders("SOLUSDT") == []
    check_order(views.open_order("BTCUSDC", 9), 9)
    # An order of another symbol is not that symbol's: -2013.
    with pytest.raises(views.errors) as caught:
        views.open_order("ETHUSDT", 9)
    refusal = views.refusal(caught.value)
    assert (refusal.status, refusal.code, refusal.msg) == (400, -2013, "Order does not exist.")
    return {"/fapi/v1/openOrders", "/fapi/v1/openOrder"}


def position_mode(server: Server, views: RawViews, family: str) -> set[str]:
    server.control.set_state("demo", {"balances": {"USDT": "1000"}})
    assert views.position_mode() is False
    views.change_position_mode(True)
    assert server.control.state("demo")["dualSidePosition"] is True
    assert views.position_mode() is True
    views.change_position_mode(False)
    assert server.control.state("demo")["dualSidePosition"] is False
    assert views.position_mode() is False
    return {"/fapi/v1/positionSide/dual"}


def refused(views: RawViews | CcxtViews, operation: Callable[[], object]) -> Refusal:
    with pytest.raises(views.errors) as caught:
        operation()
    return views.refusal(caught.value)


def position_mode_refusals(server: Server, views: RawViews, family: str) -> set[str]:
    server.control.set_state("demo", {"balances": {"USDT": "1000"}})
    assert refused(views, lambda: views.change_position_mode(False)) == expected_refusal(
        family, NO_NEED
    )
    server.control.set_state("demo", seeded(SINGLE))  # a position and an open order
    assert refused(views, lambda: views.change_position_mode(True)).code in (-4067, -4068)
    server.control.set_state("demo", ORDERS_STATE)  # open orders only
    assert refused(views, lambda: views.change_position_mode(True)) == expected_refusal(
        family, HAS_ORDERS
    )
    positions_only = {**seeded(SINGLE), "openOrders": []}
    server.control.set_state("demo", positions_only)
    assert refused(views, lambda: views.change_position_mode(True)) == expected_refusal(
        family, HAS_POSITION
    )
    assert views.position_mode() is False
    return {"/fapi/v1/positionSide/dual"}


def check_brackets(entry: JSON, expected: list[tuple[int, int, int, int, str, str]]) -> None:
    rows = [
        (
            b["bracket"],
            b["initialLeverage"],
            b["notionalFloor"],
            b["notionalCap"],
            Decimal(str(b["maintMarginRatio"])),
            Decimal(str(b["cum"])),
        )
        for b in entry["brackets"]
    ]
    assert rows == [(*row[:4], Decimal(row[4]), Decimal(row[5])) for row in expected]
    # JSON numbers, the integral ones integers (the SDK's model types them so).
    for bracket in entry["brackets"]:
        for name in ("bracket", "initialLeverage", "notionalFloor", "notionalCap"):
            assert type(bracket[name]) is int, (name, bracket)
        for name in ("maintMarginRatio", "cum"):
            assert type(bracket[name]) in (int, float), (name, bracket)


def leverage_brackets(server: Server, views: RawViews, family: str) -> set[str]:
    server.control.set_state("demo", seeded(SINGLE))
    every = views.leverage_brackets()
    assert isinstance(every, list)  # ccxt's to_array needs the array (reference §7.1)
    entries = by(every, "symbol")
    assert set(entries) == set(SYMBOLS)
    check_brackets(entries["BTCUSDT"], BTC_BRACKETS)
    check_brackets(entries["BNBUSDT"], BNB_BRACKETS)
    one = views.leverage_brackets("BNBUSDT")
    # The doc shows an object; the SDK models an object and an array alike.
    one_entry = one[0] if isinstance(one, list) else one
    assert one_entry["symbol"] == "BNBUSDT"
    check_brackets(one_entry, BNB_BRACKETS)
    return {"/fapi/v1/leverageBracket"}


def market_data(server: Server, views: RawViews, family: str) -> set[str]:
    mark = views.mark_price("BTCUSDT")
    assert mark["symbol"] == "BTCUSDT"
    amounts(mark, {"markPrice": "90000"})
    index = views.asset_index("BTCUSD")
    assert index["symbol"] == "BTCUSD"
    # The rates of MARKET: 90000 × (1 − 0.05), × (1 + 0.1), × (1 − 0.025), × (1 + 0.05).
    amounts(
        index,
        {
            "index": "90000",
            "bidBuffer": "0.05",
            "askBuffer": "0.1",
            "bidRate": "85500",
            "askRate": "99000",
            "autoExchangeBidBuffer": "0.025",
            "autoExchangeAskBuffer": "0.05",
            "autoExchangeBidRate": "87750",
            "autoExchangeAskRate": "94500",
        },
    )
    return {"/fapi/v1/premiumIndex", "/fapi/v1/assetIndex"}


#: Hedge Mode: 0.1 BTCUSDT LONG from 80000 and 0.05 SHORT from 100000, at leverage 10 and
#: mark 90000. LONG: notional 9000, uPnL 1000, initial margin 900, maintenance 9000 × 0.004
#: = 36. SHORT: notional −0.05 × 90000 = −4500 (signed), uPnL −0.05 × (90000 − 100000) = 500,
#: initial margin 4500 / 10 = 450, maintenance 4500 × 0.004 = 18. USDT: wallet 1000, uPnL
#: 1000 + 500 = 1500, margin balance 2500, initial margin 900 + 450 = 1350, maintenance 54,
#: available 1000 + 1500 − 1350 = 1150.
HEDGE_STATE = {
    "dualSidePosition": True,
    "balances": {"USDT": "1000"},
    "leverage": {"BTCUSDT": 10},
    "positions": [
        {"symbol": "BTCUSDT", "positionSide": "LONG", "positionAmt": "0.1", "entryPrice": "80000"},
        {
            "symbol": "BTCUSDT",
            "positionSide": "SHORT",
            "positionAmt": "-0.05",
            "entryPrice": "100000",
        },
    ],
}
HEDGE_RISK = {
    "LONG": {"positionAmt": "0.1", "entryPrice": "80000", "notional": "9000",
             "unRealizedProfit": "1000", "initialMargin": "900", "maintMargin": "36"},
    "SHORT": {"positionAmt": "-0.05", "entryPrice": "100000", "notional": "-4500",
              "unRealizedProfit": "500", "initialMargin": "450", "maintMargin": "18"},
}  # fmt: skip


def views_hedged(server: Server, views: RawViews, family: str) -> set[str]:
    server.control.set_state("demo", HEDGE_STATE)
    paths = set()
    for version in sorted(views.versions):
        rows = views.position_risk(version)
        sides = {(row["symbol"], row["positionSide"]): row for row in rows}
        if version == 2:
            # Every symbol, a LONG and a SHORT row each; no BOTH.
            assert set(sides) == {(s, side) for s in SYMBOLS for side in ("LONG", "SHORT")}
        else:
            assert set(sides) == {("BTCUSDT", "LONG"), ("BTCUSDT", "SHORT")}
        for side, expected in HEDGE_RISK.items():
            row = sides["BTCUSDT", side]
            amounts(
                row,
                {
                    name: expected[name]
                    for name in expected
                    if version == 3 or name not in ("initialMargin", "maintMargin")
                },
            )
        usdt = by(views.account(version)["assets"], "asset")["USDT"]
        amounts(
            usdt,
            {"unrealizedProfit": "1500", "marginBalance": "2500", "initialMargin": "1350",
             "maintMargin": "54", "availableBalance": "1150", "maxWithdrawAmount": "1000"},
        )  # fmt: skip
        paths |= {f"/fapi/v{version}/positionRisk", f"/fapi/v{version}/account"}
    return paths


RAW_SCENARIOS: dict[str, Callable[[Server, RawViews, str], set[str]]] = {
    **{f"views-{mode}": views_in(mode) for mode in MODES},
    "views-hedge": views_hedged,
    "open-orders": open_orders,
    "position-mode": position_mode,
    "position-mode-refusals": position_mode_refusals,
    "leverage-brackets": leverage_brackets,
    "market-data": market_data,
}


@pytest.mark.parametrize(
    ("family", "scenario"),
    [
        pytest.param(family, scenario, id=f"{family}-{scenario}")
        for family in RAW_FAMILIES
        for scenario in RAW_SCENARIOS
    ],
)
def test_raw_client(server: Server, key: Key, family: str, scenario: str) -> None:
    last = server.control.log(limit=1)["last"]
    with raw(family, server, key) as views:
        needed = RAW_SCENARIOS[scenario](server, views, family)
    # The client asked for these paths (and its constructor's), nothing else.
    assert needed <= requested(server, last) <= needed | BESIDES


# -- ccxt: the unified methods --------------------------------------------------------------------


def ccxt_balance(mode: str) -> Callable[[Server, CcxtViews, str], set[str]]:
    # free = availableBalance, used = initialMargin, total = marginBalance, for each asset row
    # dated other than 0 (binance.py, parse_balance_custom): the funded assets.
    expected = {
        SINGLE: {
            "USDT": {"free": 975.0, "used": 1025.0, "total": 2000.0},
            "USDC": {"free": 500.0, "used": 0.0, "total": 500.0},
        },
        MULTI: {
            "USDT": {"free": 1475.0, "used": 1025.0, "total": 2000.0},
            "USDC": {"free": 1475.0, "used": 0.0, "total": 500.0},
        },
        HAIRCUT: {
            "USDT": {"free": 10025.0, "used": 1025.0, "total": 2000.0},
            "USDC": {"free": 10025.0, "used": 0.0, "total": 500.0},
            "BTC": {"free": 0.10126262, "used": 0.0, "total": 0.1},
        },
    }[mode]

    def scenario(server: Server, views: CcxtViews, family: str) -> set[str]:
        server.control.set_state("demo", seeded(mode))
        balance = views.call("fetch_balance")
        codes = set(balance) - {"info", "timestamp", "datetime", "free", "used", "total", "debt"}
        assert codes == set(expected), codes
        assert {
            code: {part: balance[code][part] for part in ("free", "used", "total")}
            for code in codes
        } == expected
        # fetch_balance calls v3 account (options.fetchBalance.useV2 off).
        return {"/fapi/v3/account"} | CCXT_MARKETS

    return scenario


def ccxt_positions(mode: str) -> Callable[[Server, CcxtViews, str], set[str]]:
    def scenario(server: Server, views: CcxtViews, family: str) -> set[str]:
        server.control.set_state("demo", seeded(mode))
        # fetch_positions: v3 positionRisk, the rows with entryPrice > 0 (BTCUSDT only),
        # after load_leverage_brackets. Its maintenance margin is its own: the ratio of the
        # last bracket whose floor is at most 9000 (0.004) × 9000 = 36; the initial margin
        # v3's 900, 900 / 9000 = 0.1 of the notional; no leverage in v3. Liquidation price
        # "0" is None, and with it the cross collateral ccxt derives from it: 0.
        (position,) = views.call("fetch_positions")
        assert {name: position[name] for name in POSITION_KEYS} == {
            "symbol": "BTC/USDT:USDT",
            "contracts": 0.1,
            "contractSize": 1.0,
            "side": "long",
            "hedged": False,
            "marginMode": "cross",
            "notional": 9000.0,
            "entryPrice": 80000.0,
            "markPrice": 90000.0,
            "unrealizedPnl": 1000.0,
            "initialMargin": 900.0,
            "initialMarginPercentage": 0.1,
            "maintenanceMargin": 36.0,
            "maintenanceMarginPercentage": 0.004,
            "leverage": None,
            "liquidationPrice": None,
            "collateral": 0.0,
        }
        assert position["timestamp"] > 0
        # method "account": v3 account's rows (BTCUSDT and ETHUSDT), each with its quote
        # asset's row: collateral = USDT's crossWalletBalance + crossUnPnl = 1000 + 1000 =
        # 2000 in both modes (native figures); margin ratio 36 / 2000 = 0.018 (+ 5e-5, to 4
        # decimals, truncated: 0.018); percentage 1000 / 900 = 1.1111 (4 decimals) × 100 =
        # 111.11. v3 rows have no entryPrice; ETHUSDT's notional 0 leaves no side.
        positions = {
            p["symbol"]: p for p in views.call("fetch_positions", None, {"method": "account"})
        }
        assert set(positions) == {"BTC/USDT:USDT", "ETH/USDT:USDT"}
        btc, eth = positions["BTC/USDT:USDT"], positions["ETH/USDT:USDT"]
        assert {name: btc[name] for name in ACCOUNT_POSITION_KEYS} == {
            "contracts": 0.1,
            "side": "long",
            "marginMode": "cross",
            "notional": 9000.0,
            "entryPrice": None,
            "unrealizedPnl": 1000.0,
            "initialMargin": 900.0,
            "maintenanceMargin": 36.0,
            "maintenanceMarginPercentage": 0.004,
            "collateral": 2000.0,
            "marginRatio": 0.018,
            "percentage": 111.11,
        }
        assert {
            name: eth[name]
            for name in ("contracts", "side", "notional", "initialMargin", "maintenanceMargin")
        } == {
            "contracts": 0.0,
            "side": None,
            "notional": 0.0,
            "initialMargin": 125.0,
            "maintenanceMargin": 0.0,
        }
        return {
            "/fapi/v3/positionRisk",
            "/fapi/v3/account",
            "/fapi/v1/leverageBracket",
        } | CCXT_MARKETS

    return scenario


POSITION_KEYS = (
    "symbol", "contracts", "contractSize", "side", "hedged", "marginMode", "notional",
    "entryPrice", "markPrice", "unrealizedPnl", "initialMargin", "initialMarginPercentage",
    "maintenanceMargin", "maintenanceMarginPercentage", "leverage", "liquidationPrice",
    "collateral",
)  # fmt: skip
ACCOUNT_POSITION_KEYS = (
    "contracts", "side", "marginMode", "notional", "entryPrice", "unrealizedPnl",
    "initialMargin", "maintenanceMargin", "maintenanceMarginPercentage", "collateral",
    "marginRatio", "percentage",
)  # fmt: skip


def ccxt_order(order: JSON, order_id: int) -> None:
    expected = ORDERS[order_id]
    symbol = {"ETHUSDT": "ETH/USDT:USDT", "BTCUSDC": "BTC/USDC:USDC"}[expected["symbol"]]
    assert {
        name: order[name]
        for name in (
            "id",
            "symbol",
            "type",
            "side",
            "price",
            "amount",
            "filled",
            "remaining",
            "status",
            "reduceOnly",
        )
    } == {
        "id": str(order_id),
        "symbol": symbol,
        "type": "limit",
        "side": expected["side"].lower(),
        "price": float(expected["price"]),
        "amount": float(expected["origQty"]),
        "filled": 0.0,
        "remaining": float(expected["origQty"]),
        "status": "open",
        "reduceOnly": False,
    }


def ccxt_open_orders(server: Server, views: CcxtViews, family: str) -> set[str]:
    server.control.set_state("demo", ORDERS_STATE)
    (eth,) = views.call("fetch_open_orders", "ETH/USDT:USDT")
    ccxt_order(eth, 7)
    ccxt_order(views.call("fetch_open_order", "9", "BTC/USDC:USDC"), 9)
    # Without a symbol ccxt refuses by itself unless told it is meant (its rate-limit warning).
    with pytest.raises(views.errors, match="warnWithoutSymbol"):
        views.call("fetch_open_orders")
    views.exchange.options["fetchOpenOrders"]["warnWithoutSymbol"] = False
    orders = views.call("fetch_open_orders")
    assert sorted(order["id"] for order in orders) == ["7", "9"]
    for order in orders:
        ccxt_order(order, int(order["id"]))
    return {"/fapi/v1/openOrders", "/fapi/v1/openOrder"} | CCXT_MARKETS


def ccxt_position_mode(server: Server, views: CcxtViews, family: str) -> set[str]:
    server.control.set_state("demo", {"balances": {"USDT": "1000"}})
    assert views.call("fetch_position_mode") == {
        "info": {"dualSidePosition": False},
        "hedged": False,
    }
    assert views.call("set_position_mode", True) == {"code": 200, "msg": "success"}
    assert server.control.state("demo")["dualSidePosition"] is True
    assert views.call("fetch_position_mode")["hedged"] is True
    assert views.call("set_position_mode", False) == {"code": 200, "msg": "success"}
    assert views.call("fetch_position_mode")["hedged"] is False
    assert refused(views, lambda: views.call("set_position_mode", False)) == expected_refusal(
        family, NO_NEED
    )
    server.control.set_state("demo", ORDERS_STATE)
    assert refused(views, lambda: views.call("set_position_mode", True)) == expected_refusal(
        family, HAS_ORDERS
    )
    return {"/fapi/v1/positionSide/dual"}


def ccxt_leverage_tiers(server: Server, views: CcxtViews, family: str) -> set[str]:
    tiers = views.call("fetch_leverage_tiers")
    assert set(tiers) == {
        "BTC/USDT:USDT", "ETH/USDT:USDT", "BNB/USDT:USDT", "SOL/USDT:USDT",
        "BTC/USDC:USDC", "ETH/USDC:USDC",
    }  # fmt: skip

    def projected(symbol: str) -> list[tuple[Any, ...]]:
        return [
            (t["tier"], t["currency"], t["minNotional"], t["maxNotional"],
             t["maintenanceMarginRate"], t["maxLeverage"])
            for t in tiers[symbol]
        ]  # fmt: skip

    assert projected("BTC/USDT:USDT") == [
        (float(n), "USDT", float(floor), float(cap), float(ratio), float(leverage))
        for n, leverage, floor, cap, ratio, _ in BTC_BRACKETS
    ]
    assert projected("SOL/USDT:USDT") == [
        (float(n), "USDT", float(floor), float(cap), float(ratio), float(leverage))
        for n, leverage, floor, cap, ratio, _ in BNB_BRACKETS
    ]
    assert [t["currency"] for t in tiers["ETH/USDC:USDC"]] == ["USDC"] * len(BTC_BRACKETS)
    return {"/fapi/v1/leverageBracket"} | CCXT_MARKETS


def ccxt_start_up(server: Server, views: CcxtViews, family: str) -> set[str]:
    # What a ccxt user (freqtrade, for one) reads first: the two modes, by the implicit
    # methods. No load_markets: implicit methods don't need it.
    for multi, hedged in ((False, False), (True, True)):
        server.control.set_state("demo", {"multiAssetsMargin": multi, "dualSidePosition": hedged})
        assert views.call("fapiPrivateGetPositionSideDual") == {"dualSidePosition": hedged}
        assert views.call("fapiPrivateGetMultiAssetsMargin") == {"multiAssetsMargin": multi}
    return {"/fapi/v1/positionSide/dual", "/fapi/v1/multiAssetsMargin"}


def ccxt_mark_price(server: Server, views: CcxtViews, family: str) -> set[str]:
    ticker = views.call("fetch_mark_price", "BTC/USDT:USDT")
    assert (ticker["symbol"], ticker["markPrice"]) == ("BTC/USDT:USDT", 90000.0)
    return {"/fapi/v1/premiumIndex"} | CCXT_MARKETS


def ccxt_positions_hedged(server: Server, views: CcxtViews, family: str) -> set[str]:
    # HEDGE_STATE's two rows, hedged (positionSide is not BOTH), the side from notional's sign;
    # ccxt's maintenance: 0.004 × 9000 = 36 and 0.004 × 4500 = 18. USDT's balance: free 1150,
    # used 1350, total 2500.
    server.control.set_state("demo", HEDGE_STATE)
    positions = {p["side"]: p for p in views.call("fetch_positions")}
    keys = ("symbol", "hedged", "contracts", "notional", "entryPrice", "unrealizedPnl",
            "initialMargin", "maintenanceMargin")  # fmt: skip
    assert {side: {k: p[k] for k in keys} for side, p in positions.items()} == {
        "long": {"symbol": "BTC/USDT:USDT", "hedged": True, "contracts": 0.1, "notional": 9000.0,
                 "entryPrice": 80000.0, "unrealizedPnl": 1000.0, "initialMargin": 900.0,
                 "maintenanceMargin": 36.0},
        "short": {"symbol": "BTC/USDT:USDT", "hedged": True, "contracts": 0.05,
                  "notional": 4500.0, "entryPrice": 100000.0, "unrealizedPnl": 500.0,
                  "initialMargin": 450.0, "maintenanceMargin": 18.0},
    }  # fmt: skip
    usdt = views.call("fetch_balance")["USDT"]
    assert (usdt["free"], usdt["used"], usdt["total"]) == (1150.0, 1350.0, 2500.0)
    return {"/fapi/v3/positionRisk", "/fapi/v1/leverageBracket", "/fapi/v3/account"} | CCXT_MARKETS


def ccxt_v2(server: Server, views: CcxtViews, family: str) -> set[str]:
    # The option a user sets for the older documents (useV2: v2 account and positionRisk).
    # v2 positionRisk has leverage: ccxt takes initial margin as notional / leverage,
    # 9000 × (1 / 10 = 0.1) = 900, and marginType "cross" as is.
    server.control.set_state("demo", seeded(SINGLE))
    usdt = views.call("fetch_balance", {"useV2": True})["USDT"]
    assert (usdt["free"], usdt["used"], usdt["total"]) == (975.0, 1025.0, 2000.0)
    (position,) = views.call("fetch_positions", None, {"useV2": True})
    keys = ("symbol", "leverage", "initialMargin", "initialMarginPercentage", "marginMode",
            "notional", "unrealizedPnl", "maintenanceMargin")  # fmt: skip
    assert {k: position[k] for k in keys} == {
        "symbol": "BTC/USDT:USDT", "leverage": 10.0, "initialMargin": 900.0,
        "initialMarginPercentage": 0.1, "marginMode": "cross", "notional": 9000.0,
        "unrealizedPnl": 1000.0, "maintenanceMargin": 36.0,
    }  # fmt: skip
    return {"/fapi/v2/account", "/fapi/v2/positionRisk", "/fapi/v1/leverageBracket"} | CCXT_MARKETS


CCXT_SCENARIOS: dict[str, Callable[[Server, CcxtViews, str], set[str]]] = {
    **{f"balance-{mode}": ccxt_balance(mode) for mode in MODES},
    **{f"positions-{mode}": ccxt_positions(mode) for mode in (SINGLE, MULTI)},
    "positions-hedge": ccxt_positions_hedged,
    "use-v2": ccxt_v2,
    "open-orders": ccxt_open_orders,
    "position-mode": ccxt_position_mode,
    "leverage-tiers": ccxt_leverage_tiers,
    "start-up": ccxt_start_up,
    "mark-price": ccxt_mark_price,
}


@pytest.mark.parametrize(
    ("family", "scenario"),
    [
        pytest.param(family, scenario, id=f"{family}-{scenario}")
        for family in CCXT_FAMILIES
        for scenario in CCXT_SCENARIOS
    ],
)
def test_ccxt(server: Server, key: Key, family: str, scenario: str) -> None:
    last = server.control.log(limit=1)["last"]
    with unified(family, server, key) as views:
        needed = CCXT_SCENARIOS[scenario](server, views, family)
    # Exactly these paths: ccxt's calls, load_markets() included, and nothing else.
    assert requested(server, last) == needed
