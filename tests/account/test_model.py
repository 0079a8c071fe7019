"""State documents: what ``AccountState.from_json`` takes and refuses, at each bound (that
the bounds keep the margin's arithmetic exact: ``test_margin.py``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from multiassets.account import AccountState
from multiassets.account.model import StateError


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
    position = {"symbol": "BTCUSDT", "positionAmt": "1", "entryPrice": "1"}
    for name in ("positionAmt", "entryPrice", "isolatedWallet"):
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
    computed = {"symbol": "BTCUSDT", "positionAmt": "1", "unrealizedProfit": "5"}
    assert refused({"positions": [computed]}).startswith(
        "a position's initialMargin and unrealizedProfit follow from its entryPrice"
    )
    order = {"orderId": 1, "symbol": "BTCUSDT", "side": "BUY", "origQty": "1", "qty": "1"}
    assert refused({"openOrders": [order]}) == "unknown fields in an order: qty"
    assert refused({"leverage": {}, "fees": 1, "margin": 2}) == (
        "unknown fields in an account state: fees, margin"
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
    first = {"symbol": "BTCUSDT", "positionAmt": "1", "entryPrice": "1"}  # side left out: BOTH
    second = {"symbol": "BTCUSDT", "positionSide": "BOTH", "positionAmt": "-2", "entryPrice": "1"}
    assert refused({"positions": [first, second]}) == (
        "two positions for BTCUSDT BOTH: a symbol has one position per positionSide"
    )


def test_hedge_mode_takes_a_long_and_a_short_per_symbol() -> None:
    sides = [
        {"symbol": "BTCUSDT", "positionSide": "LONG", "positionAmt": "1", "entryPrice": "1"},
        {"symbol": "BTCUSDT", "positionSide": "SHORT", "positionAmt": "-1", "entryPrice": "1"},
        {"symbol": "ETHUSDT", "positionSide": "LONG", "positionAmt": "0"},
    ]
    document = {"dualSidePosition": True, "positions": sides}
    assert len(AccountState.from_json(document).positions) == 3


@pytest.mark.parametrize(
    ("hedge", "side", "message"),
    [
        pytest.param(
            False, "LONG", "a BTCUSDT position is on side LONG: One-way Mode has BOTH", id="one-way"
        ),
        pytest.param(
            True,
            "BOTH",
            "a BTCUSDT position is on side BOTH: Hedge Mode (dualSidePosition true) has LONG"
            " and SHORT",
            id="hedge",
        ),
    ],
)
def test_a_position_on_a_side_the_position_mode_lacks_is_refused(
    hedge: bool, side: str, message: str
) -> None:
    position = {"symbol": "BTCUSDT", "positionSide": side, "positionAmt": "1", "entryPrice": "1"}
    assert refused({"dualSidePosition": hedge, "positions": [position]}) == message


def test_an_order_follows_the_position_mode_too() -> None:
    order = {"orderId": 1, "symbol": "BTCUSDT", "side": "BUY", "origQty": "1"}  # BOTH
    assert refused({"dualSidePosition": True, "openOrders": [order]}) == (
        "order 1 is on side BOTH: Hedge Mode (dualSidePosition true) has LONG and SHORT"
    )


@pytest.mark.parametrize(
    ("position", "message"),
    [
        pytest.param(
            {"positionAmt": "1"},
            "the BTCUSDT BOTH position: an open position needs its entryPrice",
            id="no-entry-price",
        ),
        pytest.param(
            {"positionAmt": "1", "entryPrice": "-1"},
            "the BTCUSDT BOTH position: entryPrice and isolatedWallet can't be negative",
            id="negative-entry",
        ),
        pytest.param(
            {"positionAmt": "1", "entryPrice": "1", "isolatedWallet": "5"},
            "the BTCUSDT position has an isolatedWallet: the symbol is CROSSED",
            id="isolated-wallet-on-cross",
        ),
    ],
)
def test_a_position_that_binance_cannot_hold_is_refused(
    position: dict[str, str], message: str
) -> None:
    assert refused({"positions": [{"symbol": "BTCUSDT", **position}]}) == message


def test_a_long_is_positive_and_a_short_negative() -> None:
    short = {"symbol": "BTCUSDT", "positionSide": "LONG", "positionAmt": "-1", "entryPrice": "1"}
    assert refused({"dualSidePosition": True, "positions": [short]}) == (
        "the BTCUSDT LONG position: a LONG amount is positive, a SHORT one negative"
    )


@pytest.mark.parametrize(
    ("leverage", "message"),
    [
        pytest.param(0, "the leverage of BTCUSDT is an integer from 1 to 125", id="zero"),
        pytest.param(126, "the leverage of BTCUSDT is an integer from 1 to 125", id="above-max"),
        pytest.param("20", "the leverage of BTCUSDT is an integer from 1 to 125", id="string"),
        pytest.param(True, "the leverage of BTCUSDT is an integer from 1 to 125", id="boolean"),
    ],
)
def test_a_leverage_outside_the_first_bracket_is_refused(leverage: Any, message: str) -> None:
    assert refused({"leverage": {"BTCUSDT": leverage}}) == message


def test_leverage_up_to_the_first_brackets_is_taken() -> None:
    # BTCUSDT's first bracket allows 125x, SOLUSDT's 75x (market.py's catalogue).
    state = AccountState.from_json({"leverage": {"BTCUSDT": 125, "SOLUSDT": 75}})
    assert (state.leverage_of("BTCUSDT"), state.leverage_of("SOLUSDT")) == (125, 75)
    assert state.leverage_of("ETHUSDT") == 20  # Binance's default
    assert refused({"leverage": {"SOLUSDT": 76}}) == (
        "the leverage of SOLUSDT is an integer from 1 to 75"
    )


def test_multi_assets_mode_has_no_isolated_symbol() -> None:
    document = {"multiAssetsMargin": True, "marginTypes": {"BTCUSDT": "ISOLATED"}}
    assert refused(document) == "Multi-Assets Mode has cross margin only: no symbol is ISOLATED"


def test_a_credits_account_is_in_multi_assets_mode() -> None:
    assert refused({"creditsMode": True}) == (
        "a creditsMode account is in Multi-Assets Mode (multiAssetsMargin)"
    )
    state = AccountState.from_json({"creditsMode": True, "multiAssetsMargin": True})
    assert state.margin_asset("BTCUSDT") == "BNFCR"
    assert AccountState().margin_asset("BTCUSDC") == "USDC"


def test_a_state_document_round_trips() -> None:
    document = {
        "multiAssetsMargin": False,
        "dualSidePosition": True,
        "creditsMode": False,
        "marginTypes": {"ETHUSDT": "ISOLATED"},
        "leverage": {"BTCUSDT": 10},
        "balances": {"USDT": "10.5"},
        "positions": [
            {
                "symbol": "ETHUSDT",
                "positionSide": "SHORT",
                "positionAmt": "-2",
                "entryPrice": "3100.5",
                "isolatedWallet": "300",
            }
        ],
        "openOrders": [
            {
                "orderId": 9,
                "symbol": "BTCUSDT",
                "side": "BUY",
                "type": "LIMIT",
                "positionSide": "LONG",
                "price": "80000",
                "origQty": "0.01",
            }
        ],
    }
    assert AccountState.from_json(document).to_json() == document


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
