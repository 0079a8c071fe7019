"""The checks every request passes, in the order they run.

Binance does not publish its order; ours (recorded in PARITY.md, each step tested):

1. weight — charge the endpoint's weight to the client IP; a banned IP gets 418, an IP over the
   limit 429 (``-1003``). Refused requests are charged too.
2. body size — a body over 1 MiB ``-1101`` (it was not read to the end).
3. API key — for any endpoint that needs one: header ``X-MBX-APIKEY`` missing or not 64
   letters and digits ``-2014``; unknown, used from an IP not on its allow-list, or without
   the permission the endpoint needs (reading for USER_DATA, futures trading for TRADE)
   ``-2015`` (HTTP 401 both).
4. parameters — query string, and for POST/PUT/DELETE a form body; a name repeated inside one
   source ``-1101``; undecodable bytes ``-1100``; the query wins over the body; parameters
   the endpoint does not read are ignored (but signed).
5. timestamp — mandatory LONG; recvWindow optional LONG (default 5000); a value missing, empty
   or not a LONG ``-1102``; recvWindow zero or negative ``-1130``. fapi sets no upper bound on
   recvWindow (no ``-1131`` on fapi; its own RSA example sends 9999999).
6. time window — ``timestamp < now + 1000`` and ``now - timestamp <= recvWindow``, else ``-1021``.
7. signature — mandatory (``-1102``), the last part of its source, and a signature of the
   query string followed by the body as received: hex HMAC-SHA256 for an HMAC key, base64
   RSASSA-PKCS1-v1_5/SHA-256 or Ed25519 for a key registered by its public key (``-1022``
   otherwise).

What the endpoint does with its own parameters comes after, in its handler.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..protocol.endpoints import Endpoint, Security
from ..protocol.errors import (
    BAD_API_KEY_FMT,
    INVALID_PARAM,
    INVALID_SIGNATURE,
    MANDATORY_PARAM,
    REJECTED_MBX_KEY,
    TIMESTAMP_AHEAD,
    TIMESTAMP_OUTSIDE_RECV_WINDOW,
    TOO_MANY_PARAMETERS,
    ApiError,
)
from ..protocol.params import EMPTY_SOURCE, ParsedSource, parse_long, parse_source
from ..protocol.signing import signed_payload
from ..store import Account, ApiKey
from .explain import explain_key_format, explain_signature
from .state import ServerState

__all__ = ["MAX_BODY_BYTES", "Call", "Request", "check"]

#: Larger bodies are refused (after the charge) without being read to the end.
MAX_BODY_BYTES = 1 << 20
DEFAULT_RECV_WINDOW = 5000
FUTURE_TOLERANCE_MS = 1000
_FORM = "application/x-www-form-urlencoded"


@dataclass(slots=True)
class Request:
    method: str
    path: str
    query: bytes
    body: bytes
    client_ip: str
    api_key: str | None = None
    content_type: str | None = None
    #: Set by the first check: the client IP's weight this minute, this request included.
    used_weight: int | None = None
    #: The body was over the size limit, so not read to the end: refused after the charge.
    oversized: bool = False


@dataclass(slots=True)
class Call:
    """A request that passed every check, as the handler sees it."""

    now_ms: int
    used_weight: int
    params: dict[str, str]
    client_ip: str
    key: ApiKey | None = None
    account: Account | None = None


async def check(state: ServerState, endpoint: Endpoint, request: Request) -> Call:
    """Run the checks in order; raise the first refusal as :class:`ApiError`."""
    used = request.used_weight = await state.limiter.charge(request.client_ip, endpoint.weight)
    if request.oversized:
        raise ApiError(TOO_MANY_PARAMETERS, reason=f"a body over {MAX_BODY_BYTES} bytes")
    now = state.clock.now_ms()
    if not endpoint.security.needs_key:
        return Call(now, used, {}, request.client_ip)
    key = _api_key(state, endpoint, request)
    query = parse_source(request.query)
    body = _body_source(request)
    params = {**body.params, **query.params} if body.params else query.params
    if endpoint.security.signed:
        _check_time_window(params, now)
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
    return Call(now, used, params, request.client_ip, key, state.registry.account(key.account_id))


def _api_key(state: ServerState, endpoint: Endpoint, request: Request) -> ApiKey:
    api_key = request.api_key
    if not api_key or len(api_key) != 64 or not (api_key.isascii() and api_key.isalnum()):
        raise ApiError(BAD_API_KEY_FMT, reason=explain_key_format(api_key))
    key = state.registry.key(api_key)
    reason = None
    if key is None:
        reason = f"no key {api_key[:8]}… on this server (never created, or revoked)"
    elif key.ip_allowlist is not None and request.client_ip not in key.ip_allowlist:
        reason = f"the key allows only {', '.join(key.ip_allowlist) or 'no IP'}"
    elif endpoint.security is Security.TRADE and not key.can_trade:
        reason = "the key may not trade (TRADE permission missing)"
    elif endpoint.security is Security.USER_DATA and not key.can_read:
        reason = "the key may not read (USER_DATA permission missing)"
    if reason is not None or key is None:
        raise ApiError(REJECTED_MBX_KEY, ip=request.client_ip, reason=reason)
    return key


def _body_source(request: Request) -> ParsedSource:
    # Only a form body (or one sent without a Content-Type) carries parameters; a JSON body
    # is not a parameter source on Binance, so it is neither read nor signed.
    if not request.body or request.method == "GET":
        return EMPTY_SOURCE
    content_type = request.content_type
    if content_type is not None and not content_type.lower().startswith(_FORM):
        return EMPTY_SOURCE
    return parse_source(request.body)


def _check_time_window(params: dict[str, str], now: int) -> None:
    raw_timestamp = params.get("timestamp")
    if raw_timestamp is None:
        raise ApiError(MANDATORY_PARAM, param="timestamp", reason="no timestamp parameter")
    timestamp = parse_long("timestamp", raw_timestamp)
    raw_window = params.get("recvWindow")
    if raw_window is None:
        recv_window = DEFAULT_RECV_WINDOW
    else:
        recv_window = parse_long("recvWindow", raw_window)
        if recv_window <= 0:
            raise ApiError(INVALID_PARAM, param="recvWindow", reason="recvWindow must be > 0")
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
