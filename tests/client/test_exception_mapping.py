"""Which exception each Binance answer raises: pinned for every catalogue entry and for the
pairs the catalogue does not hold (a catalogued code with another status, codes outside it).

The expectations were worked out by hand from the hand-written table ``exception_for`` was
before it read the catalogue, so the move to the catalogue changed no classification.
"""

from __future__ import annotations

import pickle

import pytest

from multiassets import (
    AccountRuleError,
    AdminError,
    AuthError,
    BinanceError,
    IPBanned,
    MultiassetsError,
    RateLimitError,
    RequestError,
    ServerError,
    SignatureError,
    TimestampError,
    UnknownStatus,
)
from multiassets._exceptions import exception_for
from multiassets.protocol import errors

#: Every catalogue entry, answered as the server renders it (its template as the message).
BY_ENTRY: dict[str, type[BinanceError]] = {
    "UNKNOWN": UnknownStatus,  # -1000, 500: a 5xx not documented as a certain failure
    "DISCONNECTED": ServerError,  # -1001, 503
    "UNAUTHORIZED": AuthError,  # -1002, 401
    "UNKNOWN_STATUS": UnknownStatus,  # -1000, 503 "Unknown error, …"
    "SERVICE_UNAVAILABLE": ServerError,  # -1000, 503 "Service Unavailable."
    "TOO_MANY_REQUESTS": RateLimitError,  # -1003, 429
    "IP_BANNED": IPBanned,  # -1003, 418
    "UNEXPECTED_RESP": UnknownStatus,  # -1006, 500
    "TIMEOUT": UnknownStatus,  # -1007, 408
    "THROTTLED": ServerError,  # -1008, 503
    "TIMESTAMP_OUTSIDE_RECV_WINDOW": TimestampError,
    "TIMESTAMP_AHEAD": TimestampError,
    "INVALID_SIGNATURE": SignatureError,
    "ILLEGAL_CHARS": RequestError,
    "ILLEGAL_CHARS_IN_PARAM": RequestError,
    "TOO_MANY_PARAMETERS": RequestError,
    "DUPLICATE_PARAM": RequestError,
    "MANDATORY_PARAM": RequestError,
    "PARAM_EMPTY": RequestError,
    "INVALID_PARAM": RequestError,
    "BAD_API_KEY_FMT": AuthError,
    "REJECTED_MBX_KEY": AuthError,
    "SESSION_KEY_REJECTED": AuthError,
    "INVALID_SYMBOL": RequestError,
    "INVALID_LISTEN_KEY": RequestError,
    "NO_NEED_TO_CHANGE_MARGIN_TYPE": AccountRuleError,
    "THERE_EXISTS_OPEN_ORDERS": AccountRuleError,
    "THERE_EXISTS_QUANTITY": AccountRuleError,
    "ISOLATED_REJECT_WITH_JOINT_MARGIN": AccountRuleError,
    "JOINT_MARGIN_REJECT_WITH_ISOLATED": AccountRuleError,
    "JOINT_MARGIN_REJECT_WITH_MB": AccountRuleError,
    "JOINT_MARGIN_REJECT_WITH_OPEN_ORDER": AccountRuleError,
    "NO_NEED_TO_CHANGE_JOINT_MARGIN": AccountRuleError,
    "JOINT_MARGIN_REJECT_WITH_NEGATIVE_BALANCE": AccountRuleError,
    "CREDITS_MODE_KEEPS_MULTI_ASSETS": AccountRuleError,  # -4408, our choice
    "NO_NEED_TO_CHANGE_POSITION_SIDE": AccountRuleError,
    "POSITION_SIDE_CHANGE_EXISTS_OPEN_ORDERS": AccountRuleError,
    "POSITION_SIDE_CHANGE_EXISTS_QUANTITY": AccountRuleError,
    "NO_SUCH_ORDER": RequestError,  # -2013
    "ORDER_ID_OR_CLIENT_ORDER_ID": RequestError,
}

SU = "Service Unavailable."

#: (code, HTTP status, message) → class, for answers no catalogue entry is exactly.
PAIRS: list[tuple[int, int, str, type[BinanceError]]] = [
    # Key, timestamp and signature codes mean what they say whatever the status.
    (-1002, 401, "You are not authorized to execute this request.", AuthError),
    (-1002, 400, "x", AuthError),
    (-1002, 503, SU, AuthError),
    (-2015, 418, "x", AuthError),
    (-2014, 500, "x", AuthError),
    (-1021, 503, "x", TimestampError),
    (-1021, 429, "x", TimestampError),
    (-1022, 429, "x", SignatureError),
    (-1022, 502, "x", SignatureError),
    # -1003 is rate limiting at any status; banning is what a 418 adds.
    (-1003, 400, "x", RateLimitError),
    (-1003, 503, SU, RateLimitError),
    (-1003, 418, "Too many requests; …", IPBanned),
    (-1003, 429, "Way too many requests; …", RateLimitError),
    # -1006 and -1007 say "execution status unknown" whatever the status, but for 418/429
    # and the message of a certain failure.
    (-1006, 400, "An unexpected response was received from the message bus.", UnknownStatus),
    (-1006, 503, "x", UnknownStatus),
    (-1006, 503, SU, ServerError),
    (-1006, 429, "x", RateLimitError),
    (-1007, 400, "Timeout waiting for response from backend server.", UnknownStatus),
    (-1007, 500, "x", UnknownStatus),
    (-1007, 418, "x", IPBanned),
    (-1007, 408, SU, ServerError),
    (-1007, 400, SU, ServerError),
    # -1001 and -1008 are certain failures, with a failing status only.
    (-1001, 502, "x", ServerError),
    (-1001, 408, "x", ServerError),
    (-1001, 400, "x", BinanceError),
    (-1001, 429, "x", RateLimitError),
    (-1008, 500, "x", ServerError),
    (-1008, 400, "x", BinanceError),
    (-1008, 418, "x", IPBanned),
    # -1000 is the catch-all: its status and message say what it is.
    (-1000, 400, "Request method 'PUT' not supported", BinanceError),
    (-1000, 502, "x", UnknownStatus),
    (-1000, 500, SU, ServerError),
    (-1000, 503, "x", UnknownStatus),
    (
        -1000,
        503,
        "Internal error; unable to process your request. Please try again.",
        UnknownStatus,
    ),
    (-1000, 408, "x", UnknownStatus),
    (-1000, 418, "x", IPBanned),
    (-1000, 429, "x", RateLimitError),
    # Request and account-rule codes, in and out of the catalogue, yield to 418/429/5xx/408.
    (-1100, 401, "x", RequestError),
    (-1100, 500, "x", UnknownStatus),
    (-1100, 503, SU, ServerError),
    (-1100, 429, "x", RateLimitError),
    (-1102, 408, "x", UnknownStatus),
    (-1104, 400, "Not all sent parameters were read.", RequestError),
    (-1199, 400, "x", RequestError),
    (-1099, 400, "Not found, unauthenticated, or unauthorized.", BinanceError),
    (-1200, 400, "x", BinanceError),
    (-4171, 502, "x", UnknownStatus),
    (-4171, 418, "x", IPBanned),
    (-4000, 400, "x", AccountRuleError),
    (-4003, 400, "x", AccountRuleError),
    (-4999, 400, "x", AccountRuleError),
    (-4999, 503, SU, ServerError),
    (-3999, 400, "x", BinanceError),
    (-5000, 400, "GET /fapi/v1/account is retired", BinanceError),
    (-5000, 500, "x", UnknownStatus),
    # Other codes: only the status speaks.
    (-2010, 400, "x", BinanceError),
    (-2016, 401, "x", BinanceError),
    (-1016, 400, "This service is no longer available.", BinanceError),
    (-1016, 503, SU, ServerError),
    # No Binance body (code 0): the status alone.
    (0, 504, "HTTP 504: <html>", UnknownStatus),
    (0, 500, "HTTP 500", UnknownStatus),
    (0, 599, "HTTP 599", UnknownStatus),
    (0, 408, "HTTP 408", UnknownStatus),
    (0, 429, "HTTP 429: slow down", RateLimitError),
    (0, 418, "HTTP 418", IPBanned),
    (0, 404, "HTTP 404: <html>", BinanceError),
    (0, 401, "HTTP 401", BinanceError),
    (0, 503, SU, ServerError),
]


def test_the_pin_covers_every_catalogue_entry() -> None:
    assert set(BY_ENTRY) == {spec.name for spec in errors.CATALOGUE}


@pytest.mark.parametrize("name", sorted(BY_ENTRY))
def test_each_catalogue_entry_as_rendered(name: str) -> None:
    spec = getattr(errors, name)
    error = exception_for(spec.code, spec.template, spec.status, 7)
    assert type(error) is BY_ENTRY[name]
    assert (error.code, error.msg, error.status, error.retry_after) == (
        spec.code,
        spec.template,
        spec.status,
        7,
    )


@pytest.mark.parametrize(
    ("code", "status", "msg", "cls"),
    PAIRS,
    ids=[f"{code}-{status}-{msg[:12]}" for code, status, msg, _ in PAIRS],
)
def test_answers_no_entry_is_exactly(code: int, status: int, msg: str, cls: type) -> None:
    error = exception_for(code, msg, status)
    assert type(error) is cls
    assert (error.code, error.msg, error.status, error.retry_after) == (code, msg, status, None)


def test_admin_errors_keep_their_status_through_pickle() -> None:
    error = pickle.loads(pickle.dumps(AdminError("no account named 'x'", 404)))
    assert isinstance(error, AdminError) and isinstance(error, MultiassetsError)
    assert (str(error), error.status) == ("no account named 'x'", 404)
    assert AdminError("refused").status == 400
