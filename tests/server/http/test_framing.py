"""HTTP/1.1 framing as RFC 9112 has a server read it: one valid ``Host`` (§3.2), header values
without the whitespace around them (§5.5), and a bearer challenge with every 401 of the control
plane (RFC 9110 §11.6.1)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from ...support import ONCE, Server, now_ms, running_server, sign
from .raw_http import exchange, page, status_of

#: The edge reads HTTP before any database is asked: the same on every backend.
pytestmark = ONCE

MODE = "/fapi/v1/multiAssetsMargin"


@pytest.fixture(scope="module")
def srv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("framing"), "--weight-limit", "100000") as server:
        yield server


@pytest.mark.parametrize(
    "head",
    [
        pytest.param(b"GET /fapi/v1/ping HTTP/1.1\r\n", id="http-1.1-without-host"),
        pytest.param(b"GET /fapi/v1/ping HTTP/1.1\r\nHost: a\r\nHost: a\r\n", id="two-hosts"),
        pytest.param(
            b"GET /fapi/v1/ping HTTP/1.1\r\nHost: a\r\nHost: b\r\n", id="two-hosts-differ"
        ),
        pytest.param(b"GET /fapi/v1/ping HTTP/1.0\r\nHost: a\r\nHost: a\r\n", id="two-hosts-1.0"),
        pytest.param(b"GET /fapi/v1/ping HTTP/1.1\r\nHost: a b\r\n", id="space-in-host"),
        pytest.param(b"GET /fapi/v1/ping HTTP/1.1\r\nHost: a/b\r\n", id="slash-in-host"),
        pytest.param(b"GET /fapi/v1/ping HTTP/1.1\r\nHost: u@a\r\n", id="userinfo-in-host"),
        pytest.param(b"GET /fapi/v1/ping HTTP/1.1\r\nHost: a:8o\r\n", id="port-not-digits"),
        pytest.param(b"GET /_multiassets/health HTTP/1.1\r\n", id="control-plane-without-host"),
        pytest.param(
            b"GET /ws/x HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n",
            id="websocket-without-host",
        ),
    ],
)
def test_a_request_without_one_valid_host_gets_the_edge_400(srv: Server, head: bytes) -> None:
    response = exchange(srv, head + b"\r\n")
    assert status_of(response) == 400
    assert b"connection: close" in response.partition(b"\r\n\r\n")[0]
    assert response.endswith(page(400, "Bad Request"))


@pytest.mark.parametrize(
    "head",
    [
        pytest.param(b"GET /fapi/v1/ping HTTP/1.1\r\nHost: fapi.binance.com\r\n", id="name"),
        pytest.param(b"GET /fapi/v1/ping HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n", id="ipv4-port"),
        pytest.param(b"GET /fapi/v1/ping HTTP/1.1\r\nHost: [::1]:8080\r\n", id="ipv6-literal"),
        pytest.param(b"GET /fapi/v1/ping HTTP/1.1\r\nHost:\r\n", id="empty"),
        pytest.param(b"GET /fapi/v1/ping HTTP/1.1\r\nhOsT:  a \r\n", id="any-case-padded"),
        pytest.param(b"GET /fapi/v1/ping HTTP/1.0\r\n", id="http-1.0-without-host"),
    ],
)
def test_a_request_with_one_valid_host_is_served(srv: Server, head: bytes) -> None:
    response = exchange(srv, head + b"\r\n")
    assert status_of(response) == 200 and response.endswith(b"\r\n\r\n{}")


@pytest.mark.parametrize(
    "padded",
    [" {} ", "{} ", " {}", "\t{}\t", "{}\t \t"],
    ids=["both", "trailing", "leading", "tabs", "mixed"],
)
def test_whitespace_around_a_header_value_is_not_part_of_it(srv: Server, padded: str) -> None:
    """Every header the server reads: the API key, the body's Content-Type, the bearer token."""
    query = f"timestamp={now_ms()}"
    target = f"{MODE}?{query}&signature={sign(srv.demo.secret, query)}"
    api_key = {"X-MBX-APIKEY": padded.format(srv.demo.api_key)}
    reply = srv.request("GET", MODE, target.partition("?")[2], headers=api_key)
    assert (reply.status, reply.json()) == (200, {"multiAssetsMargin": False})

    form = f"multiAssetsMargin=true&timestamp={now_ms()}"
    body = f"{form}&signature={sign(srv.demo.secret, form)}"
    content_type = padded.format("application/x-www-form-urlencoded")
    reply = srv.request("POST", MODE, body=body, headers={**api_key, "Content-Type": content_type})
    assert (reply.status, reply.json()) == (200, {"code": 200, "msg": "success"})
    srv.control.set_state("demo", {"multiAssetsMargin": False}, partial=True)

    bearer = {"Authorization": padded.format(f"Bearer {srv.admin_token}")}
    reply = srv.request("GET", "/_multiassets/accounts", headers=bearer)
    assert (reply.status, reply.json()) == (200, [{"name": "demo", "multiAssetsMargin": False}])


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer " + "9" * 64],
    ids=["none", "empty", "no-token", "blank-token", "basic", "wrong-token"],
)
def test_every_control_plane_401_challenges_for_a_bearer_token(
    srv: Server, authorization: str | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    for method, path in (("GET", "accounts"), ("POST", "reset"), ("PUT", "clock")):
        reply = srv.request(method, "/_multiassets/" + path, headers=headers)
        assert reply.status == 401, (method, path)
        assert reply.headers["www-authenticate"] == 'Bearer realm="multiassets"'
        assert reply.json() == {
            "error": "a valid 'Authorization: Bearer <token>' header is required"
        }


def test_answers_other_than_401_carry_no_challenge(srv: Server) -> None:
    token = {"Authorization": f"Bearer {srv.admin_token}"}
    for reply in (
        srv.request("GET", "/_multiassets/accounts", headers=token),
        srv.request("GET", "/_multiassets/accounts/nobody/state", headers=token),
        srv.request("GET", "/_multiassets/health"),
    ):
        assert "www-authenticate" not in reply.headers
    assert json.loads(
        srv.request("GET", "/_multiassets/accounts/nobody/state", headers=token).body
    ) == {"error": "no account named 'nobody'"}
