"""The client IP behind a trusted proxy, and never from a forged header."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from multiassets.server.http.proxies import TrustedProxies

from ...support import BACKEND, Server, now_ms, running_server, sign

MODE = "/fapi/v1/multiAssetsMargin"


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        pytest.param("10.0.0.2", ["1.2.3.4"], "1.2.3.4", id="from-trusted-proxy"),
        pytest.param("10.0.0.2", ["6.6.6.6, 1.2.3.4"], "1.2.3.4", id="forged-left-part-ignored"),
        pytest.param("10.0.0.2", ["1.2.3.4, 10.0.0.9"], "1.2.3.4", id="chain-of-trusted-proxies"),
        pytest.param("10.0.0.2", [], "10.0.0.2", id="no-header"),
        pytest.param("10.0.0.2", ["not-an-ip"], "10.0.0.2", id="garbage"),
        pytest.param("8.8.8.8", ["1.2.3.4"], "8.8.8.8", id="untrusted-peer"),
        pytest.param("10.0.0.2", ["1.2.3.4", "5.6.7.8"], "5.6.7.8", id="two-headers"),
    ],
)
def test_client_ip(peer: str, forwarded: list[str], client: str) -> None:
    proxies = TrustedProxies(["10.0.0.0/8"])
    headers = [(b"x-forwarded-for", value.encode()) for value in forwarded]
    assert proxies.client_ip(peer, headers) == client


@pytest.fixture(scope="module")
def behind(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server behind a proxy on loopback: it believes X-Forwarded-For from 127.0.0.1."""
    with running_server(tmp_path_factory.mktemp("behind"), "--trusted-proxy", "127.0.0.1") as srv:
        yield srv


def test_forwarded_for_is_believed_only_from_a_trusted_proxy(
    behind: Server, tmp_path: Path
) -> None:
    headers = {"X-Forwarded-For": "203.0.113.7", "X-MBX-APIKEY": "Z" * 64}
    payload = f"timestamp={now_ms()}"
    query = f"{payload}&signature={sign('x', payload)}"
    msg = behind.request("GET", MODE, query, headers=headers).json()["msg"]
    assert msg.endswith("request ip: 203.0.113.7")
    assert behind.control.log(0)["entries"][-1]["ip"] == "203.0.113.7"
    with running_server(tmp_path, "--trusted-proxy", "10.0.0.0/8") as direct:
        msg = direct.request("GET", MODE, query, headers=headers).json()["msg"]
        assert msg.endswith("request ip: 127.0.0.1")


def test_health_reports_the_database(behind: Server) -> None:
    import http.client
    import json

    redis = {"redis": "ok"} if BACKEND == "postgresql" else {}  # that pass uses Redis too
    connection = http.client.HTTPConnection("127.0.0.1", behind.port, timeout=10)
    try:
        connection.request("GET", "/_multiassets/health")
        response = connection.getresponse()
        assert (response.status, json.loads(response.read())) == (
            200,
            {"status": "ok", "database": "ok", **redis},
        )
    finally:
        connection.close()
