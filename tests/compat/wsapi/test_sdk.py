"""The WebSocket API through Binance's SDK, unmodified: logged on with an Ed25519 key, or
signing each request with HMAC or Ed25519.

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
from binance_common.models import WebsocketApiResponse

from ...support import ONCE, Server, now_ms
from ..matrix import Key
from .clients import relay, sdk, sdk_logon, sdk_result
from .expected import (
    BAD_SIGNATURE,
    JSON,
    MODES,
    NO_LISTEN_KEY,
    amounts,
    by,
    check_balance,
    check_position,
    check_position_v2,
    check_status,
    rest_listen_key,
    run,
    state,
    ws_url,
)

#: What a client makes of the server's answers does not depend on its database.
pytestmark = ONCE


# -- Binance's SDK ------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_sdk_logged_on_with_ed25519_reads_every_account_document(
    server: Server, ed25519_key: Key, mode: str
) -> None:
    multi = MODES[mode]
    server.control.set_state("demo", state(multi))

    async def scenario() -> None:
        async with sdk(ws_url(server), ed25519_key) as api:
            logon = await sdk_logon(api)
            assert (logon["status"], logon["result"]["apiKey"]) == (200, ed25519_key.api_key)
            check_status(sdk_result(await api.account_information()), 1, multi)
            check_status(sdk_result(await api.account_information_v2()), 2, multi)
            check_balance(sdk_result(await api.futures_account_balance()), multi)
            check_balance(sdk_result(await api.futures_account_balance_v2()), multi)
            check_position(sdk_result(await api.position_information(symbol="BTCUSDT")))
            check_position_v2(sdk_result(await api.position_information_v2()))

    run(scenario())


def test_sdk_logs_on_and_then_sends_only_a_timestamp(server: Server, ed25519_key: Key) -> None:
    server.control.set_state("demo", state(False))

    async def scenario() -> None:
        async with relay(server.port) as kept, sdk(kept.url, ed25519_key) as api:
            logon = await sdk_logon(api)
            status = sdk_result(await api.account_information())
        (logon_frame, status_frame) = kept.sent()
        # The logon: apiKey and timestamp, sorted, then the signature (Ed25519: base64 of 64
        # bytes, 88 characters).
        assert logon_frame["method"] == "session.logon"
        assert list(logon_frame["params"]) == ["apiKey", "timestamp", "signature"]
        assert logon_frame["params"]["apiKey"] == ed25519_key.api_key
        assert len(base64.b64decode(logon_frame["params"]["signature"], validate=True)) == 64
        # authorizedSince is the logon's timestamp; returnRateLimits the connection's default.
        result = logon["result"]
        assert result["authorizedSince"] == logon_frame["params"]["timestamp"]
        assert result["returnRateLimits"] is True
        # Logged on, a signed method carries its timestamp (a JSON integer) and nothing else.
        assert status_frame["method"] == "account.status"
        assert list(status_frame["params"]) == ["timestamp"]
        assert type(status_frame["params"]["timestamp"]) is int
        assert status["multiAssetsMargin"] is False
        amounts(status, {"availableBalance": "975"})
        # The SDK's ids are UUIDs, echoed.
        assert [frame["id"] for frame in kept.received()] == [logon["id"], status_frame["id"]]

    run(scenario())


@pytest.mark.parametrize("kind", ["HMAC", "ED25519"])
def test_sdk_signs_each_request_without_a_logon(
    server: Server, hmac_key: Key, ed25519_key: Key, kind: str
) -> None:
    key = hmac_key if kind == "HMAC" else ed25519_key
    server.control.set_state("demo", state(False))

    async def scenario() -> None:
        async with relay(server.port) as kept, sdk(kept.url, key) as api:
            status = sdk_result(await api.account_information(recv_window=6000))
            balance = sdk_result(await api.futures_account_balance_v2())
        assert status["multiAssetsMargin"] is False
        amounts(status, {"availableBalance": "975", "maxWithdrawAmount": "975"})
        amounts(by(balance, "asset")["USDT"], {"availableBalance": "975"})
        # Every param, sorted, then the signature; recvWindow goes as a JSON string (the
        # SDK's make_serializable writes numbers as text), the timestamp as an integer.
        first, second = (frame["params"] for frame in kept.sent())
        assert list(first) == ["apiKey", "recvWindow", "timestamp", "signature"]
        assert (first["apiKey"], first["recvWindow"]) == (key.api_key, "6000")
        assert list(second) == ["apiKey", "timestamp", "signature"]
        if kind == "HMAC":
            assert re.fullmatch("[0-9a-f]{64}", first["signature"])
        else:
            assert len(base64.b64decode(first["signature"], validate=True)) == 64

    run(scenario())


def test_sdk_hands_back_refusals_without_raising(server: Server, hmac_key: Key) -> None:
    """session.logon takes Ed25519 keys only: an HMAC key's, however well signed, is -1022
    (PARITY.md). The SDK raises nothing: ``data()`` is ``{"error": {"code", "msg"}}`` as
    received, in place of the model its type names (it logs the error); the connection stays
    unauthenticated and the SDK goes on signing each request."""
    server.control.set_state("demo", state(False))

    async def scenario() -> None:
        async with relay(server.port) as kept, sdk(kept.url, hmac_key) as api:
            logon = await sdk_logon(api)
            unknown: Any = (await api.position_information(symbol="NOPE")).data()
            status = sdk_result(await api.account_information())
        assert logon == {"error": {"code": -1022, "msg": BAD_SIGNATURE}}
        assert unknown == {"error": {"code": -1121, "msg": "Invalid symbol."}}
        assert [answer["error"] for answer in kept.received()[:2]] == [
            {"code": -1022, "msg": BAD_SIGNATURE},
            {"code": -1121, "msg": "Invalid symbol."},
        ]
        assert status["multiAssetsMargin"] is False
        assert list(kept.sent()[2]["params"]) == ["apiKey", "timestamp", "signature"]

    run(scenario())


@pytest.mark.parametrize("logged_on", [True, False], ids=["logged-on", "api-key"])
def test_sdk_user_data_stream_is_the_rest_listen_key(
    server: Server, hmac_key: Key, ed25519_key: Key, logged_on: bool
) -> None:
    key = ed25519_key if logged_on else hmac_key

    async def scenario() -> tuple[str, str, Any, list[JSON]]:
        async with relay(server.port) as kept, sdk(kept.url, key) as api:
            if logged_on:
                assert (await sdk_logon(api))["status"] == 200
            started = sdk_result(await api.start_user_data_stream())["listenKey"]
            rest = rest_listen_key(server)  # blocking, but the SDK has nothing in flight
            pinged = sdk_result(await api.keepalive_user_data_stream())["listenKey"]
            assert started == rest
            stopped = sdk_result(await api.close_user_data_stream())
        return started, pinged, stopped, kept.sent()[-3:]

    started, pinged, stopped, frames = run(scenario())
    # One listenKey per account, whichever key and whichever API asked for it.
    assert pinged == started and len(started) == 64
    assert stopped == {}
    gone = server.request(
        "PUT", "/fapi/v1/listenKey", headers={"X-MBX-APIKEY": server.demo.api_key}
    )
    assert (gone.status, gone.json()) == (400, {"code": -1125, "msg": NO_LISTEN_KEY})
    # Logged on, the SDK leaves apiKey out; otherwise it sends it, and no signature.
    assert [frame["method"] for frame in frames] == [
        "userDataStream.start",
        "userDataStream.ping",
        "userDataStream.stop",
    ]
    expected = {} if logged_on else {"apiKey": key.api_key}
    assert [frame["params"] for frame in frames] == [expected] * 3


def test_sdk_without_rate_limits_sends_return_rate_limits_as_text(
    server: Server, hmac_key: Key
) -> None:
    server.control.set_state("demo", state(True))

    async def scenario() -> None:
        async with relay(server.port) as kept, sdk(kept.url, hmac_key, rate_limits=False) as api:
            response = await api.account_information()
            status = sdk_result(response)
        assert response.rate_limits == []
        assert status["multiAssetsMargin"] is True
        amounts(status, {"availableBalance": "1475"})
        # The SDK adds returnRateLimits to the params it signs, as the string "false"; the
        # server reads it as false, signs it as text, and leaves rateLimits out.
        ((frame,), (answer,)) = kept.sent(), kept.received()
        assert list(frame["params"]) == ["apiKey", "returnRateLimits", "timestamp", "signature"]
        assert frame["params"]["returnRateLimits"] == "false"
        assert answer["status"] == 200 and "rateLimits" not in answer

    run(scenario())


def test_sdk_hands_back_the_weight_used_after_each_request(
    server: Server, ed25519_key: Key
) -> None:
    # The server's clock frozen in a minute no request has reached yet (the next one, at least
    # 10 s ahead), so its weight starts at 0; the SDK's timestamps (its own clock, behind the
    # server's by less than a minute) pass with recvWindow 60000.
    now = now_ms()
    at = max((now // 60_000 + 1) * 60_000, now + 10_000)
    window = 60_000
    server.control.set_clock(freeze=True, at=at)

    async def scenario() -> list[int]:
        async with sdk(ws_url(server), ed25519_key) as api:
            logon = await sdk_logon(api, recv_window=window)
            responses: list[WebsocketApiResponse[Any]] = [
                await api.account_information(recv_window=window),
                await api.futures_account_balance(recv_window=window),
                await api.position_information(recv_window=window),
                await api.start_user_data_stream(),
                await api.close_user_data_stream(),
            ]
        counts = [limit["count"] for limit in logon["rateLimits"]]
        for response in responses:
            (limit,) = response.rate_limits
            assert (limit.rateLimitType, limit.interval, limit.intervalNum, limit.limit) == (
                "REQUEST_WEIGHT",
                "MINUTE",
                1,
                1_000_000,  # the test server's --weight-limit
            )
            counts.append(limit.count)
        return counts

    try:
        counts = run(scenario())
    finally:
        server.control.reset_clock()
    # The handshake 5, the logon 2: 7; each account method 5; start and stop 1 each.
    assert counts == [7, 12, 17, 22, 23, 24]
