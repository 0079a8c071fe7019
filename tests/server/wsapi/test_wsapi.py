"""The WebSocket API (``server/wsapi/``) over a real WebSocket: the envelope, session.status, the
account methods against their REST twins, the checks, and the one weight budget."""

from __future__ import annotations

from typing import Any

import pytest
from websockets.exceptions import ConnectionClosedOK

from multiassets.protocol.signing import generate_private_key, load_private_key

from ...support import ONCE, Server, frozen_minute, now_ms, sign
from .frames import (
    SEEDED,
    ask,
    call,
    hmac_signer,
    open_api,
    refusal,
    signed,
    weight,
    without_limits,
)

#: The WebSocket API reads the account the REST views read: the database is the REST tests'.
pytestmark = ONCE


# -- the envelope -----------------------------------------------------------------------------


@pytest.mark.parametrize("ident", ["9ca10e58-7452", 42, None])
def test_the_id_comes_back_as_sent(srv: Server, ident: Any) -> None:
    with open_api(srv) as ws:
        answer = ask(ws, {"id": ident, "method": "session.status"})
    assert (answer["id"], answer["status"]) == (ident, 200)


def test_session_status_unauthenticated_with_the_weight_so_far(srv: Server) -> None:
    with frozen_minute(srv) as at, open_api(srv) as ws:
        first = call(ws, "session.status")
        second = call(ws, "session.status")
    result = {
        "apiKey": None,
        "authorizedSince": None,
        "connectedSince": at,
        "returnRateLimits": True,
        "serverTime": at,
    }
    # The handshake 5, then 2 a call.
    assert first == {"id": "r", "status": 200, "result": result, "rateLimits": weight(7)}
    assert second["rateLimits"] == weight(9)


def test_return_rate_limits_false_in_the_url_and_a_request_overriding_it(srv: Server) -> None:
    with frozen_minute(srv), open_api(srv, "?returnRateLimits=false") as ws:
        hidden = call(ws, "session.status")
        shown = call(ws, "session.status", {"returnRateLimits": True})
        refused = ask(ws, {"id": 1, "method": "nope"})
    assert "rateLimits" not in hidden and hidden["result"]["returnRateLimits"] is False
    assert shown["rateLimits"] == weight(9)
    assert refused == refusal(400, -1130, "Data sent for parameter 'method' is not valid.", 1)


@pytest.mark.parametrize(
    ("frame", "expected"),
    [
        ("not json", refusal(400, -1100, "Illegal characters found in a parameter.", None)),
        ("[1, 2]", refusal(400, -1100, "Illegal characters found in a parameter.", None)),
        (
            '{"id": 3}',
            refusal(
                400,
                -1102,
                "Mandatory parameter 'method' was not sent, was empty/null, or malformed.",
                3,
            ),
        ),
        (
            '{"id": 3, "method": "session.status", "params": [1]}',
            refusal(400, -1130, "Data sent for parameter 'params' is not valid.", 3),
        ),
        (
            '{"id": 1.5, "method": "session.status"}',
            refusal(400, -1130, "Data sent for parameter 'id' is not valid.", None),
        ),
        (
            '{"id": 3, "method": "account.status", "params": {"symbol": {"a": 1}}}',
            refusal(400, -1130, "Data sent for parameter 'symbol' is not valid.", 3),
        ),
    ],
    ids=["not-json", "not-an-object", "no-method", "params-a-list", "id-a-float", "nested-value"],
)
def test_a_malformed_frame_is_answered_and_the_connection_stays(
    srv: Server, frame: str, expected: dict[str, Any]
) -> None:
    with open_api(srv) as ws:
        answer = ask(ws, frame)
        after = call(ws, "session.status")
    assert without_limits(answer) == expected
    assert after["status"] == 200


def test_an_unknown_method(srv: Server) -> None:
    with open_api(srv) as ws:
        answer = ask(ws, {"id": "x", "method": "order.place", "params": signed(srv)})
    assert without_limits(answer) == refusal(
        400, -1130, "Data sent for parameter 'method' is not valid.", "x"
    )


# -- the account methods ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "params"),
    [
        ("account.status", "/fapi/v2/account", {}),
        ("v2/account.status", "/fapi/v3/account", {}),
        ("account.balance", "/fapi/v2/balance", {}),
        ("v2/account.balance", "/fapi/v3/balance", {}),
        ("account.position", "/fapi/v2/positionRisk", {}),
        ("account.position", "/fapi/v2/positionRisk", {"symbol": "BTCUSDT"}),
        ("v2/account.position", "/fapi/v3/positionRisk", {}),
        ("v2/account.position", "/fapi/v3/positionRisk", {"symbol": "ETHUSDT"}),
    ],
)
def test_each_account_method_answers_its_rest_twin(
    srv: Server, method: str, path: str, params: dict[str, str]
) -> None:
    srv.control.set_state("demo", SEEDED)
    rest = srv.signed("GET", path, params)
    assert rest.status == 200, rest.body
    with open_api(srv) as ws:
        answer = call(ws, method, signed(srv, params))
    assert answer["status"] == 200, answer
    expected = rest.json()
    if method == "account.status":  # the v2 document without feeBurn (§8.6)
        assert expected.pop("feeBurn") is True and "feeBurn" not in answer["result"]
    assert answer["result"] == expected
    assert answer["result"] != [] and answer["result"] != {}


def test_account_position_of_an_unknown_symbol(srv: Server) -> None:
    with open_api(srv) as ws:
        answer = call(ws, "account.position", signed(srv, {"symbol": "NOPE"}))
    assert without_limits(answer) == refusal(400, -1121, "Invalid symbol.")


@pytest.mark.parametrize("kind", ["RSA", "ED25519"])
def test_rsa_and_ed25519_keys_sign_in_base64(srv: Server, kind: str) -> None:
    private_pem = generate_private_key(kind)  # type: ignore[arg-type]
    _, signer, public_pem = load_private_key(private_pem)
    created = srv.control.create_key("demo", public_key=public_pem)
    assert created["type"] == kind
    with open_api(srv) as ws:
        answer = call(ws, "account.balance", signed(srv, api_key=created["apiKey"], signer=signer))
        wrong = call(
            ws,
            "account.balance",
            signed(srv, api_key=created["apiKey"], signer=hmac_signer(srv.demo)),
        )
    assert answer["status"] == 200 and [row["asset"] for row in answer["result"]][0] == "USDT"
    assert without_limits(wrong) == refusal(400, -1022, "Signature for this request is not valid.")


# -- the checks -------------------------------------------------------------------------------


def test_the_payload_is_sorted_and_json_values_are_written_as_text(srv: Server) -> None:
    """recvWindow a JSON integer, returnRateLimits a JSON boolean, both signed as text."""
    key, at = srv.demo.api_key, now_ms()
    payload = f"apiKey={key}&recvWindow=5000&returnRateLimits=false&symbol=BTCUSDT&timestamp={at}"
    params = {
        "timestamp": at,
        "symbol": "BTCUSDT",
        "returnRateLimits": False,
        "recvWindow": 5000,
        "apiKey": key,
        "signature": sign(srv.demo.secret, payload),
    }
    with open_api(srv) as ws:
        answer = call(ws, "account.position", params)
    assert answer["status"] == 200 and "rateLimits" not in answer
    assert [row["symbol"] for row in answer["result"]] == ["BTCUSDT"]


def test_a_bad_signature(srv: Server) -> None:
    params = signed(srv)
    params["signature"] = "0" * 64
    with open_api(srv) as ws:
        answer = call(ws, "account.status", params)
    assert without_limits(answer) == refusal(400, -1022, "Signature for this request is not valid.")


def test_a_parameter_added_after_signing_breaks_the_signature(srv: Server) -> None:
    params = {**signed(srv), "recvWindow": 6000}
    with open_api(srv) as ws:
        answer = call(ws, "account.balance", params)
    assert answer["error"]["code"] == -1022


def test_a_stale_timestamp(srv: Server) -> None:
    with frozen_minute(srv) as at, open_api(srv) as ws:
        stale = call(ws, "account.status", signed(srv, timestamp=at - 5001))
        edge = call(ws, "account.status", signed(srv, timestamp=at - 5000))
    msg = "Timestamp for this request is outside of the recvWindow."
    assert stale == {**refusal(400, -1021, msg), "rateLimits": weight(10)}
    assert edge["status"] == 200


def test_timestamp_missing_or_malformed(srv: Server) -> None:
    params = signed(srv)
    del params["timestamp"]
    with open_api(srv) as ws:
        missing = call(ws, "account.status", params)
        malformed = call(ws, "account.status", signed(srv, timestamp=-1) | {"timestamp": "x"})
    msg = "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed."
    assert without_limits(missing) == refusal(400, -1102, msg)
    assert without_limits(malformed) == refusal(400, -1102, msg)


def test_api_key_missing_malformed_or_unknown(srv: Server) -> None:
    params = signed(srv)
    del params["apiKey"]
    with open_api(srv) as ws:
        missing = call(ws, "account.status", params)
        malformed = call(ws, "account.status", signed(srv, api_key="short"))
        unknown = call(ws, "account.status", signed(srv, api_key="A" * 64))
    assert without_limits(missing) == refusal(401, -2014, "API-key format invalid.")
    assert without_limits(malformed) == refusal(401, -2014, "API-key format invalid.")
    assert without_limits(unknown) == refusal(
        401, -2015, "Invalid API-key, IP, or permissions for action, request ip: 127.0.0.1"
    )


def test_rest_and_the_websocket_api_share_one_weight_budget(srv: Server) -> None:
    with frozen_minute(srv) as at:
        with open_api(srv) as ws:  # 5
            status = call(ws, "account.status", signed(srv, timestamp=at))  # 5
            session = call(ws, "session.status")  # 2
        rest = srv.signed("GET", "/fapi/v3/account", timestamp=at)  # 5
    assert (status["rateLimits"], session["rateLimits"]) == (weight(10), weight(12))
    assert (rest.status, rest.weight) == (200, 17)


def test_the_connection_ends_after_24_hours_of_server_time(srv: Server) -> None:
    with frozen_minute(srv) as at, open_api(srv) as ws:
        assert call(ws, "session.status")["status"] == 200
        srv.control.set_clock(freeze=True, at=at + 24 * 3600 * 1000)
        with pytest.raises(ConnectionClosedOK) as closed:  # at its next check, within 1 s
            ws.recv(timeout=5)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1000


def test_signature_missing_and_recv_window_not_positive(srv: Server) -> None:
    params = signed(srv)
    del params["signature"]
    with open_api(srv) as ws:
        missing = call(ws, "account.status", params)
        zero = call(ws, "account.status", signed(srv, {"recvWindow": 0}))
    msg = "Mandatory parameter 'signature' was not sent, was empty/null, or malformed."
    assert without_limits(missing) == refusal(400, -1102, msg)
    assert without_limits(zero) == refusal(
        400, -1130, "Data sent for parameter 'recvWindow' is not valid."
    )
