"""The ASGI edge: read the request, route it, run the checks, write the response.

A raw ASGI callable rather than a framework: a framework's routing and response objects cost
more per request than the whole signed pipeline (``../shared/reference/perf-limits.md``), and no
framework gets the chance to answer with its own error shape.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from ..protocol.errors import DISCONNECTED, IP_BANNED, TOO_MANY_PARAMETERS, UNKNOWN, ApiError
from .checks import MAX_BODY_BYTES, Call, Request, check
from .config import CONFIG_ENV, ServerConfig
from .control import PREFIX, handle_control
from .faults import FaultRule
from .proxies import TrustedProxies
from .ratelimit import WeightRefused
from .responses import (
    Response,
    control_response,
    error_response,
    not_found_response,
    ok_response,
)
from .routes import ROUTES, Route
from .shared import SharedUnavailable
from .state import ServerState
from .stream_socket import serve_stream

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
            await serve_stream(self.state, scope, receive, send)
        elif scope["type"] == "lifespan":
            await self._lifespan(receive, send)

    async def handle(self, scope: Scope, receive: Receive) -> Response | None:
        """The response to one HTTP request; None to close the connection without one."""
        started = time.perf_counter()
        client = scope.get("client")
        client_ip = client[0] if client else "127.0.0.1"
        if self.proxies:
            client_ip = self.proxies.client_ip(client_ip, scope["headers"])
        limiter = self.state.limiter
        path: str = scope["path"]
        method: str = scope["method"]
        methods = ROUTES.get(path)
        route = methods.get(method) if methods is not None else None
        if route is None:
            if methods is None and path.startswith(PREFIX):
                return await self._control(scope, receive, client_ip)
            try:
                used = await limiter.used(client_ip)
            except ApiError:  # the shared limiter can't be reached: the page needs no weight
                used = 0
            self._record(client_ip, method, path, None, 0, 404, None, "no such path or method")
            self.state.metrics.observe(method, "(unknown)", 404, 0, time.perf_counter() - started)
            return not_found_response(used)
        request = Request(method, path, scope["query_string"], b"", client_ip)
        call = None
        injected: str | None = None
        try:
            for name, value in scope["headers"]:
                if name == b"x-mbx-apikey":
                    request.api_key = value.decode("latin-1")
                elif name == b"content-type":
                    request.content_type = value.decode("latin-1")
            if method != "GET":
                body = await _read_body(receive)
                if body is None:
                    request.oversized = True
                else:
                    request.body = body
            call = await check(self.state, route.endpoint, request)
            faults = self.state.faults
            fault = (
                faults.pick(
                    method, path, call.account.name if call.account else None, request.api_key
                )
                if faults.rules
                else None
            )
            shared = self.state.shared
            if (
                fault is not None
                and fault.times is not None
                and shared is not None
                and not await shared.claim_fault(fault.id, fault.times)
            ):
                fault = None  # "the next N requests" count across every process: all used
            if fault is None:
                response = ok_response(await route.handler(self.state, call), call.used_weight)
            else:
                injected = f"#{fault.id} {fault.kind}" + (" (applied)" if fault.applied else "")
                injected_response = await self._inject(fault, route, call)
                if injected_response is None:
                    self._record(
                        client_ip,
                        method,
                        path,
                        request.api_key,
                        route.endpoint.weight,
                        0,
                        None,
                        "connection closed without an answer",
                        call.account.name if call.account else None,
                        injected,
                    )
                    return None
                response = injected_response
            error = None
        except ApiError as refused:
            error = refused
            response = error_response(error, await self._used(refused, request))
        except self.state.unavailable as down:
            # The database or Redis did not answer: "unable to process your request", not a
            # hang and not a guess.
            error = ApiError(DISCONNECTED, reason=f"a service the server needs is down: {down}")
            response = error_response(error, await self._used(error, request))
        except Exception:
            # Never a traceback or a framework page to the client: Binance's -1000 instead.
            log.exception("unexpected error on %s %s", method, path)
            error = ApiError(UNKNOWN, reason="an internal error: see the server log")
            response = error_response(error, await self._used(error, request))
        weight = 0 if error is not None and error.spec is IP_BANNED else route.endpoint.weight
        account = call.account.name if call is not None and call.account is not None else None
        if account is None and request.api_key:
            account = self.state.registry.account_name(request.api_key)
        self._record(
            client_ip,
            method,
            path,
            request.api_key,
            weight,
            response[0],
            error.code if error is not None else None,
            _reason(error),
            account,
            injected,
        )
        self.state.metrics.observe(
            method,
            path,
            response[0],
            error.code if error is not None else 0,
            time.perf_counter() - started,
        )
        return response

    async def _used(self, error: ApiError, request: Request) -> int:
        """The weight to report with a refusal: what the charge said, when it said it."""
        if isinstance(error, WeightRefused):
            return error.used_weight
        if request.used_weight is not None:
            return request.used_weight
        try:  # the charge itself failed (the shared limiter could not be reached)
            return await self.state.limiter.used(request.client_ip)
        except ApiError:
            return 0

    async def _inject(self, fault: FaultRule, route: Route, call: Call) -> Response | None:
        """Answer ``call`` the way ``fault`` says; raises the fault's error, None to close."""
        if fault.kind == "latency":
            await asyncio.sleep(self.state.faults.latency_s(fault))
            return ok_response(await route.handler(self.state, call), call.used_weight)
        if fault.applied:
            # Executed for real (committed), then the answer is lost or replaced.
            with contextlib.suppress(ApiError):
                await route.handler(self.state, call)
        if fault.kind == "close":
            return None
        raise fault.error(call.client_ip, self.state.config.weight_limit, call.now_ms)

    def _record(
        self,
        ip: str,
        method: str,
        path: str,
        api_key: str | None,
        weight: int,
        status: int,
        code: int | None,
        reason: str | None,
        account: str | None = None,
        injected: str | None = None,
    ) -> None:
        self.state.inspector.record(
            self.state.clock.now_ms(),
            ip,
            method,
            path,
            account,
            api_key,
            weight,
            status,
            code,
            reason,
            injected,
        )

    async def _control(self, scope: Scope, receive: Receive, client_ip: str) -> Response:
        authorization = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                authorization = value.decode("latin-1")
        content_type = "application/json"
        try:
            body = await _read_body(receive)
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
                        self.state.reload(elsewhere.modes)
                elif elsewhere.modes:
                    self.state.announce(elsewhere.modes)
            except self.state.unavailable as error:
                log.warning("could not read the database's changes: %s", error)
            except Exception:
                log.exception("could not read the database's changes")


def _reason(error: ApiError | None) -> str | None:
    """Why, for the request log: the check's own words, else Binance's message (which, for
    a parameter, already names it and says what is wrong)."""
    if error is None:
        return None
    return error.reason or error.msg


async def _drop_connection(send: Send) -> None:
    """Close the connection without answering (an injected fault). ASGI has no message for
    it: uvicorn's ``send`` is a method of the request cycle that holds the transport."""
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    if transport is not None:
        transport.abort()
        await asyncio.sleep(0)  # let uvicorn see the disconnect before the app returns


async def _read_body(receive: Receive) -> bytes | None:
    """The request's body; None if it is over :data:`MAX_BODY_BYTES` (not read to the end)."""
    # A body that does not arrive in time is the edge's to refuse (edge.py: 408).
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ApiError(DISCONNECTED)  # the client left before sending its whole body
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def app_from_environment() -> App:
    """The application factory a server worker calls: settings come from the environment."""
    raw = os.environ.get(CONFIG_ENV)
    if raw is None:
        raise RuntimeError(f"{CONFIG_ENV} is not set; start the server with `multiassets serve`")
    return App(ServerState(ServerConfig.from_json(raw)))
