"""The account's read views, as Binance's USDⓈ-M Futures answers them: ``GET /fapi/v2|v3/account``,
``/fapi/v2|v3/balance``, ``/fapi/v2|v3/positionRisk`` and the open order object of
``/fapi/v1/openOrder(s)``. Pure: each turns the account's margin (``margin.py``) and what the
account knows of itself (when its state last changed, its name) into the JSON document,
field names, order and types as Binance's pages give them. No HTTP, no database.

Amounts are formatted here, once (PARITY.md, "Account views and position mode"):

- money (wallets, margins, PnL, balances, notionals): 8 decimals, truncated toward zero;
  a zero is spelled as Binance's examples spell that field (``"0"`` or ``"0.00000000"``);
- ``positionAmt``: the symbol's quantity precision (more digits if the state holds more);
- ``entryPrice``/``breakEvenPrice`` of an open position: the state's value, trailing zeros
  cut, at least one decimal (``"22185.2"``, ``"95000.0"``); of a flat row ``"0.00000"`` and
  ``"0.0"``; ``markPrice`` 8 decimals.
"""

from __future__ import annotations

import hashlib
import string
from decimal import ROUND_DOWN, Context, Decimal
from typing import Any

from ..market import SYMBOLS_BY_NAME
from .margin import AccountMargin, AssetMargin, PositionMargin, Totals
from .model import AccountState, Order

__all__ = [
    "ALIAS_LENGTH",
    "account_alias",
    "account_v2",
    "account_v3",
    "balances",
    "client_order_id",
    "entry_price",
    "find_open_order",
    "money",
    "open_order",
    "open_orders",
    "position_risk_v2",
    "position_risk_v3",
    "quantity",
]

JSON = dict[str, Any]

_EIGHT = Decimal("1e-8")
# Wide enough for any product of an amount and a price (model.py's and prices.py's bounds),
# so that quantizing never runs out of digits.
_WIDE = Context(prec=200)
#: How Binance's examples spell a zero: most money fields, and the position fields it writes
#: as a bare ``"0"``.
ZERO_8 = "0.00000000"
ZERO = "0"
#: A flat row's prices, as every example shows them.
FLAT_ENTRY = "0.00000"
FLAT_BREAK_EVEN = "0.0"
#: Binance's ``accountAlias`` ("SgsR"): letters, this many.
ALIAS_LENGTH = 4
_ALIAS_LETTERS = string.ascii_letters


def money(amount: Decimal, zero: str = ZERO_8) -> str:
    """8 decimals, truncated toward zero; ``zero`` when that leaves nothing (never ``-0``)."""
    shown = amount.quantize(_EIGHT, rounding=ROUND_DOWN, context=_WIDE)
    return zero if shown == 0 else format(shown, "f")


def _places(amount: Decimal, places: int) -> str:
    """``amount`` with at least ``places`` decimals, more where its own (trailing zeros cut)
    go further: nothing the state holds is hidden."""
    exponent = amount.normalize(context=_WIDE).as_tuple().exponent
    own = -exponent if isinstance(exponent, int) else 0
    if own <= places:
        return format(amount.quantize(Decimal(1).scaleb(-places), context=_WIDE), "f")
    return format(amount.normalize(context=_WIDE), "f")


def quantity(symbol: str, amount: Decimal) -> str:
    """A quantity at the symbol's quantity precision (``"1.000"``, ``"-0.500"``, ``"30"``)."""
    return _places(amount, SYMBOLS_BY_NAME[symbol].quantity_precision)


def entry_price(price: Decimal, flat: str = FLAT_ENTRY) -> str:
    """An open position's price: the state's value, trailing zeros cut, one decimal at least
    (``"22185.2"``, ``"95000.0"``); ``flat`` for a row without a position."""
    if price == 0:
        return flat
    text = format(price.normalize(context=_WIDE), "f")
    return text if "." in text else f"{text}.0"


def _plain(amount: Decimal) -> str:
    """An integral figure without decimals (``"250000"``)."""
    return format(amount.normalize(context=_WIDE), "f")


def _update_time(row: PositionMargin, updated_ms: int) -> int:
    return updated_ms if row.position_amt != 0 else 0


# -- account --------------------------------------------------------------------------------


def _totals(totals: Totals) -> JSON:
    return {
        "totalInitialMargin": money(totals.total_initial_margin),
        "totalMaintMargin": money(totals.total_maint_margin),
        "totalWalletBalance": money(totals.total_wallet_balance),
        "totalUnrealizedProfit": money(totals.total_unrealized_profit),
        "totalMarginBalance": money(totals.total_margin_balance),
        "totalPositionInitialMargin": money(totals.total_position_initial_margin),
        "totalOpenOrderInitialMargin": money(totals.total_open_order_initial_margin),
        "totalCrossWalletBalance": money(totals.total_cross_wallet_balance),
        "totalCrossUnPnl": money(totals.total_cross_un_pnl),
        "availableBalance": money(totals.available_balance),
        "maxWithdrawAmount": money(totals.max_withdraw_amount),
    }


def _asset(asset: AssetMargin, updated_ms: int, margin_available: bool) -> JSON:
    document: JSON = {
        "asset": asset.asset,
        "walletBalance": money(asset.wallet_balance),
        "unrealizedProfit": money(asset.unrealized_profit),
        "marginBalance": money(asset.margin_balance),
        "maintMargin": money(asset.maint_margin),
        "initialMargin": money(asset.initial_margin),
        "positionInitialMargin": money(asset.position_initial_margin),
        "openOrderInitialMargin": money(asset.open_order_initial_margin),
        "crossWalletBalance": money(asset.cross_wallet_balance),
        "crossUnPnl": money(asset.cross_un_pnl),
        "availableBalance": money(asset.available_balance),
        "maxWithdrawAmount": money(asset.max_withdraw_amount),
    }
    if margin_available:  # v2 only
        document["marginAvailable"] = asset.margin_available
    document["updateTime"] = updated_ms if asset.funded else 0
    return document


def _position_v2(row: PositionMargin, updated_ms: int) -> JSON:
    amount = row.position_amt
    return {
        "symbol": row.symbol,
        "initialMargin": money(row.initial_margin, ZERO),
        "maintMargin": money(row.maint_margin, ZERO),
        "unrealizedProfit": money(row.unrealized_profit),
        "positionInitialMargin": money(row.position_initial_margin, ZERO),
        "openOrderInitialMargin": money(row.open_order_initial_margin, ZERO),
        "leverage": str(row.leverage),
        "isolated": row.isolated,
        "entryPrice": entry_price(row.entry_price),
        "breakEvenPrice": entry_price(row.entry_price, FLAT_BREAK_EVEN),
        "maxNotional": _plain(row.max_notional),
        "bidNotional": ZERO,
        "askNotional": ZERO,
        "positionSide": row.position_side,
        "positionAmt": quantity(row.symbol, amount) if amount else ZERO,
        "updateTime": _update_time(row, updated_ms),
    }


def _position_v3(row: PositionMargin, updated_ms: int) -> JSON:
    return {
        "symbol": row.symbol,
        "positionSide": row.position_side,
        "positionAmt": quantity(row.symbol, row.position_amt),
        "unrealizedProfit": money(row.unrealized_profit),
        "isolatedMargin": money(row.isolated_margin),
        "notional": money(row.notional, ZERO),
        "isolatedWallet": money(row.isolated_wallet, ZERO),
        "initialMargin": money(row.initial_margin, ZERO),
        "maintMargin": money(row.maint_margin, ZERO),
        "updateTime": _update_time(row, updated_ms),
    }


def account_v2(margin: AccountMargin, updated_ms: int) -> JSON:
    """``GET /fapi/v2/account``: the configuration, the totals, every listed asset (with
    ``marginAvailable``) and a row per symbol and side of the position mode."""
    return {
        "feeTier": 0,
        "feeBurn": True,
        "canTrade": True,
        "canDeposit": True,
        "canWithdraw": True,
        "updateTime": 0,
        "multiAssetsMargin": margin.multi_assets_margin,
        "tradeGroupId": -1,
        **_totals(margin.totals),
        "assets": [_asset(asset, updated_ms, True) for asset in margin.assets],
        "positions": [_position_v2(row, updated_ms) for row in margin.rows],
    }


def account_v3(margin: AccountMargin, updated_ms: int) -> JSON:
    """``GET /fapi/v3/account``: no configuration, assets without ``marginAvailable``, the
    10-field rows of symbols with a position or an open order only."""
    return {
        **_totals(margin.totals),
        "assets": [_asset(asset, updated_ms, False) for asset in margin.assets],
        "positions": [_position_v3(row, updated_ms) for row in margin.rows if row.active],
    }


# -- balance --------------------------------------------------------------------------------


def account_alias(name: str) -> str:
    """A stable ``accountAlias`` for an account: 4 letters from the SHA-256 of its name."""
    digest = hashlib.sha256(name.encode()).digest()
    return "".join(_ALIAS_LETTERS[byte % len(_ALIAS_LETTERS)] for byte in digest[:ALIAS_LENGTH])


def balances(margin: AccountMargin, alias: str, updated_ms: int) -> list[JSON]:
    """``GET /fapi/v2/balance`` and ``/fapi/v3/balance`` (the same document): a row per
    listed asset."""
    return [
        {
            "accountAlias": alias,
            "asset": asset.asset,
            "balance": money(asset.wallet_balance),
            "crossWalletBalance": money(asset.cross_wallet_balance),
            "crossUnPnl": money(asset.cross_un_pnl),
            "availableBalance": money(asset.available_balance),
            "maxWithdrawAmount": money(asset.max_withdraw_amount),
            "marginAvailable": asset.margin_available,
            "updateTime": updated_ms if asset.funded else 0,
        }
        for asset in margin.assets
    ]


# -- position risk --------------------------------------------------------------------------


def _risk_v2(row: PositionMargin, updated_ms: int) -> JSON:
    return {
        "symbol": row.symbol,
        "positionAmt": quantity(row.symbol, row.position_amt),
        "entryPrice": entry_price(row.entry_price),
        "breakEvenPrice": entry_price(row.entry_price, FLAT_BREAK_EVEN),
        "markPrice": money(row.mark_price),
        "unRealizedProfit": money(row.unrealized_profit),
        "liquidationPrice": ZERO,
        "leverage": str(row.leverage),
        "maxNotionalValue": _plain(row.max_notional),
        "marginType": "isolated" if row.isolated else "cross",
        "isolatedMargin": money(row.isolated_margin),
        "isAutoAddMargin": "false",
        "positionSide": row.position_side,
        "notional": money(row.notional, ZERO),
        "isolatedWallet": money(row.isolated_wallet, ZERO),
        "updateTime": _update_time(row, updated_ms),
    }


def _risk_v3(row: PositionMargin, updated_ms: int) -> JSON:
    return {
        "symbol": row.symbol,
        "positionSide": row.position_side,
        "positionAmt": quantity(row.symbol, row.position_amt),
        "entryPrice": entry_price(row.entry_price),
        "breakEvenPrice": entry_price(row.entry_price, FLAT_BREAK_EVEN),
        "markPrice": money(row.mark_price),
        "unRealizedProfit": money(row.unrealized_profit),
        "liquidationPrice": ZERO,
        "isolatedMargin": money(row.isolated_margin, ZERO),
        "notional": money(row.notional, ZERO),
        "marginAsset": row.margin_asset,
        "isolatedWallet": money(row.isolated_wallet, ZERO),
        "initialMargin": money(row.initial_margin, ZERO),
        "maintMargin": money(row.maint_margin, ZERO),
        "positionInitialMargin": money(row.position_initial_margin, ZERO),
        "openOrderInitialMargin": money(row.open_order_initial_margin, ZERO),
        "adl": 0,
        "bidNotional": ZERO,
        "askNotional": ZERO,
        "updateTime": _update_time(row, updated_ms),
    }


def position_risk_v2(
    margin: AccountMargin, updated_ms: int, symbol: str | None = None
) -> list[JSON]:
    """``GET /fapi/v2/positionRisk``: every symbol's rows (or the one named)."""
    return [
        _risk_v2(row, updated_ms) for row in margin.rows if symbol is None or row.symbol == symbol
    ]


def position_risk_v3(
    margin: AccountMargin, updated_ms: int, symbol: str | None = None
) -> list[JSON]:
    """``GET /fapi/v3/positionRisk``: the rows with a position or an open order only."""
    return [
        _risk_v3(row, updated_ms)
        for row in margin.rows
        if row.active and (symbol is None or row.symbol == symbol)
    ]


# -- open orders ----------------------------------------------------------------------------

#: Order types whose price is a trigger and whose order carries no limit price.
_TRAILING = "TRAILING_STOP_MARKET"
#: Order types whose one price in the state is their trigger (``stopPrice``): no limit price.
_TRIGGERED = ("STOP_MARKET", "TAKE_PROFIT_MARKET")


def client_order_id(order_id: int) -> str:
    """The ``clientOrderId`` of an order the state names only by its ``orderId``."""
    return f"multiassets-{order_id}"


def _price(symbol: str, price: Decimal) -> str:
    return _places(price, SYMBOLS_BY_NAME[symbol].price_precision) if price else ZERO


def open_order(order: Order, updated_ms: int) -> JSON:
    """One open order as ``GET /fapi/v1/openOrder`` shows it: NEW, nothing filled."""
    document: JSON = {
        "avgPrice": FLAT_ENTRY,
        "clientOrderId": client_order_id(order.order_id),
        "cumQuote": ZERO,
        "executedQty": ZERO,
        "orderId": order.order_id,
        "origQty": quantity(order.symbol, order.orig_qty),
        "origType": order.type,
        "price": ZERO
        if order.type == _TRAILING or order.type in _TRIGGERED
        else _price(order.symbol, order.price),
        "reduceOnly": False,
        "side": order.side,
        "positionSide": order.position_side,
        "status": "NEW",
        "stopPrice": _price(order.symbol, order.price) if order.type in _TRIGGERED else ZERO,
        "closePosition": False,
        "symbol": order.symbol,
        "time": updated_ms,
        "timeInForce": "GTC",
        "type": order.type,
    }
    if order.type == _TRAILING:
        document["activatePrice"] = _price(order.symbol, order.price)
        document["priceRate"] = "1"
    document |= {
        "updateTime": updated_ms,
        "workingType": "CONTRACT_PRICE",
        "priceProtect": False,
        "priceMatch": "NONE",
        "selfTradePreventionMode": "NONE",
        "goodTillDate": 0,
    }
    return document


def open_orders(state: AccountState, updated_ms: int, symbol: str | None = None) -> list[JSON]:
    """``GET /fapi/v1/openOrders``: the account's open orders (of ``symbol``), by orderId."""
    chosen = [o for o in state.open_orders if symbol is None or o.symbol == symbol]
    return [open_order(order, updated_ms) for order in sorted(chosen, key=lambda o: o.order_id)]


def find_open_order(
    state: AccountState, symbol: str, order_id: int | None, client_id: str | None
) -> Order | None:
    """The open order of ``symbol`` with ``order_id`` (if given, it decides) or else
    ``client_id``; None if there is none."""
    for order in state.open_orders:
        if order.symbol != symbol:
            continue
        if order_id is not None:
            if order.order_id == order_id:
                return order
        elif client_order_id(order.order_id) == client_id:
            return order
    return None
