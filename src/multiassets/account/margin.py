"""The margin of an account: what its wallets, positions and open orders are worth at the
market's prices, in the asset mode asked for. No HTTP, no database: every view of the account
(``views.py``) and the rule that refuses a switch for insufficient margin (``rules.py``) read
this one computation.

Per position (symbol s, leverage L, mark price m, amount q, entry price e):
``notional = q·m``, ``unrealizedProfit = q·(m − e)``, initial margin ``|q·m| / L``,
maintenance margin ``|q·m|·mmr − cum`` from the symbol's bracket for ``|q·m|``; an open
order's initial margin is ``origQty·(price, or m for a market order) / L``.

Per asset A (native units), over the positions booked in A: ``walletBalance`` is the
balance; ``crossWalletBalance`` the wallet less the isolated positions' wallets; ``crossUnPnl``
the cross positions' unrealized PnL; ``marginBalance = walletBalance + unrealizedProfit``;
and what A can still commit, ``own(A) = crossWallet + crossUnPnl − cross positions' initial
margin − open orders' initial margin``.

- Single-Asset Mode: each asset covers its own positions: ``availableBalance(A) = own(A)``;
  the account's totals are USDT's figures.
- Multi-Assets Mode (Binance's FAQ "How to calculate margin in Multi-Assets Mode"): margin is
  pooled in USD, an amount held valued at the asset's bid rate, owed or required at its ask
  rate: ``available = Σ value(crossWallet + crossUnPnl) − Σ required × askRate``, and each
  asset shows ``available / askRate(A)``.

``maxWithdrawAmount`` is the available amount, at most the cross wallet, never below 0.
An account is *uncovered* when what its cross positions and orders require exceeds what covers
them: an asset's ``own(A) < 0`` in Single-Asset Mode, the pooled ``available < 0`` in
Multi-Assets Mode.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Context, Decimal, localcontext

from ..market import ASSETS, ASSETS_BY_NAME, CREDITS_ASSET, SYMBOLS, Bracket, Symbol
from .model import AMOUNT_DECIMALS, AMOUNT_INTEGER_DIGITS, AccountState, Order, Position
from .prices import Market

__all__ = [
    "TOTALS_ASSET",
    "AccountMargin",
    "AssetMargin",
    "PositionMargin",
    "Totals",
    "account_margin",
    "bracket_for",
    "max_notional",
]

_ZERO = Decimal(0)
#: The asset whose figures are the account's totals in Single-Asset Mode ("only for USDT").
TOTALS_ASSET = "USDT"
# Sums and products are never rounded: the default context keeps 28 digits, and BTC's 10**21
# USD plus a 10**-8 USDT balance needs 30 (a decision at the boundary would be wrong). An
# amount has at most 26 digits (model.py's bounds), a price 20 (prices.py's); their products,
# summed over a few dozen positions, stay well inside three amounts' digits. A division (an
# initial margin by its leverage; an asset's share of the pool, which is only shown) is
# rounded at the 78th digit: exact whenever the quotient has fewer digits (a leverage of
# 2**a·5**b), else within 10**-30 of the largest amount, far below the 10**-8 that amounts
# are written in.
_EXACT = Context(prec=3 * (AMOUNT_INTEGER_DIGITS + AMOUNT_DECIMALS))


def bracket_for(symbol: Symbol, notional: Decimal) -> Bracket:
    """The bracket of ``symbol`` an absolute notional falls in (the last one beyond it)."""
    for bracket in symbol.brackets:
        if notional < bracket.notional_cap:
            return bracket
    return symbol.brackets[-1]


def max_notional(symbol: Symbol, leverage: int) -> Decimal:
    """The largest notional a position may reach at ``leverage``: the cap of the last bracket
    that allows it."""
    allowed = [b for b in symbol.brackets if b.initial_leverage >= leverage]
    return allowed[-1].notional_cap if allowed else symbol.brackets[0].notional_cap


@dataclass(frozen=True, slots=True)
class PositionMargin:
    """One position row (a symbol and side the position mode has), open or flat."""

    symbol: str
    position_side: str
    position: Position | None
    margin_asset: str
    isolated: bool
    leverage: int
    mark_price: Decimal
    notional: Decimal
    unrealized_profit: Decimal
    position_initial_margin: Decimal
    open_order_initial_margin: Decimal
    maint_margin: Decimal
    #: An isolated position's wallet plus its unrealized PnL; 0 for a cross one.
    isolated_margin: Decimal
    max_notional: Decimal
    #: Whether the row has a position or an open order (the v3 views list only those).
    active: bool

    @property
    def position_amt(self) -> Decimal:
        return self.position.position_amt if self.position is not None else _ZERO

    @property
    def entry_price(self) -> Decimal:
        return self.position.entry_price if self.position is not None else _ZERO

    @property
    def isolated_wallet(self) -> Decimal:
        return self.position.isolated_wallet if self.position is not None else _ZERO

    @property
    def initial_margin(self) -> Decimal:
        return self.position_initial_margin + self.open_order_initial_margin


@dataclass(frozen=True, slots=True)
class AssetMargin:
    """One asset's figures, in units of the asset."""

    asset: str
    wallet_balance: Decimal
    unrealized_profit: Decimal
    margin_balance: Decimal
    maint_margin: Decimal
    position_initial_margin: Decimal
    open_order_initial_margin: Decimal
    cross_wallet_balance: Decimal
    cross_un_pnl: Decimal
    available_balance: Decimal
    max_withdraw_amount: Decimal
    margin_available: bool
    #: Whether the account holds the asset (its balance was ever set): Binance dates those.
    funded: bool
    #: What the cross positions and the open orders require of the asset.
    cross_required: Decimal
    cross_maint_margin: Decimal

    @property
    def initial_margin(self) -> Decimal:
        return self.position_initial_margin + self.open_order_initial_margin

    @property
    def own_available(self) -> Decimal:
        """What the asset can still commit by itself (Single-Asset Mode's availability)."""
        return self.cross_wallet_balance + self.cross_un_pnl - self.cross_required


@dataclass(frozen=True, slots=True)
class Totals:
    """The account's totals: USDT's figures in Single-Asset Mode, USD in Multi-Assets Mode."""

    total_initial_margin: Decimal
    total_maint_margin: Decimal
    total_wallet_balance: Decimal
    total_unrealized_profit: Decimal
    total_margin_balance: Decimal
    total_position_initial_margin: Decimal
    total_open_order_initial_margin: Decimal
    total_cross_wallet_balance: Decimal
    total_cross_un_pnl: Decimal
    available_balance: Decimal
    max_withdraw_amount: Decimal


@dataclass(frozen=True, slots=True)
class AccountMargin:
    multi_assets_margin: bool
    assets: tuple[AssetMargin, ...]
    rows: tuple[PositionMargin, ...]
    totals: Totals
    #: Whether the cross positions and orders require more than covers them (``-4169``).
    uncovered: bool

    def asset(self, name: str) -> AssetMargin | None:
        return next((a for a in self.assets if a.asset == name), None)


def account_margin(
    state: AccountState, market: Market, multi_assets_margin: bool | None = None
) -> AccountMargin:
    """The account's margin at ``market``, in its own mode or the one given."""
    multi = state.multi_assets_margin if multi_assets_margin is None else multi_assets_margin
    with localcontext(_EXACT):
        rows = tuple(_rows(state, market))
        assets = _assets(state, market, rows, multi)
        if multi:
            totals, uncovered = _pooled(assets, market)
        else:
            totals = _single_totals(assets)
            uncovered = any(a.cross_required > 0 and a.own_available < 0 for a in assets)
    return AccountMargin(multi, assets, rows, totals, uncovered)


def _order_margin(order: Order, mark: Decimal, leverage: int) -> Decimal:
    return order.orig_qty * (order.price if order.price > 0 else mark) / leverage


def _rows(state: AccountState, market: Market) -> Iterable[PositionMargin]:
    sides = ("LONG", "SHORT") if state.dual_side_position else ("BOTH",)
    positions = {(p.symbol, p.position_side): p for p in state.positions}
    for symbol in SYMBOLS:
        leverage = state.leverage_of(symbol.name)
        mark = market.mark_prices[symbol.name]
        isolated = state.margin_type(symbol.name) == "ISOLATED"
        for side in sides:
            position = positions.get((symbol.name, side))
            orders = [
                o for o in state.open_orders if o.symbol == symbol.name and o.position_side == side
            ]
            amount = position.position_amt if position is not None else _ZERO
            notional = amount * mark
            pnl = amount * (mark - position.entry_price) if position is not None else _ZERO
            bracket = bracket_for(symbol, abs(notional))
            maint = abs(notional) * bracket.maint_margin_ratio - bracket.cum if amount else _ZERO
            wallet = position.isolated_wallet if position is not None else _ZERO
            yield PositionMargin(
                symbol.name,
                side,
                position,
                state.margin_asset(symbol.name),
                isolated,
                leverage,
                mark,
                notional,
                pnl,
                abs(notional) / leverage,
                sum((_order_margin(o, mark, leverage) for o in orders), _ZERO),
                maint,
                wallet + pnl if isolated else _ZERO,
                max_notional(symbol, leverage),
                amount != 0 or bool(orders),
            )


def _listed(state: AccountState) -> list[str]:
    """The assets the account views list: every margin asset, BNFCR only where it is held
    or the account is in credits mode."""
    return [
        asset.name
        for asset in ASSETS
        if asset.name != CREDITS_ASSET or state.credits_mode or asset.name in state.balances
    ]


def _assets(
    state: AccountState, market: Market, rows: tuple[PositionMargin, ...], multi: bool
) -> tuple[AssetMargin, ...]:
    booked: dict[str, list[PositionMargin]] = {}
    for row in rows:
        if row.active:  # a flat row without orders adds nothing to any sum
            booked.setdefault(row.margin_asset, []).append(row)
    own = [_asset(name, state, booked.get(name, [])) for name in _listed(state)]
    if not multi:
        return tuple(own)
    pooled = _pooled_available(own, market)
    return tuple(
        _sharing(asset, pooled / market.asset_index[asset.asset].ask_rate) for asset in own
    )


def _asset(name: str, state: AccountState, booked: list[PositionMargin]) -> AssetMargin:
    """An asset's figures on its own (Single-Asset Mode's availability)."""
    wallet = state.balances.get(name, _ZERO)
    if not booked:
        zero = _ZERO
        available = ASSETS_BY_NAME[name].margin_available
        withdraw = _withdrawable(wallet, wallet)
        return AssetMargin(
            name, wallet, zero, wallet, zero, zero, zero, wallet, zero, wallet, withdraw,
            available, name in state.balances, zero, zero,
        )  # fmt: skip
    cross = [row for row in booked if not row.isolated]
    pnl = sum((row.unrealized_profit for row in booked), _ZERO)
    isolated_wallets = sum((row.isolated_wallet for row in booked if row.isolated), _ZERO)
    cross_wallet = wallet - isolated_wallets
    cross_pnl = sum((row.unrealized_profit for row in cross), _ZERO)
    order_margin = sum((row.open_order_initial_margin for row in booked), _ZERO)
    required = sum((row.position_initial_margin for row in cross), _ZERO) + order_margin
    own = cross_wallet + cross_pnl - required
    return AssetMargin(
        name,
        wallet,
        pnl,
        wallet + pnl,
        sum((row.maint_margin for row in booked), _ZERO),
        sum((row.position_initial_margin for row in booked), _ZERO),
        order_margin,
        cross_wallet,
        cross_pnl,
        own,
        _withdrawable(cross_wallet, own),
        ASSETS_BY_NAME[name].margin_available,
        name in state.balances,
        required,
        sum((row.maint_margin for row in cross), _ZERO),
    )


def _sharing(asset: AssetMargin, share: Decimal) -> AssetMargin:
    """``asset`` showing its share of the pool (Multi-Assets Mode's availability)."""
    a = asset
    withdraw = _withdrawable(a.cross_wallet_balance, share)
    return AssetMargin(
        a.asset, a.wallet_balance, a.unrealized_profit, a.margin_balance, a.maint_margin,
        a.position_initial_margin, a.open_order_initial_margin, a.cross_wallet_balance,
        a.cross_un_pnl, share, withdraw, a.margin_available, a.funded, a.cross_required,
        a.cross_maint_margin,
    )  # fmt: skip


def _withdrawable(cross_wallet: Decimal, available: Decimal) -> Decimal:
    return max(_ZERO, min(cross_wallet, available))


def _pooled_available(assets: Iterable[AssetMargin], market: Market) -> Decimal:
    total = _ZERO
    for asset in assets:
        if asset.margin_available:
            index = market.asset_index[asset.asset]
            total += index.value(asset.cross_wallet_balance + asset.cross_un_pnl)
            total -= asset.cross_required * index.ask_rate
    return total


def _pooled(assets: tuple[AssetMargin, ...], market: Market) -> tuple[Totals, bool]:
    pooled = [a for a in assets if a.margin_available]
    rates = [
        (a, index.bid_rate, index.ask_rate)
        for a in pooled
        for index in (market.asset_index[a.asset],)
    ]

    def value(amount_of: str) -> Decimal:
        total = _ZERO
        for asset, bid, ask in rates:
            amount = getattr(asset, amount_of)
            if amount:
                total += amount * (bid if amount >= 0 else ask)
        return total

    def owed(amount_of: str) -> Decimal:
        total = _ZERO
        for asset, _, ask in rates:
            amount = getattr(asset, amount_of)
            if amount:
                total += amount * ask
        return total

    available = _pooled_available(pooled, market)
    cross_wallet = value("cross_wallet_balance")
    orders = owed("open_order_initial_margin")
    cross_positions = owed("cross_required") - orders
    totals = Totals(
        cross_positions + orders,
        owed("cross_maint_margin"),
        value("wallet_balance"),
        value("unrealized_profit"),
        value("margin_balance"),
        cross_positions,
        orders,
        cross_wallet,
        value("cross_un_pnl"),
        available,
        _withdrawable(cross_wallet, available),
    )
    uncovered = any(a.cross_required > 0 for a in pooled) and available < 0
    return totals, uncovered


def _single_totals(assets: tuple[AssetMargin, ...]) -> Totals:
    usdt = next((a for a in assets if a.asset == TOTALS_ASSET), None)
    if usdt is None:
        return Totals(*([_ZERO] * len(Totals.__slots__)))
    return Totals(
        usdt.initial_margin,
        usdt.maint_margin,
        usdt.wallet_balance,
        usdt.unrealized_profit,
        usdt.margin_balance,
        usdt.position_initial_margin,
        usdt.open_order_initial_margin,
        usdt.cross_wallet_balance,
        usdt.cross_un_pnl,
        usdt.available_balance,
        usdt.max_withdraw_amount,
    )
