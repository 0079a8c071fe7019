"""Responses: the one place where results and refusals become status, headers and body."""

from __future__ import annotations

import orjson

from ..._version import __version__
from ...protocol.errors import ApiError

__all__ = [
    "IDENTITY_HEADER",
    "Response",
    "control_response",
    "error_response",
    "not_found_response",
    "ok_response",
]

#: status, headers (lower-case names, as ASGI wants them), body
Response = tuple[int, list[tuple[bytes, bytes]], bytes]

_JSON = (b"content-type", b"application/json")
_HTML = (b"content-type", b"text/html")
#: Tells a user they are talking to multiassets, not Binance (like LocalStack's x-localstack).
IDENTITY_HEADER = (b"x-multiassets-version", __version__.encode())
_WEIGHT = b"x-mbx-used-weight-1m"

#: The page Binance's edge answers for a path (or a method on a path) it does not serve.
_NOT_FOUND_PAGE = b"<html><body><h2>404 Not found</h2></body></html>"


_LENGTH = b"content-length"


def ok_response(body: bytes, used_weight: int) -> Response:
    headers = [_JSON, (_LENGTH, b"%d" % len(body)), (_WEIGHT, b"%d" % used_weight), IDENTITY_HEADER]
    return 200, headers, body


def error_response(error: ApiError, used_weight: int) -> Response:
    body = orjson.dumps({"code": error.code, "msg": error.msg})
    headers = [_JSON, (_LENGTH, b"%d" % len(body)), (_WEIGHT, b"%d" % used_weight), IDENTITY_HEADER]
    headers.extend((name.lower().encode(), value.encode()) for name, value in error.headers)
    return error.status, headers, body


def not_found_response(used_weight: int) -> Response:
    """Binance answers an unknown path, or a known path with a method it does not serve,
    with an HTML page, not a JSON error."""
    headers = [
        _HTML,
        (_LENGTH, b"%d" % len(_NOT_FOUND_PAGE)),
        (_WEIGHT, b"%d" % used_weight),
        IDENTITY_HEADER,
    ]
    return 404, headers, _NOT_FOUND_PAGE


#: The control plane's token is a bearer token (RFC 6750 §3): a 401 says so (RFC 9110 §11.6.1).
_CHALLENGE = (b"www-authenticate", b'Bearer realm="multiassets"')


def control_response(status: int, body: bytes, content_type: str) -> Response:
    """A control-plane answer: our JSON (or the page, the metrics), not Binance's."""
    headers = [
        (b"content-type", content_type.encode()),
        (_LENGTH, b"%d" % len(body)),
        IDENTITY_HEADER,
    ]
    if status == 401:
        headers.append(_CHALLENGE)
    return status, headers, body
