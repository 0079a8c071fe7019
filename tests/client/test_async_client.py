"""multiassets.AsyncClient: the same core as Client, on aiohttp."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest

from multiassets import AccountRuleError, AsyncClient, AuthError, SignatureError, Timeout
from multiassets._core import Answer, Prepared

from ..support import Server

T = TypeVar("T")


def run(scenario: Callable[[], Awaitable[T]]) -> T:
    return asyncio.run(scenario())  # type: ignore[arg-type]


def test_every_method_with_every_key_type(server: Server, credentials: dict[str, Any]) -> None:
    async def scenario() -> None:
        async with AsyncClient(base_url=server.base_url, **credentials) as client:
            await client.ping()
            assert await client.server_time() > 0
            assert await client.get_mode() is False
            await client.set_mode(True)
            assert (await client.account_config())["multiAssetsMargin"] is True
            assert await client.ensure_mode(True) is False
            assert await client.ensure_mode(False) is True
            assert await client.get_mode() is False

    run(scenario)


def test_errors_are_typed(server: Server) -> None:
    async def scenario() -> None:
        async with AsyncClient("K" * 64, "x" * 64, base_url=server.base_url) as stranger:
            with pytest.raises(AuthError):
                await stranger.get_mode()
        async with AsyncClient(server.demo.api_key, "x" * 64, base_url=server.base_url) as bad:
            with pytest.raises(SignatureError):
                await bad.get_mode()
        async with AsyncClient(
            server.demo.api_key, server.demo.secret, base_url=server.base_url
        ) as client:
            with pytest.raises(AccountRuleError) as caught:
                await client.set_mode(False)
            assert caught.value.code == -4171
            with pytest.raises(TypeError):
                await client.set_mode("true")  # type: ignore[arg-type]

    run(scenario)


class Injecting(AsyncClient):
    def __init__(self, *args: Any, apply: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.apply = apply
        self.injected = False

    async def _send(self, prepared: Prepared) -> Answer:
        if prepared.method == "POST" and not self.injected:
            self.injected = True
            if self.apply:
                await super()._send(prepared)
            raise Timeout("injected: no answer")
        return await super()._send(prepared)


@pytest.mark.parametrize("applied", [True, False])
def test_set_mode_reconciles_an_unanswered_change(server: Server, applied: bool) -> None:
    async def scenario() -> None:
        async with Injecting(
            server.demo.api_key, server.demo.secret, base_url=server.base_url, apply=applied
        ) as client:
            if applied:
                await client.set_mode(True)
            else:
                with pytest.raises(Timeout) as caught:
                    await client.set_mode(True)
                assert caught.value.applied is False
            assert client.injected
            assert await client.get_mode() is applied

    run(scenario)
