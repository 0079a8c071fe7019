"""The endpoint table: every Binance path we serve, with its security type and weight.

The server routes by it and charges its weights; the client reads the weights from it to stay
under the limit. (The server pairs each entry with a handler in ``server/routes.py``.)
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

__all__ = ["ENDPOINTS", "Endpoint", "Security", "lookup"]


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


@dataclass(frozen=True, slots=True)
class Endpoint:
    method: str
    path: str
    security: Security
    weight: int
    #: Parameters the endpoint reads, beyond timestamp, recvWindow and signature.
    params: tuple[str, ...] = ()


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("GET", "/fapi/v1/ping", Security.NONE, 1),
    Endpoint("GET", "/fapi/v1/time", Security.NONE, 1),
    Endpoint("GET", "/fapi/v1/exchangeInfo", Security.NONE, 1),
    Endpoint("GET", "/fapi/v1/multiAssetsMargin", Security.USER_DATA, 30),
    Endpoint("POST", "/fapi/v1/multiAssetsMargin", Security.TRADE, 1, ("multiAssetsMargin",)),
    Endpoint("GET", "/fapi/v1/accountConfig", Security.USER_DATA, 5),
    Endpoint("GET", "/fapi/v1/symbolConfig", Security.USER_DATA, 5, ("symbol",)),
    Endpoint("POST", "/fapi/v1/marginType", Security.TRADE, 1, ("symbol", "marginType")),
    Endpoint("POST", "/fapi/v1/listenKey", Security.USER_STREAM, 1),
    Endpoint("PUT", "/fapi/v1/listenKey", Security.USER_STREAM, 1),
    Endpoint("DELETE", "/fapi/v1/listenKey", Security.USER_STREAM, 1),
    # Spot twins: python-binance's constructors call them on the same host.
    Endpoint("GET", "/api/v3/ping", Security.NONE, 1),
    Endpoint("GET", "/api/v3/time", Security.NONE, 1),
)

_BY_ROUTE = {(endpoint.method, endpoint.path): endpoint for endpoint in ENDPOINTS}


def lookup(method: str, path: str) -> Endpoint:
    """The endpoint served at ``method path``; KeyError if there is none."""
    return _BY_ROUTE[(method, path)]
