"""What each endpoint answers once its request has passed every check, each handler declared
(``@serves``) with the endpoint it serves, its answer and the refusals it gives itself."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import orjson

from ...account.margin import max_notional
from ...account.model import MarginType
from ...account.rules import (
    MARGIN_TYPE_RULES,
    MODE_RULES,
    POSITION_MODE_RULES,
    check_margin_type_change,
    check_mode_change,
    check_position_mode_change,
)
from ...market import SYMBOLS, SYMBOLS_BY_NAME
from ...protocol import endpoints as ep
from ...protocol.errors import (
    DISCONNECTED,
    INVALID_LISTEN_KEY,
    INVALID_SYMBOL,
    REJECTED_MBX_KEY,
    ApiError,
)
from ...store import (
    Account,
    NotFound,
    SetMarginType,
    SetMode,
    SetPositionMode,
    Stale,
    StoreError,
    Write,
)
from ..streams.hub import config_update
from . import answers
from .operations import refusals, serves

if TYPE_CHECKING:
    from ..state import ServerState
    from .request import Call

__all__ = [
    "account_config",
    "change_margin_type",
    "change_multi_assets_margin",
    "change_position_mode",
    "close_listen_key",
    "exchange_info",
    "keepalive_listen_key",
    "multi_assets_margin",
    "open_listen_key",
    "ping",
    "server_time",
    "symbol_config",
]

_MODE_BODIES = {True: b'{"multiAssetsMargin":true}', False: b'{"multiAssetsMargin":false}'}
SUCCESS = b'{"code":200,"msg":"success"}'
_MODES = {"true": True, "false": False}
_NO_LISTEN_KEY = refusals(INVALID_LISTEN_KEY)


@serves(ep.PING, ep.SPOT_PING, summary="Test connectivity", answer=answers.EMPTY)
async def ping(state: ServerState, call: Call) -> bytes:
    return b"{}"


@serves(ep.TIME, ep.SPOT_TIME, summary="Check server time", answer=answers.SERVER_TIME)
async def server_time(state: ServerState, call: Call) -> bytes:
    return b'{"serverTime":%d}' % call.now_ms


@serves(ep.EXCHANGE_INFO, summary="Exchange information", answer=answers.EXCHANGE_INFO)
async def exchange_info(state: ServerState, call: Call) -> bytes:
    return state.exchange_info.render(call.now_ms)


@serves(ep.GET_MODE, summary="Get Multi-Assets Mode", answer=answers.MODE)
async def multi_assets_margin(state: ServerState, call: Call) -> bytes:
    assert call.account is not None
    return _MODE_BODIES[call.account.state.multi_assets_margin]


@serves(ep.ACCOUNT_CONFIG, summary="Account configuration", answer=answers.ACCOUNT_CONFIG)
async def account_config(state: ServerState, call: Call) -> bytes:
    assert call.account is not None
    return orjson.dumps(
        {
            "feeTier": 0,
            "canTrade": True,
            "canDeposit": True,
            "canWithdraw": True,
            "dualSidePosition": call.account.state.dual_side_position,
            "updateTime": 0,
            "multiAssetsMargin": call.account.state.multi_assets_margin,
            "tradeGroupId": -1,
        }
    )


@serves(
    ep.SYMBOL_CONFIG,
    summary="Symbols' configuration (all, or the one named)",
    answer=answers.SYMBOL_CONFIGS,
    refuses=refusals(INVALID_SYMBOL),
)
async def symbol_config(state: ServerState, call: Call) -> bytes:
    assert call.account is not None
    account_state = call.account.state
    wanted = call.args[ep.SYMBOL.name]
    if wanted is not None and wanted not in SYMBOLS_BY_NAME:
        raise ApiError(INVALID_SYMBOL)
    return orjson.dumps(
        [
            {
                "symbol": symbol.name,
                "marginType": account_state.margin_type(symbol.name),
                "isAutoAddMargin": "false",
                "leverage": account_state.leverage_of(symbol.name),
                "maxNotionalValue": format(
                    max_notional(symbol, account_state.leverage_of(symbol.name)), "f"
                ),
            }
            for symbol in SYMBOLS
            if wanted is None or symbol.name == wanted
        ]
    )


@serves(
    ep.CHANGE_MODE,
    summary="Change Multi-Assets Mode",
    answer=answers.SUCCESS,
    refuses=refusals(*(rule.spec for rule in MODE_RULES)),
)
async def change_multi_assets_margin(state: ServerState, call: Call) -> bytes:
    # "true"/"false" in any letter case (the parameter's choices); PARITY.md.
    target = _MODES[str(call.args[ep.MULTI_ASSETS_MARGIN.name])]

    def decide(account: Account) -> tuple[Write, Callable[[], None]]:
        check_mode_change(account.state, target, state.market)

        def applied() -> None:
            account.state.multi_assets_margin = target
            account.version += 1
            account.updated_ms = call.now_ms
            # Committed: now, and only now, the account's streams hear of it (on PostgreSQL,
            # from the commit's notification, in commit order with other processes' changes).
            if not state.store.notifies_modes:
                state.streams.publish(account.id, config_update(target, state.clock.now_ms()))

        return SetMode(account.id, target, account.version, call.now_ms), applied

    await _change(state, call, decide)
    return SUCCESS


@serves(
    ep.CHANGE_MARGIN_TYPE,
    summary="Change margin type",
    answer=answers.SUCCESS,
    refuses=refusals(INVALID_SYMBOL, *(rule.spec for rule in MARGIN_TYPE_RULES)),
)
async def change_margin_type(state: ServerState, call: Call) -> bytes:
    symbol = str(call.args[ep.SYMBOL.name])
    if symbol not in SYMBOLS_BY_NAME:
        raise ApiError(INVALID_SYMBOL)
    chosen = call.args[ep.MARGIN_TYPE.name]
    margin_type: MarginType = "ISOLATED" if chosen == "ISOLATED" else "CROSSED"

    def decide(account: Account) -> tuple[Write, Callable[[], None]]:
        check_margin_type_change(account.state, symbol, margin_type)

        def applied() -> None:
            account.state.margin_types[symbol] = margin_type
            account.version += 1
            account.updated_ms = call.now_ms

        return SetMarginType(account.id, symbol, margin_type, account.version, call.now_ms), applied

    await _change(state, call, decide)
    return SUCCESS


@serves(
    ep.CHANGE_POSITION_MODE,
    summary="Change position mode (Hedge or One-way, on every symbol)",
    answer=answers.SUCCESS,
    refuses=refusals(*(rule.spec for rule in POSITION_MODE_RULES)),
)
async def change_position_mode(state: ServerState, call: Call) -> bytes:
    # "true"/"false" in any letter case (the parameter's choices); PARITY.md.
    dual = _MODES[str(call.args[ep.DUAL_SIDE_POSITION.name])]

    def decide(account: Account) -> tuple[Write, Callable[[], None]]:
        check_position_mode_change(account.state, dual)

        def applied() -> None:
            account.state.dual_side_position = dual
            # Flat rows of the old sides go with them (as in the database).
            positions = account.state.positions
            positions[:] = [p for p in positions if (p.position_side != "BOTH") == dual]
            account.version += 1
            account.updated_ms = call.now_ms

        return SetPositionMode(account.id, dual, account.version, call.now_ms), applied

    await _change(state, call, decide)
    return SUCCESS


#: How often a change is decided again when other processes keep changing the account first.
_ATTEMPTS = 20


async def _change(
    state: ServerState,
    call: Call,
    decide: Callable[[Account], tuple[Write, Callable[[], None]]],
) -> None:
    """Decide a change on the account by its rules and commit it, one change to an account at
    a time: in this process by the account's lock, across processes by the account's version
    (a change decided on an older one is :class:`Stale`: read the account again, decide
    again)."""
    account = call.account
    assert account is not None and call.key is not None
    async with state.registry.lock(account.id):
        for _ in range(_ATTEMPTS):
            # While this request waited, the control plane may have revoked its key or
            # replaced the account: then it must not change anything.
            if not state.registry.current(call.key):
                raise ApiError(REJECTED_MBX_KEY, ip=call.client_ip)
            write, applied = decide(account)
            try:
                await state.writer.commit(write, applied)
                return
            except Stale:
                await state.cluster.refresh_account(account)
            except NotFound:
                # Another process deleted the account meanwhile: its keys went with it.
                state.registry.forget(account.id)
                raise ApiError(REJECTED_MBX_KEY, ip=call.client_ip) from None
            except StoreError:
                # Nothing was committed: Binance's "failure, safe to resend" answer.
                raise ApiError(DISCONNECTED) from None
    raise ApiError(DISCONNECTED, reason="the account kept changing in other processes")


@serves(ep.OPEN_LISTEN_KEY, summary="Open (or extend) the listenKey", answer=answers.LISTEN_KEY)
async def open_listen_key(state: ServerState, call: Call) -> bytes:
    assert call.account is not None
    return orjson.dumps({"listenKey": await state.streams.open(call.account.id, call.now_ms)})


@serves(
    ep.KEEPALIVE_LISTEN_KEY,
    summary="Keep the listenKey alive",
    answer=answers.LISTEN_KEY,
    refuses=_NO_LISTEN_KEY,
)
async def keepalive_listen_key(state: ServerState, call: Call) -> bytes:
    assert call.account is not None
    key = await state.streams.keepalive(call.account.id, call.now_ms)
    if key is None:
        raise ApiError(INVALID_LISTEN_KEY, reason="the account has no listenKey")
    return orjson.dumps({"listenKey": key})


@serves(
    ep.CLOSE_LISTEN_KEY,
    summary="Close the listenKey",
    answer=answers.EMPTY,
    refuses=_NO_LISTEN_KEY,
)
async def close_listen_key(state: ServerState, call: Call) -> bytes:
    assert call.account is not None
    if not await state.streams.close(call.account.id, call.now_ms):
        raise ApiError(INVALID_LISTEN_KEY, reason="the account has no listenKey")
    return b"{}"
