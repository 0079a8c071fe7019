"""The WebSocket API's methods: for each, the endpoint whose checks and weight it has, and what
it answers (``binance-account.md`` §8.5, §8.6).

The account methods are their REST twins' endpoints (Binance: "WebSocket API and REST API are
functionally equivalent"), so they have the same weight, the same checks and the same
documents, made by the same handlers (``api/account_views.py``): ``account.status`` is the v2
account without ``feeBurn``, the ``v2/`` methods the REST v3 documents.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import orjson

from ...protocol import endpoints as ep
from ...protocol.endpoints import Endpoint
from ...protocol.errors import INVALID_SIGNATURE, ApiError
from ...store import ApiKey
from ..api import account_views, handlers
from ..api.checks import Step, plan
from ..api.operations import Handler
from ..api.request import Call

if TYPE_CHECKING:
    from ..state import ServerState

__all__ = ["LEFT_OUT", "METHODS", "Method", "Session"]


@dataclass(slots=True)
class Session:
    """What a connection knows of itself."""

    connected_ms: int
    #: Whether answers carry ``rateLimits`` unless a request says otherwise (the URL's
    #: ``returnRateLimits``).
    return_rate_limits: bool
    #: The key ``session.logon`` authenticated, and since when (the logon's timestamp).
    key: ApiKey | None = None
    authorized_since: int | None = None


Answer = Callable[["ServerState", Call, Session], Awaitable[bytes]]


@dataclass(frozen=True, slots=True)
class Method:
    endpoint: Endpoint
    answer: Answer
    #: Whether a logged-on session's key stands in for the request's apiKey and signature.
    #: Not for ``session.logon``: a logon proves a key by its own signature, every time.
    by_session: bool = True
    steps: tuple[Step, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "steps", plan(self.endpoint))


def _rest(handler: Handler) -> Answer:
    """A REST handler's document as the method's ``result``."""

    async def answer(state: ServerState, call: Call, session: Session) -> bytes:
        return await handler(state, call)

    return answer


async def _session_status(state: ServerState, call: Call, session: Session) -> bytes:
    key = session.key
    return orjson.dumps(
        {
            "apiKey": key.api_key if key is not None else None,
            "authorizedSince": session.authorized_since,
            "connectedSince": session.connected_ms,
            "returnRateLimits": session.return_rate_limits,
            "serverTime": call.now_ms,
        }
    )


async def _session_logon(state: ServerState, call: Call, session: Session) -> bytes:
    """Authenticate the connection with an Ed25519 key (the only kind Binance takes here:
    another, however well signed, is refused as a bad signature, PARITY.md)."""
    key = call.key
    assert key is not None
    if key.kind != "ED25519":
        raise ApiError(
            INVALID_SIGNATURE, reason=f"session.logon takes Ed25519 keys, not {key.kind}"
        )
    session.key, session.authorized_since = key, int(call.params["timestamp"])
    return await _session_status(state, call, session)


async def _session_logout(state: ServerState, call: Call, session: Session) -> bytes:
    session.key, session.authorized_since = None, None
    return await _session_status(state, call, session)


#: The REST twin's fields a method's result lacks (§8.6: account.status has no feeBurn).
LEFT_OUT: dict[str, tuple[str, ...]] = {"account.status": ("feeBurn",)}


async def _account_status(state: ServerState, call: Call, session: Session) -> bytes:
    document = account_views.account_v2_document(state, call)
    for name in LEFT_OUT["account.status"]:
        del document[name]
    return orjson.dumps(document)


#: Every method served, by name.
METHODS: dict[str, Method] = {
    "session.logon": Method(ep.SESSION_LOGON, _session_logon, by_session=False),
    "session.status": Method(ep.SESSION_STATUS, _session_status),
    "session.logout": Method(ep.SESSION_LOGOUT, _session_logout),
    "account.status": Method(ep.ACCOUNT_V2, _account_status),
    "v2/account.status": Method(ep.ACCOUNT_V3, _rest(account_views.account_v3)),
    "account.balance": Method(ep.BALANCE_V2, _rest(account_views.balance)),
    "v2/account.balance": Method(ep.BALANCE_V3, _rest(account_views.balance)),
    "account.position": Method(ep.POSITION_RISK_V2, _rest(account_views.position_risk_v2)),
    "v2/account.position": Method(ep.POSITION_RISK_V3, _rest(account_views.position_risk_v3)),
    # The same listenKeys as REST's (§8.7): one per account, started or extended, kept, closed.
    "userDataStream.start": Method(ep.OPEN_LISTEN_KEY, _rest(handlers.open_listen_key)),
    "userDataStream.ping": Method(ep.KEEPALIVE_LISTEN_KEY, _rest(handlers.keepalive_listen_key)),
    "userDataStream.stop": Method(ep.CLOSE_LISTEN_KEY, _rest(handlers.close_listen_key)),
}
