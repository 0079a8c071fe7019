"""Bytes on a raw socket (``edge.py``): what is not HTTP gets the edge's 400 page, a head over
16 KiB 431, a head sent too slowly 408, a body over 1 MiB Binance's -1101; and a seeded fuzz of
mangled requests never meets a 5xx, a traceback, or a body of any other shape."""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from multiassets.server.http.edge import MAX_HEAD_BYTES

from ...support import ONCE, Server, now_ms, running_server, sign
from .raw_http import exchange, page, status_of

#: The edge reads HTTP before any database is asked: the same on every backend.
pytestmark = ONCE

ERROR_LOG_WORDS = ("Traceback", "Exception", "ERROR")


@pytest.fixture(scope="module")
def srv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("edge")
    log = folder / "server.log"
    with running_server(folder, "--head-timeout", "1", log=log) as server:
        yield server
    text = log.read_text()
    assert not any(word in text for word in ERROR_LOG_WORDS), text


@pytest.mark.parametrize(
    "request_bytes",
    [
        pytest.param(b"GARBAGE\r\n\r\n", id="not-a-request-line"),
        pytest.param(
            b"GET /fapi/v1/\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n", id="raw-bytes-in-target"
        ),
        pytest.param(b"GET /fapi/v1/ping HTTP/9.9\r\nHost: x\r\n\r\n", id="unknown-version"),
        pytest.param(b"GET /fapi/v1/ping x HTTP/1.1\r\nHost: x\r\n\r\n", id="space-in-target"),
        pytest.param(
            b"GET /fapi/v1/ping HTTP/1.1\r\nHost: x\r\nHo st: x\r\n\r\n", id="space-in-header-name"
        ),
        pytest.param(b"GET /fapi/v1/ping\x00 HTTP/1.1\r\nHost: x\r\n\r\n", id="nul-in-target"),
        pytest.param(
            b"POST /fapi/v1/listenKey HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            id="broken-chunked-body",
        ),
        pytest.param(
            b"POST /fapi/v1/listenKey HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
            id="content-length-not-a-number",
        ),
    ],
)
def test_what_is_not_http_gets_the_edge_400_page(srv: Server, request_bytes: bytes) -> None:
    response = exchange(srv, request_bytes)
    head, _, body = response.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 Bad Request\r\n")
    assert b"content-type: text/html" in head and b"connection: close" in head
    assert body == page(400, "Bad Request")


@pytest.mark.parametrize(
    "request_bytes",
    [
        pytest.param(
            b"GET /fapi/v1/ping HTTP/1.1\r\nHost: x\r\nX-A: " + b"a" * MAX_HEAD_BYTES + b"\r\n\r\n",
            id="one-huge-header",
        ),
        pytest.param(
            b"GET /fapi/v1/ping HTTP/1.1\r\nHost: x\r\n"
            + b"".join(b"X-%d: a\r\n" % n for n in range(3000))
            + b"\r\n",
            id="many-headers",
        ),
        pytest.param(
            b"GET /fapi/v1/ping?" + b"a=1&" * 50_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
            id="huge-query",
        ),
    ],
)
def test_a_head_over_16_kib_gets_431(srv: Server, request_bytes: bytes) -> None:
    response = exchange(srv, request_bytes)
    assert status_of(response) == 431
    assert response.endswith(page(431, "Request Header Fields Too Large"))


def test_garbage_after_a_pipelined_request_is_answered_after_it(srv: Server) -> None:
    """Found by the raw fuzz: the edge's 400 for the second request was written while the
    first was still being answered, and the first answer then failed with a traceback."""
    valid = b"GET /fapi/v1/time HTTP/1.1\r\nHost: x\r\n\r\n"
    response = exchange(srv, valid + b"GARBAGE\r\n\r\n")
    first, _, rest = response.partition(b"HTTP/1.1 400 Bad Request\r\n")
    assert first.startswith(b"HTTP/1.1 200 OK\r\n") and b'{"serverTime":' in first
    assert rest.endswith(page(400, "Bad Request"))


def test_garbage_after_two_pipelined_requests_waits_for_both(srv: Server) -> None:
    """Found in review: the 400 went out after the first answer, before the second."""
    valid = b"GET /fapi/v1/time HTTP/1.1\r\nHost: x\r\n\r\n"
    response = exchange(srv, valid * 3 + b"GARBAGE\r\n\r\n")
    answers = response.split(b"HTTP/1.1 ")[1:]
    assert [answer.split(b" ", 1)[0] for answer in answers] == [b"200", b"200", b"200", b"400"]
    assert response.endswith(page(400, "Bad Request"))


def test_a_head_just_under_the_limit_is_served(srv: Server) -> None:
    padding = b"a" * (MAX_HEAD_BYTES - 200)
    response = exchange(
        srv, b"GET /fapi/v1/ping HTTP/1.1\r\nHost: x\r\nX-A: " + padding + b"\r\n\r\n"
    )
    assert status_of(response) == 200 and response.endswith(b"\r\n\r\n{}")


def test_a_slow_sender_gets_408_when_its_head_is_late(srv: Server) -> None:
    with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as sock:
        sock.sendall(b"GET /fapi/v1/pi")  # and then nothing for longer than --head-timeout 1
        started = time.monotonic()
        response = b""
        while chunk := sock.recv(65536):
            response += chunk
    assert status_of(response) == 408
    assert response.endswith(page(408, "Request Timeout"))
    assert 0.8 < time.monotonic() - started < 5


def test_a_slow_body_gets_408_and_the_connection_closes(srv: Server) -> None:
    head = (
        b"POST /fapi/v1/multiAssetsMargin HTTP/1.1\r\nHost: x\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n"
    )
    response = exchange(srv, head + b"multiAssetsMargin=tr")  # and the rest never comes
    assert status_of(response) == 408
    assert b"connection: close" in response
    assert response.endswith(page(408, "Request Timeout"))


def test_a_body_dribbled_byte_by_byte_gets_408_in_the_same_time(srv: Server) -> None:
    """Found in review: the body's time was per part, so a byte now and then held the
    connection for as long as the sender liked."""
    head = (
        b"POST /fapi/v1/multiAssetsMargin HTTP/1.1\r\nHost: x\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as sock:
        sock.sendall(head)
        started = time.monotonic()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            for _ in range(8):  # a byte every 0.4 s: 3.2 s, against the 1 s allowed
                sock.sendall(b"a")
                time.sleep(0.4)
        response = b""
        with contextlib.suppress(TimeoutError):
            while chunk := sock.recv(65536):
                response += chunk
    assert status_of(response) == 408
    assert response.endswith(page(408, "Request Timeout"))
    assert time.monotonic() - started < 6


def test_a_connection_that_sends_nothing_is_closed_without_an_answer(srv: Server) -> None:
    with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as sock:
        assert sock.recv(100) == b""


def read_one(sock: socket.socket) -> bytes:
    """One whole response (its head and content-length bytes of body) from ``sock``."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(re.search(rb"content-length: (\d+)", head).group(1))  # type: ignore[union-attr]
    while len(body) < length:
        body += sock.recv(65536)
    return body


def test_keep_alive_requests_each_get_their_own_head_time(srv: Server) -> None:
    with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as sock:
        for _ in range(3):
            sock.sendall(b"GET /fapi/v1/ping HTTP/1.1\r\nHost: x\r\n\r\n")
            assert read_one(sock) == b"{}"
            time.sleep(0.6)  # 1.8 s in all: more than the head timeout, less per request


def test_a_body_over_1_mib_gets_1101(srv: Server) -> None:
    body = b"a=" + b"1" * (2 << 20)
    head = (
        b"POST /fapi/v1/multiAssetsMargin HTTP/1.1\r\nHost: x\r\n"
        b"X-MBX-APIKEY: " + srv.demo.api_key.encode() + b"\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n"
        b"Content-Length: %d\r\n\r\n" % len(body)
    )
    response = exchange(srv, head + body)
    head_part, _, payload = response.partition(b"\r\n\r\n")
    assert status_of(response) == 400 and b"content-type: application/json" in head_part
    assert json.loads(payload) == {
        "code": -1101,
        "msg": "Too many parameters sent for this endpoint.",
    }


# -- a seeded fuzz of mangled requests ---------------------------------------------------------

_BINANCE_ERROR = re.compile(rb'^\{"code":-\d+,"msg":"[^"]*"\}$')
_NOT_FOUND = b"<html><body><h2>404 Not found</h2></body></html>"


def _valid_request(srv: Server, rng: random.Random) -> bytes:
    query = f"multiAssetsMargin=true&timestamp={now_ms()}"
    signed = f"{query}&signature={sign(srv.demo.secret, query)}"
    method, path = rng.choice(
        [
            ("GET", "/fapi/v1/multiAssetsMargin"),
            ("POST", "/fapi/v1/multiAssetsMargin"),
            ("GET", "/fapi/v1/time"),
            ("POST", "/fapi/v1/marginType"),
        ]
    )
    return (
        f"{method} {path}?{signed} HTTP/1.1\r\nHost: x\r\nX-MBX-APIKEY: {srv.demo.api_key}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 0\r\n\r\n"
    ).encode()


def _mangle(data: bytes, rng: random.Random) -> bytes:
    mangled = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        position = rng.randrange(len(mangled))
        action = rng.random()
        if action < 0.4:
            mangled[position] = rng.randrange(256)
        elif action < 0.6:
            del mangled[position]
        elif action < 0.8:
            mangled[position:position] = rng.choice(
                [b"%", b"%zz", b"\xff", b"&", b"=", b" ", b"\r\n", b"+", b"@", b"\x00", b"%C3%28"]
            )
        else:
            mangled[position:position] = mangled[position : position + rng.randrange(1, 40)]
    return bytes(mangled)


_EDGE_PAGES = tuple(
    page(status, reason)
    for status, reason in (
        (400, "Bad Request"),
        (408, "Request Timeout"),
        (431, "Request Header Fields Too Large"),
    )
)


def _acceptable(response: bytes) -> bool:
    """An answer in one of the shapes Binance's API or edge gives, and never a 5xx (nor
    silence: a request the server can't finish reading gets the edge's 408)."""
    if not response:
        return False
    head, _, body = response.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    if status >= 500:
        return False
    if b"content-type: application/json" in head:
        return status == 200 or bool(_BINANCE_ERROR.match(body.split(b"HTTP/1.1")[0]))
    return body.split(b"HTTP/1.1")[0] in (_NOT_FOUND, *_EDGE_PAGES)


#: Mangled requests per run: 300 in CI's short run; scripts/fuzz raises it.
MANGLED = 12 * int(os.environ.get("MULTIASSETS_FUZZ_EXAMPLES", "25"))


def test_mangled_requests_get_only_binance_shaped_answers(srv: Server) -> None:
    rng = random.Random(20261125)
    requests = [_mangle(_valid_request(srv, rng), rng) for _ in range(MANGLED)]

    def answer(mangled: bytes) -> tuple[bytes, bytes]:
        return mangled, exchange(srv, mangled, timeout=5)

    # Concurrently: a mangled request that never ends waits out the head timeout.
    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(answer, requests))
    failures = [(sent, got[:600]) for sent, got in answers if not _acceptable(got)]
    assert failures == []
    print(f"\nraw fuzz: {MANGLED} mangled requests, {len(failures)} failures")
