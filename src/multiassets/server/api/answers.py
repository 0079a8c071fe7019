"""The JSON Schemas of the endpoints' answers on success, as the OpenAPI document shows them
(each handler names its own in its declaration, ``handlers.py``)."""

from __future__ import annotations

from ..openapi.schemas import (
    BOOLEAN,
    EMPTY,
    INTEGER,
    JSON,
    LONG,
    MARGIN_TYPE,
    NULLABLE_STRING,
    STRING,
    SYMBOL,
    array,
    obj,
)

__all__ = [
    "ACCOUNT_CONFIG",
    "EMPTY",
    "EXCHANGE_INFO",
    "LISTEN_KEY",
    "MODE",
    "SERVER_TIME",
    "SUCCESS",
    "SYMBOL_CONFIGS",
]

SUCCESS = obj({"code": {"const": 200}, "msg": {"const": "success"}})
LISTEN_KEY = obj({"listenKey": STRING})
MODE = obj({"multiAssetsMargin": BOOLEAN})
SERVER_TIME = obj({"serverTime": LONG})

_RATE_LIMIT = {"rateLimitType": {"enum": ["REQUEST_WEIGHT", "ORDERS"]}, "intervalNum": INTEGER}
_RATE_LIMIT |= {"interval": {"enum": ["MINUTE", "SECOND"]}, "limit": INTEGER}
EXCHANGE_INFO = obj(
    {
        "timezone": {"const": "UTC"},
        "serverTime": LONG,
        "futuresType": {"const": "U_MARGINED"},
        "rateLimits": array(obj(_RATE_LIMIT)),
        "exchangeFilters": array({}),
        "assets": array(
            obj({"asset": STRING, "marginAvailable": BOOLEAN, "autoAssetExchange": NULLABLE_STRING})
        ),
        "symbols": array(
            {
                "type": "object",
                "required": ["symbol", "status", "marginAsset", "filters"],
                "properties": {"symbol": SYMBOL, "marginAsset": STRING, "filters": array({})},
            }
        ),
    }
)

_ACCOUNT_CONFIG: JSON = dict.fromkeys(
    ("canTrade", "canDeposit", "canWithdraw", "dualSidePosition"), BOOLEAN
)
_ACCOUNT_CONFIG |= {
    "feeTier": INTEGER,
    "updateTime": LONG,
    "multiAssetsMargin": BOOLEAN,
    "tradeGroupId": INTEGER,
}
ACCOUNT_CONFIG = obj(_ACCOUNT_CONFIG)

_SYMBOL_CONFIG = {"symbol": SYMBOL, "marginType": MARGIN_TYPE, "leverage": INTEGER}
_SYMBOL_CONFIG |= {"isAutoAddMargin": {"enum": ["true", "false"]}, "maxNotionalValue": STRING}
SYMBOL_CONFIGS = array(obj(_SYMBOL_CONFIG))
