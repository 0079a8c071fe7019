"""``AsyncClient``: the asyncio client, on aiohttp.

aiohttp was the fastest asyncio HTTP client measured here (333 µs per bare keep-alive GET,
against 1,123 µs for httpx's AsyncClient, ``../shared/reference/perf-limits.md``). It is
imported when the first AsyncClient is made, not with ``import multiassets``.
"""

from __future__ import annotations

from ._base import BaseClient
from ._config import stream_url
from ._exceptions import ConfigurationError, Timeout, TransportError
from ._messages import Answer, Sleep

# Not typing's TYPE_CHECKING: importing typing costs ~15 ms. Type checkers take it as true.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import AsyncGenerator
    from types import TracebackType
    from typing import Any, Self

    import aiohttp

    from ._events import StreamEvent
    from ._messages import Flow, Prepared

__all__ = ["AsyncClient"]


class AsyncClient(BaseClient):
    """The asyncio twin of :class:`multiassets.Client`: the same parameters and methods,
    awaited. It belongs to the event loop that first uses it until it is closed
    (``async with``); then another loop may use it.

        async with AsyncClient(base_url="http://127.0.0.1:8080", api_key=..., api_secret=...) as c:
            await c.ensure_mode(True)
    """

    _session: aiohttp.ClientSession | None = None
    #: aiohttp, yarl.URL and asyncio.get_running_loop, once the first call has imported them.
    _modules: tuple[Any, Any, Any] = (None, None, None)
    _loop: object = None

    async def ping(self) -> None:
        await self._run(self._core.call("GET", "/fapi/v1/ping"))

    async def server_time(self) -> int:
        return int((await self._run(self._core.call("GET", "/fapi/v1/time")))["serverTime"])

    async def sync_time(self) -> int:
        return int(await self._run(self._core.sync_clock()))

    async def get_mode(self) -> bool:
        return bool(await self._run(self._core.get_setting("asset_mode")))

    async def set_mode(self, multi_assets: bool) -> None:
        await self._run(self._core.set_setting("asset_mode", multi_assets))

    async def ensure_mode(self, multi_assets: bool) -> bool:
        return bool(await self._run(self._core.ensure_setting("asset_mode", multi_assets)))

    async def get_position_mode(self) -> bool:
        return bool(await self._run(self._core.get_setting("position_mode")))

    async def set_position_mode(self, dual: bool) -> None:
        await self._run(self._core.set_setting("position_mode", dual))

    async def ensure_position_mode(self, dual: bool) -> bool:
        return bool(await self._run(self._core.ensure_setting("position_mode", dual)))

    async def account_config(self) -> dict[str, Any]:
        return dict(await self._run(self._core.call("GET", "/fapi/v1/accountConfig")))

    async def account(self) -> dict[str, Any]:
        return dict(await self._run(self._core.call("GET", "/fapi/v3/account")))

    async def user_stream(self, keepalive_s: float = 30 * 60) -> AsyncGenerator[StreamEvent, None]:
        """The account's user data stream, as typed events (``AccountConfigUpdate`` on each
        mode change), until the listenKey expires. Opens the listenKey, keeps it alive every
        ``keepalive_s`` seconds, and closes it when the iteration stops.

            async for event in client.user_stream():
                if isinstance(event, AccountConfigUpdate):
                    print(event.multi_assets_margin)
        """
        import asyncio
        import json

        from ._events import ListenKeyExpired, parse_event

        opened = await self._run(self._core.call("POST", "/fapi/v1/listenKey"))
        listen_key = str(opened["listenKey"])
        session = self._session if self._session is not None else self._open()

        async def keep_alive() -> None:
            while True:
                await asyncio.sleep(keepalive_s)
                await self._run(self._core.call("PUT", "/fapi/v1/listenKey"))

        keeper = asyncio.ensure_future(keep_alive())
        try:
            async with session.ws_connect(f"{stream_url(self.base_url)}/ws/{listen_key}") as ws:
                async for message in ws:
                    if message.type != self._modules[0].WSMsgType.TEXT:
                        continue
                    event = parse_event(json.loads(message.data))
                    yield event
                    if isinstance(event, ListenKeyExpired):
                        return
        finally:
            keeper.cancel()

    async def _run(self, flow: Flow) -> Any:
        try:
            step = next(flow)
            while True:
                if isinstance(step, Sleep):
                    import asyncio  # not at import time: it costs ~30 ms sync users need not pay

                    await asyncio.sleep(step.seconds)
                    step = flow.send(None)
                    continue
                try:
                    answer = await self._send(step)
                except TransportError as error:
                    step = flow.throw(error)
                    continue
                step = flow.send(answer)
        except StopIteration as stop:
            return stop.value

    def _open(self) -> aiohttp.ClientSession:
        try:
            import aiohttp
            from yarl import URL
        except ImportError:
            raise ConfigurationError(
                "AsyncClient needs aiohttp: pip install 'multiassets[async]'"
            ) from None
        import asyncio

        self._modules = (aiohttp, URL, asyncio.get_running_loop)
        loop = asyncio.get_running_loop()
        if self._session is not None and not self._session.closed and self._loop is not loop:
            # Its connections belong to the other loop, which alone can close them.
            raise ConfigurationError(
                "this AsyncClient is open on another event loop: close it there (async with), "
                "or make one per loop"
            )
        if self._session is None or self._session.closed:
            self._loop = loop
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self.timeout),
                # Binance's answers are read as sent; no cookies, no auto-decompression games.
                cookie_jar=aiohttp.DummyCookieJar(),
            )
        return self._session

    async def _send(self, prepared: Prepared) -> Answer:
        # As _open kept them: an import statement here would cost its sys.modules look-up on
        # every call.
        aiohttp, URL, running_loop = self._modules
        session = self._session
        if session is None or session.closed or self._loop is not running_loop():
            session = self._open()  # a new session, or a clean error for another loop
            aiohttp, URL, running_loop = self._modules
        sent = self._core.stamp()
        # encoded=True: the target is sent byte for byte as signed, not re-quoted by yarl.
        url = URL(self._core.origin + prepared.target, encoded=True)
        try:
            async with session.request(
                prepared.method,
                url,
                data=prepared.body or None,
                headers=prepared.headers,
            ) as response:
                body = await response.read()
                return Answer(response.status, response.headers, body, sent, self._core.stamp())
        except TimeoutError as error:
            raise Timeout(f"no answer from {self.base_url} in {self.timeout} s") from error
        except (aiohttp.ClientError, OSError) as error:
            raise TransportError(f"{self.base_url}: {error!r}") from error

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
