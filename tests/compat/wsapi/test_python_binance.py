"""The WebSocket API through python-binance's ``AsyncClient``, unmodified.

Each client asks for the account documents its own way and must parse what the server
answers; what it then hands back must be what the seeded state implies at the round prices
below, in Single-Asset and in Multi-Assets Mode. Every figure is worked out by hand in the
comments here. The tests named ``…_sends_…`` look at the frames themselves (through the
relay): what each client puts in a request, and what the server makes of it.
"""

from __future__ import annotations

import base64
import json
import re
from urllib.parse import unquote

import pytest
from binance.exceptions import BinanceAPIException
from websockets.asyncio.client import connect

from ...support import ONCE, Server
from ..matrix import Key
from .clients import python_binance, relay
from .expected import (
    BAD_SIGNATURE,
    JSON,
    MODES,
    check_balance,
    check_position,
    check_position_v2,
    check_status,
    run,
    state,
    ws_url,
)

#: What a client makes of the server's answers does not depend on its database.
pytestmark = ONCE


# -- python-binance -----------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_python_binance_reads_every_account_document(
    server: Server, hmac_key: Key, mode: str
) -> None:
    multi = MODES[mode]
    server.control.set_state("demo", state(multi))

    async def scenario() -> None:
        async with python_binance(server.base_url, ws_url(server), hmac_key) as client:
            check_status(await client.ws_futures_account_status(), 1, multi)
            check_status(await client.ws_futures_v2_account_status(), 2, multi)
            check_balance(await client.ws_futures_account_balance(), multi)
            check_balance(await client.ws_futures_v2_account_balance(), multi)
            check_position(await client.ws_futures_account_position(symbol="BTCUSDT"))
            check_position_v2(await client.ws_futures_v2_account_position())

    run(scenario())


def test_python_binance_sends_sorted_params_and_an_hmac_signature(
    server: Server, hmac_key: Key
) -> None:
    server.control.set_state("demo", state(False))

    async def scenario() -> None:
        async with (
            relay(server.port) as kept,
            python_binance(server.base_url, kept.url, hmac_key) as client,
        ):
            rows = await client.ws_futures_account_position(symbol="BTCUSDT")
        check_position(rows)
        ((frame,), (answer,)) = kept.sent(), kept.received()
        # A hex id of its own (uuid22), the params sorted with the signature last.
        assert re.fullmatch("[0-9a-f]{1,22}", frame["id"]) and answer["id"] == frame["id"]
        assert list(frame["params"]) == ["apiKey", "symbol", "timestamp", "signature"]
        assert re.fullmatch("[0-9a-f]{64}", frame["params"]["signature"])

    run(scenario())


def test_python_binance_percent_encodes_an_ed25519_signature_and_is_refused(
    server: Server, ed25519_key: Key
) -> None:
    """python-binance signs ws-fapi requests with the REST signer, which percent-encodes the
    signature for a query string (base_client.py, ``_ws_futures_api_request`` →
    ``_generate_signature(uri_encode=True)``): base64's ``+``, ``/`` and ``=`` go as
    ``%2B``, ``%2F``, ``%3D`` inside the JSON, where nothing decodes them (a frame's values
    are signed and read raw, ACC §8.4), so the signature is checked as sent: -1022, for every
    Ed25519 or RSA key (their base64 always ends in ``==``). That Binance answers so too is
    inferred, from the same rule. The same key works over REST, and the same frame works
    once its signature is decoded."""
    server.control.set_state("demo", state(False))

    async def scenario() -> tuple[BinanceAPIException, JSON, JSON, JSON]:
        async with (
            relay(server.port) as kept,
            python_binance(server.base_url, kept.url, ed25519_key) as client,
        ):
            account = await client.futures_account()  # REST: the query string is decoded
            with pytest.raises(BinanceAPIException) as refused:
                await client.ws_futures_account_status()
        (frame,) = kept.sent()
        params = {**frame["params"], "signature": unquote(frame["params"]["signature"])}
        async with connect(ws_url(server)) as ws:
            await ws.send(json.dumps({**frame, "params": params}))
            decoded = json.loads(await ws.recv())
        return refused.value, account, frame, decoded

    refused, account, frame, decoded = run(scenario())
    assert account["multiAssetsMargin"] is False
    assert (refused.status_code, refused.code, refused.message) == (400, -1022, BAD_SIGNATURE)
    sent = frame["params"]["signature"]
    assert sent.endswith("%3D%3D") and len(base64.b64decode(unquote(sent), validate=True)) == 64
    assert decoded["status"] == 200 and decoded["result"]["multiAssetsMargin"] is False
