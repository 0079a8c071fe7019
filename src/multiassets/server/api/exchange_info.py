"""``GET /fapi/v1/exchangeInfo``: the rate limiters in force, margin assets and symbols."""

from __future__ import annotations

from typing import Any

import orjson

from ...account.model import ORDER_TYPES
from ...market import ASSETS, SYMBOLS, Symbol

__all__ = ["ExchangeInfo"]

_PERPETUAL_DELIVERY_MS = 4133404800000
_TIME_IN_FORCE = ["GTC", "IOC", "FOK", "GTX", "GTD"]


def _symbol(symbol: Symbol) -> dict[str, Any]:
    return {
        "symbol": symbol.name,
        "pair": symbol.name,
        "contractType": "PERPETUAL",
        "deliveryDate": _PERPETUAL_DELIVERY_MS,
        "onboardDate": symbol.onboard_ms,
        "status": "TRADING",
        "maintMarginPercent": symbol.maint_margin_percent,
        "requiredMarginPercent": symbol.required_margin_percent,
        "baseAsset": symbol.base,
        "quoteAsset": symbol.quote,
        "marginAsset": symbol.margin_asset,
        "pricePrecision": symbol.price_precision,
        "quantityPrecision": symbol.quantity_precision,
        "baseAssetPrecision": 8,
        "quotePrecision": 8,
        "underlyingType": "COIN",
        "underlyingSubType": [],
        "settlePlan": 0,
        "triggerProtect": "0.0500",
        "liquidationFee": "0.012500",
        "marketTakeBound": "0.05",
        "maxMoveOrderLimit": 10000,
        "filters": [
            {
                "filterType": "PRICE_FILTER",
                "minPrice": symbol.tick_size,
                "maxPrice": "4529764",
                "tickSize": symbol.tick_size,
            },
            {
                "filterType": "LOT_SIZE",
                "minQty": symbol.min_qty,
                "maxQty": symbol.max_qty,
                "stepSize": symbol.step_size,
            },
            {
                "filterType": "MARKET_LOT_SIZE",
                "minQty": symbol.min_qty,
                "maxQty": symbol.max_qty,
                "stepSize": symbol.step_size,
            },
            {"filterType": "MAX_NUM_ORDERS", "limit": 200},
            {"filterType": "MAX_NUM_ALGO_ORDERS", "limit": 10},
            {"filterType": "MIN_NOTIONAL", "notional": symbol.min_notional},
            {
                "filterType": "PERCENT_PRICE",
                "multiplierUp": "1.0500",
                "multiplierDown": "0.9500",
                "multiplierDecimal": "4",
            },
        ],
        "orderTypes": list(ORDER_TYPES),
        "timeInForce": _TIME_IN_FORCE,
        "permissionSet": ["GRID", "COPY"],
    }


class ExchangeInfo:
    """The document, built once; only ``serverTime`` changes between requests."""

    def __init__(self, weight_limit: int, order_limit_1m: int, order_limit_10s: int) -> None:
        self.rate_limits = [
            {
                "rateLimitType": "REQUEST_WEIGHT",
                "interval": "MINUTE",
                "intervalNum": 1,
                "limit": weight_limit,
            },
            {
                "rateLimitType": "ORDERS",
                "interval": "MINUTE",
                "intervalNum": 1,
                "limit": order_limit_1m,
            },
            {
                "rateLimitType": "ORDERS",
                "interval": "SECOND",
                "intervalNum": 10,
                "limit": order_limit_10s,
            },
        ]
        self._document: dict[str, Any] = {
            "timezone": "UTC",
            "serverTime": 0,
            "futuresType": "U_MARGINED",
            "rateLimits": self.rate_limits,
            "exchangeFilters": [],
            "assets": [
                {
                    "asset": asset.name,
                    "marginAvailable": asset.margin_available,
                    "autoAssetExchange": asset.auto_asset_exchange,
                }
                for asset in ASSETS
            ],
            "symbols": [_symbol(symbol) for symbol in SYMBOLS],
        }

    def render(self, now_ms: int) -> bytes:
        self._document["serverTime"] = now_ms
        return orjson.dumps(self._document)
