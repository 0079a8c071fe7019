"""What each endpoint answers once its request has passed every check."""

from __future__ import annotations

from typing import TYPE_CHECKING

import orjson

if TYPE_CHECKING:
    from .checks import Call
    from .state import ServerState

__all__ = ["account_config", "exchange_info", "multi_assets_margin", "ping", "server_time"]

_MODE_BODIES = {True: b'{"multiAssetsMargin":true}', False: b'{"multiAssetsMargin":false}'}


async def ping(state: ServerState, call: Call) -> bytes:
    return b"{}"


async def server_time(state: ServerState, call: Call) -> bytes:
    return b'{"serverTime":%d}' % call.now_ms


async def exchange_info(state: ServerState, call: Call) -> bytes:
    return state.exchange_info.render(call.now_ms)


async def multi_assets_margin(state: ServerState, call: Call) -> bytes:
    assert call.account is not None
    return _MODE_BODIES[call.account.multi_assets_margin]


async def account_config(state: ServerState, call: Call) -> bytes:
    assert call.account is not None
    return orjson.dumps(
        {
            "feeTier": 0,
            "canTrade": True,
            "canDeposit": True,
            "canWithdraw": True,
            "dualSidePosition": False,
            "updateTime": 0,
            "multiAssetsMargin": call.account.multi_assets_margin,
            "tradeGroupId": -1,
        }
    )
