"""The endpoints: every Binance path we serve, each declared once with its wire facts — method,
path, security type, weight (a function of the parameters where Binance's is) and the
parameters it reads, typed.

The client reads the weights to stay under the limit and the parameters to send; the server
binds each endpoint to its handler, its answer and its refusals (``server/api/handlers.py``), and
routes, checks, reads parameters and writes its OpenAPI document from the two.
"""

from __future__ import annotations

from collections.abc import Container, Mapping
from dataclasses import dataclass, replace
from enum import Enum
from typing import Literal

from .errors import INVALID_PARAM, MANDATORY_PARAM, ApiError
from .limits import RECV_WINDOW_MS

__all__ = [
    "ACCOUNT_CONFIG",
    "ACCOUNT_V2",
    "ACCOUNT_V3",
    "ASSET_INDEX",
    "ASSET_PAIR",
    "BALANCE_V2",
    "BALANCE_V3",
    "CHANGE_MARGIN_TYPE",
    "CHANGE_MODE",
    "CHANGE_POSITION_MODE",
    "CLOSE_LISTEN_KEY",
    "COINS",
    "DUAL_SIDE_POSITION",
    "ENDPOINTS",
    "EXCHANGE_INFO",
    "GET_MODE",
    "GET_POSITION_MODE",
    "KEEPALIVE_LISTEN_KEY",
    "LEVERAGE_BRACKET",
    "MARGIN_PAIRS",
    "MARGIN_PAIR",
    "MARGIN_TYPE",
    "MULTI_ASSETS_MARGIN",
    "OPEN_LISTEN_KEY",
    "OPEN_ORDER",
    "OPEN_ORDERS",
    "ORDER_ID",
    "ORIG_CLIENT_ORDER_ID",
    "PING",
    "POSITION_RISK_V2",
    "POSITION_RISK_V3",
    "PREMIUM_INDEX",
    "RECV_WINDOW",
    "SESSION_LOGON",
    "SESSION_LOGOUT",
    "SESSION_STATUS",
    "SIGNATURE",
    "SIGNED_PARAMS",
    "SPOT_PING",
    "SPOT_TIME",
    "SYMBOL",
    "SYMBOL_CONFIG",
    "TIME",
    "TIMESTAMP",
    "Endpoint",
    "Param",
    "Security",
    "WeightByParam",
    "lookup",
]


class Security(Enum):
    """Binance's endpoint security types (General Info, "Endpoint Security Type")."""

    NONE = "NONE"
    MARKET_DATA = "MARKET_DATA"
    USER_STREAM = "USER_STREAM"
    USER_DATA = "USER_DATA"
    TRADE = "TRADE"

    @property
    def needs_key(self) -> bool:
        return self is not Security.NONE

    @property
    def signed(self) -> bool:
        return self in (Security.USER_DATA, Security.TRADE)


#: How a parameter's value is read: one of ``choices`` in any letter case, a symbol of the
#: exchange (which symbols is the server's to say), a Java long, or any text.
ParamKind = Literal["choice", "symbol", "long", "text"]


@dataclass(frozen=True, slots=True)
class Param:
    """A parameter as Binance reads it."""

    name: str
    description: str
    kind: ParamKind = "text"
    required: bool = True
    #: For a ``choice``: the values as Binance documents them, matched in any letter case.
    choices: tuple[str, ...] = ()
    #: For a ``long``: the value used when none is sent, and whether it must be above 0.
    default: int | None = None
    positive: bool = False

    def optional(self) -> Param:
        return replace(self, required=False)

    def read(self, params: Mapping[str, str]) -> str | None:
        """The value sent (a choice as declared); for an optional one, None if it was not
        sent and "" if it was sent empty (what the endpoint makes of that is its own).

        Missing (or empty, when required) ``-1102``; not one of the choices ``-1130``.
        """
        value = params.get(self.name)
        if not value:
            if self.required:
                raise ApiError(MANDATORY_PARAM, param=self.name)
            return value
        if self.choices:
            upper = value.upper()
            for choice in self.choices:
                if choice.upper() == upper:
                    return choice
            raise ApiError(INVALID_PARAM, param=self.name)
        return value


@dataclass(frozen=True, slots=True)
class WeightByParam:
    """A weight that depends on whether one parameter is sent (Binance: ``openOrders`` weighs
    1 with ``symbol`` and 40 without)."""

    param: str
    with_param: int
    without: int


@dataclass(frozen=True, slots=True)
class Endpoint:
    method: str
    path: str
    security: Security
    weight: int | WeightByParam
    #: The parameters the endpoint reads, in the order they are read, beyond
    #: :data:`SIGNED_PARAMS`.
    params: tuple[Param, ...] = ()

    def weight_for(self, sent: Container[str]) -> int:
        """The weight of a request that sends the parameters named in ``sent``."""
        weight = self.weight
        if isinstance(weight, int):
            return weight
        return weight.with_param if weight.param in sent else weight.without


# -- parameters -------------------------------------------------------------------------------

RECV_WINDOW = Param(
    "recvWindow",
    "Milliseconds after timestamp the request stays valid (fapi sets no upper bound).",
    "long",
    required=False,
    default=RECV_WINDOW_MS,
    positive=True,
)
TIMESTAMP = Param(
    "timestamp", "Milliseconds since the epoch: under now + 1000, within recvWindow.", "long"
)
SIGNATURE = Param(
    "signature",
    "Last part of its source. Hex HMAC-SHA256 of the query string followed by the form "
    "body, as sent; base64 RSA (PKCS#1 v1.5, SHA-256) or Ed25519 for a key registered by "
    "its public key.",
)
#: What every signed request sends besides the endpoint's own parameters, in this order.
SIGNED_PARAMS = (RECV_WINDOW, TIMESTAMP, SIGNATURE)

MULTI_ASSETS_MARGIN = Param(
    "multiAssetsMargin",
    '"true": Multi-Assets Mode, "false": Single-Asset Mode; any letter case.',
    "choice",
    choices=("true", "false"),
)
SYMBOL = Param("symbol", "A symbol of this server's exchangeInfo; another one: -1121.", "symbol")
MARGIN_TYPE = Param(
    "marginType",
    "ISOLATED or CROSSED; any letter case.",
    "choice",
    choices=("ISOLATED", "CROSSED"),
)
DUAL_SIDE_POSITION = Param(
    "dualSidePosition",
    '"true": Hedge Mode, "false": One-way Mode; any letter case.',
    "choice",
    choices=("true", "false"),
)
ORDER_ID = Param(
    "orderId",
    "The order's id (a LONG); this or origClientOrderId, and it decides when both are sent.",
    "long",
    required=False,
)
ORIG_CLIENT_ORDER_ID = Param(
    "origClientOrderId",
    "The order's clientOrderId; this or orderId.",
    required=False,
)
ASSET_PAIR = Param(
    "symbol",
    "An asset pair: a margin asset and USD (BTCUSD, USDTUSD); another one: -1121.",
    required=False,
)
MARGIN_PAIR = Param("symbol", "A cross-margin pair (BTCUSDT); another one: -1121.", required=False)

# -- endpoints --------------------------------------------------------------------------------

_NONE, _STREAM = Security.NONE, Security.USER_STREAM
_DATA, _TRADE = Security.USER_DATA, Security.TRADE
_SOME_SYMBOL = (SYMBOL.optional(),)

PING = Endpoint("GET", "/fapi/v1/ping", _NONE, 1)
TIME = Endpoint("GET", "/fapi/v1/time", _NONE, 1)
EXCHANGE_INFO = Endpoint("GET", "/fapi/v1/exchangeInfo", _NONE, 1)
GET_MODE = Endpoint("GET", "/fapi/v1/multiAssetsMargin", _DATA, 30)
CHANGE_MODE = Endpoint("POST", "/fapi/v1/multiAssetsMargin", _TRADE, 1, (MULTI_ASSETS_MARGIN,))
ACCOUNT_CONFIG = Endpoint("GET", "/fapi/v1/accountConfig", _DATA, 5)
SYMBOL_CONFIG = Endpoint("GET", "/fapi/v1/symbolConfig", _DATA, 5, (SYMBOL.optional(),))
CHANGE_MARGIN_TYPE = Endpoint("POST", "/fapi/v1/marginType", _TRADE, 1, (SYMBOL, MARGIN_TYPE))
OPEN_LISTEN_KEY = Endpoint("POST", "/fapi/v1/listenKey", _STREAM, 1)
KEEPALIVE_LISTEN_KEY = Endpoint("PUT", "/fapi/v1/listenKey", _STREAM, 1)
CLOSE_LISTEN_KEY = Endpoint("DELETE", "/fapi/v1/listenKey", _STREAM, 1)
# Spot twins: python-binance's constructors call them on the same host.
SPOT_PING = Endpoint("GET", "/api/v3/ping", _NONE, 1)
SPOT_TIME = Endpoint("GET", "/api/v3/time", _NONE, 1)
# The account's read views. v2 account, balance and positionRisk weigh 5 as their pages say
# (the change log's 10 is not confirmed: PARITY.md).
ACCOUNT_V2 = Endpoint("GET", "/fapi/v2/account", _DATA, 5)
ACCOUNT_V3 = Endpoint("GET", "/fapi/v3/account", _DATA, 5)
BALANCE_V2 = Endpoint("GET", "/fapi/v2/balance", _DATA, 5)
BALANCE_V3 = Endpoint("GET", "/fapi/v3/balance", _DATA, 5)
POSITION_RISK_V2 = Endpoint("GET", "/fapi/v2/positionRisk", _DATA, 5, _SOME_SYMBOL)
POSITION_RISK_V3 = Endpoint("GET", "/fapi/v3/positionRisk", _DATA, 5, _SOME_SYMBOL)
OPEN_ORDERS = Endpoint(
    "GET", "/fapi/v1/openOrders", _DATA, WeightByParam("symbol", 1, 40), _SOME_SYMBOL
)
OPEN_ORDER = Endpoint(
    "GET", "/fapi/v1/openOrder", _DATA, 1, (SYMBOL, ORDER_ID, ORIG_CLIENT_ORDER_ID)
)
LEVERAGE_BRACKET = Endpoint("GET", "/fapi/v1/leverageBracket", _DATA, 1, _SOME_SYMBOL)
GET_POSITION_MODE = Endpoint("GET", "/fapi/v1/positionSide/dual", _DATA, 30)
CHANGE_POSITION_MODE = Endpoint(
    "POST", "/fapi/v1/positionSide/dual", _TRADE, 1, (DUAL_SIDE_POSITION,)
)
ASSET_INDEX = Endpoint(
    "GET", "/fapi/v1/assetIndex", _NONE, WeightByParam("symbol", 1, 10), (ASSET_PAIR,)
)
PREMIUM_INDEX = Endpoint(
    "GET", "/fapi/v1/premiumIndex", _NONE, WeightByParam("symbol", 1, 10), _SOME_SYMBOL
)
# The WebSocket API's own methods (binance-account.md §8.5): no REST twin, so their "path" is
# the method's name.
SESSION_STATUS = Endpoint("WS", "session.status", Security.NONE, 2)
SESSION_LOGON = Endpoint("WS", "session.logon", _DATA, 2)
SESSION_LOGOUT = Endpoint("WS", "session.logout", Security.NONE, 2)
# The spot wallet's lists ccxt reads in load_markets() when it has keys.
COINS = Endpoint("GET", "/sapi/v1/capital/config/getall", _DATA, 10)
MARGIN_PAIRS = Endpoint("GET", "/sapi/v1/margin/allPairs", Security.MARKET_DATA, 1, (MARGIN_PAIR,))

ENDPOINTS: tuple[Endpoint, ...] = (
    PING,
    TIME,
    EXCHANGE_INFO,
    GET_MODE,
    CHANGE_MODE,
    ACCOUNT_CONFIG,
    SYMBOL_CONFIG,
    CHANGE_MARGIN_TYPE,
    OPEN_LISTEN_KEY,
    KEEPALIVE_LISTEN_KEY,
    CLOSE_LISTEN_KEY,
    SPOT_PING,
    SPOT_TIME,
    ACCOUNT_V2,
    ACCOUNT_V3,
    BALANCE_V2,
    BALANCE_V3,
    POSITION_RISK_V2,
    POSITION_RISK_V3,
    OPEN_ORDERS,
    OPEN_ORDER,
    LEVERAGE_BRACKET,
    GET_POSITION_MODE,
    CHANGE_POSITION_MODE,
    ASSET_INDEX,
    PREMIUM_INDEX,
    COINS,
    MARGIN_PAIRS,
)

_BY_ROUTE = {(endpoint.method, endpoint.path): endpoint for endpoint in ENDPOINTS}
if len(_BY_ROUTE) != len(ENDPOINTS):
    raise RuntimeError("two endpoints share a method and path")


def lookup(method: str, path: str) -> Endpoint:
    """The endpoint served at ``method path``; KeyError if there is none."""
    return _BY_ROUTE[(method, path)]
