"""The endpoint table: every path the server answers, with its security type and weight.

Routing, weights and the OpenAPI description all come from :data:`ENDPOINTS`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

from . import handlers

if TYPE_CHECKING:
    from .checks import Call
    from .state import ServerState

__all__ = ["ENDPOINTS", "ROUTES", "Endpoint", "Security"]


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


Handler = Callable[["ServerState", "Call"], Awaitable[bytes]]


@dataclass(frozen=True, slots=True)
class Endpoint:
    method: str
    path: str
    security: Security
    weight: int
    handler: Handler
    #: Parameters the endpoint reads, beyond timestamp, recvWindow and signature.
    params: tuple[str, ...] = ()


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("GET", "/fapi/v1/ping", Security.NONE, 1, handlers.ping),
    Endpoint("GET", "/fapi/v1/time", Security.NONE, 1, handlers.server_time),
    Endpoint("GET", "/fapi/v1/exchangeInfo", Security.NONE, 1, handlers.exchange_info),
    Endpoint(
        "GET", "/fapi/v1/multiAssetsMargin", Security.USER_DATA, 30, handlers.multi_assets_margin
    ),
    Endpoint(
        "POST",
        "/fapi/v1/multiAssetsMargin",
        Security.TRADE,
        1,
        handlers.change_multi_assets_margin,
        ("multiAssetsMargin",),
    ),
    Endpoint("GET", "/fapi/v1/accountConfig", Security.USER_DATA, 5, handlers.account_config),
    Endpoint(
        "GET", "/fapi/v1/symbolConfig", Security.USER_DATA, 5, handlers.symbol_config, ("symbol",)
    ),
    Endpoint(
        "POST",
        "/fapi/v1/marginType",
        Security.TRADE,
        1,
        handlers.change_margin_type,
        ("symbol", "marginType"),
    ),
    # Spot twins: python-binance's constructors call them on the same host.
    Endpoint("GET", "/api/v3/ping", Security.NONE, 1, handlers.ping),
    Endpoint("GET", "/api/v3/time", Security.NONE, 1, handlers.server_time),
)

#: path -> method -> endpoint
ROUTES: dict[str, dict[str, Endpoint]] = {}
for _endpoint in ENDPOINTS:
    ROUTES.setdefault(_endpoint.path, {})[_endpoint.method] = _endpoint
