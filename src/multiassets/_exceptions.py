"""The client's exceptions, one tree::

    MultiassetsError
    ├── TransportError            the request did not get an answer
    │   └── Timeout               ... in time (its execution status is unknown)
    ├── BinanceError              Binance answered {"code", "msg"} (.code, .msg, .status)
    │   ├── AuthError             -2014, -2015, -1002: key format, key/IP/permission
    │   ├── TimestampError        -1021: outside recvWindow or ahead of the server
    │   ├── SignatureError        -1022
    │   ├── RequestError          -11xx: a parameter missing, malformed or not valid
    │   ├── RateLimitError        -1003 with HTTP 429 (.retry_after seconds)
    │   │   └── IPBanned          -1003 with HTTP 418 (.retry_after, .until_ms)
    │   ├── AccountRuleError      -4xxx: the account's state refuses the change
    │   └── ServerError           -1000, -1001, -1008, other 5xx: nothing happened
    │       └── UnknownStatus     HTTP 503 "Unknown error…", -1006, -1007: it may have
    │                             happened (.applied: what reconciliation found, or None)
    └── ConfigurationError        a key, URL or argument the client can't use

Every class is chosen from the code and HTTP status Binance answered with, through the same
error catalogue the server uses (``multiassets.protocol.errors``).
"""

from __future__ import annotations

from typing import Any

from .protocol.errors import ErrorSpec, by_code

__all__ = [
    "AccountRuleError",
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


class MultiassetsError(Exception):
    """Anything the client raises."""


class ConfigurationError(MultiassetsError):
    """A key, URL or argument the client can't use."""


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
    """

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
        variants = by_code(self.code)
        exact = [spec for spec in variants if spec.status == self.status]
        candidates = exact or list(variants)
        return candidates[0] if candidates else None


class AuthError(BinanceError):
    """The key is malformed, unknown, not allowed from this IP, or lacks the permission."""


class TimestampError(BinanceError):
    """-1021: the request's timestamp is outside recvWindow or ahead of the server's clock."""


class SignatureError(BinanceError):
    """-1022: the signature does not match (wrong secret, or the payload changed in transit)."""


class RequestError(BinanceError):
    """A parameter was missing, malformed, duplicated or not valid."""


class RateLimitError(BinanceError):
    """-1003, HTTP 429: over the request weight limit. Wait ``retry_after`` seconds."""


class IPBanned(RateLimitError):
    """-1003, HTTP 418: the IP is banned until ``until_ms``; ``retry_after`` seconds left."""

    @property
    def until_ms(self) -> int | None:
        marker = "banned until "
        if marker not in self.msg:
            return None
        digits = self.msg.split(marker, 1)[1].split(".", 1)[0]
        return int(digits) if digits.isdigit() else None


class AccountRuleError(BinanceError):
    """The account's state refuses the change (-4046 … -4172)."""


class ServerError(BinanceError):
    """Binance failed: the request was not executed; it is safe to send again."""


class UnknownStatus(ServerError):
    """The request may have been executed. ``applied`` is what the client found out by
    reading the state back (True or False), or None if it did not look."""

    applied: bool | None = None


#: The text of Binance's 503 whose execution status is unknown (General Info, "HTTP 503").
UNKNOWN_STATUS_TEXT = "Unknown error, please check your request or try again later."
SERVICE_UNAVAILABLE_TEXT = "Service Unavailable."


def exception_for(code: int, msg: str, status: int, retry_after: int | None = None) -> BinanceError:
    """The exception for an error Binance answered, by code (and status where it matters)."""
    cls: type[BinanceError]
    if code in (-2014, -2015, -1002):
        cls = AuthError
    elif code == -1021:
        cls = TimestampError
    elif code == -1022:
        cls = SignatureError
    elif code == -1003 or status in (418, 429):
        cls = IPBanned if status == 418 else RateLimitError
    elif status >= 500 or status == 408 or code in (-1006, -1007):
        # Only the answers Binance documents as certain failures say nothing was executed;
        # any other 5xx or 408 (a gateway's HTML, a timeout) leaves the outcome unknown.
        certain = code in (-1001, -1008) or msg == SERVICE_UNAVAILABLE_TEXT
        cls = ServerError if certain else UnknownStatus
    elif -1199 <= code <= -1100:
        cls = RequestError
    elif -4999 <= code <= -4000:
        cls = AccountRuleError
    else:
        cls = BinanceError
    return cls(code, msg, status, retry_after)
