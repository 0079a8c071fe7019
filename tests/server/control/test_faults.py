"""Faults on cue, seen through our client and python-binance as they would see Binance's."""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from multiassets import (
    Client,
    IPBanned,
    RateLimitError,
    ServerError,
    Timeout,
    TransportError,
    UnknownStatus,
)
from multiassets.cli.main import cli

from ...support import Server, running_server

MODE = "/fapi/v1/multiAssetsMargin"


@pytest.fixture(scope="module")
def srv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("faults"), "--weight-limit", "1000000") as server:
        yield server


@pytest.fixture(autouse=True)
def clean(srv: Server) -> None:
    srv.control.clear_faults()
    srv.control.set_state("demo", {})


def client(srv: Server, **options: Any) -> Client:
    return Client(srv.demo.api_key, srv.demo.secret, base_url=srv.base_url, **options)


@pytest.mark.parametrize(
    ("kind", "status", "code", "msg", "exception"),
    [
        pytest.param(
            "unknown_error",
            503,
            -1000,
            "Unknown error, please check your request or try again later.",
            UnknownStatus,
            id="unknown_error",
        ),
        pytest.param(
            "service_unavailable",
            503,
            -1000,
            "Service Unavailable.",
            ServerError,
            id="service_unavailable",
        ),
        pytest.param(
            "internal_error",
            503,
            -1001,
            "Internal error; unable to process your request. Please try again.",
            ServerError,
            id="internal_error",
        ),
        pytest.param(
            "timeout",
            408,
            -1007,
            "Timeout waiting for response from backend server. Send status unknown; execution status unknown.",
            UnknownStatus,
            id="timeout",
        ),
        pytest.param(
            "throttled",
            503,
            -1008,
            "Request throttled by system-level protection. Reduce-only/close-position orders are exempt. Please try again.",
            ServerError,
            id="throttled",
        ),
        pytest.param(
            "rate_limited",
            429,
            -1003,
            "Too many requests; current limit of IP(127.0.0.1) is 1000000 requests per minute. Please use the websocket for live updates to avoid polling the API.",
            RateLimitError,
            id="rate_limited",
        ),
    ],
)
def test_each_fault_answers_binance_shape_and_types_in_the_client(
    srv: Server, kind: str, status: int, code: int, msg: str, exception: type[Exception]
) -> None:
    srv.control.add_fault(kind=kind, method="GET", path=MODE, times=1)
    reply = srv.signed("GET", MODE)
    assert (reply.status, reply.json()) == (status, {"code": code, "msg": msg})
    assert reply.headers["content-type"] == "application/json"
    srv.control.add_fault(kind=kind, method="GET", path=MODE, times=1)
    with client(srv, retries=0) as c, pytest.raises(exception):
        c.get_mode()
    # times=1: the next request is served normally
    assert srv.signed("GET", MODE).status == 200


def test_ban_fault_carries_retry_after_and_until(srv: Server) -> None:
    srv.control.add_fault(kind="banned", times=1)
    with client(srv) as c, pytest.raises(IPBanned) as caught:
        c.ping()
    assert caught.value.retry_after == 120 and caught.value.until_ms is not None


def test_client_retries_a_get_through_a_transient_503(srv: Server) -> None:
    srv.control.add_fault(kind="internal_error", path=MODE, times=2)
    with client(srv, retries=2) as c:
        assert c.get_mode() is False


@pytest.mark.parametrize("applied", [True, False], ids=["applied", "not-applied"])
@pytest.mark.parametrize("kind", ["unknown_error", "timeout", "close"])
def test_set_mode_reconciles_after_an_unknown_outcome(
    srv: Server, kind: str, applied: bool
) -> None:
    srv.control.add_fault(
        kind=kind, method="POST", path=MODE, account="demo", times=1, applied=applied
    )
    with client(srv) as c:
        if applied:
            c.set_mode(True)  # the change happened: reading back says so, no error
        else:
            with pytest.raises((UnknownStatus, TransportError)) as caught:
                c.set_mode(True)
            error = caught.value
            assert isinstance(error, UnknownStatus | TransportError)
            assert error.applied is False
        assert c.get_mode() is applied
    entry = srv.control.log(0, limit=2000)["entries"]
    injected = [e for e in entry if e["injected"]]
    assert injected[-1]["injected"].endswith(f"{kind}" + (" (applied)" if applied else ""))


def test_close_drops_the_connection_without_an_answer(srv: Server) -> None:
    srv.control.add_fault(kind="close", path="/fapi/v1/ping", times=1)
    connection = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=5)
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        connection.request("GET", "/fapi/v1/ping")
        connection.getresponse()
    connection.close()


def test_latency_delays_the_answer(srv: Server) -> None:
    srv.control.add_fault(kind="latency", path="/fapi/v1/ping", latencyMs=300, times=1)
    started = time.monotonic()
    assert srv.request("GET", "/fapi/v1/ping").status == 200
    assert time.monotonic() - started >= 0.28  # 0.3 s, less the timers' granularity
    with client(srv, timeout=0.2, retries=0) as c:
        srv.control.add_fault(kind="latency", path="/fapi/v1/ping", latencyMs=1000, times=1)
        with pytest.raises(Timeout):
            c.ping()


def test_probability_with_a_seed_repeats(srv: Server) -> None:
    def pattern() -> list[int]:
        srv.control.load_faults(
            {
                "seed": 7,
                "rules": [{"kind": "internal_error", "path": "/fapi/v1/ping", "probability": 0.5}],
            }
        )
        return [srv.request("GET", "/fapi/v1/ping").status for _ in range(20)]

    first = pattern()
    assert 200 in first and 503 in first
    assert pattern() == first


def test_rules_match_by_account_only(srv: Server) -> None:
    srv.control.add_fault(kind="internal_error", account="somebody-else")
    assert srv.signed("GET", MODE).status == 200


@pytest.mark.parametrize(
    ("kind", "status", "code"),
    [
        ("unknown_error", 503, -1000),
        ("service_unavailable", 503, -1000),
        ("internal_error", 503, -1001),
        ("timeout", 408, -1007),
        ("throttled", 503, -1008),
        ("rate_limited", 429, -1003),
        ("banned", 418, -1003),
    ],
)
def test_python_binance_sees_each_fault_as_from_binance(
    srv: Server, kind: str, status: int, code: int
) -> None:
    from binance import Client as BinanceClient
    from binance.exceptions import BinanceAPIException

    local = type(
        "Local",
        (BinanceClient,),
        {"API_URL": f"{srv.base_url}/api", "FUTURES_URL": f"{srv.base_url}/fapi"},
    )
    pb = local(srv.demo.api_key, srv.demo.secret, ping=False)
    try:
        srv.control.add_fault(kind=kind, path=MODE, times=1)
        with pytest.raises(BinanceAPIException) as caught:
            pb.futures_get_multi_assets_mode()
        assert (caught.value.status_code, caught.value.code) == (status, code)
    finally:
        pb.close_connection()
        pb.loop.close()


def test_python_binance_sees_the_503(srv: Server) -> None:
    from binance import Client as BinanceClient
    from binance.exceptions import BinanceAPIException

    local = type(
        "Local",
        (BinanceClient,),
        {"API_URL": f"{srv.base_url}/api", "FUTURES_URL": f"{srv.base_url}/fapi"},
    )
    pb = local(srv.demo.api_key, srv.demo.secret, ping=False)
    try:
        srv.control.add_fault(kind="unknown_error", method="POST", times=1, applied=True)
        with pytest.raises(BinanceAPIException) as caught:
            pb.futures_change_multi_assets_mode(True)
        assert (caught.value.status_code, caught.value.code) == (503, -1000)
        assert pb.futures_get_multi_assets_mode() == {"multiAssetsMargin": True}
    finally:
        pb.close_connection()
        pb.loop.close()


def test_reset_clears_rules_and_bad_rules_are_refused(srv: Server) -> None:
    from multiassets.admin import AdminError

    srv.control.add_fault(kind="latency", latencyMs=5)
    for bad in (
        {"kind": "explode"},
        {"kind": "latency", "probability": 0},
        {"kind": "internal_error", "applied": True},
        {"kind": "latency", "times": 0},
        {"kind": "latency", "nope": 1},
    ):
        with pytest.raises(AdminError) as caught:
            srv.control.add_fault(**bad)
        assert caught.value.status == 400
    srv.control.reset()
    assert srv.control.faults() == {"rules": []}
    srv.control.import_(
        {
            "format": "multiassets/state@1",
            "accounts": [
                {
                    "name": "demo",
                    "state": {},
                    "keys": [
                        {
                            "apiKey": srv.demo.api_key,
                            "secretKey": srv.demo.secret,
                            "type": "HMAC",
                            "permissions": ["USER_DATA", "TRADE"],
                            "ipAllowlist": None,
                        }
                    ],
                }
            ],
        }
    )


def test_faults_command_and_faults_file(srv: Server, tmp_path: Path) -> None:
    remote = ["--server", srv.base_url, "--token", srv.admin_token]
    result = CliRunner().invoke(
        cli, ["faults", "add", "--kind", "throttled", "--method", "GET", "--times", "1", *remote]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["kind"] == "throttled"
    assert srv.request("GET", "/fapi/v1/ping").json()["code"] == -1008
    rules = tmp_path / "faults.json"
    rules.write_text(
        json.dumps({"seed": 1, "rules": [{"kind": "internal_error", "path": "/fapi/v1/time"}]})
    )
    with running_server(tmp_path, "--faults", str(rules)) as other:
        assert other.request("GET", "/fapi/v1/time").json()["code"] == -1001
        assert other.request("GET", "/fapi/v1/ping").status == 200
