"""State documents: what ``AccountState.from_json`` takes and refuses, at each bound, and that
the bounds on amounts keep the rules' arithmetic exact."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from multiassets.account import AccountState
from multiassets.account.model import StateError
from multiassets.account.rules import margin_shortfall
from multiassets.market import ASSETS_BY_NAME, SYMBOLS, SYMBOLS_BY_NAME


def refused(document: Any) -> str:
    with pytest.raises(StateError) as caught:
        AccountState.from_json(document)
    return str(caught.value)


def balance(amount: Any) -> dict[str, Any]:
    return {"balances": {"USDT": amount}}


def amount_refusal(shown: str) -> str:
    """The refusal of the USDT balance ``shown`` (its repr), as worked out from the rule."""
    return (
        'balance of USDT must be a decimal string such as "-1.5": at most 18 digits before the'
        f" point and 8 after it, got {shown}"
    )


# -- amounts --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "amount",
    [
        pytest.param("0", id="zero"),
        pytest.param("-0", id="minus-zero"),
        pytest.param("1.12345678", id="8-decimals"),
        pytest.param("123456789012345678", id="18-digits"),
        pytest.param("-999999999999999999.99999999", id="both-bounds-negative"),
        pytest.param("0.50", id="trailing-zero"),
    ],
)
def test_an_amount_within_the_bounds_is_taken_exactly(amount: str) -> None:
    state = AccountState.from_json(balance(amount))
    assert state.balances == {"USDT": Decimal(amount)}
    assert state.to_json()["balances"] == {"USDT": amount}  # as written, digit for digit


def test_leading_zeros_are_taken_and_dropped() -> None:
    state = AccountState.from_json(balance("007.50"))
    assert state.to_json()["balances"] == {"USDT": "7.50"}


@pytest.mark.parametrize(
    "amount",
    [
        pytest.param("1.123456789", id="9-decimals"),
        pytest.param("1234567890123456789", id="19-digits"),
        pytest.param("1e5", id="exponent"),
        pytest.param("1E+999999", id="huge-exponent"),
        pytest.param("+1", id="plus-sign"),
        pytest.param("1.", id="no-decimals-after-point"),
        pytest.param(".5", id="no-digit-before-point"),
        pytest.param(" 1", id="leading-space"),
        pytest.param("1 ", id="trailing-space"),
        pytest.param("1\n", id="trailing-newline"),
        pytest.param("NaN", id="nan"),
        pytest.param("Infinity", id="infinity"),
        pytest.param("-Infinity", id="minus-infinity"),
        pytest.param("1_000", id="underscore"),
        pytest.param("\u0661", id="arabic-indic-digit"),
        pytest.param("", id="empty"),
        pytest.param("-", id="sign-only"),
        pytest.param("--1", id="two-signs"),
    ],
)
def test_an_amount_string_outside_the_bounds_is_refused(amount: str) -> None:
    assert refused(balance(amount)) == amount_refusal(repr(amount))


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        pytest.param(100, "100", id="json-integer"),
        pytest.param(1.5, "1.5", id="json-float"),
        pytest.param(True, "True", id="boolean"),
        pytest.param(None, "None", id="null"),
        pytest.param(["1"], "['1']", id="list"),
    ],
)
def test_an_amount_that_is_not_a_string_is_refused(amount: Any, shown: str) -> None:
    assert refused(balance(amount)) == amount_refusal(shown)


def test_every_amount_of_a_position_and_an_order_has_the_same_bounds() -> None:
    position = {"symbol": "BTCUSDT", "positionAmt": "1"}
    for name in ("positionAmt", "entryPrice", "initialMargin", "unrealizedProfit"):
        document = {"positions": [{**position, name: "-1E+999999999"}]}
        assert refused(document) == (
            f'{name} must be a decimal string such as "-1.5": at most 18 digits before the point'
            " and 8 after it, got '-1E+999999999'"
        )
    order = {"orderId": 1, "symbol": "BTCUSDT", "side": "BUY", "origQty": "1"}
    for name in ("price", "origQty"):
        assert refused({"openOrders": [{**order, name: "0.000000001"}]}).startswith(
            f'{name} must be a decimal string such as "-1.5"'
        )


def test_a_refusal_quotes_a_long_value_cut_short() -> None:
    # The repr is the 100,000 digits in quotes; the message keeps its first 60 characters.
    assert refused(balance("1" * 100_000)) == amount_refusal(
        "'" + "1" * 59 + "… (100002 characters)"
    )


def test_amounts_come_back_in_fixed_point_as_written() -> None:
    # str(Decimal("0.00000001")) is "1E-8", which the bounds refuse: an export must import.
    document = {"balances": {"BTC": "0.00000001", "ETH": "0.00000000", "USDT": "-0.010"}}
    assert AccountState.from_json(document).to_json()["balances"] == document["balances"]


# -- the shape of a document ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "message"),
    [
        pytest.param({"balances": None}, "balances must be an object, got None", id="balances"),
        pytest.param(
            {"marginTypes": None}, "marginTypes must be an object, got None", id="margin-types"
        ),
        pytest.param({"positions": None}, "positions must be a list, got None", id="positions"),
        pytest.param({"openOrders": None}, "openOrders must be a list, got None", id="orders"),
    ],
)
def test_null_is_not_an_empty_part(document: Any, message: str) -> None:
    assert refused(document) == message


def test_unknown_fields_of_a_position_or_an_order_are_refused() -> None:
    position = {"symbol": "BTCUSDT", "positionAmt": "1", "leverage": "20"}
    assert refused({"positions": [position]}) == "unknown fields in a position: leverage"
    order = {"orderId": 1, "symbol": "BTCUSDT", "side": "BUY", "origQty": "1", "qty": "1"}
    assert refused({"openOrders": [order]}) == "unknown fields in an order: qty"
    assert (
        refused({"leverage": 5, "fees": 1}) == "unknown fields in an account state: fees, leverage"
    )


def test_an_order_type_outside_binances_is_refused() -> None:
    order = {
        "orderId": 1,
        "symbol": "BTCUSDT",
        "side": "BUY",
        "origQty": "1",
        "type": "LIMIT_MAKER",
    }
    assert refused({"openOrders": [order]}) == (
        "order type must be one of LIMIT, MARKET, STOP, STOP_MARKET, TAKE_PROFIT,"
        " TAKE_PROFIT_MARKET, TRAILING_STOP_MARKET, got 'LIMIT_MAKER'"
    )


# -- positions: one per symbol and side -----------------------------------------------------


def test_two_positions_for_one_symbol_and_side_are_refused() -> None:
    first = {"symbol": "BTCUSDT", "positionAmt": "1"}  # positionSide left out: BOTH
    second = {"symbol": "BTCUSDT", "positionSide": "BOTH", "positionAmt": "-2"}
    assert refused({"positions": [first, second]}) == (
        "two positions for BTCUSDT BOTH: a symbol has one position per positionSide"
    )


def test_one_position_per_side_of_a_symbol_is_taken() -> None:
    sides = [
        {"symbol": "BTCUSDT", "positionSide": side, "positionAmt": "1"}
        for side in ("BOTH", "LONG", "SHORT")
    ]
    other = {"symbol": "ETHUSDT", "positionSide": "LONG", "positionAmt": "1"}
    assert len(AccountState.from_json({"positions": [*sides, other]}).positions) == 4


# -- orderId: a positive Java long, once per account ----------------------------------------


def orders(*order_ids: Any) -> dict[str, Any]:
    template = {"symbol": "BTCUSDT", "side": "BUY", "origQty": "1"}
    return {"openOrders": [{"orderId": order_id, **template} for order_id in order_ids]}


@pytest.mark.parametrize("order_id", [1, 2**63 - 1], ids=["one", "java-long-max"])
def test_an_order_id_within_a_java_long_is_taken(order_id: int) -> None:
    [order] = AccountState.from_json(orders(order_id)).open_orders
    assert order.order_id == order_id


@pytest.mark.parametrize(
    ("order_id", "message"),
    [
        pytest.param(0, "orderId must be from 1 to 9223372036854775807, got 0", id="zero"),
        pytest.param(-1, "orderId must be from 1 to 9223372036854775807, got -1", id="negative"),
        pytest.param(
            2**63,
            "orderId must be from 1 to 9223372036854775807, got 9223372036854775808",
            id="java-long-max-plus-one",
        ),
        pytest.param(True, "orderId must be an integer, got True", id="boolean"),
        pytest.param("1", "orderId must be an integer, got '1'", id="string"),
        pytest.param(1.5, "orderId must be an integer, got 1.5", id="fraction"),
        pytest.param(None, "orderId must be an integer, got None", id="missing"),
    ],
)
def test_an_order_id_outside_a_java_long_is_refused(order_id: Any, message: str) -> None:
    assert refused(orders(order_id)) == message


def test_an_integral_json_number_is_an_order_id() -> None:
    # JSON Schema counts 7.0 as an integer (a number's value decides, not its spelling).
    [order] = AccountState.from_json(orders(7.0)).open_orders
    assert (order.order_id, type(order.order_id)) == (7, int)


def test_two_open_orders_with_one_order_id_are_refused() -> None:
    assert refused(orders(7, 8, 7)) == "two open orders with orderId 7: it must be unique"


# -- the bounds keep margin_shortfall exact -------------------------------------------------

LARGEST = 10**26 - 1  # in units of 1e-8: 18 digits before the point, 8 after
amount_units = st.one_of(
    st.integers(-LARGEST, LARGEST),
    st.sampled_from([LARGEST, -LARGEST, 1, -1, 0]),
    st.integers(-(10**12), 10**12),
)


def text(units: int) -> str:
    return format(Decimal(units).scaleb(-8), "f")


@st.composite
def states(draw: st.DrawFn) -> AccountState:
    balances = {
        asset: text(draw(amount_units))
        for asset in draw(st.sets(st.sampled_from(sorted(ASSETS_BY_NAME))))
    }
    positions = [
        {
            "symbol": symbol,
            "positionSide": side,
            "positionAmt": "1",
            "initialMargin": text(abs(draw(amount_units))),
            "unrealizedProfit": text(draw(amount_units)),
        }
        for symbol, side in draw(
            st.sets(
                st.tuples(
                    st.sampled_from(sorted(SYMBOLS_BY_NAME)),
                    st.sampled_from(["BOTH", "LONG", "SHORT"]),
                )
            )
        )
    ]
    isolated = draw(st.sets(st.sampled_from([symbol.name for symbol in SYMBOLS])))
    margin_types = dict.fromkeys(isolated, "ISOLATED")
    document = {"balances": balances, "positions": positions, "marginTypes": margin_types}
    return AccountState.from_json(document)


def exact_margin(state: AccountState) -> tuple[dict[str, Fraction], dict[str, Fraction]]:
    """Each margin asset's balance and required margin, in rationals (never rounded)."""
    balances: dict[str, Fraction] = defaultdict(Fraction)
    required: dict[str, Fraction] = defaultdict(Fraction)
    for asset, amount in state.balances.items():
        balances[asset] += Fraction(amount)
    for position in state.positions:
        if state.margin_type(position.symbol) == "CROSSED":
            asset = SYMBOLS_BY_NAME[position.symbol].margin_asset
            balances[asset] += Fraction(position.unrealized_profit)
            required[asset] += Fraction(position.initial_margin)
    return balances, required


def exact_pooled_gap(state: AccountState) -> Fraction:
    balances, required = exact_margin(state)
    price = {name: Fraction(asset.index_price) for name, asset in ASSETS_BY_NAME.items()}
    pooled = sum((price[asset] * amount for asset, amount in balances.items()), Fraction())
    return pooled - sum((price[asset] * amount for asset, amount in required.items()), Fraction())


@pytest.mark.parametrize(("usdt", "short"), [("-2997.00000001", True), ("-2997", False)])
def test_margin_shortfall_is_exact_where_28_digits_would_round(usdt: str, short: bool) -> None:
    # BTC at 90000 brings 2999999999999999999999.997 USDT, ETH at 3000 takes away
    # 2999999999999999999997: 2997 pooled, so USDT -2997 just covers it. In 28 digits, the BTC
    # term plus the USDT balance (in this order) drops the 1e-8 that decides.
    balances = {"BTC": "33333333333333333.3333", "USDT": usdt, "ETH": "-999999999999999999"}
    state = AccountState.from_json({"balances": balances})
    assert margin_shortfall(state, multi_assets_margin=True) is short


@settings(max_examples=300, deadline=None)
@given(states(), st.sampled_from([-1, 0, 1]))
def test_margin_shortfall_decides_a_hundred_millionth_either_side_exactly(
    state: AccountState, step: int
) -> None:
    """USDT (index price 1) moved so that the pooled margin misses or passes what is needed by
    1e-8 or matches it, with every other amount anywhere within the bounds."""
    usdt = Fraction(state.balances.get("USDT", Decimal(0)))
    moved = usdt - exact_pooled_gap(state) + Fraction(step, 10**8)
    if abs(moved) > Fraction(LARGEST, 10**8):
        return  # the USDT balance it would take is outside the bounds
    state.balances["USDT"] = Decimal(moved.numerator) / Decimal(moved.denominator)
    assert exact_pooled_gap(state) == Fraction(step, 10**8)
    assert margin_shortfall(state, multi_assets_margin=True) is (step < 0)
    balances, required = exact_margin(state)
    assert margin_shortfall(state, multi_assets_margin=False) is any(
        balances[asset] < needed for asset, needed in required.items()
    )
