"""The testing tools see the WebSocket API: its requests in the request log (with the reason
for each refusal) and the metrics, fault rules that target a method, the server's clock."""

from __future__ import annotations

import http.client
import json
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosedError

from ...support import ONCE, Server, frozen_minute
from .frames import ask, call, open_api, refusal, signed, weight, without_limits

pytestmark = ONCE


def log_entries(srv: Server) -> list[dict[str, Any]]:
    """The request log's entries, each without its seq and time."""
    entries = srv.control.log()["entries"]
    return [{k: v for k, v in entry.items() if k not in ("seq", "time")} for entry in entries]


def metrics(srv: Server) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
    connection.request(
        "GET", "/_multiassets/metrics", headers={"Authorization": f"Bearer {srv.admin_token}"}
    )
    text = connection.getresponse().read().decode()
    connection.close()
    return text


def entry(path: str, status: int, weight: int, **fields: Any) -> dict[str, Any]:
    """A request log entry of a WebSocket API request from this machine."""
    return {
        "ip": "127.0.0.1",
        "method": "WS",
        "path": path,
        "account": None,
        "key": None,
        "weight": weight,
        "status": status,
        "code": None,
        "reason": None,
        "injected": None,
        **fields,
    }


def test_requests_and_their_refusals_are_in_the_request_log(srv: Server) -> None:
    key = srv.demo.api_key
    bad = signed(srv)
    bad["signature"] = "0" * 64
    with open_api(srv) as ws:
        call(ws, "account.balance", signed(srv))
        call(ws, "account.status", bad)
        ask(ws, {"id": 1, "method": "order.place"})
        ask(ws, "not json")
        ask(ws, {"id": [1], "method": "account.balance"})
    shown = f"{key[:8]}…"
    assert log_entries(srv) == [
        # The handshake: an HTTP GET, charged 5, switching protocols.
        {**entry("/ws-fapi/v1", 101, 5), "method": "GET"},
        entry("account.balance", 200, 5, account="demo", key=shown),
        entry(
            "account.status",
            400,
            5,
            account="demo",
            key=shown,
            code=-1022,
            # The server's own explanation of the refusal, as for REST.
            reason="not a HMAC signature of the parameters sorted by name "
            f"({len(sorted_payload(bad))} bytes, every parameter but signature, k=v joined by &)",
        ),
        # Neither is charged: no method served.
        entry("order.place", 400, 0, code=-1130, reason="no method 'order.place'"),
        entry("(no method)", 400, 0, code=-1100, reason="a frame that is not JSON"),
        # A frame that names a method but is no request is logged under the method.
        entry("account.balance", 400, 0, code=-1130, reason="id of another type"),
    ]


def sorted_payload(params: dict[str, Any]) -> str:
    return "&".join(f"{k}={params[k]}" for k in sorted(params) if k != "signature")


def counted(text: str, labels: str) -> float:
    """The value of ``multiassets_requests_total{labels}`` (0 before its first request)."""
    prefix = f"multiassets_requests_total{{{labels}}} "
    return next(
        (float(line[len(prefix) :]) for line in text.splitlines() if line.startswith(prefix)), 0.0
    )


def test_requests_count_in_the_metrics_unknown_methods_as_one(srv: Server) -> None:
    served = 'code="0",method="WS",path="v2/account.balance",status="200"'
    handshakes = 'code="0",method="GET",path="/ws-fapi/v1",status="101"'
    unknown = 'code="-1130",method="WS",path="(unknown)",status="400"'
    before = metrics(srv)  # the server is the module's: other tests counted too
    with open_api(srv) as ws:
        call(ws, "v2/account.balance", signed(srv))
        ask(ws, {"id": 1, "method": "made.up.one"})
        ask(ws, {"id": 2, "method": "made.up.two"})
    after = metrics(srv)
    assert counted(after, served) - counted(before, served) == 1
    assert counted(after, handshakes) - counted(before, handshakes) == 1
    # Names no one serves don't each become a label: both are "(unknown)".
    assert counted(after, unknown) - counted(before, unknown) == 2
    assert "made.up" not in after


def test_a_fault_rule_targets_one_websocket_method(srv: Server) -> None:
    srv.control.add_fault(kind="unknown_error", method="WS", path="account.status", times=1)
    with frozen_minute(srv) as at, open_api(srv) as ws:
        other = call(ws, "account.balance", signed(srv, timestamp=at))
        failed = call(ws, "account.status", signed(srv, timestamp=at))
        again = call(ws, "account.status", signed(srv, timestamp=at))
    assert other["status"] == 200
    # Charged as it passed the checks: handshake 5, balance 5, status 5.
    assert failed == {
        **refusal(503, -1000, "Unknown error, please check your request or try again later."),
        "rateLimits": weight(15),
    }
    assert again["status"] == 200
    injected = [e["injected"] for e in log_entries(srv) if e["path"] == "account.status"]
    assert injected[0] is not None and injected[0].endswith("unknown_error") and injected[1] is None


def test_a_rest_rule_does_not_fire_on_the_websocket_api(srv: Server) -> None:
    srv.control.add_fault(kind="internal_error", path="/fapi/v2/balance")
    with open_api(srv) as ws:
        answer = call(ws, "account.balance", signed(srv))
    assert answer["status"] == 200


def test_a_close_fault_drops_the_connection_unanswered(srv: Server) -> None:
    srv.control.add_fault(kind="close", path="account.balance", times=1)
    with open_api(srv) as ws:
        ws.send(json.dumps({"id": "r", "method": "account.balance", "params": signed(srv)}))
        with pytest.raises(ConnectionClosedError) as closed:
            ws.recv(timeout=5)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1011
    (dropped,) = [e for e in log_entries(srv) if e["path"] == "account.balance"]
    assert (dropped["status"], dropped["reason"]) == (0, "connection closed without an answer")


def test_a_rate_limited_fault_answers_429_in_the_envelope(srv: Server) -> None:
    srv.control.add_fault(kind="rate_limited", method="WS", times=1)
    with open_api(srv) as ws:
        answer = call(ws, "session.status")
    assert without_limits(answer) == refusal(
        429,
        -1003,
        "Too many requests; current limit of IP(127.0.0.1) is 1000000 requests per minute. "
        "Please use the websocket for live updates to avoid polling the API.",
    )


def test_the_servers_clock_decides_the_time_window(srv: Server) -> None:
    with frozen_minute(srv) as at, open_api(srv) as ws:
        srv.control.set_clock(freeze=True, at=at + 60_000)
        stale = call(ws, "account.status", signed(srv, timestamp=at))
        fresh = call(ws, "account.status", signed(srv, timestamp=at + 60_000))
    assert stale["error"]["code"] == -1021 and fresh["status"] == 200
