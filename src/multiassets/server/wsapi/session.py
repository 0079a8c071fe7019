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

from ...protocol.endpoints import Security
from ...protocol.errors import (
    INVALID_PARAM,
    IP_BANNED,
    REJECTED_MBX_KEY,
    SESSION_KEY_REJECTED,
    ApiError,
)
from ...protocol.limits import WS_HANDSHAKE_WEIGHT
from ..api.checks import key_refusal
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
from .methods import METHODS, Method, Session

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
#: The request log's status for an accepted handshake: 101 Switching Protocols.
_ACCEPTED = 101


def _url_rate_limits(query: bytes) -> bool:
    """``?returnRateLimits=false`` hides ``rateLimits`` by default; anything else shows it."""
    sent = parse_qs(query.decode("latin-1")).get("returnRateLimits", [""])[-1]
    return sent.lower() != "false"


async def serve_wsapi(
    state: ServerState, scope: Message, receive: Receive, send: Send, client_ip: str
) -> None:
    if (await receive())["type"] != "websocket.connect":
        return
    started = time.perf_counter()
    # The handshake is an HTTP GET, logged and counted as one.
    request = Request("GET", WSAPI_PATH, b"", b"", client_ip)
    request.weight = WS_HANDSHAKE_WEIGHT
    try:
        request.used_weight = await state.limiter.charge(client_ip, WS_HANDSHAKE_WEIGHT)
        request.now_ms = state.clock.now_ms()
    except Exception as error:
        refused = refusal_for(state, error, request)
        if refused.spec is IP_BANNED:
            request.weight = 0  # a banned IP's requests are not counted
        record(state, request, refused.status, refused, started, WSAPI_PATH)
        await _refuse(send, *error_response(refused, await used_weight(state, refused, request)))
        return
    record(state, request, _ACCEPTED, None, started, WSAPI_PATH)
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
        that ends the session if the session's key no longer passes; None to close
        unanswered."""
        frames = await self._answer(raw)
        if frames is not None and self.session.key is not None and not self._key_passes():
            # §8.2: "after the next request" — whichever request it is.
            frames.append(self._end_session())
        return frames

    async def _answer(self, raw: str | bytes) -> list[str] | None:
        started = time.perf_counter()
        request = Request("WS", "(no method)", b"", b"", self.client_ip)
        show = self.session.return_rate_limits
        try:
            incoming = parse_frame(raw)
        except FrameError as error:
            if error.method is not None:
                request.path = error.method[:_SHOWN_METHOD]
            served = error.method in METHODS
            return [await self._unserved(request, error.ident, error.error, show, started, served)]
        ident, params = incoming.ident, incoming.params
        request.path = incoming.method[:_SHOWN_METHOD]
        show = wants_rate_limits(params, show)
        method = METHODS.get(incoming.method)
        try:
            if method is None:
                raise ApiError(INVALID_PARAM, param="method", reason=f"no method {request.path!r}")
            self._read(request, params, method)
        except ApiError as error:
            served = method is not None
            return [await self._unserved(request, ident, error, show, started, served)]
        session = self.session

        async def handler(state: ServerState, call: Call) -> bytes:
            return await method.answer(state, call, session)

        outcome = await execute(self.state, method.endpoint, method.steps, handler, request)
        record(self.state, request, outcome.status, outcome.refused, started, request.path)
        if outcome.unanswered:
            return None
        count = outcome.used_weight if show else None
        limit = self.state.config.weight_limit
        if outcome.refused is None:
            assert outcome.document is not None
            return [ok_frame(ident, outcome.document, count, limit)]
        frames = [error_frame(ident, outcome.refused, count, limit)]
        decoded = request.decoded
        if outcome.refused.spec is REJECTED_MBX_KEY and decoded is not None and decoded.by_session:
            frames.append(self._end_session())  # e.g. the key may no longer read
        return frames

    def _read(self, request: Request, params: dict[str, Any], method: Method) -> None:
        """The frame's ``params`` as the checks read them; the session's key if they carry
        no key and no signature of their own (and the method takes the session's key)."""
        decoded = decoded_source(params)
        key = self.session.key
        own = "apiKey" in decoded.params or decoded.signature is not None
        if key is not None and method.by_session and not own:
            decoded = replace(decoded, by_session=True)
            request.api_key = key.api_key
        else:
            request.api_key = decoded.params.get("apiKey")
        request.decoded = decoded

    def _key_passes(self) -> bool:
        """Whether the session's key still passes: not revoked, this IP allowed, reading
        permitted (what ``session.logon`` needed)."""
        assert self.session.key is not None
        api_key = self.session.key.api_key
        key = self.state.registry.key(api_key)
        return key_refusal(key, api_key, self.client_ip, Security.USER_DATA) is None

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
