"""The WebSocket API's clients, unmodified, for the tests beside it: each opened on the
server by its WebSocket API URL alone (and, where it reads REST first, its REST URLs), and a
relay that keeps every frame a client and the server exchange.

- binance-sdk-derivatives-trading-usds-futures 18.1.0 on binance_common 4.7.0
  (:func:`sdk`): ``ConfigurationWebSocketAPI(stream_url=…)``, then
  ``websocket_api.create_connection()``. With ``api_secret`` it signs with HMAC, with
  ``private_key`` with RSA or Ed25519 (binance_common/signature.py). The USDⓈ-M SDK has no
  ``session_logon`` method (its spot sibling has): :func:`sdk_logon` makes the call that method
  makes, ``send_signed_message(…, session_logon=True)``, binance_common's own way to log a
  connection on (and to log it on again after a reconnect). The SDK parses each answer with
  pydantic's ``model_validate`` (binance_common/websocket.py, ``send_signed_message``):
  strict types, and fields its models lack dropped without a word (the REST path keeps them in
  ``additional_properties``). It does not raise on a refusal: ``data()`` gives
  ``{"error": {"code", "msg"}}``, in place of the model its type names.
- python-binance 1.0.37 (:func:`python_binance`): an ``AsyncClient`` subclass whose
  ``WS_FUTURES_URL`` is ours, on the matrix's :func:`~.matrix.local_class` (``create()`` reads
  ``/api/v3/ping`` and ``/api/v3/time`` first). Its ``ws_futures_*`` methods return the
  answer's ``result`` as received and raise ``BinanceAPIException`` on a refusal.
- ccxt 4.5.90 (:func:`ccxt_pro`): ``ccxt.pro.binanceusdm`` with
  ``urls['api']['ws']['ws-api']['linear']`` ours (the key is the market type, ``linear``);
  ``fetch_balance_ws``/``fetch_positions_ws`` call ``load_markets()`` over REST first, so the
  fapi and sapi REST URLs point here too (as ``account_views.CcxtViews`` does).

The documents' tests talk to the server directly; :func:`relay` stands between a client and
the server only where a test looks at the frames (it forwards each text frame as it is, both
ways; the handshake the server sees is the relay's).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, cast

import ccxt.pro  # type: ignore[import-untyped]
from binance import AsyncClient
from binance_common.configuration import ConfigurationWebSocketAPI
from binance_common.models import WebsocketApiResponse
from binance_common.signature import Signers
from binance_sdk_derivatives_trading_usds_futures import DerivativesTradingUsdsFutures
from binance_sdk_derivatives_trading_usds_futures.websocket_api import (
    DerivativesTradingUsdsFuturesWebSocketAPI,
)
from pydantic import BaseModel
from websockets.asyncio.client import ClientConnection, connect
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from ..matrix import Key, local_class

__all__ = [
    "Relay",
    "ccxt_pro",
    "python_binance",
    "relay",
    "sdk",
    "sdk_logon",
    "sdk_result",
]

JSON = dict[str, Any]
PATH = "/ws-fapi/v1"


# the relay ------------------------------------------------------------------------------------


@dataclass
class Relay:
    """The relay's URL and the frames it forwarded, in order, decoded."""

    url: str = ""
    frames: list[tuple[str, JSON]] = field(default_factory=list)

    def sent(self) -> list[JSON]:
        """What the client sent."""
        return [frame for way, frame in self.frames if way == "sent"]

    def received(self) -> list[JSON]:
        """What the server answered."""
        return [frame for way, frame in self.frames if way == "received"]


@asynccontextmanager
async def relay(port: int) -> AsyncIterator[Relay]:
    """A WebSocket relay on a port of its own to the server on ``port``, on the running loop."""
    kept = Relay()

    async def forward(
        source: ServerConnection | ClientConnection,
        target: ServerConnection | ClientConnection,
        way: str,
    ) -> None:
        try:
            async for message in source:
                kept.frames.append((way, json.loads(message)))
                await target.send(message)
        except ConnectionClosed:
            pass

    async def handle(downstream: ServerConnection) -> None:
        assert downstream.request is not None
        async with connect(f"ws://127.0.0.1:{port}{downstream.request.path}") as upstream:
            legs = [
                asyncio.create_task(forward(downstream, upstream, "sent")),
                asyncio.create_task(forward(upstream, downstream, "received")),
            ]
            await asyncio.wait(legs, return_when=asyncio.FIRST_COMPLETED)
            for leg in legs:
                leg.cancel()
            await asyncio.gather(*legs, return_exceptions=True)

    async with serve(handle, "127.0.0.1", 0) as listening:
        own_port = next(iter(listening.sockets)).getsockname()[1]
        kept.url = f"ws://127.0.0.1:{own_port}{PATH}"
        yield kept


# binance-sdk-derivatives-trading-usds-futures -------------------------------------------------


@asynccontextmanager
async def sdk(
    url: str, key: Key, *, rate_limits: bool = True
) -> AsyncIterator[DerivativesTradingUsdsFuturesWebSocketAPI]:
    """The SDK's WebSocket API client, connected to ``url``. ``rate_limits`` is its
    ``return_rate_limits`` option: off, it adds ``returnRateLimits`` to every request."""
    hmac = key.kind == "HMAC"
    config = ConfigurationWebSocketAPI(
        api_key=key.api_key,
        api_secret=key.secret if hmac else None,
        private_key=None if hmac else key.secret,  # it tells RSA from Ed25519
        stream_url=url,
        return_rate_limits=rate_limits,
    )
    api = DerivativesTradingUsdsFutures(config_ws_api=config).websocket_api
    await api.create_connection()  # type: ignore[no-untyped-call]
    # connect() logs a failure and returns; the first request would then say "No WebSocket
    # connections available".
    assert api.connections, f"the SDK could not connect to {url}"
    try:
        yield api
    finally:
        await api.close_connection()


async def sdk_logon(api: DerivativesTradingUsdsFuturesWebSocketAPI, **params: Any) -> JSON:
    """``session.logon`` the SDK's way; the answer as received (there is no model for it).
    ``params`` in the SDK's snake case (``recv_window=…``)."""
    answer = await api.send_signed_message(
        {"method": "session.logon", "params": dict(params)},
        signer=cast("Signers | None", api.signer),  # typed by inference: object
        session_logon=True,
    )
    document = answer.data()
    assert isinstance(document, dict), document
    return document


def sdk_result(response: WebsocketApiResponse[Any]) -> Any:
    """The ``result`` the SDK hands back, as the JSON its model holds: the fields that came in
    the frame and that the model declares, by their JSON names. Fails on a refusal (a dict)."""
    model = response.data()
    assert isinstance(model, BaseModel), f"no model: {model!r}"[:300]
    document = model.model_dump(by_alias=True, exclude_unset=True)
    assert document.get("status") == 200, document
    return document["result"]


# python-binance -------------------------------------------------------------------------------


@asynccontextmanager
async def python_binance(base_url: str, ws_url: str, key: Key) -> AsyncIterator[Any]:
    """``AsyncClient.create()`` of a subclass whose REST and ws-fapi URLs are ours."""
    # The constructor formats WS_FUTURES_URL with the tld: ours has no placeholder.
    local: Any = type("LocalWs", (local_class(AsyncClient, base_url),), {"WS_FUTURES_URL": ws_url})
    # With private_key it signs with RSA when the PEM is longer than 120 characters, else
    # with Ed25519 (base_client.py, _init_private_key).
    keys = {"api_secret": key.secret} if key.kind == "HMAC" else {"private_key": key.secret}
    client = await local.create(key.api_key, **keys)
    try:
        yield client
    finally:
        # close_connection() closes the REST session and the spot WebSocket API, not the
        # futures one. That one's close() first waits for its read loop to end, and the loop
        # looks only after a frame arrives or its 10 s receive timeout passes: closing the
        # socket at the same time wakes it at once (and it ends, being told to exit).
        await client.close_connection()
        socket = client.ws_future
        if socket.ws is not None:
            await asyncio.gather(socket.close(), socket.ws.close())


# ccxt -----------------------------------------------------------------------------------------


@asynccontextmanager
async def ccxt_pro(base_url: str, ws_url: str, key: Key) -> AsyncIterator[Any]:
    """``ccxt.pro.binanceusdm`` with its USDⓈ-M WebSocket API URL ours."""
    # A PEM secret makes ccxt sign with RSA (longer than 120 characters) or Ed25519
    # (pro/binance.py, sign_params). No spacing of requests by cost: it only slows tests.
    exchange = ccxt.pro.binanceusdm(
        {
            "apiKey": key.api_key,
            "secret": key.secret,
            "enableRateLimit": False,
            "options": {"adjustForTimeDifference": False},
        }
    )
    urls = exchange.urls["api"]
    for name, url in urls.items():
        if name.startswith("fapi"):
            urls[name] = url.replace("https://fapi.binance.com", base_url)
        elif name.startswith("sapi"):
            urls[name] = url.replace("https://api.binance.com", base_url)
    urls["ws"]["ws-api"]["linear"] = ws_url
    try:
        yield exchange
    finally:
        await exchange.close()
