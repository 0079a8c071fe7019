"""The 429 → 418 sequence over real HTTP, on a server with a low weight limit."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ..support import Server, now_ms, running_server


@pytest.fixture
def limited(tmp_path: Path) -> Iterator[Server]:
    # The readiness ping and the whole sequence must fall inside one minute window.
    if time.time() % 60 > 45:
        time.sleep(60 - time.time() % 60 + 0.1)
    with running_server(tmp_path, "--weight-limit", "61", "--ban-shortest", "120") as srv:
        yield srv


def test_over_limit_gets_429_then_418_ban_with_retry_after(limited: Server) -> None:
    mode = "/fapi/v1/multiAssetsMargin"
    assert limited.signed("GET", mode).status == 200  # 1 (readiness ping) + 30
    assert limited.signed("GET", mode).status == 200  # 61: at the limit, still served

    too_many = limited.signed("GET", mode)
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
    seconds_left = 60 - (now_ms() // 1000) % 60
    assert abs(int(too_many.headers["retry-after"]) - seconds_left) <= 1

    sent = now_ms()
    banned = limited.request("GET", "/fapi/v1/ping")
    body = banned.json()
    assert (banned.status, body["code"]) == (418, -1003)
    until = int(body["msg"].split("banned until ")[1].split(".")[0])
    assert body["msg"] == (
        f"Way too many requests; IP(127.0.0.1) banned until {until}. "
        "Please use the websocket for live updates to avoid bans."
    )
    assert sent + 120_000 <= until <= now_ms() + 120_000
    assert int(banned.headers["retry-after"]) == 120

    # While banned, every path with an endpoint is refused, signed or not.
    again = limited.signed("GET", mode)
    assert (again.status, again.json()["msg"]) == (418, body["msg"])
