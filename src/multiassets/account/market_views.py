"""The market's read views, as Binance answers them: ``GET /fapi/v1/assetIndex``,
``/fapi/v1/premiumIndex`` and ``/fapi/v1/leverageBracket``, and the two spot-wallet lists
ccxt reads while it loads its markets (``GET /sapi/v1/capital/config/getall`` and
``/sapi/v1/margin/allPairs``). Pure: the catalogue (:mod:`multiassets.market`) and the
market's prices (``prices.py``) in, JSON documents out.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..market import ASSETS, SYMBOLS, SYMBOLS_BY_NAME, Bracket, Symbol
from .prices import AssetIndex, Market
from .views import money

__all__ = [
    "ASSET_INDEX_QUOTE",
    "FUNDING_INTERVAL_MS",
    "asset_index",
    "asset_index_asset",
    "coins",
    "leverage_brackets",
    "margin_pair_symbols",
    "margin_pairs",
    "next_funding_ms",
    "premium_index",
]

JSON = dict[str, Any]

#: An asset index's symbol is the asset's name and this (``BTCUSD``, ``USDTUSD``).
ASSET_INDEX_QUOTE = "USD"
#: Funding every 8 hours, at 00:00, 08:00 and 16:00 UTC (the epoch is at 00:00 UTC).
FUNDING_INTERVAL_MS = 8 * 3600 * 1000
#: What ``premiumIndex`` shows for the rates the emulator does not model: Binance's base
#: interest rate, and a funding rate at the usual 0.01 % per 8 hours.
FUNDING_RATE = "0.00010000"
INTEREST_RATE = "0.00010000"


# -- asset index ----------------------------------------------------------------------------


def asset_index_asset(symbol: str) -> str | None:
    """The asset of an asset-index symbol (``"BTCUSD"`` → ``"BTC"``); None if none."""
    if not symbol.endswith(ASSET_INDEX_QUOTE):
        return None
    asset = symbol.removesuffix(ASSET_INDEX_QUOTE)
    return asset if any(known.name == asset for known in ASSETS) else None


def _index(asset: str, index: AssetIndex, now_ms: int) -> JSON:
    return {
        "symbol": asset + ASSET_INDEX_QUOTE,
        "time": now_ms,
        "index": money(index.index),
        "bidBuffer": money(index.bid_buffer),
        "askBuffer": money(index.ask_buffer),
        "bidRate": money(index.bid_rate),
        "askRate": money(index.ask_rate),
        "autoExchangeBidBuffer": money(index.auto_exchange_bid_buffer),
        "autoExchangeAskBuffer": money(index.auto_exchange_ask_buffer),
        "autoExchangeBidRate": money(index.auto_exchange_bid_rate),
        "autoExchangeAskRate": money(index.auto_exchange_ask_rate),
    }


def asset_index(market: Market, now_ms: int, asset: str | None = None) -> JSON | list[JSON]:
    """``GET /fapi/v1/assetIndex``: the object of ``asset``, or every asset's in an array."""
    if asset is not None:
        return _index(asset, market.asset_index[asset], now_ms)
    return [_index(a.name, market.asset_index[a.name], now_ms) for a in ASSETS]


# -- mark price -----------------------------------------------------------------------------


def next_funding_ms(now_ms: int) -> int:
    """The next funding time strictly after ``now_ms``: the next 00:00, 08:00 or 16:00 UTC."""
    return (now_ms // FUNDING_INTERVAL_MS + 1) * FUNDING_INTERVAL_MS


def _premium(symbol: str, mark: Decimal, now_ms: int) -> JSON:
    price = money(mark)
    return {
        "symbol": symbol,
        "markPrice": price,
        "indexPrice": price,
        "estimatedSettlePrice": price,
        "lastFundingRate": FUNDING_RATE,
        "interestRate": INTEREST_RATE,
        "nextFundingTime": next_funding_ms(now_ms),
        "time": now_ms,
    }


def premium_index(market: Market, now_ms: int, symbol: str | None = None) -> JSON | list[JSON]:
    """``GET /fapi/v1/premiumIndex``: the object of ``symbol``, or every symbol's in an array.
    The index (and settlement) price is the mark price: the emulator has one price."""
    if symbol is not None:
        return _premium(symbol, market.mark_prices[symbol], now_ms)
    return [_premium(s.name, market.mark_prices[s.name], now_ms) for s in SYMBOLS]


# -- leverage brackets ----------------------------------------------------------------------


def _number(value: Decimal) -> int | float:
    """A JSON number as Binance writes the bracket's: an integer where it is one."""
    return int(value) if value == value.to_integral_value() else float(value)


def _bracket(bracket: Bracket) -> JSON:
    return {
        "bracket": bracket.bracket,
        "initialLeverage": bracket.initial_leverage,
        "notionalCap": _number(bracket.notional_cap),
        "notionalFloor": _number(bracket.notional_floor),
        "maintMarginRatio": float(bracket.maint_margin_ratio),
        "cum": float(bracket.cum),
    }


def _symbol_brackets(symbol: Symbol) -> JSON:
    # notionalCoef "only appears when user's symbol bracket is adjusted": never here.
    return {"symbol": symbol.name, "brackets": [_bracket(b) for b in symbol.brackets]}


def leverage_brackets(symbol: str | None = None) -> list[JSON]:
    """``GET /fapi/v1/leverageBracket``: an array, of one entry when a symbol is named
    (what the live server answers; PARITY.md)."""
    if symbol is not None:
        return [_symbol_brackets(SYMBOLS_BY_NAME[symbol])]
    return [_symbol_brackets(s) for s in SYMBOLS]


# -- the spot wallet's lists (for ccxt's load_markets) --------------------------------------

#: Each coin's name and the one network the list shows for it (deposits and withdrawals are
#: not emulated: every network is shown suspended, as Binance shows one under maintenance).
_COINS: dict[str, tuple[str, str, str]] = {
    "USDT": ("TetherUS", "BSC", "BNB Smart Chain (BEP20)"),
    "BTC": ("Bitcoin", "BTC", "Bitcoin"),
    "BNB": ("BNB", "BSC", "BNB Smart Chain (BEP20)"),
    "ETH": ("Ethereum", "ETH", "Ethereum (ERC20)"),
    "USDC": ("USDC", "BSC", "BNB Smart Chain (BEP20)"),
    "FDUSD": ("First Digital USD", "BSC", "BNB Smart Chain (BEP20)"),
    "BFUSD": ("BFUSD", "BSC", "BNB Smart Chain (BEP20)"),
}
_DEPOSIT_SUSPENDED = "Wallet Maintenance, Deposit Suspended"
_WITHDRAW_SUSPENDED = "Wallet Maintenance, Withdrawal Suspended"


def _network(coin: str, network: str, name: str) -> JSON:
    return {
        "network": network,
        "coin": coin,
        "withdrawIntegerMultiple": "0.00000001",
        "isDefault": True,
        "depositEnable": False,
        "withdrawEnable": False,
        "depositDesc": _DEPOSIT_SUSPENDED,
        "withdrawDesc": _WITHDRAW_SUSPENDED,
        "specialTips": "",
        "specialWithdrawTips": "",
        "name": name,
        "resetAddressStatus": False,
        "addressRegex": "",
        "memoRegex": "",
        "withdrawFee": "0",
        "withdrawMin": "0",
        "withdrawMax": "0",
        "minConfirm": 0,
        "unLockConfirm": 0,
        "sameAddress": False,
        "estimatedArrivalTime": 0,
        "busy": False,
    }


def coins() -> list[JSON]:
    """``GET /sapi/v1/capital/config/getall``: the catalogue's coins (BNFCR, a futures credit,
    has no spot coin), an empty spot wallet, deposits and withdrawals suspended."""
    return [
        {
            "coin": coin,
            "depositAllEnable": False,
            "withdrawAllEnable": False,
            "name": name,
            "free": "0",
            "locked": "0",
            "freeze": "0",
            "withdrawing": "0",
            "ipoing": "0",
            "ipoable": "0",
            "storage": "0",
            "isLegalMoney": False,
            "trading": True,
            "networkList": [_network(coin, network, network_name)],
        }
        for coin, (name, network, network_name) in (
            (asset.name, _COINS[asset.name]) for asset in ASSETS if asset.name in _COINS
        )
    ]


#: Cross-margin pairs' ids are Binance's internal numbers; ours are stable, one per pair.
_PAIR_ID_BASE = 351637150141315861


def _pairs() -> list[JSON]:
    return [
        {
            "base": symbol.base,
            "id": _PAIR_ID_BASE + number,
            "isBuyAllowed": True,
            "isMarginTrade": True,
            "isSellAllowed": True,
            "quote": symbol.quote,
            "symbol": symbol.name,
        }
        for number, symbol in enumerate(SYMBOLS)
    ]


def margin_pairs(symbol: str | None = None) -> list[JSON]:
    """``GET /sapi/v1/margin/allPairs``: a spot cross-margin pair per contract's base and
    quote (all of them, or the one named)."""
    return [pair for pair in _pairs() if symbol is None or pair["symbol"] == symbol]


def margin_pair_symbols() -> frozenset[str]:
    return frozenset(pair["symbol"] for pair in _pairs())
