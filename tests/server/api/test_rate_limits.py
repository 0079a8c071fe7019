"""The 429 → 418 sequence over real HTTP, on a server with a low weight limit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ...support import Server, frozen_minute, running_server


@pytest.fixture
def limited(tmp_path: Path) -> Iterator[tuple[Server, int]]:
    """The server, and the ms its clock stands at: 30 s into a new minute window, so the whole
    sequence falls inside that window however long it takes."""
    with (
        running_server(tmp_path, "--weight-limit", "61", "--ban-shortest", "120") as srv,
        frozen_minute(srv, second=30) as at,
    ):
        yield srv, at


def test_over_limit_gets_429_then_418_ban_with_retry_after(limited: tuple[Server, int]) -> None:
    srv, at = limited
    mode = "/fapi/v1/multiAssetsMargin"
    assert srv.request("GET", "/fapi/v1/ping").weight == 1
    assert srv.signed("GET", mode, timestamp=at).status == 200  # 1 + 30
    assert srv.signed("GET", mode, timestamp=at).status == 200  # 61: at the limit, served

    too_many = srv.signed("GET", mode, timestamp=at)
    assert (too_many.status, too_many.json()) == (
        429,
        {
            "code": -1003,
            "msg": "Too many requests; current limit of IP(127.0.0.1) is 61 requests per minute. "
            "Please use the websocket for live updates to avoid polling the API.",
        },
    )
    assert too_many.weight == 91
    assert too_many.headers["content-type"] == "application/json"
    assert too_many.headers["retry-after"] == "30"  # the seconds left in the minute

    banned = srv.request("GET", "/fapi/v1/ping")
    body = banned.json()
    assert (banned.status, body["code"]) == (418, -1003)
    until = int(body["msg"].split("banned until ")[1].split(".")[0])
    assert body["msg"] == (
        f"Way too many requests; IP(127.0.0.1) banned until {until}. "
        "Please use the websocket for live updates to avoid bans."
    )
    assert until == at + 120_000
    assert int(banned.headers["retry-after"]) == 120

    # While banned, every path with an endpoint is refused, signed or not.
    again = srv.signed("GET", mode, timestamp=at)
    assert (again.status, again.json()["msg"]) == (418, body["msg"])
