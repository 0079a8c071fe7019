"""Every refusal of the signed-request checks, over real HTTP: status, code, message, weight."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

import pytest

from ...support import Credentials, Server, now_ms, sign

MODE = "/fapi/v1/multiAssetsMargin"
JSON = "application/json"


def expect(reply_status: int, reply_body: object, status: int, code: int, msg: str) -> None:
    assert (reply_status, reply_body) == (status, {"code": code, "msg": msg})


def signed_query(secret: str, params: dict[str, object]) -> str:
    payload = urlencode(params)
    return f"{payload}&signature={sign(secret, payload)}"


# -- step 2: the API key ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="missing"),
        pytest.param({"X-MBX-APIKEY": ""}, id="empty"),
        pytest.param({"X-MBX-APIKEY": "abc"}, id="too-short"),
        pytest.param({"X-MBX-APIKEY": "a" * 65}, id="too-long"),
        pytest.param({"X-MBX-APIKEY": "a" * 63 + "-"}, id="not-alphanumeric"),
    ],
)
def test_get_rejects_missing_or_malformed_api_key(server: Server, headers: dict[str, str]) -> None:
    query = signed_query(server.demo.secret, {"timestamp": now_ms()})
    reply = server.request("GET", MODE, query, headers=headers)
    expect(reply.status, reply.json(), 401, -2014, "API-key format invalid.")
    assert reply.headers["content-type"] == JSON


def test_get_rejects_unknown_api_key_naming_the_request_ip(server: Server) -> None:
    stranger = Credentials("Z" * 64, server.demo.secret)
    reply = server.signed("GET", MODE, credentials=stranger)
    expect(
        reply.status,
        reply.json(),
        401,
        -2015,
        "Invalid API-key, IP, or permissions for action, request ip: 127.0.0.1",
    )


def test_key_check_comes_before_parameter_checks(server: Server) -> None:
    reply = server.request("GET", MODE, "timestamp=abc", headers={"X-MBX-APIKEY": "Z" * 64})
    assert reply.json()["code"] == -2015


# -- step 3: parameters ----------------------------------------------------------------------


def test_get_rejects_a_parameter_sent_twice(server: Server) -> None:
    ts = now_ms()
    payload = f"timestamp={ts}&timestamp={ts}"
    reply = server.request(
        "GET",
        MODE,
        f"{payload}&signature={sign(server.demo.secret, payload)}",
        headers={"X-MBX-APIKEY": server.demo.api_key},
    )
    expect(reply.status, reply.json(), 400, -1101, "Duplicate values for a parameter detected.")


def test_get_rejects_undecodable_percent_encoding(server: Server) -> None:
    reply = server.request(
        "GET",
        MODE,
        f"timestamp={now_ms()}&x=%FF&signature=00",
        headers={"X-MBX-APIKEY": server.demo.api_key},
    )
    expect(reply.status, reply.json(), 400, -1100, "Illegal characters found in a parameter.")


# -- step 4: timestamp and recvWindow values ---------------------------------------------------


def malformed(param: str) -> str:
    return f"Mandatory parameter '{param}' was not sent, was empty/null, or malformed."


@pytest.mark.parametrize(
    ("query", "code", "msg"),
    [
        pytest.param("", -1102, malformed("timestamp"), id="timestamp-missing"),
        pytest.param("timestamp=", -1102, malformed("timestamp"), id="timestamp-empty"),
        pytest.param("timestamp=abc", -1102, malformed("timestamp"), id="timestamp-letters"),
        pytest.param("timestamp=1.5e12", -1102, malformed("timestamp"), id="timestamp-decimal"),
        pytest.param(
            "timestamp=99999999999999999999",
            -1102,
            malformed("timestamp"),
            id="timestamp-beyond-long",
        ),
        pytest.param(
            "timestamp=-1",
            -1021,
            "Timestamp for this request is outside of the recvWindow.",
            id="timestamp-negative",
        ),
        pytest.param(
            "timestamp={ts}&recvWindow=", -1102, malformed("recvWindow"), id="recvWindow-empty"
        ),
        pytest.param(
            "timestamp={ts}&recvWindow=abc", -1102, malformed("recvWindow"), id="recvWindow-letters"
        ),
        pytest.param(
            "timestamp={ts}&recvWindow=-5",
            -1130,
            "Data sent for parameter 'recvWindow' is not valid.",
            id="recvWindow-negative",
        ),
        pytest.param(
            "timestamp={ts}&recvWindow=0",
            -1130,
            "Data sent for parameter 'recvWindow' is not valid.",
            id="recvWindow-zero",
        ),
    ],
)
def test_get_rejects_bad_timestamp_or_recv_window(
    server: Server, query: str, code: int, msg: str
) -> None:
    payload = query.format(ts=now_ms())
    reply = server.request(
        "GET",
        MODE,
        f"{payload}&signature={sign(server.demo.secret, payload)}",
        headers={"X-MBX-APIKEY": server.demo.api_key},
    )
    expect(reply.status, reply.json(), 400, code, msg)


def test_get_accepts_recv_window_above_60000(server: Server) -> None:
    # fapi has no -1131; its own RSA example sends recvWindow=9999999.
    reply = server.signed("GET", MODE, {"recvWindow": 9999999}, timestamp=now_ms() - 120_000)
    assert (reply.status, reply.json()) == (200, {"multiAssetsMargin": False})


def test_get_ignores_parameters_it_does_not_read(server: Server) -> None:
    reply = server.signed("GET", MODE, {"symbol": "BTCUSDT", "foo": "bar"})
    assert (reply.status, reply.json()) == (200, {"multiAssetsMargin": False})


def test_get_accepts_recv_window_of_60000(server: Server) -> None:
    reply = server.signed("GET", MODE, {"recvWindow": 60000}, timestamp=now_ms() - 59_000)
    assert (reply.status, reply.json()) == (200, {"multiAssetsMargin": False})


# -- step 5: the time window -------------------------------------------------------------------


def test_get_rejects_timestamp_ahead_of_server(server: Server) -> None:
    reply = server.signed("GET", MODE, timestamp=now_ms() + 1500)
    expect(
        reply.status,
        reply.json(),
        400,
        -1021,
        "Timestamp for this request was 1000ms ahead of the server's time.",
    )


def test_get_accepts_timestamp_slightly_ahead_of_server(server: Server) -> None:
    reply = server.signed("GET", MODE, timestamp=now_ms() + 500)
    assert reply.status == 200


def test_get_rejects_timestamp_older_than_default_recv_window(server: Server) -> None:
    reply = server.signed("GET", MODE, timestamp=now_ms() - 5_300)
    expect(
        reply.status,
        reply.json(),
        400,
        -1021,
        "Timestamp for this request is outside of the recvWindow.",
    )


def test_get_honours_a_larger_recv_window(server: Server) -> None:
    reply = server.signed("GET", MODE, {"recvWindow": 10_000}, timestamp=now_ms() - 7_000)
    assert reply.status == 200


def test_get_honours_a_smaller_recv_window(server: Server) -> None:
    reply = server.signed("GET", MODE, {"recvWindow": 100}, timestamp=now_ms() - 1_000)
    assert reply.json()["code"] == -1021


def test_time_window_is_checked_before_the_signature(server: Server) -> None:
    query = f"timestamp={now_ms() - 60_000}&signature={'0' * 64}"
    reply = server.request("GET", MODE, query, headers={"X-MBX-APIKEY": server.demo.api_key})
    assert reply.json()["code"] == -1021


# -- step 6: the signature ---------------------------------------------------------------------


def test_get_rejects_missing_signature(server: Server) -> None:
    reply = server.request(
        "GET", MODE, f"timestamp={now_ms()}", headers={"X-MBX-APIKEY": server.demo.api_key}
    )
    expect(
        reply.status,
        reply.json(),
        400,
        -1102,
        "Mandatory parameter 'signature' was not sent, was empty/null, or malformed.",
    )


def test_get_rejects_empty_signature(server: Server) -> None:
    reply = server.request(
        "GET",
        MODE,
        f"timestamp={now_ms()}&signature=",
        headers={"X-MBX-APIKEY": server.demo.api_key},
    )
    assert reply.json()["code"] == -1102


@pytest.mark.parametrize(
    "mangle",
    [
        pytest.param(lambda payload, sig: f"{payload}&signature={'0' * 64}", id="wrong-hex"),
        pytest.param(lambda payload, sig: f"{payload}&signature={sig[:-1]}", id="truncated"),
        pytest.param(lambda payload, sig: f"signature={sig}&{payload}", id="signature-not-last"),
        pytest.param(
            lambda payload, sig: f"{payload}&recvWindow=5000&signature={sig}",
            id="parameter-added-after-signing",
        ),
        pytest.param(lambda payload, sig: f"{payload}&signature={sig}&", id="trailing-ampersand"),
    ],
)
def test_get_rejects_invalid_signature(server: Server, mangle: Callable[[str, str], str]) -> None:
    payload = f"timestamp={now_ms()}"
    query = mangle(payload, sign(server.demo.secret, payload))
    reply = server.request("GET", MODE, query, headers={"X-MBX-APIKEY": server.demo.api_key})
    expect(reply.status, reply.json(), 400, -1022, "Signature for this request is not valid.")


def test_get_rejects_signature_made_with_another_secret(server: Server) -> None:
    other = Credentials(server.demo.api_key, "x" * 64)
    reply = server.signed("GET", MODE, credentials=other)
    expect(reply.status, reply.json(), 400, -1022, "Signature for this request is not valid.")


def test_get_accepts_upper_case_hex_signature(server: Server) -> None:
    payload = f"timestamp={now_ms()}"
    query = f"{payload}&signature={sign(server.demo.secret, payload).upper()}"
    reply = server.request("GET", MODE, query, headers={"X-MBX-APIKEY": server.demo.api_key})
    assert (reply.status, reply.json()) == (200, {"multiAssetsMargin": False})


def test_signature_covers_the_bytes_as_sent(server: Server) -> None:
    # The same parameters, percent-encoded differently: each verifies against its own bytes.
    for payload in (f"timestamp={now_ms()}&note=a%40b", f"timestamp={now_ms()}&note=a@b"):
        query = f"{payload}&signature={sign(server.demo.secret, payload)}"
        reply = server.request("GET", MODE, query, headers={"X-MBX-APIKEY": server.demo.api_key})
        assert reply.status == 200, reply.body


def test_parameters_may_come_in_any_order(server: Server) -> None:
    payload = f"timestamp={now_ms()}&recvWindow=10000"
    query = f"{payload}&signature={sign(server.demo.secret, payload)}"
    reply = server.request("GET", MODE, query, headers={"X-MBX-APIKEY": server.demo.api_key})
    assert reply.status == 200


def test_get_ignores_a_json_content_type(server: Server) -> None:
    payload = f"timestamp={now_ms()}"
    query = f"{payload}&signature={sign(server.demo.secret, payload)}"
    reply = server.request(
        "GET",
        MODE,
        query,
        headers={"X-MBX-APIKEY": server.demo.api_key, "Content-Type": "application/json"},
    )
    assert reply.status == 200


def test_a_timestamp_of_thousands_of_digits_is_refused_cleanly(server: Server) -> None:
    reply = server.request(
        "GET",
        MODE,
        f"timestamp={'1' * 5000}&signature=00",
        headers={"X-MBX-APIKEY": server.demo.api_key},
    )
    expect(reply.status, reply.json(), 400, -1102, malformed("timestamp"))


def test_x_forwarded_for_does_not_change_the_client_ip(server: Server) -> None:
    query = signed_query(server.demo.secret, {"timestamp": now_ms()})
    reply = server.request(
        "GET",
        MODE,
        query,
        headers={
            "X-MBX-APIKEY": "Z" * 64,
            "X-Forwarded-For": "1.2.3.4",
            "Forwarded": "for=1.2.3.4",
        },
    )
    assert reply.json()["msg"].endswith("request ip: 127.0.0.1")
