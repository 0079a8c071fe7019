"""Requests generated from the server's own OpenAPI document (schemathesis), sent as they are
and signed with a real key (so they get past the signature check to the handlers): every
answer is one Binance could give — never a 5xx, never a body of another shape — and a 200's
body matches the document. The control plane is fuzzed with its token on a server of its own.

``MULTIASSETS_FUZZ_EXAMPLES`` sets the examples per operation (CI's short run: the default);
``scripts/fuzz`` runs a long one.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jsonschema  # type: ignore[import-untyped]
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from multiassets.protocol.endpoints import ENDPOINTS
from multiassets.server.openapi.document import document

from ...support import Renewable, Server, now_ms, running_server, sign

EXAMPLES = int(os.environ.get("MULTIASSETS_FUZZ_EXAMPLES", "25"))
SCHEMA = schemathesis.openapi.from_dict(document(weight_limit=10**9))
DOCUMENT = document(weight_limit=10**9)
BINANCE_ERROR = re.compile(r'\{"code":-\d+,"msg":"[^"]*"\}')
NOT_FOUND = b"<html><body><h2>404 Not found</h2></body></html>"
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)


def _operations(control: bool) -> list[Any]:
    found = []
    for result in SCHEMA.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]
        if operation.path.startswith("/_multiassets/") == control:
            found.append(pytest.param(operation, id=f"{operation.method.upper()} {operation.path}"))
    return found


@pytest.fixture(scope="module")
def srv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("fuzz")
    log = folder / "server.log"
    with running_server(folder, "--weight-limit", str(10**9), log=log) as server:
        yield server
    assert "Traceback" not in log.read_text()


def _encode(values: Any) -> str:
    if not isinstance(values, dict):
        return ""
    return "&".join(f"{quote(str(k), safe='')}={quote(str(v), safe='')}" for k, v in values.items())


def send(srv: Server, case: Any, signed: bool) -> tuple[int, dict[str, str], bytes]:
    """``case`` on the wire: its query and form body as generated, or, ``signed``, with a
    fresh timestamp and a correct signature of exactly the bytes sent."""
    query = dict(case.query or {})
    form = case.body if isinstance(case.body, dict) else None
    headers = {str(k): str(v) for k, v in (case.headers or {}).items()}
    headers = {k: v for k, v in headers.items() if k.isascii() and "\n" not in v + k}
    headers = {k: v.encode("utf-8").decode("latin-1") for k, v in headers.items()}
    if signed:
        query.pop("signature", None)
        query["timestamp"] = now_ms()
        headers["X-MBX-APIKEY"] = srv.demo.api_key
        if form is not None:
            form.pop("signature", None)
    query_text, body_text = _encode(query), _encode(form)
    if signed:
        signature = sign(srv.demo.secret, query_text + body_text)
        query_text += ("&" if query_text else "") + f"signature={signature}"
    if form is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    reply = srv.request(case.method.upper(), case.formatted_path, query_text, body_text, headers)
    return reply.status, reply.headers, reply.body


def check_binance_answer(case: Any, status: int, headers: dict[str, str], body: bytes) -> None:
    assert status < 500, (status, body)
    if status == 404:
        assert body == NOT_FOUND
        return
    assert headers["content-type"] == "application/json"
    if status != 200:
        assert BINANCE_ERROR.fullmatch(body.decode()), body
        return
    documented = DOCUMENT["paths"][case.path][case.method.lower()]["responses"]["200"]
    schema = documented["content"]["application/json"]["schema"]
    jsonschema.validate(json.loads(body), {**schema, "components": DOCUMENT["components"]})


@pytest.mark.parametrize("operation", _operations(control=False))
@pytest.mark.parametrize("signed", [True, False], ids=["signed", "as-generated"])
def test_generated_binance_requests_get_binance_answers(
    srv: Server, operation: Any, signed: bool
) -> None:
    sent = []

    @FUZZ
    @given(operation.as_strategy())
    def run(case: Any) -> None:
        sent.append(case)
        check_binance_answer(case, *send(srv, case, signed))

    run()
    print(f"\nopenapi fuzz: {len(sent)} requests")


@pytest.fixture(scope="module")
def control_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Renewable]:
    """The control plane's server: each operation's run starts on it as new (the fuzzed
    requests reset it, delete its accounts, move its clock, add fault rules)."""
    folder = tmp_path_factory.mktemp("fuzz-control")
    log = folder / "server.log"
    with running_server(folder, log=log) as server:
        yield Renewable(server)
    assert "Traceback" not in log.read_text()


@pytest.mark.parametrize("operation", _operations(control=True))
def test_generated_control_plane_requests_get_control_plane_answers(
    control_server: Renewable, operation: Any
) -> None:
    server = control_server.renew()
    sent = []

    @FUZZ
    @given(operation.as_strategy(), st.booleans())
    def run(case: Any, with_token: bool) -> None:
        sent.append(case)
        headers = dict(case.headers or {})
        if with_token:
            headers["Authorization"] = f"Bearer {server.admin_token}"
        case.headers = headers
        status, answer_headers, body = send(server, case, signed=False)
        assert status < 500, (status, body)
        if status >= 400:
            assert answer_headers["content-type"] == "application/json"
            assert set(json.loads(body)) == {"error"}, body

    run()
    print(f"\nopenapi fuzz: {len(sent)} requests")


def test_fuzz_settings_are_a_short_run_unless_asked(tmp_path: Path) -> None:
    # Every Binance route we document: one per method and path of ENDPOINTS.
    assert EXAMPLES >= 1 and len(_operations(control=False)) == len(ENDPOINTS)
