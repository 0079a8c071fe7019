"""Each account rule at its boundary, and the order the rules are checked in."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from multiassets.account import AccountState, Order, Position
from multiassets.account.rules import (
    check_margin_type_change,
    check_mode_change,
    margin_shortfall,
)
from multiassets.protocol.errors import ApiError


def position(symbol: str, margin: str, pnl: str = "0", amt: str = "0.01") -> Position:
    return Position(symbol, "BOTH", Decimal(amt), Decimal("90000"), Decimal(margin), Decimal(pnl))


def order(symbol: str = "BTCUSDT", order_id: int = 1) -> Order:
    return Order(order_id, symbol, "BUY", Decimal("80000"), Decimal("0.01"))


def refusal(state: AccountState, multi: bool) -> tuple[int, int, str]:
    with pytest.raises(ApiError) as caught:
        check_mode_change(state, multi)
    return caught.value.code, caught.value.status, caught.value.msg


def test_switch_to_the_current_mode_is_refused_with_4171() -> None:
    assert refusal(AccountState(), False) == (
        -4171,
        400,
        "Adjusted asset mode is currently set and does not need to be adjusted repeatedly.",
    )
    assert refusal(AccountState(multi_assets_margin=True), True)[0] == -4171


@pytest.mark.parametrize("to_multi", [True, False], ids=["to-multi", "to-single"])
def test_open_orders_refuse_either_switch_with_4170(to_multi: bool) -> None:
    state = AccountState(multi_assets_margin=not to_multi, open_orders=[order()])
    assert refusal(state, to_multi) == (
        -4170,
        400,
        "Unable to adjust Multi-Assets Mode with open orders in USDⓈ-M Futures.",
    )


def test_isolated_symbol_refuses_switch_to_multi_with_4167() -> None:
    state = AccountState(margin_types={"ETHUSDT": "ISOLATED", "BTCUSDT": "CROSSED"})
    assert refusal(state, True) == (
        -4167,
        400,
        "Unable to adjust to Multi-Assets mode with symbols of USDⓈ-M Futures under isolated-margin mode.",
    )


def test_crossed_symbols_allow_switch_to_multi() -> None:
    check_mode_change(AccountState(margin_types={"BTCUSDT": "CROSSED"}), True)


@pytest.mark.parametrize(
    ("amount", "refused"),
    [pytest.param("-0.00000001", True, id="just-below-zero"), pytest.param("0", False, id="zero")],
)
def test_negative_margin_asset_balance_refuses_switch_to_multi_with_4172(
    amount: str, refused: bool
) -> None:
    state = AccountState(balances={"USDT": Decimal("100"), "BNB": Decimal(amount)})
    if refused:
        assert refusal(state, True) == (
            -4172,
            400,
            "Unable to adjust Multi-Assets Mode with a negative wallet balance of margin available asset in USDⓈ-M Futures account.",
        )
    else:
        check_mode_change(state, True)


def test_negative_balance_does_not_block_switch_to_single() -> None:
    state = AccountState(
        multi_assets_margin=True, balances={"BNB": Decimal("-1"), "USDT": Decimal("10000")}
    )
    check_mode_change(state, False)


# -4169 to Single-Asset: each settlement asset covers its own positions.


@pytest.mark.parametrize(
    ("usdt", "refused"),
    [
        pytest.param("899.99", True, id="one-cent-short"),
        pytest.param("900", False, id="exactly-covered"),
    ],
)
def test_switch_to_single_needs_each_asset_to_cover_its_positions(usdt: str, refused: bool) -> None:
    # BTCUSDT needs 1000 USDT of initial margin; USDT wallet plus +100 unrealised PnL.
    state = AccountState(
        multi_assets_margin=True,
        balances={"USDT": Decimal(usdt), "BTC": Decimal("10")},  # BTC can't cover USDT positions
        positions=[position("BTCUSDT", "1000", pnl="100")],
    )
    if refused:
        assert refusal(state, False) == (
            -4169,
            400,
            "Unable to adjust Multi-Assets Mode with insufficient margin balance in USDⓈ-M Futures.",
        )
    else:
        check_mode_change(state, False)


def test_switch_to_single_counts_losses_against_the_settlement_asset() -> None:
    state = AccountState(
        multi_assets_margin=True,
        balances={"USDT": Decimal("1000"), "USDC": Decimal("5000")},
        positions=[position("BTCUSDT", "500"), position("ETHUSDC", "100", pnl="-4900.01")],
    )
    assert margin_shortfall(state, multi_assets_margin=False)
    state.positions[1] = position("ETHUSDC", "100", pnl="-4900")
    assert not margin_shortfall(state, multi_assets_margin=False)


# -4169 to Multi-Assets: all margin assets pooled at index prices.


@pytest.mark.parametrize(
    ("btc", "refused"),
    [
        pytest.param("0.00999999", True, id="just-short"),
        pytest.param("0.01", False, id="exactly-covered"),
    ],
)
def test_switch_to_multi_pools_margin_assets_at_index_prices(btc: str, refused: bool) -> None:
    # 1000 USDT of margin needed, 100 USDT held; BTC at 90000 must bring the other 900.
    state = AccountState(
        balances={"USDT": Decimal("100"), "BTC": Decimal(btc)},
        positions=[position("BTCUSDT", "1000")],
    )
    assert margin_shortfall(state, multi_assets_margin=True) is refused
    assert margin_shortfall(state, multi_assets_margin=False)  # USDT alone never covered it


def test_isolated_positions_are_outside_the_cross_margin_formula() -> None:
    state = AccountState(
        multi_assets_margin=False,
        margin_types={"ETHUSDT": "ISOLATED"},
        balances={"USDT": Decimal("10")},
        positions=[position("ETHUSDT", "5000")],
    )
    assert not margin_shortfall(state, multi_assets_margin=False)


def test_mode_rules_are_checked_in_documented_order() -> None:
    state = AccountState(
        margin_types={"BTCUSDT": "ISOLATED"},
        balances={"USDT": Decimal("-5")},
        positions=[position("ETHUSDT", "100000")],
        open_orders=[order()],
    )
    seen = []
    fixes: tuple[Callable[[], object], ...] = (
        lambda: None,
        lambda: state.open_orders.clear(),
        lambda: state.margin_types.clear(),
        lambda: state.balances.clear(),
        lambda: state.positions.clear(),
    )
    for fix in fixes:
        fix()
        try:
            check_mode_change(state, True)
            seen.append(0)
        except ApiError as error:
            seen.append(error.code)
    assert seen == [-4170, -4167, -4172, -4169, 0]
    state.multi_assets_margin = True
    assert refusal(state, True)[0] == -4171


# POST /fapi/v1/marginType


def margin_refusal(state: AccountState, symbol: str, margin_type: str) -> tuple[int, str]:
    with pytest.raises(ApiError) as caught:
        check_margin_type_change(state, symbol, margin_type)  # type: ignore[arg-type]
    return caught.value.code, caught.value.msg


def test_unchanged_margin_type_is_refused_with_4046() -> None:
    assert margin_refusal(AccountState(), "BTCUSDT", "CROSSED") == (
        -4046,
        "No need to change margin type.",
    )
    state = AccountState(margin_types={"BTCUSDT": "ISOLATED"})
    assert margin_refusal(state, "BTCUSDT", "ISOLATED")[0] == -4046


def test_isolated_under_multi_assets_is_refused_with_4168() -> None:
    assert margin_refusal(AccountState(multi_assets_margin=True), "BTCUSDT", "ISOLATED") == (
        -4168,
        "Unable to adjust to isolated-margin mode under the Multi-Assets mode.",
    )


def test_crossed_under_multi_assets_is_still_unchanged() -> None:
    assert margin_refusal(AccountState(multi_assets_margin=True), "BTCUSDT", "CROSSED")[0] == -4046


def test_margin_type_change_refused_with_open_orders_or_position_on_that_symbol() -> None:
    state = AccountState(open_orders=[order("ETHUSDT")], positions=[position("BNBUSDT", "1")])
    assert margin_refusal(state, "ETHUSDT", "ISOLATED") == (
        -4047,
        "Margin type cannot be changed if there exists open orders.",
    )
    assert margin_refusal(state, "BNBUSDT", "ISOLATED") == (
        -4048,
        "Margin type cannot be changed if there exists position.",
    )
    check_margin_type_change(state, "BTCUSDT", "ISOLATED")
    # A closed position (size zero) does not count.
    check_margin_type_change(
        AccountState(positions=[position("BNBUSDT", "0", amt="0")]), "BNBUSDT", "ISOLATED"
    )
