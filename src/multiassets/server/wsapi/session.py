"""A WebSocket API connection (``/ws-fapi/v1``): the handshake, charged to the client IP's
weight, then one answer per frame, in order, until the client leaves or 24 hours pass on the
server's clock (``binance-account.md`` §8.1, §8.3).

Each request runs the checks of its method's endpoint (``api/checks.py``) with the frame's
``params`` as its parameters: the same weight, on the same per-IP budget as REST, the same
refusals, then the method's answer. Nothing a client sends ends the connection unanswered.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qs

from ...protocol.errors import INVALID_PARAM, REJECTED_MBX_KEY, SESSION_KEY_REJECTED, ApiError
from ..api.pipeline import execute, record, refusal_for, used_weight
from ..api.request import Call, Request
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
#: How an injected ``close`` fault ends the connection: 1011, the server failed (a WebSocket
#: server can't drop without a close frame through ASGI).
FAULT_CLOSE_CODE = 1011
#: How much of an unknown method's name the request log keeps.
_SHOWN_METHOD = 64
#: What the metrics count a frame for no method served as (their labels stay few).
_UNKNOWN_METHOD = "(unknown)"


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
                    frames = await self.answer(raw)
                    if frames is None:  # an injected fault: the connection drops unanswered
                        await self.send({"type": "websocket.close", "code": FAULT_CLOSE_CODE})
                        return
                    for frame in frames:
                        await self.send({"type": "websocket.send", "text": frame})
                    incoming = asyncio.ensure_future(receive())
                if clock.now_ms() >= deadline:  # Binance ends connections after 24 h
                    await self.send({"type": "websocket.close", "code": 1000})
                    return
        finally:
            incoming.cancel()

    async def answer(self, raw: str | bytes) -> list[str] | None:
        """The frames answering one frame, whatever it holds: its answer, then the event
        that ends the session if the session's key was refused; None to close unanswered."""
        started = time.perf_counter()
        request = Request("WS", "(no method)", b"", b"", self.client_ip)
        show = self.session.return_rate_limits
        try:
            incoming = parse_frame(raw)
        except FrameError as error:
            return [await self._unserved(request, error.ident, error.error, show, started)]
        ident, params = incoming.ident, incoming.params
        request.path = incoming.method[:_SHOWN_METHOD]
        show = wants_rate_limits(params, show)
        method = METHODS.get(incoming.method)
        try:
            if method is None:
                raise ApiError(INVALID_PARAM, param="method", reason=f"no method {request.path!r}")
            self._read(request, params)
        except ApiError as error:
            served = method is not None
            return [await self._unserved(request, ident, error, show, started, served)]
        session = self.session

        async def handler(state: ServerState, call: Call) -> bytes:
            return await method.answer(state, call, session)

        outcome = await execute(self.state, method.endpoint, method.steps, handler, request)
        record(self.state, request, outcome.status, outcome.refused, started, request.path)
        count = outcome.used_weight if show else None
        limit = self.state.config.weight_limit
        if outcome.refused is not None:
            frames = [error_frame(ident, outcome.refused, count, limit)]
            decoded = request.decoded
            by_session = decoded is not None and decoded.by_session
            if outcome.refused.spec is REJECTED_MBX_KEY and by_session:
                frames.append(self._end_session())
            return frames
        if outcome.document is None:
            return None
        return [ok_frame(ident, outcome.document, count, limit)]

    def _read(self, request: Request, params: dict[str, Any]) -> None:
        """The frame's ``params`` as the checks read them; the session's key if they carry
        no key and no signature of their own."""
        decoded = decoded_source(params)
        key = self.session.key
        if key is not None and "apiKey" not in decoded.params and decoded.signature is None:
            decoded = replace(decoded, by_session=True)
            request.api_key = key.api_key
        else:
            request.api_key = decoded.params.get("apiKey")
        request.decoded = decoded

    def _end_session(self) -> str:
        """The session's key no longer passes (revoked, or its IP or permission withdrawn):
        logged out, with Binance's event (§8.2)."""
        self.session.key = self.session.authorized_since = None
        return error_frame(None, ApiError(SESSION_KEY_REJECTED), None, 0)

    async def _unserved(
        self,
        request: Request,
        ident: Ident,
        error: ApiError,
        show: bool,
        started: float,
        served: bool = False,
    ) -> str:
        """A frame refused before its method's checks (no request, a method not served, or
        params that are not parameters): answered and logged, not charged."""
        metrics_path = request.path if served else _UNKNOWN_METHOD
        record(self.state, request, error.status, error, started, metrics_path)
        count = await used_weight(self.state, error, request) if show else None
        return error_frame(ident, error, count, self.state.config.weight_limit)
