"""Every refusal is charged its endpoint's weight, whichever check refused it (PARITY.md:
"refused requests are charged"): one refusal of each kind, each step of the checks and of the
handlers, each moving the IP's ``X-MBX-USED-WEIGHT-1M`` by exactly the endpoint's weight.
The clock stands still mid-minute, so no window ends between two requests."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from urllib.parse import urlencode

import pytest

from ...support import Reply, Server, running_server, sign
from ..http.raw_http import exchange, status_of

#: Binance's weights for the two endpoints (the seed page; "Change Multi-Assets Mode").
GET_WEIGHT, POST_WEIGHT = 30, 1
MODE = "/fapi/v1/multiAssetsMargin"
AT = 1_800_000_030_000  # mid-minute


@pytest.fixture(scope="module")
def srv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("charging"), "--weight-limit", "100000") as server:
        server.control.set_clock(freeze=True, at=AT)
        yield server


def raw(srv: Server, method: str, query: str, body: str = "", key: str | None = None) -> Reply:
    headers = {"X-MBX-APIKEY": key if key is not None else srv.demo.api_key}
    if body:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    return srv.request(method, MODE, query, body, headers)


def signed_query(secret: str, **fields: object) -> str:
    payload = urlencode({**fields, "timestamp": fields.pop("timestamp", AT)})
    return f"{payload}&signature={sign(secret, payload)}"


def refusals(srv: Server) -> list[tuple[str, Callable[[], Reply], int, int]]:
    """(what, how to send it, the code Binance refuses it with, the endpoint's weight)."""
    secret = srv.demo.secret
    reader = srv.control.create_key("demo", permissions=["USER_DATA"])
    elsewhere = srv.control.create_key("demo", ip_allowlist=["10.9.9.9"])
    good = signed_query(secret)
    return [
        ("no key", lambda: srv.request("GET", MODE, good), -2014, GET_WEIGHT),
        ("malformed key", lambda: raw(srv, "GET", good, key="short"), -2014, GET_WEIGHT),
        ("unknown key", lambda: raw(srv, "GET", good, key="U" * 64), -2015, GET_WEIGHT),
        (
            "key from another IP",
            lambda: raw(srv, "GET", signed_query(elsewhere["secretKey"]), key=elsewhere["apiKey"]),
            -2015,
            GET_WEIGHT,
        ),
        (
            "key may not trade",
            lambda: raw(
                srv,
                "POST",
                signed_query(reader["secretKey"], multiAssetsMargin="true"),
                key=reader["apiKey"],
            ),
            -2015,
            POST_WEIGHT,
        ),
        ("duplicate parameter", lambda: raw(srv, "GET", "a=1&a=2&" + good), -1101, GET_WEIGHT),
        ("undecodable bytes", lambda: raw(srv, "GET", "a=%ff&" + good), -1100, GET_WEIGHT),
        ("no timestamp", lambda: raw(srv, "GET", "signature=00"), -1102, GET_WEIGHT),
        (
            "recvWindow zero",
            lambda: raw(srv, "GET", signed_query(secret, recvWindow=0)),
            -1130,
            GET_WEIGHT,
        ),
        (
            "stale",
            lambda: raw(srv, "GET", signed_query(secret, timestamp=AT - 60_000)),
            -1021,
            GET_WEIGHT,
        ),
        (
            "ahead",
            lambda: raw(srv, "GET", signed_query(secret, timestamp=AT + 1_000)),
            -1021,
            GET_WEIGHT,
        ),
        ("no signature", lambda: raw(srv, "GET", f"timestamp={AT}"), -1102, GET_WEIGHT),
        (
            "wrong signature",
            lambda: raw(srv, "GET", f"timestamp={AT}&signature={'0' * 64}"),
            -1022,
            GET_WEIGHT,
        ),
        (
            "mode value",
            lambda: raw(srv, "POST", signed_query(secret, multiAssetsMargin="maybe")),
            -1130,
            POST_WEIGHT,
        ),
        (
            "same mode again (-4171)",
            lambda: raw(srv, "POST", signed_query(secret, multiAssetsMargin="false")),
            -4171,
            POST_WEIGHT,
        ),
    ]


def test_a_refusal_of_each_kind_is_charged_its_endpoint_weight(srv: Server) -> None:
    before = srv.request("GET", "/fapi/v1/ping").weight
    for what, send, code, weight in refusals(srv):
        reply = send()
        assert reply.json()["code"] == code, (what, reply.body)
        assert reply.weight - before == weight, what
        before = reply.weight


def test_a_body_over_1_mib_is_refused_after_it_is_charged(srv: Server) -> None:
    """Found by an outside probe: the -1101 for a body too large moved no weight."""
    before = srv.request("GET", "/fapi/v1/ping").weight
    body = b"a=" + b"1" * (2 << 20)
    head = (
        b"POST " + MODE.encode() + b" HTTP/1.1\r\nHost: x\r\n"
        b"X-MBX-APIKEY: " + srv.demo.api_key.encode() + b"\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n"
        b"Content-Length: %d\r\n\r\n" % len(body)
    )
    response = exchange(srv, head + body)
    head_part, _, payload = response.partition(b"\r\n\r\n")
    assert status_of(response) == 400
    assert json.loads(payload) == {
        "code": -1101,
        "msg": "Too many parameters sent for this endpoint.",
    }
    assert b"x-mbx-used-weight-1m: %d\r\n" % (before + POST_WEIGHT) in head_part + b"\r\n"


def test_a_body_over_1_mib_is_refused_before_its_key_is_looked_at(srv: Server) -> None:
    """Its place in the order: after the weight, before the API key."""
    body = b"a=" + b"1" * (2 << 20)
    head = (
        b"POST " + MODE.encode() + b" HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(body)
    )
    payload = exchange(srv, head + body).partition(b"\r\n\r\n")[2]
    assert json.loads(payload)["code"] == -1101
