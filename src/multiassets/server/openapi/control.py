"""The control plane's routes, declared once: what the OpenAPI document (``document.py``)
describes and ``control/plane.py`` binds to its operations (its import fails if the two
disagree)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from http import HTTPStatus

from ...account.model import (
    AMOUNT_PATTERN,
    ORDER_AMOUNTS,
    ORDER_DEFAULTS,
    ORDER_ID_MAX,
    ORDER_ID_MIN,
    ORDER_SIDES,
    ORDER_TYPES,
    POSITION_AMOUNTS,
    POSITION_DEFAULTS,
    POSITION_SIDES,
)
from ...account.preview import ASSET_FIELDS, MODE_NAMES, TOTAL_FIELDS
from ...account.prices import INDEX_FIELDS, PRICE_PATTERN
from ...admin import ACCOUNT_NAME_PATTERN, EXPORT_FORMAT
from ...defaults import CONTROL_PREFIX
from ...market import ASSETS, SYMBOLS
from ..clock import MAX_TIME_MS
from ..control.faults import KINDS
from .schemas import (
    BOOLEAN,
    EMPTY,
    INTEGER,
    JSON,
    LONG,
    MARGIN_TYPE,
    NULLABLE_INTEGER,
    NULLABLE_STRING,
    STRING,
    SYMBOL,
    array,
    enum,
    obj,
    operation_id,
    schema_ref,
)

__all__ = ["CONTROL_ROUTES", "PREFIX", "RULE", "STATE", "ControlRoute", "control_operation"]

#: Where the control plane lives: a prefix Binance can't use.
PREFIX = CONTROL_PREFIX


@dataclass(frozen=True, slots=True)
class ControlRoute:
    """One control-plane route as ``control/plane.py`` serves it (``path`` under the prefix)."""

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


_KEY = {"apiKey": STRING, "type": {"enum": ["HMAC", "RSA", "ED25519"]}}
_KEY |= {"permissions": array({"enum": ["USER_DATA", "TRADE"]})}
_KEY |= {"ipAllowlist": {"type": ["array", "null"], "items": STRING}}
_NEW_KEY = {"account": STRING, **_KEY, "secretKey": STRING}
_KEY_IN = {"permissions": _KEY["permissions"], "ipAllowlist": _KEY["ipAllowlist"]}
_KEY_IN = obj({**_KEY_IN, "type": _KEY["type"], "publicKey": STRING}, True)


def _with_defaults(properties: JSON, defaults: dict[str, str]) -> JSON:
    """A closed object whose properties in ``defaults`` may be left out, for those values."""
    shown = {
        name: {**schema, "default": defaults[name]} if name in defaults else schema
        for name, schema in properties.items()
    }
    return obj(shown, tuple(defaults))


_NAME: JSON = {"type": "string", "pattern": ACCOUNT_NAME_PATTERN}
_DECIMAL: JSON = {"type": "string", "pattern": AMOUNT_PATTERN}
_ORDER_ID: JSON = {**LONG, "minimum": ORDER_ID_MIN, "maximum": ORDER_ID_MAX}
_POSITION = {"symbol": SYMBOL, "positionSide": enum(POSITION_SIDES)}
_POSITION |= dict.fromkeys(POSITION_AMOUNTS, _DECIMAL)
_ORDER = {"orderId": _ORDER_ID, "symbol": SYMBOL, "side": enum(ORDER_SIDES)}
_ORDER |= {"type": enum(ORDER_TYPES), "positionSide": enum(POSITION_SIDES)}
_ORDER |= dict.fromkeys(ORDER_AMOUNTS, _DECIMAL)
_LEVERAGE = {s.name: {**INTEGER, "minimum": 1, "maximum": s.max_leverage} for s in SYMBOLS}
STATE = {
    "multiAssetsMargin": BOOLEAN,
    "dualSidePosition": {**BOOLEAN, "description": "Hedge Mode: positions LONG and SHORT."},
    "creditsMode": {
        **BOOLEAN,
        "description": "An EU account in Credits Trading Mode (BNFCR): held in Multi-Assets Mode.",
    },
    "marginTypes": obj(dict.fromkeys((symbol.name for symbol in SYMBOLS), MARGIN_TYPE), True),
    "leverage": obj(_LEVERAGE, True),
    "balances": obj(dict.fromkeys((asset.name for asset in ASSETS), _DECIMAL), True),
    "positions": {
        **array(_with_defaults(_POSITION, POSITION_DEFAULTS)),
        "description": "One position at most per symbol and positionSide: the control plane"
        " refuses a second (a rule JSON Schema can't state).",
    },
    "openOrders": {
        **array(_with_defaults(_ORDER, ORDER_DEFAULTS)),
        "description": "Each orderId once at most: the control plane refuses a repeat (a rule"
        " JSON Schema can't state).",
    },
}
RULE = {
    "kind": {"enum": list(KINDS)},
    **dict.fromkeys(("method", "path", "account"), NULLABLE_STRING),
}
RULE |= {
    "apiKey": NULLABLE_STRING,
    "probability": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
}
RULE |= {
    "times": {**NULLABLE_INTEGER, "minimum": 1},
    "latencyMs": {"type": "integer", "minimum": 0},
}
RULE |= {"latencyMaxMs": NULLABLE_INTEGER, "applied": BOOLEAN, "id": INTEGER, "fired": INTEGER}
_ENTRY = {"seq": INTEGER, "time": LONG, **dict.fromkeys(("ip", "method", "path"), STRING)}
_ENTRY |= {
    "account": NULLABLE_STRING,
    "key": NULLABLE_STRING,
    "weight": INTEGER,
    "status": INTEGER,
    "code": NULLABLE_INTEGER,
}
_ENTRY |= {"reason": NULLABLE_STRING, "injected": NULLABLE_STRING}
_LOG = obj({"entries": array(obj(_ENTRY)), "last": INTEGER})
_LOG_QUERY: tuple[tuple[str, JSON], ...] = (
    ("since", {**INTEGER, "default": 0}),
    ("account", STRING),
    ("refused", {"enum": ["1", "true"]}),
    ("limit", {**INTEGER, "minimum": 1, "maximum": 2000, "default": 200}),
)
_UP = {"enum": ["ok", "unreachable"]}
_HEALTH = obj({"status": {"enum": ["ok", "degraded"]}, "database": _UP, "redis": _UP}, ("redis",))
_ACCOUNT = obj({"name": STRING, "multiAssetsMargin": BOOLEAN})
_CLOCK = obj({"serverTime": LONG, "offsetMs": LONG, "frozen": BOOLEAN})
#: Server time stays within [0, MAX_TIME_MS] (runtime.set_clock); an offset's bound depends on now.
_AT = {**LONG, "minimum": 0, "maximum": MAX_TIME_MS}
_CLOCK_IN = obj({"offsetMs": LONG, "freeze": BOOLEAN, "at": _AT}, True)
_FAULTS = obj({"rules": array(schema_ref("FaultRule"))})
_FAULT_FILE = obj({"seed": NULLABLE_INTEGER, "rules": array(schema_ref("FaultRuleIn"))}, True)
# An export's names are any string: a database made before names had an alphabet may hold
# any. An import's must be of the alphabet, and may leave out keys (none) and any part of
# the state (empty).
_EXPORTED = {"name": STRING, "keys": array({"type": "object"}), "state": schema_ref("AccountState")}
_EXPORT = obj({"format": {"const": EXPORT_FORMAT}, "accounts": array(obj(_EXPORTED))})
_IMPORTED = {**_EXPORTED, "name": _NAME, "state": schema_ref("AccountStateIn")}
_IMPORTED = obj(_IMPORTED, ("keys", "state"))
_IMPORT = obj({"format": {"const": EXPORT_FORMAT}, "accounts": array(_IMPORTED)})
_STATE_OUT, _STATE_IN = schema_ref("AccountState"), schema_ref("AccountStateIn")
_PRICE: JSON = {"type": "string", "pattern": PRICE_PATTERN}
_BUFFER: JSON = {**_PRICE, "description": "Below 1."}
_INDEX = {"index": {**_PRICE, "description": "USD; above 0."}}
_INDEX |= dict.fromkeys(INDEX_FIELDS[1:], _BUFFER)
_MARKS = dict.fromkeys((symbol.name for symbol in SYMBOLS), _PRICE)
_MARKET = obj({"markPrices": obj(_MARKS), "assetIndex": obj({a.name: obj(_INDEX) for a in ASSETS})})
_MARKET_IN = obj(
    {
        "markPrices": obj(_MARKS, True),
        "assetIndex": obj({asset.name: obj(_INDEX, True) for asset in ASSETS}, True),
    },
    True,
)
_FIGURES = {"type": "string", "pattern": r"^-?[0-9]+\.[0-9]{8}$"}
_MODE_VIEW = obj(
    {
        "totals": obj(dict.fromkeys((name for name, _ in TOTAL_FIELDS), _FIGURES)),
        "assets": array(
            obj({"asset": STRING, **dict.fromkeys((n for n, _ in ASSET_FIELDS), _FIGURES)})
        ),
        "uncovered": BOOLEAN,
    }
)
_REFUSED = {**obj({"code": INTEGER, "msg": STRING}), "type": ["object", "null"]}
_MODES = obj(
    {
        "multiAssetsMargin": BOOLEAN,
        "modes": obj(dict.fromkeys(MODE_NAMES.values(), _MODE_VIEW)),
        "switch": obj({"multiAssetsMargin": BOOLEAN, "refused": _REFUSED}),
    }
)
_DB = (404, 409, 503)  # no such account or key; a conflict; Redis down
_RT = (503,)  # Redis down
_C = ControlRoute

#: Every route of the control plane (``control/plane.py`` binds each to what it does).
CONTROL_ROUTES: tuple[ControlRoute, ...] = (
    _C("GET", "health", "Whether the database (and Redis) answer", _HEALTH, None, (503,), False),
    _C("GET", "ui", "The inspector page", STRING, token=False, media_type="text/html"),
    _C("GET", "openapi.json", "This document", {"type": "object"}, token=False),
    _C("GET", "asyncapi.json", "The WebSocket API's document", {"type": "object"}, token=False),
    _C("GET", "metrics", "Prometheus metrics", STRING, media_type="text/plain"),
    _C("GET", "log", "The request log", _LOG, query=_LOG_QUERY),
    _C("GET", "clock", "The server's clock", _CLOCK, None, _RT),
    _C("PUT", "clock", "Shift or freeze the clock", _CLOCK, _CLOCK_IN, _RT),
    _C("DELETE", "clock", "Reset the clock", _CLOCK, None, _RT),
    _C("GET", "faults", "The fault rules", _FAULTS, None, _RT),
    _C(
        "POST",
        "faults",
        "Add a fault rule",
        schema_ref("FaultRule"),
        schema_ref("FaultRuleIn"),
        _RT,
    ),
    _C("PUT", "faults", "Replace every fault rule (and the seed)", _FAULTS, _FAULT_FILE, _RT),
    _C("DELETE", "faults", "Clear the fault rules", _FAULTS, None, _RT),
    _C("DELETE", "faults/{id}", "Remove a fault rule", _FAULTS, None, (404, *_RT)),
    _C("GET", "market", "Mark prices and asset indexes", _MARKET, None, _RT),
    _C("PATCH", "market", "Move the prices given", _MARKET, _MARKET_IN, _RT),
    _C("DELETE", "market", "Reset the prices to their defaults", _MARKET, None, _RT),
    _C("GET", "accounts", "List accounts", array(_ACCOUNT), None, _DB),
    _C("POST", "accounts", "Create an account", _ACCOUNT, obj({"name": _NAME}), _DB),
    _C("DELETE", "accounts/{name}", "Delete an account", EMPTY, None, _DB),
    _C("GET", "accounts/{name}/keys", "An account's keys", array(obj(_KEY)), None, _DB),
    _C("POST", "accounts/{name}/keys", "Create a key", obj(_NEW_KEY, ("secretKey",)), _KEY_IN, _DB),
    _C("DELETE", "keys/{apiKey}", "Revoke a key", EMPTY, None, _DB),
    _C(
        "GET",
        "accounts/{name}/modes",
        "The account in both asset modes; whether a switch would be refused",
        _MODES,
        None,
        _DB,
    ),
    _C("GET", "accounts/{name}/state", "An account's state", _STATE_OUT, None, _DB),
    _C("PUT", "accounts/{name}/state", "Replace an account's state", _STATE_OUT, _STATE_IN, _DB),
    _C("PATCH", "accounts/{name}/state", "Set the fields given", _STATE_OUT, _STATE_IN, _DB),
    _C("GET", "state", "Export the whole server (secrets included)", _EXPORT, None, _DB),
    _C("PUT", "state", "Import the whole server, all or nothing", EMPTY, _IMPORT, _DB),
    _C("POST", "reset", "Delete all; clear faults, clock, market, log, bans", EMPTY, None, _DB),
)
#: Without a body: an HMAC key with both permissions.
_OPTIONAL_BODIES = {("POST", "accounts/{name}/keys")}
_PATH_PARAMETERS = {"name": STRING, "apiKey": STRING, "id": INTEGER}


def control_operation(route: ControlRoute) -> JSON:
    statuses = sorted({400, 403, 413, 500, *((401,) if route.token else ()), *route.errors})
    error = {"content": {"application/json": {"schema": schema_ref("ControlError")}}}
    ok = {"description": "OK", "content": {route.media_type: {"schema": route.answer}}}
    responses = {"200": ok} | {
        str(s): {"description": HTTPStatus(s).phrase, **error} for s in statuses
    }
    operation: JSON = {
        "operationId": operation_id(route.method, "control/" + route.path),
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
