"""Responses: the one place where results and refusals become status, headers and body."""

from __future__ import annotations

import orjson

from .._version import __version__
from ..protocol.errors import ApiError

__all__ = ["Response", "error_response", "not_found_response", "ok_response"]

#: status, headers (lower-case names, as ASGI wants them), body
Response = tuple[int, list[tuple[bytes, bytes]], bytes]

_JSON = (b"content-type", b"application/json")
_HTML = (b"content-type", b"text/html")
#: Tells a user they are talking to multiassets, not Binance (like LocalStack's x-localstack).
_IDENTITY = (b"x-multiassets-version", __version__.encode())
_WEIGHT = b"x-mbx-used-weight-1m"

#: The page Binance's edge answers for a path (or a method on a path) it does not serve.
_NOT_FOUND_PAGE = b"<html><body><h2>404 Not found</h2></body></html>"


_LENGTH = b"content-length"


def ok_response(body: bytes, used_weight: int) -> Response:
    headers = [_JSON, (_LENGTH, b"%d" % len(body)), (_WEIGHT, b"%d" % used_weight), _IDENTITY]
    return 200, headers, body


def error_response(error: ApiError, used_weight: int) -> Response:
    body = orjson.dumps({"code": error.code, "msg": error.msg})
    headers = [_JSON, (_LENGTH, b"%d" % len(body)), (_WEIGHT, b"%d" % used_weight), _IDENTITY]
    headers.extend((name.lower().encode(), value.encode()) for name, value in error.headers)
    return error.status, headers, body


def not_found_response(used_weight: int) -> Response:
    """Binance answers an unknown path, or a known path with a method it does not serve,
    with an HTML page, not a JSON error."""
    headers = [
        _HTML,
        (_LENGTH, b"%d" % len(_NOT_FOUND_PAGE)),
        (_WEIGHT, b"%d" % used_weight),
        _IDENTITY,
    ]
    return 404, headers, _NOT_FOUND_PAGE
