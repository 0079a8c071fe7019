"""The checks every request passes: one ordered list, :data:`CHECKS`. The server runs it; the
OpenAPI document lists each step's refusals in its order; PARITY.md's table of the order is
tested against it.

Binance does not publish its order; ours is each step's place in the list, and each step is
tested against the next (``tests/server/api/test_checks.py``). What an endpoint does with its own
parameters comes after, in its handler.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from ...protocol.endpoints import RECV_WINDOW, Endpoint, Security, WeightByParam
from ...protocol.errors import (
    BAD_API_KEY_FMT,
    DUPLICATE_PARAM,
    ILLEGAL_CHARS,
    INVALID_PARAM,
    INVALID_SIGNATURE,
    IP_BANNED,
    MANDATORY_PARAM,
    REJECTED_MBX_KEY,
    TIMESTAMP_AHEAD,
    TIMESTAMP_OUTSIDE_RECV_WINDOW,
    TOO_MANY_PARAMETERS,
    TOO_MANY_REQUESTS,
    ApiError,
    ErrorSpec,
)
from ...protocol.keys import KEY_LENGTH, is_api_key
from ...protocol.limits import FUTURE_TOLERANCE_MS
from ...protocol.params import EMPTY_SOURCE, parse_long, parse_source
from ...protocol.signing import signed_payload
from ...store import ApiKey
from ..state import ServerState
from .explain import explain_key_format, explain_signature
from .ratelimit import WeightLimiter
from .request import MAX_BODY_BYTES, Call, DecodedSource, Request, body_source, names_sent

__all__ = ["CHECKS", "Check", "Refusal", "Step", "check", "key_refusal", "plan"]

#: A refusal a step (or a handler) can answer: the error, and the parameter its text names.
Refusal = tuple[ErrorSpec, str | None]

Step = Callable[[ServerState, Endpoint, Request], "Awaitable[None] | None"]


@dataclass(frozen=True, slots=True)
class Check:
    """One step: its name, what it refuses, for which endpoints, and how."""

    name: str
    does: str
    applies: Callable[[Endpoint], bool]
    refusals: Callable[[Endpoint], tuple[Refusal, ...]]
    run: Step
    #: Its refusals are the HTTP request's reading (the query, the body): a WebSocket API
    #: frame's params, decoded already, can't meet them.
    http_refusals: bool = False


def _always(
    *specs: ErrorSpec, param: str | None = None
) -> Callable[[Endpoint], tuple[Refusal, ...]]:
    refusals = tuple((spec, param) for spec in specs)
    return lambda endpoint: refusals


# -- the steps --------------------------------------------------------------------------------


def _charge(state: ServerState, endpoint: Endpoint, request: Request) -> Awaitable[None] | None:
    weight = endpoint.weight
    if isinstance(weight, WeightByParam):  # the parameters are read only later: just names
        weight = endpoint.weight_for(names_sent(request))
    request.weight = weight
    limiter = state.limiter
    if isinstance(limiter, WeightLimiter):  # counted in this process: nothing to wait for
        request.used_weight = limiter.charge_now(request.client_ip, weight)
        request.now_ms = state.clock.now_ms()
        return None
    return _charge_elsewhere(state, request, weight)


async def _charge_elsewhere(state: ServerState, request: Request, weight: int) -> None:
    request.used_weight = await state.limiter.charge(request.client_ip, weight)
    request.now_ms = state.clock.now_ms()


def _body_size(state: ServerState, endpoint: Endpoint, request: Request) -> None:
    if request.oversized:
        raise ApiError(TOO_MANY_PARAMETERS, reason=f"a body over {MAX_BODY_BYTES} bytes")


def _api_key(state: ServerState, endpoint: Endpoint, request: Request) -> None:
    api_key = request.api_key
    if not is_api_key(api_key):
        raise ApiError(BAD_API_KEY_FMT, reason=explain_key_format(api_key))
    key = state.registry.key(api_key)
    reason = key_refusal(key, api_key, request.client_ip, endpoint.security)
    if reason is not None or key is None:
        raise ApiError(REJECTED_MBX_KEY, ip=request.client_ip, reason=reason)
    request.key = key


def key_refusal(key: ApiKey | None, api_key: str, client_ip: str, security: Security) -> str | None:
    """Why ``key`` (``api_key``'s on this server, None if it has none) may not make a request
    of ``security`` from ``client_ip`` (-2015); None if it may."""
    if key is None:
        return f"no key {api_key[:8]}… on this server (never created, or revoked)"
    if key.ip_allowlist is not None and client_ip not in key.ip_allowlist:
        return f"the key allows only {', '.join(key.ip_allowlist) or 'no IP'}"
    if security is Security.TRADE and not key.can_trade:
        return "the key may not trade (TRADE permission missing)"
    if security is Security.USER_DATA and not key.can_read:
        return "the key may not read (USER_DATA permission missing)"
    return None


def _parameters(state: ServerState, endpoint: Endpoint, request: Request) -> None:
    if request.decoded is not None:
        request.params = request.decoded.params
        return
    query = request.query_source = parse_source(request.query)
    body = request.body_source = body_source(request) if request.body else EMPTY_SOURCE
    request.params = {**body.params, **query.params} if body.params else query.params


def _timestamp(state: ServerState, endpoint: Endpoint, request: Request) -> None:
    params = request.params
    raw_timestamp = params.get("timestamp")
    if raw_timestamp is None and request.decoded is not None and request.decoded.by_session:
        # A logged-on session's request may leave it out (PARITY.md): it is on time.
        request.timestamp, request.recv_window = request.now_ms, RECV_WINDOW.default or 0
        return
    if raw_timestamp is None:
        raise ApiError(MANDATORY_PARAM, param="timestamp", reason="no timestamp parameter")
    request.timestamp = parse_long("timestamp", raw_timestamp)
    raw_window = params.get(RECV_WINDOW.name)
    if raw_window is None:
        request.recv_window = RECV_WINDOW.default or 0
        return
    request.recv_window = parse_long(RECV_WINDOW.name, raw_window)
    if RECV_WINDOW.positive and request.recv_window <= 0:
        raise ApiError(INVALID_PARAM, param=RECV_WINDOW.name, reason="recvWindow must be > 0")


def _time_window(state: ServerState, endpoint: Endpoint, request: Request) -> None:
    now, timestamp, recv_window = request.now_ms, request.timestamp, request.recv_window
    if timestamp >= now + FUTURE_TOLERANCE_MS:
        raise ApiError(
            TIMESTAMP_AHEAD,
            reason=f"timestamp {timestamp} is {timestamp - now} ms ahead of server time {now} "
            f"(the limit is {FUTURE_TOLERANCE_MS - 1} ms): the client's clock runs ahead",
        )
    if now - timestamp > recv_window:
        raise ApiError(
            TIMESTAMP_OUTSIDE_RECV_WINDOW,
            reason=f"timestamp {timestamp} is {now - timestamp} ms behind server time {now}, "
            f"more than recvWindow {recv_window} ms: a slow or stale request, or a clock behind",
        )


def _signature(state: ServerState, endpoint: Endpoint, request: Request) -> None:
    if request.decoded is not None:
        _decoded_signature(state, request, request.decoded)
        return
    query, body, key = request.query_source, request.body_source, request.key
    assert key is not None
    signature = query.signature if query.signature is not None else body.signature
    if not signature:
        raise ApiError(MANDATORY_PARAM, param="signature", reason="no signature parameter")
    in_query = query.signature is not None
    signature_last = query.signature_last if in_query else body.signature_last
    payload = signed_payload(query.signed, body.signed)
    if not (signature_last and state.registry.verifier(key)(payload, signature)):
        raise ApiError(
            INVALID_SIGNATURE,
            reason=explain_signature(
                key, query.signed, body.signed, signature, in_query, signature_last
            ),
        )


def _decoded_signature(state: ServerState, request: Request, decoded: DecodedSource) -> None:
    key = request.key
    assert key is not None
    if decoded.by_session:
        return  # the session's logon was signed
    if not decoded.signature:
        raise ApiError(MANDATORY_PARAM, param="signature", reason="no signature parameter")
    if not state.registry.verifier(key)(decoded.payload, decoded.signature):
        raise ApiError(
            INVALID_SIGNATURE,
            reason=f"not a {key.kind} signature of the parameters sorted by name "
            f"({len(decoded.payload)} bytes, every parameter but signature, k=v joined by &)",
        )


def _endpoint_parameters(state: ServerState, endpoint: Endpoint, request: Request) -> None:
    request.args = {param.name: param.read(request.params) for param in endpoint.params}


def _parameter_refusals(endpoint: Endpoint) -> tuple[Refusal, ...]:
    """What reading the endpoint's own parameters can refuse, in the order they are read."""
    refusals: list[Refusal] = []
    for param in endpoint.params:
        if param.required:
            refusals.append((MANDATORY_PARAM, param.name))
        if param.choices:
            refusals.append((INVALID_PARAM, param.name))
    return tuple(refusals)


def _needs_key(endpoint: Endpoint) -> bool:
    return endpoint.security.needs_key


def _signed(endpoint: Endpoint) -> bool:
    return endpoint.security.signed


#: The checks, in the order they run.
CHECKS: tuple[Check, ...] = (
    Check(
        "weight",
        "the endpoint's weight is charged to the client IP; a banned IP gets 418, an IP over "
        "the limit 429. Every refusal after this one is charged too.",
        lambda endpoint: True,
        _always(TOO_MANY_REQUESTS, IP_BANNED),
        _charge,
    ),
    Check(
        "body size",
        f"a body over {MAX_BODY_BYTES} bytes is refused without being read to the end.",
        lambda endpoint: endpoint.method != "GET",
        _always(TOO_MANY_PARAMETERS),
        _body_size,
        http_refusals=True,
    ),
    Check(
        "API key",
        f"X-MBX-APIKEY missing or not {KEY_LENGTH} letters and digits -2014; unknown, from an "
        "IP not on its allow-list, or without the permission (reading for USER_DATA, futures "
        "trading for TRADE) -2015.",
        _needs_key,
        _always(BAD_API_KEY_FMT, REJECTED_MBX_KEY),
        _api_key,
    ),
    Check(
        "parameters",
        "the query string, and for POST/PUT/DELETE a form body: a name repeated in one source "
        "-1101, undecodable bytes -1100; the query wins over the body; parameters the "
        "endpoint does not read are ignored (but signed).",
        lambda endpoint: endpoint.security.needs_key or bool(endpoint.params),
        _always(DUPLICATE_PARAM, ILLEGAL_CHARS),
        _parameters,
        http_refusals=True,
    ),
    Check(
        "timestamp",
        f"timestamp a mandatory LONG, recvWindow an optional one (default {RECV_WINDOW.default}):"
        " missing, empty or not a LONG -1102; recvWindow zero or negative -1130.",
        _signed,
        lambda endpoint: ((MANDATORY_PARAM, "timestamp"), (INVALID_PARAM, "recvWindow")),
        _timestamp,
    ),
    Check(
        "time window",
        f"timestamp < now + {FUTURE_TOLERANCE_MS} and now - timestamp <= recvWindow, else -1021.",
        _signed,
        _always(TIMESTAMP_AHEAD, TIMESTAMP_OUTSIDE_RECV_WINDOW),
        _time_window,
    ),
    Check(
        "signature",
        "mandatory (-1102), the last part of its source, and a signature of the query string "
        "followed by the body as received: hex HMAC-SHA256, or base64 RSA or Ed25519 for a key "
        "registered by its public key; else -1022.",
        _signed,
        lambda endpoint: ((MANDATORY_PARAM, "signature"), (INVALID_SIGNATURE, None)),
        _signature,
    ),
    Check(
        "endpoint parameters",
        "the endpoint's own parameters, in their declared order: a mandatory one missing or "
        "empty -1102, a value not among its choices -1130.",
        lambda endpoint: bool(endpoint.params),
        _parameter_refusals,
        _endpoint_parameters,
    ),
)


def plan(endpoint: Endpoint) -> tuple[Step, ...]:
    """The steps that apply to ``endpoint``, in order (worked out once, when routes are
    built)."""
    return tuple(check.run for check in CHECKS if check.applies(endpoint))


async def check(
    state: ServerState, endpoint: Endpoint, steps: tuple[Step, ...], request: Request
) -> Call:
    """Run ``steps`` (``plan(endpoint)``); raise the first refusal as :class:`ApiError`."""
    for step in steps:
        pending = step(state, endpoint, request)
        if pending is not None:
            await pending
    key = request.key
    assert request.used_weight is not None
    account = state.registry.account(key.account_id) if key is not None else None
    return Call(
        request.now_ms,
        request.used_weight,
        request.params,
        request.client_ip,
        key,
        account,
        request.args,
    )
