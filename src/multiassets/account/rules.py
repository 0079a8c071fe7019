"""The account rules that refuse a change, each with Binance's code and text (HTTP 400).

Changing the mode (``POST /fapi/v1/multiAssetsMargin``), checked in this order:

1. ``-4171`` the account is already in the requested mode;
2. ``-4170`` the account has open orders;
3. ``-4167`` to Multi-Assets while any symbol is in isolated margin;
4. ``-4172`` to Multi-Assets while a margin-available asset has a negative wallet balance;
5. ``-4169`` the margin would not cover the positions afterwards (:func:`margin_shortfall`).

Changing a symbol's margin type (``POST /fapi/v1/marginType``), in this order:

1. ``-4046`` the symbol already has that margin type;
2. ``-4168`` ISOLATED while the account is in Multi-Assets Mode;
3. ``-4047`` the symbol has open orders;
4. ``-4048`` the symbol has a position.
"""

from __future__ import annotations

from collections import defaultdict
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
)
from .model import AMOUNT_DECIMALS, AMOUNT_INTEGER_DIGITS, AccountState, MarginType

__all__ = ["check_margin_type_change", "check_mode_change", "margin_shortfall"]

_ZERO = Decimal(0)
# margin_shortfall's sums and products, never rounded. The default context keeps 28 digits:
# BTC's 10**21 USD plus a 10**-8 USDT balance needs 30, and a decision at the boundary would
# be wrong. An amount has at most 26 digits (model.py's bounds); an asset's sum (a wallet and
# a position per symbol and side) adds 2, a product an index price's digits (5 here), the
# pooled sum 1 more: twice an amount's digits leaves room for prices of a dozen digits more.
_EXACT = Context(prec=2 * (AMOUNT_INTEGER_DIGITS + AMOUNT_DECIMALS))


def check_mode_change(state: AccountState, multi_assets_margin: bool) -> None:
    """Raise the first rule that refuses switching ``state`` to the requested mode."""
    if state.multi_assets_margin == multi_assets_margin:
        raise ApiError(NO_NEED_TO_CHANGE_JOINT_MARGIN)
    if state.open_orders:
        raise ApiError(JOINT_MARGIN_REJECT_WITH_OPEN_ORDER)
    if multi_assets_margin:
        if any(margin_type == "ISOLATED" for margin_type in state.margin_types.values()):
            raise ApiError(ISOLATED_REJECT_WITH_JOINT_MARGIN)
        if any(
            amount < 0 and asset in ASSETS_BY_NAME and ASSETS_BY_NAME[asset].margin_available
            for asset, amount in state.balances.items()
        ):
            raise ApiError(JOINT_MARGIN_REJECT_WITH_NEGATIVE_BALANCE)
    if margin_shortfall(state, multi_assets_margin):
        raise ApiError(JOINT_MARGIN_REJECT_WITH_MB)


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


def check_margin_type_change(state: AccountState, symbol: str, margin_type: MarginType) -> None:
    """Raise the first rule that refuses giving ``symbol`` the margin type ``margin_type``."""
    if state.margin_type(symbol) == margin_type:
        raise ApiError(NO_NEED_TO_CHANGE_MARGIN_TYPE)
    if margin_type == "ISOLATED" and state.multi_assets_margin:
        raise ApiError(JOINT_MARGIN_REJECT_WITH_ISOLATED)
    if any(order.symbol == symbol for order in state.open_orders):
        raise ApiError(THERE_EXISTS_OPEN_ORDERS)
    if any(p.symbol == symbol and p.position_amt != 0 for p in state.positions):
        raise ApiError(THERE_EXISTS_QUANTITY)
