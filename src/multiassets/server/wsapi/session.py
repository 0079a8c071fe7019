"""A WebSocket API connection (``/ws-fapi/v1``): the handshake, charged to the client IP's
weight, then one answer per frame, in order, until the client leaves or 24 hours pass on the
server's clock (``binance-account.md`` §8.1, §8.3).

Each request runs the checks of its method's endpoint (``api/checks.py``) with the frame's
``params`` as its parameters: the same weight, on the same per-IP budget as REST, the same
refusals, then the method's answer. Nothing a client sends ends the connection unanswered.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qs

from ...protocol.errors import INVALID_PARAM, ApiError
from ..api.checks import Call, Request, check
from ..api.pipeline import refusal_for, used_weight
from ..http.responses import IDENTITY_HEADER, error_response
from ..state import ServerState
from ..streams.hub import MAX_CONNECTION_MS
from .envelope import (
    FrameError,
    Ident,
    decoded_source,
    error_frame,
    ok_frame,
    parse_frame,
    wants_rate_limits,
)
from .methods import HANDSHAKE_WEIGHT, METHODS, Session

__all__ = ["WSAPI_PATH", "serve_wsapi"]

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

WSAPI_PATH = "/ws-fapi/v1"


def _url_rate_limits(query: bytes) -> bool:
    """``?returnRateLimits=false`` hides ``rateLimits`` by default; anything else shows it."""
    sent = parse_qs(query.decode("latin-1")).get("returnRateLimits", [""])[-1]
    return sent.lower() != "false"


async def serve_wsapi(
    state: ServerState, scope: Message, receive: Receive, send: Send, client_ip: str
) -> None:
    if (await receive())["type"] != "websocket.connect":
        return
    request = Request("WS", WSAPI_PATH, b"", b"", client_ip)
    try:
        await state.limiter.charge(client_ip, HANDSHAKE_WEIGHT)
    except Exception as error:
        refused = refusal_for(state, error, request)
        await _refuse(send, *error_response(refused, await used_weight(state, refused, request)))
        return
    await send({"type": "websocket.accept", "headers": [IDENTITY_HEADER]})
    session = Session(state.clock.now_ms(), _url_rate_limits(scope.get("query_string", b"")))
    await _Connection(state, send, client_ip, session).run(receive)


async def _refuse(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    """The handshake refused (429, 418) with the REST answer of the refusal."""
    await send({"type": "websocket.http.response.start", "status": status, "headers": headers})
    await send({"type": "websocket.http.response.body", "body": body})


class _Connection:
    def __init__(self, state: ServerState, send: Send, client_ip: str, session: Session) -> None:
        self.state = state
        self.send = send
        self.client_ip = client_ip
        self.session = session

    async def run(self, receive: Receive) -> None:
        clock = self.state.clock
        deadline = self.session.connected_ms + MAX_CONNECTION_MS
        incoming = asyncio.ensure_future(receive())
        try:
            while True:
                done, _ = await asyncio.wait({incoming}, timeout=1.0)
                if incoming in done:
                    message = incoming.result()
                    if message["type"] == "websocket.disconnect":
                        return
                    raw = message.get("text") or message.get("bytes") or b""
                    await self.send({"type": "websocket.send", "text": await self.answer(raw)})
                    incoming = asyncio.ensure_future(receive())
                if clock.now_ms() >= deadline:  # Binance ends connections after 24 h
                    await self.send({"type": "websocket.close", "code": 1000})
                    return
        finally:
            incoming.cancel()

    async def answer(self, raw: str | bytes) -> str:
        """The answer frame to one frame, whatever it holds."""
        ident: Ident = None
        show = self.session.return_rate_limits
        request = Request("WS", WSAPI_PATH, b"", b"", self.client_ip)
        try:
            incoming = parse_frame(raw)
            ident, request.path = incoming.ident, incoming.method
            show = wants_rate_limits(incoming.params, show)
            call, result = await self._run(request, incoming.method, incoming.params)
        except FrameError as error:
            return await self._refusal(error.ident, error.error, request, show)
        except Exception as error:
            refused = refusal_for(self.state, error, request)
            return await self._refusal(ident, refused, request, show)
        limit = self.state.config.weight_limit
        return ok_frame(ident, result, call.used_weight if show else None, limit)

    async def _run(self, request: Request, name: str, params: dict[str, Any]) -> tuple[Call, bytes]:
        method = METHODS.get(name)
        if method is None:
            raise ApiError(INVALID_PARAM, param="method", reason=f"no method {name[:40]!r}")
        decoded = decoded_source(params)
        key = self.session.key
        if key is not None and "apiKey" not in decoded.params and decoded.signature is None:
            decoded = replace(decoded, by_session=True)
            request.api_key = key.api_key
        else:
            request.api_key = decoded.params.get("apiKey")
        request.decoded = decoded
        call = await check(self.state, method.endpoint, method.steps, request)
        return call, await method.answer(self.state, call, self.session)

    async def _refusal(self, ident: Ident, error: ApiError, request: Request, show: bool) -> str:
        count = await used_weight(self.state, error, request) if show else None
        return error_frame(ident, error, count, self.state.config.weight_limit)
