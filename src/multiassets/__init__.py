"""multiassets: Binance USDⓈ-M Futures' Multi-Assets Mode, as a client and a faithful server.

    import multiassets

    with multiassets.Client(api_key=..., api_secret=...) as client:
        client.ensure_mode(True)

``import multiassets`` imports nothing but this file: each name below is imported the first
time it is used (PEP 562), so a script that only makes a ``Client`` never loads aiohttp,
asyncio or the server, and one that only reads ``__version__`` loads nothing at all
(``bench/import_time.py`` measures it).
"""

from __future__ import annotations

from ._version import __version__

# Not typing's: importing typing costs ~15 ms here. Type checkers take any TYPE_CHECKING as true.
TYPE_CHECKING = False
if TYPE_CHECKING:  # what type checkers and IDEs see; at run time, __getattr__ below
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

#: Where each public name lives, for __getattr__.
_HOMES = {
    "AsyncClient": "_async_client",
    "Client": "_client",
    "DEMO_URL": "_config",
    "PRODUCTION_URL": "_config",
    "AccountConfigUpdate": "_events",
    "ListenKeyExpired": "_events",
    "StreamEvent": "_events",
}
# Every other public name is an exception class.
_HOMES.update(
    (name, "_exceptions") for name in __all__ if name not in _HOMES and name != "__version__"
)


# Defined for the interpreter only: a type checker that saw a module __getattr__ would let any
# misspelt name through.
if not TYPE_CHECKING:

    def __getattr__(name: str) -> object:
        home = _HOMES.get(name)
        if home is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        # __import__ with a fromlist returns the submodule (importlib would be one import more).
        value = getattr(__import__(f"{__name__}.{home}", fromlist=[name]), name)
        globals()[name] = value  # once: later lookups don't come back here
        return value

    def __dir__() -> list[str]:
        return sorted({*globals(), *__all__})


del TYPE_CHECKING
