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
    assert len(routes) == len(set(routes)) == 13
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
