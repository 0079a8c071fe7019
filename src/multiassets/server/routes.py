"""Routing: each endpoint of the table (``protocol/endpoints.py``) paired with its handler."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..protocol.endpoints import ENDPOINTS, Endpoint
from . import handlers

if TYPE_CHECKING:
    from .checks import Call
    from .state import ServerState

__all__ = ["ROUTES", "Route"]

Handler = Callable[["ServerState", "Call"], Awaitable[bytes]]

_HANDLERS: dict[tuple[str, str], Handler] = {
    ("GET", "/fapi/v1/ping"): handlers.ping,
    ("GET", "/fapi/v1/time"): handlers.server_time,
    ("GET", "/fapi/v1/exchangeInfo"): handlers.exchange_info,
    ("GET", "/fapi/v1/multiAssetsMargin"): handlers.multi_assets_margin,
    ("POST", "/fapi/v1/multiAssetsMargin"): handlers.change_multi_assets_margin,
    ("GET", "/fapi/v1/accountConfig"): handlers.account_config,
    ("GET", "/fapi/v1/symbolConfig"): handlers.symbol_config,
    ("POST", "/fapi/v1/marginType"): handlers.change_margin_type,
    ("POST", "/fapi/v1/listenKey"): handlers.open_listen_key,
    ("PUT", "/fapi/v1/listenKey"): handlers.keepalive_listen_key,
    ("DELETE", "/fapi/v1/listenKey"): handlers.close_listen_key,
    ("GET", "/api/v3/ping"): handlers.ping,
    ("GET", "/api/v3/time"): handlers.server_time,
}


@dataclass(frozen=True, slots=True)
class Route:
    endpoint: Endpoint
    handler: Handler


#: path -> method -> route
ROUTES: dict[str, dict[str, Route]] = {}
for _endpoint in ENDPOINTS:
    _route = Route(_endpoint, _HANDLERS[(_endpoint.method, _endpoint.path)])
    ROUTES.setdefault(_endpoint.path, {})[_endpoint.method] = _route
assert len(_HANDLERS) == len(ENDPOINTS), "a handler without an endpoint in the table"
