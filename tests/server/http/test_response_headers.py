"""Every kind of answer carries ``X-Multiassets-Version`` (the README's promise: you always know
you are not talking to Binance) and a ``Date``: each route of the OpenAPI document, Binance's
and the control plane's, with and without credentials; each form of the stream's WebSocket
URL, accepted (101) or refused (403); the 404 page; the edge's 400, 408 and 431 pages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from email.utils import parsedate_to_datetime
from http import HTTPStatus

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from multiassets import __version__
from multiassets.server.http.edge import MAX_HEAD_BYTES
from multiassets.server.openapi.document import document
from multiassets.server.streams.websocket import COMBINED_PATHS, RAW_PATHS

from ...support import ONCE, Renewable, Server, running_server
from .raw_http import exchange, page, status_of

#: The edge reads HTTP before any database is asked: the same on every backend.
pytestmark = ONCE

UPGRADE = b"GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Renewable]:
    folder = tmp_path_factory.mktemp("headers")
    log = folder / "server.log"
    with running_server(
        folder, "--weight-limit", "100000", "--head-timeout", "1", log=log
    ) as server:
        yield Renewable(server)
    text = log.read_text()
    assert "ERROR" not in text and "Traceback" not in text, text


@pytest.fixture(scope="module")
def srv(shared: Renewable) -> Server:
    return shared.server


def has_identity(headers: dict[str, str]) -> bool:
    """The version header, and a Date that is an HTTP date."""
    return headers.get("x-multiassets-version") == __version__ and bool(
        parsedate_to_datetime(headers["date"])
    )


def test_every_documented_route_answers_with_the_version_and_a_date(shared: Renewable) -> None:
    try:
        walk_every_documented_route(shared.renew())
    finally:
        shared.renew()  # the walk ends with a reset: the module's other tests need the demo


def walk_every_documented_route(srv: Server) -> None:
    token = {"Authorization": f"Bearer {srv.admin_token}"}
    key = {"X-MBX-APIKEY": srv.demo.api_key}
    srv.control.create_account("headers-probe")
    values = {"name": "headers-probe", "apiKey": "k" * 64, "id": "999"}
    operations = [
        (path, method)
        for path, methods in document()["paths"].items()
        for method in methods
        # Last: they delete what the others need.
        if (method, path) not in (("post", "/_multiassets/reset"), ("put", "/_multiassets/state"))
    ]
    operations += [("/_multiassets/state", "put"), ("/_multiassets/reset", "post")]
    seen = []
    for template, method in operations:
        path = re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], template)
        for headers in ({}, key, token):
            reply = srv.request(method.upper(), path, headers=headers)
            assert has_identity(reply.headers), (method, path, headers, reply.status)
            seen.append(reply.status)
    assert {200, 400, 401, 404} <= set(seen)  # answers of every kind were walked


def stream_urls(srv: Server, listen_key: str) -> list[str]:
    """Each form of the stream's URL (streams/websocket.py), naming ``listen_key``, or none."""
    base = f"ws://127.0.0.1:{srv.port}"
    urls = []
    for path in RAW_PATHS:
        urls += [base + path, f"{base}{path}/{listen_key}", f"{base}{path}?listenKey={listen_key}"]
    for path in COMBINED_PATHS:
        urls += [base + path, f"{base}{path}?streams={listen_key}"]
    return urls


def test_every_stream_handshake_answers_with_the_version(srv: Server) -> None:
    listen_key = srv.request(
        "POST", "/fapi/v1/listenKey", headers={"X-MBX-APIKEY": srv.demo.api_key}
    ).json()["listenKey"]
    market = ("/public/", "/market/")
    for url in stream_urls(srv, listen_key):
        if any(part in url for part in market) and listen_key in url:
            continue  # the market hosts take no listenKey in the URL
        with connect(url, open_timeout=5) as websocket:
            assert websocket.response is not None and websocket.response.status_code == 101
            assert websocket.response.headers["x-multiassets-version"] == __version__, url
    refused = [url for url in stream_urls(srv, "n0" * 32) if "n0n0" in url]
    refused.append(f"ws://127.0.0.1:{srv.port}/no/such/stream")
    for url in refused:
        with pytest.raises(InvalidStatus) as raised:
            connect(url, open_timeout=5)
        response = raised.value.response
        assert response.status_code == 403, url
        assert has_identity({k.lower(): v for k, v in response.headers.raw_items()}), url


def head_of(response: bytes) -> dict[str, str]:
    lines = response.partition(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")[1:]
    return {
        name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)
    }


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (b"GARBAGE\r\n\r\n", 400),
        (b"GET /fapi/v1/ping HTTP/1.1\r\n\r\n", 400),  # no Host
        (
            b"GET /fapi/v1/ping HTTP/1.1\r\nHost: x\r\nX-A: " + b"a" * MAX_HEAD_BYTES + b"\r\n\r\n",
            431,
        ),
        (b"GET /fapi/v1/pi", 408),
        (b"GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n", 404),
        (UPGRADE + b"\r\n", 400),
        (UPGRADE + b"Sec-WebSocket-Key: abc\r\nSec-WebSocket-Version: 13\r\n\r\n", 400),
        (UPGRADE + b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n", 400),
    ],
    ids=[
        "not-http",
        "no-host",
        "head-too-large",
        "head-too-slow",
        "no-such-path",
        "websocket-without-key",
        "websocket-malformed-key",
        "websocket-without-version",
    ],
)
def test_the_edge_pages_carry_the_version_and_a_date(
    srv: Server, request_bytes: bytes, status: int
) -> None:
    response = exchange(srv, request_bytes)
    assert status_of(response) == status
    assert has_identity(head_of(response))
    if status != 404:
        assert response.endswith(page(status, HTTPStatus(status).phrase)), response


def test_a_control_plane_body_too_large_or_not_json_carries_the_version(srv: Server) -> None:
    token = {"Authorization": f"Bearer {srv.admin_token}", "Content-Type": "application/json"}
    reply = srv.request("PUT", "/_multiassets/clock", body=b"{", headers=token)
    assert reply.status == 400 and has_identity(reply.headers)
    body = b"[" * (2 << 20)
    response = exchange(
        srv,
        b"PUT /_multiassets/clock HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
        + srv.admin_token.encode()
        + b"\r\nContent-Length: %d\r\n\r\n" % len(body)
        + body,
    )
    assert status_of(response) == 413 and has_identity(head_of(response))
