"""Each account rule at its boundary, and the order the rules are checked in."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from multiassets.account import AccountState, Market, Order, Position
from multiassets.account.rules import (
    check_margin_type_change,
    check_mode_change,
    check_position_mode_change,
    margin_shortfall,
)
from multiassets.protocol.errors import ApiError

#: Round prices: stablecoins at 1 without haircut, BTC at 90000 with 5 %, marks at the index.
MARKET = Market.from_json(
    {
        "assetIndex": {
            "USDT": {"index": "1", "bidBuffer": "0", "askBuffer": "0"},
            "USDC": {"index": "1", "bidBuffer": "0", "askBuffer": "0"},
        },
        "markPrices": {"BTCUSDT": "90000", "ETHUSDT": "3000", "ETHUSDC": "3000"},
    }
)


def position(symbol: str, notional: str, entry: str | None = None) -> Position:
    """A long of ``notional`` at 20x (its initial margin notional / 20) from ``entry``
    (the mark price unless given: no PnL)."""
    mark = MARKET.mark_prices[symbol]
    amount = Decimal(notional) / mark
    return Position(symbol, "BOTH", amount, Decimal(entry) if entry else mark)


def order(symbol: str = "BTCUSDT", order_id: int = 1) -> Order:
    return Order(order_id, symbol, "BUY", Decimal("80000"), Decimal("0.01"))


def check(state: AccountState, multi: bool) -> None:
    check_mode_change(state, multi, MARKET)


def shortfall(state: AccountState, multi: bool) -> bool:
    return margin_shortfall(state, multi, MARKET)


def refusal(state: AccountState, multi: bool) -> tuple[int, int, str]:
    with pytest.raises(ApiError) as caught:
        check(state, multi)
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
    check(AccountState(margin_types={"BTCUSDT": "CROSSED"}), True)


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
        check(state, True)


def test_negative_balance_does_not_block_switch_to_single() -> None:
    state = AccountState(
        multi_assets_margin=True, balances={"BNB": Decimal("-1"), "USDT": Decimal("10000")}
    )
    check(state, False)


# -4169 to Single-Asset: each settlement asset covers its own positions.


@pytest.mark.parametrize(
    ("usdt", "refused"),
    [
        pytest.param("799.99999999", True, id="a-hundred-millionth-short"),
        pytest.param("800", False, id="exactly-covered"),
    ],
)
def test_switch_to_single_needs_each_asset_to_cover_its_positions(usdt: str, refused: bool) -> None:
    # 0.2 BTCUSDT (18000 at 20x) needs 900 USDT; from 89500 it gained 0.2 × 500 = 100:
    # a wallet of 800 covers it exactly.
    state = AccountState(
        multi_assets_margin=True,
        balances={"USDT": Decimal(usdt), "BTC": Decimal("10")},  # BTC can't cover USDT positions
        positions=[position("BTCUSDT", "18000", entry="89500")],
    )
    if refused:
        assert refusal(state, False) == (
            -4169,
            400,
            "Unable to adjust Multi-Assets Mode with insufficient margin balance in USDⓈ-M Futures.",
        )
    else:
        check(state, False)


def test_switch_to_single_counts_losses_against_the_settlement_asset() -> None:
    # 1 ETHUSDC (3000 at 20x) needs 150 USDC; from 7850 it lost 4850: 5000 − 4850 − 150 = 0.
    state = AccountState(
        multi_assets_margin=True,
        balances={"USDT": Decimal("1000"), "USDC": Decimal("5000")},
        positions=[position("BTCUSDT", "9000"), position("ETHUSDC", "3000", entry="7850")],
    )
    assert not shortfall(state, False)
    state.balances["USDC"] = Decimal("4999.99999999")
    assert shortfall(state, False)


# -4169 to Multi-Assets: all margin assets pooled at their rates.


@pytest.mark.parametrize(
    ("btc", "refused"),
    [
        pytest.param("0.00935672", True, id="just-short"),
        pytest.param("0.00935673", False, id="covered"),
    ],
)
def test_switch_to_multi_pools_margin_assets_at_their_bid_rates(btc: str, refused: bool) -> None:
    # 900 USDT of margin needed, 100 USDT held; BTC at the bid rate 90000 × 0.95 = 85500
    # must bring 800: 800 / 85500 = 0.0093567251… BTC.
    state = AccountState(
        balances={"USDT": Decimal("100"), "BTC": Decimal(btc)},
        positions=[position("BTCUSDT", "18000")],
    )
    assert shortfall(state, True) is refused
    assert shortfall(state, False)  # USDT alone never covered it


def test_a_price_move_makes_a_switch_that_passed_refuse() -> None:
    state = AccountState(
        balances={"USDT": Decimal("100"), "BTC": Decimal("0.00935673")},
        positions=[position("BTCUSDT", "18000")],
    )
    check(state, True)
    # BTC's index 1 lower: 0.00935673 × 89999 × 0.95 = 799.99910… < 800.
    lower = MARKET.patched({"assetIndex": {"BTC": {"index": "89999"}}})
    with pytest.raises(ApiError) as caught:
        check_mode_change(state, True, lower)
    assert caught.value.code == -4169


def test_isolated_positions_are_outside_the_cross_margin_formula() -> None:
    state = AccountState(
        multi_assets_margin=False,
        margin_types={"ETHUSDT": "ISOLATED"},
        balances={"USDT": Decimal("10")},
        positions=[position("ETHUSDT", "90000")],
    )
    assert not shortfall(state, False)


def test_a_credits_account_refuses_single_asset_mode_with_our_chosen_4408() -> None:
    state = AccountState(multi_assets_margin=True, credits_mode=True)
    assert refusal(state, False) == (
        -4408,
        400,
        "This symbol is in reduce only mode due to regulation requirements. Please upgrade to "
        "Binance Credits Trading Mode.",
    )
    assert refusal(state, True)[0] == -4171  # "already set" comes first


def test_mode_rules_are_checked_in_documented_order() -> None:
    state = AccountState(
        margin_types={"BTCUSDT": "ISOLATED"},
        balances={"USDT": Decimal("-5")},
        positions=[position("ETHUSDT", "90000")],
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
            check(state, True)
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
    state = AccountState(open_orders=[order("ETHUSDT")], positions=[position("BNBUSDT", "900")])
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
    closed = Position("BNBUSDT", "BOTH", Decimal(0), Decimal(0))
    check_margin_type_change(AccountState(positions=[closed]), "BNBUSDT", "ISOLATED")


# POST /fapi/v1/positionSide/dual


def position_refusal(state: AccountState, dual: bool) -> tuple[int, int, str]:
    with pytest.raises(ApiError) as caught:
        check_position_mode_change(state, dual)
    return caught.value.code, caught.value.status, caught.value.msg


def test_the_current_position_mode_is_refused_with_4059() -> None:
    assert position_refusal(AccountState(), False) == (
        -4059,
        400,
        "No need to change position side.",
    )
    assert position_refusal(AccountState(dual_side_position=True), True)[0] == -4059


def test_open_orders_then_positions_refuse_a_position_mode_change() -> None:
    state = AccountState(open_orders=[order()], positions=[position("BTCUSDT", "9000")])
    assert position_refusal(state, True) == (
        -4067,
        400,
        "Position side cannot be changed if there exists open orders.",
    )
    state.open_orders.clear()
    assert position_refusal(state, True) == (
        -4068,
        400,
        "Position side cannot be changed if there exists position.",
    )
    state.positions[0] = Position("BTCUSDT", "BOTH", Decimal(0), Decimal(0))  # closed
    check_position_mode_change(state, True)
