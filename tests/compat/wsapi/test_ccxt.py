"""The WebSocket API through ccxt.pro's ``binanceusdm``, unmodified.

Each client asks for the account documents its own way and must parse what the server
answers; what it then hands back must be what the seeded state implies at the round prices
below, in Single-Asset and in Multi-Assets Mode. Every figure is worked out by hand in the
comments here. The tests named ``…_sends_…`` look at the frames themselves (through the
relay): what each client puts in a request, and what the server makes of it.
"""

from __future__ import annotations

import base64
import re
from typing import Any

import pytest

from ...support import ONCE, Server
from ..matrix import Key
from .clients import ccxt_pro, relay
from .expected import JSON, LISTED, MODES, check_balance, check_position, run, state, ws_url

#: What a client makes of the server's answers does not depend on its database.
pytestmark = ONCE


# -- ccxt.pro -----------------------------------------------------------------------------------

# fetch_balance_ws reads, for each asset row not dated 0 (the funded ones: ccxt#27997), free =
# availableBalance, used = initialMargin, total = marginBalance, or total = balance where the
# row has no marginBalance (parse_balance_custom); a missing used is then total − free
# (safe_balance). account.status and v2/account.status give the account's assets;
# account.balance and v2/account.balance the balance rows, which have no initialMargin:
# Single-Asset Mode USDT used 1000 − 975 = 25, USDC 500 − 500 = 0; Multi-Assets Mode USDT
# 1000 − 1475 = −475, USDC 500 − 1475 = −975.
CCXT_BALANCES = {
    (False, "account"): {"USDT": (975.0, 1025.0, 2000.0), "USDC": (500.0, 0.0, 500.0)},
    (True, "account"): {"USDT": (1475.0, 1025.0, 2000.0), "USDC": (1475.0, 0.0, 500.0)},
    (False, "balance"): {"USDT": (975.0, 25.0, 1000.0), "USDC": (500.0, 0.0, 500.0)},
    (True, "balance"): {"USDT": (1475.0, -475.0, 1000.0), "USDC": (1475.0, -975.0, 500.0)},
}
BALANCE_METHODS = {
    None: "account",  # the default: account.status
    "account.status": "account",
    "v2/account.status": "account",
    "account.balance": "balance",
    "v2/account.balance": "balance",
}


@pytest.mark.parametrize("mode", MODES)
def test_ccxt_fetch_balance_ws_by_each_method(server: Server, hmac_key: Key, mode: str) -> None:
    multi = MODES[mode]
    server.control.set_state("demo", state(multi))

    async def scenario() -> dict[str | None, Any]:
        async with ccxt_pro(server.base_url, ws_url(server), hmac_key) as exchange:
            return {
                method: await exchange.fetch_balance_ws(
                    {} if method is None else {"method": method}
                )
                for method in BALANCE_METHODS
            }

    for method, balance in run(scenario()).items():
        expected = CCXT_BALANCES[multi, BALANCE_METHODS[method]]
        codes = set(balance) - {"info", "timestamp", "datetime", "free", "used", "total", "debt"}
        assert codes == set(expected), (method, codes)
        assert {
            code: (balance[code]["free"], balance[code]["used"], balance[code]["total"])
            for code in codes
        } == expected, method
        # info is the answer's result as received: the account or the balance rows.
        # info is what ccxt parsed: account.status's result, v2/account.status's assets, the
        # balance methods' rows.
        info = balance["info"]
        if method in (None, "account.status"):
            assert info["multiAssetsMargin"] is multi
        elif method == "v2/account.status":
            assert {row["asset"] for row in info} == set(LISTED)
        else:
            check_balance(info, multi)


#: fetch_positions_ws keeps the rows whose entryPrice is not 0 (BTCUSDT's) and parses them
#: without leverage brackets (it loads none): with account.position's v2 rows, initial margin
#: notional × 1 / leverage = 9000 × 0.1 = 900 and no maintenance margin (the rows have none);
#: with v2/account.position's, no leverage, the row's initial margin 900 (900 / 9000 = 0.1)
#: and maintenance 36 (36 / 9000 = 0.004). Liquidation price "0" is None, and the cross
#: collateral derived from it 0. Percentage: uPnL / initial margin, 1000 / 900 = 1.1111
#: (4 decimals) × 100 = 111.11 (safe_position).
CCXT_POSITION = {
    "symbol": "BTC/USDT:USDT", "contracts": 0.1, "contractSize": 1.0, "side": "long",
    "hedged": False, "marginMode": "cross", "notional": 9000.0, "entryPrice": 80000.0,
    "markPrice": 90000.0, "unrealizedPnl": 1000.0, "initialMargin": 900.0,
    "initialMarginPercentage": 0.1, "liquidationPrice": None, "collateral": 0.0,
    "percentage": 111.11,
}  # fmt: skip
CCXT_POSITION_BY_METHOD = {
    "account.position": {"leverage": 10.0, "maintenanceMargin": None,
                         "maintenanceMarginPercentage": None},
    "v2/account.position": {"leverage": None, "maintenanceMargin": 36.0,
                            "maintenanceMarginPercentage": 0.004},
}  # fmt: skip


def test_ccxt_fetch_positions_ws_by_each_method(server: Server, hmac_key: Key) -> None:
    server.control.set_state("demo", state(False))

    async def scenario() -> dict[str, list[JSON]]:
        async with ccxt_pro(server.base_url, ws_url(server), hmac_key) as exchange:
            return {
                "account.position": await exchange.fetch_positions_ws(),
                "one symbol": await exchange.fetch_positions_ws(["BTC/USDT:USDT"]),
                "v2/account.position": await exchange.fetch_positions_ws(
                    None, {"method": "v2/account.position"}
                ),
            }

    answers = run(scenario())
    for method, positions in answers.items():
        (position,) = positions
        extra = CCXT_POSITION_BY_METHOD.get(method, CCXT_POSITION_BY_METHOD["account.position"])
        expected = {**CCXT_POSITION, **extra}
        assert {name: position[name] for name in expected} == expected, method
        assert position["timestamp"] > 0  # the row's updateTime
    # One symbol is sent as the symbol param: account.position's one row.
    check_position([answers["one symbol"][0]["info"]])


@pytest.mark.parametrize("kind", ["HMAC", "ED25519"])
def test_ccxt_sends_json_false_and_signs_it_as_text(
    server: Server, hmac_key: Key, ed25519_key: Key, kind: str
) -> None:
    key = hmac_key if kind == "HMAC" else ed25519_key
    server.control.set_state("demo", state(False))

    async def scenario() -> tuple[Any, list[JSON], list[JSON]]:
        async with (
            relay(server.port) as kept,
            ccxt_pro(server.base_url, kept.url, key) as exchange,
        ):
            balance = await exchange.fetch_balance_ws()
            await exchange.fetch_positions_ws(["BTC/USDT:USDT"])
        return balance, kept.sent(), kept.received()

    balance, sent, received = run(scenario())
    assert (balance["USDT"]["free"], balance["USDC"]["free"]) == (975.0, 500.0)
    # Ids count up from 1 per URL, as strings. Every param, sorted, then the signature:
    # recvWindow 10000 (options.recvWindow, a JSON integer) and returnRateLimits false (a JSON
    # boolean), which ccxt signs as "10000" and "false" (rawencode: the text, unencoded).
    assert [(frame["id"], frame["method"]) for frame in sent] == [
        ("1", "account.status"),
        ("2", "account.position"),
    ]
    assert [frame["id"] for frame in received] == ["1", "2"]
    first, second = (frame["params"] for frame in sent)
    signed = ["apiKey", "recvWindow", "returnRateLimits", "timestamp", "signature"]
    assert list(first) == signed
    assert list(second) == [*signed[:3], "symbol", *signed[3:]]
    assert (first["recvWindow"], first["returnRateLimits"]) == (10000, False)
    assert type(first["recvWindow"]) is int and second["symbol"] == "BTCUSDT"
    assert all("rateLimits" not in answer for answer in received)
    if kind == "HMAC":
        assert re.fullmatch("[0-9a-f]{64}", first["signature"])
    else:
        assert len(base64.b64decode(first["signature"], validate=True)) == 64
