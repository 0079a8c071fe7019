"""The ASGI application: route each request — a Binance endpoint to its pipeline
(``api/pipeline.py``), the control plane, the 404 page, a WebSocket to its stream or to the
WebSocket API (``wsapi/``) — and run the server's background work (the store's changes from
other processes, listenKey expiry).

A raw ASGI callable rather than a framework: a framework's routing and response objects cost
more per request than the whole signed pipeline (``../shared/reference/perf-limits.md``), and no
framework gets the chance to answer with its own error shape.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from ..protocol.errors import TOO_MANY_PARAMETERS, ApiError
from .api.pipeline import handle_api, not_found, read_body
from .api.routes import ROUTES
from .cluster.shared import SharedUnavailable
from .config import CONFIG_ENV, ServerConfig
from .control.plane import PREFIX, handle_control
from .http.proxies import TrustedProxies
from .http.responses import Response, control_response
from .state import ServerState
from .streams.websocket import serve_stream
from .wsapi import WSAPI_PATH, serve_wsapi

__all__ = ["App", "app_from_environment"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

log = logging.getLogger("multiassets.server")


class App:
    """The server as one ASGI application."""

    def __init__(self, state: ServerState) -> None:
        self.state = state
        self.proxies = TrustedProxies(state.config.trusted_proxies)
        self._watcher: asyncio.Task[None] | None = None
        self._expirer: asyncio.Task[None] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            response = await self.handle(scope, receive)
            if response is None:
                await _drop_connection(send)
                return
            status, headers, body = response
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})
        elif scope["type"] == "websocket":
            if scope["path"] == WSAPI_PATH:
                await serve_wsapi(self.state, scope, receive, send, self._client_ip(scope))
            else:
                await serve_stream(self.state, scope, receive, send)
        elif scope["type"] == "lifespan":
            await self._lifespan(receive, send)

    async def handle(self, scope: Scope, receive: Receive) -> Response | None:
        """The response to one HTTP request; None to close the connection without one."""
        client_ip = self._client_ip(scope)
        path: str = scope["path"]
        method: str = scope["method"]
        methods = ROUTES.get(path)
        route = methods.get(method) if methods is not None else None
        if route is not None:
            return await handle_api(self.state, route, scope, receive, client_ip)
        if methods is None and path.startswith(PREFIX):
            return await self._control(scope, receive, client_ip)
        return await not_found(self.state, method, path, client_ip)

    def _client_ip(self, scope: Scope) -> str:
        """The client's IP: the peer's, or the one a trusted proxy forwards for."""
        client = scope.get("client")
        client_ip: str = client[0] if client else "127.0.0.1"
        if self.proxies:
            client_ip = self.proxies.client_ip(client_ip, scope["headers"])
        return client_ip

    async def _control(self, scope: Scope, receive: Receive, client_ip: str) -> Response:
        authorization = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                authorization = value.decode("latin-1")
        content_type = "application/json"
        try:
            body = await read_body(receive)
            if body is None:
                raise ApiError(TOO_MANY_PARAMETERS)
            status, payload, content_type = await handle_control(
                self.state,
                scope["method"],
                scope["path"],
                authorization,
                client_ip,
                body,
                scope["query_string"],
                scope.get("raw_path"),
            )
        except ApiError as error:
            too_large = error.spec is TOO_MANY_PARAMETERS
            status = 413 if too_large else 400
            payload = b'{"error":"the body is too large"}' if too_large else b'{"error":"no body"}'
        except Exception:
            log.exception("unexpected error on the control plane: %s", scope["path"])
            status, payload = 500, b'{"error":"internal error, see the server log"}'
        return control_response(status, payload, content_type)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.state.join()
                except SharedUnavailable as error:
                    await send({"type": "lifespan.startup.failed", "message": str(error)})
                    return
                self._watcher = asyncio.get_running_loop().create_task(self._watch_store())
                self._expirer = asyncio.get_running_loop().create_task(self._expire_streams())
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                for task in (self._watcher, self._expirer):
                    if task is not None:
                        task.cancel()
                        with contextlib.suppress(asyncio.CancelledError):
                            await task
                await self.state.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _expire_streams(self) -> None:
        """End listenKeys not kept alive (by the server's clock, which tests may move)."""
        while True:
            await asyncio.sleep(0.2)
            try:
                await self.state.streams.expire(self.state.clock.now_ms())
            except self.state.unavailable as error:
                log.warning("could not check the listenKeys: %s", error)

    async def _watch_store(self) -> None:
        """Pick up what other processes commit (the CLI, other servers on the same database),
        and tell this process's streams of the mode changes among it. On PostgreSQL every
        committed mode change, this process's own too, is announced from the database's
        notifications, so each stream hears them all in the one order they were committed."""
        notified = self.state.store.notifies_modes
        interval = min(0.05, self.state.config.reload_interval_s) if notified else None
        while True:
            await asyncio.sleep(interval or self.state.config.reload_interval_s)
            try:
                elsewhere = await self.state.writer.run_changed_elsewhere()
                if elsewhere.changed:
                    async with self.state.registry.all_locked():
                        self.state.cluster.reload(elsewhere.modes)
                elif elsewhere.modes:
                    self.state.cluster.announce(elsewhere.modes)
            except self.state.unavailable as error:
                log.warning("could not read the database's changes: %s", error)
            except Exception:
                log.exception("could not read the database's changes")


async def _drop_connection(send: Send) -> None:
    """Close the connection without answering (an injected fault). ASGI has no message for
    it: uvicorn's ``send`` is a method of the request cycle that holds the transport."""
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    if transport is not None:
        transport.abort()
        await asyncio.sleep(0)  # let uvicorn see the disconnect before the app returns


def app_from_environment() -> App:
    """The application factory a server worker calls: settings come from the environment."""
    raw = os.environ.get(CONFIG_ENV)
    if raw is None:
        raise RuntimeError(f"{CONFIG_ENV} is not set; start the server with `multiassets serve`")
    return App(ServerState(ServerConfig.from_json(raw)))
