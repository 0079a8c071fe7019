"""The server's AsyncAPI 3.0 document: its WebSocket API (``/ws-fapi/v1``), served at
``GET /_multiassets/asyncapi.json``; the OpenAPI document's counterpart (``document.py``).

Generated, not written: one operation per method of ``wsapi.methods.METHODS``, with its
endpoint's weight, security and parameters (``protocol/endpoints.py``), its ``result`` the
answer schema of the REST twin (the OpenAPI document's), its refusals those the OpenAPI
document lists for the twin, in the checks' order. Then the envelope (``wsapi/envelope.py``:
the frames, ``rateLimits``, what a frame that is no request gets) and the connection
(``wsapi/session.py``: the handshake's weight, the lifetime, ``returnRateLimits``).
"""

from __future__ import annotations

from functools import cache

import orjson

from ..._version import __version__
from ...protocol import errors as e
from ...protocol.endpoints import (
    SESSION_LOGON,
    SESSION_LOGOUT,
    SESSION_STATUS,
    SIGNED_PARAMS,
    Endpoint,
    Param,
)
from ...protocol.errors import ErrorSpec
from ...protocol.limits import WS_HANDSHAKE_WEIGHT
from ..api.operations import Operation
from ..api.routes import ROUTES
from ..config import ServerConfig
from ..streams.hub import MAX_CONNECTION_MS
from ..wsapi import WSAPI_PATH
from ..wsapi.methods import LEFT_OUT, METHODS
from .document import param_schema, refusal_value, refusals_of, x_weight
from .schemas import BOOLEAN, INTEGER, JSON, LONG, NULLABLE_STRING, STRING, array, obj, schema_ref

__all__ = ["document", "method_key", "rendered"]

_CHANNEL = "wsApi"
_HOST: JSON = {"host": {"default": "127.0.0.1:8080"}}
_IDENT: JSON = {"type": ["string", "integer", "null"], "description": "Echoed (null if none)."}
_ID: JSON = {"$ref": "#/components/correlationIds/id"}
#: A refusal as an example shows it: the error, the parameter its text names, why (or ""),
#: and the ``id`` it is answered with.
_Example = tuple[ErrorSpec, str | None, str, int | None]
#: What ``envelope.py`` and ``session.py`` answer a frame that is no request for a method
#: served, in the order they look; the ``id`` is null where it could not be read.
_FRAME_REFUSALS: tuple[_Example, ...] = (
    (e.ILLEGAL_CHARS, None, "text that is not JSON, or JSON that is not an object", None),
    (e.INVALID_PARAM, "id", "an id that is not a string, an integer or null", None),
    (e.MANDATORY_PARAM, "method", "no method, or one that is not a string", 1),
    (e.INVALID_PARAM, "params", "params that is not an object", 1),
    (e.INVALID_PARAM, "method", "a method this server does not serve", 1),
    (e.INVALID_PARAM, "symbol", "a parameter whose value is an object or an array", 1),
)
_BY_SESSION = " Mandatory unless the connection is logged on (session.logon)."
#: A frame's own parameters: the key, and the descriptions REST's signed ones get here.
_API_KEY = Param("apiKey", "The API key." + _BY_SESSION)
_DESCRIPTIONS = {
    "timestamp": SIGNED_PARAMS[1].description + _BY_SESSION,
    "signature": "Of every other parameter sorted by name, k=v joined by & (a boolean as "
    "true/false, a number as its JSON): hex HMAC-SHA256, base64 RSA or Ed25519." + _BY_SESSION,
}
_RETURN_RATE_LIMITS: JSON = {
    "type": ["boolean", "string"],
    "description": "Whether this answer carries rateLimits (true/false, or that text); else "
    "the URL's returnRateLimits decides. Signed like any parameter.",
}
_HIDES = "false (any letter case) hides rateLimits unless a request asks; anything else shows them"
_QUERY: JSON = {
    "type": "object",
    "properties": {"returnRateLimits": {**STRING, "description": _HIDES}},
}
#: What session.logon, session.status and session.logout answer (``wsapi/methods.py``).
_SESSION = {"apiKey": NULLABLE_STRING, "authorizedSince": {**LONG, "type": ["integer", "null"]}}
_SESSION |= {"connectedSince": LONG, "returnRateLimits": BOOLEAN, "serverTime": LONG}
_OWN_RESULTS = dict.fromkeys((SESSION_LOGON, SESSION_STATUS, SESSION_LOGOUT), obj(_SESSION))


def method_key(name: str) -> str:
    """An operation's key, and its messages' stem: ``v2/account.status`` -> ``v2AccountStatus``
    (a component's key may not hold a ``/``)."""
    words = name.replace("/", ".").split(".")
    return words[0] + "".join(word[:1].upper() + word[1:] for word in words[1:])


def _twin(endpoint: Endpoint) -> Operation | None:
    """The REST operation serving the method's endpoint, if one does."""
    route = ROUTES.get(endpoint.path, {}).get(endpoint.method)
    return route.operation if route is not None else None


def _result(name: str, endpoint: Endpoint) -> JSON:
    """The REST twin's answer schema (less what the method leaves out), or the method's own."""
    twin = _twin(endpoint)
    schema = twin.answer if twin is not None else _OWN_RESULTS.get(endpoint, {})
    left_out = LEFT_OUT.get(name, ())
    if not left_out:
        return schema
    properties = {k: v for k, v in schema["properties"].items() if k not in left_out}
    required = [k for k in schema.get("required", ()) if k not in left_out]
    return {**schema, "properties": properties, "required": required}


def _params(endpoint: Endpoint) -> JSON:
    """A request's ``params``: the endpoint's parameters, typed as the OpenAPI document types
    them; another is ignored (but signed), and none may be an object or an array."""
    security = endpoint.security
    declared = (
        *((_API_KEY,) if security.needs_key else ()),
        *endpoint.params,
        *(SIGNED_PARAMS if security.signed else ()),
    )
    properties: JSON = {
        param.name: {
            **param_schema(param),
            "description": _DESCRIPTIONS.get(param.name, param.description),
        }
        for param in declared
    }
    properties["returnRateLimits"] = _RETURN_RATE_LIMITS
    scalar = {"type": ["string", "number", "boolean", "null"]}
    schema: JSON = {"type": "object", "properties": properties, "additionalProperties": scalar}
    required = [param.name for param in endpoint.params if param.required]
    return {**schema, "required": required} if required else schema


def _answer(status: JSON, body: str, schema: JSON) -> JSON:
    """An answer frame: ``result`` or ``error``, and ``rateLimits`` unless hidden."""
    fields = {"id": schema_ref("Ident"), "status": status, body: schema}
    return obj({**fields, "rateLimits": schema_ref("RateLimits")}, ("rateLimits",))


def _refused(summary: str, refusals: list[_Example], limit: int) -> JSON:
    """A refusal message: its payload, with one example of each refusal, in their order."""
    examples = [
        {
            "name": spec.name + (f"_{param}" if param else ""),
            "summary": f"{spec.code} {spec.name}" + (f": {why}" if why else ""),
            "payload": {
                "id": ident,
                "status": spec.status,
                "error": refusal_value(spec, param, limit),
            },
        }
        for spec, param, why, ident in refusals
    ]
    statuses = {"enum": sorted({refusal[0].status for refusal in refusals})}
    payload = _answer(statuses, "error", schema_ref("BinanceError"))
    return {"summary": summary, "payload": payload, "correlationId": _ID, "examples": examples}


def _messages(name: str, endpoint: Endpoint, limit: int) -> JSON:
    """The method's request, its result and its refusals, keyed as the components hold them."""
    twin = _twin(endpoint)
    refusals = refusals_of(endpoint, twin.refusals if twin is not None else (), frames=True)
    fields = {"id": schema_ref("Ident"), "method": {"const": name}, "params": _params(endpoint)}
    request = {"type": "object", "properties": fields, "required": ["method"]}
    key = method_key(name)
    return {
        f"{key}Request": {"name": name, "payload": request, "correlationId": _ID},
        f"{key}Result": {
            "summary": f"What {name} answers",
            "payload": _answer({"const": 200}, "result", _result(name, endpoint)),
            "correlationId": _ID,
        },
        f"{key}Refused": _refused(
            f"{name} refused: each check's refusals in the checks' order, as over REST",
            [(spec, param, "", 1) for spec, param in refusals],
            limit,
        ),
    }


def _operation(key: str, title: str, summary: str, replies: tuple[str, ...]) -> JSON:
    """The server receives ``{key}Request`` and answers one of ``{key}{reply}``."""
    channel, messages = {"$ref": f"#/channels/{_CHANNEL}"}, f"#/channels/{_CHANNEL}/messages/"
    return {
        "action": "receive",
        "channel": channel,
        "title": title,
        "summary": summary,
        "messages": [{"$ref": f"{messages}{key}Request"}],
        "reply": {"channel": channel, "messages": [{"$ref": messages + key + r} for r in replies]},
    }


def _method(name: str, endpoint: Endpoint) -> JSON:
    twin = _twin(endpoint)
    summary = f"{twin.summary if twin is not None else name} ({endpoint.security.value})"
    operation = _operation(method_key(name), name, summary, ("Result", "Refused"))
    return operation | {"x-weight": x_weight(endpoint), "x-security-type": endpoint.security.value}


def _channel(messages: JSON, config: ServerConfig) -> JSON:
    return {
        "address": WSAPI_PATH,
        "title": "The WebSocket API",
        "servers": [{"$ref": "#/servers/local"}],
        "messages": {key: {"$ref": f"#/components/messages/{key}"} for key in messages},
        "bindings": {"ws": {"method": "GET", "query": _QUERY, "bindingVersion": "0.1.0"}},
        "x-handshake-weight": WS_HANDSHAKE_WEIGHT,
        "x-lifetime-ms": MAX_CONNECTION_MS,
        "x-ping-interval-s": config.ws_ping_interval_s,
        "x-pong-timeout-s": config.ws_pong_timeout_s,
    }


def _rate_limits(limit: int) -> JSON:
    """``rateLimits`` as ``envelope.py`` writes it: the one REQUEST_WEIGHT entry."""
    entry: JSON = {"rateLimitType": {"const": "REQUEST_WEIGHT"}, "interval": {"const": "MINUTE"}}
    entry |= {"intervalNum": {"const": 1}, "limit": {"const": limit}, "count": INTEGER}
    return {**array(obj(entry)), "description": "The client IP's weight this minute."}


_DESCRIPTION = """\
Binance's USD-M Futures WebSocket API (`ws-fapi`) on this server, at `ws://<host>{path}`.

One JSON request a text frame, `{{"id", "method", "params"}}`, and one answer each, in order: \
`{{"id", "status", "result"}}`, or `{{"id", "status", "error": {{"code", "msg"}}}}` with the REST \
status of the error; and `rateLimits` (the client IP's weight this minute, against {limit}) \
unless the URL's `returnRateLimits=false` hides it (a request's own `returnRateLimits` decides \
for its answer). Each method is its REST twin: its weight (`x-weight`) on the same per-IP \
budget as REST, the same checks in the same order, the same refusals and documents.

The handshake weighs {handshake}; over the limit it is refused with the REST answer (429, then \
418). A connection lasts {hours} hours on the server's clock, then is closed (1000). The server \
pings a connection {ping} s after it opens and {ping} s after each ping it got a pong for, and \
closes it (1011) when a ping's pong has not come within {pong} s (by default Binance's numbers; \
a silent client is pinged once, not every {ping} s). After `session.logon` (Ed25519 keys only) \
requests may leave out apiKey, signature and timestamp; when the session's key stops passing \
(revoked, or its IP or permission withdrawn), the answer to the next request is followed by \
`{{"id": null, "status": 401, "error": {{"code": -2015, …}}}}`, and the session is logged out. \
A frame that is no request for a method served (`frame`) is answered, and not charged."""


def document(config: ServerConfig) -> JSON:
    """The AsyncAPI 3.0 document of a server with these settings (weight limit, pings)."""
    weight_limit = config.weight_limit
    messages: JSON = {}
    operations: JSON = {}
    for name, method in METHODS.items():
        messages |= _messages(name, method.endpoint, weight_limit)
        operations[method_key(name)] = _method(name, method.endpoint)
    messages["frameRequest"] = {"summary": "A frame that is no request for a method served"}
    messages["frameRefused"] = _refused("How it is answered", [*_FRAME_REFUSALS], weight_limit)
    frame = _operation("frame", "Not a request", "Answered, not charged", ("Refused",))
    operations["frame"] = frame | {"x-weight": 0}
    numbers = {"path": WSAPI_PATH, "limit": weight_limit, "handshake": WS_HANDSHAKE_WEIGHT}
    numbers |= {"hours": MAX_CONNECTION_MS // 3_600_000}
    numbers |= {"ping": f"{config.ws_ping_interval_s:g}", "pong": f"{config.ws_pong_timeout_s:g}"}
    description = _DESCRIPTION.format(**numbers)
    return {
        "asyncapi": "3.0.0",
        "info": {"title": "multiassets", "version": __version__, "description": description},
        "defaultContentType": "application/json",
        "servers": {"local": {"host": "{host}", "protocol": "ws", "variables": _HOST}},
        "channels": {_CHANNEL: _channel(messages, config)},
        "operations": operations,
        "components": {
            "schemas": {
                "Ident": _IDENT,
                "BinanceError": obj({"code": INTEGER, "msg": STRING}),
                "RateLimits": _rate_limits(weight_limit),
            },
            "messages": messages,
            "correlationIds": {"id": {"location": "$message.payload#/id"}},
        },
    }


@cache
def rendered(config: ServerConfig) -> bytes:
    """The document as served: rendered once per process (per settings)."""
    return orjson.dumps(document(config))
