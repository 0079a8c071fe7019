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
    "ACCOUNT_V2",
    "ACCOUNT_V3",
    "ASSET_INDEX",
    "BALANCES",
    "COINS",
    "EMPTY",
    "EXCHANGE_INFO",
    "LEVERAGE_BRACKETS",
    "LISTEN_KEY",
    "MARGIN_PAIRS",
    "MODE",
    "OPEN_ORDER",
    "OPEN_ORDERS",
    "POSITION_MODE",
    "POSITION_RISK_V2",
    "POSITION_RISK_V3",
    "PREMIUM_INDEX",
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

# -- the account's read views (account/views.py, account/market_views.py) --------------------

#: An amount as Binance writes it: a decimal string, never an exponent.
DECIMAL: JSON = {"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]+)?$"}
POSITION_SIDE: JSON = {"enum": ["BOTH", "LONG", "SHORT"]}
NUMBER: JSON = {"type": "number"}


def _decimals(*names: str) -> JSON:
    return dict.fromkeys(names, DECIMAL)


_TOTALS = _decimals(
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
_ASSET: JSON = {
    "asset": STRING,
    **_decimals(
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
    ),
    "updateTime": LONG,
}
_POSITION_V2: JSON = {
    "symbol": SYMBOL,
    **_decimals("initialMargin", "maintMargin", "unrealizedProfit"),
    **_decimals("positionInitialMargin", "openOrderInitialMargin"),
    "leverage": DECIMAL,
    "isolated": BOOLEAN,
    **_decimals("entryPrice", "breakEvenPrice", "maxNotional", "bidNotional", "askNotional"),
    "positionSide": POSITION_SIDE,
    "positionAmt": DECIMAL,
    "updateTime": LONG,
}
_POSITION_V3: JSON = {
    "symbol": SYMBOL,
    "positionSide": POSITION_SIDE,
    **_decimals("positionAmt", "unrealizedProfit", "isolatedMargin", "notional"),
    **_decimals("isolatedWallet", "initialMargin", "maintMargin"),
    "updateTime": LONG,
}
_CONFIG: JSON = {"feeTier": INTEGER, "feeBurn": BOOLEAN}
_CONFIG |= dict.fromkeys(("canTrade", "canDeposit", "canWithdraw"), BOOLEAN)
_CONFIG |= {"updateTime": LONG, "multiAssetsMargin": BOOLEAN, "tradeGroupId": INTEGER}
ACCOUNT_V2 = obj(
    {
        **_CONFIG,
        **_TOTALS,
        "assets": array(obj({**_ASSET, "marginAvailable": BOOLEAN})),
        "positions": array(obj(_POSITION_V2)),
    }
)
ACCOUNT_V3 = obj({**_TOTALS, "assets": array(obj(_ASSET)), "positions": array(obj(_POSITION_V3))})
BALANCES = array(
    obj(
        {
            "accountAlias": {"type": "string", "pattern": "^[A-Za-z]{4}$"},
            "asset": STRING,
            **_decimals("balance", "crossWalletBalance", "crossUnPnl", "availableBalance"),
            "maxWithdrawAmount": DECIMAL,
            "marginAvailable": BOOLEAN,
            "updateTime": LONG,
        }
    )
)
_RISK_COMMON: JSON = {
    "symbol": SYMBOL,
    "positionSide": POSITION_SIDE,
    **_decimals("positionAmt", "entryPrice", "breakEvenPrice", "markPrice"),
    **_decimals("unRealizedProfit", "liquidationPrice", "isolatedMargin", "notional"),
    "isolatedWallet": DECIMAL,
    "updateTime": LONG,
}
POSITION_RISK_V2 = array(
    obj(
        {
            **_RISK_COMMON,
            "leverage": DECIMAL,
            "maxNotionalValue": DECIMAL,
            "marginType": {"enum": ["cross", "isolated"]},
            "isAutoAddMargin": {"enum": ["true", "false"]},
        }
    )
)
POSITION_RISK_V3 = array(
    obj(
        {
            **_RISK_COMMON,
            "marginAsset": STRING,
            **_decimals("initialMargin", "maintMargin", "positionInitialMargin"),
            **_decimals("openOrderInitialMargin", "bidNotional", "askNotional"),
            "adl": INTEGER,
        }
    )
)
OPEN_ORDER = obj(
    {
        **_decimals("avgPrice", "cumQuote", "executedQty", "origQty", "price", "stopPrice"),
        "clientOrderId": STRING,
        "orderId": LONG,
        "origType": STRING,
        "type": STRING,
        "reduceOnly": BOOLEAN,
        "side": {"enum": ["BUY", "SELL"]},
        "positionSide": POSITION_SIDE,
        "status": {"const": "NEW"},
        "closePosition": BOOLEAN,
        "symbol": SYMBOL,
        "time": LONG,
        "timeInForce": {"const": "GTC"},
        **_decimals("activatePrice", "priceRate"),
        "updateTime": LONG,
        "workingType": {"enum": ["MARK_PRICE", "CONTRACT_PRICE"]},
        "priceProtect": BOOLEAN,
        "priceMatch": STRING,
        "selfTradePreventionMode": STRING,
        "goodTillDate": LONG,
    },
    ("activatePrice", "priceRate"),
)
OPEN_ORDERS = array(OPEN_ORDER)
_BRACKET = obj(
    {
        "bracket": INTEGER,
        "initialLeverage": INTEGER,
        "notionalCap": NUMBER,
        "notionalFloor": NUMBER,
        "maintMarginRatio": NUMBER,
        "cum": NUMBER,
    }
)
LEVERAGE_BRACKETS = array(obj({"symbol": SYMBOL, "brackets": array(_BRACKET)}))
POSITION_MODE = obj({"dualSidePosition": BOOLEAN})


def _one_or_all(item: JSON) -> JSON:
    """The object asked for (a symbol sent), or every one in an array (none sent)."""
    return {**item, "type": ["object", "array"], "items": item}


_INDEX: JSON = {"symbol": {"type": "string", "pattern": "^[A-Z]+USD$"}, "time": LONG}
_INDEX |= _decimals("index", "bidBuffer", "askBuffer", "bidRate", "askRate")
_INDEX |= _decimals("autoExchangeBidBuffer", "autoExchangeAskBuffer")
_INDEX |= _decimals("autoExchangeBidRate", "autoExchangeAskRate")
ASSET_INDEX = _one_or_all(obj(_INDEX))
_PREMIUM: JSON = {"symbol": SYMBOL}
_PREMIUM |= _decimals("markPrice", "indexPrice", "estimatedSettlePrice")
_PREMIUM |= _decimals("lastFundingRate", "interestRate")
_PREMIUM |= {"nextFundingTime": LONG, "time": LONG}
PREMIUM_INDEX = _one_or_all(obj(_PREMIUM))

_NETWORK: JSON = {"network": STRING, "coin": STRING, "withdrawIntegerMultiple": DECIMAL}
_NETWORK |= dict.fromkeys(("isDefault", "depositEnable", "withdrawEnable"), BOOLEAN)
_NETWORK |= dict.fromkeys(("depositDesc", "withdrawDesc", "specialTips"), STRING)
_NETWORK |= dict.fromkeys(("specialWithdrawTips", "name"), STRING)
_NETWORK |= {"resetAddressStatus": BOOLEAN, "addressRegex": STRING, "memoRegex": STRING}
_NETWORK |= _decimals("withdrawFee", "withdrawMin", "withdrawMax")
_NETWORK |= {"minConfirm": INTEGER, "unLockConfirm": INTEGER, "sameAddress": BOOLEAN}
_NETWORK |= {"estimatedArrivalTime": INTEGER, "busy": BOOLEAN}
_COIN: JSON = {"coin": STRING, "depositAllEnable": BOOLEAN, "withdrawAllEnable": BOOLEAN}
_COIN |= {"name": STRING}
_COIN |= _decimals("free", "locked", "freeze", "withdrawing", "ipoing", "ipoable", "storage")
_COIN |= {"isLegalMoney": BOOLEAN, "trading": BOOLEAN, "networkList": array(obj(_NETWORK))}
COINS = array(obj(_COIN))
_PAIR: JSON = {"base": STRING, "id": LONG, "quote": STRING, "symbol": STRING}
_PAIR |= dict.fromkeys(("isBuyAllowed", "isMarginTrade", "isSellAllowed"), BOOLEAN)
MARGIN_PAIRS = array(obj(_PAIR))
