"""The account rules that refuse a change, each with Binance's code and text (HTTP 400), as
ordered lists: :data:`MODE_RULES` for changing the mode (``POST /fapi/v1/multiAssetsMargin``)
and :data:`MARGIN_TYPE_RULES` for changing a symbol's margin type (``POST
/fapi/v1/marginType``). The first rule that refuses is the answer; the OpenAPI document and
PARITY.md's rows are derived from, or tested against, these lists.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Context, Decimal, localcontext

from ..market import ASSETS_BY_NAME, SYMBOLS_BY_NAME
from ..protocol.errors import (
    ISOLATED_REJECT_WITH_JOINT_MARGIN,
    JOINT_MARGIN_REJECT_WITH_ISOLATED,
    JOINT_MARGIN_REJECT_WITH_MB,
    JOINT_MARGIN_REJECT_WITH_NEGATIVE_BALANCE,
    JOINT_MARGIN_REJECT_WITH_OPEN_ORDER,
    NO_NEED_TO_CHANGE_JOINT_MARGIN,
    NO_NEED_TO_CHANGE_MARGIN_TYPE,
    THERE_EXISTS_OPEN_ORDERS,
    THERE_EXISTS_QUANTITY,
    ApiError,
    ErrorSpec,
)
from .model import AMOUNT_DECIMALS, AMOUNT_INTEGER_DIGITS, AccountState, MarginType

__all__ = [
    "MARGIN_TYPE_RULES",
    "MODE_RULES",
    "MarginTypeRule",
    "ModeRule",
    "check_margin_type_change",
    "check_mode_change",
    "margin_shortfall",
]

_ZERO = Decimal(0)
# margin_shortfall's sums and products, never rounded. The default context keeps 28 digits:
# BTC's 10**21 USD plus a 10**-8 USDT balance needs 30, and a decision at the boundary would
# be wrong. An amount has at most 26 digits (model.py's bounds); an asset's sum (a wallet and
# a position per symbol and side) adds 2, a product an index price's digits (5 here), the
# pooled sum 1 more: twice an amount's digits leaves room for prices of a dozen digits more.
_EXACT = Context(prec=2 * (AMOUNT_INTEGER_DIGITS + AMOUNT_DECIMALS))


@dataclass(frozen=True, slots=True)
class ModeRule:
    """Refuses switching an account to ``multi_assets_margin`` when ``refuses`` says so."""

    spec: ErrorSpec
    refuses: Callable[[AccountState, bool], bool]


def _same_mode(state: AccountState, multi_assets_margin: bool) -> bool:
    return state.multi_assets_margin == multi_assets_margin


def _open_orders(state: AccountState, multi_assets_margin: bool) -> bool:
    return bool(state.open_orders)


def _isolated_symbol(state: AccountState, multi_assets_margin: bool) -> bool:
    """To Multi-Assets only: the mode supports cross margin alone."""
    return multi_assets_margin and "ISOLATED" in state.margin_types.values()


def _negative_margin_asset(state: AccountState, multi_assets_margin: bool) -> bool:
    """To Multi-Assets only: a negative margin-available wallet would be pooled."""
    return multi_assets_margin and any(
        amount < 0 and asset in ASSETS_BY_NAME and ASSETS_BY_NAME[asset].margin_available
        for asset, amount in state.balances.items()
    )


#: Changing the mode, in the order the rules are checked.
MODE_RULES: tuple[ModeRule, ...] = (
    ModeRule(NO_NEED_TO_CHANGE_JOINT_MARGIN, _same_mode),
    ModeRule(JOINT_MARGIN_REJECT_WITH_OPEN_ORDER, _open_orders),
    ModeRule(ISOLATED_REJECT_WITH_JOINT_MARGIN, _isolated_symbol),
    ModeRule(JOINT_MARGIN_REJECT_WITH_NEGATIVE_BALANCE, _negative_margin_asset),
    ModeRule(JOINT_MARGIN_REJECT_WITH_MB, lambda state, to: margin_shortfall(state, to)),
)


def check_mode_change(state: AccountState, multi_assets_margin: bool) -> None:
    """Raise the first rule of :data:`MODE_RULES` that refuses the switch."""
    for rule in MODE_RULES:
        if rule.refuses(state, multi_assets_margin):
            raise ApiError(rule.spec)


def margin_shortfall(state: AccountState, multi_assets_margin: bool) -> bool:
    """Whether the cross margin would fail to cover the cross positions in the given mode.

    Per margin asset A (a symbol's settlement asset), over the symbols in cross margin:
    ``balance(A) = wallet(A) + unrealized PnL of A's positions`` and
    ``required(A) = initial margin of A's positions``.

    - Single-Asset Mode: each asset covers its own positions: ``balance(A) >= required(A)``
      for every A.
    - Multi-Assets Mode: margin is pooled at index prices:
      ``sum(price(A) * balance(A)) >= sum(price(A) * required(A))``.
    """
    with localcontext(_EXACT):
        balance: dict[str, Decimal] = defaultdict(lambda: _ZERO)
        required: dict[str, Decimal] = defaultdict(lambda: _ZERO)
        for asset, amount in state.balances.items():
            balance[asset] += amount
        for position in state.positions:
            if state.margin_type(position.symbol) == "ISOLATED":
                continue  # isolated positions are margined by their own isolated wallet
            asset = SYMBOLS_BY_NAME[position.symbol].margin_asset
            balance[asset] += position.unrealized_profit
            required[asset] += position.initial_margin
        if not multi_assets_margin:
            return any(balance[asset] < needed for asset, needed in required.items())
        pooled = sum((ASSETS_BY_NAME[a].index_price * b for a, b in balance.items()), _ZERO)
        needed = sum((ASSETS_BY_NAME[a].index_price * r for a, r in required.items()), _ZERO)
        return pooled < needed


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
