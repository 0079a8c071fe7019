"""python-binance, unmodified, against the server: only its base URLs change."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from binance import AsyncClient, Client
from binance.exceptions import BinanceAPIException

from ..support import Server


def client_class(server: Server, base: type[Client]) -> type[Client]:
    # python-binance keeps its hosts in class attributes; a subclass points them at us, so the
    # constructor's own calls (GET /api/v3/ping, /api/v3/time) come here too.
    return type(
        "LocalClient",
        (base,),
        {"API_URL": f"{server.base_url}/api", "FUTURES_URL": f"{server.base_url}/fapi"},
    )


@contextmanager
def sync_client(server: Server, api_key: str, secret: str, **options: object) -> Iterator[Client]:
    client = client_class(server, Client)(api_key, secret, **options)
    try:
        yield client
    finally:
        client.close_connection()
        client.loop.close()  # the sync client makes an event loop of its own and leaves it open


def test_sync_client_reads_the_mode(server: Server) -> None:
    # The constructor calls GET /api/v3/ping first.
    with sync_client(server, server.demo.api_key, server.demo.secret) as client:
        assert client.futures_get_multi_assets_mode() == {"multiAssetsMargin": False}
        assert client.futures_time()["serverTime"] > 0
        assert client.futures_account_config()["multiAssetsMargin"] is False


def test_async_client_reads_the_mode(server: Server) -> None:
    async def scenario() -> dict[str, bool]:
        # create() calls GET /api/v3/ping and GET /api/v3/time before anything else.
        client = await client_class(server, AsyncClient).create(
            server.demo.api_key, server.demo.secret
        )
        try:
            result: dict[str, bool] = await client.futures_get_multi_assets_mode()
            return result
        finally:
            await client.close_connection()

    assert asyncio.run(scenario()) == {"multiAssetsMargin": False}


@pytest.mark.parametrize(
    ("api_key", "secret", "offset_ms", "status", "code", "message"),
    [
        pytest.param(
            None,
            "x" * 64,
            0,
            400,
            -1022,
            "Signature for this request is not valid.",
            id="wrong-secret",
        ),
        pytest.param(
            None,
            None,
            -15_000,  # python-binance sends recvWindow=10000
            400,
            -1021,
            "Timestamp for this request is outside of the recvWindow.",
            id="clock-behind",
        ),
        pytest.param(
            None,
            None,
            5_000,
            400,
            -1021,
            "Timestamp for this request was 1000ms ahead of the server's time.",
            id="clock-ahead",
        ),
        pytest.param(
            "K" * 64,
            None,
            0,
            401,
            -2015,
            "Invalid API-key, IP, or permissions for action, request ip: 127.0.0.1",
            id="unknown-key",
        ),
    ],
)
def test_sync_client_gets_binance_errors(
    server: Server,
    api_key: str | None,
    secret: str | None,
    offset_ms: int,
    status: int,
    code: int,
    message: str,
) -> None:
    with sync_client(
        server, api_key or server.demo.api_key, secret or server.demo.secret, ping=False
    ) as client:
        client.timestamp_offset = offset_ms
        with pytest.raises(BinanceAPIException) as caught:
            client.futures_get_multi_assets_mode()
    assert (caught.value.status_code, caught.value.code, caught.value.message) == (
        status,
        code,
        message,
    )


def test_async_client_gets_signature_error(server: Server) -> None:
    async def scenario() -> BinanceAPIException:
        client = client_class(server, AsyncClient)(server.demo.api_key, "x" * 64)
        try:
            with pytest.raises(BinanceAPIException) as caught:
                await client.futures_get_multi_assets_mode()
            return caught.value
        finally:
            await client.close_connection()

    error = asyncio.run(scenario())
    assert (error.status_code, error.code) == (400, -1022)
