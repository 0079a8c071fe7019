"""The request log: every request recorded, each refusal explained in plain words, the
-1022 hints, and no secret or signature anywhere in it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner

from multiassets.cli.main import cli

from ...support import Credentials, Server, frozen_minute, now_ms, running_server, sign

MODE = "/fapi/v1/multiAssetsMargin"


@pytest.fixture(scope="module")
def srv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("log"), "--weight-limit", "1000000") as server:
        yield server


def last_entry(srv: Server) -> dict[str, Any]:
    entries = srv.control.log(0, limit=2000)["entries"]
    return dict(entries[-1])


def send(
    srv: Server, query: str, body: str = "", key: str | None = None, method: str = "GET"
) -> dict[str, Any]:
    headers = {"X-MBX-APIKEY": key if key is not None else srv.demo.api_key}
    if body:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    srv.request(method, MODE, query, body=body, headers=headers)
    return last_entry(srv)


def test_a_served_request_is_recorded(srv: Server) -> None:
    srv.signed("GET", MODE)
    entry = last_entry(srv)
    assert (entry["method"], entry["path"], entry["status"], entry["code"], entry["weight"]) == (
        "GET",
        MODE,
        200,
        None,
        30,
    )
    assert entry["account"] == "demo" and entry["key"] == srv.demo.api_key[:8] + "…"
    assert entry["ip"] == "127.0.0.1" and entry["reason"] is None


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        pytest.param("", "the X-MBX-APIKEY header is empty", id="empty"),
        pytest.param("abc", "the API key is 3 characters, not 64", id="short"),
        pytest.param(
            "Z" * 64, "no key ZZZZZZZZ… on this server (never created, or revoked)", id="unknown"
        ),
    ],
)
def test_key_refusals_are_explained(srv: Server, key: str, reason: str) -> None:
    entry = send(srv, f"timestamp={now_ms()}&signature=00", key=key)
    assert entry["reason"] == reason


def test_clock_refusals_say_by_how_much(srv: Server) -> None:
    ts = now_ms() - 9_000
    payload = f"timestamp={ts}"
    entry = send(srv, f"{payload}&signature={sign(srv.demo.secret, payload)}")
    assert entry["code"] == -1021
    assert entry["reason"].startswith(f"timestamp {ts} is ")
    assert "more than recvWindow 5000 ms" in entry["reason"]


def signed_hint(srv: Server, signed: str, sent_query: str, sent_body: str = "") -> str:
    signature = sign(srv.demo.secret, signed)
    if sent_body:
        entry = send(srv, sent_query, f"{sent_body}&signature={signature}", method="POST")
    else:
        entry = send(srv, f"{sent_query}&signature={signature}")
    assert entry["code"] == -1022, entry
    return str(entry["reason"])


def test_hint_signature_not_last(srv: Server) -> None:
    payload = f"timestamp={now_ms()}"
    entry = send(srv, f"signature={sign(srv.demo.secret, payload)}&{payload}")
    assert (
        entry["reason"]
        == "signature is not the last parameter of the query string: put it at the end"
    )


def test_hint_query_and_body_joined_with_ampersand(srv: Server) -> None:
    query, body = "multiAssetsMargin=true", f"timestamp={now_ms()}"
    reason = signed_hint(srv, f"{query}&{body}", query, body)
    assert reason.startswith("query and body were joined with '&'")
    assert f"verified over '{query}{body}'" in reason


def test_hint_decoded_parameters_signed(srv: Server) -> None:
    sent = f"timestamp={now_ms()}&note=a%40b"
    reason = signed_hint(srv, sent.replace("%40", "@"), sent)
    assert reason.startswith("the decoded parameters were signed")


def test_hint_space_encoded_differently(srv: Server) -> None:
    sent = f"timestamp={now_ms()}&note=a+b"
    reason = signed_hint(srv, sent.replace("+", "%20"), sent)
    assert reason.startswith("the signed string encodes characters differently")


def test_hint_wrong_secret(srv: Server) -> None:
    payload = f"timestamp={now_ms()}"
    entry = send(srv, f"{payload}&signature={sign('x' * 64, payload)}")
    assert (
        entry["reason"]
        == f"wrong secret, or the string changed on the way; verified over '{payload}' (query string then body, nothing between)"
    )


def test_permission_and_allow_list_refusals_are_explained(srv: Server) -> None:
    reader = srv.control.create_key("demo", ["USER_DATA"], ["10.9.9.9"])
    creds = Credentials(reader["apiKey"], reader["secretKey"])
    srv.signed("GET", MODE, credentials=creds)
    assert last_entry(srv)["reason"] == "the key allows only 10.9.9.9"
    trader = srv.control.create_key("demo", ["USER_DATA"])
    srv.signed(
        "POST",
        MODE,
        {"multiAssetsMargin": "true"},
        credentials=Credentials(trader["apiKey"], trader["secretKey"]),
    )
    assert last_entry(srv)["reason"] == "the key may not trade (TRADE permission missing)"


def test_the_log_holds_no_secret_and_no_signature(srv: Server) -> None:
    payload = f"timestamp={now_ms()}"
    signature = sign(srv.demo.secret, payload)
    srv.request(
        "GET", MODE, f"{payload}&signature={signature}", headers={"X-MBX-APIKEY": srv.demo.api_key}
    )
    text = json.dumps(srv.control.log(0, limit=2000))
    assert srv.demo.secret not in text and signature not in text
    assert srv.demo.api_key not in text  # keys appear by their first 8 characters only


def test_filters_and_the_log_command(srv: Server) -> None:
    srv.request("GET", "/fapi/v1/nothing")
    refused = srv.control.log(0, refused=True, limit=2000)["entries"]
    assert refused and all(entry["status"] >= 400 for entry in refused)
    assert refused[-1]["reason"] == "no such path or method"
    demo_only = srv.control.log(0, account="demo", limit=2000)["entries"]
    assert demo_only and all(entry["account"] == "demo" for entry in demo_only)
    result = CliRunner().invoke(
        cli, ["log", "--refused", "--server", srv.base_url, "--token", srv.admin_token]
    )
    assert result.exit_code == 0
    assert "GET /fapi/v1/nothing [-] 404 — no such path or method" in result.output
    since = srv.control.log(0, limit=2000)["last"]
    assert srv.control.log(since)["entries"] == []


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        pytest.param(
            "timestamp=1&timestamp=1&signature=00",
            "Duplicate values for a parameter detected.",
            id="duplicate",
        ),
        pytest.param(
            "timestamp=abc&signature=00",
            "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed.",
            id="malformed-long",
        ),
        pytest.param(
            "timestamp=1&x=%FF&signature=00",
            "Illegal characters found in a parameter.",
            id="undecodable",
        ),
    ],
)
def test_parameter_refusals_are_explained(srv: Server, query: str, reason: str) -> None:
    assert send(srv, query)["reason"] == reason


def test_rate_limit_refusals_are_explained(tmp_path: Any) -> None:
    # All four pings in one new minute window: the server's clock stands still in it.
    with running_server(tmp_path, "--weight-limit", "2") as limited, frozen_minute(limited):
        for _ in range(4):
            limited.request("GET", "/fapi/v1/ping")
        entries = limited.control.log(0, refused=True)["entries"]
    assert entries[0]["reason"].startswith("this IP used 3 of 2 weight this minute")
    assert entries[1]["reason"].startswith("this IP kept sending after a 429: banned for 120 s")
