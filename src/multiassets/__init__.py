"""multiassets: Binance USDⓈ-M Futures' Multi-Assets Mode, as a client and a faithful server.

    import multiassets

    with multiassets.Client(api_key=..., api_secret=...) as client:
        client.ensure_mode(True)

Importing this package imports neither the server nor aiohttp (until an AsyncClient is made).
"""

from __future__ import annotations

from ._async_client import AsyncClient
from ._client import Client
from ._config import DEMO_URL, PRODUCTION_URL
from ._events import AccountConfigUpdate, ListenKeyExpired, StreamEvent
from ._exceptions import (
    AccountRuleError,
    AdminError,
    AuthError,
    BinanceError,
    ConfigurationError,
    IPBanned,
    MultiassetsError,
    RateLimitError,
    RequestError,
    ServerError,
    SignatureError,
    Timeout,
    TimestampError,
    TransportError,
    UnknownStatus,
)
from ._version import __version__

__all__ = [
    "DEMO_URL",
    "PRODUCTION_URL",
    "AccountConfigUpdate",
    "AccountRuleError",
    "AdminError",
    "AsyncClient",
    "AuthError",
    "BinanceError",
    "Client",
    "ConfigurationError",
    "IPBanned",
    "ListenKeyExpired",
    "MultiassetsError",
    "RateLimitError",
    "RequestError",
    "ServerError",
    "SignatureError",
    "StreamEvent",
    "Timeout",
    "TimestampError",
    "TransportError",
    "UnknownStatus",
    "__version__",
]
