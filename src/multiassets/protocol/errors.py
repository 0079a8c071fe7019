"""The error catalogue: every Binance error we answer or recognise, in one place.

Each entry is a code, the HTTP status Binance answers it with, what it says about the request
(its :class:`Category`, one per client exception class) and the message template.
Placeholders are named (``{name}``) and filled by :meth:`ErrorSpec.message`. The server renders
only errors from this module; the client reads answers back into categories with
:func:`~multiassets.protocol.categories.category_for`. Sources and confidence for each
entry are in PARITY.md.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum
from http import HTTPStatus
from typing import Any

__all__ = ["CATALOGUE", "ApiError", "Category", "ErrorSpec", "by_code", "failing"]


class Category(Enum):
    """What an error says about the request: one per client exception class.

    Listed from the weakest claim to the strongest. Where an answer's code and its HTTP status
    say different things, the stronger holds: a bad key is a bad key even in a 5xx, a 429 is
    a rate limit whatever code it carries, and a 5xx leaves a parameter error's request in an
    unknown state.
    """

    REQUEST = ("request", 0)  # a parameter missing, malformed or not valid
    ACCOUNT_RULE = ("account rule", 0)  # the account's state refuses the change
    UNKNOWN_STATUS = ("unknown status", 1)  # the request may have been executed
    SERVER = ("server failure", 2)  # the request was certainly not executed
    RATE_LIMIT = ("rate limit", 3)
    BANNED = ("banned", 4)
    AUTH = ("auth", 5)
    TIMESTAMP = ("timestamp", 5)
    SIGNATURE = ("signature", 5)

    def __init__(self, label: str, strength: int) -> None:
        self.label = label
        self.strength = strength

    def holds_at(self, status: int) -> bool:
        """Whether a code of this category keeps it at ``status``: only a failing status says
        that nothing was done, and only a 418 bans; the others hold at any status."""
        if self is Category.SERVER:
            return failing(status)
        if self is Category.BANNED:
            return status == IP_BANNED.status
        return True


def failing(status: int) -> bool:
    """A 5xx, or a 408 (Binance's timeout, or a gateway's): the API gave no answer of its own."""
    return status >= 500 or status == HTTPStatus.REQUEST_TIMEOUT


@dataclass(frozen=True, slots=True)
class ErrorSpec:
    """One Binance error: its code, HTTP status, category and message template."""

    name: str
    code: int
    status: int
    category: Category
    template: str

    def message(self, **fields: Any) -> str:
        return self.template.format(**fields) if fields else self.template


class ApiError(Exception):
    """A request refused with a catalogued Binance error.

    ``headers`` carries extra response headers that belong to the error (``Retry-After``);
    ``reason`` says in plain words why, for the server's request log (never sent to the
    client, never holding a secret or a signature).
    """

    def __init__(
        self,
        spec: ErrorSpec,
        headers: tuple[tuple[str, str], ...] = (),
        *,
        reason: str | None = None,
        **fields: Any,
    ) -> None:
        self.spec = spec
        self.msg = spec.message(**fields)
        self.headers = headers
        self.reason = reason
        super().__init__(f"{spec.code}: {self.msg}")

    @property
    def code(self) -> int:
        return self.spec.code

    @property
    def status(self) -> int:
        return self.spec.status


_REQUEST, _ACCOUNT_RULE = Category.REQUEST, Category.ACCOUNT_RULE
_UNKNOWN, _SERVER = Category.UNKNOWN_STATUS, Category.SERVER


def _spec(name: str, code: int, status: int, category: Category, template: str) -> ErrorSpec:
    return ErrorSpec(name, code, status, category, template)


# 10xx: general server or network issues
UNKNOWN = _spec(
    "UNKNOWN", -1000, 500, _UNKNOWN, "An unknown error occured while processing the request."
)
DISCONNECTED = _spec(
    "DISCONNECTED",
    -1001,
    503,
    _SERVER,
    "Internal error; unable to process your request. Please try again.",
)
# Spot's error page lists -1002; fapi's status is unverified (401, as for the key errors).
UNAUTHORIZED = _spec(
    "UNAUTHORIZED", -1002, 401, Category.AUTH, "You are not authorized to execute this request."
)
# Binance's 503 variants (General Info, "HTTP 503 Status: Message Variants & Handling"); the
# code of the first two is not documented: -1000 is our choice (PARITY.md).
UNKNOWN_STATUS = _spec(
    "UNKNOWN_STATUS",
    -1000,
    503,
    _UNKNOWN,
    "Unknown error, please check your request or try again later.",
)
SERVICE_UNAVAILABLE = _spec("SERVICE_UNAVAILABLE", -1000, 503, _SERVER, "Service Unavailable.")
TOO_MANY_REQUESTS = _spec(
    "TOO_MANY_REQUESTS",
    -1003,
    429,
    Category.RATE_LIMIT,
    "Too many requests; current limit of IP({ip}) is {limit} requests per minute. "
    "Please use the websocket for live updates to avoid polling the API.",
)
IP_BANNED = _spec(
    "IP_BANNED",
    -1003,
    418,
    Category.BANNED,
    "Way too many requests; IP({ip}) banned until {until}. "
    "Please use the websocket for live updates to avoid bans.",
)
# Recognised, never answered: like -1007 it says the execution status is unknown, whatever
# HTTP status it comes with (fapi's is unverified: 5xx).
UNEXPECTED_RESP = _spec(
    "UNEXPECTED_RESP",
    -1006,
    500,
    _UNKNOWN,
    "An unexpected response was received from the message bus. Execution status unknown.",
)
TIMEOUT = _spec(
    "TIMEOUT",
    -1007,
    408,
    _UNKNOWN,
    "Timeout waiting for response from backend server. "
    "Send status unknown; execution status unknown.",
)
THROTTLED = _spec(
    "THROTTLED",
    -1008,
    503,
    _SERVER,
    "Request throttled by system-level protection. Reduce-only/close-position orders are "
    "exempt. Please try again.",
)
TIMESTAMP_OUTSIDE_RECV_WINDOW = _spec(
    "TIMESTAMP_OUTSIDE_RECV_WINDOW",
    -1021,
    400,
    Category.TIMESTAMP,
    "Timestamp for this request is outside of the recvWindow.",
)
TIMESTAMP_AHEAD = _spec(
    "TIMESTAMP_AHEAD",
    -1021,
    400,
    Category.TIMESTAMP,
    "Timestamp for this request was 1000ms ahead of the server's time.",
)
INVALID_SIGNATURE = _spec(
    "INVALID_SIGNATURE", -1022, 400, Category.SIGNATURE, "Signature for this request is not valid."
)

# 11xx: request issues
ILLEGAL_CHARS = _spec(
    "ILLEGAL_CHARS", -1100, 400, _REQUEST, "Illegal characters found in a parameter."
)
ILLEGAL_CHARS_IN_PARAM = _spec(
    "ILLEGAL_CHARS_IN_PARAM",
    -1100,
    400,
    _REQUEST,
    "Illegal characters found in parameter '{param}'; legal range is '{legal}'.",
)
TOO_MANY_PARAMETERS = _spec(
    "TOO_MANY_PARAMETERS", -1101, 400, _REQUEST, "Too many parameters sent for this endpoint."
)
DUPLICATE_PARAM = _spec(
    "DUPLICATE_PARAM", -1101, 400, _REQUEST, "Duplicate values for a parameter detected."
)
MANDATORY_PARAM = _spec(
    "MANDATORY_PARAM",
    -1102,
    400,
    _REQUEST,
    "Mandatory parameter '{param}' was not sent, was empty/null, or malformed.",
)
PARAM_EMPTY = _spec("PARAM_EMPTY", -1105, 400, _REQUEST, "Parameter '{param}' was empty.")
INVALID_PARAM = _spec(
    "INVALID_PARAM", -1130, 400, _REQUEST, "Data sent for parameter '{param}' is not valid."
)

# 20xx: API key issues
BAD_API_KEY_FMT = _spec("BAD_API_KEY_FMT", -2014, 401, Category.AUTH, "API-key format invalid.")
REJECTED_MBX_KEY = _spec(
    "REJECTED_MBX_KEY",
    -2015,
    401,
    Category.AUTH,
    "Invalid API-key, IP, or permissions for action, request ip: {ip}",
)
# The WebSocket API's frame ending a session whose key no longer passes (binance-account.md
# §8.2): -2015 with the documented text, which names no IP.
SESSION_KEY_REJECTED = replace(
    REJECTED_MBX_KEY,
    name="SESSION_KEY_REJECTED",
    template=REJECTED_MBX_KEY.template.split(", request ip")[0] + ".",
)

INVALID_SYMBOL = _spec("INVALID_SYMBOL", -1121, 400, _REQUEST, "Invalid symbol.")
INVALID_LISTEN_KEY = _spec(
    "INVALID_LISTEN_KEY",
    -1125,
    400,
    _REQUEST,
    "This listenKey does not exist. Please use POST /fapi/v1/listenKey to recreate listenKey",
)

# 40xx: account and margin rules
NO_NEED_TO_CHANGE_POSITION_SIDE = _spec(
    "NO_NEED_TO_CHANGE_POSITION_SIDE",
    -4059,
    400,
    _ACCOUNT_RULE,
    "No need to change position side.",
)
POSITION_SIDE_CHANGE_EXISTS_OPEN_ORDERS = _spec(
    "POSITION_SIDE_CHANGE_EXISTS_OPEN_ORDERS",
    -4067,
    400,
    _ACCOUNT_RULE,
    "Position side cannot be changed if there exists open orders.",
)
POSITION_SIDE_CHANGE_EXISTS_QUANTITY = _spec(
    "POSITION_SIDE_CHANGE_EXISTS_QUANTITY",
    -4068,
    400,
    _ACCOUNT_RULE,
    "Position side cannot be changed if there exists position.",
)
NO_SUCH_ORDER = _spec("NO_SUCH_ORDER", -2013, 400, _REQUEST, "Order does not exist.")
#: -1102's "either" variant, as ``GET /fapi/v1/openOrder`` answers it.
ORDER_ID_OR_CLIENT_ORDER_ID = _spec(
    "ORDER_ID_OR_CLIENT_ORDER_ID",
    -1102,
    400,
    _REQUEST,
    "Param 'orderId' or 'origClientOrderId' must be sent, but both were empty/null!",
)
NO_NEED_TO_CHANGE_MARGIN_TYPE = _spec(
    "NO_NEED_TO_CHANGE_MARGIN_TYPE", -4046, 400, _ACCOUNT_RULE, "No need to change margin type."
)
THERE_EXISTS_OPEN_ORDERS = _spec(
    "THERE_EXISTS_OPEN_ORDERS",
    -4047,
    400,
    _ACCOUNT_RULE,
    "Margin type cannot be changed if there exists open orders.",
)
THERE_EXISTS_QUANTITY = _spec(
    "THERE_EXISTS_QUANTITY",
    -4048,
    400,
    _ACCOUNT_RULE,
    "Margin type cannot be changed if there exists position.",
)
ISOLATED_REJECT_WITH_JOINT_MARGIN = _spec(
    "ISOLATED_REJECT_WITH_JOINT_MARGIN",
    -4167,
    400,
    _ACCOUNT_RULE,
    "Unable to adjust to Multi-Assets mode with symbols of USDⓈ-M Futures under "
    "isolated-margin mode.",
)
JOINT_MARGIN_REJECT_WITH_ISOLATED = _spec(
    "JOINT_MARGIN_REJECT_WITH_ISOLATED",
    -4168,
    400,
    _ACCOUNT_RULE,
    "Unable to adjust to isolated-margin mode under the Multi-Assets mode.",
)
JOINT_MARGIN_REJECT_WITH_MB = _spec(
    "JOINT_MARGIN_REJECT_WITH_MB",
    -4169,
    400,
    _ACCOUNT_RULE,
    "Unable to adjust Multi-Assets Mode with insufficient margin balance in USDⓈ-M Futures.",
)
JOINT_MARGIN_REJECT_WITH_OPEN_ORDER = _spec(
    "JOINT_MARGIN_REJECT_WITH_OPEN_ORDER",
    -4170,
    400,
    _ACCOUNT_RULE,
    "Unable to adjust Multi-Assets Mode with open orders in USDⓈ-M Futures.",
)
NO_NEED_TO_CHANGE_JOINT_MARGIN = _spec(
    "NO_NEED_TO_CHANGE_JOINT_MARGIN",
    -4171,
    400,
    _ACCOUNT_RULE,
    "Adjusted asset mode is currently set and does not need to be adjusted repeatedly.",
)
JOINT_MARGIN_REJECT_WITH_NEGATIVE_BALANCE = _spec(
    "JOINT_MARGIN_REJECT_WITH_NEGATIVE_BALANCE",
    -4172,
    400,
    _ACCOUNT_RULE,
    "Unable to adjust Multi-Assets Mode with a negative wallet balance of margin available "
    "asset in USDⓈ-M Futures account.",
)

#: Our choice for a switch to Single-Asset Mode of an EU account in Credits Trading Mode:
#: Binance's answer is not known (PARITY.md, confidence low). -4408 is the one code Binance
#: ties to regulation and credits mode. Change it here.
CREDITS_MODE_KEEPS_MULTI_ASSETS = _spec(
    "CREDITS_MODE_KEEPS_MULTI_ASSETS",
    -4408,
    400,
    _ACCOUNT_RULE,
    "This symbol is in reduce only mode due to regulation requirements. Please upgrade to "
    "Binance Credits Trading Mode.",
)

CATALOGUE: tuple[ErrorSpec, ...] = tuple(
    value for value in list(globals().values()) if isinstance(value, ErrorSpec)
)

_BY_CODE: dict[int, tuple[ErrorSpec, ...]] = {}
for _entry in CATALOGUE:
    _BY_CODE[_entry.code] = (*_BY_CODE.get(_entry.code, ()), _entry)


def by_code(code: int) -> tuple[ErrorSpec, ...]:
    """Every catalogued variant of a Binance error code (empty if the code is unknown)."""
    return _BY_CODE.get(code, ())
