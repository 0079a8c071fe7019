"""The user data stream's WebSocket, in the forms Binance serves and its clients use:

- ``/ws/<listenKey>``, ``/private/ws/<listenKey>`` and ``/private/ws?listenKey=<listenKey>``
  (python-binance, ccxt.pro): the events themselves;
- ``/stream?streams=<listenKey>`` and ``/private/stream?streams=…``: combined streams, each
  event as ``{"stream": <listenKey>, "data": <event>}``;
- any of those paths without a key (the connector, Binance's own SDK): the client sends
  ``{"method": "SUBSCRIBE", "params": [<listenKey>], "id": n}`` (and UNSUBSCRIBE,
  LIST_SUBSCRIPTIONS) and is answered ``{"result": null, "id": n}``;
- ``/public/…`` and ``/market/…``, Binance's market-data hosts: connections are accepted and
  subscriptions answered (Binance's SDK opens them before its private stream), but no market
  data is served, so they carry nothing.

A connection ends after 24 hours, as on Binance; a key that ends (expired, deleted) sends
``listenKeyExpired`` and, when the connection has no key left, closes it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qs

import orjson

from ..http.responses import IDENTITY_HEADER
from ..state import ServerState
from .hub import MAX_CONNECTION_MS, Outbox

__all__ = ["COMBINED_PATHS", "RAW_PATHS", "serve_stream"]

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

RAW_PATHS = ("/ws", "/private/ws", "/public/ws", "/market/ws")
COMBINED_PATHS = ("/stream", "/private/stream", "/public/stream", "/market/stream")


def _keys_in_url(path: str, query: bytes) -> tuple[bool, list[str]] | None:
    """(combined, the keys the URL names), or None for a path that is no stream."""
    fields = parse_qs(query.decode("latin-1"))
    for prefix in RAW_PATHS:
        if path == prefix:
            return False, fields.get("listenKey", [])[-1:]
        if path.startswith(prefix + "/") and "/" not in path[len(prefix) + 1 :]:
            return False, [path[len(prefix) + 1 :]]
    if path in COMBINED_PATHS:
        named = fields.get("streams", [""])[-1]
        return True, [key for key in named.split("/") if key]
    return None


async def serve_stream(state: ServerState, scope: Message, receive: Receive, send: Send) -> None:
    if (await receive())["type"] != "websocket.connect":
        return
    found = _keys_in_url(scope["path"], scope.get("query_string", b""))
    if found is None:
        await _refuse(send)
        return
    combined, keys = found
    connection = _Connection(state, send, combined)
    if keys and not all([await connection.subscribe(key) for key in keys]):
        connection.close()
        await _refuse(send)  # an unknown or expired key
        return
    await send({"type": "websocket.accept", "headers": [IDENTITY_HEADER]})
    try:
        await connection.run(receive)
    finally:
        connection.close()


async def _refuse(send: Send) -> None:
    """The handshake's 403, as an HTTP answer of our own (ASGI's ``websocket.close`` before
    the accept would give the server's bare 403, without the headers every answer has)."""
    headers = [IDENTITY_HEADER, (b"content-type", b"text/plain"), (b"content-length", b"0")]
    await send({"type": "websocket.http.response.start", "status": 403, "headers": headers})
    await send({"type": "websocket.http.response.body", "body": b""})


class _Connection:
    def __init__(self, state: ServerState, send: Send, combined: bool) -> None:
        self.state = state
        self.send = send
        self.combined = combined
        self.outbox: Outbox = asyncio.Queue()
        self.keys: dict[str, int] = {}  # listenKey -> account id

    async def subscribe(self, key: str) -> bool:
        try:
            connected = await self.state.streams.connect(
                key, self.state.clock.now_ms(), self.outbox
            )
        except self.state.unavailable:
            return False
        if connected is None:
            return False
        self.keys[key] = connected[0]
        return True

    def unsubscribe(self, key: str) -> None:
        account_id = self.keys.pop(key, None)
        if account_id is not None:
            self.state.streams.disconnect(account_id, key, self.outbox)

    def close(self) -> None:
        for key in list(self.keys):
            self.unsubscribe(key)

    async def run(self, receive: Receive) -> None:
        clock = self.state.clock
        deadline = clock.now_ms() + MAX_CONNECTION_MS
        incoming = asyncio.ensure_future(receive())
        outgoing = asyncio.ensure_future(self.outbox.get())
        try:
            while True:
                done, _ = await asyncio.wait(
                    {incoming, outgoing}, timeout=1.0, return_when=asyncio.FIRST_COMPLETED
                )
                if outgoing in done:  # an event taken off the queue is always delivered
                    key, event = outgoing.result()
                    outgoing = asyncio.ensure_future(self.outbox.get())
                    if event is None:
                        self.keys.pop(key, None)
                        if not self.keys:
                            await self.send({"type": "websocket.close", "code": 1000})
                            return
                    else:
                        await self._emit({"stream": key, "data": event} if self.combined else event)
                if incoming in done:
                    message = incoming.result()
                    if message["type"] == "websocket.disconnect":
                        return
                    await self._command(message.get("text") or message.get("bytes") or b"")
                    incoming = asyncio.ensure_future(receive())
                if clock.now_ms() >= deadline:  # Binance ends connections after 24 h
                    await self.send({"type": "websocket.close", "code": 1000})
                    return
        finally:
            incoming.cancel()
            outgoing.cancel()

    async def _command(self, raw: str | bytes) -> None:
        """A client frame: SUBSCRIBE, UNSUBSCRIBE, LIST_SUBSCRIPTIONS; anything else is
        ignored, as Binance ignores what its streams do not read."""
        try:
            command = orjson.loads(raw)
        except orjson.JSONDecodeError:
            return
        if not isinstance(command, dict) or not isinstance(command.get("params", []), list):
            return
        method, ident = command.get("method"), command.get("id")
        params = [str(param) for param in command.get("params", [])]
        if method == "SUBSCRIBE":
            for key in params:
                await self.subscribe(key)
        elif method == "UNSUBSCRIBE":
            for key in params:
                self.unsubscribe(key)
        elif method == "LIST_SUBSCRIPTIONS":
            await self._emit({"result": list(self.keys), "id": ident})
            return
        else:
            return
        await self._emit({"result": None, "id": ident})

    async def _emit(self, document: Any) -> None:
        await self.send({"type": "websocket.send", "text": orjson.dumps(document).decode()})
