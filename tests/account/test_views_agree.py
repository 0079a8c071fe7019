"""The rules and the views, held to each other over generated accounts and markets: a switch
is refused with -4169 exactly when the account's view in the target mode shows what its cross
positions and orders require uncovered, as a client reading ``GET /fapi/v3/account`` in that
mode would see it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import assume, event, given, settings
from hypothesis import strategies as st

from multiassets.account import AccountState, Market, account_margin
from multiassets.account.rules import MODE_RULES, mode_refusal
from multiassets.account.views import account_v3
from multiassets.market import ASSETS_BY_NAME, SYMBOLS, SYMBOLS_BY_NAME
from multiassets.protocol.errors import JOINT_MARGIN_REJECT_WITH_MB


def text(units: int) -> str:
    return format(Decimal(units).scaleb(-8), "f")


amounts = st.one_of(st.integers(0, 10**14), st.integers(-(10**14), 10**14)).map(text)
sizes = st.integers(-(10**9), 10**9).map(text)
prices = st.integers(10**6, 10**13).map(text)


@st.composite
def accounts(draw: st.DrawFn) -> AccountState:
    """Cross-margined accounts without open orders (the only ones -4169 decides for: -4167
    refuses isolated symbols first, -4170 open orders), in either mode, with any balances and
    positions, mostly held (a negative balance is -4172 to Multi-Assets)."""
    assets = sorted(set(ASSETS_BY_NAME) - {"BNFCR"})
    symbols = draw(st.sets(st.sampled_from(sorted(SYMBOLS_BY_NAME))))
    document: dict[str, Any] = {
        "multiAssetsMargin": draw(st.booleans()),
        "balances": {a: draw(amounts) for a in draw(st.sets(st.sampled_from(assets)))},
        "positions": [
            {"symbol": symbol, "positionAmt": draw(sizes), "entryPrice": draw(prices)}
            for symbol in symbols
        ],
        "leverage": {s.name: draw(st.integers(1, s.max_leverage)) for s in SYMBOLS},
    }
    return AccountState.from_json(document)


@st.composite
def markets(draw: st.DrawFn) -> Market:
    buffers = st.integers(0, 2 * 10**7).map(text)  # up to 20 %
    return Market.from_json(
        {
            "markPrices": {s.name: draw(prices) for s in SYMBOLS if draw(st.booleans())},
            "assetIndex": {
                a: {"index": draw(prices), "bidBuffer": draw(buffers), "askBuffer": draw(buffers)}
                for a in sorted(ASSETS_BY_NAME)
                if draw(st.booleans())
            },
        }
    )


def shown(value: str) -> Decimal:
    return Decimal(value)


@settings(max_examples=300, deadline=None)
@given(accounts(), markets())
def test_4169_is_refused_exactly_when_the_target_modes_view_shows_margin_uncovered(
    state: AccountState, market: Market
) -> None:
    target = not state.multi_assets_margin
    rule = mode_refusal(state, target, market)
    # Only the margin rule is in question: the others refuse before it looks.
    assume(rule is None or rule.spec is JOINT_MARGIN_REJECT_WITH_MB)
    refused = rule is not None
    event(f"{'to multi' if target else 'to single'}: {'refused' if refused else 'allowed'}")
    view = account_v3(account_margin(state, market, target), 0)
    required = {
        asset["asset"]: shown(asset["initialMargin"])
        for asset in view["assets"]
        if shown(asset["initialMargin"]) > 0
    }
    if target:
        # Multi-Assets: one pool, in USD. Refused: it shows nothing available (a shortfall
        # smaller than 1e-8 shows as 0); allowed: it shows none missing.
        available = shown(view["availableBalance"])
        assert available <= 0 if refused else available >= 0 or not required, view
    else:
        # Single-Asset: each asset for its own symbols.
        own = {a["asset"]: shown(a["availableBalance"]) for a in view["assets"]}
        if refused:
            # Some asset a position is booked in shows nothing available (its requirement
            # may be below 1e-8 and show as 0).
            booked = {state.margin_asset(p.symbol) for p in state.positions if p.position_amt}
            assert any(own[asset] <= 0 for asset in booked), view
        else:
            assert all(own[asset] >= 0 for asset in required), view


def test_the_margin_rule_is_the_last_rule() -> None:
    # What the property assumes: every other rule is decided before the margin is computed.
    assert MODE_RULES[-1].spec is JOINT_MARGIN_REJECT_WITH_MB
