"""The AsyncAPI document of the WebSocket API: valid AsyncAPI 3.0, in agreement with the method
table the server answers by (``wsapi.methods.METHODS``) and with the OpenAPI document of the
REST twins, served by a real server, and describing what that server answers over a real
WebSocket.

No AsyncAPI validator is a dependency (the official one is JavaScript): the structure is checked
here against the specification's required fields and rules, every ``$ref`` is followed, and every
example is validated against its message's payload schema with jsonschema (draft 7, the base of
the AsyncAPI Schema).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest
from websockets.sync.client import ClientConnection, connect

from multiassets import __version__
from multiassets.protocol import endpoints as ep
from multiassets.server.api import answers
from multiassets.server.api.checks import CHECKS
from multiassets.server.api.routes import ROUTES
from multiassets.server.config import ServerConfig
from multiassets.server.openapi import document as openapi
from multiassets.server.openapi.asyncapi import document, method_key
from multiassets.server.openapi.control import PREFIX
from multiassets.server.wsapi.methods import METHODS

from ...support import Server, running_server

DOCUMENT = document(ServerConfig(""))
#: The served document's settings: not the defaults, to see them passed through.
LIMIT = 1200
PING_S, PONG_S = 7, 21
OPERATIONS: dict[str, Any] = DOCUMENT["operations"]
MESSAGES: dict[str, Any] = DOCUMENT["components"]["messages"]
#: A component's key, as the specification allows it.
COMPONENT_KEY = re.compile(r"^[\w.\-]+$")


@pytest.fixture(scope="module")
def srv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("asyncapi")
    settings = ("--weight-limit", str(LIMIT), "--ws-ping-interval", str(PING_S))
    with running_server(folder, *settings, "--ws-pong-timeout", str(PONG_S)) as server:
        yield server


def resolve(node: dict[str, Any], root: dict[str, Any] = DOCUMENT) -> Any:
    while "$ref" in node:
        ref = node["$ref"]
        assert ref.startswith("#/"), ref
        found: Any = root
        for part in ref.removeprefix("#/").split("/"):
            assert isinstance(found, dict) and part in found, f"{ref} leads nowhere"
            found = found[part]
        node = found
    return node


def walk(node: Any) -> Iterator[Any]:
    yield node
    if isinstance(node, dict | list):
        for child in node.values() if isinstance(node, dict) else node:
            yield from walk(child)


def conforms(value: Any, message: dict[str, Any], root: dict[str, Any] = DOCUMENT) -> None:
    """``value`` against the message's payload schema, its references resolved in ``root``."""
    schema = {**message["payload"], "components": root["components"]}
    jsonschema.Draft7Validator(schema).validate(value)


def test_the_document_is_asyncapi_3_0() -> None:
    root = set(DOCUMENT) - {"asyncapi", "info", "servers", "defaultContentType"}
    assert root == {"channels", "operations", "components"}
    assert DOCUMENT["asyncapi"] == "3.0.0"
    info = DOCUMENT["info"]
    assert (info["title"], info["version"]) == ("multiassets", __version__)
    for server in DOCUMENT["servers"].values():
        assert isinstance(server["host"], str) and isinstance(server["protocol"], str)
        assert set(re.findall(r"\{(\w+)\}", server["host"])) == set(server.get("variables", {}))
    for node in walk(DOCUMENT):
        if isinstance(node, dict) and "$ref" in node:
            resolve(node)  # every reference leads somewhere
    for kind in DOCUMENT["components"].values():
        assert all(COMPONENT_KEY.match(key) for key in kind), list(kind)
    channels = DOCUMENT["channels"]
    for channel in channels.values():
        assert set(channel["bindings"]["ws"]) <= {"method", "query", "headers", "bindingVersion"}
    for key, operation in OPERATIONS.items():
        assert operation["action"] in ("send", "receive"), key
        ref = operation["channel"]["$ref"]
        assert ref.startswith("#/channels/"), key
        name = ref.removeprefix("#/channels/")
        # An operation's messages, and its reply's, are among its channel's (§ Operation Object).
        replies = operation["reply"]["messages"]
        for message in [*operation["messages"], *replies]:
            assert message["$ref"].startswith(f"#/channels/{name}/messages/"), key
        assert operation["reply"]["channel"] == operation["channel"], key
    for key, message in MESSAGES.items():
        for example in message.get("examples", []):
            assert set(example) <= {"name", "summary", "headers", "payload"}, key
            conforms(example["payload"], message)


def test_every_method_is_an_operation_with_its_endpoints_weight_and_security() -> None:
    assert set(OPERATIONS) == {method_key(name) for name in METHODS} | {"frame"}
    for name, method in METHODS.items():
        endpoint, operation = method.endpoint, OPERATIONS[method_key(name)]
        weight = endpoint.weight
        assert operation["title"] == name
        assert operation["x-weight"] == (
            weight
            if isinstance(weight, int)
            else {"param": weight.param, "with": weight.with_param, "without": weight.without}
        )
        assert operation["x-security-type"] == endpoint.security.value
        request = resolve(operation["messages"][0])["payload"]
        assert request["properties"]["method"] == {"const": name}
        params = request["properties"]["params"]
        expected = {param.name for param in endpoint.params} | {"returnRateLimits"}
        expected |= {"apiKey"} if endpoint.security.needs_key else set()
        expected |= {"timestamp", "recvWindow", "signature"} if endpoint.security.signed else set()
        assert set(params["properties"]) == expected
        required = [param.name for param in endpoint.params if param.required]
        assert params.get("required", []) == required
    weights = {name: OPERATIONS[method_key(name)]["x-weight"] for name in METHODS}
    assert (weights["session.logon"], weights["account.status"]) == (2, 5)
    assert weights["userDataStream.start"] == 1
    assert OPERATIONS["v2AccountStatus"]["title"] == "v2/account.status"
    channel = DOCUMENT["channels"]["wsApi"]
    assert (channel["address"], channel["x-handshake-weight"]) == ("/ws-fapi/v1", 5)
    assert channel["x-lifetime-ms"] == 24 * 3600 * 1000
    assert (channel["x-ping-interval-s"], channel["x-pong-timeout-s"]) == (180, 600)
    assert "returnRateLimits" in channel["bindings"]["ws"]["query"]["properties"]


def test_every_result_is_its_rest_twins_schema() -> None:
    for name, method in METHODS.items():
        result = resolve(MESSAGES[f"{method_key(name)}Result"])["payload"]["properties"]["result"]
        assert result, f"{name} has no result schema"
        route = ROUTES.get(method.endpoint.path, {}).get(method.endpoint.method)
        if route is not None and name != "account.status":
            assert result is route.operation.answer, name  # the same schema, not a copy
    status = MESSAGES["accountStatusResult"]["payload"]["properties"]["result"]
    assert "feeBurn" in answers.ACCOUNT_V2["properties"]
    assert status["properties"] == {
        k: v for k, v in answers.ACCOUNT_V2["properties"].items() if k != "feeBurn"
    }
    session = MESSAGES["sessionStatusResult"]["payload"]["properties"]["result"]
    assert set(session["required"]) == {
        "apiKey",
        "authorizedSince",
        "connectedSince",
        "returnRateLimits",
        "serverTime",
    }


def test_account_status_is_refused_as_its_rest_twin_is() -> None:
    examples = MESSAGES["accountStatusRefused"]["examples"]
    names = [example["name"] for example in examples]
    # The checks' refusals first, in the checks' order, but those of reading an HTTP request.
    checks = [
        spec.name + (f"_{param}" if param else "")
        for check in CHECKS
        if check.applies(ep.ACCOUNT_V2) and not check.http_refusals
        for spec, param in check.refusals(ep.ACCOUNT_V2)
    ]
    assert names[: len(checks)] == checks
    assert names[:4] == ["TOO_MANY_REQUESTS", "IP_BANNED", "BAD_API_KEY_FMT", "REJECTED_MBX_KEY"]
    # A frame's params are decoded already: no repeated name, no undecodable bytes.
    assert "DUPLICATE_PARAM" not in names and "ILLEGAL_CHARS" not in names
    # The others, word for word, as the OpenAPI document lists them for GET /fapi/v2/account.
    rest = openapi.document()
    twin = rest["paths"]["/fapi/v2/account"]["get"]["responses"]
    listed = {
        name: rest["components"]["examples"][name]["value"]
        for status, response in twin.items()
        if status != "200"
        for name in response["content"]["application/json"]["examples"]
        if name not in ("DUPLICATE_PARAM", "ILLEGAL_CHARS")
    }
    assert {example["name"]: example["payload"]["error"] for example in examples} == listed


def ask(ws: ClientConnection, frame: Any) -> Any:
    ws.send(frame if isinstance(frame, str) else json.dumps(frame))
    return json.loads(ws.recv(timeout=5))


def test_the_server_serves_it_without_a_token(srv: Server) -> None:
    reply = srv.request("GET", PREFIX + "asyncapi.json")
    assert (reply.status, reply.headers["content-type"]) == (200, "application/json")
    config = ServerConfig("", weight_limit=LIMIT, ws_ping_interval_s=7, ws_pong_timeout_s=21)
    assert reply.json() == json.loads(json.dumps(document(config)))
    limits = reply.json()["components"]["schemas"]["RateLimits"]
    assert limits["items"]["properties"]["limit"] == {"const": LIMIT}
    channel = reply.json()["channels"]["wsApi"]
    assert (channel["x-ping-interval-s"], channel["x-pong-timeout-s"]) == (7, 21)
    description = reply.json()["info"]["description"]
    assert "pings a connection 7 s after it opens" in description
    assert "within 21 s" in description
    # The control plane's OpenAPI document lists it, token-free.
    listed = srv.request("GET", PREFIX + "openapi.json").json()["paths"][PREFIX + "asyncapi.json"]
    assert listed["get"]["security"] == []


def documented(answer: dict[str, Any], message: str, served: dict[str, Any]) -> None:
    """``answer`` is one the served document promises; a refusal one of its examples."""
    conforms(answer, served["components"]["messages"][message], served)
    if "error" in answer:
        examples = served["components"]["messages"][message]["examples"]
        shown = {k: v for k, v in answer.items() if k != "rateLimits"}
        assert shown in [example["payload"] for example in examples], answer


def test_the_server_answers_as_the_document_says(srv: Server) -> None:
    served = srv.request("GET", PREFIX + "asyncapi.json").json()
    with connect(f"ws://127.0.0.1:{srv.port}/ws-fapi/v1", open_timeout=5) as ws:
        documented(ask(ws, {"id": 1, "method": "session.status"}), "sessionStatusResult", served)
        documented(ask(ws, "not json"), "frameRefused", served)
        documented(ask(ws, {"id": [1], "method": "session.status"}), "frameRefused", served)
        documented(ask(ws, {"id": 1}), "frameRefused", served)
        not_params = {"id": 1, "method": "session.status", "params": 1}
        documented(ask(ws, not_params), "frameRefused", served)
        documented(ask(ws, {"id": 1, "method": "account.nothing"}), "frameRefused", served)
        frame = {"id": 1, "method": "account.position", "params": {"symbol": {}}}
        documented(ask(ws, frame), "frameRefused", served)
        # No apiKey: -2014, as the document lists it for account.status.
        documented(ask(ws, {"id": 1, "method": "account.status"}), "accountStatusRefused", served)
        params = {"apiKey": srv.demo.api_key}
        started = ask(ws, {"id": 1, "method": "userDataStream.start", "params": params})
        documented(started, "userDataStreamStartResult", served)
    with connect(
        f"ws://127.0.0.1:{srv.port}/ws-fapi/v1?returnRateLimits=false", open_timeout=5
    ) as ws:
        answer = ask(ws, {"id": "x", "method": "session.status"})
        documented(answer, "sessionStatusResult", served)
        assert "rateLimits" not in answer
