"""The read views as documents: every field of seeded accounts and markets, names, order and
types as Binance's pages give them, each figure worked out by hand in the comments."""

from __future__ import annotations

import hashlib
import string
from decimal import Decimal
from typing import Any

import pytest

from multiassets.account import AccountState, Market, Order, account_margin, views
from multiassets.account import market_views as mv
from multiassets.market import ASSETS, SYMBOLS

D = Decimal
T = 1_700_000_000_000  # when the seeded state last changed

#: Stablecoins at 1 with no haircut, BTC at 90000 with 5 %: figures a reader can follow.
ROUND = {
    "assetIndex": {
        "USDT": {"index": "1", "bidBuffer": "0", "askBuffer": "0"},
        "USDC": {"index": "1", "bidBuffer": "0", "askBuffer": "0"},
        "BTC": {"index": "90000", "bidBuffer": "0.05", "askBuffer": "0.05"},
    },
    "markPrices": {"BTCUSDT": "90000", "ETHUSDT": "3000", "ETHUSDC": "3000"},
}
LISTED = ["USDT", "BTC", "BNB", "ETH", "USDC", "FDUSD", "BFUSD"]  # the catalogue, no BNFCR


def market(**prices: Any) -> Market:
    return Market.from_json(ROUND).patched(prices)


def seeded(**changes: Any) -> AccountState:
    """1000 USDT and 0.1 BTC; long 0.1 BTCUSDT from 80000 at 10x; an order to buy 1 ETHUSDT
    at 2500 (20x)."""
    document: dict[str, Any] = {
        "balances": {"USDT": "1000", "BTC": "0.1"},
        "leverage": {"BTCUSDT": 10},
        "positions": [{"symbol": "BTCUSDT", "positionAmt": "0.1", "entryPrice": "80000"}],
        "openOrders": [
            {"orderId": 7, "symbol": "ETHUSDT", "side": "BUY", "price": "2500", "origQty": "1"}
        ],
    }
    return AccountState.from_json({**document, **changes})


def by(items: list[dict[str, Any]], **key: str) -> dict[str, Any]:
    (found,) = [item for item in items if all(item[k] == v for k, v in key.items())]
    return found


# -- formatting -------------------------------------------------------------------------------


def test_money_is_truncated_toward_zero_at_8_decimals() -> None:
    assert views.money(D("1.999999999")) == "1.99999999"
    assert views.money(D("-1.999999999")) == "-1.99999999"  # toward zero, not down
    assert views.money(D(975)) == "975.00000000"
    # What truncates to nothing is zero, as the field spells it, never "-0.00000000".
    assert views.money(D("-0.000000009")) == "0.00000000"
    assert views.money(D("-0.000000009"), "0") == "0"
    # 30 digits before the point: more than Decimal's default 28.
    assert views.money(D("1" + "0" * 29 + ".123456789")) == "1" + "0" * 29 + ".12345678"


def test_quantities_and_prices_keep_the_symbols_precision_and_every_digit_held() -> None:
    assert views.quantity("BTCUSDT", D("0.1")) == "0.100"  # quantity precision 3
    assert views.quantity("BTCUSDT", D("-1")) == "-1.000"
    assert views.quantity("SOLUSDT", D("30")) == "30"  # precision 0
    assert views.quantity("BTCUSDT", D("0.12345")) == "0.12345"  # more than 3: all of them
    assert views.quantity("BTCUSDT", D("0.10000000")) == "0.100"
    # Entry prices: trailing zeros cut, one decimal at least; a flat row's own spelling.
    assert views.entry_price(D("22185.20")) == "22185.2"
    assert views.entry_price(D("95000")) == "95000.0"
    assert views.entry_price(D("70.92841")) == "70.92841"
    assert (views.entry_price(D(0)), views.entry_price(D(0), "0.0")) == ("0.00000", "0.0")


# -- account: Single-Asset Mode ---------------------------------------------------------------


def test_v2_account_in_single_asset_mode() -> None:
    document = views.account_v2(account_margin(seeded(), market()), T)
    assert list(document)[:8] == [
        "feeTier",
        "feeBurn",
        "canTrade",
        "canDeposit",
        "canWithdraw",
        "updateTime",
        "multiAssetsMargin",
        "tradeGroupId",
    ]
    # USDT's figures are the totals: IM 0.1 × 90000 / 10 = 900 and the order's 1 × 2500 / 20
    # = 125; MM 9000 × 0.004 = 36; PnL 0.1 × (90000 − 80000) = 1000; available
    # 1000 + 1000 − 900 − 125 = 975 (the cross wallet, 1000, is more).
    assert {k: v for k, v in document.items() if k not in ("assets", "positions")} == {
        "feeTier": 0,
        "feeBurn": True,
        "canTrade": True,
        "canDeposit": True,
        "canWithdraw": True,
        "updateTime": 0,
        "multiAssetsMargin": False,
        "tradeGroupId": -1,
        "totalInitialMargin": "1025.00000000",
        "totalMaintMargin": "36.00000000",
        "totalWalletBalance": "1000.00000000",
        "totalUnrealizedProfit": "1000.00000000",
        "totalMarginBalance": "2000.00000000",
        "totalPositionInitialMargin": "900.00000000",
        "totalOpenOrderInitialMargin": "125.00000000",
        "totalCrossWalletBalance": "1000.00000000",
        "totalCrossUnPnl": "1000.00000000",
        "availableBalance": "975.00000000",
        "maxWithdrawAmount": "975.00000000",
    }
    assert [asset["asset"] for asset in document["assets"]] == LISTED
    usdt, btc, bnb = document["assets"][:3]
    assert usdt == {
        "asset": "USDT",
        "walletBalance": "1000.00000000",
        "unrealizedProfit": "1000.00000000",
        "marginBalance": "2000.00000000",
        "maintMargin": "36.00000000",
        "initialMargin": "1025.00000000",
        "positionInitialMargin": "900.00000000",
        "openOrderInitialMargin": "125.00000000",
        "crossWalletBalance": "1000.00000000",
        "crossUnPnl": "1000.00000000",
        "availableBalance": "975.00000000",
        "maxWithdrawAmount": "975.00000000",
        "marginAvailable": True,
        "updateTime": T,
    }
    # BTC covers nothing of USDT's in this mode: its own 0.1, all available; BNB is not held.
    assert (btc["walletBalance"], btc["availableBalance"], btc["updateTime"]) == (
        "0.10000000",
        "0.10000000",
        T,
    )
    assert (bnb["walletBalance"], bnb["maxWithdrawAmount"], bnb["updateTime"]) == (
        "0.00000000",
        "0.00000000",
        0,
    )


def test_v2_account_lists_a_row_per_symbol_with_the_v2_fields() -> None:
    positions = views.account_v2(account_margin(seeded(), market()), T)["positions"]
    assert [p["symbol"] for p in positions] == [s.name for s in SYMBOLS]
    # 10x allows brackets 1 to 7 of BTCUSDT: the 7th's cap, 230 000 000.
    assert by(positions, symbol="BTCUSDT") == {
        "symbol": "BTCUSDT",
        "initialMargin": "900.00000000",
        "maintMargin": "36.00000000",
        "unrealizedProfit": "1000.00000000",
        "positionInitialMargin": "900.00000000",
        "openOrderInitialMargin": "0",
        "leverage": "10",
        "isolated": False,
        "entryPrice": "80000.0",
        "breakEvenPrice": "80000.0",
        "maxNotional": "230000000",
        "bidNotional": "0",
        "askNotional": "0",
        "positionSide": "BOTH",
        "positionAmt": "0.100",
        "updateTime": T,
    }
    # No position, one order: its 125 of initial margin; flat, so dated 0; 20x (the default)
    # allows brackets 1 to 6: 100 000 000.
    assert by(positions, symbol="ETHUSDT") == {
        "symbol": "ETHUSDT",
        "initialMargin": "125.00000000",
        "maintMargin": "0",
        "unrealizedProfit": "0.00000000",
        "positionInitialMargin": "0",
        "openOrderInitialMargin": "125.00000000",
        "leverage": "20",
        "isolated": False,
        "entryPrice": "0.00000",
        "breakEvenPrice": "0.0",
        "maxNotional": "100000000",
        "bidNotional": "0",
        "askNotional": "0",
        "positionSide": "BOTH",
        "positionAmt": "0",
        "updateTime": 0,
    }
    # SOLUSDT's minor brackets: 20x up to the 4th, capped at 1 000 000.
    assert by(positions, symbol="SOLUSDT")["maxNotional"] == "1000000"


def test_v3_account_has_no_configuration_no_margin_available_and_active_rows_only() -> None:
    document = views.account_v3(account_margin(seeded(), market()), T)
    assert list(document)[0] == "totalInitialMargin" and "multiAssetsMargin" not in document
    assert document["totalInitialMargin"] == "1025.00000000"
    assert "marginAvailable" not in document["assets"][0]
    assert document["assets"][0]["updateTime"] == T
    assert document["positions"] == [
        {
            "symbol": "BTCUSDT",
            "positionSide": "BOTH",
            "positionAmt": "0.100",
            "unrealizedProfit": "1000.00000000",
            "isolatedMargin": "0.00000000",
            "notional": "9000.00000000",  # 0.1 × 90000
            "isolatedWallet": "0",
            "initialMargin": "900.00000000",
            "maintMargin": "36.00000000",
            "updateTime": T,
        },
        {
            "symbol": "ETHUSDT",
            "positionSide": "BOTH",
            "positionAmt": "0.000",
            "unrealizedProfit": "0.00000000",
            "isolatedMargin": "0.00000000",
            "notional": "0",
            "isolatedWallet": "0",
            "initialMargin": "125.00000000",
            "maintMargin": "0",
            "updateTime": 0,
        },
    ]
    assert views.account_v3(account_margin(AccountState(), market()), T)["positions"] == []


def test_a_price_move_moves_every_figure() -> None:
    lower = market(markPrices={"BTCUSDT": "85000"})
    document = views.account_v3(account_margin(seeded(), lower), T)
    # PnL 0.1 × (85000 − 80000) = 500; IM 8500 / 10 = 850; MM 8500 × 0.004 = 34; available
    # 1000 + 500 − 850 − 125 = 525.
    assert (document["totalUnrealizedProfit"], document["totalPositionInitialMargin"]) == (
        "500.00000000",
        "850.00000000",
    )
    assert (document["totalMaintMargin"], document["availableBalance"]) == (
        "34.00000000",
        "525.00000000",
    )
    assert document["positions"][0]["notional"] == "8500.00000000"


# -- account: Multi-Assets Mode ---------------------------------------------------------------


def test_multi_assets_mode_pools_in_usd_with_haircuts() -> None:
    margin = account_margin(seeded(multiAssetsMargin=True), market())
    document = views.account_v2(margin, T)
    # BTC held at its bid rate 90000 × 0.95 = 85500: 0.1 BTC is 8550 USD. Wallets
    # 1000 + 8550 = 9550; balances 2000 + 8550 = 10550; required at the ask rate 1:
    # 900 + 125 = 1025; available 10550 − 1025 = 9525, withdrawable min(9550, 9525).
    assert document["multiAssetsMargin"] is True
    assert (document["totalWalletBalance"], document["totalMarginBalance"]) == (
        "9550.00000000",
        "10550.00000000",
    )
    assert (document["totalCrossWalletBalance"], document["totalInitialMargin"]) == (
        "9550.00000000",
        "1025.00000000",
    )
    assert (document["availableBalance"], document["maxWithdrawAmount"]) == (
        "9525.00000000",
        "9525.00000000",
    )
    usdt, btc = by(document["assets"], asset="USDT"), by(document["assets"], asset="BTC")
    eth = by(document["assets"], asset="ETH")
    # Each asset shows the pool in its units, withdrawing at most its own cross wallet:
    # USDT 9525 / 1 (1000 of it); BTC 9525 / 94500 (the ask rate 90000 × 1.05) =
    # 0.10079365079… (0.1 of it); ETH 9525 / 3150 (3000 × 1.05) = 3.0238095238… (none).
    assert (usdt["availableBalance"], usdt["maxWithdrawAmount"]) == (
        "9525.00000000",
        "1000.00000000",
    )
    assert (btc["availableBalance"], btc["maxWithdrawAmount"]) == ("0.10079365", "0.10000000")
    assert (eth["availableBalance"], eth["maxWithdrawAmount"]) == ("3.02380952", "0.00000000")
    # The balances answer the same per-asset figures.
    rows = views.balances(margin, "SgsR", T)
    assert by(rows, asset="BTC")["availableBalance"] == "0.10079365"


def test_single_asset_totals_are_usdt_alone() -> None:
    # Only USDC: the totals (USDT's) are all zero, USDC's row has it all.
    state = AccountState.from_json({"balances": {"USDC": "500"}})
    document = views.account_v2(account_margin(state, market()), T)
    assert document["totalWalletBalance"] == document["availableBalance"] == "0.00000000"
    usdc = by(document["assets"], asset="USDC")
    assert (usdc["walletBalance"], usdc["availableBalance"], usdc["updateTime"]) == (
        "500.00000000",
        "500.00000000",
        T,
    )
    assert by(document["assets"], asset="USDT")["updateTime"] == 0


# -- hedge mode, isolated margin, credits mode ------------------------------------------------


def hedged() -> AccountState:
    """Hedge Mode: long 0.5 BTCUSDT from 80000, short 0.2 ETHUSDT from 3100 (both 20x)."""
    return AccountState.from_json(
        {
            "dualSidePosition": True,
            "balances": {"USDT": "10000"},
            "positions": [
                {
                    "symbol": "BTCUSDT",
                    "positionSide": "LONG",
                    "positionAmt": "0.5",
                    "entryPrice": "80000",
                },
                {
                    "symbol": "ETHUSDT",
                    "positionSide": "SHORT",
                    "positionAmt": "-0.2",
                    "entryPrice": "3100",
                },
            ],
        }
    )


def test_hedge_mode_has_a_long_and_a_short_row_per_symbol() -> None:
    margin = account_margin(hedged(), market())
    rows = views.position_risk_v2(margin, T)
    assert len(rows) == 2 * len(SYMBOLS)
    assert [(r["symbol"], r["positionSide"]) for r in rows[:2]] == [
        ("BTCUSDT", "LONG"),
        ("BTCUSDT", "SHORT"),
    ]
    # 0.5 × 90000 = 45000 notional, PnL 0.5 × 10000 = 5000; 20x: brackets 1 to 6.
    assert rows[0] == {
        "symbol": "BTCUSDT",
        "positionAmt": "0.500",
        "entryPrice": "80000.0",
        "breakEvenPrice": "80000.0",
        "markPrice": "90000.00000000",
        "unRealizedProfit": "5000.00000000",
        "liquidationPrice": "0",
        "leverage": "20",
        "maxNotionalValue": "100000000",
        "marginType": "cross",
        "isolatedMargin": "0.00000000",
        "isAutoAddMargin": "false",
        "positionSide": "LONG",
        "notional": "45000.00000000",
        "isolatedWallet": "0",
        "updateTime": T,
    }
    assert rows[1] == {
        "symbol": "BTCUSDT",
        "positionAmt": "0.000",
        "entryPrice": "0.00000",
        "breakEvenPrice": "0.0",
        "markPrice": "90000.00000000",
        "unRealizedProfit": "0.00000000",
        "liquidationPrice": "0",
        "leverage": "20",
        "maxNotionalValue": "100000000",
        "marginType": "cross",
        "isolatedMargin": "0.00000000",
        "isAutoAddMargin": "false",
        "positionSide": "SHORT",
        "notional": "0",
        "isolatedWallet": "0",
        "updateTime": 0,
    }
    # The short: −0.2 × 3000 = −600 notional (signed), PnL −0.2 × (3000 − 3100) = +20.
    short = by(views.position_risk_v3(margin, T), symbol="ETHUSDT")
    assert (short["positionSide"], short["positionAmt"], short["notional"]) == (
        "SHORT",
        "-0.200",
        "-600.00000000",
    )
    assert (short["unRealizedProfit"], short["initialMargin"]) == ("20.00000000", "30.00000000")
    # v3 lists the two open rows only; a symbol narrows either version.
    assert [(r["symbol"], r["positionSide"]) for r in views.position_risk_v3(margin, T)] == [
        ("BTCUSDT", "LONG"),
        ("ETHUSDT", "SHORT"),
    ]
    assert len(views.position_risk_v2(margin, T, "ETHUSDT")) == 2
    assert views.position_risk_v3(margin, T, "SOLUSDT") == []


def test_an_isolated_position_keeps_its_wallet_apart() -> None:
    state = seeded(
        marginTypes={"BTCUSDT": "ISOLATED"},
        positions=[
            {
                "symbol": "BTCUSDT",
                "positionAmt": "0.1",
                "entryPrice": "80000",
                "isolatedWallet": "500",
            }
        ],
        openOrders=[],
    )
    margin = account_margin(state, market())
    risk = views.position_risk_v3(margin, T)[0]
    # Isolated margin = its wallet 500 + its PnL 1000; IM 9000 / 10 = 900.
    assert risk == {
        "symbol": "BTCUSDT",
        "positionSide": "BOTH",
        "positionAmt": "0.100",
        "entryPrice": "80000.0",
        "breakEvenPrice": "80000.0",
        "markPrice": "90000.00000000",
        "unRealizedProfit": "1000.00000000",
        "liquidationPrice": "0",
        "isolatedMargin": "1500.00000000",
        "notional": "9000.00000000",
        "marginAsset": "USDT",
        "isolatedWallet": "500.00000000",
        "initialMargin": "900.00000000",
        "maintMargin": "36.00000000",
        "positionInitialMargin": "900.00000000",
        "openOrderInitialMargin": "0",
        "adl": 0,
        "bidNotional": "0",
        "askNotional": "0",
        "updateTime": T,
    }
    v2 = views.position_risk_v2(margin, T, "BTCUSDT")[0]
    assert (v2["marginType"], v2["isolatedMargin"], v2["isolatedWallet"]) == (
        "isolated",
        "1500.00000000",
        "500.00000000",
    )
    assert by(views.account_v2(margin, T)["positions"], symbol="BTCUSDT")["isolated"] is True
    # USDT: the wallet 1000 holds the 500; the cross wallet 1000 − 500 = 500, no cross PnL,
    # nothing cross to cover: 500 available; the PnL still counts in the margin balance.
    usdt = by(views.account_v2(margin, T)["assets"], asset="USDT")
    assert (usdt["walletBalance"], usdt["crossWalletBalance"], usdt["crossUnPnl"]) == (
        "1000.00000000",
        "500.00000000",
        "0.00000000",
    )
    assert (usdt["marginBalance"], usdt["availableBalance"], usdt["maxWithdrawAmount"]) == (
        "2000.00000000",
        "500.00000000",
        "500.00000000",
    )


def test_a_credits_account_lists_bnfcr_and_books_in_it() -> None:
    state = AccountState.from_json(
        {
            "multiAssetsMargin": True,
            "creditsMode": True,
            "balances": {"BNFCR": "1000"},
            "leverage": {"BTCUSDT": 10},
            "positions": [{"symbol": "BTCUSDT", "positionAmt": "0.1", "entryPrice": "80000"}],
        }
    )
    margin = account_margin(state, market())
    document = views.account_v2(margin, T)
    assert [asset["asset"] for asset in document["assets"]] == [*LISTED, "BNFCR"]
    # BNFCR (index 1, no haircut) books the PnL 1000 and the IM 900: available
    # 1000 + 1000 − 900 = 1100; USDT, held by none, books nothing.
    bnfcr = by(document["assets"], asset="BNFCR")
    assert (bnfcr["unrealizedProfit"], bnfcr["initialMargin"], bnfcr["availableBalance"]) == (
        "1000.00000000",
        "900.00000000",
        "1100.00000000",
    )
    assert (bnfcr["updateTime"], by(document["assets"], asset="USDT")["updateTime"]) == (T, 0)
    assert by(document["assets"], asset="USDT")["unrealizedProfit"] == "0.00000000"
    assert views.position_risk_v3(margin, T)[0]["marginAsset"] == "BNFCR"
    assert by(views.balances(margin, "SgsR", T), asset="BNFCR")["balance"] == "1000.00000000"


# -- balance ----------------------------------------------------------------------------------


def test_balances_are_a_row_per_listed_asset() -> None:
    rows = views.balances(account_margin(seeded(), market()), "SgsR", T)
    assert [row["asset"] for row in rows] == LISTED
    assert rows[0] == {
        "accountAlias": "SgsR",
        "asset": "USDT",
        "balance": "1000.00000000",
        "crossWalletBalance": "1000.00000000",
        "crossUnPnl": "1000.00000000",
        "availableBalance": "975.00000000",
        "maxWithdrawAmount": "975.00000000",
        "marginAvailable": True,
        "updateTime": T,
    }
    assert rows[2]["updateTime"] == 0  # BNB, not held


def test_the_account_alias_is_four_letters_from_the_names_sha256() -> None:
    # The rule: the first 4 bytes of SHA-256(name), each taken modulo 52 into A–Z a–z.
    letters = string.ascii_letters
    expected = "".join(letters[b % 52] for b in hashlib.sha256(b"demo").digest()[:4])
    assert views.account_alias("demo") == expected
    assert len(expected) == 4 and expected.isalpha()
    assert views.account_alias("demo") == views.account_alias("demo")
    assert views.account_alias("demo") != views.account_alias("other")


# -- open orders ------------------------------------------------------------------------------


def test_an_open_order_is_new_unfilled_and_dated_by_the_state() -> None:
    (order,) = views.open_orders(seeded(), T)
    assert order == {
        "avgPrice": "0.00000",
        "clientOrderId": "multiassets-7",
        "cumQuote": "0",
        "executedQty": "0",
        "orderId": 7,
        "origQty": "1.000",  # ETHUSDT: quantity precision 3
        "origType": "LIMIT",
        "price": "2500.00",  # price precision 2
        "reduceOnly": False,
        "side": "BUY",
        "positionSide": "BOTH",
        "status": "NEW",
        "stopPrice": "0",
        "closePosition": False,
        "symbol": "ETHUSDT",
        "time": T,
        "timeInForce": "GTC",
        "type": "LIMIT",
        "updateTime": T,
        "workingType": "CONTRACT_PRICE",
        "priceProtect": False,
        "priceMatch": "NONE",
        "selfTradePreventionMode": "NONE",
        "goodTillDate": 0,
    }


def orders() -> AccountState:
    return seeded(
        openOrders=[
            {"orderId": 9, "symbol": "BTCUSDT", "side": "SELL", "price": "95000", "origQty": "0.5"},
            {"orderId": 3, "symbol": "ETHUSDT", "side": "BUY", "price": "2500", "origQty": "1"},
            {
                "orderId": 5,
                "symbol": "BTCUSDT",
                "side": "SELL",
                "type": "TRAILING_STOP_MARKET",
                "price": "99000",
                "origQty": "0.1",
            },
        ]
    )


def test_open_orders_are_listed_by_order_id_and_narrowed_by_symbol() -> None:
    state = orders()
    assert [o["orderId"] for o in views.open_orders(state, T)] == [3, 5, 9]
    assert [o["orderId"] for o in views.open_orders(state, T, "BTCUSDT")] == [5, 9]
    assert views.open_orders(state, T, "SOLUSDT") == []
    trailing = views.open_orders(state, T, "BTCUSDT")[0]
    # A trailing stop has no price of its own; its activation price is the state's price.
    assert (trailing["type"], trailing["price"], trailing["activatePrice"]) == (
        "TRAILING_STOP_MARKET",
        "0",
        "99000.00",
    )
    assert list(trailing)[17:21] == ["type", "activatePrice", "priceRate", "updateTime"]
    assert "activatePrice" not in views.open_orders(state, T, "ETHUSDT")[0]


def test_an_open_order_is_found_by_its_id_or_client_id_on_its_symbol() -> None:
    state = orders()
    found = views.find_open_order(state, "BTCUSDT", 9, None)
    assert found is not None and found.order_id == 9
    by_client = views.find_open_order(state, "BTCUSDT", None, "multiassets-5")
    assert by_client is not None and by_client.order_id == 5
    # The orderId decides when both are sent; another symbol's order is not found.
    chosen = views.find_open_order(state, "BTCUSDT", 9, "multiassets-5")
    assert chosen is not None and chosen.order_id == 9
    assert views.find_open_order(state, "ETHUSDT", 9, None) is None
    assert views.find_open_order(state, "BTCUSDT", 4, None) is None
    assert views.find_open_order(state, "BTCUSDT", None, "multiassets-3") is None


# -- the market -------------------------------------------------------------------------------


def test_the_asset_index_rates_are_truncated_products_as_binance_shows_them() -> None:
    # Binance's own example: ADAUSD 1.92957370 with buffers 0.1 and 0.05:
    # × 0.9 = 1.736616330, × 1.1 = 2.122531070, × 0.95 = 1.8330950150, × 1.05 = 2.0260523850.
    ada_like = {
        "index": "1.92957370",
        "bidBuffer": "0.1",
        "askBuffer": "0.1",
        "autoExchangeBidBuffer": "0.05",
        "autoExchangeAskBuffer": "0.05",
    }
    document = mv.asset_index(market(assetIndex={"BNB": ada_like}), T, "BNB")
    assert document == {
        "symbol": "BNBUSD",
        "time": T,
        "index": "1.92957370",
        "bidBuffer": "0.10000000",
        "askBuffer": "0.10000000",
        "bidRate": "1.73661633",
        "askRate": "2.12253107",
        "autoExchangeBidBuffer": "0.05000000",
        "autoExchangeAskBuffer": "0.05000000",
        "autoExchangeBidRate": "1.83309501",
        "autoExchangeAskRate": "2.02605238",
    }
    # The default USDTUSD: 0.9999 × 0.9999 = 0.99980001 and 0.9999 × 1.0001 = 0.99999999.
    usdt = mv.asset_index(Market(), T, "USDT")
    assert isinstance(usdt, dict)
    assert (usdt["bidRate"], usdt["askRate"]) == ("0.99980001", "0.99999999")


def test_the_asset_index_without_a_symbol_is_every_asset_in_an_array() -> None:
    everything = mv.asset_index(Market(), T)
    assert isinstance(everything, list)
    assert [item["symbol"] for item in everything] == [f"{a.name}USD" for a in ASSETS]
    assert (mv.asset_index_asset("BTCUSD"), mv.asset_index_asset("BNFCRUSD")) == ("BTC", "BNFCR")
    for wrong in ("BTCUSDT", "BTC", "XYZUSD", "USD", "btcusd"):
        assert mv.asset_index_asset(wrong) is None


def test_the_mark_price_and_the_next_funding_time() -> None:
    # T / 28 800 000 (8 hours) = 59027.78: the next boundary is 59028 × 28 800 000.
    assert mv.next_funding_ms(T) == 1_700_006_400_000
    assert mv.next_funding_ms(1_700_006_400_000) == 1_700_035_200_000  # strictly after
    assert mv.premium_index(market(markPrices={"BTCUSDT": "95000.5"}), T, "BTCUSDT") == {
        "symbol": "BTCUSDT",
        "markPrice": "95000.50000000",
        "indexPrice": "95000.50000000",
        "estimatedSettlePrice": "95000.50000000",
        "lastFundingRate": "0.00010000",
        "interestRate": "0.00010000",
        "nextFundingTime": 1_700_006_400_000,
        "time": T,
    }
    everything = mv.premium_index(Market(), T)
    assert isinstance(everything, list)
    assert [item["symbol"] for item in everything] == [s.name for s in SYMBOLS]


def test_leverage_brackets_are_json_numbers() -> None:
    (btc,) = mv.leverage_brackets("BTCUSDT")  # one entry, in an array
    assert list(btc) == ["symbol", "brackets"] and btc["symbol"] == "BTCUSDT"
    # cum: 50000 × (0.005 − 0.004) = 50, then 50 + 600000 × (0.0065 − 0.005) = 950.
    assert btc["brackets"][:3] == [
        {
            "bracket": 1,
            "initialLeverage": 125,
            "notionalCap": 50000,
            "notionalFloor": 0,
            "maintMarginRatio": 0.004,
            "cum": 0.0,
        },
        {
            "bracket": 2,
            "initialLeverage": 100,
            "notionalCap": 600000,
            "notionalFloor": 50000,
            "maintMarginRatio": 0.005,
            "cum": 50.0,
        },
        {
            "bracket": 3,
            "initialLeverage": 75,
            "notionalCap": 3000000,
            "notionalFloor": 600000,
            "maintMarginRatio": 0.0065,
            "cum": 950.0,
        },
    ]
    first = btc["brackets"][0]
    assert [type(first[k]) for k in first] == [int, int, int, int, float, float]
    assert [entry["symbol"] for entry in mv.leverage_brackets()] == [s.name for s in SYMBOLS]


@pytest.mark.parametrize("pair", [None, "BTCUSDT"])
def test_the_spot_wallet_lists(pair: str | None) -> None:
    coins = mv.coins()
    assert [coin["coin"] for coin in coins] == LISTED  # BNFCR has no spot coin
    (network,) = coins[1]["networkList"]
    assert (network["coin"], network["network"], network["withdrawEnable"]) == (
        "BTC",
        "BTC",
        False,
    )
    pairs = mv.margin_pairs(pair)
    expected = [s.name for s in SYMBOLS] if pair is None else [pair]
    assert [p["symbol"] for p in pairs] == expected
    assert (pairs[0]["base"], pairs[0]["quote"], pairs[0]["isMarginTrade"]) == (
        "BTC",
        "USDT",
        True,
    )


# -- key order, as Binance's pages list the fields (binance-account.md §1–4) ------------------

V2_TOTALS = [
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
]
V3_ASSET = [
    "asset",
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
    "updateTime",
]
V2_ASSET = [*V3_ASSET[:-1], "marginAvailable", "updateTime"]
V2_ACCOUNT_POSITION = [
    "symbol",
    "initialMargin",
    "maintMargin",
    "unrealizedProfit",
    "positionInitialMargin",
    "openOrderInitialMargin",
    "leverage",
    "isolated",
    "entryPrice",
    "breakEvenPrice",
    "maxNotional",
    "bidNotional",
    "askNotional",
    "positionSide",
    "positionAmt",
    "updateTime",
]
V3_ACCOUNT_POSITION = [
    "symbol",
    "positionSide",
    "positionAmt",
    "unrealizedProfit",
    "isolatedMargin",
    "notional",
    "isolatedWallet",
    "initialMargin",
    "maintMargin",
    "updateTime",
]
BALANCE = [
    "accountAlias",
    "asset",
    "balance",
    "crossWalletBalance",
    "crossUnPnl",
    "availableBalance",
    "maxWithdrawAmount",
    "marginAvailable",
    "updateTime",
]
V3_RISK = [
    "symbol",
    "positionSide",
    "positionAmt",
    "entryPrice",
    "breakEvenPrice",
    "markPrice",
    "unRealizedProfit",
    "liquidationPrice",
    "isolatedMargin",
    "notional",
    "marginAsset",
    "isolatedWallet",
    "initialMargin",
    "maintMargin",
    "positionInitialMargin",
    "openOrderInitialMargin",
    "adl",
    "bidNotional",
    "askNotional",
    "updateTime",
]
V2_RISK = [
    "symbol",
    "positionAmt",
    "entryPrice",
    "breakEvenPrice",
    "markPrice",
    "unRealizedProfit",
    "liquidationPrice",
    "leverage",
    "maxNotionalValue",
    "marginType",
    "isolatedMargin",
    "isAutoAddMargin",
    "positionSide",
    "notional",
    "isolatedWallet",
    "updateTime",
]
ORDER = [
    "avgPrice",
    "clientOrderId",
    "cumQuote",
    "executedQty",
    "orderId",
    "origQty",
    "origType",
    "price",
    "reduceOnly",
    "side",
    "positionSide",
    "status",
    "stopPrice",
    "closePosition",
    "symbol",
    "time",
    "timeInForce",
    "type",
    "updateTime",
    "workingType",
    "priceProtect",
    "priceMatch",
    "selfTradePreventionMode",
    "goodTillDate",
]
V2_CONFIG = [
    "feeTier",
    "feeBurn",
    "canTrade",
    "canDeposit",
    "canWithdraw",
    "updateTime",
    "multiAssetsMargin",
    "tradeGroupId",
]


def test_every_document_lists_its_fields_in_binances_order() -> None:
    # The v2 account's order is the doc's (§1.1, breakEvenPrice after entryPrice as ccxt's live
    # sample has it); v2 positionRisk follows the hedge-mode example (§3), v3 its example.
    view = account_margin(seeded(), market())
    v2, v3 = views.account_v2(view, 7), views.account_v3(view, 7)
    assert list(v2) == [*V2_CONFIG, *V2_TOTALS, "assets", "positions"]
    assert list(v3) == [*V2_TOTALS, "assets", "positions"]
    assert {tuple(a) for a in v2["assets"]} == {tuple(V2_ASSET)}
    assert {tuple(a) for a in v3["assets"]} == {tuple(V3_ASSET)}
    assert {tuple(p) for p in v2["positions"]} == {tuple(V2_ACCOUNT_POSITION)}
    assert {tuple(p) for p in v3["positions"]} == {tuple(V3_ACCOUNT_POSITION)}
    assert {tuple(row) for row in views.balances(view, "SgsR", 7)} == {tuple(BALANCE)}
    assert {tuple(row) for row in views.position_risk_v2(view, 7)} == {tuple(V2_RISK)}
    assert {tuple(row) for row in views.position_risk_v3(view, 7)} == {tuple(V3_RISK)}
    plain = views.open_order(Order(1, "BTCUSDT", "BUY", Decimal(80000), Decimal(1)), 7)
    assert list(plain) == ORDER


def test_a_triggered_market_order_shows_its_trigger_as_stop_price() -> None:
    stop = Order(2, "BTCUSDT", "SELL", Decimal("85000"), Decimal("0.01"), "STOP_MARKET")
    document = views.open_order(stop, 7)
    assert (document["price"], document["stopPrice"], document["type"]) == (
        "0",
        "85000.00",
        "STOP_MARKET",
    )
