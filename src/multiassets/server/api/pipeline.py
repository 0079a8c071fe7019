"""One Binance request, as explicit steps: read it, check it, choose a fault, handle it, record
it. Every exception becomes its response in one place (:func:`refusal_for`)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from ...protocol.errors import DISCONNECTED, IP_BANNED, UNKNOWN, ApiError
from ..control.faults import FaultRule
from ..control.inspector import RequestRecord, shown_key
from ..http.responses import Response, error_response, not_found_response, ok_response
from ..state import ServerState
from .checks import MAX_BODY_BYTES, Call, Request, check
from .ratelimit import WeightRefused
from .routes import Route

__all__ = ["handle_api", "not_found", "read_body", "refusal_for", "used_weight"]

Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]

log = logging.getLogger("multiassets.server")


async def handle_api(
    state: ServerState, route: Route, scope: MutableMapping[str, Any], receive: Receive, ip: str
) -> Response | None:
    """The response to a request for a Binance endpoint; None to close without one."""
    started = time.perf_counter()
    request = _read_head(route, scope, ip)
    account = injected = None
    refused: ApiError | None = None
    response: Response | None
    try:
        if request.method != "GET":  # a GET's body is not a parameter source
            await _read_request_body(request, receive)
        call = await check(state, route.endpoint, route.steps, request)
        account = call.account.name if call.account else None
        fault = await _choose_fault(state, request, call) if state.faults.rules else None
        if fault is None:
            response = ok_response(await route.handler(state, call), call.used_weight)
        else:
            injected = f"#{fault.id} {fault.kind}" + (" (applied)" if fault.applied else "")
            response = await _inject(state, fault, route, call)
    except Exception as error:
        refused = refusal_for(state, error, request)
        response = error_response(refused, await used_weight(state, refused, request))
        if refused.spec is IP_BANNED:
            request.weight = 0  # a banned IP's requests are not counted
    _finish(state, request, response, refused, account, injected, started)
    return response


async def not_found(state: ServerState, method: str, path: str, ip: str) -> Response:
    """Binance's 404 page, recorded: no such path, or no such method on it (no weight)."""
    started = time.perf_counter()
    try:
        used = await state.limiter.used(ip)
    except ApiError:  # the shared limiter can't be reached: the page needs no weight
        used = 0
    reason = "no such path or method"
    record = RequestRecord(state.clock.now_ms(), ip, method, path, 404, reason=reason)
    state.inspector.record(record)
    state.metrics.observe(method, "(unknown)", 404, 0, time.perf_counter() - started)
    return not_found_response(used)


def refusal_for(state: ServerState, error: Exception, request: Request) -> ApiError:
    """The Binance error any exception answers with: a refusal as it is; a service the server
    needs that is down, -1001 ("unable to process your request", safe to resend, never a hang
    or a guess); anything else -1000, never a traceback or a framework's page."""
    if isinstance(error, ApiError):
        return error
    if isinstance(error, state.unavailable):
        return ApiError(DISCONNECTED, reason=f"a service the server needs is down: {error}")
    log.exception("unexpected error on %s %s", request.method, request.path, exc_info=error)
    return ApiError(UNKNOWN, reason="an internal error: see the server log")


def _read_head(route: Route, scope: MutableMapping[str, Any], ip: str) -> Request:
    request = Request(route.endpoint.method, route.endpoint.path, scope["query_string"], b"", ip)
    for name, value in scope["headers"]:
        if name == b"x-mbx-apikey":
            request.api_key = value.decode("latin-1")
        elif name == b"content-type":
            request.content_type = value.decode("latin-1")
    return request


async def _read_request_body(request: Request, receive: Receive) -> None:
    body = await read_body(receive)
    if body is None:
        request.oversized = True  # refused by the checks, after the charge
    else:
        request.body = body


async def read_body(receive: Receive) -> bytes | None:
    """The request's body; None if it is over :data:`MAX_BODY_BYTES` (not read to the end)."""
    # A body that does not arrive in time is the edge's to refuse (http/edge.py: 408).
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


async def _choose_fault(state: ServerState, request: Request, call: Call) -> FaultRule | None:
    faults = state.faults
    account = call.account.name if call.account else None
    fault = faults.pick(request.method, request.path, account, request.api_key)
    shared = state.shared
    if fault is None or fault.times is None or shared is None:
        return fault
    # "The next N requests" count across every process: None when all are used.
    return fault if await shared.claim_fault(fault.id, fault.times) else None


async def _inject(
    state: ServerState, fault: FaultRule, route: Route, call: Call
) -> Response | None:
    """Answer ``call`` the way ``fault`` says; raises the fault's error, None to close."""
    if fault.kind == "latency":
        await asyncio.sleep(state.faults.latency_s(fault))
        return ok_response(await route.handler(state, call), call.used_weight)
    if fault.applied:
        # Executed for real (committed), then the answer is lost or replaced.
        with contextlib.suppress(ApiError):
            await route.handler(state, call)
    if fault.kind == "close":
        return None
    raise fault.error(call.client_ip, state.config.weight_limit, call.now_ms)


async def used_weight(state: ServerState, error: ApiError, request: Request) -> int:
    """The weight to report with a refusal: what the charge said, when it said it."""
    if isinstance(error, WeightRefused):
        return error.used_weight
    if request.used_weight is not None:
        return request.used_weight
    try:  # the charge itself failed (the shared limiter could not be reached)
        return await state.limiter.used(request.client_ip)
    except ApiError:
        return 0


def _finish(
    state: ServerState,
    request: Request,
    response: Response | None,
    refused: ApiError | None,
    account: str | None,
    injected: str | None,
    started: float,
) -> None:
    """Into the request log and the metrics."""
    api_key = request.api_key
    if account is None and api_key:
        account = state.registry.account_name(api_key)
    code = refused.code if refused is not None else None
    reason = (refused.reason or refused.msg) if refused is not None else None
    if response is None:
        status, reason = 0, "connection closed without an answer"
    else:
        status = response[0]
    now = request.now_ms or state.clock.now_ms()  # when it was charged, if it was
    record = RequestRecord(
        now,
        request.client_ip,
        request.method,
        request.path,
        status,
        request.weight,
        code,
        reason,
        account,
        shown_key(api_key),
        injected,
    )
    state.inspector.record(record)
    if response is not None:
        elapsed = time.perf_counter() - started
        state.metrics.observe(request.method, request.path, status, code or 0, elapsed)
