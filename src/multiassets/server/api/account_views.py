"""The read views' handlers: the account, its balances, positions and open orders, the
position mode, the market's indexes and brackets, and the spot-wallet lists ccxt loads. Each
reads the account (and the market) as they stand and answers the document ``account/views.py``
or ``account/market_views.py`` makes of them; none changes anything."""

from __future__ import annotations

from typing import TYPE_CHECKING

import orjson

from ...account import market_views, views
from ...account.margin import AccountMargin, account_margin
from ...market import SYMBOLS_BY_NAME
from ...protocol import endpoints as ep
from ...protocol.errors import (
    INVALID_SYMBOL,
    MANDATORY_PARAM,
    NO_SUCH_ORDER,
    ORDER_ID_OR_CLIENT_ORDER_ID,
    ApiError,
)
from ...protocol.params import parse_long
from ...store import Account
from . import answers
from .operations import refusals, serves

if TYPE_CHECKING:
    from ..state import ServerState
    from .request import Call

__all__ = [
    "account_v2",
    "account_v2_document",
    "account_v3",
    "asset_index",
    "balance",
    "coins",
    "leverage_bracket",
    "margin_pairs",
    "open_order",
    "open_orders",
    "position_mode",
    "position_risk_v2",
    "position_risk_v3",
    "premium_index",
]

_BAD_SYMBOL = refusals(INVALID_SYMBOL)


def _account(call: Call) -> Account:
    assert call.account is not None
    return call.account


def _margin(state: ServerState, account: Account) -> AccountMargin:
    return account_margin(account.state, state.market)


def _symbol(call: Call) -> str | None:
    """The contract symbol sent, if one was; one this server does not list ``-1121``."""
    wanted = call.args[ep.SYMBOL.name]
    if wanted is not None and wanted not in SYMBOLS_BY_NAME:
        raise ApiError(INVALID_SYMBOL, reason=f"no symbol {wanted[:40]!r} on this server")
    return wanted


def account_v2_document(state: ServerState, call: Call) -> views.JSON:
    """The v2 account document (the WebSocket API's ``account.status`` is it without
    ``feeBurn``)."""
    account = _account(call)
    return views.account_v2(_margin(state, account), account.updated_ms)


@serves(ep.ACCOUNT_V2, summary="Account information V2", answer=answers.ACCOUNT_V2)
async def account_v2(state: ServerState, call: Call) -> bytes:
    return orjson.dumps(account_v2_document(state, call))


@serves(ep.ACCOUNT_V3, summary="Account information V3", answer=answers.ACCOUNT_V3)
async def account_v3(state: ServerState, call: Call) -> bytes:
    account = _account(call)
    return orjson.dumps(views.account_v3(_margin(state, account), account.updated_ms))


@serves(ep.BALANCE_V2, ep.BALANCE_V3, summary="Futures account balance", answer=answers.BALANCES)
async def balance(state: ServerState, call: Call) -> bytes:
    account = _account(call)
    alias = views.account_alias(account.name)
    return orjson.dumps(views.balances(_margin(state, account), alias, account.updated_ms))


@serves(
    ep.POSITION_RISK_V2,
    summary="Position information V2 (every symbol, or the one named)",
    answer=answers.POSITION_RISK_V2,
    refuses=_BAD_SYMBOL,
)
async def position_risk_v2(state: ServerState, call: Call) -> bytes:
    account = _account(call)
    symbol = _symbol(call)
    margin = _margin(state, account)
    return orjson.dumps(views.position_risk_v2(margin, account.updated_ms, symbol))


@serves(
    ep.POSITION_RISK_V3,
    summary="Position information V3 (symbols with a position or an open order)",
    answer=answers.POSITION_RISK_V3,
    refuses=_BAD_SYMBOL,
)
async def position_risk_v3(state: ServerState, call: Call) -> bytes:
    account = _account(call)
    symbol = _symbol(call)
    margin = _margin(state, account)
    return orjson.dumps(views.position_risk_v3(margin, account.updated_ms, symbol))


@serves(
    ep.OPEN_ORDERS,
    summary="Current open orders (of every symbol, or the one named)",
    answer=answers.OPEN_ORDERS,
    refuses=_BAD_SYMBOL,
)
async def open_orders(state: ServerState, call: Call) -> bytes:
    account = _account(call)
    symbol = _symbol(call)
    return orjson.dumps(views.open_orders(account.state, account.updated_ms, symbol))


@serves(
    ep.OPEN_ORDER,
    summary="Query a current open order",
    answer=answers.OPEN_ORDER,
    refuses=(
        (ORDER_ID_OR_CLIENT_ORDER_ID, None),
        (MANDATORY_PARAM, ep.ORDER_ID.name),
        (INVALID_SYMBOL, None),
        (NO_SUCH_ORDER, None),
    ),
)
async def open_order(state: ServerState, call: Call) -> bytes:
    account = _account(call)
    raw_id = call.args[ep.ORDER_ID.name]
    client_id = call.args[ep.ORIG_CLIENT_ORDER_ID.name]
    if not raw_id and not client_id:
        raise ApiError(ORDER_ID_OR_CLIENT_ORDER_ID)
    order_id = parse_long(ep.ORDER_ID.name, raw_id) if raw_id else None
    symbol = _symbol(call)
    assert symbol is not None  # a mandatory parameter
    order = views.find_open_order(account.state, symbol, order_id, client_id)
    if order is None:
        raise ApiError(NO_SUCH_ORDER, reason="no such open order of the account on the symbol")
    return orjson.dumps(views.open_order(order, account.updated_ms))


@serves(
    ep.LEVERAGE_BRACKET,
    summary="Notional and leverage brackets (every symbol, or the one named)",
    answer=answers.LEVERAGE_BRACKETS,
    refuses=_BAD_SYMBOL,
)
async def leverage_bracket(state: ServerState, call: Call) -> bytes:
    return orjson.dumps(market_views.leverage_brackets(_symbol(call)))


@serves(ep.GET_POSITION_MODE, summary="Current position mode", answer=answers.POSITION_MODE)
async def position_mode(state: ServerState, call: Call) -> bytes:
    dual = _account(call).state.dual_side_position
    return b'{"dualSidePosition":true}' if dual else b'{"dualSidePosition":false}'


@serves(
    ep.ASSET_INDEX,
    summary="Multi-Assets Mode asset index (every asset, or the pair named)",
    answer=answers.ASSET_INDEX,
    refuses=_BAD_SYMBOL,
)
async def asset_index(state: ServerState, call: Call) -> bytes:
    wanted = call.args[ep.ASSET_PAIR.name]
    asset = None
    if wanted is not None:
        asset = market_views.asset_index_asset(wanted)
        if asset is None:
            raise ApiError(INVALID_SYMBOL, reason=f"no asset pair {wanted[:40]!r}")
    return orjson.dumps(market_views.asset_index(state.market, call.now_ms, asset))


@serves(
    ep.PREMIUM_INDEX,
    summary="Mark price and funding rate (every symbol, or the one named)",
    answer=answers.PREMIUM_INDEX,
    refuses=_BAD_SYMBOL,
)
async def premium_index(state: ServerState, call: Call) -> bytes:
    symbol = _symbol(call)
    return orjson.dumps(market_views.premium_index(state.market, call.now_ms, symbol))


@serves(ep.COINS, summary="All coins' information (spot wallet)", answer=answers.COINS)
async def coins(state: ServerState, call: Call) -> bytes:
    return orjson.dumps(market_views.coins())


@serves(
    ep.MARGIN_PAIRS,
    summary="All cross-margin pairs (spot margin)",
    answer=answers.MARGIN_PAIRS,
    refuses=_BAD_SYMBOL,
)
async def margin_pairs(state: ServerState, call: Call) -> bytes:
    wanted = call.args[ep.MARGIN_PAIR.name]
    if wanted is not None and wanted not in market_views.margin_pair_symbols():
        raise ApiError(INVALID_SYMBOL, reason=f"no cross-margin pair {wanted[:40]!r}")
    return orjson.dumps(market_views.margin_pairs(wanted))
