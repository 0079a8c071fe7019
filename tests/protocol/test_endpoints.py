"""The endpoint declarations: each parameter read as Binance reads it, weights that depend on a
parameter, one declaration per method and path."""

from __future__ import annotations

import pytest

from multiassets.protocol import endpoints as ep
from multiassets.protocol.endpoints import Endpoint, Param, Security, WeightByParam, lookup
from multiassets.protocol.errors import ApiError

CHOICE = Param("side", "BUY or SELL.", "choice", choices=("BUY", "SELL"))


def refusal(param: Param, params: dict[str, str]) -> tuple[int, str]:
    with pytest.raises(ApiError) as raised:
        param.read(params)
    return raised.value.code, raised.value.msg


def test_a_mandatory_parameter_missing_or_empty_is_1102_naming_it() -> None:
    expected = (
        -1102,
        "Mandatory parameter 'side' was not sent, was empty/null, or malformed.",
    )
    assert refusal(CHOICE, {}) == expected
    assert refusal(CHOICE, {"side": ""}) == expected


def test_a_choice_is_read_in_any_letter_case_as_declared() -> None:
    assert [CHOICE.read({"side": v}) for v in ("buy", "BUY", "sElL")] == ["BUY", "BUY", "SELL"]
    assert ep.MULTI_ASSETS_MARGIN.read({"multiAssetsMargin": "TRUE"}) == "true"


def test_a_value_not_among_the_choices_is_1130_naming_it() -> None:
    for value in ("HOLD", " buy", "buy ", "1"):
        assert refusal(CHOICE, {"side": value}) == (
            -1130,
            "Data sent for parameter 'side' is not valid.",
        )


def test_an_optional_parameter_is_none_when_not_sent_and_empty_when_sent_empty() -> None:
    optional = CHOICE.optional()
    assert optional.required is False and CHOICE.required is True
    assert optional.read({}) is None
    assert optional.read({"side": ""}) == ""
    assert optional.read({"side": "sell"}) == "SELL"


def test_a_weight_can_depend_on_whether_a_parameter_is_sent() -> None:
    # Binance's openOrders: 1 with symbol, 40 without.
    open_orders = Endpoint(
        "GET", "/fapi/v1/openOrders", Security.USER_DATA, WeightByParam("symbol", 1, 40)
    )
    assert open_orders.weight_for({"symbol": "BTCUSDT", "timestamp": "1"}) == 1
    assert open_orders.weight_for({"timestamp": "1"}) == 40
    assert ep.GET_MODE.weight_for({"symbol": "x"}) == ep.GET_MODE.weight_for({}) == 30


def test_each_endpoint_is_declared_once_and_found_by_method_and_path() -> None:
    routes = [(endpoint.method, endpoint.path) for endpoint in ep.ENDPOINTS]
    assert len(routes) == len(set(routes)) == 28
    assert lookup("POST", "/fapi/v1/multiAssetsMargin") is ep.CHANGE_MODE
    with pytest.raises(KeyError):
        lookup("PUT", "/fapi/v1/multiAssetsMargin")


def test_the_seed_endpoint_is_as_binance_documents_it() -> None:
    assert (ep.GET_MODE.security, ep.GET_MODE.weight, ep.GET_MODE.params) == (
        Security.USER_DATA,
        30,
        (),
    )
    assert [param.name for param in ep.SIGNED_PARAMS] == ["recvWindow", "timestamp", "signature"]


#: The account's read views, the position mode and the spot-wallet lists, as Binance's pages
#: declare them: security, weight (1/40: with/without the parameter), the parameters read.
VIEWS = [
    (ep.ACCOUNT_V2, "GET /fapi/v2/account", Security.USER_DATA, 5, []),
    (ep.ACCOUNT_V3, "GET /fapi/v3/account", Security.USER_DATA, 5, []),
    (ep.BALANCE_V2, "GET /fapi/v2/balance", Security.USER_DATA, 5, []),
    (ep.BALANCE_V3, "GET /fapi/v3/balance", Security.USER_DATA, 5, []),
    (ep.POSITION_RISK_V2, "GET /fapi/v2/positionRisk", Security.USER_DATA, 5, ["symbol?"]),
    (ep.POSITION_RISK_V3, "GET /fapi/v3/positionRisk", Security.USER_DATA, 5, ["symbol?"]),
    (ep.OPEN_ORDERS, "GET /fapi/v1/openOrders", Security.USER_DATA, (1, 40), ["symbol?"]),
    (
        ep.OPEN_ORDER,
        "GET /fapi/v1/openOrder",
        Security.USER_DATA,
        1,
        ["symbol", "orderId?", "origClientOrderId?"],
    ),
    (ep.LEVERAGE_BRACKET, "GET /fapi/v1/leverageBracket", Security.USER_DATA, 1, ["symbol?"]),
    (ep.GET_POSITION_MODE, "GET /fapi/v1/positionSide/dual", Security.USER_DATA, 30, []),
    (
        ep.CHANGE_POSITION_MODE,
        "POST /fapi/v1/positionSide/dual",
        Security.TRADE,
        1,
        ["dualSidePosition"],
    ),
    (ep.ASSET_INDEX, "GET /fapi/v1/assetIndex", Security.NONE, (1, 10), ["symbol?"]),
    (ep.PREMIUM_INDEX, "GET /fapi/v1/premiumIndex", Security.NONE, (1, 10), ["symbol?"]),
    (ep.COINS, "GET /sapi/v1/capital/config/getall", Security.USER_DATA, 10, []),
    (ep.MARGIN_PAIRS, "GET /sapi/v1/margin/allPairs", Security.MARKET_DATA, 1, ["symbol?"]),
]


@pytest.mark.parametrize(("endpoint", "route", "security", "weight", "params"), VIEWS)
def test_the_views_are_declared_as_binance_documents_them(
    endpoint: Endpoint,
    route: str,
    security: Security,
    weight: int | tuple[int, int],
    params: list[str],
) -> None:
    assert lookup(*route.split(" ")) is endpoint
    assert endpoint.security is security
    if isinstance(weight, tuple):
        assert endpoint.weight == WeightByParam("symbol", *weight)
        assert (endpoint.weight_for({"symbol"}), endpoint.weight_for(set())) == weight
    else:
        assert endpoint.weight == weight
    assert [p.name + ("" if p.required else "?") for p in endpoint.params] == params


def test_the_position_mode_is_read_as_a_choice_in_any_letter_case() -> None:
    param = ep.DUAL_SIDE_POSITION
    assert param.read({"dualSidePosition": "TRUE"}) == "true"
    assert param.read({"dualSidePosition": "False"}) == "false"
    assert refusal(param, {"dualSidePosition": "maybe"}) == (
        -1130,
        "Data sent for parameter 'dualSidePosition' is not valid.",
    )
