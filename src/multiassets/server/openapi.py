"""The server's OpenAPI 3.1 document, served at ``GET /_multiassets/openapi.json``.

Generated, not written: the Binance paths come from the endpoint table the server routes by
(``routes.ROUTES``) with their weights and security types, and their refusals from the error
catalogue in the order of the checks (``checks.py``), so the document can't drift from what is
served. What no table says (each handler's answer, the control plane's routes) is held here,
and ``tests/server/test_openapi.py`` fails when it and the server disagree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from http import HTTPStatus
from typing import Any

import orjson

from .._version import __version__
from ..market import SYMBOLS
from ..protocol import errors as e
from ..protocol.endpoints import Endpoint
from ..protocol.errors import ErrorSpec
from . import handlers
from .faults import KINDS
from .routes import ROUTES, Handler

__all__ = ["CONTROL_ROUTES", "ControlRoute", "document", "rendered"]

JSON = dict[str, Any]
#: A refusal an operation can answer: the error and the parameter its message names.
Refusal = tuple[ErrorSpec, str | None]

PREFIX = "/_multiassets/"  # control.PREFIX (control.py imports this module, not the reverse)
_S: JSON = {"type": "string"}
_B: JSON = {"type": "boolean"}
_I: JSON = {"type": "integer"}
_L: JSON = {"type": "integer", "format": "int64"}
_NULL_S: JSON = {"type": ["string", "null"]}
_NULL_I: JSON = {"type": ["integer", "null"]}
_EMPTY: JSON = {"type": "object", "maxProperties": 0}


def _obj(properties: JSON, optional: tuple[str, ...] | bool = ()) -> JSON:
    """A closed object; every property required but those ``optional`` names (True: all)."""
    skip = properties if optional is True else optional or ()
    required = [name for name in properties if name not in skip]
    schema = {"type": "object", "properties": properties, "additionalProperties": False}
    return {**schema, "required": required} if required else schema


def _array(items: JSON) -> JSON:
    return {"type": "array", "items": items}


def _ref(name: str) -> JSON:
    return {"$ref": f"#/components/schemas/{name}"}


def _any_case(*words: str) -> JSON:
    """One of ``words`` in any letter case, as the server reads it: an enum would declare
    ``TRUE`` invalid, which the server accepts."""
    pattern = "|".join("".join(f"[{c.upper()}{c.lower()}]" for c in word) for word in words)
    return {"type": "string", "pattern": f"^({pattern})$", "examples": list(words)}


def _r(*specs: ErrorSpec, param: str | None = None) -> tuple[Refusal, ...]:
    return tuple((spec, param) for spec in specs)


_SYMBOL: JSON = {"type": "string", "enum": [symbol.name for symbol in SYMBOLS]}
_MARGIN_TYPE: JSON = {"type": "string", "enum": ["ISOLATED", "CROSSED"]}
#: query (or form) parameter -> schema, description
_PARAMETERS: dict[str, tuple[JSON, str]] = {
    "multiAssetsMargin": (
        _any_case("true", "false"),
        '"true": Multi-Assets Mode, "false": Single-Asset Mode; any letter case.',
    ),
    "symbol": (_SYMBOL, "A symbol of this server's exchangeInfo; another one: -1121."),
    "marginType": (_any_case("ISOLATED", "CROSSED"), "ISOLATED or CROSSED; any letter case."),
    "recvWindow": (
        {**_L, "exclusiveMinimum": 0, "default": 5000},
        "Milliseconds after timestamp the request stays valid (fapi sets no upper bound).",
    ),
    "timestamp": (_L, "Milliseconds since the epoch: under now + 1000, within recvWindow."),
    "signature": (
        _S,
        "Last part of its source. Hex HMAC-SHA256 of the query string followed by the form "
        "body, as sent; base64 RSA (PKCS#1 v1.5, SHA-256) or Ed25519 for a key registered by "
        "its public key.",
    ),
}
_SIGNED = ("recvWindow", "timestamp", "signature")

_SUCCESS = _obj({"code": {"const": 200}, "msg": {"const": "success"}})
_LISTEN_KEY = _obj({"listenKey": _S})
_MODE = _obj({"multiAssetsMargin": _B})
_RATE_LIMIT = {"rateLimitType": {"enum": ["REQUEST_WEIGHT", "ORDERS"]}, "intervalNum": _I}
_RATE_LIMIT |= {"interval": {"enum": ["MINUTE", "SECOND"]}, "limit": _I}
_EXCHANGE_INFO = _obj(
    {
        "timezone": {"const": "UTC"},
        "serverTime": _L,
        "futuresType": {"const": "U_MARGINED"},
        "rateLimits": _array(_obj(_RATE_LIMIT)),
        "exchangeFilters": _array({}),
        "assets": _array(_obj({"asset": _S, "marginAvailable": _B, "autoAssetExchange": _NULL_S})),
        "symbols": _array(
            {
                "type": "object",
                "required": ["symbol", "status", "marginAsset", "filters"],
                "properties": {"symbol": _SYMBOL, "marginAsset": _S, "filters": _array({})},
            }
        ),
    }
)
_ACCOUNT_CONFIG = dict.fromkeys(("canTrade", "canDeposit", "canWithdraw", "dualSidePosition"), _B)
_ACCOUNT_CONFIG |= {"feeTier": _I, "updateTime": _L, "multiAssetsMargin": _B, "tradeGroupId": _I}
_SYMBOL_CONFIG = {"symbol": _SYMBOL, "marginType": _MARGIN_TYPE, "leverage": _I}
_SYMBOL_CONFIG |= {"isAutoAddMargin": {"enum": ["true", "false"]}, "maxNotionalValue": _S}

_MODE_REFUSALS = (
    *_r(e.MANDATORY_PARAM, e.INVALID_PARAM, param="multiAssetsMargin"),
    # In the order the account rules refuse (README, "The account rules").
    *_r(e.NO_NEED_TO_CHANGE_JOINT_MARGIN, e.JOINT_MARGIN_REJECT_WITH_OPEN_ORDER),
    *_r(e.ISOLATED_REJECT_WITH_JOINT_MARGIN, e.JOINT_MARGIN_REJECT_WITH_NEGATIVE_BALANCE),
    *_r(e.JOINT_MARGIN_REJECT_WITH_MB),
)
_MARGIN_TYPE_REFUSALS = (
    *_r(e.MANDATORY_PARAM, param="symbol"),
    *_r(e.MANDATORY_PARAM, e.INVALID_PARAM, param="marginType"),
    *_r(e.INVALID_SYMBOL, e.NO_NEED_TO_CHANGE_MARGIN_TYPE, e.JOINT_MARGIN_REJECT_WITH_ISOLATED),
    *_r(e.THERE_EXISTS_OPEN_ORDERS, e.THERE_EXISTS_QUANTITY),
)
_NO_KEY = _r(e.INVALID_LISTEN_KEY)

#: handler -> summary, its answer, the parameters it can go without, its own refusals
_ANSWERS: dict[Handler, tuple[str, JSON, tuple[str, ...], tuple[Refusal, ...]]] = {
    handlers.ping: ("Test connectivity", _EMPTY, (), ()),
    handlers.server_time: ("Check server time", _obj({"serverTime": _L}), (), ()),
    handlers.exchange_info: ("Exchange information", _EXCHANGE_INFO, (), ()),
    handlers.multi_assets_margin: ("Get Multi-Assets Mode", _MODE, (), ()),
    handlers.change_multi_assets_margin: ("Change Multi-Assets Mode", _SUCCESS, (), _MODE_REFUSALS),
    handlers.account_config: ("Account configuration", _obj(_ACCOUNT_CONFIG), (), ()),
    handlers.symbol_config: (
        "Symbols' configuration (all, or the one named)",
        _array(_obj(_SYMBOL_CONFIG)),
        ("symbol",),
        _r(e.INVALID_SYMBOL),
    ),
    handlers.change_margin_type: ("Change margin type", _SUCCESS, (), _MARGIN_TYPE_REFUSALS),
    handlers.open_listen_key: ("Open (or extend) the listenKey", _LISTEN_KEY, (), ()),
    handlers.keepalive_listen_key: ("Keep the listenKey alive", _LISTEN_KEY, (), _NO_KEY),
    handlers.close_listen_key: ("Close the listenKey", _EMPTY, (), _NO_KEY),
}


def _refusals(endpoint: Endpoint, own: tuple[Refusal, ...]) -> list[Refusal]:
    """What the endpoint can answer instead, in the order of the checks (``checks.py``)."""
    security = endpoint.security
    found = [*_r(e.TOO_MANY_REQUESTS, e.IP_BANNED)]
    if endpoint.method != "GET":
        found += _r(e.TOO_MANY_PARAMETERS)  # a body over 1 MiB
    if security.needs_key:
        found += _r(e.BAD_API_KEY_FMT, e.REJECTED_MBX_KEY, e.DUPLICATE_PARAM, e.ILLEGAL_CHARS)
    if security.signed:
        found += _r(e.MANDATORY_PARAM, param="timestamp") + _r(e.INVALID_PARAM, param="recvWindow")
        found += _r(e.TIMESTAMP_AHEAD, e.TIMESTAMP_OUTSIDE_RECV_WINDOW)
        found += _r(e.MANDATORY_PARAM, param="signature") + _r(e.INVALID_SIGNATURE)
    found += own
    # Injected faults (on any endpoint), a service down (-1001), an unexpected error (-1000).
    found += _r(*(spec for spec in KINDS.values() if spec is not None), e.DISCONNECTED, e.UNKNOWN)
    return list(dict.fromkeys(found))


_HEADERS: JSON = {
    "X-MBX-USED-WEIGHT-1M": {"$ref": "#/components/headers/UsedWeight"},
    "X-Multiassets-Version": {"$ref": "#/components/headers/Version"},
}
_RETRY_AFTER: JSON = {"$ref": "#/components/headers/RetryAfter"}
_WHY = {418: "IP banned for requests after a 429", 429: "Over the weight limit"}


def _error_responses(refusals: list[Refusal], weight_limit: int, examples: JSON) -> JSON:
    """One response per HTTP status, with an example of each refusal answered with it (the
    examples themselves go to ``examples``, the document's components)."""
    fields = {"ip": "127.0.0.1", "limit": weight_limit, "until": 1_800_000_120_000}
    responses: JSON = {}
    for spec, param in refusals:
        headers = _HEADERS | ({"Retry-After": _RETRY_AFTER} if spec.status in (418, 429) else {})
        content = {"application/json": {"schema": _ref("BinanceError"), "examples": {}}}
        description = _WHY.get(spec.status) or HTTPStatus(spec.status).phrase
        response = responses.setdefault(
            str(spec.status), {"description": description, "headers": headers, "content": content}
        )
        name = spec.name + (f"_{param}" if param else "")
        value = {"code": spec.code, "msg": spec.message(**fields, param=param)}
        examples[name] = {"summary": f"{spec.code} {spec.name}", "value": value}
        ref = {"$ref": f"#/components/examples/{name}"}
        response["content"]["application/json"]["examples"][name] = ref
    return dict(sorted(responses.items()))


def _operation_id(method: str, path: str) -> str:
    words = re.findall(r"[A-Za-z0-9]+", path)
    return method.lower() + "".join(word[:1].upper() + word[1:] for word in words)


def _binance_operation(endpoint: Endpoint, handler: Handler, limit: int, examples: JSON) -> JSON:
    summary, answer, optional, own = _ANSWERS[handler]
    security = endpoint.security
    names = (*endpoint.params, *(_SIGNED if security.signed else ()))
    operation: JSON = {
        "operationId": _operation_id(endpoint.method, endpoint.path),
        "summary": f"{summary} ({security.value})",
        "tags": ["binance"],
        "x-weight": endpoint.weight,
        "x-security-type": security.value,
        "security": [{"apiKey": []}] if security.needs_key else [],
    }
    if names:
        operation["parameters"] = [
            {
                "name": name,
                "in": "query",
                "required": name not in (*optional, "recvWindow"),
                "schema": _PARAMETERS[name][0],
                "description": _PARAMETERS[name][1],
            }
            for name in names
        ]
    if names and endpoint.method != "GET":
        form = {"type": "object", "properties": {name: _PARAMETERS[name][0] for name in names}}
        operation["requestBody"] = {
            "description": "Any parameter may come here instead of the query string (the "
            "query wins on a repeat); a mandatory one must be in one of the two.",
            # Open: a parameter the endpoint does not read is ignored (but signed).
            "content": {"application/x-www-form-urlencoded": {"schema": form}},
        }
    ok: JSON = {"description": "OK", "headers": _HEADERS}
    ok["content"] = {"application/json": {"schema": answer}}
    errors = _error_responses(_refusals(endpoint, own), limit, examples)
    operation["responses"] = {"200": ok, **errors}
    return operation


@dataclass(frozen=True, slots=True)
class ControlRoute:
    """One control-plane route as ``control.py`` serves it (``path`` under the prefix)."""

    method: str
    path: str
    summary: str
    answer: JSON
    body: JSON | None = None
    #: Statuses beyond those of every route (400, 403, 413, 500; 401 with a token).
    errors: tuple[int, ...] = ()
    token: bool = True
    media_type: str = "application/json"
    query: tuple[tuple[str, JSON], ...] = ()


_KEY = {"apiKey": _S, "type": {"enum": ["HMAC", "RSA", "ED25519"]}}
_KEY |= {"permissions": _array({"enum": ["USER_DATA", "TRADE"]})}
_KEY |= {"ipAllowlist": {"type": ["array", "null"], "items": _S}}
_NEW_KEY = {"account": _S, **_KEY, "secretKey": _S}
_KEY_IN = {"permissions": _KEY["permissions"], "ipAllowlist": _KEY["ipAllowlist"]}
_KEY_IN = _obj({**_KEY_IN, "type": _KEY["type"], "publicKey": _S}, True)
_DECIMAL: JSON = {"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]+)?$"}
_AMOUNTS = ("positionAmt", "entryPrice", "initialMargin", "unrealizedProfit")
_POSITION = {"symbol": _SYMBOL, "positionSide": {"enum": ["BOTH", "LONG", "SHORT"]}}
_POSITION |= dict.fromkeys(_AMOUNTS, _DECIMAL)
_ORDER = {"orderId": _I, "symbol": _SYMBOL, "side": {"enum": ["BUY", "SELL"]}, "type": _S}
_ORDER |= dict.fromkeys(("price", "origQty"), _DECIMAL)
_STATE = {
    "multiAssetsMargin": _B,
    "marginTypes": {"type": "object", "additionalProperties": _MARGIN_TYPE},
    "balances": {"type": "object", "additionalProperties": _DECIMAL},
    "positions": _array(_obj(_POSITION, ("positionSide", *_AMOUNTS[1:]))),
    "openOrders": _array(_obj(_ORDER, ("type", "price"))),
}
_RULE = {"kind": {"enum": list(KINDS)}, **dict.fromkeys(("method", "path", "account"), _NULL_S)}
_RULE |= {"apiKey": _NULL_S, "probability": {"type": "number", "exclusiveMinimum": 0, "maximum": 1}}
_RULE |= {"times": {**_NULL_I, "minimum": 1}, "latencyMs": {"type": "integer", "minimum": 0}}
_RULE |= {"latencyMaxMs": _NULL_I, "applied": _B, "id": _I, "fired": _I}
_ENTRY = {"seq": _I, "time": _L, **dict.fromkeys(("ip", "method", "path"), _S)}
_ENTRY |= {"account": _NULL_S, "key": _NULL_S, "weight": _I, "status": _I, "code": _NULL_I}
_ENTRY |= {"reason": _NULL_S, "injected": _NULL_S}
_LOG = _obj({"entries": _array(_obj(_ENTRY)), "last": _I})
_LOG_QUERY: tuple[tuple[str, JSON], ...] = (
    ("since", {**_I, "default": 0}),
    ("account", _S),
    ("refused", {"enum": ["1", "true"]}),
    ("limit", {**_I, "minimum": 1, "maximum": 2000, "default": 200}),
)
_UP = {"enum": ["ok", "unreachable"]}
_HEALTH = _obj({"status": {"enum": ["ok", "degraded"]}, "database": _UP, "redis": _UP}, ("redis",))
_ACCOUNT = _obj({"name": _S, "multiAssetsMargin": _B})
_CLOCK = _obj({"serverTime": _L, "offsetMs": _L, "frozen": _B})
_CLOCK_IN = _obj({"offsetMs": _L, "freeze": _B, "at": {**_L, "minimum": 0}}, True)
_FAULTS = _obj({"rules": _array(_ref("FaultRule"))})
_FAULT_FILE = _obj({"seed": _NULL_I, "rules": _array(_ref("FaultRuleIn"))}, True)
_EXPORTED = _obj({"name": _S, "keys": _array({"type": "object"}), "state": _ref("AccountState")})
_EXPORT = _obj({"format": {"const": "multiassets/state@1"}, "accounts": _array(_EXPORTED)})
_STATE_OUT, _STATE_IN = _ref("AccountState"), _ref("AccountStateIn")
_DB = (404, 409, 503)  # no such account or key; a conflict; Redis down
_RT = (503,)  # Redis down
_C = ControlRoute

#: Every route of ``control.py``; the tests hold the two to each other, both ways.
CONTROL_ROUTES: tuple[ControlRoute, ...] = (
    _C("GET", "health", "Whether the database (and Redis) answer", _HEALTH, None, (503,), False),
    _C("GET", "ui", "The inspector page", _S, token=False, media_type="text/html"),
    _C("GET", "openapi.json", "This document", {"type": "object"}, token=False),
    _C("GET", "metrics", "Prometheus metrics", _S, media_type="text/plain"),
    _C("GET", "log", "The request log", _LOG, query=_LOG_QUERY),
    _C("GET", "clock", "The server's clock", _CLOCK, None, _RT),
    _C("PUT", "clock", "Shift or freeze the clock", _CLOCK, _CLOCK_IN, _RT),
    _C("DELETE", "clock", "Reset the clock", _CLOCK, None, _RT),
    _C("GET", "faults", "The fault rules", _FAULTS, None, _RT),
    _C("POST", "faults", "Add a fault rule", _ref("FaultRule"), _ref("FaultRuleIn"), _RT),
    _C("PUT", "faults", "Replace every fault rule (and the seed)", _FAULTS, _FAULT_FILE, _RT),
    _C("DELETE", "faults", "Clear the fault rules", _FAULTS, None, _RT),
    _C("DELETE", "faults/{id}", "Remove a fault rule", _FAULTS, None, (404, *_RT)),
    _C("GET", "accounts", "List accounts", _array(_ACCOUNT), None, _DB),
    _C("POST", "accounts", "Create an account", _ACCOUNT, _obj({"name": _S}), _DB),
    _C("DELETE", "accounts/{name}", "Delete an account", _EMPTY, None, _DB),
    _C("GET", "accounts/{name}/keys", "An account's keys", _array(_obj(_KEY)), None, _DB),
    _C(
        "POST", "accounts/{name}/keys", "Create a key", _obj(_NEW_KEY, ("secretKey",)), _KEY_IN, _DB
    ),
    _C("DELETE", "keys/{apiKey}", "Revoke a key", _EMPTY, None, _DB),
    _C("GET", "accounts/{name}/state", "An account's state", _STATE_OUT, None, _DB),
    _C("PUT", "accounts/{name}/state", "Replace an account's state", _STATE_OUT, _STATE_IN, _DB),
    _C("PATCH", "accounts/{name}/state", "Set the fields given", _STATE_OUT, _STATE_IN, _DB),
    _C("GET", "state", "Export the whole server (secrets included)", _EXPORT, None, _DB),
    _C("PUT", "state", "Import the whole server, all or nothing", _EMPTY, _EXPORT, _DB),
    _C("POST", "reset", "Delete everything; clear faults, clock and log", _EMPTY, None, _DB),
)
#: Without a body: an HMAC key with both permissions.
_OPTIONAL_BODIES = {("POST", "accounts/{name}/keys")}
_PATH_PARAMETERS = {"name": _S, "apiKey": _S, "id": _I}


def _control_operation(route: ControlRoute) -> JSON:
    statuses = sorted({400, 403, 413, 500, *((401,) if route.token else ()), *route.errors})
    error = {"content": {"application/json": {"schema": _ref("ControlError")}}}
    ok = {"description": "OK", "content": {route.media_type: {"schema": route.answer}}}
    responses = {"200": ok} | {
        str(s): {"description": HTTPStatus(s).phrase, **error} for s in statuses
    }
    operation: JSON = {
        "operationId": _operation_id(route.method, "control/" + route.path),
        "summary": route.summary,
        "tags": ["control plane"],
        "security": [{"bearerAuth": []}] if route.token else [],
        "responses": responses,
    }
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": _PATH_PARAMETERS[name]}
        for name in re.findall(r"\{(\w+)\}", route.path)
    ]
    parameters += [{"name": name, "in": "query", "schema": schema} for name, schema in route.query]
    if parameters:
        operation["parameters"] = parameters
    if route.body is not None:
        required = (route.method, route.path) not in _OPTIONAL_BODIES
        content = {"application/json": {"schema": route.body}}
        operation["requestBody"] = {"required": required, "content": content}
    return operation


_DESCRIPTION = """\
A local emulator of Binance USD-M Futures' Multi-Assets Mode API, and its control plane.

Binance paths: each operation's weight (`x-weight`) is charged to the client IP, by the minute, \
against a limit of {limit}; every answer carries the IP's weight this minute in \
`X-MBX-USED-WEIGHT-1M`. Over the limit: 429; a request after a 429 in the same minute: a 418 \
ban (both `-1003`, with `Retry-After`). Any other path, or another method on these paths, gets \
Binance's HTML 404 page, not JSON. The user data stream is a WebSocket at `/ws/<listenKey>` \
(`ACCOUNT_CONFIG_UPDATE` on each change of mode), which OpenAPI does not describe.

Control plane (`{prefix}`): `Authorization: Bearer <token>` unless an operation says otherwise; \
loopback clients only unless the server runs with `--admin-allow-remote` (403); JSON bodies; \
errors are `{{"error": "…"}}`."""


def document(weight_limit: int = 2400) -> JSON:
    """The OpenAPI 3.1 document of a server whose weight limit is ``weight_limit``."""
    paths: JSON = {}
    examples: JSON = {}
    for methods in ROUTES.values():
        for route in methods.values():
            endpoint = route.endpoint
            operation = _binance_operation(endpoint, route.handler, weight_limit, examples)
            paths.setdefault(endpoint.path, {})[endpoint.method.lower()] = operation
    for control in CONTROL_ROUTES:
        operation = _control_operation(control)
        paths.setdefault(PREFIX + control.path, {})[control.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "multiassets",
            "version": __version__,
            "description": _DESCRIPTION.format(limit=weight_limit, prefix=PREFIX),
        },
        "tags": [
            {"name": "binance", "description": "Binance's paths, answered as Binance does."},
            {"name": "control plane", "description": "For the people who run the server."},
        ],
        "paths": paths,
        "components": {
            "schemas": {
                "BinanceError": _obj({"code": _I, "msg": _S}),
                "ControlError": _obj({"error": _S}),
                "AccountState": _obj(_STATE),
                "AccountStateIn": _obj(_STATE, True),
                "FaultRule": _obj(_RULE),
                "FaultRuleIn": _obj(_RULE, tuple(name for name in _RULE if name != "kind")),
            },
            "examples": dict(sorted(examples.items())),
            "headers": {
                "UsedWeight": {"description": "The client IP's weight this minute.", "schema": _I},
                "RetryAfter": {
                    "description": "Seconds until the minute or ban ends.",
                    "schema": _I,
                },
                "Version": {
                    "description": "multiassets' version (Binance has none).",
                    "schema": _S,
                },
            },
            "securitySchemes": {
                "apiKey": {"type": "apiKey", "in": "header", "name": "X-MBX-APIKEY"},
                "bearerAuth": {"type": "http", "scheme": "bearer"},
            },
        },
    }


@cache
def rendered(weight_limit: int) -> bytes:
    """The document as served: rendered once per process (per weight limit)."""
    return orjson.dumps(document(weight_limit))
