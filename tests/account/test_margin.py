"""The account's margin: every figure of a seeded account worked out by hand, in both asset
modes, and the decision that an account is uncovered held to an exact rational oracle."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from multiassets.account import AccountState, Market, Order, account_margin
from multiassets.account.margin import AccountMargin, AssetMargin, bracket_for, max_notional
from multiassets.market import ASSETS_BY_NAME, SYMBOLS, SYMBOLS_BY_NAME

D = Decimal

#: Stablecoins at 1 with no haircut, BTC at 90000 with 5 %: figures a reader can follow.
ROUND: dict[str, dict[str, Any]] = {
    "assetIndex": {
        "USDT": {"index": "1", "bidBuffer": "0", "askBuffer": "0"},
        "USDC": {"index": "1", "bidBuffer": "0", "askBuffer": "0"},
        "BTC": {"index": "90000", "bidBuffer": "0.05", "askBuffer": "0.05"},
    },
    "markPrices": {"BTCUSDT": "90000", "ETHUSDT": "3000", "ETHUSDC": "3000"},
}


def market(document: dict[str, Any] = ROUND) -> Market:
    return Market.from_json(document)


def seeded(**changes: Any) -> AccountState:
    """1000 USDT, 500 USDC and 0.1 BTC; long 0.1 BTCUSDT from 80000 at 10x; short 1 ETHUSDC
    from 3100 at 20x; a resting order to buy 1 ETHUSDT at 2500 (20x)."""
    document: dict[str, Any] = {
        "balances": {"USDT": "1000", "USDC": "500", "BTC": "0.1"},
        "leverage": {"BTCUSDT": 10},
        "positions": [
            {"symbol": "BTCUSDT", "positionAmt": "0.1", "entryPrice": "80000"},
            {"symbol": "ETHUSDC", "positionAmt": "-1", "entryPrice": "3100"},
        ],
        "openOrders": [
            {"orderId": 1, "symbol": "ETHUSDT", "side": "BUY", "price": "2500", "origQty": "1"}
        ],
    }
    return AccountState.from_json({**document, **changes})


def figures(asset: AssetMargin) -> tuple[Decimal, ...]:
    return (
        asset.wallet_balance,
        asset.unrealized_profit,
        asset.margin_balance,
        asset.maint_margin,
        asset.position_initial_margin,
        asset.open_order_initial_margin,
        asset.cross_wallet_balance,
        asset.cross_un_pnl,
        asset.available_balance,
        asset.max_withdraw_amount,
    )


def row(view: AccountMargin, symbol: str, side: str = "BOTH") -> Any:
    return next(r for r in view.rows if (r.symbol, r.position_side) == (symbol, side))


# -- positions --------------------------------------------------------------------------------


def test_a_positions_figures_follow_from_entry_mark_and_leverage() -> None:
    view = account_margin(seeded(), market())
    btc = row(view, "BTCUSDT")
    # 0.1 × 90000 = 9000 notional; PnL 0.1 × (90000 − 80000) = 1000; IM 9000 / 10 = 900;
    # MM: bracket 1 (below 50000) 9000 × 0.004 − 0 = 36; at 10x, bracket 7 (10x) caps 230M.
    assert (btc.notional, btc.unrealized_profit, btc.position_initial_margin) == (
        D(9000),
        D(1000),
        D(900),
    )
    assert (btc.maint_margin, btc.max_notional, btc.leverage) == (D(36), D(230_000_000), 10)
    eth = row(view, "ETHUSDC")
    # A short: −1 × 3000 = −3000; PnL −1 × (3000 − 3100) = +100; IM 3000 / 20 = 150; MM 12.
    assert (eth.notional, eth.unrealized_profit, eth.position_initial_margin) == (
        D(-3000),
        D(100),
        D(150),
    )
    assert eth.maint_margin == D(12)
    order = row(view, "ETHUSDT")
    # No position, one order: 1 × 2500 / 20 = 125 of open-order margin; the row is active.
    assert (order.position_amt, order.open_order_initial_margin, order.active) == (0, D(125), True)
    assert not row(view, "SOLUSDT").active


def test_one_way_mode_has_a_both_row_per_symbol_and_hedge_mode_long_and_short() -> None:
    assert [r.position_side for r in account_margin(AccountState(), market()).rows] == (
        ["BOTH"] * len(SYMBOLS)
    )
    hedge = account_margin(AccountState(dual_side_position=True), market())
    assert [(r.symbol, r.position_side) for r in hedge.rows[:2]] == [
        ("BTCUSDT", "LONG"),
        ("BTCUSDT", "SHORT"),
    ]
    assert len(hedge.rows) == 2 * len(SYMBOLS)


def test_brackets_and_their_cum_are_binances() -> None:
    btc = SYMBOLS_BY_NAME["BTCUSDT"]
    # cum of bracket n = cum(n−1) + floor(n) × (mmr(n) − mmr(n−1)): 50000 × 0.001 = 50,
    # then 50 + 600000 × 0.0015 = 950.
    assert [(b.notional_floor, b.cum) for b in btc.brackets[:3]] == [
        (D(0), D(0)),
        (D(50_000), D(50)),
        (D(600_000), D(950)),
    ]
    assert bracket_for(btc, D(50_000)).bracket == 2  # a floor belongs to its bracket
    assert bracket_for(btc, D(10**12)).bracket == 12  # beyond the last cap: the last
    # 100x is allowed up to bracket 2's cap; 126x nowhere (the first bracket's cap then).
    assert max_notional(btc, 100) == D(600_000)
    # 60000 notional: bracket 2, 60000 × 0.005 − 50 = 250 (continuous with 50000 × 0.004).
    state = AccountState.from_json(
        {"positions": [{"symbol": "BTCUSDT", "positionAmt": "1", "entryPrice": "60000"}]}
    )
    view = account_margin(state, market({"markPrices": {"BTCUSDT": "60000"}}))
    assert row(view, "BTCUSDT").maint_margin == D(250)


# -- Single-Asset Mode: each asset covers its own -------------------------------------------


def test_single_asset_mode_keeps_each_asset_to_itself_and_totals_usdt_only() -> None:
    view = account_margin(seeded(), market())
    usdt, usdc, btc = (view.asset(name) for name in ("USDT", "USDC", "BTC"))
    assert usdt is not None and usdc is not None and btc is not None
    # USDT: wallet 1000, PnL 1000, balance 2000, MM 36, IM 900 + order 125; available
    # 1000 + 1000 − 900 − 125 = 975, and withdrawable min(1000, 975) = 975.
    assert figures(usdt) == tuple(
        D(n) for n in (1000, 1000, 2000, 36, 900, 125, 1000, 1000, 975, 975)
    )
    # USDC: 500, +100, 600, MM 12, IM 150; available 500 + 100 − 150 = 450.
    assert figures(usdc) == tuple(D(n) for n in (500, 100, 600, 12, 150, 0, 500, 100, 450, 450))
    assert (btc.available_balance, btc.max_withdraw_amount) == (D("0.1"), D("0.1"))
    totals = view.totals
    assert (totals.total_wallet_balance, totals.total_margin_balance) == (D(1000), D(2000))
    assert (totals.total_initial_margin, totals.total_maint_margin) == (D(1025), D(36))
    assert (totals.available_balance, totals.max_withdraw_amount) == (D(975), D(975))
    assert not view.uncovered


def test_an_isolated_position_keeps_its_wallet_out_of_the_cross_figures() -> None:
    state = AccountState.from_json(
        {
            "marginTypes": {"ETHUSDT": "ISOLATED"},
            "balances": {"USDT": "1000"},
            "positions": [
                {
                    "symbol": "ETHUSDT",
                    "positionAmt": "2",
                    "entryPrice": "3100",
                    "isolatedWallet": "300",
                }
            ],
        }
    )
    view = account_margin(state, market())
    eth = row(view, "ETHUSDT")
    # PnL 2 × (3000 − 3100) = −200; isolated margin 300 − 200 = 100; IM 6000 / 20 = 300.
    assert (eth.isolated, eth.isolated_margin, eth.position_initial_margin) == (True, 100, 300)
    usdt = view.asset("USDT")
    assert usdt is not None
    # The wallet holds the 300; the cross wallet 700; no cross PnL, no cross margin: 700.
    assert (usdt.wallet_balance, usdt.cross_wallet_balance, usdt.margin_balance) == (
        D(1000),
        D(700),
        D(800),
    )
    assert (usdt.cross_un_pnl, usdt.available_balance, usdt.max_withdraw_amount) == (
        D(0),
        D(700),
        D(700),
    )


# -- Multi-Assets Mode: pooled in USD, with haircuts ------------------------------------------


def test_multi_assets_mode_pools_every_asset_at_its_rates() -> None:
    view = account_margin(seeded(), market(), multi_assets_margin=True)
    totals = view.totals
    # BTC held at the bid rate 90000 × 0.95 = 85500: 0.1 BTC is 8550 USD.
    # Wallets 1000 + 500 + 8550 = 10050; PnL 1000 + 100 = 1100; balances 2000 + 600 + 8550.
    assert (totals.total_wallet_balance, totals.total_unrealized_profit) == (D(10050), D(1100))
    assert (totals.total_margin_balance, totals.total_cross_wallet_balance) == (
        D(11150),
        D(10050),
    )
    # Required at the ask rates (1): positions 900 + 150, the order 125; MM 36 + 12.
    assert (totals.total_position_initial_margin, totals.total_open_order_initial_margin) == (
        D(1050),
        D(125),
    )
    assert (totals.total_initial_margin, totals.total_maint_margin) == (D(1175), D(48))
    # Available: 11150 − 1175 = 9975 USD; withdrawable min(10050, 9975).
    assert (totals.available_balance, totals.max_withdraw_amount) == (D(9975), D(9975))
    usdt, btc = view.asset("USDT"), view.asset("BTC")
    assert usdt is not None and btc is not None
    # Each asset shows the pool in its own units: 9975 / 1, and 9975 / 94500 BTC (the ask
    # rate 90000 × 1.05); each withdraws at most its own cross wallet.
    assert (usdt.available_balance, usdt.max_withdraw_amount) == (D(9975), D(1000))
    # 9975 / 94500 = 0.10555… (to 78 digits, the division's one rounding).
    assert btc.available_balance.quantize(D("1e-20")) == D("0.10555555555555555556")
    assert btc.max_withdraw_amount == D("0.1")
    assert not view.uncovered


def test_an_amount_owed_is_valued_at_the_ask_rate() -> None:
    state = AccountState.from_json({"balances": {"USDT": "10000", "BTC": "-0.1"}})
    view = account_margin(state, market(), multi_assets_margin=True)
    # −0.1 BTC at 94500 = −9450: 10000 − 9450 = 550 of wallet, all of it available.
    assert (view.totals.total_wallet_balance, view.totals.available_balance) == (D(550), D(550))


def test_the_default_market_has_binances_haircuts() -> None:
    defaults = Market()
    usdt = defaults.asset_index["USDT"]
    # USDTUSD 0.9999 with 0.0001 buffers: bid 0.9999 × 0.9999, ask 0.9999 × 1.0001.
    assert (usdt.bid_rate, usdt.ask_rate) == (D("0.99980001"), D("0.99999999"))
    btc = defaults.asset_index["BTC"]
    assert (btc.bid_rate, btc.ask_rate) == (D(85500), D(94500))
    assert btc.auto_exchange_bid_rate == D(87750)  # 90000 × (1 − 0.025)
    assert defaults.mark_prices["BTCUSDT"] == D(90000)


# -- credits mode -------------------------------------------------------------------------------


def test_a_credits_account_books_its_positions_in_bnfcr() -> None:
    state = AccountState.from_json(
        {
            "multiAssetsMargin": True,
            "creditsMode": True,
            "balances": {"BNFCR": "100", "BTC": "0.01"},
            "positions": [{"symbol": "BTCUSDT", "positionAmt": "0.01", "entryPrice": "85000"}],
        }
    )
    view = account_margin(state, market())
    assert row(view, "BTCUSDT").margin_asset == "BNFCR"
    bnfcr = view.asset("BNFCR")
    assert bnfcr is not None
    # PnL 0.01 × 5000 = 50 BNFCR; IM 900 / 20 = 45. Pool: 150 + 0.01 × 85500 − 45 = 960.
    assert (bnfcr.unrealized_profit, bnfcr.position_initial_margin) == (D(50), D(45))
    assert view.totals.available_balance == D(960)
    plain = account_margin(AccountState(), market())
    assert plain.asset("BNFCR") is None  # only EU accounts, or those that hold it, list it


# -- uncovered: the decision behind -4169 -------------------------------------------------------


def one_btc_long(usdt: str, btc: str = "0", multi: bool = False) -> AccountState:
    """0.1 BTCUSDT at 90000, 10x: 900 USDT of initial margin, no PnL."""
    return AccountState.from_json(
        {
            "multiAssetsMargin": multi,
            "balances": {"USDT": usdt, "BTC": btc},
            "leverage": {"BTCUSDT": 10},
            "positions": [{"symbol": "BTCUSDT", "positionAmt": "0.1", "entryPrice": "90000"}],
        }
    )


@pytest.mark.parametrize(("usdt", "uncovered"), [("899.99999999", True), ("900", False)])
def test_single_asset_mode_is_uncovered_a_hundred_millionth_short(
    usdt: str, uncovered: bool
) -> None:
    # BTC can't cover a USDT position in Single-Asset Mode, however much of it there is.
    view = account_margin(one_btc_long(usdt, btc="100"), market())
    assert view.uncovered is uncovered


@pytest.mark.parametrize(("btc", "uncovered"), [("0.00935672", True), ("0.00935673", False)])
def test_multi_assets_mode_counts_btc_at_its_bid_rate(btc: str, uncovered: bool) -> None:
    # 100 USDT held, 900 needed: BTC must bring 800 at 85500, 0.0093567251… BTC.
    view = account_margin(one_btc_long("100", btc), market(), multi_assets_margin=True)
    assert view.uncovered is uncovered


def test_a_price_move_uncovers_a_covered_account() -> None:
    state = one_btc_long("100", "0.00935673")
    assert not account_margin(state, market(), multi_assets_margin=True).uncovered
    lower = market().patched({"assetIndex": {"BTC": {"index": "89999"}}})
    assert account_margin(state, lower, multi_assets_margin=True).uncovered


def test_no_position_no_order_is_never_uncovered() -> None:
    state = AccountState.from_json({"balances": {"USDT": "-5"}})
    assert not account_margin(state, market()).uncovered
    assert not account_margin(state, market(), multi_assets_margin=True).uncovered


@pytest.mark.parametrize(("usdt", "uncovered"), [("0.89909999", True), ("0.8991", False)])
def test_the_decision_is_exact_where_28_digits_would_round(usdt: str, uncovered: bool) -> None:
    # BTC and ETH at 90000, no haircut: 10**17 + 1e-8 BTC bring 9e21 + 0.0009 USD, and
    # −10**17 ETH take 9e21 away; 0.00001 BTCUSDT at 1x needs 0.9: USDT 0.8991 covers it
    # exactly (0.8991 + 0.0009 − 0.9 = 0), a hundred-millionth less does not. In 28 digits,
    # 9e21 + 0.89909999 (the sum in the catalogue's order) already rounds.
    flat = {"index": "90000", "bidBuffer": "0", "askBuffer": "0"}
    indexes = {**ROUND["assetIndex"], "BTC": flat, "ETH": flat}
    prices = market({"markPrices": ROUND["markPrices"], "assetIndex": indexes})
    state = AccountState.from_json(
        {
            "balances": {
                "USDT": usdt,
                "BTC": "100000000000000000.00000001",
                "ETH": "-1" + "0" * 17,
            },
            "leverage": {"BTCUSDT": 1},
            "positions": [{"symbol": "BTCUSDT", "positionAmt": "0.00001", "entryPrice": "90000"}],
        }
    )
    assert account_margin(state, prices, multi_assets_margin=True).uncovered is uncovered


# -- the decision, held to a rational oracle ----------------------------------------------------


def oracle(state: AccountState, prices: Market) -> tuple[dict[str, Fraction], dict[str, Fraction]]:
    """What covers each asset's cross margin and what it needs, in rationals, from the
    definitions alone."""
    cover: dict[str, Fraction] = {a: Fraction(v) for a, v in state.balances.items()}
    need: dict[str, Fraction] = {}
    for position in state.positions:
        symbol = SYMBOLS_BY_NAME[position.symbol]
        mark = Fraction(prices.mark_prices[symbol.name])
        amount = Fraction(position.position_amt)
        asset = symbol.quote
        cover[asset] = cover.get(asset, Fraction()) - Fraction(position.isolated_wallet)
        if state.margin_type(symbol.name) == "ISOLATED":
            continue
        cover[asset] += amount * (mark - Fraction(position.entry_price))
        lever = state.leverage_of(symbol.name)
        need[asset] = need.get(asset, Fraction()) + abs(amount * mark) / lever
    for order in state.open_orders:
        symbol = SYMBOLS_BY_NAME[order.symbol]
        price = Fraction(order.price) or Fraction(prices.mark_prices[symbol.name])
        lever = state.leverage_of(symbol.name)
        margin = Fraction(order.orig_qty) * price / lever
        need[symbol.quote] = need.get(symbol.quote, Fraction()) + margin
    return cover, need


def oracle_pool(state: AccountState, prices: Market) -> Fraction:
    """The pooled margin left over (Multi-Assets Mode), in rationals."""
    cover, need = oracle(state, prices)
    pooled = Fraction()
    for asset in set(cover) | set(need):
        index = prices.asset_index[asset]
        bid = Fraction(index.index) * (1 - Fraction(index.bid_buffer))
        ask = Fraction(index.index) * (1 + Fraction(index.ask_buffer))
        held = cover.get(asset, Fraction())
        pooled += held * (bid if held >= 0 else ask) - need.get(asset, Fraction()) * ask
    return pooled


def oracle_uncovered(state: AccountState, prices: Market, multi: bool) -> bool:
    cover, need = oracle(state, prices)
    if not multi:
        return any(n > 0 and cover.get(a, Fraction()) - n < 0 for a, n in need.items())
    return any(n > 0 for n in need.values()) and oracle_pool(state, prices) < 0


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
        for asset in draw(st.sets(st.sampled_from(sorted(set(ASSETS_BY_NAME) - {"BNFCR"}))))
    }
    isolated = draw(st.sets(st.sampled_from([symbol.name for symbol in SYMBOLS])))
    positions = []
    for symbol in draw(st.sets(st.sampled_from(sorted(SYMBOLS_BY_NAME)))):
        amount = draw(amount_units)
        positions.append(
            {
                "symbol": symbol,
                "positionAmt": text(amount),
                "entryPrice": text(draw(st.integers(1, 10**20))),
                "isolatedWallet": text(draw(st.integers(0, 10**20)))
                if symbol in isolated and amount
                else "0",
            }
        )
    orders = [
        {
            "orderId": number,
            "symbol": draw(st.sampled_from(sorted(SYMBOLS_BY_NAME))),
            "side": "BUY",
            "price": text(draw(st.integers(0, 10**16))),
            "origQty": text(draw(st.integers(1, 10**16))),
        }
        for number in range(1, draw(st.integers(0, 2)) + 1)
    ]
    leverage = {
        s.name: draw(st.integers(1, s.max_leverage)) for s in SYMBOLS if draw(st.booleans())
    }
    return AccountState.from_json(
        {
            "balances": balances,
            "positions": positions,
            "openOrders": orders,
            "leverage": leverage,
            "marginTypes": dict.fromkeys(isolated, "ISOLATED"),
        }
    )


prices_text = st.integers(1, 10**20 - 1).map(text)
buffers = st.integers(0, 10**8 - 1).map(text)


@st.composite
def markets(draw: st.DrawFn) -> Market:
    marks = {s.name: draw(prices_text) for s in SYMBOLS if draw(st.booleans())}
    indexes = {
        asset: {"index": draw(prices_text), "bidBuffer": draw(buffers), "askBuffer": draw(buffers)}
        for asset in sorted(ASSETS_BY_NAME)
        if draw(st.booleans())
    }
    return Market.from_json({"markPrices": marks, "assetIndex": indexes})


@settings(max_examples=300, deadline=None)
@given(states(), markets(), st.booleans())
def test_uncovered_is_the_rational_oracles_decision(
    state: AccountState, prices: Market, multi: bool
) -> None:
    assert account_margin(state, prices, multi).uncovered is oracle_uncovered(state, prices, multi)


@settings(max_examples=300, deadline=None)
@given(states(), st.sampled_from([-1, 0, 1]))
def test_the_decision_holds_a_hundred_millionth_either_side(state: AccountState, step: int) -> None:
    """USDT (at 1, no haircut) moved so that the pool misses or meets what is needed by 1e-8,
    every other amount anywhere within the bounds."""
    prices = market()
    # Something is needed (1 × 1 / leverage), so the pool decides.
    state.open_orders.append(Order(99, "BTCUSDT", "BUY", Decimal(1), Decimal(1)))
    pool = oracle_pool(state, prices)
    usdt = Fraction(state.balances.get("USDT", Decimal(0)))
    moved = usdt - pool + Fraction(step, 10**8)
    if abs(moved) > Fraction(LARGEST, 10**8) or (moved * 10**8).denominator != 1:
        return  # outside the bounds, or not an amount of 8 decimals
    state.balances["USDT"] = Decimal(moved.numerator) / Decimal(moved.denominator)
    assert oracle_pool(state, prices) == Fraction(step, 10**8)
    assert account_margin(state, prices, multi_assets_margin=True).uncovered is (step < 0)
