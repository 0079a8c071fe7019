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
from ...protocol.endpoints import Endpoint, Security
from ..api import account_views
from ..api.checks import Call, Step, plan
from ..api.operations import Handler

if TYPE_CHECKING:
    from ..state import ServerState

__all__ = ["HANDSHAKE_WEIGHT", "METHODS", "Method", "Session"]

#: What opening a connection weighs (§8.3).
HANDSHAKE_WEIGHT = 5


@dataclass(slots=True)
class Session:
    """What a connection knows of itself."""

    connected_ms: int
    #: Whether answers carry ``rateLimits`` unless a request says otherwise (the URL's
    #: ``returnRateLimits``).
    return_rate_limits: bool


Answer = Callable[["ServerState", Call, Session], Awaitable[bytes]]


@dataclass(frozen=True, slots=True)
class Method:
    endpoint: Endpoint
    answer: Answer
    steps: tuple[Step, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "steps", plan(self.endpoint))


def _rest(handler: Handler) -> Answer:
    """A REST handler's document as the method's ``result``."""

    async def answer(state: ServerState, call: Call, session: Session) -> bytes:
        return await handler(state, call)

    return answer


async def _session_status(state: ServerState, call: Call, session: Session) -> bytes:
    # No session.logon yet: a connection is never authenticated.
    return orjson.dumps(
        {
            "apiKey": None,
            "authorizedSince": None,
            "connectedSince": session.connected_ms,
            "returnRateLimits": session.return_rate_limits,
            "serverTime": call.now_ms,
        }
    )


async def _account_status(state: ServerState, call: Call, session: Session) -> bytes:
    document = account_views.account_v2_document(state, call)
    del document["feeBurn"]  # the one field the WebSocket document lacks (§8.6)
    return orjson.dumps(document)


SESSION_STATUS = Endpoint("WS", "session.status", Security.NONE, 2)

#: Every method served, by name.
METHODS: dict[str, Method] = {
    "session.status": Method(SESSION_STATUS, _session_status),
    "account.status": Method(ep.ACCOUNT_V2, _account_status),
    "v2/account.status": Method(ep.ACCOUNT_V3, _rest(account_views.account_v3)),
    "account.balance": Method(ep.BALANCE_V2, _rest(account_views.balance)),
    "v2/account.balance": Method(ep.BALANCE_V3, _rest(account_views.balance)),
    "account.position": Method(ep.POSITION_RISK_V2, _rest(account_views.position_risk_v2)),
    "v2/account.position": Method(ep.POSITION_RISK_V3, _rest(account_views.position_risk_v3)),
}
