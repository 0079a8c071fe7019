"""The market an account is valued at: a mark price per symbol and an asset index per margin
asset, as ``GET /fapi/v1/premiumIndex`` and ``GET /fapi/v1/assetIndex`` show them. The
catalogue (:mod:`multiassets.market`) gives the defaults; the control plane moves them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from ..market import ASSETS, ASSETS_BY_NAME, SYMBOLS, SYMBOLS_BY_NAME

__all__ = ["INDEX_FIELDS", "PRICE_PATTERN", "AssetIndex", "Market", "MarketError"]

#: A price or a buffer in a market document: a positive decimal string (a buffer may be 0),
#: at most 12 digits before the point and 8 after it.
PRICE_PATTERN = r"^[0-9]{1,12}(\.[0-9]{1,8})?$"
_PRICE = re.compile(PRICE_PATTERN)
#: An asset index's fields in a market document, and which ones are buffers (below 1).
INDEX_FIELDS = ("index", "bidBuffer", "askBuffer", "autoExchangeBidBuffer", "autoExchangeAskBuffer")
_ONE = Decimal(1)


class MarketError(ValueError):
    """A market document that does not describe prices."""


@dataclass(frozen=True, slots=True)
class AssetIndex:
    """An asset's USD index price and the haircuts around it. The rates are exact products
    (``index × (1 ∓ buffer)``); a view rounds them when it shows them."""

    index: Decimal
    bid_buffer: Decimal
    ask_buffer: Decimal
    auto_exchange_bid_buffer: Decimal
    auto_exchange_ask_buffer: Decimal

    @property
    def bid_rate(self) -> Decimal:
        """What one unit of the asset is worth as collateral, in USD."""
        return self.index * (_ONE - self.bid_buffer)

    @property
    def ask_rate(self) -> Decimal:
        """What one unit owed or required in the asset weighs, in USD."""
        return self.index * (_ONE + self.ask_buffer)

    @property
    def auto_exchange_bid_rate(self) -> Decimal:
        return self.index * (_ONE - self.auto_exchange_bid_buffer)

    @property
    def auto_exchange_ask_rate(self) -> Decimal:
        return self.index * (_ONE + self.auto_exchange_ask_buffer)

    def value(self, amount: Decimal) -> Decimal:
        """``amount`` of the asset in USD: held at the bid rate, owed at the ask rate."""
        return amount * (self.bid_rate if amount >= 0 else self.ask_rate)

    def to_json(self) -> dict[str, str]:
        values = (
            self.index,
            self.bid_buffer,
            self.ask_buffer,
            self.auto_exchange_bid_buffer,
            self.auto_exchange_ask_buffer,
        )
        return {name: format(value, "f") for name, value in zip(INDEX_FIELDS, values, strict=True)}


def _default_index() -> dict[str, AssetIndex]:
    return {
        asset.name: AssetIndex(
            asset.index_price,
            asset.buffer,
            asset.buffer,
            asset.auto_exchange_buffer,
            asset.auto_exchange_buffer,
        )
        for asset in ASSETS
    }


def _default_marks() -> dict[str, Decimal]:
    return {symbol.name: symbol.mark_price for symbol in SYMBOLS}


@dataclass(slots=True)
class Market:
    """Mark prices by symbol and asset indexes by asset; every symbol and asset has one."""

    mark_prices: dict[str, Decimal] = field(default_factory=_default_marks)
    asset_index: dict[str, AssetIndex] = field(default_factory=_default_index)

    def to_json(self) -> dict[str, Any]:
        return {
            "markPrices": {name: format(price, "f") for name, price in self.mark_prices.items()},
            "assetIndex": {name: index.to_json() for name, index in self.asset_index.items()},
        }

    def patched(self, document: Any) -> Market:
        """A copy with the prices ``document`` gives (``{"markPrices": {symbol: price},
        "assetIndex": {asset: {field: value}}}``, any part left out stays)."""
        document = _object(document, "the market", ("markPrices", "assetIndex"))
        marks = dict(self.mark_prices)
        for symbol, price in _object(document.get("markPrices", {}), "markPrices").items():
            if symbol not in SYMBOLS_BY_NAME:
                raise MarketError(f"markPrices: unknown symbol {symbol!r}")
            marks[symbol] = _price(price, f"the mark price of {symbol}", positive=True)
        indexes = dict(self.asset_index)
        for asset, fields in _object(document.get("assetIndex", {}), "assetIndex").items():
            if asset not in ASSETS_BY_NAME:
                raise MarketError(f"assetIndex: unknown asset {asset!r}")
            indexes[asset] = _index(indexes[asset], _object(fields, asset, INDEX_FIELDS), asset)
        return Market(marks, indexes)

    @classmethod
    def from_json(cls, document: Any) -> Market:
        return cls().patched(document)


def _object(value: Any, what: str, fields: tuple[str, ...] | None = None) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise MarketError(f"{what} must be an object")
    unknown = sorted(set(value) - set(fields)) if fields is not None else []
    if unknown:
        raise MarketError(f"unknown fields in {what}: {', '.join(unknown)[:200]}")
    return value


def _price(value: Any, what: str, *, positive: bool) -> Decimal:
    if not isinstance(value, str) or _PRICE.fullmatch(value) is None:
        raise MarketError(
            f'{what} must be a decimal string such as "1.5" (at most 12 digits before the'
            f" point and 8 after it), got {str(value)[:60]!r}"
        )
    price = Decimal(value)
    if positive and price == 0:
        raise MarketError(f"{what} must be above 0")
    if not positive and price >= 1:
        raise MarketError(f"{what} must be below 1")
    return price


def _index(current: AssetIndex, fields: dict[str, Any], asset: str) -> AssetIndex:
    changes: dict[str, Decimal] = {}
    for name, attribute in zip(INDEX_FIELDS, AssetIndex.__slots__, strict=True):
        if name in fields:
            what = f"{asset}'s {name}"
            changes[attribute] = _price(fields[name], what, positive=name == "index")
    return replace(current, **changes)
