"""The server's OpenAPI 3.1 document, served at ``GET /_multiassets/openapi.json``.

Generated, not written: the Binance paths come from the endpoints' declarations
(``protocol/endpoints.py``: method, path, security, weight, parameters) and the operations
that serve them (``api/handlers.py``: summary, answer, the handler's own refusals), each
operation's refusals in the order of the checks (``checks.CHECKS``); the control plane's
routes from ``openapi/control.py``, bound to their operations in ``control/plane.py``.
"""

from __future__ import annotations

from functools import cache
from http import HTTPStatus

import orjson

from ..._version import __version__
from ...protocol import errors as e
from ...protocol.endpoints import SIGNED_PARAMS, Endpoint, Param
from ...protocol.errors import ErrorSpec
from ...protocol.limits import REQUEST_WEIGHT_1M
from ..api.checks import CHECKS, Refusal
from ..api.operations import Operation
from ..api.routes import ROUTES
from ..control.faults import KINDS
from .control import CONTROL_ROUTES, PREFIX, RULE, STATE, ControlRoute, control_operation
from .schemas import (
    INTEGER,
    JSON,
    LONG,
    STRING,
    SYMBOL,
    any_case,
    obj,
    operation_id,
    schema_ref,
)

__all__ = [
    "CONTROL_ROUTES",
    "ControlRoute",
    "document",
    "param_schema",
    "refusal_value",
    "refusals_of",
    "rendered",
    "x_weight",
]


def param_schema(param: Param) -> JSON:
    """A parameter's schema, from its declared kind (the AsyncAPI document's too)."""
    if param.kind == "choice":
        return any_case(*param.choices)
    if param.kind == "symbol":
        return SYMBOL
    if param.kind == "long":
        schema: JSON = dict(LONG)
        if param.positive:
            schema["exclusiveMinimum"] = 0
        if param.default is not None:
            schema["default"] = param.default
        return schema
    return STRING


def x_weight(endpoint: Endpoint) -> int | JSON:
    """``x-weight``: the weight, or, where it depends on a parameter, both weights."""
    weight = endpoint.weight
    if isinstance(weight, int):
        return weight
    return {"param": weight.param, "with": weight.with_param, "without": weight.without}


def refusals_of(
    endpoint: Endpoint, own: tuple[Refusal, ...], frames: bool = False
) -> list[Refusal]:
    """What the endpoint can answer instead: each check's refusals in the checks' order, the
    handler's own, then what any request may meet; with ``frames``, as a WebSocket API
    method (none of the HTTP request's reading)."""
    found: list[Refusal] = []
    for step in CHECKS:
        if step.applies(endpoint) and not (frames and step.http_refusals):
            found += step.refusals(endpoint)
    found += own
    # Injected faults (on any endpoint), a service down (-1001), an unexpected error (-1000).
    found += [(spec, None) for spec in KINDS.values() if spec is not None]
    found += [(e.DISCONNECTED, None), (e.UNKNOWN, None)]
    return list(dict.fromkeys(found))


_HEADERS: JSON = {
    "X-MBX-USED-WEIGHT-1M": {"$ref": "#/components/headers/UsedWeight"},
    "X-Multiassets-Version": {"$ref": "#/components/headers/Version"},
}
_RETRY_AFTER: JSON = {"$ref": "#/components/headers/RetryAfter"}
_WHY = {418: "IP banned for requests after a 429", 429: "Over the weight limit"}


def refusal_value(spec: ErrorSpec, param: str | None, weight_limit: int) -> JSON:
    """A refusal's ``{"code", "msg"}`` as an example shows it (the AsyncAPI document's too)."""
    fields = {"ip": "127.0.0.1", "limit": weight_limit, "until": 1_800_000_120_000}
    return {"code": spec.code, "msg": spec.message(**fields, param=param)}


def _error_responses(refusals: list[Refusal], weight_limit: int, examples: JSON) -> JSON:
    """One response per HTTP status, with an example of each refusal answered with it (the
    examples themselves go to ``examples``, the document's components)."""
    responses: JSON = {}
    for spec, param in refusals:
        headers = _HEADERS | ({"Retry-After": _RETRY_AFTER} if spec.status in (418, 429) else {})
        content = {"application/json": {"schema": schema_ref("BinanceError"), "examples": {}}}
        description = _WHY.get(spec.status) or HTTPStatus(spec.status).phrase
        response = responses.setdefault(
            str(spec.status), {"description": description, "headers": headers, "content": content}
        )
        name = spec.name + (f"_{param}" if param else "")
        value = refusal_value(spec, param, weight_limit)
        examples[name] = {"summary": f"{spec.code} {spec.name}", "value": value}
        ref = {"$ref": f"#/components/examples/{name}"}
        response["content"]["application/json"]["examples"][name] = ref
    return dict(sorted(responses.items()))


def _binance_operation(operation: Operation, limit: int, examples: JSON) -> JSON:
    endpoint = operation.endpoint
    security = endpoint.security
    params = (*endpoint.params, *(SIGNED_PARAMS if security.signed else ()))
    document: JSON = {
        "operationId": operation_id(endpoint.method, endpoint.path),
        "summary": f"{operation.summary} ({security.value})",
        "tags": ["binance"],
        "x-weight": x_weight(endpoint),
        "x-security-type": security.value,
        "security": [{"apiKey": []}] if security.needs_key else [],
    }
    if params:
        document["parameters"] = [
            {
                "name": param.name,
                "in": "query",
                "required": param.required,
                "schema": param_schema(param),
                "description": param.description,
            }
            for param in params
        ]
    if params and endpoint.method != "GET":
        form = {
            "type": "object",
            "properties": {param.name: param_schema(param) for param in params},
        }
        document["requestBody"] = {
            "description": "Any parameter may come here instead of the query string (the "
            "query wins on a repeat); a mandatory one must be in one of the two.",
            # Open: a parameter the endpoint does not read is ignored (but signed).
            "content": {"application/x-www-form-urlencoded": {"schema": form}},
        }
    ok: JSON = {"description": "OK", "headers": _HEADERS}
    ok["content"] = {"application/json": {"schema": operation.answer}}
    errors = _error_responses(refusals_of(endpoint, operation.refusals), limit, examples)
    document["responses"] = {"200": ok, **errors}
    return document


_DESCRIPTION = """\
A local emulator of Binance USD-M Futures' Multi-Assets Mode API, and its control plane.

Binance paths: each operation's weight (`x-weight`) is charged to the client IP, by the minute, \
against a limit of {limit}; every answer carries the IP's weight this minute in \
`X-MBX-USED-WEIGHT-1M`. Over the limit: 429; a request after a 429 in the same minute: a 418 \
ban (both `-1003`, with `Retry-After`). Any other path, or another method on these paths, gets \
Binance's HTML 404 page, not JSON. The user data stream is a WebSocket at `/ws/<listenKey>` \
(`ACCOUNT_CONFIG_UPDATE` on each change of mode), which OpenAPI does not describe; the \
WebSocket API (`/ws-fapi/v1`) is in the AsyncAPI document, `{prefix}asyncapi.json`.

Control plane (`{prefix}`): `Authorization: Bearer <token>` unless an operation says otherwise; \
loopback clients only unless the server runs with `--admin-allow-remote` (403); JSON bodies; \
errors are `{{"error": "…"}}`."""


def document(weight_limit: int = REQUEST_WEIGHT_1M) -> JSON:
    """The OpenAPI 3.1 document of a server whose weight limit is ``weight_limit``."""
    paths: JSON = {}
    examples: JSON = {}
    for methods in ROUTES.values():
        for route in methods.values():
            endpoint = route.endpoint
            operation = _binance_operation(route.operation, weight_limit, examples)
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
