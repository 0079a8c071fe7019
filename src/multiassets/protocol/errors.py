"""The error catalogue: every Binance error we answer or recognise, in one place.

Each entry is a code, the HTTP status Binance answers it with, and the message template.
Placeholders are named (``{name}``) and filled by :meth:`ErrorSpec.message`. The server renders
only errors from this module; the client maps answers back to entries by code.
Sources and confidence for each entry are in PARITY.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["CATALOGUE", "ApiError", "ErrorSpec", "by_code"]


@dataclass(frozen=True, slots=True)
class ErrorSpec:
    """One Binance error: its code, HTTP status, and message template."""

    name: str
    code: int
    status: int
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


def _spec(name: str, code: int, status: int, template: str) -> ErrorSpec:
    return ErrorSpec(name, code, status, template)


# 10xx: general server or network issues
UNKNOWN = _spec("UNKNOWN", -1000, 500, "An unknown error occured while processing the request.")
DISCONNECTED = _spec(
    "DISCONNECTED",
    -1001,
    503,
    "Internal error; unable to process your request. Please try again.",
)
# Binance's 503 variants (General Info, "HTTP 503 Status: Message Variants & Handling"); the
# code of the first two is not documented: -1000 is our choice (PARITY.md).
UNKNOWN_STATUS = _spec(
    "UNKNOWN_STATUS",
    -1000,
    503,
    "Unknown error, please check your request or try again later.",
)
SERVICE_UNAVAILABLE = _spec("SERVICE_UNAVAILABLE", -1000, 503, "Service Unavailable.")
TOO_MANY_REQUESTS = _spec(
    "TOO_MANY_REQUESTS",
    -1003,
    429,
    "Too many requests; current limit of IP({ip}) is {limit} requests per minute. "
    "Please use the websocket for live updates to avoid polling the API.",
)
IP_BANNED = _spec(
    "IP_BANNED",
    -1003,
    418,
    "Way too many requests; IP({ip}) banned until {until}. "
    "Please use the websocket for live updates to avoid bans.",
)
TIMEOUT = _spec(
    "TIMEOUT",
    -1007,
    408,
    "Timeout waiting for response from backend server. "
    "Send status unknown; execution status unknown.",
)
THROTTLED = _spec(
    "THROTTLED",
    -1008,
    503,
    "Request throttled by system-level protection. Reduce-only/close-position orders are "
    "exempt. Please try again.",
)
TIMESTAMP_OUTSIDE_RECV_WINDOW = _spec(
    "TIMESTAMP_OUTSIDE_RECV_WINDOW",
    -1021,
    400,
    "Timestamp for this request is outside of the recvWindow.",
)
TIMESTAMP_AHEAD = _spec(
    "TIMESTAMP_AHEAD",
    -1021,
    400,
    "Timestamp for this request was 1000ms ahead of the server's time.",
)
INVALID_SIGNATURE = _spec(
    "INVALID_SIGNATURE", -1022, 400, "Signature for this request is not valid."
)

# 11xx: request issues
ILLEGAL_CHARS = _spec("ILLEGAL_CHARS", -1100, 400, "Illegal characters found in a parameter.")
ILLEGAL_CHARS_IN_PARAM = _spec(
    "ILLEGAL_CHARS_IN_PARAM",
    -1100,
    400,
    "Illegal characters found in parameter '{param}'; legal range is '{legal}'.",
)
TOO_MANY_PARAMETERS = _spec(
    "TOO_MANY_PARAMETERS", -1101, 400, "Too many parameters sent for this endpoint."
)
DUPLICATE_PARAM = _spec("DUPLICATE_PARAM", -1101, 400, "Duplicate values for a parameter detected.")
MANDATORY_PARAM = _spec(
    "MANDATORY_PARAM",
    -1102,
    400,
    "Mandatory parameter '{param}' was not sent, was empty/null, or malformed.",
)
PARAM_EMPTY = _spec("PARAM_EMPTY", -1105, 400, "Parameter '{param}' was empty.")
INVALID_PARAM = _spec(
    "INVALID_PARAM", -1130, 400, "Data sent for parameter '{param}' is not valid."
)

# 20xx: API key issues
BAD_API_KEY_FMT = _spec("BAD_API_KEY_FMT", -2014, 401, "API-key format invalid.")
REJECTED_MBX_KEY = _spec(
    "REJECTED_MBX_KEY",
    -2015,
    401,
    "Invalid API-key, IP, or permissions for action, request ip: {ip}",
)

INVALID_SYMBOL = _spec("INVALID_SYMBOL", -1121, 400, "Invalid symbol.")
INVALID_LISTEN_KEY = _spec(
    "INVALID_LISTEN_KEY",
    -1125,
    400,
    "This listenKey does not exist. Please use POST /fapi/v1/listenKey to recreate listenKey",
)

# 40xx: account and margin rules
NO_NEED_TO_CHANGE_MARGIN_TYPE = _spec(
    "NO_NEED_TO_CHANGE_MARGIN_TYPE", -4046, 400, "No need to change margin type."
)
THERE_EXISTS_OPEN_ORDERS = _spec(
    "THERE_EXISTS_OPEN_ORDERS",
    -4047,
    400,
    "Margin type cannot be changed if there exists open orders.",
)
THERE_EXISTS_QUANTITY = _spec(
    "THERE_EXISTS_QUANTITY",
    -4048,
    400,
    "Margin type cannot be changed if there exists position.",
)
ISOLATED_REJECT_WITH_JOINT_MARGIN = _spec(
    "ISOLATED_REJECT_WITH_JOINT_MARGIN",
    -4167,
    400,
    "Unable to adjust to Multi-Assets mode with symbols of USDⓈ-M Futures under "
    "isolated-margin mode.",
)
JOINT_MARGIN_REJECT_WITH_ISOLATED = _spec(
    "JOINT_MARGIN_REJECT_WITH_ISOLATED",
    -4168,
    400,
    "Unable to adjust to isolated-margin mode under the Multi-Assets mode.",
)
JOINT_MARGIN_REJECT_WITH_MB = _spec(
    "JOINT_MARGIN_REJECT_WITH_MB",
    -4169,
    400,
    "Unable to adjust Multi-Assets Mode with insufficient margin balance in USDⓈ-M Futures.",
)
JOINT_MARGIN_REJECT_WITH_OPEN_ORDER = _spec(
    "JOINT_MARGIN_REJECT_WITH_OPEN_ORDER",
    -4170,
    400,
    "Unable to adjust Multi-Assets Mode with open orders in USDⓈ-M Futures.",
)
NO_NEED_TO_CHANGE_JOINT_MARGIN = _spec(
    "NO_NEED_TO_CHANGE_JOINT_MARGIN",
    -4171,
    400,
    "Adjusted asset mode is currently set and does not need to be adjusted repeatedly.",
)
JOINT_MARGIN_REJECT_WITH_NEGATIVE_BALANCE = _spec(
    "JOINT_MARGIN_REJECT_WITH_NEGATIVE_BALANCE",
    -4172,
    400,
    "Unable to adjust Multi-Assets Mode with a negative wallet balance of margin available "
    "asset in USDⓈ-M Futures account.",
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
