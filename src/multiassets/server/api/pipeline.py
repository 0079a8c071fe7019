"""One Binance request, as explicit steps: read it, check it, choose a fault, handle it, record
it. Every exception becomes its response in one place (:func:`refusal_for`)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

from ...protocol.endpoints import Endpoint
from ...protocol.errors import DISCONNECTED, IP_BANNED, UNKNOWN, ApiError
from ..control.faults import FaultRule
from ..control.inspector import RequestRecord, shown_key
from ..http.responses import Response, error_response, not_found_response, ok_response
from ..state import ServerState
from .checks import Step, check
from .operations import Handler
from .ratelimit import WeightRefused
from .request import MAX_BODY_BYTES, Call, Request
from .routes import Route

__all__ = [
    "Outcome",
    "execute",
    "handle_api",
    "not_found",
    "read_body",
    "record",
    "refusal_for",
    "used_weight",
]

Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]

log = logging.getLogger("multiassets.server")


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one request came to, whatever carried it: the handler's document, or the refusal,
    or neither (``unanswered``: an injected fault closes the connection without an answer);
    and the client IP's weight to report with it."""

    document: bytes | None
    refused: ApiError | None
    used_weight: int
    unanswered: bool = False

    @property
    def status(self) -> int:
        """The status the request log shows: the refusal's, 200, or 0 for no answer."""
        if self.refused is not None:
            return self.refused.status
        return 0 if self.unanswered else 200


async def handle_api(
    state: ServerState, route: Route, scope: MutableMapping[str, Any], receive: Receive, ip: str
) -> Response | None:
    """The response to a request for a Binance endpoint; None to close without one."""
    started = time.perf_counter()
    request = _read_head(route, scope, ip)
    prepare = None
    if request.method != "GET":  # a GET's body is not a parameter source

        async def prepare() -> None:
            await _read_request_body(request, receive)

    outcome = await execute(state, route.endpoint, route.steps, route.handler, request, prepare)
    record(state, request, outcome.status, outcome.refused, started, request.path)
    if outcome.refused is not None:
        return error_response(outcome.refused, outcome.used_weight)
    if outcome.unanswered:
        return None
    assert outcome.document is not None
    return ok_response(outcome.document, outcome.used_weight)


async def execute(
    state: ServerState,
    endpoint: Endpoint,
    steps: tuple[Step, ...],
    handler: Handler,
    request: Request,
    prepare: Callable[[], Awaitable[None]] | None = None,
) -> Outcome:
    """Run one request through its endpoint's checks (after ``prepare``, which reads what
    the checks need), a fault rule if one matches, then its handler. Records what the log
    shows of it on ``request`` (its account, the fault); the caller records it."""
    try:
        if prepare is not None:
            await prepare()
        call = await check(state, endpoint, steps, request)
        request.account = call.account.name if call.account else None
        fault = await _choose_fault(state, request, call) if state.faults.rules else None
        if fault is None:
            return Outcome(await handler(state, call), None, call.used_weight)
        request.injected = f"#{fault.id} {fault.kind}" + (" (applied)" if fault.applied else "")
        document = await _inject(state, fault, handler, call)
        return Outcome(document, None, call.used_weight, unanswered=document is None)
    except Exception as error:
        refused = refusal_for(state, error, request)
        used = await used_weight(state, refused, request)
        if refused.spec is IP_BANNED:
            request.weight = 0  # a banned IP's requests are not counted
        return Outcome(None, refused, used)


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
    state: ServerState, fault: FaultRule, handler: Handler, call: Call
) -> bytes | None:
    """Answer ``call`` the way ``fault`` says; raises the fault's error, None to close."""
    if fault.kind == "latency":
        await asyncio.sleep(state.faults.latency_s(fault))
        return await handler(state, call)
    if fault.applied:
        # Executed for real (committed), then the answer is lost or replaced.
        with contextlib.suppress(ApiError):
            await handler(state, call)
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


def record(
    state: ServerState,
    request: Request,
    status: int,
    refused: ApiError | None,
    started: float,
    metrics_path: str,
) -> None:
    """Into the request log and the metrics (``metrics_path`` names the endpoint there: a
    path or method the server does not serve is counted as ``(unknown)``)."""
    api_key = request.api_key
    account = request.account
    if account is None and api_key:
        account = state.registry.account_name(api_key)
    code = refused.code if refused is not None else None
    reason = (refused.reason or refused.msg) if refused is not None else None
    if status == 0:
        reason = "connection closed without an answer"
    now = request.now_ms or state.clock.now_ms()  # when it was charged, if it was
    entry = RequestRecord(
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
        request.injected,
    )
    state.inspector.record(entry)
    if status != 0:
        elapsed = time.perf_counter() - started
        state.metrics.observe(request.method, metrics_path, status, code or 0, elapsed)
