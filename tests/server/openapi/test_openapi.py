"""The OpenAPI document: valid, and in agreement with what the server routes and answers.

Binance paths are held to ``ROUTES`` (the table the server routes by) both ways. The control
plane's routes are declared in ``openapi/control.py`` and bound to their
operations in ``control/plane.py``, which refuses to import when the two disagree; every route the
document lists is then asked of a running server, which must not answer the control plane's
"no route" 404, and must want the token exactly where the document says it does.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from multiassets import __version__
from multiassets.protocol.errors import by_code
from multiassets.server.api.routes import ROUTES
from multiassets.server.control import plane as control
from multiassets.server.control.faults import FaultRule
from multiassets.server.openapi.control import CONTROL_ROUTES, PREFIX, ControlRoute
from multiassets.server.openapi.document import document

from ...support import Reply, Server, now_ms, running_server

DOCUMENT = document()
LIMIT = 1200  # the served document's weight limit: not the default, to see it passed through
BINANCE = {
    (method.upper(), path): operation
    for path, item in DOCUMENT["paths"].items()
    if not path.startswith(PREFIX)
    for method, operation in item.items()
}
CONTROL = {
    (method.upper(), path.removeprefix(PREFIX)): operation
    for path, item in DOCUMENT["paths"].items()
    if path.startswith(PREFIX)
    for method, operation in item.items()
}


@pytest.fixture(scope="module")
def srv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("openapi"), "--weight-limit", str(LIMIT)) as server:
        yield server


def resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        node: Any = DOCUMENT
        for part in schema["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        schema = node
    return schema


_TYPES: dict[str, type | tuple[type, ...]] = {
    "object": dict,
    "array": list,
    "string": str,
    "boolean": bool,
    "null": type(None),
    "integer": int,
    "number": (int, float),
}
_KEYWORDS = {"type", "properties", "required", "additionalProperties", "items", "enum", "const"}
_KEYWORDS |= {"pattern", "maxProperties", "minimum", "maximum", "exclusiveMinimum"}
_KEYWORDS |= {"format", "default", "examples", "description"}  # annotations: nothing to check


def _is(value: Any, name: str) -> bool:
    numeric = name in ("integer", "number")
    return isinstance(value, _TYPES[name]) and not (numeric and isinstance(value, bool))


def check(value: Any, schema: dict[str, Any], where: str = "$") -> None:
    """``value`` against ``schema``: the JSON Schema keywords the document uses, and no other
    (an unknown one fails rather than pass unchecked)."""
    schema = resolve(schema)
    assert set(schema) <= _KEYWORDS, f"the test's checker does not know {set(schema) - _KEYWORDS}"
    types = schema.get("type", [])
    names = [types] if isinstance(types, str) else types
    assert not names or any(_is(value, name) for name in names), f"{where}: {value!r} not {types}"
    for keyword, expected in schema.items():
        if keyword == "properties" and isinstance(value, dict):
            for name, sub in expected.items():
                if name in value:
                    check(value[name], sub, f"{where}.{name}")
        elif keyword == "required" and isinstance(value, dict):
            assert not set(expected) - set(value), f"{where}: missing {set(expected) - set(value)}"
        elif keyword == "additionalProperties" and isinstance(value, dict):
            extra = {k: v for k, v in value.items() if k not in schema.get("properties", {})}
            assert expected is not False or not extra, f"{where}: unexpected {sorted(extra)}"
            for name, item in extra.items() if isinstance(expected, dict) else ():
                check(item, expected, f"{where}.{name}")
        elif keyword == "items" and isinstance(value, list):
            for index, item in enumerate(value):
                check(item, expected, f"{where}[{index}]")
        elif keyword == "enum":
            assert value in expected, f"{where}: {value!r} not in {expected}"
        elif keyword == "const":
            assert value == expected, f"{where}: {value!r} != {expected!r}"
        elif keyword == "pattern" and isinstance(value, str):
            assert re.search(expected, value), f"{where}: {value!r} !~ {expected}"
        elif keyword == "maxProperties" and isinstance(value, dict):
            assert len(value) <= expected, f"{where}: more than {expected} properties"
        elif keyword in ("minimum", "maximum", "exclusiveMinimum") and _is(value, "number"):
            holds = {"minimum": value >= expected, "maximum": value <= expected}
            assert holds.get(keyword, value > expected), f"{where}: {value}, {keyword} {expected}"


def test_the_document_is_valid_openapi_3_1() -> None:
    validator = pytest.importorskip(
        "openapi_spec_validator",
        reason="openapi-spec-validator is not installed (a dev dependency to add)",
    )
    validator.validate(json.loads(json.dumps(DOCUMENT)))


def test_the_document_holds_together() -> None:
    assert DOCUMENT["openapi"] == "3.1.0"
    assert (DOCUMENT["info"]["title"], DOCUMENT["info"]["version"]) == ("multiassets", __version__)
    assert PREFIX == control.PREFIX
    # The fault rule's schema has the fields the control plane reads and shows.
    rule = DOCUMENT["components"]["schemas"]["FaultRule"]["properties"]
    assert list(rule) == [field.name for field in dataclasses.fields(FaultRule)]
    operations = [*BINANCE.items(), *CONTROL.items()]
    ids = [operation["operationId"] for _, operation in operations]
    assert len(ids) == len(set(ids))
    schemes = DOCUMENT["components"]["securitySchemes"]

    def walk(node: Any) -> Iterator[Any]:
        yield node
        if isinstance(node, dict | list):
            for child in node.values() if isinstance(node, dict) else node:
                yield from walk(child)

    for node in walk(DOCUMENT):
        if isinstance(node, dict) and isinstance(node.get("$ref"), str):
            resolve(node)  # every reference leads somewhere
    for (method, path), operation in operations:
        declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
        assert declared == set(re.findall(r"\{(\w+)\}", path)), (method, path)
        assert "200" in operation["responses"]
        assert all(name in schemes for need in operation["security"] for name in need)
    for (_, path), operation in BINANCE.items():
        for status, response in operation["responses"].items():
            for name, example in (
                response["content"]["application/json"].get("examples", {}).items()
            ):
                value = resolve(example)["value"]
                check(value, response["content"]["application/json"]["schema"])
                code = value["code"]
                assert int(status) in {spec.status for spec in by_code(code)}, (path, name)


def test_every_served_route_is_in_the_openapi_document() -> None:
    for path, methods in ROUTES.items():
        for method, route in methods.items():
            endpoint, operation = route.endpoint, BINANCE.get((method, path))
            assert operation is not None, f"{method} {path} is served but not documented"
            weight = endpoint.weight
            assert operation["x-weight"] == (
                weight
                if isinstance(weight, int)
                else {"param": weight.param, "with": weight.with_param, "without": weight.without}
            )
            assert operation["x-security-type"] == endpoint.security.value
            assert operation["security"] == (
                [{"apiKey": []}] if endpoint.security.needs_key else []
            )
            parameters = {p["name"]: p["required"] for p in operation.get("parameters", [])}
            signed = {"timestamp": True, "recvWindow": False, "signature": True}
            assert set(parameters) == {
                *(param.name for param in endpoint.params),
                *(signed if endpoint.security.signed else ()),
            }
            assert signed.items() >= {k: v for k, v in parameters.items() if k in signed}.items()


def test_every_binance_path_in_the_document_is_served() -> None:
    served = {(method, path) for path, methods in ROUTES.items() for method in methods}
    assert set(BINANCE) <= served, set(BINANCE) - served


def test_a_control_plane_route_declared_without_an_operation_stops_the_import(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    extra = ControlRoute("GET", "nowhere", "Nothing", {"type": "object"})
    monkeypatch.setattr(control, "CONTROL_ROUTES", (*CONTROL_ROUTES, extra))
    with pytest.raises(RuntimeError, match=r"^control plane: GET nowhere has no operation"):
        control._bind()
    monkeypatch.setattr(control, "CONTROL_ROUTES", CONTROL_ROUTES[1:])
    with pytest.raises(RuntimeError, match=r"^control plane: GET health is not declared"):
        control._bind()


def test_every_declared_control_plane_route_is_in_the_document() -> None:
    declared = {(route.method, route.path) for route in CONTROL_ROUTES}
    assert declared == set(CONTROL) and len(declared) == 30


def ask(srv: Server, method: str, path: str, token: str | None, body: Any = None) -> Reply:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return srv.request(method, path, body=json.dumps(body) if body else b"", headers=headers)


#: A body of the documented shape for each route that takes one, in the document's order.
BODIES: dict[tuple[str, str], Any] = {
    ("PUT", "clock"): {"offsetMs": 0},
    ("PATCH", "market"): {"markPrices": {"BTCUSDT": "90000"}},
    ("POST", "faults"): {"kind": "latency", "path": "/nowhere"},
    ("PUT", "faults"): {"seed": 1, "rules": [{"kind": "timeout", "path": "/nowhere"}]},
    ("POST", "accounts"): {"name": "openapi-probe"},
    ("POST", "accounts/{name}/keys"): {"permissions": ["USER_DATA"], "ipAllowlist": None},
    ("PUT", "accounts/{name}/state"): {"balances": {"USDT": "1.5"}},
    ("PATCH", "accounts/{name}/state"): {"multiAssetsMargin": True},
    ("PUT", "state"): {"format": "multiassets/state@1", "accounts": []},
}


def test_every_documented_control_plane_route_is_answered_with_its_security(
    tmp_path: Path,
) -> None:
    values = {"name": "openapi-probe", "apiKey": "k" * 64, "id": "999"}
    with running_server(tmp_path) as srv:
        for (method, template), operation in CONTROL.items():
            path = PREFIX + re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], template)
            anonymous = ask(srv, method, path, None)
            assert (anonymous.status == 401) == bool(operation["security"]), (method, path)
            body = BODIES.get((method, template))
            if "requestBody" in operation:
                check(body, operation["requestBody"]["content"]["application/json"]["schema"])
            reply = ask(srv, method, path, srv.admin_token, body)
            route_missing = reply.status == 404 and reply.json()["error"].startswith(
                "no control-plane route"
            )
            assert not route_missing, f"{method} {path} is documented but not served"
            response = operation["responses"].get(str(reply.status))
            assert response is not None, (method, path, reply.status, reply.body)
            ((media_type, content),) = response["content"].items()
            assert reply.headers["content-type"].startswith(media_type), (method, path)
            if media_type == "application/json":
                check(reply.json(), content["schema"], f"{method} {path}")


def test_the_server_serves_the_document_without_a_token(srv: Server) -> None:
    reply = srv.request("GET", PREFIX + "openapi.json")
    assert (reply.status, reply.headers["content-type"]) == (200, "application/json")
    assert reply.json() == json.loads(json.dumps(document(LIMIT)))
    assert "of IP(127.0.0.1) is 1200 requests" in reply.body.decode()


def conforms(reply: Reply, method: str, path: str) -> None:
    """``reply`` is one the document promises: a documented status, a body of its schema, the
    weight header; a refusal is one of the status's examples, word for word."""
    operation = BINANCE[(method, path)]
    response = operation["responses"].get(str(reply.status))
    assert response is not None, f"{method} {path}: undocumented {reply.status} {reply.body!r}"
    assert "x-mbx-used-weight-1m" in reply.headers
    content = response["content"]["application/json"]
    check(reply.json(), content["schema"])
    if reply.status != 200:
        examples = [resolve(example)["value"] for example in content["examples"].values()]
        assert reply.json() in examples, f"{method} {path}: {reply.json()} is not documented"


def test_every_endpoint_answers_as_the_document_says(srv: Server) -> None:
    key = {"X-MBX-APIKEY": srv.demo.api_key}
    # In this order: successes, and the refusals of the account rules and the handlers.
    margin_type = "/fapi/v1/marginType"
    mode = "/fapi/v1/multiAssetsMargin"
    calls: list[tuple[str, str, dict[str, str]]] = [
        *(("GET", path, {}) for path in ROUTES if path.endswith(("/ping", "/time"))),
        ("GET", "/fapi/v1/exchangeInfo", {}),
        ("GET", mode, {}),
        ("GET", "/fapi/v1/accountConfig", {}),
        ("GET", "/fapi/v1/symbolConfig", {}),
        ("GET", "/fapi/v1/symbolConfig", {"symbol": "BTCUSDT"}),
        ("GET", "/fapi/v1/symbolConfig", {"symbol": "NOPE"}),  # -1121
        ("POST", margin_type, {"symbol": "BTCUSDT", "marginType": "isolated"}),
        ("POST", mode, {"multiAssetsMargin": "true"}),  # -4167
        ("POST", margin_type, {"symbol": "BTCUSDT", "marginType": "CROSSED"}),
        ("POST", mode, {"multiAssetsMargin": "TRUE"}),
        ("POST", mode, {"multiAssetsMargin": "true"}),  # -4171
        ("POST", margin_type, {"symbol": "BTCUSDT", "marginType": "ISOLATED"}),  # -4168
        ("POST", mode, {"multiAssetsMargin": "maybe"}),  # -1130
        *(("GET", f"/fapi/v{v}/{name}", {}) for v in (2, 3) for name in ("account", "balance")),
        ("GET", "/fapi/v2/positionRisk", {}),
        ("GET", "/fapi/v3/positionRisk", {"symbol": "NOPE"}),  # -1121
        ("GET", "/fapi/v1/openOrders", {}),
        ("GET", "/fapi/v1/openOrder", {"symbol": "BTCUSDT"}),  # -1102, neither id
        ("GET", "/fapi/v1/openOrder", {"symbol": "BTCUSDT", "orderId": "5"}),  # -2013
        ("GET", "/fapi/v1/leverageBracket", {}),
        ("GET", "/fapi/v1/positionSide/dual", {}),
        ("POST", "/fapi/v1/positionSide/dual", {"dualSidePosition": "false"}),  # -4059
        ("POST", "/fapi/v1/positionSide/dual", {"dualSidePosition": "true"}),
        ("GET", "/fapi/v1/assetIndex", {}),
        ("GET", "/fapi/v1/premiumIndex", {}),
        ("GET", "/sapi/v1/capital/config/getall", {}),
        ("GET", "/sapi/v1/margin/allPairs", {}),
        ("POST", "/fapi/v1/listenKey", {}),
        ("PUT", "/fapi/v1/listenKey", {}),
        ("DELETE", "/fapi/v1/listenKey", {}),
        ("DELETE", "/fapi/v1/listenKey", {}),  # -1125
    ]
    for method, path, params in calls:
        security = ROUTES[path][method].endpoint.security
        if security.signed:
            reply = srv.signed(method, path, params, in_body=method != "GET")
        else:
            reply = srv.request(method, path, headers=key if security.needs_key else {})
        conforms(reply, method, path)
        # Without a key, without a signature, or with a wrong one: refused as documented.
        if security.needs_key:
            conforms(srv.request(method, path), method, path)
        if security.signed:
            conforms(srv.request(method, path, headers=key), method, path)
            wrong = f"timestamp={now_ms()}&signature=00"
            conforms(srv.request(method, path, wrong, headers=key), method, path)
    served = {(method, path) for path, methods in ROUTES.items() for method in methods}
    assert {(method, path) for method, path, _ in calls} == served
