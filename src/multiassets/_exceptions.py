"""The client's exceptions, one tree::

    MultiassetsError
    ├── TransportError            the request did not get an answer
    │   └── Timeout               ... in time (its execution status is unknown)
    ├── BinanceError              Binance answered {"code", "msg"} (.code, .msg, .status)
    │   ├── AuthError             -2014, -2015, -1002: key format, key/IP/permission
    │   ├── TimestampError        -1021: outside recvWindow or ahead of the server
    │   ├── SignatureError        -1022
    │   ├── RequestError          -11xx: a parameter missing, malformed or not valid
    │   ├── RateLimitError        -1003, or HTTP 429 (.retry_after seconds)
    │   │   └── IPBanned          HTTP 418 (.retry_after, .until_ms)
    │   ├── AccountRuleError      -4xxx: the account's state refuses the change
    │   └── ServerError           -1001, -1008, 503 "Service Unavailable.": nothing happened
    │       └── UnknownStatus     other 5xx and 408, -1006, -1007: it may have happened
    │                             (.applied: what reconciliation found, or None)
    ├── AdminError                the control plane refused or could not be reached (.status)
    └── ConfigurationError        a key, URL or argument the client can't use

Every Binance error class is chosen through the error catalogue the server answers from
(``multiassets.protocol.errors``): each class stands for one :class:`Category`, and
:func:`~multiassets.protocol.categories.category_for` reads an answer's code, HTTP status and
message into one.
"""

from __future__ import annotations

# Not typing's TYPE_CHECKING: importing typing costs ~15 ms. Type checkers take it as true.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from .protocol.errors import Category, ErrorSpec

__all__ = [
    "AccountRuleError",
    "AdminError",
    "AuthError",
    "BinanceError",
    "ConfigurationError",
    "IPBanned",
    "MultiassetsError",
    "RateLimitError",
    "RequestError",
    "ServerError",
    "SignatureError",
    "Timeout",
    "TimestampError",
    "TransportError",
    "UnknownStatus",
    "exception_for",
]


class _CategoryOf:
    """A class's :class:`~multiassets.protocol.errors.Category`, looked up in the catalogue
    when first read: a client is made without importing the catalogue (with dataclasses and
    enum, ~20 ms), which the first answer brings."""

    def __init__(self, name: str | None) -> None:
        self.name = name

    def __get__(self, error: object, owner: type | None = None) -> Category | None:
        if self.name is None:
            return None
        from .protocol.errors import Category

        return Category[self.name]


class MultiassetsError(Exception):
    """Anything the client raises."""


class ConfigurationError(MultiassetsError, ValueError):
    """A key, URL or argument the client can't use (a ValueError too: a bad argument)."""


class AdminError(MultiassetsError):
    """A control-plane request that can't be done (the message is meant for a person);
    ``status`` is its HTTP status."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status

    def __reduce__(self) -> tuple[Any, ...]:
        # Picklable with its status (the default reduction would rebuild it with 400).
        return (self.__class__, (str(self), self.status), self.__dict__)


class TransportError(MultiassetsError):
    """The request got no answer (connection refused, reset, closed).

    ``applied`` is what the client found out by reading the state back after a change that
    got no answer (True or False), or None if it did not look."""

    applied: bool | None = None


class Timeout(TransportError):
    """No answer in time: the request may or may not have been executed."""


class BinanceError(MultiassetsError):
    """Binance answered with an error: ``code`` and ``msg`` as sent, ``status`` the HTTP status.

    ``spec`` is the catalogue entry for the code and status, when the catalogue knows it.
    ``category`` is what each subclass stands for (None here: an error and nothing more).
    """

    category = _CategoryOf(None)

    def __init__(self, code: int, msg: str, status: int, retry_after: int | None = None) -> None:
        super().__init__(f"{code}: {msg} (HTTP {status})")
        self.code = code
        self.msg = msg
        self.status = status
        self.retry_after = retry_after

    def __reduce__(self) -> tuple[Any, ...]:
        # Picklable (process pools, copy): rebuilt from its fields, attributes kept.
        args = (self.code, self.msg, self.status, self.retry_after)
        return (self.__class__, args, self.__dict__)

    @property
    def spec(self) -> ErrorSpec | None:
        from .protocol.errors import by_code

        variants = by_code(self.code)
        exact = [spec for spec in variants if spec.status == self.status]
        candidates = exact or list(variants)
        return candidates[0] if candidates else None


class AuthError(BinanceError):
    """The key is malformed, unknown, not allowed from this IP, or lacks the permission."""

    category = _CategoryOf("AUTH")


class TimestampError(BinanceError):
    """-1021: the request's timestamp is outside recvWindow or ahead of the server's clock."""

    category = _CategoryOf("TIMESTAMP")


class SignatureError(BinanceError):
    """-1022: the signature does not match (wrong secret, or the payload changed in transit)."""

    category = _CategoryOf("SIGNATURE")


class RequestError(BinanceError):
    """A parameter was missing, malformed, duplicated or not valid."""

    category = _CategoryOf("REQUEST")


class RateLimitError(BinanceError):
    """-1003 or HTTP 429: over the request weight limit. Wait ``retry_after`` seconds."""

    category = _CategoryOf("RATE_LIMIT")


class IPBanned(RateLimitError):
    """HTTP 418 (-1003): the IP is banned until ``until_ms``; ``retry_after`` seconds left."""

    category = _CategoryOf("BANNED")

    @property
    def until_ms(self) -> int | None:
        marker = "banned until "
        if marker not in self.msg:
            return None
        digits = self.msg.split(marker, 1)[1].split(".", 1)[0]
        return int(digits) if digits.isdigit() else None


class AccountRuleError(BinanceError):
    """The account's state refuses the change (-4046 … -4172)."""

    category = _CategoryOf("ACCOUNT_RULE")


class ServerError(BinanceError):
    """Binance failed: the request was not executed; it is safe to send again."""

    category = _CategoryOf("SERVER")


class UnknownStatus(ServerError):
    """The request may have been executed. ``applied`` is what the client found out by
    reading the state back (True or False), or None if it did not look."""

    category = _CategoryOf("UNKNOWN_STATUS")

    applied: bool | None = None


#: The Binance error classes, each standing for its category (BinanceError for none).
_TREE: tuple[type[BinanceError], ...] = (
    BinanceError,
    AuthError,
    TimestampError,
    SignatureError,
    RequestError,
    RateLimitError,
    IPBanned,
    AccountRuleError,
    ServerError,
    UnknownStatus,
)
_classes: dict[Category | None, type[BinanceError]] = {}


def exception_for(code: int, msg: str, status: int, retry_after: int | None = None) -> BinanceError:
    """The exception for an error Binance answered, by the category the catalogue reads in
    its code, HTTP status and message."""
    from .protocol.categories import category_for
    from .protocol.errors import Category

    if not _classes:  # the first error: the catalogue is imported now, and checked once
        classes = {cls.category: cls for cls in _TREE}
        if len(classes) != len(_TREE) or set(classes) != {None, *Category}:
            raise RuntimeError("each error category needs one exception class, and only one")
        _classes.update(classes)
    return _classes[category_for(code, status, msg)](code, msg, status, retry_after)
