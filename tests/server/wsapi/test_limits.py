"""The WebSocket API over the weight limit, on a server of its own (a ban lasts): 429 in the
envelope, then the IP's ban (418) for its frames and its next handshake."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from websockets.exceptions import InvalidStatus

from ...support import ONCE, Server, frozen_minute, running_server
from .frames import call, open_api, signed, weight

pytestmark = ONCE

LIMIT = 20


@pytest.fixture(scope="module")
def srv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("limits"), "--weight-limit", str(LIMIT)) as server:
        yield server


def test_over_the_limit_a_frame_gets_429_then_the_ip_is_banned(srv: Server) -> None:
    with frozen_minute(srv) as at:
        with open_api(srv) as ws:  # the handshake: 5
            passed = [call(ws, "account.status", signed(srv, timestamp=at)) for _ in range(3)]
            over = call(ws, "account.status", signed(srv, timestamp=at))  # 25 > 20
            banned = call(ws, "session.status")
        with pytest.raises(InvalidStatus) as refused:
            open_api(srv)
    # 5 + 5 a request: 10, 15, 20 pass (the limit is inclusive), 25 is over.
    assert [answer["rateLimits"] for answer in passed] == [weight(n, LIMIT) for n in (10, 15, 20)]
    assert over == {
        "id": "r",
        "status": 429,
        "error": {
            "code": -1003,
            "msg": f"Too many requests; current limit of IP(127.0.0.1) is {LIMIT} requests per "
            "minute. Please use the websocket for live updates to avoid polling the API.",
        },
        "rateLimits": weight(25, LIMIT),
    }
    # The shortest ban, 2 minutes from the frozen clock's time.
    ban = (
        f"Way too many requests; IP(127.0.0.1) banned until {at + 120_000}. "
        "Please use the websocket for live updates to avoid bans."
    )
    assert (banned["status"], banned["error"]) == (418, {"code": -1003, "msg": ban})
    # The handshake of a banned IP gets REST's answer to it, as an HTTP answer.
    response = refused.value.response
    assert response.status_code == 418
    assert json.loads(response.body) == {"code": -1003, "msg": ban}
    assert response.headers["Retry-After"] == "120"
    # The refused handshake is in the request log as the GET it is, uncounted (a ban).
    handshakes = [e for e in srv.control.log()["entries"] if e["path"] == "/ws-fapi/v1"]
    assert [(e["method"], e["status"], e["weight"], e["code"]) for e in handshakes] == [
        ("GET", 101, 5, None),
        ("GET", 418, 0, -1003),
    ]
