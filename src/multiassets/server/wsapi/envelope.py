"""The WebSocket API's frames: a request ``{"id", "method", "params"}`` in, its answer
``{"id", "status", "result" | "error", "rateLimits"}`` out.

Binance documents the envelope (``binance-account.md`` §8.2) but not what a frame that is no
request gets; ours (PARITY.md, "WebSocket API"): text that is not JSON, or JSON that is not an
object, ``-1100``; no ``method`` (or not a string) ``-1102``; an ``id`` that is not a string, an
integer or null, ``params`` that is not an object, or a parameter whose value is an object or
an array ``-1130`` naming it. Each is answered, with the ``id`` when it could be read.

A parameter's value becomes text as Binance signs it (§8.4): a string as it is, a JSON boolean
``true``/``false``, a number as its JSON text; a null is not sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from ...protocol.errors import ILLEGAL_CHARS, INVALID_PARAM, MANDATORY_PARAM, ApiError
from ..api.request import DecodedSource

__all__ = [
    "FrameError",
    "Ident",
    "Incoming",
    "decoded_source",
    "error_frame",
    "ok_frame",
    "parse_frame",
    "wants_rate_limits",
]

Ident = str | int | None
_SIGNATURE = "signature"
_RETURN_RATE_LIMITS = "returnRateLimits"


class FrameError(Exception):
    """A frame that is no request: the refusal, the ``id`` to answer it with, and the method
    it names if it names one (for the request log)."""

    def __init__(self, ident: Ident, error: ApiError, method: str | None = None) -> None:
        super().__init__(error.msg)
        self.ident = ident
        self.error = error
        self.method = method


@dataclass(frozen=True, slots=True)
class Incoming:
    """One request, as read from its frame."""

    ident: Ident
    method: str
    params: dict[str, Any]


def _is_ident(value: Any) -> bool:
    return value is None or isinstance(value, str) or type(value) is int


def parse_frame(raw: str | bytes) -> Incoming:
    """The request in a text (or binary) frame; :class:`FrameError` if there is none."""
    try:
        frame = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise FrameError(None, ApiError(ILLEGAL_CHARS, reason="a frame that is not JSON")) from None
    if not isinstance(frame, dict):
        raise FrameError(None, ApiError(ILLEGAL_CHARS, reason="a frame that is not an object"))
    ident, method = frame.get("id"), frame.get("method")
    named = method if isinstance(method, str) and method else None
    if not _is_ident(ident):
        error = ApiError(INVALID_PARAM, param="id", reason="id of another type")
        raise FrameError(None, error, named)
    if named is None:
        raise FrameError(ident, ApiError(MANDATORY_PARAM, param="method", reason="no method"))
    params = frame.get("params", {})
    if params is None:
        params = {}
    if not isinstance(params, dict):
        error = ApiError(INVALID_PARAM, param="params", reason="params that is not an object")
        raise FrameError(ident, error, named)
    return Incoming(ident, named, params)


def _text(name: str, value: Any) -> str:
    """A parameter's value as signed and read: strings raw, booleans lower-case, numbers as
    their JSON text."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return orjson.dumps(value).decode()
    raise ApiError(INVALID_PARAM, param=name, reason=f"{name} is a JSON {type(value).__name__}")


def decoded_source(params: dict[str, Any]) -> DecodedSource:
    """The parameters as the checks read them, with the payload their signature covers:
    every parameter but ``signature``, sorted by name, ``k=v`` joined by ``&``."""
    texts = {name: _text(name, value) for name, value in params.items() if value is not None}
    signature = texts.pop(_SIGNATURE, None)
    payload = "&".join(f"{name}={texts[name]}" for name in sorted(texts))
    return DecodedSource(texts, signature, payload.encode())


def wants_rate_limits(params: dict[str, Any], default: bool) -> bool:
    """Whether the answer carries ``rateLimits``: the request's ``returnRateLimits`` (a JSON
    boolean or the text ``true``/``false``), else the connection's."""
    value = params.get(_RETURN_RATE_LIMITS)
    if isinstance(value, str):
        value = {"true": True, "false": False}.get(value.lower())
    return value if isinstance(value, bool) else default


def _rate_limits(count: int | None, limit: int) -> bytes:
    if count is None:
        return b""
    entry = {
        "rateLimitType": "REQUEST_WEIGHT",
        "interval": "MINUTE",
        "intervalNum": 1,
        "limit": limit,
        "count": count,
    }
    return b',"rateLimits":' + orjson.dumps([entry])


def ok_frame(ident: Ident, result: bytes, count: int | None, limit: int) -> str:
    """A success: ``result`` is the JSON document, as the REST endpoint's body; ``count``
    the IP's weight this minute, or None for no ``rateLimits``."""
    head = b'{"id":' + orjson.dumps(ident) + b',"status":200,"result":'
    return (head + result + _rate_limits(count, limit) + b"}").decode()


def error_frame(ident: Ident, error: ApiError, count: int | None, limit: int) -> str:
    """A refusal, with the REST status of its error."""
    head = orjson.dumps({"id": ident, "status": error.status})[:-1]
    body = orjson.dumps({"code": error.code, "msg": error.msg})
    return (head + b',"error":' + body + _rate_limits(count, limit) + b"}").decode()
