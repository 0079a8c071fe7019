"""The account rules that refuse a change, each with Binance's code and text (HTTP 400), as
ordered lists: :data:`MODE_RULES` for changing the asset mode (``POST
/fapi/v1/multiAssetsMargin``), :data:`POSITION_MODE_RULES` for the position mode (``POST
/fapi/v1/positionSide/dual``) and :data:`MARGIN_TYPE_RULES` for a symbol's margin type
(``POST /fapi/v1/marginType``). The first rule that refuses is the answer; the OpenAPI
document and PARITY.md's rows are derived from, or tested against, these lists. The margin
rule reads the same computation as the account's views (``margin.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..market import ASSETS_BY_NAME
from ..protocol.errors import (
    CREDITS_MODE_KEEPS_MULTI_ASSETS,
    ISOLATED_REJECT_WITH_JOINT_MARGIN,
    JOINT_MARGIN_REJECT_WITH_ISOLATED,
    JOINT_MARGIN_REJECT_WITH_MB,
    JOINT_MARGIN_REJECT_WITH_NEGATIVE_BALANCE,
    JOINT_MARGIN_REJECT_WITH_OPEN_ORDER,
    NO_NEED_TO_CHANGE_JOINT_MARGIN,
    NO_NEED_TO_CHANGE_MARGIN_TYPE,
    NO_NEED_TO_CHANGE_POSITION_SIDE,
    POSITION_SIDE_CHANGE_EXISTS_OPEN_ORDERS,
    POSITION_SIDE_CHANGE_EXISTS_QUANTITY,
    THERE_EXISTS_OPEN_ORDERS,
    THERE_EXISTS_QUANTITY,
    ApiError,
    ErrorSpec,
)
from .margin import account_margin
from .model import AccountState, MarginType
from .prices import Market

__all__ = [
    "MARGIN_TYPE_RULES",
    "MODE_RULES",
    "POSITION_MODE_RULES",
    "MarginTypeRule",
    "ModeRule",
    "PositionModeRule",
    "check_margin_type_change",
    "check_mode_change",
    "check_position_mode_change",
    "margin_shortfall",
    "mode_refusal",
]


@dataclass(frozen=True, slots=True)
class ModeRule:
    """Refuses switching an account to ``multi_assets_margin`` at ``market`` when
    ``refuses`` says so."""

    spec: ErrorSpec
    refuses: Callable[[AccountState, bool, Market], bool]


def _same_mode(state: AccountState, multi_assets_margin: bool, market: Market) -> bool:
    return state.multi_assets_margin == multi_assets_margin


def _credits_mode(state: AccountState, multi_assets_margin: bool, market: Market) -> bool:
    """An EU credits account stays in Multi-Assets Mode (the only one its UI offers)."""
    return state.credits_mode and not multi_assets_margin


def _open_orders(state: AccountState, multi_assets_margin: bool, market: Market) -> bool:
    return bool(state.open_orders)


def _isolated_symbol(state: AccountState, multi_assets_margin: bool, market: Market) -> bool:
    """To Multi-Assets only: the mode supports cross margin alone."""
    return multi_assets_margin and "ISOLATED" in state.margin_types.values()


def _negative_margin_asset(state: AccountState, multi_assets_margin: bool, market: Market) -> bool:
    """To Multi-Assets only: a negative margin-available wallet would be pooled."""
    return multi_assets_margin and any(
        amount < 0 and asset in ASSETS_BY_NAME and ASSETS_BY_NAME[asset].margin_available
        for asset, amount in state.balances.items()
    )


def margin_shortfall(state: AccountState, multi_assets_margin: bool, market: Market) -> bool:
    """Whether, in the target mode, the cross positions and open orders would require more
    margin than covers them: the account's view in that mode says it is uncovered."""
    if not state.open_orders and not any(p.position_amt for p in state.positions):
        return False  # nothing is required of the margin: uncovered needs a requirement
    return account_margin(state, market, multi_assets_margin).uncovered


#: Changing the asset mode, in the order the rules are checked.
MODE_RULES: tuple[ModeRule, ...] = (
    ModeRule(NO_NEED_TO_CHANGE_JOINT_MARGIN, _same_mode),
    ModeRule(CREDITS_MODE_KEEPS_MULTI_ASSETS, _credits_mode),
    ModeRule(JOINT_MARGIN_REJECT_WITH_OPEN_ORDER, _open_orders),
    ModeRule(ISOLATED_REJECT_WITH_JOINT_MARGIN, _isolated_symbol),
    ModeRule(JOINT_MARGIN_REJECT_WITH_NEGATIVE_BALANCE, _negative_margin_asset),
    ModeRule(JOINT_MARGIN_REJECT_WITH_MB, margin_shortfall),
)


def mode_refusal(state: AccountState, multi_assets_margin: bool, market: Market) -> ModeRule | None:
    """The first rule of :data:`MODE_RULES` that refuses the switch, if any."""
    return next(
        (rule for rule in MODE_RULES if rule.refuses(state, multi_assets_margin, market)), None
    )


def check_mode_change(state: AccountState, multi_assets_margin: bool, market: Market) -> None:
    """Raise the first rule of :data:`MODE_RULES` that refuses the switch."""
    rule = mode_refusal(state, multi_assets_margin, market)
    if rule is not None:
        raise ApiError(rule.spec)


@dataclass(frozen=True, slots=True)
class PositionModeRule:
    """Refuses switching an account to Hedge Mode (``dual``) or One-way Mode."""

    spec: ErrorSpec
    refuses: Callable[[AccountState, bool], bool]


#: Changing the position mode, in the order the rules are checked (Binance gives none:
#: PARITY.md).
POSITION_MODE_RULES: tuple[PositionModeRule, ...] = (
    PositionModeRule(
        NO_NEED_TO_CHANGE_POSITION_SIDE, lambda state, dual: state.dual_side_position == dual
    ),
    PositionModeRule(POSITION_SIDE_CHANGE_EXISTS_OPEN_ORDERS, lambda s, d: bool(s.open_orders)),
    PositionModeRule(
        POSITION_SIDE_CHANGE_EXISTS_QUANTITY,
        lambda state, dual: any(p.position_amt != 0 for p in state.positions),
    ),
)


def check_position_mode_change(state: AccountState, dual_side_position: bool) -> None:
    """Raise the first rule of :data:`POSITION_MODE_RULES` that refuses the switch."""
    for rule in POSITION_MODE_RULES:
        if rule.refuses(state, dual_side_position):
            raise ApiError(rule.spec)


@dataclass(frozen=True, slots=True)
class MarginTypeRule:
    """Refuses giving a symbol a margin type when ``refuses`` says so."""

    spec: ErrorSpec
    refuses: Callable[[AccountState, str, MarginType], bool]


def _same_margin_type(state: AccountState, symbol: str, margin_type: MarginType) -> bool:
    return state.margin_type(symbol) == margin_type


def _isolated_in_multi_assets(state: AccountState, symbol: str, margin_type: MarginType) -> bool:
    return margin_type == "ISOLATED" and state.multi_assets_margin


def _symbol_orders(state: AccountState, symbol: str, margin_type: MarginType) -> bool:
    return any(order.symbol == symbol for order in state.open_orders)


def _symbol_position(state: AccountState, symbol: str, margin_type: MarginType) -> bool:
    return any(p.symbol == symbol and p.position_amt != 0 for p in state.positions)


#: Changing a symbol's margin type, in the order the rules are checked.
MARGIN_TYPE_RULES: tuple[MarginTypeRule, ...] = (
    MarginTypeRule(NO_NEED_TO_CHANGE_MARGIN_TYPE, _same_margin_type),
    MarginTypeRule(JOINT_MARGIN_REJECT_WITH_ISOLATED, _isolated_in_multi_assets),
    MarginTypeRule(THERE_EXISTS_OPEN_ORDERS, _symbol_orders),
    MarginTypeRule(THERE_EXISTS_QUANTITY, _symbol_position),
)


def check_margin_type_change(state: AccountState, symbol: str, margin_type: MarginType) -> None:
    """Raise the first rule of :data:`MARGIN_TYPE_RULES` that refuses the change."""
    for rule in MARGIN_TYPE_RULES:
        if rule.refuses(state, symbol, margin_type):
            raise ApiError(rule.spec)
