"""The matrix's user data streams: each client's own stream client, unmodified, pointed at the
server by its stream base URL (``ws://127.0.0.1:<port>``).

Each :class:`UserStream` opens the listenKey through its client's REST, connects, and returns
once the server has subscribed the key (so an event committed after that reaches it); then
:meth:`UserStream.next_mode` reads the next event as the client hands it to its user. Families
without a stream client that can see ACCOUNT_CONFIG_UPDATE are in :data:`NO_STREAM`.
"""

from __future__ import annotations

import asyncio
import json
import queue
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

from binance import AsyncClient, BinanceSocketManager, ThreadedWebsocketManager
from binance.websocket.um_futures.websocket_client import UMFuturesWebsocketClient
from binance.ws.constants import WSListenerState
from binance_common.configuration import ConfigurationWebSocketStreams
from binance_sdk_derivatives_trading_usds_futures import DerivativesTradingUsdsFutures
from binance_sdk_derivatives_trading_usds_futures.websocket_streams.models import (
    AccountConfigUpdate,
)

from .matrix import (
    Adapter,
    BinanceSdk,
    FuturesConnector,
    Key,
    PythonBinanceAsync,
    _Async,
    local_class,
)

__all__ = ["NO_STREAM", "STREAMS", "UserStream"]

#: How long a client may take to connect, and an event to arrive.
WAIT = 5.0

#: python-binance's read loop waits this long for a frame before it looks at its own state, so
#: leaving a quiet stream takes up to that long: its TIMEOUT, 10 s, set on the socket instead.
PYTHON_BINANCE_TIMEOUT = 0.2


class UserStream(ABC):
    """A client's user data stream of the demo account, connected and subscribed."""

    @abstractmethod
    def next_mode(self, timeout: float) -> bool:
        """The next event must be ACCOUNT_CONFIG_UPDATE, as the client presents it: its ai.j."""

    @abstractmethod
    def close(self) -> None: ...


def _config_update(event: Any) -> bool:
    """ai.j of ACCOUNT_CONFIG_UPDATE as Binance sends it, a JSON object, and nothing else."""
    assert isinstance(event, dict) and event.get("e") == "ACCOUNT_CONFIG_UPDATE", event
    assert set(event) == {"e", "E", "T", "ai"} and set(event["ai"]) == {"j"}, event
    assert isinstance(event["ai"]["j"], bool), event
    return bool(event["ai"]["j"])


def _until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, f"waited {WAIT} s for {what}"
        time.sleep(0.01)


# python-binance -------------------------------------------------------------------------------


def _local_socket_manager(stream_url: str) -> type[Any]:
    # FSTREAM_URL is BinanceSocketManager's USDⓈ-M stream host (a class attribute, like the REST
    # clients' hosts); futures_user_socket() connects to FSTREAM_URL + "private/ws?listenKey=…".
    def futures_user_socket(self: Any) -> Any:
        socket = BinanceSocketManager.futures_user_socket(self)
        socket.TIMEOUT = PYTHON_BINANCE_TIMEOUT
        self.user_socket = socket
        return socket

    return type(
        "LocalBinanceSocketManager",
        (BinanceSocketManager,),
        {"FSTREAM_URL": f"{stream_url}/", "futures_user_socket": futures_user_socket},
    )


class PythonBinanceAsyncStream(UserStream):
    """BinanceSocketManager(AsyncClient).futures_user_socket(), on the adapter's event loop."""

    def __init__(self, adapter: Adapter, base_url: str, stream_url: str, key: Key) -> None:
        assert isinstance(adapter, PythonBinanceAsync)
        self.adapter = adapter
        self.socket = adapter.run(self._open(stream_url))

    async def _open(self, stream_url: str) -> Any:
        socket = _local_socket_manager(stream_url)(self.adapter.client).futures_user_socket()
        # Entering it opens the listenKey (AsyncClient.futures_stream_get_listen_key: POST
        # /fapi/v1/listenKey) and connects; the key is in the URL, subscribed at the handshake.
        await socket.__aenter__()
        return socket

    def next_mode(self, timeout: float) -> bool:
        return _config_update(self.adapter.run(asyncio.wait_for(self.socket.recv(), timeout)))

    def close(self) -> None:
        self.adapter.run(self.socket.__aexit__(None, None, None))


class _LocalThreadedManager(ThreadedWebsocketManager):  # type: ignore[misc]
    def __init__(self, base_url: str, stream_url: str, **options: Any) -> None:
        super().__init__(**options)
        self.local_client = local_class(AsyncClient, base_url)
        self.local_manager = _local_socket_manager(stream_url)

    async def socket_listener(self) -> None:
        # ThreadedApiManager.socket_listener and _before_socket_listener_start, with the local
        # classes: they make AsyncClient and BinanceSocketManager by name, and neither has a
        # host setting but its class attributes.
        self._client = await self.local_client.create(loop=self._loop, **self._client_params)
        self._bsm = self.socket_manager = self.local_manager(
            client=self._client, max_queue_size=self._max_queue_size
        )
        while self._running:
            await asyncio.sleep(0.2)
        while self._socket_running:
            await asyncio.sleep(0.2)


class PythonBinanceSyncStream(UserStream):
    """ThreadedWebsocketManager.start_futures_user_socket(callback): python-binance's stream for
    code without asyncio. It takes an API key and an HMAC secret only (no private key); the
    stream needs the key alone."""

    def __init__(self, adapter: Adapter, base_url: str, stream_url: str, key: Key) -> None:
        # Its sockets are made on this thread and take this thread's event loop (get_loop()),
        # which its thread runs: the loop it is given is made this thread's, as python-binance
        # does when it makes the loop itself.
        self.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self.loop)
        self.events: queue.Queue[Any] = queue.Queue()
        secret = key.secret if key.kind == "HMAC" else None
        self.manager = _LocalThreadedManager(
            base_url, stream_url, api_key=key.api_key, api_secret=secret, loop=self.loop
        )
        self.manager.start()
        try:
            self.manager.start_futures_user_socket(callback=self.events.put)
            socket = self.manager.socket_manager.user_socket
            # It tells nobody when it is connected; its socket's state does.
            _until(lambda: socket.ws_state is WSListenerState.STREAMING, "the socket to connect")
        except BaseException:
            self.close()
            raise

    def next_mode(self, timeout: float) -> bool:
        return _config_update(self.events.get(timeout=timeout))

    def close(self) -> None:
        # stop() ends its listener, which looks every 3 s (start_listener's recv timeout).
        try:
            self.manager.stop()
            self.manager.join(timeout=10)
            assert not self.manager.is_alive()
        finally:
            self.loop.close()
            asyncio.set_event_loop(None)


# binance-futures-connector -------------------------------------------------------------------


class ConnectorStream(UserStream):
    """UMFuturesWebsocketClient(stream_url).user_data(listen_key): connects to
    ``<stream_url>/ws`` and sends SUBSCRIBE; a thread of its own calls on_message."""

    def __init__(self, adapter: Adapter, base_url: str, stream_url: str, key: Key) -> None:
        assert isinstance(adapter, FuturesConnector)
        self.messages: queue.Queue[Any] = queue.Queue()
        listen_key = adapter.client.new_listen_key()["listenKey"]
        self.socket = UMFuturesWebsocketClient(stream_url=stream_url, on_message=self._received)
        try:
            self.socket.user_data(listen_key=listen_key, id=1)
            # The answer to SUBSCRIBE comes once the key is subscribed.
            assert self.messages.get(timeout=WAIT) == {"result": None, "id": 1}
        except BaseException:
            self.close()
            raise

    def _received(self, manager: Any, message: str) -> None:
        self.messages.put(json.loads(message))

    def next_mode(self, timeout: float) -> bool:
        return _config_update(self.messages.get(timeout=timeout))

    def close(self) -> None:
        self.socket.stop()  # sends a close frame, joins its thread once the server's comes back
        # ... and leaves the socket open (BinanceSocketManager.close calls websocket-client's
        # send_close, never close): closed here, or it is a ResourceWarning.
        self.socket.socket_manager.ws.shutdown()


# binance-sdk-derivatives-trading-usds-futures ------------------------------------------------


class SdkStream(UserStream, _Async):
    """websocket_streams.create_connection(), then user_data(listenKey).on("message", …)."""

    def __init__(self, adapter: Adapter, base_url: str, stream_url: str, key: Key) -> None:
        assert isinstance(adapter, BinanceSdk)
        _Async.__init__(self)
        config = ConfigurationWebSocketStreams(stream_url=stream_url)
        self.streams = DerivativesTradingUsdsFutures(config_ws_streams=config).websocket_streams
        self.events: asyncio.Queue[Any] = asyncio.Queue()
        try:
            listen_key = adapter.client.rest_api.start_user_data_stream().data().listen_key
            assert listen_key is not None
            self.run(asyncio.wait_for(self._open(listen_key), WAIT))
        except BaseException:
            self.close()
            raise

    async def _open(self, listen_key: str) -> None:
        # One connection per path of the SDK's (url_paths): <stream_url>/market/stream,
        # /public/stream, /private/stream, in that order. The first that fails ends it, with a
        # log line only ("WebSocket failed to connect"): create_connection() returns None.
        connection = await self.streams.create_connection()  # type: ignore[no-untyped-call]
        if connection is None:
            raise ConnectionError("create_connection() connected nothing")
        handle = await connection.user_data(listenKey=listen_key)
        handle.on("message", self.events.put_nowait)
        # It sends SUBSCRIBE and returns; the answer settles the request's future, which it keeps
        # in its connection's pending_request until then and shows nobody.
        private = connection.stream_connections.stream_connections_map[listen_key]
        while private.pending_request:
            await asyncio.sleep(0.01)

    def next_mode(self, timeout: float) -> bool:
        event = self.run(asyncio.wait_for(self.events.get(), timeout)).actual_instance
        assert isinstance(event, AccountConfigUpdate), event
        assert event.ai is not None and event.ac is None, event
        assert event.additional_properties == event.ai.additional_properties == {}, event
        assert isinstance(event.ai.j, bool), event
        return event.ai.j

    def close(self) -> None:
        try:
            self.run(self.streams.close_connection(close_session=True))
        finally:
            self.close_runner()


#: client family -> its stream's maker (the family's adapter, REST base URL, stream base URL, key)
STREAMS: dict[str, Callable[[Adapter, str, str, Key], UserStream]] = {
    "python-binance-sync": PythonBinanceSyncStream,
    "python-binance-async": PythonBinanceAsyncStream,
    "futures-connector": ConnectorStream,
    "binance-sdk": SdkStream,
}

#: client family -> why it has no stream cell.
NO_STREAM = {
    "ccxt-sync": "ccxt's synchronous classes have no WebSocket client: ccxt.pro is asyncio only",
    "ccxt-async": (
        "ccxt.pro binanceusdm connects to <ws>/private/ws?listenKey=… (watchBalance, "
        "watchOrders, watchPositions, watchMyTrades) and receives ACCOUNT_CONFIG_UPDATE, but "
        "handle_message dispatches user events by 'e' through a fixed table (ACCOUNT_UPDATE, "
        "ORDER_TRADE_UPDATE, …) that lacks it, and drops it: no watch method resolves with it "
        "and no hook sees the raw message (each connection's on_message_callback is that "
        "handle_message; only verbose=True prints it)"
    ),
}
