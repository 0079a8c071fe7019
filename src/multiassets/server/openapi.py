"""The server's OpenAPI 3.1 document, served at ``GET /_multiassets/openapi.json``.

Generated, not written: the Binance paths come from the endpoint table the server routes by
(``routes.ROUTES``) with their weights and security types, and their refusals from the error
catalogue in the order of the checks (``checks.py``), so the document can't drift from what is
served. What no table says (each handler's answer, the control plane's routes) is held here,
and ``tests/server/test_openapi.py`` fails when it and the server disagree.
"""

from __future__ import annotations

from functools import cache
from http import HTTPStatus

import orjson

from .._version import __version__
from ..protocol import errors as e
from ..protocol.endpoints import Endpoint
from ..protocol.errors import ErrorSpec
from . import handlers
from .faults import KINDS
from .openapi_control import CONTROL_ROUTES, RULE, STATE, ControlRoute, control_operation
from .openapi_schemas import (
    BOOLEAN,
    EMPTY,
    INTEGER,
    JSON,
    LONG,
    MARGIN_TYPE,
    NULLABLE_STRING,
    STRING,
    SYMBOL,
    any_case,
    array,
    obj,
    operation_id,
    schema_ref,
)
from .routes import ROUTES, Handler

__all__ = ["CONTROL_ROUTES", "ControlRoute", "document", "rendered"]

#: A refusal an operation can answer: the error and the parameter its message names.
Refusal = tuple[ErrorSpec, str | None]

PREFIX = "/_multiassets/"  # control.PREFIX (control.py imports this module, not the reverse)


def _r(*specs: ErrorSpec, param: str | None = None) -> tuple[Refusal, ...]:
    return tuple((spec, param) for spec in specs)


#: query (or form) parameter -> schema, description
_PARAMETERS: dict[str, tuple[JSON, str]] = {
    "multiAssetsMargin": (
        any_case("true", "false"),
        '"true": Multi-Assets Mode, "false": Single-Asset Mode; any letter case.',
    ),
    "symbol": (SYMBOL, "A symbol of this server's exchangeInfo; another one: -1121."),
    "marginType": (any_case("ISOLATED", "CROSSED"), "ISOLATED or CROSSED; any letter case."),
    "recvWindow": (
        {**LONG, "exclusiveMinimum": 0, "default": 5000},
        "Milliseconds after timestamp the request stays valid (fapi sets no upper bound).",
    ),
    "timestamp": (LONG, "Milliseconds since the epoch: under now + 1000, within recvWindow."),
    "signature": (
        STRING,
        "Last part of its source. Hex HMAC-SHA256 of the query string followed by the form "
        "body, as sent; base64 RSA (PKCS#1 v1.5, SHA-256) or Ed25519 for a key registered by "
        "its public key.",
    ),
}
_SIGNED = ("recvWindow", "timestamp", "signature")

_SUCCESS = obj({"code": {"const": 200}, "msg": {"const": "success"}})
_LISTEN_KEY = obj({"listenKey": STRING})
_MODE = obj({"multiAssetsMargin": BOOLEAN})
_RATE_LIMIT = {"rateLimitType": {"enum": ["REQUEST_WEIGHT", "ORDERS"]}, "intervalNum": INTEGER}
_RATE_LIMIT |= {"interval": {"enum": ["MINUTE", "SECOND"]}, "limit": INTEGER}
_EXCHANGE_INFO = obj(
    {
        "timezone": {"const": "UTC"},
        "serverTime": LONG,
        "futuresType": {"const": "U_MARGINED"},
        "rateLimits": array(obj(_RATE_LIMIT)),
        "exchangeFilters": array({}),
        "assets": array(
            obj({"asset": STRING, "marginAvailable": BOOLEAN, "autoAssetExchange": NULLABLE_STRING})
        ),
        "symbols": array(
            {
                "type": "object",
                "required": ["symbol", "status", "marginAsset", "filters"],
                "properties": {"symbol": SYMBOL, "marginAsset": STRING, "filters": array({})},
            }
        ),
    }
)
_ACCOUNT_CONFIG = dict.fromkeys(
    ("canTrade", "canDeposit", "canWithdraw", "dualSidePosition"), BOOLEAN
)
_ACCOUNT_CONFIG |= {
    "feeTier": INTEGER,
    "updateTime": LONG,
    "multiAssetsMargin": BOOLEAN,
    "tradeGroupId": INTEGER,
}
_SYMBOL_CONFIG = {"symbol": SYMBOL, "marginType": MARGIN_TYPE, "leverage": INTEGER}
_SYMBOL_CONFIG |= {"isAutoAddMargin": {"enum": ["true", "false"]}, "maxNotionalValue": STRING}

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
    handlers.ping: ("Test connectivity", EMPTY, (), ()),
    handlers.server_time: ("Check server time", obj({"serverTime": LONG}), (), ()),
    handlers.exchange_info: ("Exchange information", _EXCHANGE_INFO, (), ()),
    handlers.multi_assets_margin: ("Get Multi-Assets Mode", _MODE, (), ()),
    handlers.change_multi_assets_margin: ("Change Multi-Assets Mode", _SUCCESS, (), _MODE_REFUSALS),
    handlers.account_config: ("Account configuration", obj(_ACCOUNT_CONFIG), (), ()),
    handlers.symbol_config: (
        "Symbols' configuration (all, or the one named)",
        array(obj(_SYMBOL_CONFIG)),
        ("symbol",),
        _r(e.INVALID_SYMBOL),
    ),
    handlers.change_margin_type: ("Change margin type", _SUCCESS, (), _MARGIN_TYPE_REFUSALS),
    handlers.open_listen_key: ("Open (or extend) the listenKey", _LISTEN_KEY, (), ()),
    handlers.keepalive_listen_key: ("Keep the listenKey alive", _LISTEN_KEY, (), _NO_KEY),
    handlers.close_listen_key: ("Close the listenKey", EMPTY, (), _NO_KEY),
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
        content = {"application/json": {"schema": schema_ref("BinanceError"), "examples": {}}}
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


def _binance_operation(endpoint: Endpoint, handler: Handler, limit: int, examples: JSON) -> JSON:
    summary, answer, optional, own = _ANSWERS[handler]
    security = endpoint.security
    names = (*endpoint.params, *(_SIGNED if security.signed else ()))
    operation: JSON = {
        "operationId": operation_id(endpoint.method, endpoint.path),
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
        operation = control_operation(control)
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
                "BinanceError": obj({"code": INTEGER, "msg": STRING}),
                "ControlError": obj({"error": STRING}),
                "AccountState": obj(STATE),
                "AccountStateIn": obj(STATE, True),
                "FaultRule": obj(RULE),
                "FaultRuleIn": obj(RULE, tuple(name for name in RULE if name != "kind")),
            },
            "examples": dict(sorted(examples.items())),
            "headers": {
                "UsedWeight": {
                    "description": "The client IP's weight this minute.",
                    "schema": INTEGER,
                },
                "RetryAfter": {
                    "description": "Seconds until the minute or ban ends.",
                    "schema": INTEGER,
                },
                "Version": {
                    "description": "multiassets' version (Binance has none).",
                    "schema": STRING,
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
