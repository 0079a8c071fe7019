"""The core's per-call shortcuts give what the long way gives: the request as signed, the
answer as json.loads reads it, and a URL refused when the client is made."""

from __future__ import annotations

import hashlib
import hmac
import json
import re

import pytest

import multiassets._core
from multiassets import Client, ConfigurationError
from multiassets._core import _json
from multiassets.protocol.endpoints import CHANGE_MODE, GET_MODE, PING

NOW = 1_700_000_000_000


@pytest.fixture
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(multiassets._core, "local_ms", lambda: NOW)


def _signature(payload: str) -> str:
    return hmac.new(b"s", payload.encode(), hashlib.sha256).hexdigest()


@pytest.mark.usefixtures("frozen_clock")
def test_a_change_sends_its_parameter_then_recv_window_then_timestamp() -> None:
    request = Client("k", "s", recv_window=6000)._core.prepare(
        CHANGE_MODE, {"multiAssetsMargin": "true"}
    )
    payload = "multiAssetsMargin=true&recvWindow=6000&timestamp=1700000000000"
    assert request.body == f"{payload}&signature={_signature(payload)}".encode()
    assert (request.method, request.target) == ("POST", "/fapi/v1/multiAssetsMargin")
    assert request.headers == {
        "X-MBX-APIKEY": "k",
        "Content-Type": "application/x-www-form-urlencoded",
    }


@pytest.mark.usefixtures("frozen_clock")
def test_a_timestamp_given_as_a_parameter_keeps_its_place_with_our_value() -> None:
    request = Client("k", "s", recv_window=6000)._core.prepare(
        CHANGE_MODE, {"timestamp": "1", "multiAssetsMargin": "true"}
    )
    payload = "timestamp=1700000000000&multiAssetsMargin=true&recvWindow=6000"
    assert request.body == f"{payload}&signature={_signature(payload)}".encode()


@pytest.mark.usefixtures("frozen_clock")
def test_names_and_values_outside_the_unreserved_set_are_percent_encoded() -> None:
    request = Client("k", "s", base_url="http://127.0.0.1:1/base/")._core.prepare(
        GET_MODE, {"a b": "é&", "x~y": "1.2-3_4"}
    )
    payload = "a%20b=%C3%A9%26&x~y=1.2-3_4&timestamp=1700000000000"
    assert request.target == (
        f"/base/fapi/v1/multiAssetsMargin?{payload}&signature={_signature(payload)}"
    )
    assert request.body == b""


def test_an_unsigned_call_without_a_key_sends_no_header_and_no_query() -> None:
    request = Client()._core.prepare(PING)
    assert (request.method, request.target, request.headers) == ("GET", "/fapi/v1/ping", {})


@pytest.mark.parametrize(
    "body",
    [
        b'{"multiAssetsMargin":true}',
        b"[1, 2]",
        b"{",
        b"",
        b'"text"',
        '{"a": "é"}'.encode("utf-16-le"),
        '{"a": 1}'.encode("utf-8-sig"),
        b'{"a": "\xff"}',
        # Whatever follows the value: whitespace is allowed, anything else is an error.
        b'{"a": 1}\r\n',
        b"[1] ",
        b'{"a": 1} x',
        b'{"a": 1}{"b": 2}',
        b'{"a": 1,}',
        b'["\\ud800"]',
        # No value where one must be: the scanner's StopIteration, json.loads' error.
        b"[x]",
        b'{"a": x}',
        b"[1,",
        b"[",
    ],
)
def test_answers_read_as_json_loads_reads_them(body: bytes) -> None:
    try:
        expected = json.loads(body)
    except ValueError as error:
        with pytest.raises(type(error), match=f"^{re.escape(str(error))}$"):
            _json(body)
    else:
        assert _json(body) == expected


@pytest.mark.parametrize(
    "base_url", ["http://127.0.0.1:99999", "http://127.0.0.1:port", "http://[::1:80"]
)
def test_a_url_urlsplit_refuses_is_refused_when_the_client_is_made(base_url: str) -> None:
    # A ConfigurationError (the CLI's usage error, exit 2), and still the ValueError it was.
    with pytest.raises(ConfigurationError, match=r"^base URL ") as refused:
        Client("k", "s", base_url=base_url)
    assert isinstance(refused.value, ValueError)


@pytest.mark.parametrize(
    ("base_url", "origin", "port"),
    [
        ("http://127.0.0.1:8080/", "http://127.0.0.1:8080", 8080),
        ("https://user@example.com", "https://user@example.com", 443),
        ("http://[::1]:8080", "http://[::1]:8080", 8080),
    ],
)
def test_a_url_urlsplit_takes_makes_a_client(base_url: str, origin: str, port: int) -> None:
    core = Client("k", "s", base_url=base_url)._core
    assert (core.origin, core.port) == (origin, port)
