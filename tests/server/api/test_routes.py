"""The route table is derived from the declarations: every endpoint has exactly one operation
(a mismatch stops the import, whatever ``python -O`` does); each route runs the checks that
apply to it in :data:`~multiassets.server.api.checks.CHECKS`' order; a weight that depends on a
parameter is charged by what the request sends, before anything is refused; PARITY.md states
the orders the server runs."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from multiassets.account.rules import MARGIN_TYPE_RULES, MODE_RULES, POSITION_MODE_RULES
from multiassets.protocol import endpoints as ep
from multiassets.protocol.endpoints import Endpoint, Security, WeightByParam
from multiassets.protocol.errors import ApiError
from multiassets.server.api import routes
from multiassets.server.api.checks import CHECKS, check, plan
from multiassets.server.api.operations import OPERATIONS, Operation
from multiassets.server.api.request import Request
from multiassets.server.config import ServerConfig
from multiassets.server.state import ServerState

PARITY = (Path(__file__).parents[3] / "PARITY.md").read_text()


@pytest.fixture
def extra_operation() -> Iterator[list[Operation]]:
    """OPERATIONS with room for a test's own entries, put back as it was afterwards."""
    before = list(OPERATIONS)
    yield OPERATIONS
    OPERATIONS[:] = before


def test_an_operation_for_an_undeclared_endpoint_stops_the_routes(
    extra_operation: list[Operation],
) -> None:
    stray = Endpoint("GET", "/fapi/v1/nothing", Security.NONE, 1)
    extra_operation.append(Operation(stray, OPERATIONS[0].handler, "stray", {}))
    with pytest.raises(RuntimeError, match=r"^GET /fapi/v1/nothing is not declared"):
        routes._routes()


def test_a_declared_endpoint_without_an_operation_stops_the_routes(
    extra_operation: list[Operation],
) -> None:
    extra_operation[:] = [op for op in OPERATIONS if op.endpoint is not ep.ACCOUNT_CONFIG]
    with pytest.raises(RuntimeError, match=r"^GET /fapi/v1/accountConfig is not served"):
        routes._routes()


def test_two_operations_for_one_endpoint_stop_the_routes(
    extra_operation: list[Operation],
) -> None:
    extra_operation.append(OPERATIONS[0])
    with pytest.raises(RuntimeError, match="two handlers declare the same endpoint"):
        routes._routes()


def test_each_route_runs_the_checks_that_apply_in_their_order() -> None:
    names = {check.run: check.name for check in CHECKS}
    steps = {
        (route.endpoint.method, path): [names[step] for step in route.steps]
        for path, methods in routes.ROUTES.items()
        for route in methods.values()
    }
    signed = ["weight", "API key", "parameters", "timestamp", "time window", "signature"]
    assert steps[("GET", "/fapi/v1/ping")] == ["weight"]
    assert steps[("GET", "/fapi/v1/multiAssetsMargin")] == signed
    assert steps[("GET", "/fapi/v1/symbolConfig")] == [*signed, "endpoint parameters"]
    assert steps[("POST", "/fapi/v1/multiAssetsMargin")] == [
        "weight",
        "body size",
        *signed[1:],
        "endpoint parameters",
    ]
    assert steps[("PUT", "/fapi/v1/listenKey")] == ["weight", "body size", "API key", "parameters"]
    # The read views: signed with a key, public with their parameters only, MARKET_DATA with
    # a key and no signature.
    assert steps[("GET", "/fapi/v2/account")] == signed
    assert steps[("GET", "/fapi/v1/openOrder")] == [*signed, "endpoint parameters"]
    assert steps[("POST", "/fapi/v1/positionSide/dual")] == [
        "weight",
        "body size",
        *signed[1:],
        "endpoint parameters",
    ]
    assert steps[("GET", "/fapi/v1/assetIndex")] == ["weight", "parameters", "endpoint parameters"]
    assert steps[("GET", "/sapi/v1/margin/allPairs")] == [
        "weight",
        "API key",
        "parameters",
        "endpoint parameters",
    ]


def test_a_weight_by_parameter_is_charged_by_what_the_request_sends(tmp_path: Path) -> None:
    """Charged first, from the names sent, even when a later check refuses."""
    endpoint = Endpoint(
        "GET", "/fapi/v1/openOrders", Security.USER_DATA, WeightByParam("symbol", 1, 40)
    )
    state = ServerState(ServerConfig(db_url=f"sqlite:///{tmp_path / 'x.db'}"))
    state.clock.frozen_ms = 1_800_000_030_000  # mid-minute: one window for all three
    charged = []
    try:
        for query in (b"symbol=BTCUSDT&timestamp=1", b"timestamp=1", b"%73ymbol=x&a=%ff"):
            request = Request("GET", endpoint.path, query, b"", "10.0.0.7")
            with pytest.raises(ApiError) as refused:  # no API key: -2014
                asyncio.run(check(state, endpoint, plan(endpoint), request))
            assert refused.value.code == -2014
            charged.append((request.weight, request.used_weight))
    finally:
        state.close()
    assert charged == [(1, 1), (40, 41), (1, 42)]


def codes_in_order(text: str, codes: list[int]) -> bool:
    """Whether ``codes`` appear in ``text`` in this order."""
    position = 0
    for code in codes:
        found = text.find(str(code), position)
        if found < 0:
            return False
        position = found + 1
    return True


def parity_row(behaviour: str) -> str:
    (row,) = [line for line in PARITY.splitlines() if line.startswith(f"| {behaviour} |")]
    return row


def test_parity_states_the_check_order_the_server_runs() -> None:
    """Every step of CHECKS, named in PARITY's row in the order it runs, each with the code
    of its first refusal after its name."""
    row = parity_row("check order")
    position = 0
    for step in CHECKS:
        found = row.find(step.name, position)
        assert found >= 0, f"{step.name!r} is not in PARITY's row after position {position}"
        position = found + len(step.name)
        (spec, _), *_ = step.refusals(ep.CHANGE_MODE)
        if step.name != "weight":  # the weight's -1003 is in its own table
            code = row.find(str(spec.code), position)
            assert code >= 0, (step.name, spec.code)


def test_parity_states_the_account_rules_in_the_order_they_refuse() -> None:
    assert codes_in_order(parity_row("rule order"), [rule.spec.code for rule in MODE_RULES])
    assert codes_in_order(
        parity_row("marginType rules"), [rule.spec.code for rule in MARGIN_TYPE_RULES]
    )


def test_parity_states_the_position_mode_rules_in_the_order_they_refuse() -> None:
    codes = [rule.spec.code for rule in POSITION_MODE_RULES]
    assert codes_in_order(parity_row("positionSide/dual rules"), codes)


def _weight_text(endpoint: Endpoint) -> str:
    weight = endpoint.weight
    if isinstance(weight, int):
        return f"weight {weight}"
    return f"weight {weight.with_param} with `{weight.param}`, {weight.without} without"


def test_parity_has_a_row_for_each_endpoint_of_the_account_views() -> None:
    """Each endpoint of PARITY's section "Account views and position mode" has its row,
    ``| `METHOD path` | …``, stating its security and the weight it is charged."""
    section = PARITY.split("## Account views and position mode", 1)[1].split("\n## ", 1)[0]
    views = [e for e in ep.ENDPOINTS if e.path.startswith(("/sapi/", "/fapi/v2/", "/fapi/v3/"))]
    views += [
        e
        for e in ep.ENDPOINTS
        if e.path
        in (
            "/fapi/v1/openOrders",
            "/fapi/v1/openOrder",
            "/fapi/v1/leverageBracket",
            "/fapi/v1/positionSide/dual",
            "/fapi/v1/assetIndex",
            "/fapi/v1/premiumIndex",
        )
    ]
    assert len(views) == 15
    for endpoint in views:
        rows = [
            line
            for line in section.splitlines()
            if line.startswith(f"| `{endpoint.method} {endpoint.path}`")
        ]
        assert len(rows) == 1, f"{endpoint.method} {endpoint.path}: {len(rows)} rows"
        multiassets = rows[0].split(" | ")[2]
        assert endpoint.security.value in multiassets, (endpoint.path, multiassets)
        assert _weight_text(endpoint) in multiassets, (endpoint.path, multiassets)
